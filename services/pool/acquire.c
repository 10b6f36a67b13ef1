#include "leases_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#define ACQUIRE_POOLS_MAX 16

/* One acquire under the lock: the pools it may use, and what it chose. */
struct acquire {
	struct leases *leases;
	struct pool_state *pools[ACQUIRE_POOLS_MAX];
	size_t n_pools;
	const char *identity;
	const struct ipaddr *requested;	/* NULL for %any / %any6 */
	struct pool_state *chosen;
	struct lease lease;
	char previous_owner[LEASE_ID_MAX];	/* for LEASE_TAKEN_OVER */
	enum lease_how how;
	uint64_t commit_no;
};

static void new_lease(struct acquire *a, struct pool_state *pool,
		      const struct ipaddr *addr, enum lease_how how)
{
	a->chosen = pool;
	a->how = how;
	a->lease.addr = *addr;
	snprintf(a->lease.identity, sizeof(a->lease.identity), "%s",
		 a->identity);
	a->lease.online = 1;
	a->lease.seq = store_next_seq(a->leases->store);
}

/* 1 chosen, 0 not, -1 store error (as all the steps below). */
static int try_existing(struct acquire *a, struct pool_state *pool)
{
	struct store *store = a->leases->store;
	struct lease held;
	uint64_t offset;
	int rc;

	rc = store_find_offline_of(store, &pool->def->range, a->identity,
				   a->requested, &held);
	if (rc == 1) {
		new_lease(a, pool, &held.addr, LEASE_REASSIGNED_OFFLINE);
		return 1;
	}
	if (rc < 0 || !a->requested ||
	    !pool_range_offset(&pool->def->range, a->requested, &offset))
		return rc;
	rc = store_get(store, a->requested, &held);
	if (rc <= 0 || held.online == 0 ||
	    strcmp(held.identity, a->identity) != 0)
		return rc < 0 ? -1 : 0;
	new_lease(a, pool, &held.addr, LEASE_REASSIGNED_ONLINE);
	a->lease.online = held.online + 1;
	return 1;
}

static int try_requested(struct acquire *a, struct pool_state *pool)
{
	struct lease held;
	uint64_t offset;
	int rc;

	if (!a->requested ||
	    !pool_range_offset(&pool->def->range, a->requested, &offset))
		return 0;
	rc = store_get(a->leases->store, a->requested, &held);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	new_lease(a, pool, a->requested, LEASE_NEW);
	return 1;
}

/* The lowest address never leased.  Leases are never deleted, so the
 * cursor only moves forward past leased addresses. */
static int try_unused(struct acquire *a, struct pool_state *pool)
{
	const struct pool_range *range = &pool->def->range;
	struct ipaddr addr;
	struct lease held;
	int rc;

	for (; pool->cursor < range->size; pool->cursor++) {
		pool_range_addr(range, pool->cursor, &addr);
		rc = store_get(a->leases->store, &addr, &held);
		if (rc < 0)
			return -1;
		if (rc == 0) {
			new_lease(a, pool, &addr, LEASE_NEW);
			return 1;
		}
	}
	return 0;
}

/* The offline lease that went offline first, over all the pools. */
static int try_takeover(struct acquire *a)
{
	struct pool_state *oldest_pool = NULL;
	struct lease oldest, held;
	int rc;

	for (size_t i = 0; i < a->n_pools; i++) {
		rc = store_find_oldest_offline(a->leases->store,
					       &a->pools[i]->def->range, &held);
		if (rc < 0)
			return -1;
		if (rc == 1 && (!oldest_pool || held.seq < oldest.seq)) {
			oldest = held;
			oldest_pool = a->pools[i];
		}
	}
	if (!oldest_pool)
		return 0;
	snprintf(a->previous_owner, sizeof(a->previous_owner), "%s",
		 oldest.identity);
	new_lease(a, oldest_pool, &oldest.addr, LEASE_TAKEN_OVER);
	return 1;
}

typedef int (*step_fn)(struct acquire *a, struct pool_state *pool);

static int try_each_pool(struct acquire *a, step_fn step)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < a->n_pools; i++)
		rc = step(a, a->pools[i]);
	return rc;
}

