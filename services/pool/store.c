#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define STORE_SCHEMA_VERSION 1

enum stmt_id {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_GET,
	ST_OFFLINE_OF,
	ST_OLDEST_OFFLINE,
	ST_PUT,
	ST_COUNT,
	ST_IN_RANGE,
	ST_ONLINE,
	ST_MAX_SEQ,
	ST_COUNT_ALL
};

/* Ranges compare as blobs: within one address length memcmp order is
 * address order, so "length(address) = ?len AND address BETWEEN" selects
 * a pool's addresses. */
static const char *const stmt_sql[ST_COUNT_ALL] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_GET] = "SELECT address, identity, online, seq FROM leases "
		   "WHERE address = ?1",
	[ST_OFFLINE_OF] = "SELECT address, identity, online, seq FROM leases "
			  "WHERE identity = ?1 AND online = 0 "
			  "AND length(address) = ?2 "
			  "AND address BETWEEN ?3 AND ?4 "
			  "ORDER BY address = ?5 DESC, seq LIMIT 1",
	[ST_OLDEST_OFFLINE] = "SELECT address, identity, online, seq "
			      "FROM leases WHERE online = 0 "
			      "AND length(address) = ?1 "
			      "AND address BETWEEN ?2 AND ?3 "
			      "ORDER BY seq LIMIT 1",
	[ST_PUT] = "INSERT OR REPLACE INTO leases "
		   "(address, identity, online, seq) VALUES (?1, ?2, ?3, ?4)",
	[ST_COUNT] = "SELECT count(*) FILTER (WHERE online > 0), "
		     "count(*) FILTER (WHERE online = 0) FROM leases "
		     "WHERE length(address) = ?1 AND address BETWEEN ?2 AND ?3",
	[ST_IN_RANGE] = "SELECT address, identity, online, seq FROM leases "
			"WHERE length(address) = ?1 "
			"AND address BETWEEN ?2 AND ?3 ORDER BY address",
	[ST_ONLINE] = "SELECT address, identity, online, seq FROM leases "
		      "WHERE online > 0 ORDER BY address",
	[ST_MAX_SEQ] = "SELECT coalesce(max(seq), 0) FROM leases",
};

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS leases ("
	" address BLOB PRIMARY KEY NOT NULL,"
	" identity TEXT NOT NULL,"
	" online INTEGER NOT NULL,"
	" seq INTEGER NOT NULL"
	") WITHOUT ROWID;"
	"CREATE INDEX IF NOT EXISTS leases_by_identity"
	" ON leases (identity, address);"
	"CREATE INDEX IF NOT EXISTS leases_offline_by_seq"
	" ON leases (seq) WHERE online = 0;";

struct store {
	sqlite3 *db;
	sqlite3_stmt *stmt[ST_COUNT_ALL];
	uint64_t next_seq;
	struct timespec begun;
	struct latency commit_stats;

	/* Group flush: commits are numbered; one caller at a time
	 * fdatasyncs the log for everything committed so far while the
	 * others wait for it. */
	int wal_fd;
	atomic_uint_fast64_t committed;
	pthread_mutex_t flush_lock;
	pthread_cond_t flushed_cond;
	uint64_t flushed;
	bool flushing;
	struct latency flush_stats;
};

static void log_db_error(struct store *store, const char *what)
{
	DBG1(LOG_APP, "lease store: %s failed: %s", what,
	     sqlite3_errmsg(store->db));
}

static int exec_sql(struct store *store, const char *sql, char *err,
		    size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(store->db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	snprintf(err, errlen, "%s", msg ? msg : sqlite3_errmsg(store->db));
	sqlite3_free(msg);
	return -1;
}

static int check_schema_version(struct store *store, char *err,
				size_t errlen)
{
	sqlite3_stmt *stmt;
	int version = -1;

	if (sqlite3_prepare_v2(store->db, "PRAGMA user_version", -1, &stmt,
			       NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(store->db));
		return -1;
	}
	if (sqlite3_step(stmt) == SQLITE_ROW)
		version = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	if (version > STORE_SCHEMA_VERSION) {
		snprintf(err, errlen,
			 "written by a newer version (schema %d, we know %d)",
			 version, STORE_SCHEMA_VERSION);
		return -1;
	}
	return exec_sql(store, "PRAGMA user_version = 1", err, errlen);
}

static int prepare_all(struct store *store, char *err, size_t errlen)
{
	for (int i = 0; i < ST_COUNT_ALL; i++) {
		if (sqlite3_prepare_v3(store->db, stmt_sql[i], -1,
				       SQLITE_PREPARE_PERSISTENT,
				       &store->stmt[i], NULL) != SQLITE_OK) {
			snprintf(err, errlen, "%s", sqlite3_errmsg(store->db));
			return -1;
		}
	}
	return 0;
}

static int load_next_seq(struct store *store, char *err, size_t errlen)
{
	sqlite3_stmt *stmt = store->stmt[ST_MAX_SEQ];
	int rc = sqlite3_step(stmt);

	if (rc == SQLITE_ROW)
		store->next_seq = (uint64_t)sqlite3_column_int64(stmt, 0) + 1;
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(store->db));
		return -1;
	}
	return 0;
}

