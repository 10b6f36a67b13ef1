/* Status metrics: per pool size, online, offline and refusals (label
 * pool=NAME), the service's call counters and the store's commit
 * latency. */
#include <stdio.h>
#include <stdlib.h>

#include "service.h"

static void fill_pools(struct pool_service *svc, struct status_builder *b)
{
	struct pool_status *pools;
	size_t count;

	if (leases_pool_status(svc->leases, &pools, &count) < 0)
		return;
	for (size_t i = 0; i < count; i++) {
		const char *name = pools[i].name;

		status_gauge(b, "pool_size", "addresses the pool hands out",
			     (double)pools[i].size, "pool", name);
		status_gauge(b, "pool_leases_online", "leases held by IKE_SAs",
			     (double)pools[i].online, "pool", name);
		status_gauge(b, "pool_leases_offline",
			     "leases kept for their identity",
			     (double)pools[i].offline, "pool", name);
		status_counter(b, "pool_exhausted_total",
			       "acquires the pool refused for lack of addresses",
			       (double)pools[i].exhausted, "pool", name);
	}
	free(pools);
}

static void fill_latency(struct status_builder *b, const char *what,
			 const char *total_name, const struct latency *l)
{
	char name[64];

	status_counter(b, total_name, "lease store operations",
		       (double)l->count, NULL, NULL);
	snprintf(name, sizeof(name), "pool_store_%s_last_us", what);
	status_gauge(b, name, "duration of the last one, us",
		     (double)l->last_us, NULL, NULL);
	snprintf(name, sizeof(name), "pool_store_%s_avg_us", what);
	status_gauge(b, name, "average duration, us",
		     l->count ? (double)l->total_us / (double)l->count : 0,
		     NULL, NULL);
	snprintf(name, sizeof(name), "pool_store_%s_max_us", what);
	status_gauge(b, name, "longest duration, us", (double)l->max_us, NULL,
		     NULL);
}

/* commit: a transaction up to its log write; flush: an fdatasync of the
 * log, which many concurrent commits share. */
static void fill_store(struct pool_service *svc, struct status_builder *b)
{
	struct store_stats stats;

	leases_store_stats(svc->leases, &stats);
	fill_latency(b, "commit", "pool_store_commits_total", &stats.commit);
	fill_latency(b, "flush", "pool_store_flushes_total", &stats.flush);
}

void pool_service_fill_status(void *ctx, struct status_builder *b)
{
	struct pool_service *svc = ctx;

	if (!svc->leases)
		return;
	status_counter(b, "pool_acquires_total", "leases handed out",
		       (double)atomic_load(&svc->acquired), NULL, NULL);
	status_counter(b, "pool_acquire_failures_total",
		       "acquires answered with an error",
		       (double)atomic_load(&svc->refused), NULL, NULL);
	status_counter(b, "pool_releases_total", "leases released",
		       (double)atomic_load(&svc->released), NULL, NULL);
	fill_pools(svc, b);
	fill_store(svc, b);
}
