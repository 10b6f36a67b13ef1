/* Address arithmetic and the sizes of subnet and range pools. */
#include <check.h>

#include "pool/range.h"
#include "testmain.h"

static const char *fmt(const struct ipaddr *addr)
{
	static char buf[4][IPADDR_STRLEN];
	static int next;

	next = (next + 1) % 4;
	return ipaddr_format(addr, buf[next], sizeof(buf[next]));
}

static struct pool_range parse_ok(const char *text)
{
	struct pool_range range;
	char err[256] = "";

	ck_assert_msg(pool_range_parse(text, &range, err, sizeof(err)) == 0,
		      "%s: %s", text, err);
	return range;
}

static void parse_fails(const char *text, const char *reason)
{
	struct pool_range range;
	char err[256] = "";

	ck_assert_int_eq(pool_range_parse(text, &range, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, reason), "%s: got '%s', want '%s'", text,
		      err, reason);
}

START_TEST(add_and_sub_carry)
{
	struct ipaddr a, b;
	uint64_t off;

	ck_assert(ipaddr_parse("192.0.2.255", &a));
	ck_assert(ipaddr_add(&a, 1, &b));
	ck_assert_str_eq(fmt(&b), "192.0.3.0");
	ck_assert(ipaddr_sub(&b, &a, &off));
	ck_assert_uint_eq(off, 1);
	ck_assert(!ipaddr_sub(&a, &b, &off));

	ck_assert(ipaddr_parse("255.255.255.255", &a));
	ck_assert(!ipaddr_add(&a, 1, &b));

	ck_assert(ipaddr_parse("2001:db8::ffff:ffff:ffff:ffff", &a));
	ck_assert(ipaddr_add(&a, 2, &b));
	ck_assert_str_eq(fmt(&b), "2001:db8:0:1::1");
	ck_assert(ipaddr_sub(&b, &a, &off));
	ck_assert_uint_eq(off, 2);
}
END_TEST

START_TEST(sub_rejects_huge_and_mixed)
{
	struct ipaddr a, b;
	uint64_t off;

	ck_assert(ipaddr_parse("2001:db8::", &a));
	ck_assert(ipaddr_parse("2001:db9::", &b));
	ck_assert(!ipaddr_sub(&b, &a, &off));	/* 2^80 apart */
	ck_assert(ipaddr_parse("192.0.2.1", &b));
	ck_assert(!ipaddr_sub(&b, &a, &off));
}
END_TEST

START_TEST(subnet_like_charon)
{
	/* the seed's /26 and /122: "added vici pool ipv4: ..., 62 entries" */
	struct pool_range r = parse_ok("192.0.2.64/26");
	struct ipaddr last;

	ck_assert_str_eq(fmt(&r.base), "192.0.2.64");
	ck_assert_str_eq(fmt(&r.first), "192.0.2.65");
	ck_assert_uint_eq(r.size, 62);
	pool_range_last(&r, &last);
	ck_assert_str_eq(fmt(&last), "192.0.2.126");

	r = parse_ok("2001:db8:4407:1::/122");
	ck_assert_str_eq(fmt(&r.first), "2001:db8:4407:1::1");
	ck_assert_uint_eq(r.size, 62);
}
END_TEST

START_TEST(subnet_base_inside)
{
	/* a base inside the subnet starts there and still skips broadcast */
	struct pool_range r = parse_ok("192.0.2.5/24");

	ck_assert_str_eq(fmt(&r.first), "192.0.2.5");
	ck_assert_uint_eq(r.size, 250);
	parse_fails("192.0.2.255/24", "empty range");
}
END_TEST

START_TEST(subnet_tiny)
{
	struct pool_range r = parse_ok("192.0.2.8/30");

	ck_assert_str_eq(fmt(&r.first), "192.0.2.9");
	ck_assert_uint_eq(r.size, 2);
	r = parse_ok("192.0.2.8/31");
	ck_assert_str_eq(fmt(&r.first), "192.0.2.8");
	ck_assert_uint_eq(r.size, 2);
	r = parse_ok("192.0.2.9/31");
	ck_assert_uint_eq(r.size, 1);
	r = parse_ok("192.0.2.7/32");
	ck_assert_str_eq(fmt(&r.first), "192.0.2.7");
	ck_assert_uint_eq(r.size, 1);
	r = parse_ok("192.0.2.7");
	ck_assert_uint_eq(r.size, 1);
}
END_TEST

