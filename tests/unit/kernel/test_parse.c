/* Decoding of kernel messages: what the builders encode decodes to the
 * same values, truncated or lying lengths are refused. */
#include <libmnl/libmnl.h>
#include <netinet/in.h>

#include "kernel/netlink.h"
#include "kernel/parse.h"
#include "kernel/policy.h"
#include "kernel/sa.h"
#include "knl_test_util.h"

static uint8_t buf[NL_BUFSIZE];

static struct knl_policy seed_out_policy(void)
{
	struct knl_ts l, r;
	struct policy_set set = {
		.local_ts = &l, .n_local = 1, .remote_ts = &r, .n_remote = 1,
		.reqid = 7, .mode = XFRM_MODE_TUNNEL, .proto = IPPROTO_ESP,
		.mark = { 0x10, 0xff },
	};
	struct knl_policy p[3];

	addr_of(&set.local, "192.0.2.1");
	addr_of(&set.remote, "198.51.100.7");
	ts_prefix(&l, "0.0.0.0", 0);
	ts_prefix(&r, "203.0.113.66", 32);
	policy_expand(&set, p);
	return p[0];
}

START_TEST(policy_round_trip)
{
	struct knl_policy want = seed_out_policy(), got;
	struct nlmsghdr *nlh = policy_build(buf, &want);

	/* a dump entry is a NEWPOLICY with the same layout */
	nlh->nlmsg_type = XFRM_MSG_NEWPOLICY;
	ck_assert_int_eq(parse_policy(nlh, &got), 0);
	ck_assert_int_eq(policy_equal(&got, &want), 1);
	ck_assert_uint_eq(got.mark.value, 0x10);
	ck_assert_uint_eq(got.reqid, 7);
}
END_TEST

START_TEST(truncated_policy_refused)
{
	struct knl_policy want = seed_out_policy(), got;
	struct nlmsghdr *nlh = policy_build(buf, &want);

	nlh->nlmsg_type = XFRM_MSG_NEWPOLICY;
	/* drop the mark attribute (12 bytes) and cut into the template */
	nlh->nlmsg_len -= 12 + 8;
	ck_assert_int_eq(parse_policy(nlh, &got), 0);
	ck_assert_int_eq(got.has_tmpl, 0);
	/* cut into the fixed header */
	nlh->nlmsg_len = NLMSG_HDRLEN + 10;
	ck_assert_int_eq(parse_policy(nlh, &got), -1);
}
END_TEST

START_TEST(sa_round_trip_without_keys)
{
	struct knl_sa sa = { 0 };
	struct knl_sa_info got;
	struct nlmsghdr *nlh;

	addr_of(&sa.src, "192.0.2.1");
	addr_of(&sa.dst, "198.51.100.7");
	sa.src.port = sa.dst.port = 4500;
	sa.spi = 0xcaf527c5;
	sa.proto = IPPROTO_ESP;
	sa.mode = XFRM_MODE_TUNNEL;
	sa.reqid = 1;
	sa.encr = knl_alg_encr(20);
	sa.encr_key_bits = 256;
	sa.encr_key_len = 36;
	memset(sa.encr_key, 0x5a, 36);
	sa.udp_encap = true;
	sa.esn = true;
	sa.replay_window = 128;
	sa.lifetime.hard_seconds = 3600;
	nlh = sa_build(buf, &sa, false);
	ck_assert_int_eq(parse_sa(nlh, &got), 0);
	ck_assert_uint_eq(got.sa.spi, 0xcaf527c5);
	ck_assert_ptr_eq(got.sa.encr, sa.encr);
	ck_assert_uint_eq(got.sa.encr_key_bits, 256);
	ck_assert_uint_eq(got.sa.encr_key_len, 0);
	ck_assert_uint_eq(got.sa.encr_key[0], 0);
	ck_assert_int_eq(got.sa.udp_encap, 1);
	ck_assert_uint_eq(got.sa.dst.port, 4500);
	ck_assert_int_eq(got.sa.esn, 1);
	ck_assert_uint_eq(got.sa.replay_window, 128);
	ck_assert_uint_eq(got.sa.lifetime.hard_seconds, 3600);
	ck_assert_uint_eq(got.sa.lifetime.hard_bytes, 0);
	ck_assert_int_eq(got.larval, 0);
	explicit_bzero(buf, sizeof(buf));
}
END_TEST

START_TEST(lying_lengths)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;

	memset(buf, 0, 64);
	nlh->nlmsg_len = 0xfafafafa;
	ck_assert_int_eq(nl_msg_ok(nlh, 64), 0);
	nlh->nlmsg_len = 8;
	ck_assert_int_eq(nl_msg_ok(nlh, 64), 0);
	nlh->nlmsg_len = 64;
	ck_assert_int_eq(nl_msg_ok(nlh, 64), 1);
	ck_assert_int_eq(nl_msg_ok(nlh, 63), 0);
	/* an expire without its body */
	nlh->nlmsg_len = NLMSG_HDRLEN + 4;
	nlh->nlmsg_type = XFRM_MSG_EXPIRE;
	struct knl_expire exp;
	ck_assert_int_eq(parse_expire(nlh, &exp), -1);
}
END_TEST

static Suite *parse_suite(void)
{
	Suite *s = suite_create("kernel message decoding");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, policy_round_trip);
	tcase_add_test(tc, truncated_policy_refused);
	tcase_add_test(tc, sa_round_trip_without_keys);
	tcase_add_test(tc, lying_lengths);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(parse_suite)
