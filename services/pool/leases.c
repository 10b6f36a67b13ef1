#include "leases_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

struct leases *leases_open(const char *db_path, char *err, size_t errlen)
{
	struct leases *leases = calloc(1, sizeof(*leases));

	if (!leases) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	leases->store = store_open(db_path, err, errlen);
	if (!leases->store) {
		free(leases);
		return NULL;
	}
	pthread_mutex_init(&leases->lock, NULL);
	return leases;
}

void leases_close(struct leases *leases)
{
	if (!leases)
		return;
	store_close(leases->store);
	pool_defs_free(&leases->defs);
	free(leases->pools);
	pthread_mutex_destroy(&leases->lock);
	free(leases);
}

struct pool_state *leases_pool_of(struct leases *leases,
				  const struct ipaddr *addr)
{
	uint64_t offset;

	for (size_t i = 0; i < leases->defs.count; i++) {
		if (pool_range_offset(&leases->pools[i].def->range, addr,
				      &offset))
			return &leases->pools[i];
	}
	return NULL;
}

struct pool_state *leases_pool_named(struct leases *leases, const char *name)
{
	for (size_t i = 0; i < leases->defs.count; i++) {
		if (strcmp(leases->pools[i].def->name, name) == 0)
			return &leases->pools[i];
	}
	return NULL;
}

void leases_log_offline(const struct lease *lease)
{
	char text[IPADDR_STRLEN];

	DBG1(LOG_CFG, "lease %s by '%s' went offline",
	     ipaddr_format(&lease->addr, text, sizeof(text)), lease->identity);
}

int leases_recount(struct leases *leases)
{
	for (size_t i = 0; i < leases->defs.count; i++) {
		struct pool_state *pool = &leases->pools[i];

		if (store_count(leases->store, &pool->def->range, &pool->online,
				&pool->offline) < 0)
			return -1;
	}
	return 0;
}

/* An online lease the new pools would lose: which old pool holds it and
 * how many such leases that pool has. */
struct stranded {
	struct leases *leases;
	const struct pool_defs *next;
	const struct pool_def *pool;
	unsigned count;
};

static bool defs_hold(const struct pool_defs *defs, const struct ipaddr *addr)
{
	uint64_t offset;

	for (size_t i = 0; i < defs->count; i++) {
		if (pool_range_offset(&defs->defs[i].range, addr, &offset))
			return true;
	}
	return false;
}

static int find_stranded(void *arg, const struct lease *lease)
{
	struct stranded *s = arg;
	struct pool_state *old = leases_pool_of(s->leases, &lease->addr);

	/* leases outside every current pool were stranded before */
	if (!old || defs_hold(s->next, &lease->addr))
		return 0;
	if (s->pool && s->pool != old->def)
		return 0;
	s->pool = old->def;
	s->count++;
	return 0;
}

static int check_online_kept(struct leases *leases,
			     const struct pool_defs *next, char *err,
			     size_t errlen)
{
	struct stranded s = { .leases = leases, .next = next };

	if (store_foreach_online(leases->store, find_stranded, &s) < 0) {
		snprintf(err, errlen, "lease store error, pools unchanged");
		return -1;
	}
	if (!s.pool)
		return 0;
	if (pool_defs_find(next, s.pool->name))
		snprintf(err, errlen,
			 "pool %s has %u online leases outside its new addrs, "
			 "unable to replace", s.pool->name, s.count);
	else
		snprintf(err, errlen,
			 "pool %s has %u online leases, unable to unload",
			 s.pool->name, s.count);
	return -1;
}

static void log_change(const struct pool_state *old,
		       const struct pool_def *def)
{
	char base[IPADDR_STRLEN];
	const char *verb = "added";

	if (old && ipaddr_equal(&old->def->range.first, &def->range.first) &&
	    old->def->range.size == def->range.size)
		verb = "updated";
	else if (old)
		verb = "replaced";
	/* charon's wording, so log watchers keep working */
	DBG1(LOG_CFG, "%s vici pool %s: %s, %llu entries", verb, def->name,
	     ipaddr_format(&def->range.base, base, sizeof(base)),
	     (unsigned long long)def->range.size);
}

