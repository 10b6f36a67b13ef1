/* Charon-style log lines: "[IKE] message", optionally "ident: [IKE] ...".
 * Each line is formatted completely and handed over in one write() so
 * that lines from several threads never interleave. */
#include "log.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define LOG_IDENT_MAX 32
#define LOG_LINE_STACK 1024

static const char *const subsys_names[LOG_SUBSYS_COUNT] = {
	[LOG_DMN] = "DMN", [LOG_MGR] = "MGR", [LOG_IKE] = "IKE",
	[LOG_CHD] = "CHD", [LOG_JOB] = "JOB", [LOG_CFG] = "CFG",
	[LOG_KNL] = "KNL", [LOG_NET] = "NET", [LOG_ASN] = "ASN",
	[LOG_ENC] = "ENC", [LOG_TLS] = "TLS", [LOG_LIB] = "LIB",
	[LOG_APP] = "APP",
};

static atomic_int levels[LOG_SUBSYS_COUNT] = {
	[LOG_DMN] = LOG_LEVEL_DEFAULT, [LOG_MGR] = LOG_LEVEL_DEFAULT,
	[LOG_IKE] = LOG_LEVEL_DEFAULT, [LOG_CHD] = LOG_LEVEL_DEFAULT,
	[LOG_JOB] = LOG_LEVEL_DEFAULT, [LOG_CFG] = LOG_LEVEL_DEFAULT,
	[LOG_KNL] = LOG_LEVEL_DEFAULT, [LOG_NET] = LOG_LEVEL_DEFAULT,
	[LOG_ASN] = LOG_LEVEL_DEFAULT, [LOG_ENC] = LOG_LEVEL_DEFAULT,
	[LOG_TLS] = LOG_LEVEL_DEFAULT, [LOG_LIB] = LOG_LEVEL_DEFAULT,
	[LOG_APP] = LOG_LEVEL_DEFAULT,
};

/* ident and sink change rarely; the lock also serializes sink calls. */
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char log_ident[LOG_IDENT_MAX];
static log_sink_fn log_sink;
static void *log_sink_arg;

const char *log_subsys_name(enum log_subsys subsys)
{
	if ((int)subsys < 0 || subsys >= LOG_SUBSYS_COUNT)
		return "???";
	return subsys_names[subsys];
}

int log_subsys_by_name(const char *name)
{
	for (int i = 0; i < LOG_SUBSYS_COUNT; i++) {
		if (strcasecmp(name, subsys_names[i]) == 0)
			return i;
	}
	return -1;
}

static int clamp_level(int level)
{
	if (level < LOG_LEVEL_SILENT)
		return LOG_LEVEL_SILENT;
	if (level > LOG_LEVEL_MAX)
		return LOG_LEVEL_MAX;
	return level;
}

void log_set_level(enum log_subsys subsys, int level)
{
	if ((int)subsys < 0 || subsys >= LOG_SUBSYS_COUNT)
		return;
	atomic_store(&levels[subsys], clamp_level(level));
}

void log_set_all_levels(int level)
{
	for (int i = 0; i < LOG_SUBSYS_COUNT; i++)
		log_set_level(i, level);
}

int log_get_level(enum log_subsys subsys)
{
	if ((int)subsys < 0 || subsys >= LOG_SUBSYS_COUNT)
		return LOG_LEVEL_SILENT;
	return atomic_load(&levels[subsys]);
}

bool log_enabled(enum log_subsys subsys, int level)
{
	return level <= log_get_level(subsys);
}

void log_set_ident(const char *ident)
{
	pthread_mutex_lock(&log_lock);
	snprintf(log_ident, sizeof(log_ident), "%s", ident ? ident : "");
	pthread_mutex_unlock(&log_lock);
}

void log_set_sink(log_sink_fn sink, void *arg)
{
	pthread_mutex_lock(&log_lock);
	log_sink = sink;
	log_sink_arg = arg;
	pthread_mutex_unlock(&log_lock);
}

static void write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

/* Called with log_lock held: ident is stable while we format. */
static void emit(enum log_subsys subsys, int level, const char *fmt,
		 va_list ap)
{
	char stack[LOG_LINE_STACK];
	char *line = stack;
	char prefix[LOG_IDENT_MAX + 16];
	int plen, mlen;
	va_list copy;

	if (log_ident[0])
		plen = snprintf(prefix, sizeof(prefix), "%s: [%s] ", log_ident,
				log_subsys_name(subsys));
	else
		plen = snprintf(prefix, sizeof(prefix), "[%s] ",
				log_subsys_name(subsys));

	va_copy(copy, ap);
	mlen = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (mlen < 0)
		return;
	/* prefix + message + '\n' + NUL */
	size_t need = (size_t)plen + (size_t)mlen + 2;
	if (need > sizeof(stack)) {
		line = malloc(need);
		if (!line)
			return;
	}
	memcpy(line, prefix, (size_t)plen);
	vsnprintf(line + plen, (size_t)mlen + 1, fmt, ap);

	if (log_sink) {
		log_sink(log_sink_arg, subsys, level, line);
	} else {
		line[plen + mlen] = '\n';
		write_all(STDERR_FILENO, line, need - 1);
	}
	if (line != stack)
		free(line);
}

void log_vmsg(enum log_subsys subsys, int level, const char *fmt, va_list ap)
{
	if (!log_enabled(subsys, level))
		return;
	pthread_mutex_lock(&log_lock);
	emit(subsys, level, fmt, ap);
	pthread_mutex_unlock(&log_lock);
}

void log_msg(enum log_subsys subsys, int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(subsys, level, fmt, ap);
	va_end(ap);
}
