/* Reaching the services: endpoints from the config, one client per
 * service, and calls to all four at once. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "types.pb-c.h"

const char *const ctl_services[CTL_N_SERVICES] = {
	"ike", "authority", "pool", "kernel",
};

static struct rpc_client *open_client(struct ctl *ctl, const char *service,
				      char *err, size_t errlen)
{
	struct service_settings s;
	const struct rpc_tls *tls;

	if (settings_load(ctl->conf, service, &s, err, errlen) != 0)
		return NULL;
	tls = strncmp(s.rpc_url, "tls+", 4) == 0 ? &s.tls : NULL;
	return rpc_client_open(s.rpc_url, tls, err, errlen);
}

struct rpc_client *ctl_connect(struct ctl *ctl, const char *service)
{
	char err[256];
	struct rpc_client *client = open_client(ctl, service, err,
						sizeof(err));

	if (!client)
		fprintf(stderr, "cygnetctl: %s: %s\n", service, err);
	return client;
}

struct fanout {
	pthread_mutex_t lock;
	pthread_cond_t done;
	int pending;
};

struct fanout_slot {
	struct fanout *fanout;
	struct rpc_result *result;
};

static void call_done(void *arg, struct rpc_result *result)
{
	struct fanout_slot *slot = arg;
	struct fanout *f = slot->fanout;

	*slot->result = *result;
	pthread_mutex_lock(&f->lock);
	f->pending--;
	pthread_cond_signal(&f->done);
	pthread_mutex_unlock(&f->lock);
}

static void unavailable(struct rpc_result *result, const char *why)
{
	result->status = CYGNET__RPC_STATUS__RPC_UNAVAILABLE;
	result->reply = NULL;
	snprintf(result->error, sizeof(result->error), "%s", why);
}

void ctl_call_all(struct ctl *ctl, uint32_t method,
		  const ProtobufCMessage *request,
		  const ProtobufCMessageDescriptor *reply_type,
		  struct rpc_result results[CTL_N_SERVICES])
{
	struct rpc_client *clients[CTL_N_SERVICES] = { 0 };
	struct fanout_slot slots[CTL_N_SERVICES];
	struct fanout f = { .pending = 0 };
	char err[256];
	int i;

	pthread_mutex_init(&f.lock, NULL);
	pthread_cond_init(&f.done, NULL);
	for (i = 0; i < CTL_N_SERVICES; i++) {
		slots[i] = (struct fanout_slot){ &f, &results[i] };
		clients[i] = open_client(ctl, ctl_services[i], err,
					 sizeof(err));
		if (!clients[i]) {
			unavailable(&results[i], err);
			continue;
		}
		pthread_mutex_lock(&f.lock);
		f.pending++;
		pthread_mutex_unlock(&f.lock);
		if (rpc_call_async(clients[i], method, request, reply_type,
				   ctl->timeout_ms, call_done,
				   &slots[i]) != 0) {
			pthread_mutex_lock(&f.lock);
			f.pending--;
			pthread_mutex_unlock(&f.lock);
			unavailable(&results[i], "the call could not be started");
		}
	}
	pthread_mutex_lock(&f.lock);
	while (f.pending > 0)
		pthread_cond_wait(&f.done, &f.lock);
	pthread_mutex_unlock(&f.lock);
	for (i = 0; i < CTL_N_SERVICES; i++)
		rpc_client_close(clients[i]);
	pthread_cond_destroy(&f.done);
	pthread_mutex_destroy(&f.lock);
}

int ctl_each_service(struct ctl *ctl, uint32_t method,
		     const ProtobufCMessageDescriptor *reply_type,
		     ctl_result_fn print)
{
	Cygnet__Empty empty = CYGNET__EMPTY__INIT;
	struct rpc_result results[CTL_N_SERVICES];
	int failed = 0;
	int i;

	ctl_call_all(ctl, method, &empty.base, reply_type, results);
	for (i = 0; i < CTL_N_SERVICES; i++) {
		if (!print(ctl->out, ctl_services[i], &results[i]))
			failed++;
		if (results[i].reply)
			protobuf_c_message_free_unpacked(results[i].reply,
							 NULL);
	}
	return failed ? 1 : 0;
}
