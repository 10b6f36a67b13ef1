/* The metrics every service reports, ahead of the service's own. */
#include "daemon_internal.h"

static unsigned long long uptime_seconds(const struct daemon *d)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (unsigned long long)(now.tv_sec - d->started.tv_sec);
}

void daemon_fill_status(void *ctx, struct status_builder *b)
{
	struct daemon *d = ctx;
	struct rpc_server_stats rpc = { 0 };
	unsigned long long uptime = uptime_seconds(d);
	bool stopping = atomic_load(&d->stopping);

	if (d->rpc)
		rpc_server_get_stats(d->rpc, &rpc);
	status_set_uptime(b, uptime);
	status_set_state(b, stopping ? "stopping" : "running");
	status_gauge(b, "uptime_seconds", "Seconds since the service started.",
		     (double)uptime, NULL, NULL);
	status_counter(b, "rpc_requests_total", "RPC requests served.",
		       (double)rpc.requests, NULL, NULL);
	status_counter(b, "rpc_errors_total",
		       "RPC replies with an error status.",
		       (double)rpc.errors, NULL, NULL);
	status_counter(b, "rpc_bad_requests_total",
		       "RPC requests that did not decode or named no method.",
		       (double)rpc.bad_requests, NULL, NULL);
	status_counter(b, "config_reloads_total", "Configuration reloads.",
		       (double)atomic_load(&d->reloads_ok), "result", "ok");
	status_counter(b, "config_reloads_total", "Configuration reloads.",
		       (double)atomic_load(&d->reloads_failed), "result",
		       "failed");
	/* A stopping service may already have freed what it reports on. */
	if (!stopping && d->def->fill_status)
		d->def->fill_status(d->def->svc, b);
}