static struct pool_state *build_states(struct leases *leases,
				       const struct pool_defs *next)
{
	struct pool_state *states = calloc(next->count ? next->count : 1,
					   sizeof(*states));

	if (!states)
		return NULL;
	for (size_t i = 0; i < next->count; i++) {
		const struct pool_def *def = &next->defs[i];
		struct pool_state *old = leases_pool_named(leases, def->name);

		states[i].def = def;
		if (old) {
			states[i].exhausted = old->exhausted;
			if (ipaddr_equal(&old->def->range.first,
					 &def->range.first))
				states[i].cursor = old->cursor;
		}
		if (store_count(leases->store, &def->range, &states[i].online,
				&states[i].offline) < 0) {
			free(states);
			return NULL;
		}
	}
	return states;
}

static void log_changes(struct leases *leases, const struct pool_defs *next)
{
	for (size_t i = 0; i < next->count; i++)
		log_change(leases_pool_named(leases, next->defs[i].name),
			   &next->defs[i]);
	for (size_t i = 0; i < leases->defs.count; i++) {
		if (!pool_defs_find(next, leases->defs.defs[i].name))
			DBG1(LOG_CFG, "unloaded vici pool %s",
			     leases->defs.defs[i].name);
	}
}

int leases_set_pools(struct leases *leases, struct pool_defs *defs,
		     char *err, size_t errlen)
{
	struct pool_state *states = NULL;
	int rc = -1;

	pthread_mutex_lock(&leases->lock);
	if (check_online_kept(leases, defs, err, errlen) < 0)
		goto out;
	states = build_states(leases, defs);
	if (!states) {
		snprintf(err, errlen, "lease store error, pools unchanged");
		goto out;
	}
	log_changes(leases, defs);
	/* the cursor of a pool whose size changed may now be past it */
	for (size_t i = 0; i < defs->count; i++) {
		if (states[i].cursor > states[i].def->range.size)
			states[i].cursor = 0;
	}
	pool_defs_free(&leases->defs);
	free(leases->pools);
	leases->defs = *defs;
	leases->pools = states;
	memset(defs, 0, sizeof(*defs));
	rc = 0;
out:
	pthread_mutex_unlock(&leases->lock);
	return rc;
}

int leases_pool_status(struct leases *leases, struct pool_status **out,
		       size_t *count)
{
	struct pool_status *status;

	pthread_mutex_lock(&leases->lock);
	*count = leases->defs.count;
	status = calloc(*count ? *count : 1, sizeof(*status));
	for (size_t i = 0; status && i < *count; i++) {
		const struct pool_state *pool = &leases->pools[i];

		snprintf(status[i].name, sizeof(status[i].name), "%s",
			 pool->def->name);
		status[i].base = pool->def->range.base;
		status[i].size = pool->def->range.size;
		status[i].online = pool->online;
		status[i].offline = pool->offline;
		status[i].exhausted = pool->exhausted;
	}
	pthread_mutex_unlock(&leases->lock);
	*out = status;
	return status ? 0 : -1;
}

int leases_foreach(struct leases *leases, const char *pool,
		   store_lease_fn fn, void *arg)
{
	struct pool_state *state;
	int rc = -1;

	pthread_mutex_lock(&leases->lock);
	state = leases_pool_named(leases, pool);
	if (state)
		rc = store_foreach_in(leases->store, &state->def->range, fn,
				      arg);
	pthread_mutex_unlock(&leases->lock);
	return rc;
}

int lease_list_collect(void *arg, const struct lease *lease)
{
	struct lease_list *list = arg;
	struct lease *grown;

	if (list->count == list->cap) {
		list->cap = list->cap ? list->cap * 2 : 16;
		grown = realloc(list->items, list->cap * sizeof(*grown));
		if (!grown)
			return -1;
		list->items = grown;
	}
	list->items[list->count++] = *lease;
	return 0;
}

void leases_store_stats(struct leases *leases, struct store_stats *out)
{
	pthread_mutex_lock(&leases->lock);
	store_get_stats(leases->store, out);
	pthread_mutex_unlock(&leases->lock);
}
