#include "leases_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

/* The IKE service's word wins for every address of our pools that was
 * not touched since the snapshot: a lease is online exactly as often as
 * live IKE_SAs hold it, by the identity that holds it. */

struct online_leases {
	struct lease_list list;
	uint64_t snapshot;
};

/* Leases touched since the snapshot are newer than the IKE service's
 * word and stay as they are. */
static int collect_online(void *arg, const struct lease *lease)
{
	struct online_leases *online = arg;

	if (lease->seq >= online->snapshot)
		return 0;
	return lease_list_collect(&online->list, lease);
}

static int cmp_live(const void *pa, const void *pb)
{
	const struct live_vip *a = pa, *b = pb;
	int c = ipaddr_cmp(&a->addr, &b->addr);

	return c ? c : strcmp(a->identity, b->identity);
}

/* How many live entries hold addr for identity (live sorted). */
static uint32_t live_count(const struct live_vip *live, size_t n,
			   const struct ipaddr *addr, const char *identity)
{
	struct live_vip key = { .addr = *addr, .identity = identity };
	const struct live_vip *hit;
	uint32_t count = 0;

	if (n == 0)	/* live may be NULL then, which bsearch must not see */
		return 0;
	hit = bsearch(&key, live, n, sizeof(*live), cmp_live);
	if (!hit)
		return 0;
	while (hit > live && cmp_live(hit - 1, &key) == 0)
		hit--;
	for (; hit < live + n && cmp_live(hit, &key) == 0; hit++)
		count++;
	return count;
}

static int put_offline(struct leases *leases, struct lease *lease)
{
	lease->online = 0;
	lease->seq = store_next_seq(leases->store);
	return store_put(leases->store, lease);
}

/* Live addresses of our pools the store does not show as held so. */
static int restore_live(struct leases *leases, const struct live_vip *live,
			size_t n, uint64_t snapshot, int *changed)
{
	struct lease stored, restored;
	char text[IPADDR_STRLEN];
	uint32_t count;
	int rc;

	for (size_t i = 0; i < n; i += count) {
		count = live_count(live, n, &live[i].addr, live[i].identity);
		if (!leases_pool_of(leases, &live[i].addr))
			continue;
		rc = store_get(leases->store, &live[i].addr, &stored);
		if (rc < 0)
			return -1;
		if (rc == 1 && (stored.seq >= snapshot ||
				(stored.online == count &&
				 strcmp(stored.identity, live[i].identity) == 0)))
			continue;
		restored.addr = live[i].addr;
		snprintf(restored.identity, sizeof(restored.identity), "%s",
			 live[i].identity);
		restored.online = count;
		restored.seq = store_next_seq(leases->store);
		if (store_put(leases->store, &restored) < 0)
			return -1;
		(*changed)++;
		DBG1(LOG_CFG, "lease %s by '%s' is online at the IKE service",
		     ipaddr_format(&restored.addr, text, sizeof(text)),
		     restored.identity);
	}
	return 0;
}

static int reconcile_locked(struct leases *leases,
			    const struct live_vip *live, size_t n,
			    uint64_t snapshot, uint64_t *commit_no)
{
	struct online_leases online = { .snapshot = snapshot };
	bool *offline = NULL;
	int changed = 0;

	if (store_foreach_online(leases->store, collect_online, &online) < 0)
		goto fail_early;
	offline = calloc(online.list.count ? online.list.count : 1,
			 sizeof(*offline));
	if (!offline || store_begin(leases->store) < 0)
		goto fail_early;
	for (size_t i = 0; i < online.list.count; i++) {
		struct lease *lease = &online.list.items[i];

		if (live_count(live, n, &lease->addr, lease->identity))
			continue;
		if (put_offline(leases, lease) < 0)
			goto fail;
		offline[i] = true;
		changed++;
	}
	if (restore_live(leases, live, n, snapshot, &changed) < 0 ||
	    store_commit(leases->store, commit_no) < 0)
		goto fail;
	for (size_t i = 0; i < online.list.count; i++) {
		if (offline[i])
			leases_log_offline(&online.list.items[i]);
	}
	free(online.list.items);
	free(offline);
	return leases_recount(leases) < 0 ? -1 : changed;
fail:
	store_rollback(leases->store);
fail_early:
	free(online.list.items);
	free(offline);
	return -1;
}

uint64_t leases_snapshot(struct leases *leases)
{
	uint64_t seq;

	pthread_mutex_lock(&leases->lock);
	seq = store_next_seq(leases->store);
	pthread_mutex_unlock(&leases->lock);
	return seq;
}

int leases_reconcile(struct leases *leases, const struct live_vip *live,
		     size_t n_live, uint64_t snapshot)
{
	struct live_vip *sorted = NULL;
	uint64_t commit_no;
	int rc;

	if (n_live) {
		sorted = malloc(n_live * sizeof(*sorted));
		if (!sorted)
			return -1;
		memcpy(sorted, live, n_live * sizeof(*sorted));
		qsort(sorted, n_live, sizeof(*sorted), cmp_live);
	}
	pthread_mutex_lock(&leases->lock);
	rc = reconcile_locked(leases, sorted, n_live, snapshot, &commit_no);
	pthread_mutex_unlock(&leases->lock);
	free(sorted);
	if (rc >= 0 && store_flush(leases->store, commit_no) < 0)
		rc = -1;
	if (rc >= 0)
		DBG1(LOG_APP, "reconciled leases with %zu virtual IPs of live "
		     "IKE_SAs, %d changed", n_live, rc);
	return rc;
}
