/* The RPC methods of cygnetctl --initiate and --terminate. */
#ifndef CYGNET_IKE_INITIATE_RPC_H
#define CYGNET_IKE_INITIATE_RPC_H

#include "rpc.h"

/* IKE_INITIATE: InitiateRequest -> InitiateReply. */
void ike_handle_initiate(void *svc, const ProtobufCMessage *request,
			 struct rpc_reply *reply);
/* IKE_TERMINATE: TerminateRequest -> TerminateReply. */
void ike_handle_terminate(void *svc, const ProtobufCMessage *request,
			  struct rpc_reply *reply);

#endif