/* WAL: a commit appends to the log; NORMAL: no fsync per commit, the
 * log is synced by store_flush (and by SQLite around checkpoints);
 * busy_timeout: another process (sqlite3 shell) may briefly hold a lock. */
static const char pragmas_sql[] =
	"PRAGMA journal_mode = WAL;"
	"PRAGMA synchronous = NORMAL;"
	"PRAGMA busy_timeout = 2000;"
	"PRAGMA foreign_keys = OFF;";

/* The log exists once the schema version was written; its directory
 * entry is made durable once, its contents by every flush.  The fd is
 * only ever fdatasync'd and closed after SQLite closed the database. */
static int open_wal(struct store *store, const char *path, char *err,
		    size_t errlen)
{
	char wal[4096], dir[4096];
	char *slash;
	int dir_fd;

	snprintf(wal, sizeof(wal), "%s-wal", path);
	store->wal_fd = open(wal, O_RDONLY | O_CLOEXEC);
	if (store->wal_fd < 0) {
		snprintf(err, errlen, "cannot open its log: %s",
			 strerror(errno));
		return -1;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir_fd < 0 || fsync(dir_fd) != 0) {
		snprintf(err, errlen, "cannot sync its directory: %s",
			 strerror(errno));
		if (dir_fd >= 0)
			close(dir_fd);
		return -1;
	}
	close(dir_fd);
	return 0;
}

struct store *store_open(const char *path, char *err, size_t errlen)
{
	struct store *store = calloc(1, sizeof(*store));
	char why[256];

