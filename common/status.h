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
/* name without the cygnet_ prefix; label_name NULL for no label. */
void status_counter(struct status_builder *b, const char *name,
		    const char *help, double value, const char *label_name,
		    const char *label_value);
void status_gauge(struct status_builder *b, const char *name,
		  const char *help, double value, const char *label_name,
		  const char *label_value);

/* Builds a Status (service, version, pid, uptime, state, metrics); free
 * with status_free. */
Cygnet__Status *status_build(const char *service, status_fill_fn fill,
			     void *ctx);
void status_free(Cygnet__Status *status);

/* Renderings; the returned strings are malloc'd. */
char *status_to_json(const Cygnet__Status *status);
char *status_to_prometheus(const Cygnet__Status *status);

/* HTTP server on "host:port" serving /status and /metrics. */
struct status_http *status_http_start(const char *addr, const char *service,
				      status_fill_fn fill, void *ctx,
				      char *err, size_t errlen);
void status_http_stop(struct status_http *http);

#endif
