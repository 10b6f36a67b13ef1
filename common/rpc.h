/* Calls between services: nng REQ/REP carrying protobuf-c messages in a
 * Cygnet__RpcRequest / Cygnet__RpcReply envelope (proto/rpc.proto).
 *
 * Server: a fixed pool of workers, each an nng context with its own aio,
 * so many requests are served at once.  Unknown methods and undecodable
 * envelopes or bodies are answered with an error reply and logged.
 *
 * Client: one nng REQ socket, one context per call, so several calls can
 * be in flight; every call has a timeout.  Dialling is non-blocking with
 * back-off reconnects, so a client can be opened before its server runs
 * and survives the server's restarts. */
#ifndef CYGNET_RPC_H
#define CYGNET_RPC_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdint.h>

#include "settings.h"
#include "rpc.pb-c.h"

struct rpc_server;
struct rpc_client;
struct rpc_reply;

/* A method handler runs on a server worker thread (the server's own, not
 * one of nng's), so it may block on a database or on a call to another
 * service; the worker count bounds how many run at once.  It answers
 * with rpc_reply_message() (packs msg at once, so msg may live on the
 * stack) or rpc_reply_error(); returning without either is answered
 * RPC_FAILED. */
typedef void (*rpc_handler_fn)(void *ctx, const ProtobufCMessage *request,
			       struct rpc_reply *reply);

struct rpc_method {
	uint32_t id;
	const char *name;				/* for logs */
	const ProtobufCMessageDescriptor *request;	/* body type */
	rpc_handler_fn handle;
};

void rpc_reply_message(struct rpc_reply *reply, const ProtobufCMessage *msg);
void rpc_reply_error(struct rpc_reply *reply, Cygnet__RpcStatus status,
		     const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* url: ipc://, tcp://, tls+tcp:// (tls required then); a client takes a
 * list of them too (settings_url_next).  For ipc:// the
 * socket's directory is created 0750 and the socket made 0660.  methods
 * must outlive the server. */
struct rpc_server *rpc_server_start(const char *url, const struct rpc_tls *tls,
				    const struct rpc_method *methods,
				    size_t n_methods, void *ctx, int workers,
				    char *err, size_t errlen);
/* Stops accepting, waits for running handlers, closes, unlinks ipc path. */
void rpc_server_stop(struct rpc_server *server);

/* Counters for status pages. */
struct rpc_server_stats {
	uint64_t requests;
	uint64_t errors;	/* replies with status != RPC_OK */
	uint64_t bad_requests;	/* undecodable or unknown method */
};
void rpc_server_get_stats(struct rpc_server *server,
			  struct rpc_server_stats *out);

struct rpc_client *rpc_client_open(const char *url, const struct rpc_tls *tls,
				   char *err, size_t errlen);
/* Calls made through a client since it was opened: finished ones, those
 * that did not end RPC_OK, and the time from start to done, summed. */
struct rpc_client_stats {
	uint64_t calls;
	uint64_t errors;
	uint64_t latency_us;
};
void rpc_client_get_stats(struct rpc_client *client,
			  struct rpc_client_stats *out);

/* Cancels the calls still in flight and returns once their done has run
 * (with an error), so a done must not close its own client. */
void rpc_client_close(struct rpc_client *client);

/* fn runs on an nng thread each time the client connects to a server
 * (again: the server restarted), from the next connection on; it must
 * return quickly and not call the client.  fn NULL removes it; once
 * this returns the old fn does not run any more. */
void rpc_client_on_connect(struct rpc_client *client, void (*fn)(void *arg),
			   void *arg);

/* The outcome of a call: status RPC_OK with reply set (free it with
 * protobuf_c_message_free_unpacked(reply, NULL)), or another status with a
 * readable message in error ("pool service unavailable at ipc://...",
 * "timeout after 2000 ms calling pool.acquire"). */
struct rpc_result {
	Cygnet__RpcStatus status;
	ProtobufCMessage *reply;
	char error[256];
};

/* Blocking call. */
void rpc_call(struct rpc_client *client, uint32_t method,
	      const ProtobufCMessage *request,
	      const ProtobufCMessageDescriptor *reply_type, int timeout_ms,
	      struct rpc_result *result);

/* Asynchronous call: done runs on an nng thread once, with the result
 * (which done must consume: free result->reply when set).  Returns 0, or
 * -1 when the call could not be started (then done is not called). */
typedef void (*rpc_done_fn)(void *arg, struct rpc_result *result);
int rpc_call_async(struct rpc_client *client, uint32_t method,
		   const ProtobufCMessage *request,
		   const ProtobufCMessageDescriptor *reply_type, int timeout_ms,
		   rpc_done_fn done, void *arg);

const char *rpc_status_name(Cygnet__RpcStatus status);

#endif