static int choose(struct acquire *a)
{
	int rc = try_each_pool(a, try_existing);

	if (rc == 0)
		rc = try_each_pool(a, try_requested);
	if (rc == 0)
		rc = try_each_pool(a, try_unused);
	if (rc == 0)
		rc = try_takeover(a);
	return rc;
}

static void count_change(struct acquire *a)
{
	struct pool_state *pool = a->chosen;

	switch (a->how) {
	case LEASE_NEW:
		pool->online++;
		break;
	case LEASE_REASSIGNED_OFFLINE:
	case LEASE_TAKEN_OVER:
		pool->offline--;
		pool->online++;
		break;
	case LEASE_REASSIGNED_ONLINE:
		break;
	}
}

static void log_choice(const struct acquire *a)
{
	switch (a->how) {
	case LEASE_NEW:
		DBG1(LOG_CFG, "assigning new lease to '%s'", a->identity);
		break;
	case LEASE_REASSIGNED_OFFLINE:
		DBG1(LOG_CFG, "reassigning offline lease to '%s'", a->identity);
		break;
	case LEASE_REASSIGNED_ONLINE:
		DBG1(LOG_CFG, "reassigning online lease to '%s'", a->identity);
		break;
	case LEASE_TAKEN_OVER:
		DBG1(LOG_CFG, "reassigning existing offline lease by '%s' to '%s'",
		     a->previous_owner, a->identity);
		break;
	}
}

static int fill_grant(const struct acquire *a, struct lease_grant *out)
{
	const struct pool_def *def = a->chosen->def;

	memset(out, 0, sizeof(*out));
	snprintf(out->pool, sizeof(out->pool), "%s", def->name);
	out->addr = a->lease.addr;
	out->how = a->how;
	if (def->n_attrs == 0)
		return 0;
	out->attrs = malloc(def->n_attrs * sizeof(*out->attrs));
	if (!out->attrs)
		return -1;
	memcpy(out->attrs, def->attrs, def->n_attrs * sizeof(*out->attrs));
	out->n_attrs = def->n_attrs;
	return 0;
}

void lease_grant_clear(struct lease_grant *grant)
{
	free(grant->attrs);
	memset(grant, 0, sizeof(*grant));
}

/* The named pools of the requested family; unknown names are skipped as
 * charon skips them, but naming none that exists is an error. */
static enum acquire_result select_pools(struct acquire *a,
					const char *const *names,
					size_t n_names, uint8_t family_len,
					char *err, size_t errlen)
{
	bool known = false;

	for (size_t i = 0; i < n_names; i++) {
		struct pool_state *pool = leases_pool_named(a->leases,
							    names[i]);

		if (!pool)
			continue;
		known = true;
		if (pool->def->range.first.len != family_len)
			continue;
		if (a->n_pools == ACQUIRE_POOLS_MAX) {
			snprintf(err, errlen, "more than %d pools named",
				 ACQUIRE_POOLS_MAX);
			return ACQUIRE_INVALID;
		}
		a->pools[a->n_pools++] = pool;
	}
	if (!known) {
		snprintf(err, errlen, "no pool named %s%s",
			 n_names ? names[0] : "(none)",
			 n_names > 1 ? " or the others" : "");
		return ACQUIRE_INVALID;
	}
	return ACQUIRE_OK;
}

/* "pool 'ipv4' is full" or "pools 'a', 'b' are full" */
static enum acquire_result refuse_exhausted(struct acquire *a, char *err,
					    size_t errlen)
{
	size_t used;

	if (a->n_pools == 0) {
		snprintf(err, errlen, "no pool of the requested address family");
		return ACQUIRE_EXHAUSTED;
	}
	used = (size_t)snprintf(err, errlen, "pool%s ",
				a->n_pools > 1 ? "s" : "");
	for (size_t i = 0; i < a->n_pools; i++) {
		a->pools[i]->exhausted++;
		DBG1(LOG_CFG, "pool '%s' is full, unable to assign address",
		     a->pools[i]->def->name);
		if (used < errlen)
			used += (size_t)snprintf(err + used, errlen - used,
						 "%s'%s'", i ? ", " : "",
						 a->pools[i]->def->name);
	}
	if (used < errlen)
		snprintf(err + used, errlen - used, " %s",
			 a->n_pools > 1 ? "are full" : "is full");
	return ACQUIRE_EXHAUSTED;
}

