/* Lease behaviour over a real store: the seed's sequence, exhaustion,
 * reuse of offline leases oldest first, requested addresses, restarts,
 * IPv6 /64 pools, reloads and concurrent acquires. */
#include <check.h>
#include <pthread.h>

#include "pool_test.h"
#include "testmain.h"

#define SEED_POOLS \
	"pools {\n" \
	"  ipv4 { addrs = 192.0.2.64/26\n dns = 192.0.2.1 }\n" \
	"  ipv6 { addrs = 2001:db8:4407:1::/122 }\n" \
	"}\n"

static const char *const both[] = { "ipv4", "ipv6" };
static char dir[64];
static struct leases *leases;

static void set_pools(const char *text)
{
	struct pool_defs defs;
	char err[512] = "";

	ck_assert_msg(pool_defs_from(text, &defs, err, sizeof(err)) == 0,
		      "%s", err);
	ck_assert_msg(leases_set_pools(leases, &defs, err, sizeof(err)) == 0,
		      "%s", err);
}

/* Reload that must be refused with a message containing want. */
static void set_pools_refused(const char *text, const char *want)
{
	struct pool_defs defs;
	char err[512] = "";

	ck_assert_int_eq(pool_defs_from(text, &defs, err, sizeof(err)), 0);
	ck_assert_int_eq(leases_set_pools(leases, &defs, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, want), "got '%s', want '%s'", err, want);
	pool_defs_free(&defs);
}

static void open_store(void)
{
	char path[128], err[256] = "";

	snprintf(path, sizeof(path), "%s/leases.db", dir);
	leases = leases_open(path, err, sizeof(err));
	ck_assert_msg(leases != NULL, "%s", err);
}

static void setup(void)
{
	pool_scratch(dir, sizeof(dir));
	open_store();
	set_pools(SEED_POOLS);
}

static void teardown(void)
{
	leases_close(leases);
	leases = NULL;
	pool_scratch_remove(dir);
}

static void restart(void)
{
	leases_close(leases);
	open_store();
	set_pools(SEED_POOLS);
}

static const char *acquire(const char *id, const char *requested,
			   enum lease_how *how)
{
	static char text[IPADDR_STRLEN];
	struct ipaddr req = pool_ip(requested);
	struct lease_grant grant;
	char err[256] = "";

	ck_assert_msg(leases_acquire(leases, both, 2, id, &req, &grant, err,
				     sizeof(err)) == ACQUIRE_OK,
		      "%s: %s", id, err);
	if (how)
		*how = grant.how;
	ipaddr_format(&grant.addr, text, sizeof(text));
	lease_grant_clear(&grant);
	return text;
}

static void release(const char *id, const char *addr, int want_rc,
		    bool want_offline)
{
	struct ipaddr a = pool_ip(addr);
	bool offline;

	ck_assert_int_eq(leases_release(leases, id, &a, &offline), want_rc);
	ck_assert_int_eq(offline, want_offline);
}

static struct pool_status pool_named(const char *name)
{
	struct pool_status *all, found = { .size = 0 };
	size_t count;

	ck_assert_int_eq(leases_pool_status(leases, &all, &count), 0);
	for (size_t i = 0; i < count; i++) {
		if (strcmp(all[i].name, name) == 0)
			found = all[i];
	}
	free(all);
	ck_assert_msg(found.size, "no pool %s", name);
	return found;
}

static void assert_counts(const char *pool, uint64_t online,
			  uint64_t offline)
{
	struct pool_status s = pool_named(pool);

	ck_assert_uint_eq(s.online, online);
	ck_assert_uint_eq(s.offline, offline);
}

