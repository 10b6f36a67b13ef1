/* The RPC methods every service serves (METHOD_STATUS, METHOD_RELOAD),
 * merged with the service's own into one table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon_internal.h"
#include "log.h"
#include "types.pb-c.h"

/* Handlers get the service's context (def->svc), which the service's own
 * methods need; the common ones reach the daemon through this pointer
 * instead (one daemon per process). */
static struct daemon *rpc_daemon;

static void handle_status(void *ctx, const ProtobufCMessage *request,
			  struct rpc_reply *reply)
{
	Cygnet__Status *status;

	(void)ctx;
	(void)request;
	status = status_build(rpc_daemon->def->name, daemon_fill_status,
			      rpc_daemon);
	if (!status) {
		rpc_reply_error(reply, CYGNET__RPC_STATUS__RPC_FAILED,
				"out of memory");
		return;
	}
	rpc_reply_message(reply, &status->base);
	status_free(status);
}

static void handle_reload(void *ctx, const ProtobufCMessage *request,
			  struct rpc_reply *reply)
{
	Cygnet__ReloadResult msg = CYGNET__RELOAD_RESULT__INIT;
	struct daemon_reload_result result;

	(void)ctx;
	(void)request;
	daemon_reload_wait(rpc_daemon, &result);
	msg.ok = result.ok;
	msg.message = result.message;
	rpc_reply_message(reply, &msg.base);
}

static const struct rpc_method common_methods[] = {
	{ CYGNET__COMMON_METHOD__METHOD_STATUS, "status",
	  &cygnet__empty__descriptor, handle_status },
	{ CYGNET__COMMON_METHOD__METHOD_RELOAD, "reload",
	  &cygnet__empty__descriptor, handle_reload },
};

#define N_COMMON (sizeof(common_methods) / sizeof(common_methods[0]))

static struct rpc_method *merge_methods(const struct service_def *def,
					size_t *count)
{
	struct rpc_method *all;

	*count = N_COMMON + def->n_methods;
	all = calloc(*count, sizeof(*all));
	if (!all)
		return NULL;
	memcpy(all, common_methods, sizeof(common_methods));
	if (def->n_methods)
		memcpy(all + N_COMMON, def->methods,
		       def->n_methods * sizeof(*all));
	return all;
}

const struct rpc_tls *daemon_endpoint_tls(const struct service_settings *s,
					  const char *url)
{
	return strncmp(url, "tls+", 4) == 0 ? &s->tls : NULL;
}

int daemon_rpc_start(struct daemon *d, char *err, size_t errlen)
{
	const struct service_settings *s = &d->settings;
	const struct rpc_tls *tls = daemon_endpoint_tls(s, s->rpc_url);

	d->methods = merge_methods(d->def, &d->n_methods);
	if (!d->methods) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rpc_daemon = d;
	d->rpc = rpc_server_start(s->rpc_url, tls, d->methods, d->n_methods,
				  d->def->svc, s->workers, err, errlen);
	if (!d->rpc)
		return -1;
	DBG1(LOG_DMN, "rpc listening on %s (%zu methods, %d workers)",
	     s->rpc_url, d->n_methods, s->workers);
	return 0;
}

void daemon_rpc_stop(struct daemon *d)
{
	if (d->rpc)
		rpc_server_stop(d->rpc);
	d->rpc = NULL;
	free(d->methods);
	d->methods = NULL;
}
