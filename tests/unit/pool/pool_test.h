/* Shared by the pool tests: captured log lines, a scratch directory for
 * lease stores, pools from a config string. */
#ifndef POOL_TEST_H
#define POOL_TEST_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "pool/leases.h"
#include "pool/pool_conf.h"

struct pool_log {
	char text[16384];
};

static inline void pool_log_sink(void *arg, enum log_subsys subsys,
				 int level, const char *line)
{
	struct pool_log *log = arg;
	size_t used = strlen(log->text);

	(void)subsys;
	(void)level;
	if (used < sizeof(log->text))
		snprintf(log->text + used, sizeof(log->text) - used, "%s\n",
			 line);
}

static inline void pool_log_start(struct pool_log *log)
{
	memset(log, 0, sizeof(*log));
	log_set_sink(pool_log_sink, log);
}

static inline void pool_log_stop(void)
{
	log_set_sink(NULL, NULL);
}

/* A fresh directory under /tmp for one test's store. */
static inline void pool_scratch(char *dir, size_t size)
{
	snprintf(dir, size, "/tmp/cygnet-pool-test-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static inline void pool_scratch_remove(const char *dir)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Parses "pools { ... }" text; returns 0 or -1 with err filled. */
static inline int pool_defs_from(const char *text, struct pool_defs *defs,
				 char *err, size_t errlen)
{
	struct conf_error cerr;
	struct conf *conf = conf_load_string(text, "test.conf", &cerr);
	int rc;

	if (!conf) {
		snprintf(err, errlen, "%s", cerr.text);
		return -1;
	}
	rc = pool_conf_parse(conf_section_find(conf_root(conf), "pools"), defs,
			     err, errlen);
	conf_free(conf);
	return rc;
}

static inline struct ipaddr pool_ip(const char *text)
{
	struct ipaddr addr;

	ck_assert_msg(ipaddr_parse(text, &addr), "bad address %s", text);
	return addr;
}

#endif
