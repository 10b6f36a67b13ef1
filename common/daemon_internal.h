/* What the daemon_*.c files share: the state of the running service
 * process.  Services see it only through daemon.h. */
#ifndef CYGNET_DAEMON_INTERNAL_H
#define CYGNET_DAEMON_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "daemon.h"

struct daemon_reload_result {
	bool ok;
	char message[512];
};

struct daemon {
	const struct service_def *def;
	const char *config_path;
	struct conf *conf;
	struct service_settings settings;
	struct timespec started;	/* CLOCK_MONOTONIC */

	struct rpc_method *methods;	/* common + def->methods */
	size_t n_methods;
	struct rpc_server *rpc;
	struct events_pub *events;
	struct status_http *http;

	int signal_fd;
	int wake_pipe[2];	/* [1]: RPC threads ask the main loop */
	atomic_bool stopping;
	atomic_uint_fast64_t reloads_ok;
	atomic_uint_fast64_t reloads_failed;

	/* RPC reloads run on the main loop, like SIGHUP, so that configure()
	 * is never called from two threads at once; the handler waits for
	 * the reload that starts after its request. */
	pthread_mutex_t lock;
	pthread_cond_t reloaded;
	uint64_t reload_requested;
	uint64_t reload_done;
	struct daemon_reload_result last_reload;
};

enum daemon_wake {
	DAEMON_WAKE_RELOAD = 'r',
	DAEMON_WAKE_STOP = 's',
};

/* daemon_args.c: 0 to run, 1 to exit 0 (--help, --version), -1 to exit 1. */
int daemon_parse_args(int argc, char **argv, const struct service_def *def,
		      const char **config_path);

/* daemon_signals.c: blocks SIGHUP/SIGINT/SIGTERM (before any thread
 * starts, so every thread inherits the mask) and returns a signalfd. */
int daemon_signals_open(void);
/* The signal read from the fd, 0 when none was pending. */
int daemon_signals_read(int fd);

/* daemon_reload.c: re-reads the config file; on any failure keeps the
 * old config and says why in result. */
void daemon_reload(struct daemon *d, struct daemon_reload_result *result);
/* Serves reload requests that RPC handlers queued. */
void daemon_reload_pending(struct daemon *d);
/* Wakes RPC handlers waiting for a reload (at shutdown). */
void daemon_reload_cancel(struct daemon *d);
/* Called on an RPC thread: queues a reload and waits for its result. */
void daemon_reload_wait(struct daemon *d, struct daemon_reload_result *result);

/* daemon_rpc.c: the common methods plus the service's. */
int daemon_rpc_start(struct daemon *d, char *err, size_t errlen);
void daemon_rpc_stop(struct daemon *d);
/* The TLS material for a tls+tcp:// url, NULL for the others. */
const struct rpc_tls *daemon_endpoint_tls(const struct service_settings *s,
					  const char *url);

/* daemon_status.c: the common metrics, then the service's own. */
void daemon_fill_status(void *ctx, struct status_builder *b);

/* daemon_loop.c: runs until SIGTERM/SIGINT or daemon_request_stop. */
void daemon_loop(struct daemon *d);
void daemon_wake(struct daemon *d, enum daemon_wake what);

#endif