START_TEST(subnet_limits)
{
	struct pool_range r = parse_ok("0.0.0.0/0");

	ck_assert_uint_eq(r.size, POOL_SIZE_MAX - 2);
	ck_assert_int_eq(r.limited_prefix, -1);

	/* an IPv6 /64 is cut to its first /96 as charon cuts pools */
	r = parse_ok("2001:db8:1:2::/64");
	ck_assert_int_eq(r.limited_prefix, 96);
	ck_assert_str_eq(fmt(&r.first), "2001:db8:1:2::1");
	ck_assert_uint_eq(r.size, POOL_SIZE_MAX - 2);
}
END_TEST

START_TEST(ranges)
{
	struct pool_range r = parse_ok("198.51.100.10-198.51.100.20");

	ck_assert_str_eq(fmt(&r.first), "198.51.100.10");
	ck_assert_uint_eq(r.size, 11);
	r = parse_ok(" 2001:db8::1 - 2001:db8::1 ");
	ck_assert_uint_eq(r.size, 1);
	r = parse_ok("0.0.0.0-255.255.255.255");
	ck_assert_uint_eq(r.size, POOL_SIZE_MAX);
	r = parse_ok("2001:db8::-2001:db8::ffff:ffff");
	ck_assert_uint_eq(r.size, POOL_SIZE_MAX);
}
END_TEST

START_TEST(bad_values)
{
	parse_fails("192.0.2.64/33", "invalid addrs value");
	parse_fails("192.0.2.64/", "invalid addrs value");
	parse_fails("192.0.2.64/2x", "invalid addrs value");
	parse_fails("192.0.2.300/24", "invalid addrs value");
	parse_fails("2001:db8::/129", "invalid addrs value");
	parse_fails("", "invalid addrs value");
	parse_fails("pool", "invalid addrs value");
	parse_fails("192.0.2.1-2001:db8::1", "invalid addrs value");
	parse_fails("192.0.2.10-192.0.2.9", "empty range");
	parse_fails("2001:db8::-2001:db8::1:0:0", "range too large");
	parse_fails("192.0.2.1-", "invalid addrs value");
}
END_TEST

START_TEST(offsets_and_overlap)
{
	struct pool_range a = parse_ok("192.0.2.0/24");
	struct pool_range b = parse_ok("192.0.2.200-192.0.3.10");
	struct pool_range c = parse_ok("192.0.3.0/24");
	struct pool_range v6 = parse_ok("2001:db8::/120");
	struct ipaddr addr;
	uint64_t off;

	ck_assert(ipaddr_parse("192.0.2.66", &addr));
	ck_assert(pool_range_offset(&a, &addr, &off));
	ck_assert_uint_eq(off, 65);
	pool_range_addr(&a, off, &addr);
	ck_assert_str_eq(fmt(&addr), "192.0.2.66");
	ck_assert(ipaddr_parse("192.0.2.255", &addr));
	ck_assert(!pool_range_offset(&a, &addr, &off));
	ck_assert(ipaddr_parse("192.0.2.0", &addr));
	ck_assert(!pool_range_offset(&a, &addr, &off));

	ck_assert(pool_range_overlap(&a, &b));
	ck_assert(pool_range_overlap(&b, &c));
	ck_assert(!pool_range_overlap(&a, &c));
	ck_assert(!pool_range_overlap(&a, &v6));
}
END_TEST

static Suite *range_suite(void)
{
	Suite *s = suite_create("pool range");
	TCase *tc = tcase_create("range");

	tcase_add_test(tc, add_and_sub_carry);
	tcase_add_test(tc, sub_rejects_huge_and_mixed);
	tcase_add_test(tc, subnet_like_charon);
	tcase_add_test(tc, subnet_base_inside);
	tcase_add_test(tc, subnet_tiny);
	tcase_add_test(tc, subnet_limits);
	tcase_add_test(tc, ranges);
	tcase_add_test(tc, bad_values);
	tcase_add_test(tc, offsets_and_overlap);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(range_suite)