	if (!store) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	store->wal_fd = -1;
	pthread_mutex_init(&store->flush_lock, NULL);
	pthread_cond_init(&store->flushed_cond, NULL);
	if (sqlite3_open_v2(path, &store->db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(why, sizeof(why), "%s",
			 store->db ? sqlite3_errmsg(store->db) : "no memory");
		goto fail;
	}
	if (exec_sql(store, pragmas_sql, why, sizeof(why)) < 0 ||
	    check_schema_version(store, why, sizeof(why)) < 0 ||
	    exec_sql(store, schema_sql, why, sizeof(why)) < 0 ||
	    prepare_all(store, why, sizeof(why)) < 0 ||
	    load_next_seq(store, why, sizeof(why)) < 0 ||
	    open_wal(store, path, why, sizeof(why)) < 0)
		goto fail;
	return store;
fail:
	snprintf(err, errlen, "lease store %s: %s", path, why);
	store_close(store);
	return NULL;
}

void store_close(struct store *store)
{
	if (!store)
		return;
	for (int i = 0; i < ST_COUNT_ALL; i++)
		sqlite3_finalize(store->stmt[i]);
	sqlite3_close(store->db);
	if (store->wal_fd >= 0)
		close(store->wal_fd);
	pthread_cond_destroy(&store->flushed_cond);
	pthread_mutex_destroy(&store->flush_lock);
	free(store);
}

uint64_t store_next_seq(struct store *store)
{
	return store->next_seq;
}

static int step_done(struct store *store, enum stmt_id id, const char *what)
{
	sqlite3_stmt *stmt = store->stmt[id];
	int rc = sqlite3_step(stmt);

	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	if (rc != SQLITE_DONE) {
		log_db_error(store, what);
		return -1;
	}
	return 0;
}

int store_begin(struct store *store)
{
	clock_gettime(CLOCK_MONOTONIC, &store->begun);
	return step_done(store, ST_BEGIN, "begin");
}

static uint64_t elapsed_us(const struct timespec *since)
{
	struct timespec now;
	int64_t us;

	clock_gettime(CLOCK_MONOTONIC, &now);
	us = (int64_t)(now.tv_sec - since->tv_sec) * 1000000 +
	     (now.tv_nsec - since->tv_nsec) / 1000;
	return us > 0 ? (uint64_t)us : 0;
}

static void note_latency(struct latency *l, uint64_t us)
{
	l->count++;
	l->last_us = us;
	l->total_us += us;
	if (us > l->max_us)
		l->max_us = us;
}

int store_commit(struct store *store, uint64_t *commit_no)
{
	if (step_done(store, ST_COMMIT, "commit") < 0) {
		store_rollback(store);
		return -1;
	}
	note_latency(&store->commit_stats, elapsed_us(&store->begun));
	*commit_no = atomic_fetch_add(&store->committed, 1) + 1;
	return 0;
}

int store_flush(struct store *store, uint64_t commit_no)
{
	struct timespec started;
	uint64_t target;
	int rc = 0;

	pthread_mutex_lock(&store->flush_lock);
	while (rc == 0 && store->flushed < commit_no) {
		if (store->flushing) {
			pthread_cond_wait(&store->flushed_cond,
					  &store->flush_lock);
			continue;
		}
		store->flushing = true;
		target = atomic_load(&store->committed);
		pthread_mutex_unlock(&store->flush_lock);
		clock_gettime(CLOCK_MONOTONIC, &started);
		rc = fdatasync(store->wal_fd);
		if (rc != 0)
			DBG1(LOG_APP, "lease store: fdatasync failed: %s",
			     strerror(errno));
		pthread_mutex_lock(&store->flush_lock);
		note_latency(&store->flush_stats, elapsed_us(&started));
		store->flushing = false;
		if (rc == 0 && target > store->flushed)
			store->flushed = target;
		pthread_cond_broadcast(&store->flushed_cond);
	}
	pthread_mutex_unlock(&store->flush_lock);
	return rc == 0 ? 0 : -1;
}

void store_rollback(struct store *store)
{
	/* After a failed COMMIT SQLite may already have rolled back. */
	if (!sqlite3_get_autocommit(store->db))
		step_done(store, ST_ROLLBACK, "rollback");
	/* Sequence numbers handed out in the lost transaction stay unused;
	 * only their order matters. */
}

void store_get_stats(struct store *store, struct store_stats *out)
{
	out->commit = store->commit_stats;
	pthread_mutex_lock(&store->flush_lock);
	out->flush = store->flush_stats;
	pthread_mutex_unlock(&store->flush_lock);
}

static void bind_addr(sqlite3_stmt *stmt, int index, const struct ipaddr *a)
{
	sqlite3_bind_blob(stmt, index, a->b, a->len, SQLITE_TRANSIENT);
}

static void bind_range(sqlite3_stmt *stmt, int first_index,
		       const struct pool_range *range)
{
	struct ipaddr last;

	pool_range_last(range, &last);
	sqlite3_bind_int(stmt, first_index, range->first.len);
	bind_addr(stmt, first_index + 1, &range->first);
	bind_addr(stmt, first_index + 2, &last);
}

/* Reads a row of (address, identity, online, seq); false when the row
 * holds something no Cygnet version writes. */
static bool read_lease(sqlite3_stmt *stmt, struct lease *out)
{
	const void *addr = sqlite3_column_blob(stmt, 0);
	int addr_len = sqlite3_column_bytes(stmt, 0);
	const unsigned char *id = sqlite3_column_text(stmt, 1);
	int id_len = sqlite3_column_bytes(stmt, 1);
	sqlite3_int64 online = sqlite3_column_int64(stmt, 2);

	if (!addr || !ipaddr_from_bytes(addr, (size_t)addr_len, &out->addr) ||
	    !id || id_len >= LEASE_ID_MAX || online < 0 || online > UINT32_MAX)
		return false;
	memcpy(out->identity, id, (size_t)id_len);
	out->identity[id_len] = '\0';
	out->online = (uint32_t)online;
	out->seq = (uint64_t)sqlite3_column_int64(stmt, 3);
	return true;
}

/* Steps a query expected to return at most one lease. */
static int step_one(struct store *store, enum stmt_id id, const char *what,
		    struct lease *out)
{
	sqlite3_stmt *stmt = store->stmt[id];
	int rc = sqlite3_step(stmt);
	int found = 0;

