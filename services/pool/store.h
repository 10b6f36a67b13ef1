/* The lease store: one SQLite database in WAL mode.  A commit writes its
 * frames to the write-ahead log (synchronous=NORMAL), so from then on a
 * process kill loses nothing: the data is in the kernel.  Before anyone
 * is told, store_flush() fdatasyncs the log, so a power cut loses
 * nothing acknowledged either -- the guarantee of synchronous=FULL, but
 * concurrent callers share one fdatasync (group commit) instead of one
 * each, which is what bounds throughput on a real disk.
 *
 * A lease is keyed by its address; pools do not overlap, so the address
 * names the pool, and leases survive pool renames or edits untouched.
 * The store is not thread-safe: the caller serialises all calls. */
#ifndef POOL_STORE_H
#define POOL_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "range.h"

#define LEASE_ID_MAX 1024

struct lease {
	struct ipaddr addr;
	char identity[LEASE_ID_MAX];	/* as charon prints it */
	uint32_t online;	/* IKE_SAs holding the lease; 0 = offline */
	uint64_t seq;		/* order of the last change */
};

struct latency {
	uint64_t count;
	uint64_t last_us;
	uint64_t max_us;
	uint64_t total_us;
};

struct store_stats {
	struct latency commit;	/* transactions, up to the log write */
	struct latency flush;	/* fdatasyncs of the log */
};

struct store;

struct store *store_open(const char *path, char *err, size_t errlen);
void store_close(struct store *store);

/* The next change sequence number (one more than any stored). */
uint64_t store_next_seq(struct store *store);

/* A write transaction around every change: begin, changes, commit (or
 * rollback on any error).  All return 0 or -1 (logged).  store_commit
 * gives the commit's number for store_flush. */
int store_begin(struct store *store);
int store_commit(struct store *store, uint64_t *commit_no);
void store_rollback(struct store *store);

/* Returns once every commit up to commit_no is on disk.  The only call
 * that may run concurrently with the others (and should: call it after
 * dropping the lock that serialises the rest). */
int store_flush(struct store *store, uint64_t commit_no);

void store_get_stats(struct store *store, struct store_stats *out);

/* 1 found, 0 not found, -1 error. */
int store_get(struct store *store, const struct ipaddr *addr,
	      struct lease *out);
/* The identity's offline lease in range, preferring the one at
 * preferred (may be NULL), else the oldest. */
int store_find_offline_of(struct store *store, const struct pool_range *range,
			  const char *identity, const struct ipaddr *preferred,
			  struct lease *out);
/* The offline lease in range that went offline first. */
int store_find_oldest_offline(struct store *store,
			      const struct pool_range *range,
			      struct lease *out);
/* Inserts or replaces the lease at lease->addr; 0 or -1. */
int store_put(struct store *store, const struct lease *lease);

int store_count(struct store *store, const struct pool_range *range,
		uint64_t *online, uint64_t *offline);

/* Call fn for each lease in range (by address), or for each online
 * lease; stop early when fn returns non-zero.  fn must not call the
 * store.  Return 0 or -1. */
typedef int (*store_lease_fn)(void *arg, const struct lease *lease);
int store_foreach_in(struct store *store, const struct pool_range *range,
		     store_lease_fn fn, void *arg);
int store_foreach_online(struct store *store, store_lease_fn fn, void *arg);

#endif
