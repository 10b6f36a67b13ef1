/* The server's request path without sockets: arbitrary bytes as a request
 * envelope -> method lookup -> body decode -> handler -> reply envelope.
 * Every input must end in a reply that decodes, never a crash or leak. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "log.h"
#include "rpc_dispatch.h"
#include "types.pb-c.h"

static void echo_identity(void *ctx, const ProtobufCMessage *request,
			  struct rpc_reply *reply)
{
	(void)ctx;
	rpc_reply_message(reply, request);
}

static void count_metrics(void *ctx, const ProtobufCMessage *request,
			  struct rpc_reply *reply)
{
	const Cygnet__Status *status = (const Cygnet__Status *)request;
	Cygnet__ReloadResult out = CYGNET__RELOAD_RESULT__INIT;

	(void)ctx;
	if (status->n_metrics == 0) {
		rpc_reply_error(reply, CYGNET__RPC_STATUS__RPC_FAILED,
				"no metrics from %s", status->service);
		return;
	}
	out.ok = 1;
	out.message = status->metrics[0]->name;
	rpc_reply_message(reply, &out.base);
}

static void no_answer(void *ctx, const ProtobufCMessage *request,
		      struct rpc_reply *reply)
{
	(void)ctx;
	(void)request;
	(void)reply;
}

static const struct rpc_method methods[] = {
	{ 1, "fuzz.status", &cygnet__status__descriptor, count_metrics },
	{ 16, "fuzz.identity", &cygnet__identity__descriptor, echo_identity },
	{ 17, "fuzz.proposal", &cygnet__proposal__descriptor, echo_identity },
	{ 18, "fuzz.silent", &cygnet__empty__descriptor, no_answer },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rpc_reply reply = { 0 };
	Cygnet__RpcReply *env;
	uint8_t *packed;
	size_t len;

	log_set_all_levels(LOG_LEVEL_SILENT);
	rpc_dispatch(methods, sizeof(methods) / sizeof(methods[0]), NULL,
		     data, size, "fuzzer", &reply);
	if (!reply.answered)
		abort();

	len = rpc_reply_packed_size(&reply);
	packed = malloc(len ? len : 1);
	if (packed == NULL)
		abort();
	rpc_reply_pack(&reply, packed);
	env = cygnet__rpc_reply__unpack(NULL, len, packed);
	if (env == NULL || env->status != reply.status)
		abort();
	cygnet__rpc_reply__free_unpacked(env, NULL);
	free(packed);
	rpc_reply_clear(&reply);
	return 0;
}
