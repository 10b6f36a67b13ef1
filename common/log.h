/* Charon-style logging: one line per message on stderr, tagged with the
 * subsystem ("[IKE] ...", "[CFG] ..."); journald adds the timestamp.
 * Levels per subsystem run from -1 (silent) to 4 (raw data), as in
 * strongSwan's charondebug; a message is printed when its level is
 * at most the subsystem's level (default 1). */
#ifndef CYGNET_LOG_H
#define CYGNET_LOG_H

#include <stdarg.h>
#include <stdbool.h>

enum log_subsys {
	LOG_DMN,	/* daemon lifecycle */
	LOG_MGR,	/* IKE_SA manager */
	LOG_IKE,	/* IKE_SA / IKEv2 exchanges */
	LOG_CHD,	/* CHILD_SA */
	LOG_JOB,	/* job processing */
	LOG_CFG,	/* configuration and credentials */
	LOG_KNL,	/* kernel interface */
	LOG_NET,	/* sockets, packets */
	LOG_ASN,	/* ASN.1 / certificates */
	LOG_ENC,	/* message encoding */
	LOG_TLS,	/* TLS stacks (EAP-TLS) */
	LOG_LIB,	/* library / RPC plumbing */
	LOG_APP,	/* pool, ctl and other applications */
	LOG_SUBSYS_COUNT
};

#define LOG_LEVEL_SILENT (-1)
#define LOG_LEVEL_DEFAULT 1
#define LOG_LEVEL_MAX 4

/* Three-letter tag ("IKE") of a subsystem; lookup by tag for config. */
const char *log_subsys_name(enum log_subsys subsys);
int log_subsys_by_name(const char *name);	/* -1 if unknown */

void log_set_level(enum log_subsys subsys, int level);
void log_set_all_levels(int level);
int log_get_level(enum log_subsys subsys);
bool log_enabled(enum log_subsys subsys, int level);

/* Prefix every line with the service name (useful when several services
 * share one terminal, as in make run).  NULL for none. */
void log_set_ident(const char *ident);

/* Where finished lines go instead of stderr (tests capture them this
 * way).  line has no trailing newline; calls are serialized.  NULL
 * restores stderr. */
typedef void (*log_sink_fn)(void *arg, enum log_subsys subsys, int level,
			    const char *line);
void log_set_sink(log_sink_fn sink, void *arg);

void log_msg(enum log_subsys subsys, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void log_vmsg(enum log_subsys subsys, int level, const char *fmt, va_list ap);

#define DBG0(sub, ...) log_msg(sub, 0, __VA_ARGS__)
#define DBG1(sub, ...) log_msg(sub, 1, __VA_ARGS__)
#define DBG2(sub, ...) log_msg(sub, 2, __VA_ARGS__)
#define DBG3(sub, ...) log_msg(sub, 3, __VA_ARGS__)
#define DBG4(sub, ...) log_msg(sub, 4, __VA_ARGS__)

#endif
