/* The cygnet-ike service state behind its service_def: the connection
 * model (swapped whole on reload) and the IKE_SA table. */
#ifndef CYGNET_IKE_SERVICE_H
#define CYGNET_IKE_SERVICE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "conf.h"
#include "rpc.h"
#include "status.h"
#include "ike/certreq.h"
#include "ike/config.h"
#include "ike/cookie.h"
#include "ike/crypto_pool.h"
#include "ike/fragment.h"
#include "ike/lifetime.h"
#include "ike/request_out.h"
#include "ike/sa_table.h"
#include "ike/socket.h"

struct daemon;
struct persist;
struct resync;

/* cygnet { ike { } } settings the packet path uses. */
struct ike_settings {
	uint16_t port;
	uint16_t port_nat_t;
	size_t n_listen;
	char *listen[CONFIG_MAX_ADDRS];
	struct retransmit_settings retransmit;	/* our requests */
	size_t crypto_threads;		/* 0: one per online CPU */
};

struct ike_service {
	pthread_rwlock_t config_lock;
	struct ike_config *config;
	struct sa_table *sas;
	struct frag_budget frag_budget;
	struct lifetime_queue lifetimes;	/* reauthentication times */
	struct ike_settings settings;
	struct cookie_guard cookies;
	struct crypto_pool crypto;		/* IKE_SA_INIT's DH (ike_init.c) */
	struct ike_sockets sockets;
	struct certreq_cache certreq;
	struct rpc_client *pool;
	struct rpc_client *kernel;
	struct persist *persist;		/* NULL: SAs not kept (persist.c) */
	struct resync *resync;
	atomic_int workers;
	atomic_uint next_reqid;		/* CHILD_SA reqids and unique ids */
	atomic_uint next_child_id;		/* request threads running (worker.c) */
	pthread_t receiver;
	atomic_bool stopping;
	bool receiving;
};

int ike_service_init(struct ike_service *svc);
void ike_service_cleanup(struct ike_service *svc);

int ike_service_configure(void *svc, const struct conf *conf, bool reload,
			  char *err, size_t errlen);
/* Opens the IKE sockets and starts the packet thread (receiver.c). */
int ike_service_start(void *svc, struct daemon *d, char *err, size_t errlen);
void ike_service_stop(void *svc);
void ike_service_fill_status(void *svc, struct status_builder *b);

extern const struct rpc_method ike_methods[];
extern const size_t ike_n_methods;

#endif
