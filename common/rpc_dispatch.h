/* Internal: the socket-free half of an RPC server.  One request envelope
 * in, one reply envelope out; the server workers and the fuzz target
 * both drive it. */
#ifndef CYGNET_RPC_DISPATCH_H
#define CYGNET_RPC_DISPATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rpc.h"

struct rpc_reply {
	Cygnet__RpcStatus status;
	bool answered;
	char error[256];
	uint8_t *body;		/* packed reply message, malloc'd */
	size_t body_len;
};

/* Decodes the envelope in data, runs the method it names and leaves the
 * answer in reply (which starts empty).  peer names the sender in logs. */
void rpc_dispatch(const struct rpc_method *methods, size_t n_methods,
		  void *ctx, const uint8_t *data, size_t len, const char *peer,
		  struct rpc_reply *reply);

size_t rpc_reply_packed_size(const struct rpc_reply *reply);
void rpc_reply_pack(const struct rpc_reply *reply, uint8_t *out);
void rpc_reply_clear(struct rpc_reply *reply);

#endif
