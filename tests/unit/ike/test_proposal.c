#include <string.h>

#include "ike/proposal.h"
#include "testmain.h"

static int parse(const char *text, enum ike_protocol proto, struct proposal *out,
		 size_t max)
{
	char err[256];

	return proposal_parse(text, proto, out, max, err, sizeof(err));
}

static void assert_format(const struct proposal *p, const char *expected)
{
	char buf[512];

	proposal_format(p, buf, sizeof(buf));
	ck_assert_str_eq(buf, expected);
}

START_TEST(parse_cbc_sha_modp)
{
	struct proposal p[4];

	ck_assert_int_eq(parse("aes256-sha256-modp2048", PROTO_IKE, p, 4), 1);
	assert_format(&p[0], "IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048");
}
END_TEST

START_TEST(parse_gcm_prf_ecp)
{
	struct proposal p[4];

	ck_assert_int_eq(parse("aes256gcm16-prfsha384-ecp384", PROTO_IKE, p, 4), 1);
	assert_format(&p[0], "IKE:AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384");
	ck_assert(proposal_is_aead(&p[0]));
}
END_TEST

START_TEST(parse_esp_without_dh)
{
	struct proposal p[4];

	ck_assert_int_eq(parse("aes256-sha1", PROTO_ESP, p, 4), 1);
	assert_format(&p[0], "ESP:AES_CBC_256/HMAC_SHA1_96/NO_EXT_SEQ");
}
END_TEST

START_TEST(parse_mixed_splits)
{
	struct proposal p[4];

	ck_assert_int_eq(parse("aes128-aes128gcm16-sha256-ecp256", PROTO_IKE, p, 4), 2);
	assert_format(&p[0], "IKE:AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/ECP_256");
	assert_format(&p[1], "IKE:AES_GCM_16_128/PRF_HMAC_SHA2_256/ECP_256");
}
END_TEST

START_TEST(parse_default)
{
	struct proposal p[4];

	ck_assert_int_eq(parse("default", PROTO_IKE, p, 4), 2);
	ck_assert(!proposal_is_aead(&p[0]));
	ck_assert(proposal_is_aead(&p[1]));
	ck_assert(proposal_has(&p[0], TRANS_DH, DH_MODP_2048, 0));
	ck_assert_int_eq(parse("default", PROTO_ESP, p, 4), 2);
	ck_assert(proposal_is_aead(&p[0]));
	ck_assert(proposal_has(&p[1], TRANS_ESN, ESN_NO, 0));
}
END_TEST

START_TEST(parse_errors)
{
	struct proposal p[4];
	char err[256];

	ck_assert_int_eq(proposal_parse("aes256-md5-modp2048", PROTO_IKE, p, 4,
					err, sizeof(err)), -1);
	ck_assert_str_eq(err, "algorithm 'md5' not recognized");
	ck_assert_int_eq(parse("aes256-sha256", PROTO_IKE, p, 4), -1);
	ck_assert_int_eq(parse("sha256-modp2048", PROTO_IKE, p, 4), -1);
	ck_assert_int_eq(parse("aes256-modp2048", PROTO_IKE, p, 4), -1);
	ck_assert_int_eq(parse("aes256gcm16-modp2048", PROTO_IKE, p, 4), -1);
	ck_assert_int_eq(parse("aes256-sha256-prfsha256", PROTO_ESP, p, 4), -1);
	ck_assert_int_eq(parse("aes256-sha256-modp2048-esn", PROTO_IKE, p, 4), -1);
	ck_assert_int_eq(parse("", PROTO_IKE, p, 4), -1);
	ck_assert_int_eq(parse("aes128-aes128gcm16-sha256-ecp256", PROTO_IKE, p, 1), -1);
}
END_TEST

/* The Windows client of the seed offers AES-CBC-256/SHA256/MODP_2048
 * among others; the gateway picks in its own configured order. */
START_TEST(select_configured_order)
{
	struct proposal conf[4], recv[3], sel;
	char buf[256];

	ck_assert_int_eq(parse("aes256-sha256-modp2048", PROTO_IKE, conf, 4), 1);
	ck_assert_int_eq(parse("aes256-sha1-modp2048", PROTO_IKE, recv, 1), 1);
	ck_assert_int_eq(parse("aes128-sha256-ecp256", PROTO_IKE, recv + 1, 1), 1);
	ck_assert_int_eq(parse("aes256-sha384-sha256-prfsha384-prfsha256-modp2048",
			       PROTO_IKE, recv + 2, 1), 1);
	recv[0].number = 1;
	recv[1].number = 2;
	recv[2].number = 3;
	ck_assert(proposal_select(conf, 1, recv, 3, &sel));
	ck_assert_uint_eq(sel.number, 3);
	proposal_format(&sel, buf, sizeof(buf));
	ck_assert_str_eq(buf, "IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048");
}
END_TEST

