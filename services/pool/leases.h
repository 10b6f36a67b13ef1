/* The pool service's core: the configured pools over the lease store,
 * behind one lock.  Every change is one store transaction committed
 * before the call returns, so whatever a caller was told survives a
 * crash; counters and log lines follow only after the commit.
 *
 * Acquire, for an identity (as charon prints it) and a requested
 * address (0.0.0.0 / :: for %any / %any6), tries in this order over the
 * named pools of the requested family:
 *   1. the identity's offline lease     "reassigning offline lease to"
 *      or, when it asks for the address it holds online,
 *                                        "reassigning online lease to"
 *   2. the requested address if nobody holds it  "assigning new lease to"
 *   3. the lowest address never leased           "assigning new lease to"
 *   4. the offline lease of another identity that went offline first
 *                   "reassigning existing offline lease by 'A' to 'B'"
 * and fails when nothing is left ("pool 'x' is full, ...").
 * Release turns an online lease offline ("lease A by 'B' went offline");
 * the identity keeps it for re-assignment. */
#ifndef POOL_LEASES_H
#define POOL_LEASES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pool_conf.h"
#include "store.h"

struct leases;

struct leases *leases_open(const char *db_path, char *err, size_t errlen);
void leases_close(struct leases *leases);

/* Replaces the pools with defs (taking them over on success).  Refused,
 * keeping the old pools and leaving defs to the caller, when an online
 * lease would fall outside every new pool. */
int leases_set_pools(struct leases *leases, struct pool_defs *defs,
		     char *err, size_t errlen);

enum lease_how {
	LEASE_NEW,
	LEASE_REASSIGNED_OFFLINE,	/* the identity's own offline lease */
	LEASE_REASSIGNED_ONLINE,	/* the identity's online lease, again */
	LEASE_TAKEN_OVER,		/* another identity's offline lease */
};

struct lease_grant {
	char pool[POOL_NAME_MAX];
	struct ipaddr addr;
	enum lease_how how;
	struct pool_attr *attrs;	/* the pool's attributes, malloc'd */
	size_t n_attrs;
};
void lease_grant_clear(struct lease_grant *grant);

enum acquire_result {
	ACQUIRE_OK = 0,
	ACQUIRE_EXHAUSTED = -1,	/* no address left in the named pools */
	ACQUIRE_INVALID = -2,	/* no such pool, bad address, bad identity */
	ACQUIRE_STORE_ERROR = -3,
};

enum acquire_result leases_acquire(struct leases *leases,
				   const char *const *pools, size_t n_pools,
				   const char *identity,
				   const struct ipaddr *requested,
				   struct lease_grant *out, char *err,
				   size_t errlen);

/* Returns 1 when the identity held addr online (*went_offline tells
 * whether that was its last holder), 0 when it did not, -1 on a store
 * error. */
int leases_release(struct leases *leases, const char *identity,
		   const struct ipaddr *addr, bool *went_offline);

/* Reconciliation with the IKE service's live virtual IPs.  Take the
 * snapshot before asking for the live list: leases changed since then
 * are left alone, as the IKE service touched them after its answer. */
struct live_vip {
	struct ipaddr addr;
	const char *identity;
};
uint64_t leases_snapshot(struct leases *leases);
/* Returns how many leases changed, or -1 on a store error. */
int leases_reconcile(struct leases *leases, const struct live_vip *live,
		     size_t n_live, uint64_t snapshot);

struct pool_status {
	char name[POOL_NAME_MAX];
	struct ipaddr base;
	uint64_t size;
	uint64_t online;
	uint64_t offline;
	uint64_t exhausted;	/* acquires refused for lack of addresses */
};
/* A malloc'd copy of every pool's status, in config order. */
int leases_pool_status(struct leases *leases, struct pool_status **out,
		       size_t *count);
/* Calls fn for every lease of the named pool, by address. */
int leases_foreach(struct leases *leases, const char *pool,
		   store_lease_fn fn, void *arg);
void leases_store_stats(struct leases *leases, struct store_stats *out);

/* Leases copied out of the store; free(items) when done. */
struct lease_list {
	struct lease *items;
	size_t count;
	size_t cap;
};
/* A store_lease_fn appending a copy of lease to the lease_list arg;
 * -1 (stopping the walk) when out of memory. */
int lease_list_collect(void *arg, const struct lease *lease);

#endif
