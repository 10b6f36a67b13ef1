#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "ike/sa_table.h"
#include "testmain.h"

static struct ike_sa_vip vip4(const char *identity)
{
	struct ike_sa_vip v = { .addr = { 192, 0, 2, 66 }, .addr_len = 4 };

	strcpy(v.pool, "ipv4");
	strcpy(v.identity, identity);
	return v;
}

START_TEST(empty_table_lists_nothing)
{
	struct sa_table *t = sa_table_create();
	Cygnet__VirtualIpList list;

	ck_assert_int_eq(sa_table_list_vips(t, &list), 0);
	ck_assert_uint_eq(list.n_ips, 0);
	sa_table_vips_free(&list);
	sa_table_destroy(t);
}
END_TEST

START_TEST(lists_vips_of_live_sas)
{
	struct sa_table *t = sa_table_create();
	struct ike_sa_vip v = vip4("Andreas Steffen");
	struct ike_sa_vip v6 = { .addr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 },
				 .addr_len = 16, .pool = "ipv6",
				 .identity = "Andreas Steffen" };
	uint64_t a = sa_table_add(t, 0x8ab17b513b1c1514ULL, 0x80fd1986e5c0e179ULL);
	uint64_t b = sa_table_add(t, 1, 2);
	Cygnet__VirtualIpList list;

	ck_assert_uint_eq(a, 1);
	ck_assert_uint_eq(b, 2);
	ck_assert_int_eq(sa_table_add_vip(t, a, &v), 0);
	ck_assert_int_eq(sa_table_add_vip(t, a, &v6), 0);
	ck_assert_int_eq(sa_table_add_vip(t, 99, &v), -1);
	ck_assert_int_eq(sa_table_list_vips(t, &list), 0);
	ck_assert_uint_eq(list.n_ips, 2);
	ck_assert_uint_eq(list.ips[0]->ike_sa_unique_id, 1);
	ck_assert_str_eq(list.ips[0]->pool, "ipv4");
	ck_assert_str_eq(list.ips[0]->identity, "Andreas Steffen");
	ck_assert_uint_eq(list.ips[0]->address->ip.len, 4);
	ck_assert_mem_eq(list.ips[0]->address->ip.data, "\xc0\x00\x02\x42", 4);
	ck_assert_uint_eq(list.ips[1]->address->ip.len, 16);
	sa_table_vips_free(&list);

	/* An SA being deleted no longer holds its addresses. */
	ck_assert_int_eq(sa_table_set_state(t, a, IKE_SA_DELETING, "eap-tls"), 0);
	ck_assert_int_eq(sa_table_list_vips(t, &list), 0);
	ck_assert_uint_eq(list.n_ips, 0);
	sa_table_vips_free(&list);
	ck_assert_uint_eq(sa_table_count(t), 2);
	ck_assert_int_eq(sa_table_remove(t, a), 0);
	ck_assert_int_eq(sa_table_remove(t, a), -1);
	ck_assert_uint_eq(sa_table_count(t), 1);
	sa_table_destroy(t);
}
END_TEST

START_TEST(vip_limits)
{
	struct sa_table *t = sa_table_create();
	struct ike_sa_vip v = vip4("x");
	uint64_t a = sa_table_add(t, 1, 2);

	for (int i = 0; i < IKE_SA_MAX_VIPS; i++)
		ck_assert_int_eq(sa_table_add_vip(t, a, &v), 0);
	ck_assert_int_eq(sa_table_add_vip(t, a, &v), -1);
	v.addr_len = 5;
	ck_assert_int_eq(sa_table_add_vip(t, a, &v), -1);
	sa_table_destroy(t);
}
END_TEST

START_TEST(half_open_expiry)
{
	struct sa_table *t = sa_table_create();
	uint64_t old = sa_table_add(t, 1, 2), young = sa_table_add(t, 3, 4);
	uint64_t done = sa_table_add(t, 5, 6);
	struct ike_sa *sa;

	sa_table_set_state(t, old, IKE_SA_CONNECTING, "rw");
	sa_table_set_state(t, young, IKE_SA_CONNECTING, "rw");
	sa_table_set_state(t, done, IKE_SA_ESTABLISHED, "rw");
	sa = sa_table_find_spis(t, 1, 2);
	sa->created = 100;
	sa->remote.ss_family = AF_INET;
	sa_table_find_spis(t, 3, 4)->created = 200;
	sa_table_find_spis(t, 5, 6)->created = 50;
	ck_assert_uint_eq(sa_table_count_half_open(t), 2);
	ck_assert_uint_eq(sa_table_expire_half_open(t, 150), 1);
	ck_assert_ptr_null(sa_table_find_spis(t, 1, 2));
	ck_assert_ptr_nonnull(sa_table_find_spis(t, 3, 4));
	/* Established SAs are not touched, whatever their age. */
	ck_assert_ptr_nonnull(sa_table_find_spis(t, 5, 6));
	ck_assert_uint_eq(sa_table_count(t), 2);
	ck_assert_uint_eq(sa_table_count_half_open(t), 1);
	sa_table_destroy(t);
}
END_TEST

static struct ike_sa *established_sa(struct sa_table *t, uint64_t spi,
				     const char *conn, const char *peer)
{
	uint64_t id = sa_table_add(t, spi, spi + 1);
	struct ike_sa *sa = sa_table_find_spis(t, spi, spi + 1);

	ck_assert_ptr_nonnull(sa);
	snprintf(sa->remote_id, sizeof(sa->remote_id), "%s", peer);
	ck_assert_int_eq(sa_table_set_state(t, id, IKE_SA_ESTABLISHED, conn), 0);
	return sa;
}