START_TEST(seed_sequence)
{
	const char *mijas = "C=CH, O=strongSec GmbH, CN=mijas.strongsec.com";
	struct pool_log log;
	enum lease_how how;

	pool_log_start(&log);
	ck_assert_str_eq(acquire(mijas, "0.0.0.0", &how), "192.0.2.65");
	ck_assert_int_eq(how, LEASE_NEW);
	ck_assert_str_eq(acquire(mijas, "::", NULL), "2001:db8:4407:1::1");
	release(mijas, "192.0.2.65", 1, true);
	release(mijas, "2001:db8:4407:1::1", 1, true);
	ck_assert_str_eq(acquire("Andreas Steffen", "0.0.0.0", NULL),
			 "192.0.2.66");
	ck_assert_str_eq(acquire("Andreas Steffen", "::", NULL),
			 "2001:db8:4407:1::2");
	assert_counts("ipv4", 1, 1);
	assert_counts("ipv6", 1, 1);
	release("Andreas Steffen", "2001:db8:4407:1::2", 1, true);
	release("Andreas Steffen", "192.0.2.66", 1, true);
	assert_counts("ipv4", 0, 2);
	ck_assert_str_eq(acquire("Andreas Steffen", "0.0.0.0", &how),
			 "192.0.2.66");
	ck_assert_int_eq(how, LEASE_REASSIGNED_OFFLINE);
	pool_log_stop();
	ck_assert_msg(strstr(log.text,
			     "assigning new lease to 'Andreas Steffen'\n"),
		      "%s", log.text);
	ck_assert_msg(strstr(log.text, "lease 2001:db8:4407:1::2 by 'Andreas "
			     "Steffen' went offline\n"), "%s", log.text);
	ck_assert_msg(strstr(log.text, "lease 192.0.2.66 by 'Andreas Steffen' "
			     "went offline\n"), "%s", log.text);
	ck_assert_msg(strstr(log.text, "reassigning offline lease to 'Andreas "
			     "Steffen'\n"), "%s", log.text);
}
END_TEST

START_TEST(attributes_come_with_the_lease)
{
	struct ipaddr any = pool_ip("0.0.0.0");
	struct lease_grant grant;
	char err[256];

	ck_assert_int_eq(leases_acquire(leases, both, 2, "a", &any, &grant, err,
					sizeof(err)), ACQUIRE_OK);
	ck_assert_str_eq(grant.pool, "ipv4");
	ck_assert_uint_eq(grant.n_attrs, 1);
	ck_assert_uint_eq(grant.attrs[0].type, 3);
	lease_grant_clear(&grant);
}
END_TEST

START_TEST(exhaustion_and_takeover)
{
	const char *const small[] = { "small" };
	struct ipaddr any = pool_ip("0.0.0.0");
	struct lease_grant grant;
	struct pool_log log;
	char err[256];

	set_pools("pools { small { addrs = 198.51.100.8/30 } }");
	ck_assert_int_eq(leases_acquire(leases, small, 1, "a", &any, &grant,
					err, sizeof(err)), ACQUIRE_OK);
	ck_assert_int_eq(leases_acquire(leases, small, 1, "b", &any, &grant,
					err, sizeof(err)), ACQUIRE_OK);
	pool_log_start(&log);
	ck_assert_int_eq(leases_acquire(leases, small, 1, "c", &any, &grant,
					err, sizeof(err)), ACQUIRE_EXHAUSTED);
	ck_assert_str_eq(err, "pool 'small' is full");
	ck_assert_msg(strstr(log.text, "pool 'small' is full, unable to assign "
			     "address"), "%s", log.text);
	ck_assert_uint_eq(pool_named("small").exhausted, 1);

	release("a", "198.51.100.9", 1, true);
	ck_assert_int_eq(leases_acquire(leases, small, 1, "c", &any, &grant,
					err, sizeof(err)), ACQUIRE_OK);
	pool_log_stop();
	ck_assert_int_eq(grant.how, LEASE_TAKEN_OVER);
	ck_assert_mem_eq(grant.addr.b, pool_ip("198.51.100.9").b, 4);
	ck_assert_msg(strstr(log.text, "reassigning existing offline lease by "
			     "'a' to 'c'"), "%s", log.text);
	assert_counts("small", 2, 0);
	/* a lost its lease: it gets nothing now, not c's address */
	ck_assert_int_eq(leases_acquire(leases, small, 1, "a", &any, &grant,
					err, sizeof(err)), ACQUIRE_EXHAUSTED);
}
END_TEST

