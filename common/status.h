/* A service's status: built on demand from the service's own counters,
 * served as JSON on GET /status, as Prometheus text on GET /metrics
 * (names prefixed cygnet_) by nng's HTTP server, and as METHOD_STATUS. */
#ifndef CYGNET_STATUS_H
#define CYGNET_STATUS_H

#include <stddef.h>

#include "types.pb-c.h"

struct status_builder;
struct status_http;

/* Called whenever a status is requested; adds the service's metrics. */
typedef void (*status_fill_fn)(void *ctx, struct status_builder *b);

void status_set_state(struct status_builder *b, const char *state);
/* Seconds since the service started (the daemon sets it). */
void status_set_uptime(struct status_builder *b, unsigned long long seconds);
/* name without the cygnet_ prefix; label_name NULL for no label. */
void status_counter(struct status_builder *b, const char *name,
		    const char *help, double value, const char *label_name,
		    const char *label_value);
void status_gauge(struct status_builder *b, const char *name,
		  const char *help, double value, const char *label_name,
		  const char *label_value);

/* Builds a Status (service, version, pid, uptime, state, metrics); free
 * with status_free.  NULL when memory runs out. */
Cygnet__Status *status_build(const char *service, status_fill_fn fill,
			     void *ctx);
void status_free(Cygnet__Status *status);

/* Renderings; the returned strings are malloc'd (NULL when memory runs
 * out).  JSON: {"service", "version", "pid", "uptime" (seconds), "state",
 * "metrics": [{"name", "type", "help", "value", "labels": {..}}]}.
 * Prometheus: text exposition format 0.0.4, one HELP/TYPE pair per name,
 * names prefixed cygnet_, characters outside [a-zA-Z0-9_:] replaced. */
char *status_to_json(const Cygnet__Status *status);
char *status_to_prometheus(const Cygnet__Status *status);

#define STATUS_PROMETHEUS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* HTTP server on "host:port" serving /status and /metrics.  fill runs on
 * nng's HTTP threads, concurrently with everything else. */
struct status_http *status_http_start(const char *addr, const char *service,
				      status_fill_fn fill, void *ctx,
				      char *err, size_t errlen);
void status_http_stop(struct status_http *http);

#endif
