/* Request envelope in, method lookup, handler, reply envelope out.
 * Nothing a peer sends can do more than earn an RPC_BAD_REQUEST or
 * RPC_UNKNOWN_METHOD reply and a log line. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "rpc_dispatch.h"

static void set_error(struct rpc_reply *reply, Cygnet__RpcStatus status,
		      const char *fmt, va_list ap)
{
	free(reply->body);
	reply->body = NULL;
	reply->body_len = 0;
	reply->status = status;
	reply->answered = true;
	vsnprintf(reply->error, sizeof(reply->error), fmt, ap);
}

void rpc_reply_error(struct rpc_reply *reply, Cygnet__RpcStatus status,
		     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_error(reply, status, fmt, ap);
	va_end(ap);
}

void rpc_reply_message(struct rpc_reply *reply, const ProtobufCMessage *msg)
{
	size_t len = protobuf_c_message_get_packed_size(msg);
	uint8_t *body = malloc(len ? len : 1);

	if (body == NULL) {
		rpc_reply_error(reply, CYGNET__RPC_STATUS__RPC_FAILED,
				"out of memory packing %zu bytes", len);
		return;
	}
	protobuf_c_message_pack(msg, body);
	free(reply->body);
	reply->body = body;
	reply->body_len = len;
	reply->status = CYGNET__RPC_STATUS__RPC_OK;
	reply->error[0] = '\0';
	reply->answered = true;
}

static const struct rpc_method *find_method(const struct rpc_method *methods,
					    size_t n_methods, uint32_t id)
{
	for (size_t i = 0; i < n_methods; i++) {
		if (methods[i].id == id)
			return &methods[i];
	}
	return NULL;
}

static void run_method(const struct rpc_method *method, void *ctx,
		       const ProtobufCBinaryData *body, const char *peer,
		       struct rpc_reply *reply)
{
	ProtobufCMessage *request = NULL;

	if (method->request != NULL) {
		request = protobuf_c_message_unpack(method->request, NULL,
						    body->len, body->data);
		if (request == NULL) {
			DBG1(LOG_LIB, "rpc: undecodable %s request from %s",
			     method->name, peer);
			rpc_reply_error(reply, CYGNET__RPC_STATUS__RPC_BAD_REQUEST,
					"undecodable %s request", method->name);
			return;
		}
	}
	method->handle(ctx, request, reply);
	if (request != NULL)
		protobuf_c_message_free_unpacked(request, NULL);
	if (!reply->answered)
		rpc_reply_error(reply, CYGNET__RPC_STATUS__RPC_FAILED,
				"%s gave no answer", method->name);
}

void rpc_dispatch(const struct rpc_method *methods, size_t n_methods,
		  void *ctx, const uint8_t *data, size_t len, const char *peer,
		  struct rpc_reply *reply)
{
	Cygnet__RpcRequest *env;
	const struct rpc_method *method;

	env = cygnet__rpc_request__unpack(NULL, len, data);
	if (env == NULL) {
		DBG1(LOG_LIB, "rpc: undecodable request (%zu bytes) from %s",
		     len, peer);
		rpc_reply_error(reply, CYGNET__RPC_STATUS__RPC_BAD_REQUEST,
				"undecodable request envelope");
		return;
	}
	method = find_method(methods, n_methods, env->method);
	if (method == NULL) {
		DBG1(LOG_LIB, "rpc: unknown method %u from %s", env->method,
		     peer);
		rpc_reply_error(reply, CYGNET__RPC_STATUS__RPC_UNKNOWN_METHOD,
				"unknown method %u", env->method);
	} else {
		DBG3(LOG_LIB, "rpc: %s from %s", method->name, peer);
		run_method(method, ctx, &env->body, peer, reply);
	}
	cygnet__rpc_request__free_unpacked(env, NULL);
}

static void reply_envelope(const struct rpc_reply *reply, Cygnet__RpcReply *env)
{
	cygnet__rpc_reply__init(env);
	env->status = reply->status;
	env->error = (char *)reply->error;
	env->body.data = reply->body;
	env->body.len = reply->body_len;
}

size_t rpc_reply_packed_size(const struct rpc_reply *reply)
{
	Cygnet__RpcReply env;

	reply_envelope(reply, &env);
	return cygnet__rpc_reply__get_packed_size(&env);
}

void rpc_reply_pack(const struct rpc_reply *reply, uint8_t *out)
{
	Cygnet__RpcReply env;

	reply_envelope(reply, &env);
	cygnet__rpc_reply__pack(&env, out);
}

void rpc_reply_clear(struct rpc_reply *reply)
{
	free(reply->body);
	memset(reply, 0, sizeof(*reply));
}

const char *rpc_status_name(Cygnet__RpcStatus status)
{
	const ProtobufCEnumValue *value;

	value = protobuf_c_enum_descriptor_get_value(
		&cygnet__rpc_status__descriptor, status);
	return value != NULL ? value->name : "RPC_STATUS_UNKNOWN";
}