START_TEST(pools_in_order)
{
	const char *const names[] = { "nope", "first", "second" };
	struct ipaddr any = pool_ip("0.0.0.0");
	struct lease_grant grant;
	char err[256];

	set_pools("pools { first { addrs = 198.51.100.1/32 }\n"
		  "second { addrs = 198.51.100.2/32 } }");
	ck_assert_int_eq(leases_acquire(leases, names, 3, "a", &any, &grant,
					err, sizeof(err)), ACQUIRE_OK);
	ck_assert_str_eq(grant.pool, "first");
	ck_assert_int_eq(leases_acquire(leases, names, 3, "b", &any, &grant,
					err, sizeof(err)), ACQUIRE_OK);
	ck_assert_str_eq(grant.pool, "second");
	ck_assert_int_eq(leases_acquire(leases, names, 3, "c", &any, &grant,
					err, sizeof(err)), ACQUIRE_EXHAUSTED);
	ck_assert_str_eq(err, "pools 'first', 'second' are full");
	/* the one that went offline first is taken over, in either pool */
	release("b", "198.51.100.2", 1, true);
	release("a", "198.51.100.1", 1, true);
	ck_assert_int_eq(leases_acquire(leases, names, 3, "c", &any, &grant,
					err, sizeof(err)), ACQUIRE_OK);
	ck_assert_str_eq(grant.pool, "second");
}
END_TEST

START_TEST(offline_reused_oldest_first)
{
	ck_assert_str_eq(acquire("a", "0.0.0.0", NULL), "192.0.2.65");
	ck_assert_str_eq(acquire("b", "0.0.0.0", NULL), "192.0.2.66");
	ck_assert_str_eq(acquire("c", "0.0.0.0", NULL), "192.0.2.67");
	set_pools("pools { ipv4 { addrs = 192.0.2.65-192.0.2.67 }\n"
		  "ipv6 { addrs = 2001:db8:4407:1::/122 } }");
	release("b", "192.0.2.66", 1, true);
	release("c", "192.0.2.67", 1, true);
	release("a", "192.0.2.65", 1, true);
	/* the order survives a restart: it is stored, not kept in memory */
	leases_close(leases);
	open_store();
	set_pools("pools { ipv4 { addrs = 192.0.2.65-192.0.2.67 }\n"
		  "ipv6 { addrs = 2001:db8:4407:1::/122 } }");
	ck_assert_str_eq(acquire("d", "0.0.0.0", NULL), "192.0.2.66");
	ck_assert_str_eq(acquire("e", "0.0.0.0", NULL), "192.0.2.67");
	ck_assert_str_eq(acquire("a", "0.0.0.0", NULL), "192.0.2.65");
}
END_TEST

START_TEST(same_identity_after_restart)
{
	enum lease_how how;

	ck_assert_str_eq(acquire("a", "0.0.0.0", NULL), "192.0.2.65");
	ck_assert_str_eq(acquire("b", "0.0.0.0", NULL), "192.0.2.66");
	ck_assert_str_eq(acquire("b", "::", NULL), "2001:db8:4407:1::1");
	release("a", "192.0.2.65", 1, true);
	restart();
	assert_counts("ipv4", 1, 1);
	assert_counts("ipv6", 1, 0);
	ck_assert_str_eq(acquire("c", "0.0.0.0", NULL), "192.0.2.67");
	ck_assert_str_eq(acquire("a", "0.0.0.0", &how), "192.0.2.65");
	ck_assert_int_eq(how, LEASE_REASSIGNED_OFFLINE);
	/* b asks again for the address it holds: same lease, held twice */
	ck_assert_str_eq(acquire("b", "192.0.2.66", &how), "192.0.2.66");
	ck_assert_int_eq(how, LEASE_REASSIGNED_ONLINE);
	release("b", "192.0.2.66", 1, false);
	release("b", "192.0.2.66", 1, true);
	release("b", "192.0.2.66", 0, false);
	release("x", "192.0.2.65", 0, false);
	release("a", "192.0.2.100", 0, false);
}
END_TEST

START_TEST(requested_address)
{
	enum lease_how how;

	ck_assert_str_eq(acquire("a", "192.0.2.100", &how), "192.0.2.100");
	ck_assert_int_eq(how, LEASE_NEW);
	ck_assert_str_eq(acquire("b", "192.0.2.100", NULL), "192.0.2.65");
	release("b", "192.0.2.65", 1, true);
	/* another identity's offline lease is not free */
	ck_assert_str_eq(acquire("c", "192.0.2.65", NULL), "192.0.2.66");
	/* outside the pool: a new address */
	ck_assert_str_eq(acquire("d", "198.51.100.1", NULL), "192.0.2.67");
	ck_assert_str_eq(acquire("e", "2001:db8:4407:1::30", NULL),
			 "2001:db8:4407:1::30");
	/* the cursor skips what was requested ahead of it */
	for (int i = 68; i < 100; i++)
		acquire("f", "0.0.0.0", NULL);
	ck_assert_str_eq(acquire("g", "0.0.0.0", NULL), "192.0.2.101");
}
END_TEST