/* INITIAL_CONTACT: only idle established SAs of the same connection
 * and peer identity are handed over; the busy flag keeps them. */
START_TEST(duplicates_claimed)
{
	struct sa_table *t = sa_table_create();
	struct ike_sa *mine = established_sa(t, 10, "win", "pc1");
	struct ike_sa *old = established_sa(t, 20, "win", "pc1");
	struct ike_sa *busy = established_sa(t, 30, "win", "pc1");
	struct ike_sa *out[4];

	established_sa(t, 40, "win", "pc2");
	established_sa(t, 50, "eap-tls", "pc1");
	busy->busy = true;
	ck_assert_uint_eq(sa_table_claim_duplicates(t, mine->unique_id, "win",
						    "pc1", out, 4), 1);
	ck_assert_ptr_eq(out[0], old);
	ck_assert(old->busy);
	/* Claimed ones are not claimed twice; deleting ones are reaped only
	 * when no longer busy. */
	ck_assert_uint_eq(sa_table_claim_duplicates(t, mine->unique_id, "win",
						    "pc1", out, 4), 0);
	sa_table_set_state(t, old->unique_id, IKE_SA_DELETING, NULL);
	ck_assert_uint_eq(sa_table_reap(t), 0);
	old->busy = false;
	ck_assert_uint_eq(sa_table_reap(t), 1);
	ck_assert_uint_eq(sa_table_count(t), 4);
	sa_table_destroy(t);
}
END_TEST

/* Many SAs through the hash indexes: shared initiator SPIs (different
 * responder SPIs or peers), growth, removal from the middle of probe
 * runs, and half-open lookups by SPIi and address. */
START_TEST(indexed_lookups)
{
	enum { N = 3000 };
	struct sa_table *t = sa_table_create();
	static uint64_t ids[N];
	struct sockaddr_in *in;
	struct sockaddr_storage peer = { .ss_family = AF_INET }, other = peer;
	struct ike_sa *sa;

	for (uint64_t i = 0; i < N; i++) {
		/* Every SPIi is used three times. */
		ids[i] = sa_table_add(t, 1000 + i / 3, 7 + i);
		ck_assert_uint_eq(ids[i], i + 1);
	}
	ck_assert_uint_eq(sa_table_count(t), N);
	for (uint64_t i = 0; i < N; i++) {
		sa = sa_table_find_spis(t, 1000 + i / 3, 7 + i);
		ck_assert_ptr_nonnull(sa);
		ck_assert_uint_eq(sa->unique_id, ids[i]);
		ck_assert_ptr_null(sa_table_find_spis(t, 1000 + i / 3, 7 + N + i));
	}
	/* Every other one goes (every state change finds its SA by id). */
	for (uint64_t i = 0; i < N; i += 2)
		ck_assert_int_eq(sa_table_remove(t, ids[i]), 0);
	ck_assert_int_eq(sa_table_remove(t, ids[0]), -1);
	for (uint64_t i = 0; i < N; i++) {
		sa = sa_table_find_spis(t, 1000 + i / 3, 7 + i);
		if (i % 2 == 0) {
			ck_assert_ptr_null(sa);
			ck_assert_int_eq(sa_table_set_state(t, ids[i],
							    IKE_SA_ESTABLISHED, NULL), -1);
		} else {
			ck_assert_ptr_nonnull(sa);
			ck_assert_int_eq(sa_table_set_state(t, ids[i],
							    IKE_SA_ESTABLISHED, NULL), 0);
		}
	}
	/* Half open: the same SPIi from two peers, only one CONNECTING. */
	in = (struct sockaddr_in *)&peer;
	in->sin_addr.s_addr = htonl(0xc0000202);
	in = (struct sockaddr_in *)&other;
	in->sin_addr.s_addr = htonl(0xc0000203);
	sa = sa_table_find_spis(t, 1000 + 1 / 3, 8);
	sa->remote = peer;
	sa_table_set_state(t, sa->unique_id, IKE_SA_CONNECTING, "rw");
	sa_table_add(t, 1000, 0);
	sa_table_find_spis(t, 1000, 0)->remote = other;
	ck_assert_ptr_eq(sa_table_find_half_open(t, 1000, &peer), sa);
	ck_assert_ptr_null(sa_table_find_half_open(t, 1000, &other));
	ck_assert_ptr_null(sa_table_find_half_open(t, 1001, &peer));
	ck_assert_uint_eq(sa_table_count_half_open_from(t, &peer), 1);
	ck_assert_uint_eq(sa_table_count_half_open_from(t, &other), 0);
	sa_table_destroy(t);
}
END_TEST

static Suite *sa_table_suite(void)
{
	Suite *s = suite_create("ike_sa_table");
	TCase *tc = tcase_create("sa_table");

	tcase_add_test(tc, empty_table_lists_nothing);
	tcase_add_test(tc, lists_vips_of_live_sas);
	tcase_add_test(tc, vip_limits);
	tcase_add_test(tc, half_open_expiry);
	tcase_add_test(tc, duplicates_claimed);
	tcase_add_test(tc, indexed_lookups);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(sa_table_suite)
