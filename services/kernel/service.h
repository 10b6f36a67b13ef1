/* cygnet-kernel: the service state behind the RPC methods.
 *
 * The kernel's tables are the state: nothing about SAs or policies is
 * cached here, so a restart (or kill -9) loses nothing and a restarted
 * service adopts its entries by dumping the tables.
 *
 * Without CAP_NET_ADMIN (an unprivileged test run) the service still
 * starts, logs why, reports state "degraded" and answers every kernel
 * method with RPC_FAILED naming the missing capability: the other
 * services keep working and the failure is visible in status.
 *
 * Configuration, besides the common keys of settings.h:
 *   cygnet {
 *     kernel {
 *       reqid_min = 1              # the reqids this service owns
 *       reqid_max = 2147483647
 *       bypass_ports = 500, 4500   # local UDP ports kept out of tunnels
 *       flush_on_stop = no         # yes: remove owned SAs/policies on stop
 *     }
 *   } */
#ifndef CYGNET_KERNEL_SERVICE_H
#define CYGNET_KERNEL_SERVICE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "daemon.h"
#include "kernel/adopt.h"
#include "kernel/monitor.h"
#include "kernel/netlink.h"

struct kernel_config {
	struct owner owner;
	bool flush_on_stop;	/* remove owned SAs and policies on stop */
	uint32_t routing_table;	/* source routes for our virtual IPs */
	uint32_t routing_table_prio;	/* of the rule looking it up */
};

enum kernel_op {
	KERNEL_OP_ALLOC_SPI,
	KERNEL_OP_ADD_SA,
	KERNEL_OP_UPDATE_SA,
	KERNEL_OP_DEL_SA,
	KERNEL_OP_QUERY_SA,
	KERNEL_OP_ADD_POLICY,
	KERNEL_OP_DEL_POLICY,
	KERNEL_OP_BYPASS,
	KERNEL_OP_RECONCILE,
	KERNEL_OP_COUNT
};

struct kernel_service {
	pthread_mutex_t lock;		/* cfg */
	struct kernel_config cfg;
	struct nl_sock *nl;		/* NULL while degraded */
	struct monitor *monitor;
	struct events_pub *events;
	char degraded[384];		/* why, "" when running */
	_Atomic uint64_t ops_ok[KERNEL_OP_COUNT];
	_Atomic uint64_t ops_failed[KERNEL_OP_COUNT];
	_Atomic uint64_t events_soft;
	_Atomic uint64_t events_hard;
	_Atomic uint64_t events_acquire;
};

int kernel_service_init(struct kernel_service *svc);
void kernel_service_cleanup(struct kernel_service *svc);

int kernel_service_configure(void *svc, const struct conf *conf, bool reload,
			     char *err, size_t errlen);
int kernel_service_start(void *svc, struct daemon *d, char *err,
			 size_t errlen);
void kernel_service_stop(void *svc);
void kernel_service_fill_status(void *ctx, struct status_builder *b);

/* A copy of the ownership rules in effect. */
void kernel_service_owner(struct kernel_service *svc, struct owner *out);
/* Installs the pass policies of ports and adds them to the owned set. */
int kernel_service_bypass(struct kernel_service *svc, const uint16_t *ports,
			  size_t n, struct nl_error *err);
void kernel_service_count(struct kernel_service *svc, enum kernel_op op,
			  bool ok);

extern const struct rpc_method kernel_methods[];
extern const size_t kernel_n_methods;

#endif