	if (rc == SQLITE_ROW) {
		found = read_lease(stmt, out) ? 1 : -1;
		if (found < 0)
			DBG1(LOG_APP, "lease store: %s: malformed row", what);
	} else if (rc != SQLITE_DONE) {
		log_db_error(store, what);
		found = -1;
	}
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return found;
}

int store_get(struct store *store, const struct ipaddr *addr,
	      struct lease *out)
{
	bind_addr(store->stmt[ST_GET], 1, addr);
	return step_one(store, ST_GET, "lookup", out);
}

int store_find_offline_of(struct store *store, const struct pool_range *range,
			  const char *identity, const struct ipaddr *preferred,
			  struct lease *out)
{
	sqlite3_stmt *stmt = store->stmt[ST_OFFLINE_OF];

	sqlite3_bind_text(stmt, 1, identity, -1, SQLITE_TRANSIENT);
	bind_range(stmt, 2, range);
	if (preferred)
		bind_addr(stmt, 5, preferred);
	return step_one(store, ST_OFFLINE_OF, "offline lookup", out);
}

int store_find_oldest_offline(struct store *store,
			      const struct pool_range *range,
			      struct lease *out)
{
	bind_range(store->stmt[ST_OLDEST_OFFLINE], 1, range);
	return step_one(store, ST_OLDEST_OFFLINE, "oldest offline lookup",
			out);
}

int store_put(struct store *store, const struct lease *lease)
{
	sqlite3_stmt *stmt = store->stmt[ST_PUT];

	bind_addr(stmt, 1, &lease->addr);
	sqlite3_bind_text(stmt, 2, lease->identity, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 3, lease->online);
	sqlite3_bind_int64(stmt, 4, (sqlite3_int64)lease->seq);
	if (lease->seq >= store->next_seq)
		store->next_seq = lease->seq + 1;
	return step_done(store, ST_PUT, "write");
}

int store_count(struct store *store, const struct pool_range *range,
		uint64_t *online, uint64_t *offline)
{
	sqlite3_stmt *stmt = store->stmt[ST_COUNT];
	int rc;

	bind_range(stmt, 1, range);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		*online = (uint64_t)sqlite3_column_int64(stmt, 0);
		*offline = (uint64_t)sqlite3_column_int64(stmt, 1);
	}
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	if (rc != SQLITE_ROW) {
		log_db_error(store, "count");
		return -1;
	}
	return 0;
}

static int foreach_row(struct store *store, enum stmt_id id,
		       store_lease_fn fn, void *arg)
{
	sqlite3_stmt *stmt = store->stmt[id];
	struct lease lease;
	int rc;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (!read_lease(stmt, &lease)) {
			DBG1(LOG_APP, "lease store: skipping a malformed row");
			continue;
		}
		if (fn(arg, &lease) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	if (rc != SQLITE_DONE) {
		log_db_error(store, "listing");
		return -1;
	}
	return 0;
}

int store_foreach_in(struct store *store, const struct pool_range *range,
		     store_lease_fn fn, void *arg)
{
	bind_range(store->stmt[ST_IN_RANGE], 1, range);
	return foreach_row(store, ST_IN_RANGE, fn, arg);
}

int store_foreach_online(struct store *store, store_lease_fn fn, void *arg)
{
	return foreach_row(store, ST_ONLINE, fn, arg);
}
