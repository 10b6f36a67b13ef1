/* The lease store on its own: round trips, one flush for many commits,
 * and refusals (newer schema, unusable path). */
#include <check.h>
#include <sqlite3.h>

#include "pool/store.h"
#include "pool_test.h"
#include "testmain.h"

static char dir[64];
static char path[128];

static void setup(void)
{
	pool_scratch(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/leases.db", dir);
}

static void teardown(void)
{
	pool_scratch_remove(dir);
}

static struct store *open_ok(void)
{
	char err[512] = "";
	struct store *store = store_open(path, err, sizeof(err));

	ck_assert_msg(store != NULL, "%s", err);
	return store;
}

static void put_one(struct store *store, const char *addr, const char *id,
		    uint32_t online, uint64_t *commit_no)
{
	struct lease lease = { .addr = pool_ip(addr), .online = online };

	snprintf(lease.identity, sizeof(lease.identity), "%s", id);
	lease.seq = store_next_seq(store);
	ck_assert_int_eq(store_begin(store), 0);
	ck_assert_int_eq(store_put(store, &lease), 0);
	ck_assert_int_eq(store_commit(store, commit_no), 0);
}

START_TEST(round_trip_and_reopen)
{
	struct store *store = open_ok();
	struct ipaddr unleased = pool_ip("192.0.2.9");
	struct ipaddr v6 = pool_ip("2001:db8::1");
	struct pool_range range;
	struct lease got;
	uint64_t commit_no, online, offline;
	char err[256];

	put_one(store, "192.0.2.1", "a", 1, &commit_no);
	put_one(store, "192.0.2.2", "b", 0, &commit_no);
	put_one(store, "2001:db8::1", "c", 2, &commit_no);
	ck_assert_int_eq(store_flush(store, commit_no), 0);
	store_close(store);

	store = open_ok();
	ck_assert_uint_eq(store_next_seq(store), 4);
	ck_assert_int_eq(store_get(store, &unleased, &got), 0);
	ck_assert_int_eq(store_get(store, &v6, &got), 1);
	ck_assert_str_eq(got.identity, "c");
	ck_assert_uint_eq(got.online, 2);
	/* an IPv4 range does not see the IPv6 lease, whatever its bytes */
	ck_assert_int_eq(pool_range_parse("0.0.0.0/0", &range, err,
					  sizeof(err)), 0);
	ck_assert_int_eq(store_count(store, &range, &online, &offline), 0);
	ck_assert_uint_eq(online, 1);
	ck_assert_uint_eq(offline, 1);
	ck_assert_int_eq(store_find_offline_of(store, &range, "b", NULL, &got),
			 1);
	ck_assert_str_eq(got.identity, "b");
	ck_assert_int_eq(store_find_offline_of(store, &range, "a", NULL, &got),
			 0);
	store_close(store);
}
END_TEST

START_TEST(one_flush_for_many_commits)
{
	struct store *store = open_ok();
	struct store_stats stats;
	uint64_t first, last;

	put_one(store, "192.0.2.1", "a", 1, &first);
	put_one(store, "192.0.2.2", "b", 1, &last);
	put_one(store, "192.0.2.3", "c", 1, &last);
	ck_assert_uint_eq(last, first + 2);
	ck_assert_int_eq(store_flush(store, last), 0);
	/* the earlier commits were flushed with the last one */
	ck_assert_int_eq(store_flush(store, first), 0);
	store_get_stats(store, &stats);
	ck_assert_uint_eq(stats.commit.count, 3);
	ck_assert_uint_eq(stats.flush.count, 1);
	store_close(store);
}
END_TEST

START_TEST(newer_schema_refused)
{
	struct store *store = open_ok();
	char err[512] = "";
	sqlite3 *db;

	store_close(store);
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "PRAGMA user_version = 7", NULL, NULL,
				      NULL), SQLITE_OK);
	sqlite3_close(db);
	ck_assert_ptr_null(store_open(path, err, sizeof(err)));
	ck_assert_msg(strstr(err, "written by a newer version (schema 7"),
		      "%s", err);
}
END_TEST

START_TEST(unusable_path_refused)
{
	char bad[192], err[512] = "";

	snprintf(bad, sizeof(bad), "%s/missing/leases.db", dir);
	ck_assert_ptr_null(store_open(bad, err, sizeof(err)));
	ck_assert_msg(strstr(err, "lease store ") && strstr(err, bad), "%s",
		      err);
}
END_TEST

static Suite *store_suite(void)
{
	Suite *s = suite_create("pool store");
	TCase *tc = tcase_create("store");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, round_trip_and_reopen);
	tcase_add_test(tc, one_flush_for_many_commits);
	tcase_add_test(tc, newer_schema_refused);
	tcase_add_test(tc, unusable_path_refused);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(store_suite)
