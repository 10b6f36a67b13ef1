/* IKE_SA lifetimes: charon's arithmetic of reauth_time, rand_time and
 * over_time, and the queue handing out events earliest first. */
#include <stdlib.h>

#include "ike/lifetime.h"
#include "testmain.h"

START_TEST(seed_times)
{
	/* The seed: reauth_time 10800s, no rekeying, over_time and
	 * rand_time 10% of it; a jitter of 424s gives its 10376s / 11456s. */
	struct conn_cfg conn = { .reauth_time = 10800, .over_time = 1080,
				 .rand_time = 1080 };
	struct ike_times t;

	lifetime_compute(&conn, 424, 7, &t);
	ck_assert_int_eq(t.reauth, 10376);
	ck_assert_int_eq(t.rekey, 0);
	ck_assert_int_eq(t.expire, 11456);
	ck_assert_int_eq(t.over, 1080);
	/* The jitter stays below rand_time. */
	lifetime_compute(&conn, 1080 + 5, 0, &t);
	ck_assert_int_eq(t.reauth, 10795);
}
END_TEST

START_TEST(earlier_of_rekey_and_reauth)
{
	struct conn_cfg conn = { .reauth_time = 7200, .rekey_time = 3600,
				 .over_time = 360 };
	struct ike_times t;

	lifetime_compute(&conn, 99, 99, &t);
	ck_assert_int_eq(t.reauth, 7200);	/* no rand_time, no jitter */
	ck_assert_int_eq(t.rekey, 3600);
	ck_assert_int_eq(t.expire, 3960);
	conn.rekey_time = 0;
	conn.reauth_time = 0;
	lifetime_compute(&conn, 1, 1, &t);
	ck_assert_int_eq(t.expire, 0);
}
END_TEST

START_TEST(jitter_larger_than_time)
{
	struct conn_cfg conn = { .reauth_time = 100, .rand_time = 500 };
	struct ike_times t;

	lifetime_compute(&conn, 499, 0, &t);
	ck_assert_int_gt(t.reauth, 0);
	ck_assert_int_le(t.reauth, 100);
}
END_TEST

START_TEST(queue_earliest_first)
{
	static const time_t dues[] = { 50, 10, 40, 10, 30, 20, 60, 5 };
	struct lifetime_queue q;
	struct lifetime_event e;
	time_t last = 0;
	size_t n = 0;

	ck_assert_int_eq(lifetime_queue_init(&q), 0);
	for (size_t i = 0; i < sizeof(dues) / sizeof(dues[0]); i++) {
		e = (struct lifetime_event){ .due = dues[i], .unique_id = i + 1 };
		ck_assert_int_eq(lifetime_queue_push(&q, &e), 0);
	}
	ck_assert(!lifetime_queue_pop_due(&q, 4, &e));
	while (lifetime_queue_pop_due(&q, 45, &e)) {
		ck_assert_int_ge(e.due, last);
		last = e.due;
		n++;
	}
	ck_assert_uint_eq(n, 6);
	ck_assert(lifetime_queue_pop_due(&q, 1000, &e));
	ck_assert_int_eq(e.due, 50);
	ck_assert(lifetime_queue_pop_due(&q, 1000, &e));
	ck_assert_int_eq(e.due, 60);
	ck_assert(!lifetime_queue_pop_due(&q, 1000, &e));
	lifetime_queue_destroy(&q);
}
END_TEST

START_TEST(queue_grows)
{
	struct lifetime_queue q;
	struct lifetime_event e;

	ck_assert_int_eq(lifetime_queue_init(&q), 0);
	for (int i = 1000; i > 0; i--) {
		e = (struct lifetime_event){ .due = i };
		ck_assert_int_eq(lifetime_queue_push(&q, &e), 0);
	}
	for (int i = 1; i <= 1000; i++) {
		ck_assert(lifetime_queue_pop_due(&q, 1000, &e));
		ck_assert_int_eq(e.due, i);
	}
	lifetime_queue_destroy(&q);
}
END_TEST

static Suite *lifetime_suite(void)
{
	Suite *s = suite_create("ike_lifetime");
	TCase *tc = tcase_create("lifetime");

	tcase_add_test(tc, seed_times);
	tcase_add_test(tc, earlier_of_rekey_and_reauth);
	tcase_add_test(tc, jitter_larger_than_time);
	tcase_add_test(tc, queue_earliest_first);
	tcase_add_test(tc, queue_grows);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(lifetime_suite)