static enum acquire_result acquire_locked(struct acquire *a,
					  struct lease_grant *out, char *err,
					  size_t errlen)
{
	struct store *store = a->leases->store;
	int rc;

	if (a->n_pools == 0)
		return refuse_exhausted(a, err, errlen);
	if (store_begin(store) < 0)
		goto store_error;
	rc = choose(a);
	if (rc <= 0) {
		store_rollback(store);
		if (rc < 0)
			goto store_error;
		return refuse_exhausted(a, err, errlen);
	}
	if (fill_grant(a, out) < 0) {
		store_rollback(store);
		snprintf(err, errlen, "out of memory");
		return ACQUIRE_STORE_ERROR;
	}
	if (store_put(store, &a->lease) < 0 ||
	    store_commit(store, &a->commit_no) < 0) {
		store_rollback(store);
		lease_grant_clear(out);
		goto store_error;
	}
	count_change(a);
	log_choice(a);
	return ACQUIRE_OK;
store_error:
	snprintf(err, errlen, "lease store error");
	return ACQUIRE_STORE_ERROR;
}

enum acquire_result leases_acquire(struct leases *leases,
				   const char *const *pools, size_t n_pools,
				   const char *identity,
				   const struct ipaddr *requested,
				   struct lease_grant *out, char *err,
				   size_t errlen)
{
	struct acquire a = { .leases = leases, .identity = identity };
	enum acquire_result result;

	memset(out, 0, sizeof(*out));
	if (!identity || !identity[0] || strlen(identity) >= LEASE_ID_MAX) {
		snprintf(err, errlen, "identity empty or longer than %d bytes",
			 LEASE_ID_MAX - 1);
		return ACQUIRE_INVALID;
	}
	if (requested->len != 4 && requested->len != 16) {
		snprintf(err, errlen, "requested address is neither IPv4 nor IPv6");
		return ACQUIRE_INVALID;
	}
	if (!ipaddr_is_any(requested))
		a.requested = requested;
	pthread_mutex_lock(&leases->lock);
	result = select_pools(&a, pools, n_pools, requested->len, err, errlen);
	if (result == ACQUIRE_OK)
		result = acquire_locked(&a, out, err, errlen);
	pthread_mutex_unlock(&leases->lock);
	/* A failed flush (EIO) leaves the lease online though the caller
	 * hears an error; the next reconciliation puts it offline. */
	if (result == ACQUIRE_OK &&
	    store_flush(leases->store, a.commit_no) < 0) {
		lease_grant_clear(out);
		snprintf(err, errlen, "lease store flush failed");
		result = ACQUIRE_STORE_ERROR;
	}
	return result;
}

static int release_locked(struct leases *leases, const char *identity,
			  const struct ipaddr *addr, bool *went_offline,
			  uint64_t *commit_no)
{
	struct store *store = leases->store;
	struct lease held;
	int rc;

	if (store_begin(store) < 0)
		return -1;
	rc = store_get(store, addr, &held);
	if (rc < 0)
		goto fail;
	if (rc == 0 || held.online == 0 || strcmp(held.identity, identity)) {
		store_rollback(store);
		return 0;
	}
	held.online--;
	if (held.online == 0)
		held.seq = store_next_seq(store);
	if (store_put(store, &held) < 0 || store_commit(store, commit_no) < 0)
		goto fail;
	if (held.online == 0) {
		struct pool_state *pool = leases_pool_of(leases, addr);

		*went_offline = true;
		if (pool) {
			pool->online--;
			pool->offline++;
		}
		leases_log_offline(&held);
	}
	return 1;
fail:
	store_rollback(store);
	return -1;
}

int leases_release(struct leases *leases, const char *identity,
		   const struct ipaddr *addr, bool *went_offline)
{
	uint64_t commit_no;
	int rc;

	*went_offline = false;
	pthread_mutex_lock(&leases->lock);
	rc = release_locked(leases, identity, addr, went_offline, &commit_no);
	pthread_mutex_unlock(&leases->lock);
	if (rc == 1 && store_flush(leases->store, commit_no) < 0)
		rc = -1;
	return rc;
}
