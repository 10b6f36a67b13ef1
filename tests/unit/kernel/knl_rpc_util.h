/* The kernel service's methods served over ipc for a test, with a
 * client: the URL names the test and its process (Check forks one per
 * test), so parallel runs never share a socket. */
#ifndef CYGNET_TEST_KNL_RPC_UTIL_H
#define CYGNET_TEST_KNL_RPC_UTIL_H

#include <stdio.h>
#include <unistd.h>

#include "kernel/service.h"
#include "rpc.h"
#include "testmain.h"

struct knl_rpc {
	char url[128];
	struct rpc_server *server;
	struct rpc_client *client;
};

static inline void knl_rpc_start(struct knl_rpc *r, struct kernel_service *svc,
				 const char *name, int workers)
{
	char err[256];

	snprintf(r->url, sizeof(r->url), "ipc:///tmp/cyg-%s-%d.rpc", name,
		 getpid());
	r->server = rpc_server_start(r->url, NULL, kernel_methods,
				     kernel_n_methods, svc, workers, err,
				     sizeof(err));
	ck_assert_msg(r->server != NULL, "%s", err);
	r->client = rpc_client_open(r->url, NULL, err, sizeof(err));
	ck_assert_msg(r->client != NULL, "%s", err);
}

/* Also ends svc. */
static inline void knl_rpc_stop(struct knl_rpc *r, struct kernel_service *svc)
{
	rpc_client_close(r->client);
	rpc_server_stop(r->server);
	kernel_service_cleanup(svc);
}

#endif