START_TEST(select_first_configured_wins)
{
	struct proposal conf[4], recv[2], sel;

	ck_assert_int_eq(parse("aes128gcm16-prfsha256-ecp256", PROTO_IKE, conf, 4), 1);
	ck_assert_int_eq(parse("aes256-sha256-modp2048", PROTO_IKE, conf + 1, 3), 1);
	ck_assert_int_eq(parse("aes256-sha256-modp2048", PROTO_IKE, recv, 1), 1);
	ck_assert_int_eq(parse("aes128gcm16-prfsha256-ecp256", PROTO_IKE, recv + 1, 1), 1);
	ck_assert(proposal_select(conf, 2, recv, 2, &sel));
	ck_assert(proposal_is_aead(&sel));
}
END_TEST

START_TEST(select_none)
{
	struct proposal conf[4], recv[1], sel;

	ck_assert_int_eq(parse("aes256-sha256-modp2048", PROTO_IKE, conf, 4), 1);
	ck_assert_int_eq(parse("aes256-sha256-modp3072", PROTO_IKE, recv, 1), 1);
	ck_assert(!proposal_select(conf, 1, recv, 1, &sel));
	ck_assert_int_eq(parse("aes128-sha256-modp2048", PROTO_IKE, recv, 1), 1);
	ck_assert(!proposal_select(conf, 1, recv, 1, &sel));
	ck_assert_int_eq(parse("aes256-sha256", PROTO_ESP, recv, 1), 1);
	ck_assert(!proposal_select(conf, 1, recv, 1, &sel));
}
END_TEST

START_TEST(select_aead_with_integ_none_and_spi)
{
	struct proposal conf[2], recv[1], sel;

	ck_assert_int_eq(parse("aes256gcm16", PROTO_ESP, conf, 2), 1);
	memset(recv, 0, sizeof(recv));
	recv[0].protocol = PROTO_ESP;
	recv[0].number = 7;
	recv[0].spi_size = 4;
	memcpy(recv[0].spi, "\xca\xf5\x27\xc5", 4);
	proposal_add(&recv[0], TRANS_ENCR, ENCR_AES_GCM_16, 256);
	proposal_add(&recv[0], TRANS_INTEG, INTEG_NONE, 0);
	proposal_add(&recv[0], TRANS_ESN, ESN_NO, 0);
	ck_assert(proposal_select(conf, 1, recv, 1, &sel));
	ck_assert_uint_eq(sel.number, 7);
	ck_assert_uint_eq(sel.spi_size, 4);
	ck_assert_mem_eq(sel.spi, "\xca\xf5\x27\xc5", 4);
	/* A DH group the config does not have: refused. */
	proposal_add(&recv[0], TRANS_DH, DH_ECP_256, 0);
	ck_assert(!proposal_select(conf, 1, recv, 1, &sel));
}
END_TEST

START_TEST(format_unknown_transform)
{
	struct transform t = { .type = TRANS_ENCR, .id = 1031, .key_length = 0 };
	char buf[64];

	transform_format(&t, buf, sizeof(buf));
	ck_assert_str_eq(buf, "UNKNOWN_1_1031");
}
END_TEST

static Suite *proposal_suite(void)
{
	Suite *s = suite_create("ike_proposal");
	TCase *tc = tcase_create("proposal");

	tcase_add_test(tc, parse_cbc_sha_modp);
	tcase_add_test(tc, parse_gcm_prf_ecp);
	tcase_add_test(tc, parse_esp_without_dh);
	tcase_add_test(tc, parse_mixed_splits);
	tcase_add_test(tc, parse_default);
	tcase_add_test(tc, parse_errors);
	tcase_add_test(tc, select_configured_order);
	tcase_add_test(tc, select_first_configured_wins);
	tcase_add_test(tc, select_none);
	tcase_add_test(tc, select_aead_with_integ_none_and_spi);
	tcase_add_test(tc, format_unknown_transform);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(proposal_suite)