START_TEST(bad_requests)
{
	const char *const nope[] = { "nope" };
	const char *const v4only[] = { "ipv4" };
	struct ipaddr any = pool_ip("0.0.0.0"), any6 = pool_ip("::");
	struct ipaddr bad = { .len = 5 };
	struct lease_grant grant;
	char err[256];

	ck_assert_int_eq(leases_acquire(leases, nope, 1, "a", &any, &grant, err,
					sizeof(err)), ACQUIRE_INVALID);
	ck_assert_str_eq(err, "no pool named nope");
	ck_assert_int_eq(leases_acquire(leases, both, 2, "", &any, &grant, err,
					sizeof(err)), ACQUIRE_INVALID);
	ck_assert_int_eq(leases_acquire(leases, both, 2, "a", &bad, &grant, err,
					sizeof(err)), ACQUIRE_INVALID);
	ck_assert_int_eq(leases_acquire(leases, v4only, 1, "a", &any6, &grant,
					err, sizeof(err)), ACQUIRE_EXHAUSTED);
	ck_assert_str_eq(err, "no pool of the requested address family");
}
END_TEST

START_TEST(ipv6_slash64)
{
	const char *const v6[] = { "v6" };
	struct ipaddr req = pool_ip("2001:db8:1:2::ffff:fffe");
	struct lease_grant grant;
	char err[256];

	set_pools("pools { v6 { addrs = 2001:db8:1:2::/64 } }");
	ck_assert_uint_eq(pool_named("v6").size, POOL_SIZE_MAX - 2);
	ck_assert_int_eq(leases_acquire(leases, v6, 1, "a", &req, &grant, err,
					sizeof(err)), ACQUIRE_OK);
	ck_assert_mem_eq(grant.addr.b, req.b, 16);
	req = pool_ip("::");
	ck_assert_int_eq(leases_acquire(leases, v6, 1, "b", &req, &grant, err,
					sizeof(err)), ACQUIRE_OK);
	ck_assert_mem_eq(grant.addr.b, pool_ip("2001:db8:1:2::1").b, 16);
	/* beyond the first /96: not part of the pool */
	req = pool_ip("2001:db8:1:2:0:1::5");
	ck_assert_int_eq(leases_acquire(leases, v6, 1, "c", &req, &grant, err,
					sizeof(err)), ACQUIRE_OK);
	ck_assert_mem_eq(grant.addr.b, pool_ip("2001:db8:1:2::2").b, 16);
	assert_counts("v6", 3, 0);
}
END_TEST

START_TEST(reload_rules)
{
	const char *v4_v6_extra = SEED_POOLS
		"pools { extra { addrs = 203.0.113.0/28 } }\n";

	ck_assert_str_eq(acquire("a", "0.0.0.0", NULL), "192.0.2.65");
	ck_assert_str_eq(acquire("b", "0.0.0.0", NULL), "192.0.2.66");
	release("b", "192.0.2.66", 1, true);

	set_pools(v4_v6_extra);	/* adding is fine */
	assert_counts("ipv4", 1, 1);
	assert_counts("extra", 0, 0);

	set_pools_refused("pools { ipv6 { addrs = 2001:db8:4407:1::/122 } }",
			  "pool ipv4 has 1 online leases, unable to unload");
	set_pools_refused("pools { ipv4 { addrs = 192.0.2.66-192.0.2.70 } }\n"
			  "pools { ipv6 { addrs = 2001:db8:4407:1::/122 } }",
			  "pool ipv4 has 1 online leases outside its new addrs,"
			  " unable to replace");
	/* refused reloads kept the old pools */
	assert_counts("extra", 0, 0);
	ck_assert_str_eq(acquire("c", "0.0.0.0", NULL), "192.0.2.67");

	/* shrinking around the online leases is fine; b's offline lease
	 * drops out of the pool but stays in the store */
	release("c", "192.0.2.67", 1, true);
	set_pools("pools { ipv4 { addrs = 192.0.2.65/32 } }");
	assert_counts("ipv4", 1, 0);
	set_pools(SEED_POOLS);
	assert_counts("ipv4", 1, 2);
	ck_assert_str_eq(acquire("b", "0.0.0.0", NULL), "192.0.2.66");
}
END_TEST

