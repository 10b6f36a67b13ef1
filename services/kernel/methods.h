/* The RPC methods of kernel.proto (internal to the kernel service). */
#ifndef CYGNET_KERNEL_METHODS_H
#define CYGNET_KERNEL_METHODS_H

#include <stdbool.h>

#include "kernel.pb-c.h"
#include "kernel/service.h"
#include "rpc.h"

#define BAD_REQUEST CYGNET__RPC_STATUS__RPC_BAD_REQUEST
#define FAILED CYGNET__RPC_STATUS__RPC_FAILED

/* Answers and returns false when the service has no netlink access. */
bool methods_available(struct kernel_service *svc, struct rpc_reply *reply);
void methods_reply_empty(struct rpc_reply *reply);
/* Wipes the keys of an unpacked request once they are copied. */
void methods_wipe_keys(const Cygnet__SaConfig *in);
/* Expands a PolicyConfig; NULL (answered) on a bad request. */
struct knl_policy *methods_expand_policies(struct kernel_service *svc,
					   const Cygnet__PolicyConfig *in,
					   size_t *n, struct rpc_reply *reply);

void methods_alloc_spi(void *ctx, const ProtobufCMessage *msg,
		       struct rpc_reply *reply);
void methods_free_spi(void *ctx, const ProtobufCMessage *msg,
		      struct rpc_reply *reply);
void methods_add_sa(void *ctx, const ProtobufCMessage *msg,
		    struct rpc_reply *reply);
void methods_update_sa(void *ctx, const ProtobufCMessage *msg,
		       struct rpc_reply *reply);
void methods_del_sa(void *ctx, const ProtobufCMessage *msg,
		    struct rpc_reply *reply);
void methods_query_sa(void *ctx, const ProtobufCMessage *msg,
		      struct rpc_reply *reply);
void methods_add_policy(void *ctx, const ProtobufCMessage *msg,
			struct rpc_reply *reply);
void methods_del_policy(void *ctx, const ProtobufCMessage *msg,
			struct rpc_reply *reply);
void methods_install_bypass(void *ctx, const ProtobufCMessage *msg,
			    struct rpc_reply *reply);
void methods_set_desired(void *ctx, const ProtobufCMessage *msg,
			 struct rpc_reply *reply);
void methods_list(void *ctx, const ProtobufCMessage *msg,
		  struct rpc_reply *reply);
void methods_add_vip(void *ctx, const ProtobufCMessage *msg,
		     struct rpc_reply *reply);
void methods_del_vip(void *ctx, const ProtobufCMessage *msg,
		     struct rpc_reply *reply);
void methods_add_route(void *ctx, const ProtobufCMessage *msg,
		       struct rpc_reply *reply);
void methods_del_route(void *ctx, const ProtobufCMessage *msg,
		       struct rpc_reply *reply);

#endif
