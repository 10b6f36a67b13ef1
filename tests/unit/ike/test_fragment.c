#include <stdlib.h>
#include <string.h>

#include "ike/fragment.h"
#include "ike/payload.h"
#include "testmain.h"

static struct frag_budget budget;
static struct reassembly r;
static uint8_t message[8192];

static void setup(void)
{
	frag_budget_init(&budget, REASSEMBLY_TOTAL_MAX_DEFAULT);
	reassembly_init(&r, &budget, FRAGMENTS_MAX_DEFAULT,
			REASSEMBLY_SA_MAX_DEFAULT);
	for (size_t i = 0; i < sizeof(message); i++)
		message[i] = (uint8_t)(i * 7);
}

static void teardown(void)
{
	reassembly_reset(&r);
	ck_assert_uint_eq(budget.used, 0);
	frag_budget_destroy(&budget);
}

/* Piece i (0-based) of n over len octets of message. */
static enum frag_result add_piece(uint32_t id, size_t i, size_t n, size_t len)
{
	size_t size = (len + n - 1) / n, off = i * size;
	size_t this = off >= len ? 0 : (len - off < size ? len - off : size);

	return reassembly_add(&r, id, (uint16_t)(i + 1), (uint16_t)n,
			      i == 0 ? PL_IDI : PL_NONE, message + off, this);
}

static void assert_complete(size_t len)
{
	uint8_t first;
	size_t out_len;
	uint8_t *out = reassembly_take(&r, &out_len, &first);

	ck_assert_ptr_nonnull(out);
	ck_assert_uint_eq(out_len, len);
	ck_assert_mem_eq(out, message, len);
	ck_assert_uint_eq(first, PL_IDI);
	free(out);
	ck_assert_uint_eq(budget.used, 0);
}

START_TEST(in_order_seed_three)
{
	ck_assert_int_eq(add_piece(1, 0, 3, 1492), FRAG_WAITING);
	ck_assert_int_eq(add_piece(1, 1, 3, 1492), FRAG_WAITING);
	ck_assert_int_eq(add_piece(1, 2, 3, 1492), FRAG_COMPLETE);
	assert_complete(1492);
}
END_TEST

START_TEST(any_order_with_duplicates)
{
	ck_assert_int_eq(add_piece(5, 2, 3, 1444), FRAG_WAITING);
	ck_assert_int_eq(add_piece(5, 2, 3, 1444), FRAG_DISCARDED);
	ck_assert_int_eq(add_piece(5, 0, 3, 1444), FRAG_WAITING);
	ck_assert_int_eq(add_piece(5, 0, 3, 1444), FRAG_DISCARDED);
	ck_assert_int_eq(add_piece(5, 1, 3, 1444), FRAG_COMPLETE);
	assert_complete(1444);
}
END_TEST

START_TEST(more_than_sixteen)
{
	const size_t n = 40;

	for (size_t i = n; i-- > 1;)
		ck_assert_int_eq(add_piece(2, i, n, 6000), FRAG_WAITING);
	ck_assert_int_eq(add_piece(2, 0, n, 6000), FRAG_COMPLETE);
	assert_complete(6000);
}
END_TEST

START_TEST(retransmit_with_other_count)
{
	/* A smaller count for the same message is ignored ... */
	ck_assert_int_eq(add_piece(1, 0, 4, 2000), FRAG_WAITING);
	ck_assert_int_eq(add_piece(1, 0, 2, 2000), FRAG_DISCARDED);
	/* ... a larger one restarts the reassembly. */
	ck_assert_int_eq(add_piece(1, 0, 5, 2000), FRAG_WAITING);
	for (size_t i = 1; i < 4; i++)
		ck_assert_int_eq(add_piece(1, i, 5, 2000), FRAG_WAITING);
	ck_assert_int_eq(add_piece(1, 4, 5, 2000), FRAG_COMPLETE);
	assert_complete(2000);
}
END_TEST

START_TEST(message_ids)
{
	ck_assert_int_eq(add_piece(3, 0, 2, 1000), FRAG_WAITING);
	/* An older message's fragment is stale. */
	ck_assert_int_eq(add_piece(2, 1, 2, 1000), FRAG_DISCARDED);
	/* A newer message replaces the unfinished one. */
	ck_assert_int_eq(add_piece(4, 0, 2, 1000), FRAG_WAITING);
	ck_assert_int_eq(add_piece(3, 1, 2, 1000), FRAG_DISCARDED);
	ck_assert_int_eq(add_piece(4, 1, 2, 1000), FRAG_COMPLETE);
	assert_complete(1000);
}
END_TEST

