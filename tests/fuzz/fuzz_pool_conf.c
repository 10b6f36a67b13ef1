/* libFuzzer target for the pools { } section: any config text must give
 * pools or an error message, never a crash or leak; what parses must
 * hold the invariants the lease code relies on. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "fuzz_input.h"
#include "log.h"
#include "pool/pool_conf.h"

static void check_range(const struct pool_range *range)
{
	struct ipaddr first, last;
	uint64_t offset;

	if (range->size == 0 || range->size > POOL_SIZE_MAX)
		abort();
	pool_range_addr(range, 0, &first);
	pool_range_last(range, &last);
	if (!pool_range_offset(range, &first, &offset) || offset != 0 ||
	    !pool_range_offset(range, &last, &offset) ||
	    offset != range->size - 1 || !pool_range_overlap(range, range))
		abort();
}

static void check_defs(const struct pool_defs *defs)
{
	for (size_t i = 0; i < defs->count; i++) {
		check_range(&defs->defs[i].range);
		for (size_t j = 0; j < i; j++) {
			if (pool_range_overlap(&defs->defs[i].range,
					       &defs->defs[j].range))
				abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pool_defs defs;
	struct conf_error cerr;
	struct conf *conf;
	char *text, err[512];

	fuzz_log_quiet();
	text = fuzz_text(data, size);
	if (!text)
		return 0;
	conf = conf_load_string(text, "/nonexistent-fuzz/cygnet.conf", &cerr);
	free(text);
	if (!conf)
		return 0;
	if (pool_conf_parse(conf_section_find(conf_root(conf), "pools"), &defs,
			    err, sizeof(err)) == 0) {
		check_defs(&defs);
		pool_defs_free(&defs);
	}
	conf_free(conf);
	return 0;
}
