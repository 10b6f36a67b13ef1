/* CHILD_SA pieces without peers: traffic selector narrowing (RFC 7296
 * 2.9) with "dynamic" standing for virtual IPs, KEYMAT sizes, the
 * swanctl form of proposals. */
#include <arpa/inet.h>
#include <string.h>

#include "ike/child_sa.h"
#include "ike/sa_list.h"
#include "testmain.h"

static struct ts parse(const char *text)
{
	struct ts ts;
	char err[128];

	ck_assert_msg(ts_parse(text, &ts, err, sizeof(err)) == 0, "%s", err);
	return ts;
}

static void expect(const struct ts *got, size_t n, const char *want)
{
	char buf[512];

	ts_list_format(got, n, buf, sizeof(buf));
	ck_assert_str_eq(buf, want);
}

START_TEST(narrow_any_to_any)
{
	struct ts conf[2] = { parse("0.0.0.0/0"), parse("::/0") };
	struct ts peer[2] = { parse("0.0.0.0/0"), parse("::/0") };
	struct ts out[CHILD_TS_MAX];
	size_t n = ts_narrow(conf, 2, peer, 2, NULL, NULL, 0, out, CHILD_TS_MAX);

	expect(out, n, "0.0.0.0/0 ::/0");
}
END_TEST

START_TEST(narrow_dynamic_to_vips)
{
	struct ts conf[1] = { parse("dynamic") };
	struct ts peer[2] = { parse("0.0.0.0-255.255.255.255"), parse("::/0") };
	uint8_t dyn[2][16];
	size_t dyn_len[2] = { 4, 16 };
	struct ts out[CHILD_TS_MAX];
	size_t n;

	inet_pton(AF_INET, "198.51.100.65", dyn[0]);
	inet_pton(AF_INET6, "2001:db8:64::1", dyn[1]);
	n = ts_narrow(conf, 1, peer, 2, (const uint8_t (*)[16])dyn, dyn_len, 2,
		      out, CHILD_TS_MAX);
	expect(out, n, "198.51.100.65/32 2001:db8:64::1/128");
	/* A peer asking only for IPv4 gets no IPv6 selector. */
	n = ts_narrow(conf, 1, peer, 1, (const uint8_t (*)[16])dyn, dyn_len, 2,
		      out, CHILD_TS_MAX);
	expect(out, n, "198.51.100.65/32");
}
END_TEST

START_TEST(narrow_ranges_protocols_ports)
{
	struct ts conf[1] = { parse("192.0.2.0/24[tcp/443]") };
	struct ts peer_wider[1] = { parse("192.0.2.128/25") };
	struct ts peer_udp[1] = { parse("192.0.2.0/24[udp]") };
	struct ts peer_elsewhere[1] = { parse("203.0.113.0/24") };
	struct ts peer_ports[1] = { parse("192.0.2.0/24[tcp/400-500]") };
	struct ts peer_v6[1] = { parse("::/0") };
	struct ts out[CHILD_TS_MAX];
	size_t n;

	n = ts_narrow(conf, 1, peer_wider, 1, NULL, NULL, 0, out, CHILD_TS_MAX);
	expect(out, n, "192.0.2.128/25[tcp/443]");
	ck_assert_uint_eq(ts_narrow(conf, 1, peer_udp, 1, NULL, NULL, 0, out,
				    CHILD_TS_MAX), 0);
	ck_assert_uint_eq(ts_narrow(conf, 1, peer_elsewhere, 1, NULL, NULL, 0,
				    out, CHILD_TS_MAX), 0);
	ck_assert_uint_eq(ts_narrow(conf, 1, peer_v6, 1, NULL, NULL, 0, out,
				    CHILD_TS_MAX), 0);
	n = ts_narrow(conf, 1, peer_ports, 1, NULL, NULL, 0, out, CHILD_TS_MAX);
	expect(out, n, "192.0.2.0/24[tcp/443]");
}
END_TEST

START_TEST(narrow_bounded)
{
	struct ts conf[3] = { parse("0.0.0.0/0"), parse("0.0.0.0/0[udp]"),
			      parse("0.0.0.0/0[tcp]") };
	struct ts peer[1] = { parse("192.0.2.0/24") };
	struct ts out[2];

	/* Duplicates collapse; the output bound holds. */
	ck_assert_uint_eq(ts_narrow(conf, 1, peer, 1, NULL, NULL, 0, out, 2), 1);
	ck_assert_uint_eq(ts_narrow(conf, 3, peer, 1, NULL, NULL, 0, out, 2), 2);
}
END_TEST

static struct proposal esp(const char *text)
{
	struct proposal p[2];
	char err[128];

	ck_assert_msg(proposal_parse(text, PROTO_ESP, p, 2, err, sizeof(err)) >= 1,
		      "%s", err);
	return p[0];
}

START_TEST(keymat_sizes)
{
	struct proposal cbc = esp("aes256-sha1");
	struct proposal gcm = esp("aes256gcm16");

	ck_assert_uint_eq(child_keymat_len(&cbc), 2 * (32 + 20));
	ck_assert_uint_eq(child_keymat_len(&gcm), 2 * (32 + 4));
}
END_TEST

START_TEST(swanctl_names)
{
	struct proposal cbc = esp("aes256-sha1");
	struct proposal ike[2];
	char err[128], buf[256];

	proposal_format_swanctl(&cbc, buf, sizeof(buf));
	ck_assert_str_eq(buf, "AES_CBC-256/HMAC_SHA1_96");
	ck_assert_int_ge(proposal_parse("aes256-sha256-modp2048", PROTO_IKE, ike,
					2, err, sizeof(err)), 1);
	proposal_format_swanctl(&ike[0], buf, sizeof(buf));
	ck_assert_str_eq(buf, "AES_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048");
}
END_TEST

START_TEST(described_as_charon)
{
	struct child_sa child = { .name = "win", .unique_id = 1,
				  .spi_in = 0xcaf527c5, .spi_out = 0x9bcd9c12 };
	char text[512];

	child.local_ts[child.n_local_ts++] = parse("0.0.0.0/0");
	child.local_ts[child.n_local_ts++] = parse("::/0");
	child.remote_ts[child.n_remote_ts++] = parse("198.51.100.65/32");
	child_describe(&child, text, sizeof(text));
	ck_assert_str_eq(text, "with SPIs caf527c5_i 9bcd9c12_o and TS "
			 "0.0.0.0/0 ::/0 === 198.51.100.65/32");
}
END_TEST

static Suite *child_suite(void)
{
	Suite *s = suite_create("ike_child");
	TCase *tc = tcase_create("child");

	tcase_add_test(tc, narrow_any_to_any);
	tcase_add_test(tc, narrow_dynamic_to_vips);
	tcase_add_test(tc, narrow_ranges_protocols_ports);
	tcase_add_test(tc, narrow_bounded);
	tcase_add_test(tc, keymat_sizes);
	tcase_add_test(tc, swanctl_names);
	tcase_add_test(tc, described_as_charon);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(child_suite)
