/* AUTH with an EAP MSK (RFC 7296 2.16) checked against HMAC computed
 * here directly with OpenSSL: prf(prf(MSK, "Key Pad for IKEv2"), octets). */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>

#include "ike/auth_msk.h"
#include "ike/proposal.h"
#include "testmain.h"

static void fill(uint8_t *buf, size_t len, uint8_t seed)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(seed + i * 7);
}

static void expected_auth(const EVP_MD *md, const uint8_t *msk, size_t msk_len,
			  const uint8_t *octets, size_t len, uint8_t *out,
			  unsigned *out_len)
{
	static const char pad[] = "Key Pad for IKEv2";
	uint8_t shared[EVP_MAX_MD_SIZE];
	unsigned shared_len;

	ck_assert_ptr_nonnull(HMAC(md, msk, (int)msk_len, (const uint8_t *)pad,
				   strlen(pad), shared, &shared_len));
	ck_assert_ptr_nonnull(HMAC(md, shared, (int)shared_len, octets, len,
				   out, out_len));
}

static void check_prf(uint16_t prf_id, const EVP_MD *md)
{
	uint8_t msk[64], octets[300], want[EVP_MAX_MD_SIZE], got[64];
	unsigned want_len;

	fill(msk, sizeof(msk), 3);
	fill(octets, sizeof(octets), 11);
	expected_auth(md, msk, sizeof(msk), octets, sizeof(octets), want,
		      &want_len);
	ck_assert_int_eq(auth_msk_compute(prf_id, msk, sizeof(msk), octets,
					  sizeof(octets), got), 0);
	ck_assert_mem_eq(got, want, want_len);
	ck_assert_int_eq(auth_msk_verify(prf_id, msk, sizeof(msk), octets,
					 sizeof(octets), want, want_len), 0);
}

START_TEST(matches_hmac)
{
	check_prf(PRF_HMAC_SHA1, EVP_sha1());
	check_prf(PRF_HMAC_SHA2_256, EVP_sha256());
	check_prf(PRF_HMAC_SHA2_384, EVP_sha384());
	check_prf(PRF_HMAC_SHA2_512, EVP_sha512());
}
END_TEST

START_TEST(rejects_wrong_auth)
{
	uint8_t msk[64], octets[100], auth[32];

	fill(msk, sizeof(msk), 1);
	fill(octets, sizeof(octets), 2);
	ck_assert_int_eq(auth_msk_compute(PRF_HMAC_SHA2_256, msk, sizeof(msk),
					  octets, sizeof(octets), auth), 0);
	/* Another MSK, a flipped bit, a short AUTH. */
	msk[0] ^= 1;
	ck_assert_int_eq(auth_msk_verify(PRF_HMAC_SHA2_256, msk, sizeof(msk),
					 octets, sizeof(octets), auth,
					 sizeof(auth)), -1);
	msk[0] ^= 1;
	auth[31] ^= 0x80;
	ck_assert_int_eq(auth_msk_verify(PRF_HMAC_SHA2_256, msk, sizeof(msk),
					 octets, sizeof(octets), auth,
					 sizeof(auth)), -1);
	auth[31] ^= 0x80;
	ck_assert_int_eq(auth_msk_verify(PRF_HMAC_SHA2_256, msk, sizeof(msk),
					 octets, sizeof(octets), auth,
					 sizeof(auth) - 1), -1);
	ck_assert_int_eq(auth_msk_verify(PRF_HMAC_SHA2_256, msk, sizeof(msk),
					 octets, sizeof(octets), auth,
					 sizeof(auth)), 0);
	/* An unknown PRF computes nothing. */
	ck_assert_int_eq(auth_msk_compute(999, msk, sizeof(msk), octets,
					  sizeof(octets), auth), -1);
}
END_TEST

static Suite *auth_msk_suite(void)
{
	Suite *s = suite_create("ike_auth_msk");
	TCase *tc = tcase_create("msk");

	tcase_add_test(tc, matches_hmac);
	tcase_add_test(tc, rejects_wrong_auth);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(auth_msk_suite)
