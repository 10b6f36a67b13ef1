/* RPC request validation: every request the kernel would refuse with a
 * bare EINVAL is refused before, with a message saying what is wrong. */
#include <netinet/in.h>

#include "kernel/convert.h"
#include "knl_test_util.h"

static const struct owner owner = { .reqid_min = 1, .reqid_max = 100 };
static uint8_t ip_a[4] = { 192, 0, 2, 1 }, ip_b[4] = { 198, 51, 100, 7 };
static uint8_t key[64];
static Cygnet__Address src, dst;
static Cygnet__SaConfig sa;
static char why[256];
static struct knl_sa out;

static void setup(void)
{
	v4_address(&src, ip_a);
	v4_address(&dst, ip_b);
	cbc_sha1_config(&sa, &src, &dst, 0xcaf527c5, key);
}

static void refused(const char *expected)
{
	ck_assert_int_eq(convert_sa(&sa, &owner, &out, why, sizeof(why)), -1);
	ck_assert_str_eq(why, expected);
}

START_TEST(valid_seed_sa)
{
	ck_assert_int_eq(convert_sa(&sa, &owner, &out, why, sizeof(why)), 0);
	ck_assert_str_eq(out.encr->kernel_name, "cbc(aes)");
	ck_assert_str_eq(out.integ->kernel_name, "hmac(sha1)");
	ck_assert_uint_eq(out.integ->icv_bits, 96);
	ck_assert_uint_eq(out.encr_key_len, 32);
	ck_assert_uint_eq(out.proto, IPPROTO_ESP);
	knl_sa_wipe(&out);
	ck_assert_uint_eq(out.encr_key_len, 0);
	ck_assert_uint_eq(out.encr_key[0] | out.integ_key[0], 0);
}
END_TEST

START_TEST(aead_takes_salt_and_no_integrity)
{
	sa.encr_id = 20;
	sa.encr_key_length = 128;
	sa.encr_key.len = 20;
	refused("AES_GCM_16 is an AEAD: no integrity algorithm allowed");
	sa.integ_id = 0;
	sa.integ_key.len = 0;
	ck_assert_int_eq(convert_sa(&sa, &owner, &out, why, sizeof(why)), 0);
	ck_assert_str_eq(out.encr->kernel_name, "rfc4106(gcm(aes))");
	sa.encr_key.len = 16;
	refused("AES_GCM_16-128 needs 20 key bytes, got 16");
	sa.encr_id = 28;
	sa.encr_key_length = 256;
	sa.encr_key.len = 36;
	ck_assert_int_eq(convert_sa(&sa, &owner, &out, why, sizeof(why)), 0);
	ck_assert_str_eq(out.encr->kernel_name,
			 "rfc7539esp(chacha20,poly1305)");
}
END_TEST

START_TEST(bad_keys_and_algorithms)
{
	sa.encr_key.len = 16;
	refused("AES_CBC-256 needs 32 key bytes, got 16");
	sa.encr_key.len = 32;
	sa.encr_key_length = 100;
	refused("AES_CBC with 100 bit keys not supported");
	sa.encr_key_length = 256;
	sa.integ_id = 12;
	refused("HMAC_SHA2_256_128 needs 32 key bytes, got 20");
	sa.integ_id = 99;
	refused("integrity algorithm 99 not supported");
	sa.encr_id = 3;
	refused("encryption algorithm 3 not supported");
}
END_TEST

START_TEST(bad_addresses_and_ids)
{
	sa.reqid = 101;
	refused("reqid 101 outside the configured range 1-100");
	sa.reqid = 1;
	dst.ip.len = 5;
	refused("destination address has 5 bytes (4 or 16)");
	dst.ip.len = 4;
	sa.spi = 0xff;
	refused("SPI 000000ff is reserved");
	sa.spi = 0x1000;
	sa.protocol = 51;
	refused("protocol 51 not supported (ESP only)");
	sa.protocol = 0;
	sa.mode = CYGNET__IPSEC_MODE__IPSEC_MODE_NONE;
	refused("IPsec mode 0 invalid (tunnel or transport)");
	sa.mode = CYGNET__IPSEC_MODE__IPSEC_MODE_TUNNEL;
	sa.udp_encap = true;
	refused("UDP encapsulation needs both ports");
	sa.udp_encap = false;
	sa.replay_window = 5000;
	refused("replay window 5000 larger than 4096");
}
END_TEST

START_TEST(policy_traffic_selectors)
{
	Cygnet__PolicyConfig p = CYGNET__POLICY_CONFIG__INIT;
	Cygnet__TrafficSelector ts = CYGNET__TRAFFIC_SELECTOR__INIT;
	Cygnet__TrafficSelector *list[1] = { &ts };
	struct convert_policy_set *set = malloc(sizeof(*set));
	uint8_t lo[4] = { 192, 0, 2, 9 }, hi[4] = { 192, 0, 2, 1 };

	p.local = &src;
	p.remote = &dst;
	p.reqid = 1;
	p.mode = CYGNET__IPSEC_MODE__IPSEC_MODE_TUNNEL;
	ck_assert_int_eq(convert_policy(&p, &owner, set, why, sizeof(why)),
			 -1);
	ck_assert_str_eq(why, "0 local traffic selectors (1 to 32)");
	p.local_ts = p.remote_ts = list;
	p.n_local_ts = p.n_remote_ts = 1;
	ts.start_addr = (ProtobufCBinaryData){ 4, lo };
	ts.end_addr = (ProtobufCBinaryData){ 4, hi };
	ts.end_port = 65535;
	ck_assert_int_eq(convert_policy(&p, &owner, set, why, sizeof(why)),
			 -1);
	ck_assert_str_eq(why, "traffic selector range ends before it starts");
	ts.start_addr.data = hi;
	ts.end_addr.data = lo;
	ck_assert_int_eq(convert_policy(&p, &owner, set, why, sizeof(why)), 0);
	ck_assert_uint_eq(set->set.n_local, 1);
	ck_assert_uint_eq(set->local_ts[0].to[3], 9);
	free(set);
}
END_TEST

static Suite *convert_suite(void)
{
	Suite *s = suite_create("kernel request validation");
	TCase *tc = tcase_create("convert");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, valid_seed_sa);
	tcase_add_test(tc, aead_takes_salt_and_no_integrity);
	tcase_add_test(tc, bad_keys_and_algorithms);
	tcase_add_test(tc, bad_addresses_and_ids);
	tcase_add_test(tc, policy_traffic_selectors);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(convert_suite)