START_TEST(bad_numbers)
{
	ck_assert_int_eq(reassembly_add(&r, 1, 0, 2, PL_IDI, message, 10), FRAG_DISCARDED);
	ck_assert_int_eq(reassembly_add(&r, 1, 3, 2, PL_IDI, message, 10), FRAG_DISCARDED);
	ck_assert_uint_eq(budget.used, 0);
}
END_TEST

START_TEST(limit_fragment_count)
{
	reassembly_init(&r, &budget, 8, REASSEMBLY_SA_MAX_DEFAULT);
	ck_assert_int_eq(add_piece(1, 0, 9, 900), FRAG_DISCARDED);
	ck_assert_int_eq(add_piece(1, 0, 8, 800), FRAG_WAITING);
}
END_TEST

START_TEST(limit_sa_bytes)
{
	reassembly_init(&r, &budget, FRAGMENTS_MAX_DEFAULT, 1000);
	ck_assert_int_eq(add_piece(1, 0, 3, 1500), FRAG_WAITING);
	ck_assert_int_eq(add_piece(1, 1, 3, 1500), FRAG_WAITING);
	ck_assert_int_eq(add_piece(1, 2, 3, 1500), FRAG_DISCARDED);
	/* The whole message was dropped, its memory returned. */
	ck_assert_uint_eq(budget.used, 0);
	ck_assert_uint_eq(r.total, 0);
}
END_TEST

START_TEST(limit_total_budget)
{
	struct reassembly other;

	budget.limit = 1200;
	reassembly_init(&other, &budget, FRAGMENTS_MAX_DEFAULT,
			REASSEMBLY_SA_MAX_DEFAULT);
	ck_assert_int_eq(add_piece(1, 0, 2, 2000), FRAG_WAITING);
	ck_assert_int_eq(reassembly_add(&other, 1, 1, 2, PL_IDI, message, 1000),
			 FRAG_DISCARDED);
	ck_assert_uint_eq(budget.used, 1000);
	reassembly_reset(&r);
	ck_assert_int_eq(reassembly_add(&other, 1, 1, 2, PL_IDI, message, 1000),
			 FRAG_WAITING);
	reassembly_reset(&other);
}
END_TEST

START_TEST(capacity)
{
	/* AES-CBC + HMAC-SHA256-128 on IPv4 port 4500 at 1280 octets. */
	struct frag_overhead cbc = { 20, 4, 16, 16, 16 };
	struct frag_overhead gcm = { 40, 0, 8, 16, 1 };
	size_t cap = fragment_capacity(1280, &cbc);

	/* 1280 - 20 - 8 - 4 - 28 - 8 - 16 - 16 = 1180 for ciphertext. */
	ck_assert_uint_eq(cap, 1180 / 16 * 16 - 1);
	ck_assert_uint_eq(fragment_capacity(1280, &gcm), 1280 - 40 - 8 - 28 - 8 - 8 - 16 - 1);
	ck_assert_uint_eq(fragment_capacity(100, &cbc), 0);
	ck_assert_uint_eq(fragment_count(3 * cap, cap, 128), 3);
	ck_assert_uint_eq(fragment_count(3 * cap + 1, cap, 128), 4);
	ck_assert_uint_eq(fragment_count(0, cap, 128), 1);
	ck_assert_uint_eq(fragment_count(200 * cap, cap, 128), 0);
	ck_assert_uint_eq(fragment_count(10, 0, 128), 0);
}
END_TEST

static Suite *fragment_suite(void)
{
	Suite *s = suite_create("ike_fragment");
	TCase *tc = tcase_create("fragment");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, in_order_seed_three);
	tcase_add_test(tc, any_order_with_duplicates);
	tcase_add_test(tc, more_than_sixteen);
	tcase_add_test(tc, retransmit_with_other_count);
	tcase_add_test(tc, message_ids);
	tcase_add_test(tc, bad_numbers);
	tcase_add_test(tc, limit_fragment_count);
	tcase_add_test(tc, limit_sa_bytes);
	tcase_add_test(tc, limit_total_budget);
	tcase_add_test(tc, capacity);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(fragment_suite)
