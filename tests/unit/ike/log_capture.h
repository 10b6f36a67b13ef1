/* The log lines a test produced, kept in a buffer for checks on
 * charon's wording. */
#ifndef CYGNET_TEST_LOG_CAPTURE_H
#define CYGNET_TEST_LOG_CAPTURE_H

#include <check.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

static char logbuf[65536];
static size_t loglen;

static inline void log_capture_line(void *arg, enum log_subsys subsys,
				    int level, const char *line)
{
	(void)arg;
	(void)subsys;
	(void)level;
	loglen += (size_t)snprintf(logbuf + loglen, sizeof(logbuf) - loglen,
				   "%s\n", line);
	if (loglen >= sizeof(logbuf))
		loglen = sizeof(logbuf) - 1;
}

static inline void log_capture_start(void)
{
	loglen = 0;
	logbuf[0] = '\0';
	log_set_sink(log_capture_line, NULL);
}

static inline void log_capture_stop(void)
{
	log_set_sink(NULL, NULL);
}

static inline void assert_logged(const char *text)
{
	ck_assert_msg(strstr(logbuf, text) != NULL, "not logged: %s\n--\n%s",
		      text, logbuf);
}

#endif
