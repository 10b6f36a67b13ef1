/* Shared by the rpc and events tests: a temp dir per test whose run/
 * subdirectory the code under test must create, and the permission
 * checks every ipc:// endpoint must pass. */
#ifndef CYGNET_IPC_TEST_UTIL_H
#define CYGNET_IPC_TEST_UTIL_H

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

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

#endif
