/* SK/EF encryption: round trips for every cipher suite, then tampering
 * anywhere in the message and truncation are detected. */
#include <string.h>

#include "ike/keymat.h"
#include "ike/message.h"
#include "ike/sk.h"
#include "ike_msg_helpers.h"
#include "testmain.h"

struct suite_case {
	uint16_t encr;
	uint16_t bits;
	uint16_t integ;
};

static const struct suite_case cases[] = {
	{ ENCR_AES_CBC, 128, INTEG_HMAC_SHA1_96 },
	{ ENCR_AES_CBC, 256, INTEG_HMAC_SHA2_256_128 },
	{ ENCR_AES_CBC, 256, INTEG_HMAC_SHA2_384_192 },
	{ ENCR_AES_CBC, 192, INTEG_HMAC_SHA2_512_256 },
	{ ENCR_AES_GCM_16, 128, INTEG_NONE },
	{ ENCR_AES_GCM_16, 256, INTEG_NONE },
};

static uint8_t ekey[KEYMAT_MAX_ENCR], akey[PRF_MAX_LEN];

static struct sk_keys keys_for(const struct suite_case *c)
{
	for (size_t i = 0; i < sizeof(ekey); i++)
		ekey[i] = (uint8_t)(0x30 + i);
	for (size_t i = 0; i < sizeof(akey); i++)
		akey[i] = (uint8_t)(0x90 + i);
	return (struct sk_keys){ .encr = c->encr, .encr_bits = c->bits,
				 .encr_key = ekey, .integ = c->integ,
				 .integ_key = akey };
}

/* An IKE_AUTH request: header, then SK (or SKF 2/3) holding plain. */
static size_t seal(const struct sk_keys *k, uint8_t *buf, size_t cap,
		   bool fragment, const uint8_t *plain, size_t plain_len)
{
	struct ike_header h = test_header(IKE_AUTH, false, 1);
	struct msg_builder b;

	builder_init(&b, buf, cap, &h);
	builder_begin_encrypted(&b, fragment ? PL_SKF : PL_SK, PL_IDI);
	if (fragment) {
		wbuf_put16(&b.w, 2);
		wbuf_put16(&b.w, 3);
	}
	return sk_encrypt(k, buf, cap, IKE_HEADER_LEN, fragment ? 8 : 4, plain,
			  plain_len);
}

START_TEST(roundtrip_all_suites)
{
	uint8_t plain[700], buf[1024], out[1024];
	struct ike_message msg;

	for (size_t i = 0; i < sizeof(plain); i++)
		plain[i] = (uint8_t)i;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct sk_keys k = keys_for(&cases[c]);

		for (int frag = 0; frag < 2; frag++) {
			for (size_t len = 0; len < 40; len += 13) {
				size_t total = seal(&k, buf, sizeof(buf), frag, plain, len);
				size_t out_len = 0;

				ck_assert_uint_gt(total, 0);
				/* The result is a well-formed message. */
				ck_assert_int_eq(message_parse(buf, total, &msg), PARSE_OK);
				ck_assert_uint_eq(msg.inner_next, PL_IDI);
				ck_assert_int_eq(sk_decrypt(&k, buf, total,
							    IKE_HEADER_LEN + (frag ? 8 : 4),
							    out, &out_len), 0);
				ck_assert_uint_eq(out_len, len);
				ck_assert_mem_eq(out, plain, len);
			}
		}
	}
}
END_TEST

START_TEST(tamper_detected)
{
	uint8_t plain[100] = { 1, 2, 3 }, buf[512], copy[512], out[512];

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct sk_keys k = keys_for(&cases[c]);
		size_t total = seal(&k, buf, sizeof(buf), false, plain, sizeof(plain));
		size_t out_len;

		/* Every octet is covered: header, SK header, IV, data, ICV. */
		for (size_t pos = 0; pos < total; pos++) {
			memcpy(copy, buf, total);
			copy[pos] ^= 0x01;
			ck_assert_msg(sk_decrypt(&k, copy, total, IKE_HEADER_LEN + 4,
						 out, &out_len) == -1,
				      "suite %zu: flip at %zu undetected", c, pos);
		}
		ck_assert_int_eq(sk_decrypt(&k, buf, total - 1, IKE_HEADER_LEN + 4,
					    out, &out_len), -1);
		ck_assert_int_eq(sk_decrypt(&k, buf, IKE_HEADER_LEN + 4 + 8,
					    IKE_HEADER_LEN + 4, out, &out_len), -1);
		ck_assert_int_eq(sk_decrypt(&k, buf, total, total + 1, out, &out_len), -1);
	}
}
END_TEST

START_TEST(wrong_key_and_small_buffer)
{
	uint8_t plain[64] = { 0 }, buf[512], out[512];
	struct sk_keys k = keys_for(&cases[1]);
	size_t total = seal(&k, buf, sizeof(buf), false, plain, sizeof(plain));
	size_t out_len;

	akey[0] ^= 1;
	ck_assert_int_eq(sk_decrypt(&k, buf, total, IKE_HEADER_LEN + 4, out,
				    &out_len), -1);
	ck_assert_uint_eq(seal(&k, buf, 100, false, plain, sizeof(plain)), 0);
	ck_assert_uint_eq(sk_iv_len(&k), 16);
	ck_assert_uint_eq(sk_icv_len(&k), 16);
	k = keys_for(&cases[5]);
	ck_assert_uint_eq(sk_iv_len(&k), 8);
	ck_assert_uint_eq(sk_icv_len(&k), 16);
	ck_assert_uint_eq(sk_block_size(&k), 1);
}
END_TEST

static Suite *sk_suite(void)
{
	Suite *s = suite_create("ike_sk");
	TCase *tc = tcase_create("sk");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, roundtrip_all_suites);
	tcase_add_test(tc, tamper_detected);
	tcase_add_test(tc, wrong_key_and_small_buffer);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(sk_suite)
