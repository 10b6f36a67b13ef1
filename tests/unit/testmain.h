/* Every Check test file ends with TEST_MAIN(suite_fn): one binary per file,
 * run by tests/tools/run-check, which reads Check's summary line. */
#ifndef CYGNET_TESTMAIN_H
#define CYGNET_TESTMAIN_H

#include <check.h>
#include <stdlib.h>

#define TEST_MAIN(suite_fn)                                         \
	int main(void)                                              \
	{                                                           \
		SRunner *runner = srunner_create(suite_fn());       \
		srunner_run_all(runner, CK_NORMAL);                 \
		int failed = srunner_ntests_failed(runner);         \
		srunner_free(runner);                               \
		return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;   \
	}

#endif