START_TEST(reconcile_with_live_sas)
{
	struct live_vip live[3];
	struct pool_log log;
	uint64_t snapshot;

	acquire("a", "0.0.0.0", NULL);	/* .65 */
	acquire("b", "0.0.0.0", NULL);	/* .66 */
	acquire("c", "0.0.0.0", NULL);	/* .67 */
	snapshot = leases_snapshot(leases);
	acquire("d", "0.0.0.0", NULL);	/* .68, after the snapshot */
	live[0] = (struct live_vip){ pool_ip("192.0.2.66"), "b" };
	live[1] = (struct live_vip){ pool_ip("192.0.2.66"), "b" };
	live[2] = (struct live_vip){ pool_ip("192.0.2.90"), "e" };

	pool_log_start(&log);
	ck_assert_int_eq(leases_reconcile(leases, live, 3, snapshot), 4);
	pool_log_stop();
	ck_assert_msg(strstr(log.text, "lease 192.0.2.65 by 'a' went offline"),
		      "%s", log.text);
	ck_assert_msg(strstr(log.text, "lease 192.0.2.67 by 'c' went offline"),
		      "%s", log.text);
	/* b online twice, e restored, d untouched (changed after snapshot) */
	assert_counts("ipv4", 3, 2);
	release("b", "192.0.2.66", 1, false);
	release("b", "192.0.2.66", 1, true);
	release("e", "192.0.2.90", 1, true);
	release("d", "192.0.2.68", 1, true);

	/* an empty list after a fresh IKE start: everything goes offline */
	acquire("a", "0.0.0.0", NULL);
	ck_assert_int_eq(leases_reconcile(leases, NULL, 0,
					  leases_snapshot(leases)), 1);
	assert_counts("ipv4", 0, 5);
}
END_TEST

/* Concurrent acquires: every identity gets its own address. */
#define THREADS 8
#define PER_THREAD 6

struct worker {
	int index;
	struct ipaddr got[PER_THREAD];
	int failures;
};

static void *acquire_many(void *arg)
{
	struct worker *w = arg;
	struct ipaddr any = pool_ip("0.0.0.0");
	struct lease_grant grant;
	char id[32], err[256];

	for (int i = 0; i < PER_THREAD; i++) {
		snprintf(id, sizeof(id), "t%d-%d", w->index, i);
		if (leases_acquire(leases, both, 2, id, &any, &grant, err,
				   sizeof(err)) != ACQUIRE_OK) {
			w->failures++;
			continue;
		}
		w->got[i] = grant.addr;
		lease_grant_clear(&grant);
	}
	return NULL;
}

START_TEST(concurrent_acquires_unique)
{
	struct worker workers[THREADS];
	pthread_t threads[THREADS];

	for (int i = 0; i < THREADS; i++) {
		workers[i] = (struct worker){ .index = i };
		pthread_create(&threads[i], NULL, acquire_many, &workers[i]);
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(threads[i], NULL);
	for (int i = 0; i < THREADS * PER_THREAD; i++) {
		struct worker *a = &workers[i / PER_THREAD];

		ck_assert_int_eq(a->failures, 0);
		for (int j = i + 1; j < THREADS * PER_THREAD; j++) {
			struct worker *b = &workers[j / PER_THREAD];

			ck_assert(!ipaddr_equal(&a->got[i % PER_THREAD],
						&b->got[j % PER_THREAD]));
		}
	}
	assert_counts("ipv4", THREADS * PER_THREAD, 0);
}
END_TEST

static Suite *leases_suite(void)
{
	Suite *s = suite_create("pool leases");
	TCase *tc = tcase_create("leases");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, seed_sequence);
	tcase_add_test(tc, attributes_come_with_the_lease);
	tcase_add_test(tc, exhaustion_and_takeover);
	tcase_add_test(tc, pools_in_order);
	tcase_add_test(tc, offline_reused_oldest_first);
	tcase_add_test(tc, same_identity_after_restart);
	tcase_add_test(tc, requested_address);
	tcase_add_test(tc, bad_requests);
	tcase_add_test(tc, ipv6_slash64);
	tcase_add_test(tc, reload_rules);
	tcase_add_test(tc, reconcile_with_live_sas);
	tcase_add_test(tc, concurrent_acquires_unique);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(leases_suite)
