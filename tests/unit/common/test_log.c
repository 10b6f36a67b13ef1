/* Charon-style log lines: format, ident, levels, sink, and whole lines
 * from concurrent threads. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conf_test_util.h"
#include "log.h"
#include "testmain.h"

START_TEST(subsystem_names)
{
	ck_assert_str_eq(log_subsys_name(LOG_IKE), "IKE");
	ck_assert_str_eq(log_subsys_name(LOG_CFG), "CFG");
	ck_assert_str_eq(log_subsys_name(LOG_APP), "APP");
	ck_assert_int_eq(log_subsys_by_name("knl"), LOG_KNL);
	ck_assert_int_eq(log_subsys_by_name("DMN"), LOG_DMN);
	ck_assert_int_eq(log_subsys_by_name("xyz"), -1);
	ck_assert_int_eq(log_subsys_by_name("default"), -1);
}
END_TEST

START_TEST(levels)
{
	ck_assert_int_eq(log_get_level(LOG_IKE), LOG_LEVEL_DEFAULT);
	ck_assert(log_enabled(LOG_IKE, 1));
	ck_assert(!log_enabled(LOG_IKE, 2));
	log_set_level(LOG_IKE, 4);
	ck_assert(log_enabled(LOG_IKE, 4));
	ck_assert(!log_enabled(LOG_NET, 2));
	log_set_level(LOG_IKE, 9);
	ck_assert_int_eq(log_get_level(LOG_IKE), LOG_LEVEL_MAX);
	log_set_level(LOG_IKE, -5);
	ck_assert_int_eq(log_get_level(LOG_IKE), LOG_LEVEL_SILENT);
	ck_assert(!log_enabled(LOG_IKE, 0));
	log_set_all_levels(2);
	for (int i = 0; i < LOG_SUBSYS_COUNT; i++)
		ck_assert_int_eq(log_get_level(i), 2);
}
END_TEST

START_TEST(format_and_filter)
{
	struct captured cap;

	capture_start(&cap);
	DBG1(LOG_IKE, "received packet: from %s[%d]", "192.0.2.2", 500);
	DBG2(LOG_IKE, "not shown at level 1");
	DBG0(LOG_CFG, "loaded certificate '%s'", "CN=gw");
	log_set_level(LOG_NET, LOG_LEVEL_SILENT);
	DBG0(LOG_NET, "silenced");
	log_set_ident("pool");
	DBG1(LOG_APP, "lease %s", "192.0.2.64");
	log_set_ident(NULL);
	DBG1(LOG_CHD, "back");
	capture_stop();
	ck_assert_str_eq(cap.text,
			 "[IKE] received packet: from 192.0.2.2[500]\n"
			 "[CFG] loaded certificate 'CN=gw'\n"
			 "pool: [APP] lease 192.0.2.64\n"
			 "[CHD] back\n");
}
END_TEST

START_TEST(long_line)
{
	static char big[5000];
	struct captured cap;

	memset(big, 'x', sizeof(big) - 1);
	capture_start(&cap);
	DBG1(LOG_ENC, "%s!", big);
	capture_stop();
	ck_assert_uint_eq(strlen(cap.text), 6 + sizeof(big) - 1 + 2);
	ck_assert_int_eq(strncmp(cap.text, "[ENC] xxx", 9), 0);
	ck_assert_str_eq(cap.text + strlen(cap.text) - 3, "x!\n");
}
END_TEST

static int saved_stderr = -1;

/* Redirects stderr into a temporary file and returns its descriptor. */
static int stderr_to_file(char *path, size_t len)
{
	int fd;

	snprintf(path, len, "/tmp/cygnet-log-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	saved_stderr = dup(STDERR_FILENO);
	ck_assert_int_ge(dup2(fd, STDERR_FILENO), 0);
	return fd;
}

/* Puts stderr back (matters when CK_FORK=no runs all tests in one
 * process, as under valgrind). */
static void stderr_restore(int fd, const char *path)
{
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	close(fd);
	unlink(path);
}

static size_t read_back(int fd, char *buf, size_t len)
{
	ssize_t n = pread(fd, buf, len - 1, 0);

	ck_assert_int_ge(n, 0);
	buf[n] = '\0';
	return (size_t)n;
}

START_TEST(stderr_lines)
{
	char path[64], buf[256];
	int fd = stderr_to_file(path, sizeof(path));

	log_set_ident("ike");
	DBG1(LOG_IKE, "initiating IKE_SA %s[%u]", "gw", 1u);
	log_set_ident(NULL);
	DBG1(LOG_DMN, "ready");
	read_back(fd, buf, sizeof(buf));
	ck_assert_str_eq(buf, "ike: [IKE] initiating IKE_SA gw[1]\n"
			 "[DMN] ready\n");
	stderr_restore(fd, path);
}
END_TEST

#define THREADS 4
#define LINES 5000

static pthread_barrier_t start_together;

static void *log_lines(void *arg)
{
	long id = (long)arg;

	pthread_barrier_wait(&start_together);
	for (int i = 0; i < LINES; i++)
		DBG1(LOG_JOB, "thread %ld line %d %s", id, i,
		     "padding-padding-padding-padding-padding-padding");
	return NULL;
}

/* Every line arrives whole: one write per line. */
START_TEST(threads_never_interleave)
{
	static char buf[THREADS * LINES * 96];
	pthread_t threads[THREADS];
	char path[64], *line, *save;
	int fd = stderr_to_file(path, sizeof(path)), count = 0;

	pthread_barrier_init(&start_together, NULL, THREADS);
	for (long i = 0; i < THREADS; i++)
		pthread_create(&threads[i], NULL, log_lines, (void *)i);
	for (int i = 0; i < THREADS; i++)
		pthread_join(threads[i], NULL);
	pthread_barrier_destroy(&start_together);
	read_back(fd, buf, sizeof(buf));
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		long id;
		int n, end = 0;

		ck_assert_msg(sscanf(line, "[JOB] thread %ld line %d "
				     "padding-padding-padding-padding-padding-"
				     "padding%n", &id, &n, &end) == 2 &&
			      line[end] == '\0', "torn line '%s'", line);
		count++;
	}
	ck_assert_int_eq(count, THREADS * LINES);
	stderr_restore(fd, path);
}
END_TEST

static Suite *log_suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("log");

	tcase_add_test(tc, subsystem_names);
	tcase_add_test(tc, levels);
	tcase_add_test(tc, format_and_filter);
	tcase_add_test(tc, long_line);
	tcase_add_test(tc, stderr_lines);
	tcase_add_test(tc, threads_never_interleave);
	tcase_add_checked_fixture(tc, log_reset, NULL);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(log_suite)
