/* What leases.c, acquire.c and reconcile.c share behind the lock. */
#ifndef POOL_LEASES_PRIV_H
#define POOL_LEASES_PRIV_H

#include <pthread.h>

#include "leases.h"

struct pool_state {
	const struct pool_def *def;
	uint64_t online;
	uint64_t offline;
	uint64_t exhausted;
	uint64_t cursor;	/* every offset below it is leased */
};

struct leases {
	pthread_mutex_t lock;
	struct store *store;
	struct pool_defs defs;
	struct pool_state *pools;	/* defs.count of them */
};

/* The pool holding addr, or NULL. */
struct pool_state *leases_pool_of(struct leases *leases,
				  const struct ipaddr *addr);
struct pool_state *leases_pool_named(struct leases *leases,
				     const char *name);
/* "lease 10.10.1.66 by 'Andreas Steffen' went offline" */
void leases_log_offline(const struct lease *lease);
/* Recounts online/offline leases of every pool from the store. */
int leases_recount(struct leases *leases);

#endif
