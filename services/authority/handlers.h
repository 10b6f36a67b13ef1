/* RPC handlers, one file per concern; methods.c lists them. */
#ifndef AUTHORITY_HANDLERS_H
#define AUTHORITY_HANDLERS_H

#include "authority/authority.h"

/* rpc_trust.c */
void handle_sign(void *ctx, const ProtobufCMessage *request, struct rpc_reply *reply);
void handle_verify_cert(void *ctx, const ProtobufCMessage *request,
			struct rpc_reply *reply);
void handle_verify_auth(void *ctx, const ProtobufCMessage *request,
			struct rpc_reply *reply);

/* rpc_eap.c */
void handle_eap_start(void *ctx, const ProtobufCMessage *request,
		      struct rpc_reply *reply);
void handle_eap_process(void *ctx, const ProtobufCMessage *request,
			struct rpc_reply *reply);
void handle_eap_abort(void *ctx, const ProtobufCMessage *request,
		      struct rpc_reply *reply);

/* methods.c: the current store, or an error reply and NULL. */
struct cred_store *acquire_store(struct authority *a, struct rpc_reply *reply);

#endif
