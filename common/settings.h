/* Where each service listens: its RPC and events endpoints, its status
 * address, worker count and TLS material, from cygnet { <svc> { } }.
 *
 *   cygnet {
 *     runtime_dir = /run/cygnet          # ipc sockets; created 0750
 *     pool {
 *       rpc = ipc:///run/cygnet/pool.rpc # or tcp://, tls+tcp://
 *       events = ipc:///run/cygnet/pool.events
 *       status = 127.0.0.1:9103          # HTTP /status and /metrics
 *       workers = 4
 *       tls { ca = ..  cert = ..  key = .. }   # for tls+tcp://;
 *                                        # falls back to cygnet.tls
 *       loglevel { default = 1  cfg = 2 }      # -1..4 per subsystem
 *     }
 *   }
 *
 * runtime_dir may also be set per service; the default endpoints are
 * ipc://<runtime_dir>/<svc>.rpc and .events.
 *
 * A client may dial several servers of one service: rpc = tcp://a:9202,
 * tcp://b:9202 (the service's replicas; nng's REQ socket spreads the
 * calls over the connections).  A server listens on one URL.
 */
#ifndef CYGNET_SETTINGS_H
#define CYGNET_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"

#define SETTINGS_URL_MAX 256

/* Mutual TLS for tls+tcp:// endpoints: our cert/key and the CA that
 * signs the other services' certificates. */
struct rpc_tls {
	char ca_file[SETTINGS_URL_MAX];
	char cert_file[SETTINGS_URL_MAX];
	char key_file[SETTINGS_URL_MAX];
};

struct service_settings {
	char name[16];			/* "ike", "authority", "pool", "kernel" */
	char rpc_url[SETTINGS_URL_MAX];
	char events_url[SETTINGS_URL_MAX];
	char status_addr[64];		/* host:port */
	char runtime_dir[SETTINGS_URL_MAX];
	int workers;
	struct rpc_tls tls;
};

/* The next URL of a list ("tcp://a:1, tcp://b:2", comma or blank
 * separated) into out, advancing *cursor; false at the end of the list
 * or for a URL of size or more characters (then *cursor is at it). */
bool settings_url_next(const char **cursor, char *out, size_t size);

/* Default status ports: 9101 ike, 9102 authority, 9103 pool, 9104 kernel. */
int settings_default_status_port(const char *service);

/* Fills out with the defaults overridden by the config (conf may be NULL).
 * Returns 0, or -1 with a message in err for a bad value. */
int settings_load(const struct conf *conf, const char *service,
		  struct service_settings *out, char *err, size_t errlen);

/* Applies cygnet.<service>.loglevel { } to the log module: every
 * subsystem back to the default first, then "default", then each
 * subsystem named.  Bad values are logged and skipped. */
void settings_apply_log_levels(const struct conf *conf, const char *service);

/* Warns about unknown keys in cygnet.<service> { }: schema is the
 * service's own (splicing in conf_schema_service, see conf.h) or NULL
 * for the common keys only.  Returns how many. */
int settings_warn_unknown(const struct conf *conf, const char *service,
			  const struct conf_schema *schema);

#endif
