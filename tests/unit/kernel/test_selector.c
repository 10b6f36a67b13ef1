/* Traffic selector -> XFRM selector conversion and strongSwan's priority
 * formula, without the kernel. */
#include <netinet/in.h>

#include "kernel/selector.h"
#include "knl_test_util.h"

static struct xfrm_selector sel_of(const char *src, unsigned sp,
				   const char *dst, unsigned dp)
{
	struct knl_ts s, d;
	struct xfrm_selector sel;

	ts_prefix(&s, src, sp);
	ts_prefix(&d, dst, dp);
	selector_from_ts(&sel, &s, &d);
	return sel;
}

START_TEST(seed_priorities)
{
	struct xfrm_selector v4 = sel_of("0.0.0.0", 0, "203.0.113.66", 32);
	struct xfrm_selector v6 = sel_of("::", 0, "2001:db8::2", 128);

	ck_assert_uint_eq(selector_priority(&v4, SELECTOR_PRIO_DEFAULT),
			  383615);
	ck_assert_uint_eq(selector_priority(&v6, SELECTOR_PRIO_DEFAULT),
			  334463);
	ck_assert_uint_eq(v4.prefixlen_s, 0);
	ck_assert_uint_eq(v4.prefixlen_d, 32);
	ck_assert_uint_eq(v6.family, AF_INET6);
}
END_TEST

START_TEST(more_specific_wins)
{
	struct xfrm_selector wide = sel_of("192.0.2.0", 24, "198.51.100.0", 24);
	struct xfrm_selector narrow = sel_of("192.0.2.0", 24, "198.51.100.7",
					     32);

	ck_assert_uint_lt(selector_priority(&narrow, SELECTOR_PRIO_DEFAULT),
			  selector_priority(&wide, SELECTOR_PRIO_DEFAULT));
	/* bypass policies always beat IPsec policies */
	ck_assert_uint_lt(selector_priority(&wide, SELECTOR_PRIO_PASS),
			  selector_priority(&narrow, SELECTOR_PRIO_DEFAULT));
}
END_TEST

START_TEST(range_becomes_covering_prefix)
{
	struct knl_ts s, d;
	struct xfrm_selector sel;

	ts_prefix(&d, "198.51.100.0", 24);
	memset(&s, 0, sizeof(s));
	s.family = AF_INET;
	s.to_port = 0xffff;
	inet_pton(AF_INET, "192.0.2.10", s.from);
	inet_pton(AF_INET, "192.0.2.20", s.to);
	selector_from_ts(&sel, &s, &d);
	/* 10 = 0000 1010, 20 = 0001 0100: 27 common bits */
	ck_assert_uint_eq(sel.prefixlen_s, 27);
	ck_assert_uint_eq(((uint8_t *)&sel.saddr)[3], 0);
}
END_TEST

START_TEST(port_ranges_and_masks)
{
	struct knl_ts s, d;
	struct xfrm_selector sel;
	struct knl_ts back;

	ts_prefix(&s, "192.0.2.1", 32);
	ts_prefix(&d, "198.51.100.1", 32);
	s.proto = d.proto = IPPROTO_UDP;
	s.from_port = 1024;
	s.to_port = 2047;
	d.from_port = d.to_port = 53;
	selector_from_ts(&sel, &s, &d);
	ck_assert_uint_eq(ntohs(sel.sport), 1024);
	ck_assert_uint_eq(ntohs(sel.sport_mask), 0xfc00);
	ck_assert_uint_eq(ntohs(sel.dport), 53);
	ck_assert_uint_eq(ntohs(sel.dport_mask), 0xffff);
	selector_to_ts(&sel, true, &back);
	ck_assert_uint_eq(back.from_port, 1024);
	ck_assert_uint_eq(back.to_port, 2047);
	ck_assert_uint_eq(back.proto, IPPROTO_UDP);
}
END_TEST

START_TEST(one_side_any_protocol)
{
	struct knl_ts s, d;
	struct xfrm_selector sel;

	ts_prefix(&s, "192.0.2.0", 24);
	ts_prefix(&d, "198.51.100.0", 24);
	d.proto = IPPROTO_TCP;
	selector_from_ts(&sel, &s, &d);
	ck_assert_uint_eq(sel.proto, IPPROTO_TCP);
}
END_TEST

START_TEST(icmp_type_and_code)
{
	struct knl_ts s, d;
	struct xfrm_selector sel;
	struct knl_ts back;

	ts_prefix(&s, "192.0.2.0", 24);
	ts_prefix(&d, "198.51.100.0", 24);
	s.proto = d.proto = IPPROTO_ICMP;
	/* echo request: type 8, code 0 */
	d.from_port = d.to_port = 8 << 8;
	selector_from_ts(&sel, &s, &d);
	ck_assert_uint_eq(ntohs(sel.sport), 8);
	ck_assert_uint_eq(ntohs(sel.sport_mask), 0xffff);
	ck_assert_uint_eq(ntohs(sel.dport), 0);
	ck_assert_uint_eq(sel.dport_mask, 0);
	selector_to_ts(&sel, true, &back);
	ck_assert_uint_eq(back.from_port, 8 << 8);
}
END_TEST

START_TEST(to_ts_round_trip_ipv6)
{
	struct xfrm_selector sel = sel_of("2001:db8:1::", 48, "::", 0);
	struct knl_ts src, dst;
	struct knl_ts want;

	selector_to_ts(&sel, true, &src);
	selector_to_ts(&sel, false, &dst);
	ts_prefix(&want, "2001:db8:1::", 48);
	ck_assert_mem_eq(src.from, want.from, 16);
	ck_assert_mem_eq(src.to, want.to, 16);
	ck_assert_uint_eq(dst.to[15], 0xff);
	ck_assert_uint_eq(dst.from[0], 0);
	ck_assert_uint_eq(src.to_port, 0xffff);
}
END_TEST

static Suite *selector_suite(void)
{
	Suite *s = suite_create("kernel selectors and priorities");
	TCase *tc = tcase_create("selector");

	tcase_add_test(tc, seed_priorities);
	tcase_add_test(tc, more_specific_wins);
	tcase_add_test(tc, range_becomes_covering_prefix);
	tcase_add_test(tc, port_ranges_and_masks);
	tcase_add_test(tc, one_side_any_protocol);
	tcase_add_test(tc, icmp_type_and_code);
	tcase_add_test(tc, to_ts_round_trip_ipv6);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(selector_suite)
