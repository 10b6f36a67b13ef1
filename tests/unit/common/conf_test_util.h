/* Shared by the conf, log and settings tests: capturing log lines and
 * writing config files into a scratch directory. */
#ifndef CYGNET_CONF_TEST_UTIL_H
#define CYGNET_CONF_TEST_UTIL_H

#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

struct captured {
	char text[8192];
	int lines;
};

static inline void capture_sink(void *arg, enum log_subsys subsys, int level,
			 const char *line)
{
	struct captured *cap = arg;
	size_t used = strlen(cap->text);

	(void)subsys;
	(void)level;
	snprintf(cap->text + used, sizeof(cap->text) - used, "%s\n", line);
	cap->lines++;
}

static inline void capture_start(struct captured *cap)
{
	memset(cap, 0, sizeof(*cap));
	log_set_sink(capture_sink, cap);
}

/* A checked fixture: each test starts with the default log state, also
 * when CK_FORK=no runs them all in one process. */
static inline void log_reset(void)
{
	log_set_all_levels(LOG_LEVEL_DEFAULT);
	log_set_ident(NULL);
	log_set_sink(NULL, NULL);
}

static inline void capture_stop(void)
{
	log_set_sink(NULL, NULL);
}

/* The scratch directory of this test (each test runs in its own
 * process under CK_FORK). */
static inline char *scratch_dir(void)
{
	static char dir[64];

	return dir;
}
#define scratch (scratch_dir())

static inline void scratch_create(void)
{
	snprintf(scratch, 64, "/tmp/cygnet-conf-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(scratch));
}

static inline int remove_entry(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static inline void scratch_remove(void)
{
	nftw(scratch, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Writes scratch/name (creating one level of directory if needed) and
 * returns the full path in a static buffer. */
static inline const char *scratch_write(const char *name, const char *text)
{
	static char path[256];
	char dir[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", scratch, name);
	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	mkdir(dir, 0700);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return path;
}

#endif
