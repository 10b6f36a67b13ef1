/* The life of a Cygnet service process, shared by all four daemons:
 * arguments (--config FILE, --help, --version), config load, log levels,
 * RPC server with the common methods (status, reload), events publisher,
 * status HTTP endpoint, sd_notify(READY=1) and the watchdog, SIGHUP
 * reload, clean shutdown on SIGTERM/SIGINT. */
#ifndef CYGNET_DAEMON_H
#define CYGNET_DAEMON_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"
#include "events.h"
#include "rpc.h"
#include "settings.h"
#include "status.h"

#define CYGNET_DEFAULT_CONFIG "/etc/cygnet/cygnet.conf"

struct daemon;

struct service_def {
	const char *name;	/* "pool": config section and endpoint names */
	const char *binary;	/* "cygnet-pool" */
	const char *summary;	/* one line for --help */
	void *svc;		/* the service's own state, passed back */

	/* Reads the service's part of the config.  At start a failure
	 * exits non-zero; on reload it keeps the old config (the service
	 * must only swap in the new one when it fully succeeds). */
	int (*configure)(void *svc, const struct conf *conf, bool reload,
			 char *err, size_t errlen);
	/* After configure, before READY=1: open sockets, clients, stores. */
	int (*start)(void *svc, struct daemon *d, char *err, size_t errlen);
	/* On SIGTERM/SIGINT, before the RPC server stops; only called
	 * when start succeeded (a failing start undoes its own work). */
	void (*stop)(void *svc);
	status_fill_fn fill_status;

	/* Service-specific methods (ids >= 16); their handlers get svc as
	 * ctx.  METHOD_STATUS and METHOD_RELOAD are added by the daemon. */
	const struct rpc_method *methods;
	size_t n_methods;
};

int daemon_main(int argc, char **argv, const struct service_def *def);

/* For the service during start/run.  daemon_conf is the config last
 * loaded successfully; it is freed on the next successful reload, so
 * configure() must copy what it keeps. */
const struct service_settings *daemon_settings(const struct daemon *d);
const struct conf *daemon_conf(const struct daemon *d);
struct events_pub *daemon_events(struct daemon *d);
/* Ask the main loop to exit (e.g. fatal error on a worker thread). */
void daemon_request_stop(struct daemon *d);

#endif
