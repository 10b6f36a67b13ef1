/* Shared by the rpc and events tests: a temp dir per test whose run/
 * subdirectory the code under test must create, the permission checks
 * every ipc:// endpoint must pass, free loopback ports, and the suite of
 * one fixture around it all. */
#ifndef CYGNET_ENDPOINT_TEST_UTIL_H
#define CYGNET_ENDPOINT_TEST_UTIL_H

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <nng/nng.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

static inline void tmpdir_make(char *dir, size_t len, const char *prefix)
{
	snprintf(dir, len, "/tmp/cygnet-%s-XXXXXX", prefix);
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static inline void tmpdir_remove(const char *dir)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* A fixture's start: a fresh DIR and URL ipc://DIR/run/NAME, logs quiet. */
static inline void endpoint_setup(char *dir, size_t dirlen, const char *prefix,
				  char *url, size_t urllen, const char *name)
{
	tmpdir_make(dir, dirlen, prefix);
	snprintf(url, urllen, "ipc://%s/run/%s", dir, name);
	log_set_all_levels(0);
}

/* A fixture's end: the dir gone, nng's threads stopped. */
static inline void endpoint_teardown(const char *dir)
{
	tmpdir_remove(dir);
	nng_fini();
}

/* A suite NAME of one test case: TESTS between SETUP and TEARDOWN, each
 * within TIMEOUT seconds. */
static inline Suite *endpoint_suite(const char *name, double timeout,
				    SFun setup, SFun teardown,
				    const TTest *const *tests, size_t n)
{
	Suite *s = suite_create(name);
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, timeout);
	for (size_t i = 0; i < n; i++)
		tcase_add_test(tc, tests[i]);
	suite_add_tcase(s, tc);
	return s;
}

/* dir/run is 0750 and dir/run/name a socket with mode 0660. */
static inline void assert_ipc_perms(const char *dir, const char *name)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/run", dir);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0750);
	snprintf(path, sizeof(path), "%s/run/%s", dir, name);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_int_eq(st.st_mode & 07777, 0660);
}

static inline void assert_ipc_removed(const char *dir, const char *name)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/run/%s", dir, name);
	ck_assert_int_eq(stat(path, &st), -1);
	ck_assert_int_eq(errno, ENOENT);
}

/* A port the kernel just handed out, so concurrent test runs on this
 * machine do not collide. */
static inline int free_tcp_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd);
	return ntohs(sa.sin_port);
}

#endif
