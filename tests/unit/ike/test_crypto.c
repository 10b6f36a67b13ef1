/* Crypto against published vectors: HMAC (RFC 2202, RFC 4231), the
 * IKEv2 KDF (NIST CAVS SP 800-135 sample as used by libreswan's CAVP
 * tests, cross-checked with Python's hmac), X25519 (RFC 7748 6.1),
 * ECP-256 (RFC 5903 8.1); MODP round trips and RFC 6989 checks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/dh.h"
#include "ike/keymat.h"
#include "ike/prf.h"
#include "testmain.h"

static size_t unhex(const char *hex, uint8_t *out)
{
	size_t n = strlen(hex) / 2;

	for (size_t i = 0; i < n; i++) {
		unsigned v;

		sscanf(hex + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
	return n;
}

static void assert_hex(const uint8_t *data, size_t len, const char *hex)
{
	uint8_t expected[512];

	ck_assert_uint_eq(unhex(hex, expected), len);
	ck_assert_mem_eq(data, expected, len);
}

START_TEST(hmac_vectors)
{
	uint8_t key[20], out[64];
	static const struct {
		uint16_t prf;
		const char *mac;
	} tc1[] = {
		{ PRF_HMAC_SHA1, "b617318655057264e28bc0b6fb378c8ef146be00" },
		{ PRF_HMAC_SHA2_256, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
		{ PRF_HMAC_SHA2_384, "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6" },
		{ PRF_HMAC_SHA2_512, "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854" },
	};

	memset(key, 0x0b, sizeof(key));
	for (size_t i = 0; i < 4; i++) {
		ck_assert_int_eq(prf_compute(tc1[i].prf, key, 20,
					     (const uint8_t *)"Hi ", 3,
					     (const uint8_t *)"There", 5, out), 0);
		assert_hex(out, prf_len(tc1[i].prf), tc1[i].mac);
	}
	ck_assert_int_eq(prf_compute(PRF_HMAC_SHA2_256, (const uint8_t *)"Jefe", 4,
				     (const uint8_t *)"what do ya want for nothing?",
				     28, NULL, 0, out), 0);
	assert_hex(out, 32, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	/* Truncated integrity: the first 16 octets of HMAC-SHA256. */
	memset(key, 0x0b, sizeof(key));
	{
		uint8_t ikey[32] = { 0 };

		memcpy(ikey, key, 20);
		ck_assert_int_eq(integ_compute(INTEG_HMAC_SHA2_256_128, ikey,
					       (const uint8_t *)"Hi There", 8, out), 0);
		ck_assert_uint_eq(integ_icv_len(INTEG_HMAC_SHA2_256_128), 16);
		ck_assert_uint_eq(integ_icv_len(INTEG_HMAC_SHA1_96), 12);
		ck_assert_uint_eq(integ_icv_len(INTEG_HMAC_SHA2_384_192), 24);
		ck_assert_uint_eq(integ_icv_len(INTEG_HMAC_SHA2_512_256), 32);
	}
	ck_assert_int_eq(prf_compute(99, key, 20, key, 1, NULL, 0, out), -1);
}
END_TEST

/* NIST CAVS IKEv2 KDF sample (SHA-1, 132 octets of DKM). */
static const char cavs_gir[] = "4b2c1f971981a8ad8d0abeafabf38cf75fc8349c148142465ed9c8b516b8be52";
static const char cavs_gir_new[] = "863f3c9d06efd39d2b907b97f8699e5dd5251ef64a2a176f36ee40c87d4f9330";
static const char cavs_ni[] = "32b50d5f4a3763f3";
static const char cavs_nr[] = "9206a04b26564cb1";
static const char cavs_spii[] = "34c9e7c188868785";
static const char cavs_spir[] = "3ff77d760d2b2199";
static const char cavs_skeyseed[] = "a9a7b222b59f8f48645f28a1db5b5f5d7479cba7";
static const char cavs_dkm[] =
	"a14293677cc80ff8f9cc0eee30d895da9d8f405666e30ef0dfcb63c634a46002"
	"a2a63080e514a062768b76606f9fa5e992204fc5a670bde3f10d6b027113936a"
	"5c55b648a194ae587b0088d52204b702c979fa280870d2ed41efa9c549fd1119"
	"8af1670b143d384bd275c5f594cf266b05ebadca855e4249520a441a81157435"
	"a7a56cc4";
static const char cavs_dkm_child[] =
	"8059e3ee8810e6c3a91bc8bcd2a7a41151b8d0e6ae239c7b38093ad85ef4c581"
	"1a8e7b5d1cdabd9560b2d5e092d1f24e2d4b85eccdf0ad0dc9abd94b51ee7181"
	"4ca6dbc8bb51b6309f5b9545c7eb35cf5580b1e521a8fe20754a2d883ba0c2cf"
	"285f524aea6545b33106bc03e614296d319d41d4b50b3f510b1c0a22f3e66499"
	"4d234cb4";
static const char cavs_dkm_child_dh[] =
	"bb43244c1860ad65ee1e211ffe8bb3661750c8f89cb9f547df7f4fa61d373016"
	"28190e38c66232eab4b3ab14c400a5197dd3730ed4820a8a10394d51e1c04000"
	"52f63ebd36b0e7ef53aaed31eba4a5080d7d4b5666023a8bbb5ffb7857240f9a"
	"05884d1b7d2f933708450b7b3288f1fc863ab49fa901227cffc06e27899c7054"
	"d56fd74c";
static const char cavs_skeyseed_rekey[] = "63e81194946ebd05df7df5ebf5d8750056bf1f1d";

START_TEST(ikev2_kdf_cavs)
{
	uint8_t gir[32], gir_new[32], ni[8], nr[8], spii[8], spir[8];
	uint8_t skeyseed[20], seed[32], dkm[132], out[132];
	struct proposal p = { .protocol = PROTO_IKE };
	struct ike_keys keys;

	unhex(cavs_gir, gir);
	unhex(cavs_gir_new, gir_new);
	unhex(cavs_ni, ni);
	unhex(cavs_nr, nr);
	unhex(cavs_spii, spii);
	unhex(cavs_spir, spir);
	/* SKEYSEED and the whole DKM through the primitives ... */
	memcpy(seed, ni, 8);
	memcpy(seed + 8, nr, 8);
	ck_assert_int_eq(prf_compute(PRF_HMAC_SHA1, seed, 16, gir, 32, NULL, 0,
				     skeyseed), 0);
	assert_hex(skeyseed, 20, cavs_skeyseed);
	memcpy(seed + 16, spii, 8);
	memcpy(seed + 24, spir, 8);
	ck_assert_int_eq(prf_plus(PRF_HMAC_SHA1, skeyseed, 20, seed, 32, dkm,
				  sizeof(dkm)), 0);
	assert_hex(dkm, sizeof(dkm), cavs_dkm);

	/* ... and split into SK_* by keymat for AES-CBC-128/SHA1 (20 + 2*20
	 * + 2*16 + 2*20 = 132 octets, exactly the CAVS DKM). */
	proposal_add(&p, TRANS_ENCR, ENCR_AES_CBC, 128);
	proposal_add(&p, TRANS_INTEG, INTEG_HMAC_SHA1_96, 0);
	proposal_add(&p, TRANS_PRF, PRF_HMAC_SHA1, 0);
	proposal_add(&p, TRANS_DH, DH_MODP_2048, 0);
	ck_assert_int_eq(keymat_derive_ike(&p, gir, 32, ni, 8, nr, 8, spii, spir,
					   &keys), 0);
	assert_hex(keys.skeyseed, 20, cavs_skeyseed);
	ck_assert_mem_eq(keys.sk_d, dkm, 20);
	ck_assert_mem_eq(keys.sk_ai, dkm + 20, 20);
	ck_assert_mem_eq(keys.sk_ar, dkm + 40, 20);
	ck_assert_mem_eq(keys.sk_ei, dkm + 60, 16);
	ck_assert_mem_eq(keys.sk_er, dkm + 76, 16);
	ck_assert_mem_eq(keys.sk_pi, dkm + 92, 20);
	ck_assert_mem_eq(keys.sk_pr, dkm + 112, 20);

	/* CHILD_SA KEYMAT with and without PFS, and the rekey SKEYSEED. */
	ck_assert_int_eq(keymat_derive_child(PRF_HMAC_SHA1, keys.sk_d, NULL, 0,
					     ni, 8, nr, 8, out, sizeof(out)), 0);
	assert_hex(out, sizeof(out), cavs_dkm_child);
	ck_assert_int_eq(keymat_derive_child(PRF_HMAC_SHA1, keys.sk_d, gir_new, 32,
					     ni, 8, nr, 8, out, sizeof(out)), 0);
	assert_hex(out, sizeof(out), cavs_dkm_child_dh);
	ck_assert_int_eq(keymat_rekey_skeyseed(PRF_HMAC_SHA1, keys.sk_d, gir_new,
					       32, ni, 8, nr, 8, out), 0);
	assert_hex(out, 20, cavs_skeyseed_rekey);
	keymat_wipe(&keys);
}
END_TEST

START_TEST(keymat_lengths)
{
	struct proposal p = { .protocol = PROTO_IKE };
	struct ike_keys keys;
	uint8_t gir[256] = { 1 }, n[32] = { 2 }, spi[8] = { 3 };

	proposal_add(&p, TRANS_ENCR, ENCR_AES_GCM_16, 256);
	proposal_add(&p, TRANS_PRF, PRF_HMAC_SHA2_384, 0);
	proposal_add(&p, TRANS_DH, DH_ECP_384, 0);
	ck_assert_int_eq(keymat_derive_ike(&p, gir, 48, n, 32, n, 32, spi, spi,
					   &keys), 0);
	ck_assert_uint_eq(keys.prf_len, 48);
	ck_assert_uint_eq(keys.integ_key_len, 0);
	ck_assert_uint_eq(keys.encr_key_len, 36);
	/* CBC without integrity, or an unknown PRF: refused. */
	p.count = 0;
	proposal_add(&p, TRANS_ENCR, ENCR_AES_CBC, 256);
	proposal_add(&p, TRANS_PRF, PRF_HMAC_SHA2_256, 0);
	ck_assert_int_eq(keymat_derive_ike(&p, gir, 256, n, 32, n, 32, spi, spi,
					   &keys), -1);
	p.count = 0;
	proposal_add(&p, TRANS_ENCR, ENCR_AES_CBC, 256);
	proposal_add(&p, TRANS_INTEG, INTEG_HMAC_SHA2_256_128, 0);
	proposal_add(&p, TRANS_PRF, 8, 0);
	ck_assert_int_eq(keymat_derive_ike(&p, gir, 256, n, 32, n, 32, spi, spi,
					   &keys), -1);
}
END_TEST

START_TEST(x25519_rfc7748)
{
	uint8_t a_priv[32], b_priv[32], pub[32], secret[64];
	size_t len;
	struct dh *a, *b;

	unhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a", a_priv);
	unhex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb", b_priv);
	a = dh_create_from_private(DH_CURVE_25519, a_priv, 32, NULL, 0);
	b = dh_create_from_private(DH_CURVE_25519, b_priv, 32, NULL, 0);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(dh_public(a, pub, 32), 0);
	assert_hex(pub, 32, "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
	ck_assert_int_eq(dh_public(b, pub, 32), 0);
	assert_hex(pub, 32, "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
	ck_assert_int_eq(dh_derive(a, pub, 32, secret, &len), 0);
	ck_assert_uint_eq(len, 32);
	assert_hex(secret, 32, "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
	/* A low-order point gives an all-zero secret: refused. */
	memset(pub, 0, sizeof(pub));
	ck_assert_int_eq(dh_derive(a, pub, 32, secret, &len), -1);
	ck_assert_int_eq(dh_derive(a, pub, 31, secret, &len), -1);
	dh_free(a);
	dh_free(b);
}
END_TEST

START_TEST(ecp256_rfc5903)
{
	uint8_t i[32], gi[64], gr[64], secret[64];
	size_t len;
	struct dh *dh;

	unhex("c88f01f510d9ac3f70a292daa2316de544e9aab8afe84049c62a9c57862d1433", i);
	unhex("dad0b65394221cf9b051e1feca5787d098dfe637fc90b9ef945d0c3772581180"
	      "5271a0461cdb8252d61f1c456fa3e59ab1f45b33accf5f58389e0577b8990bb3", gi);
	unhex("d12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494bf63"
	      "56fbf3ca366cc23e8157854c13c58d6aac23f046ada30f8353e74f33039872ab", gr);
	dh = dh_create_from_private(DH_ECP_256, i, 32, gi, 64);
	ck_assert_ptr_nonnull(dh);
	ck_assert_int_eq(dh_derive(dh, gr, 64, secret, &len), 0);
	ck_assert_uint_eq(len, 32);
	assert_hex(secret, 32, "d6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03812464d04b9442de");
	/* A point off the curve (y changed) is refused. */
	gr[63] ^= 1;
	ck_assert_int_eq(dh_derive(dh, gr, 64, secret, &len), -1);
	dh_free(dh);
}
END_TEST

static void roundtrip(uint16_t group)
{
	struct dh *a = dh_create(group), *b = dh_create(group);
	uint8_t pa[DH_MAX_PUBLIC], pb[DH_MAX_PUBLIC];
	uint8_t sa[DH_MAX_SECRET], sb[DH_MAX_SECRET];
	size_t plen = dh_public_len(group), la, lb;

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(dh_group(a), group);
	ck_assert_int_eq(dh_public(a, pa, plen), 0);
	ck_assert_int_eq(dh_public(b, pb, plen), 0);
	ck_assert_int_eq(dh_derive(a, pb, plen, sa, &la), 0);
	ck_assert_int_eq(dh_derive(b, pa, plen, sb, &lb), 0);
	ck_assert_uint_eq(la, lb);
	ck_assert_mem_eq(sa, sb, la);
	dh_free(a);
	dh_free(b);
}

START_TEST(all_groups_agree)
{
	static const uint16_t all[] = { DH_MODP_2048, DH_MODP_3072, DH_MODP_4096,
					DH_ECP_256, DH_ECP_384, DH_ECP_521,
					DH_CURVE_25519 };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		roundtrip(all[i]);
	ck_assert_ptr_null(dh_create(5));
	ck_assert(!dh_supported(22));
	ck_assert_uint_eq(dh_public_len(DH_ECP_521), 132);
}
END_TEST

/* RFC 6989: y must satisfy 1 < y < p-1 for the MODP groups. */
START_TEST(modp_public_value_checks)
{
	struct dh *dh = dh_create(DH_MODP_2048);
	uint8_t y[256], secret[256];
	size_t len;

	ck_assert_ptr_nonnull(dh);
	memset(y, 0, sizeof(y));
	ck_assert_int_eq(dh_derive(dh, y, 256, secret, &len), -1);	/* 0 */
	y[255] = 1;
	ck_assert_int_eq(dh_derive(dh, y, 256, secret, &len), -1);	/* 1 */
	y[255] = 2;
	ck_assert_int_eq(dh_derive(dh, y, 256, secret, &len), 0);	/* 2 */
	ck_assert_uint_eq(len, 256);
	memset(y, 0xff, sizeof(y));					/* > p */
	ck_assert_int_eq(dh_derive(dh, y, 256, secret, &len), -1);
	/* p - 1: the RFC 3526 prime ends in ...ffffffff, so p-1 ends in fe. */
	y[255] = 0xfe;
	ck_assert_int_eq(dh_derive(dh, y, 256, secret, &len), -1);
	ck_assert_int_eq(dh_derive(dh, y, 255, secret, &len), -1);
	dh_free(dh);
}
END_TEST

static Suite *crypto_suite(void)
{
	Suite *s = suite_create("ike_crypto");
	TCase *tc = tcase_create("crypto");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, hmac_vectors);
	tcase_add_test(tc, ikev2_kdf_cavs);
	tcase_add_test(tc, keymat_lengths);
	tcase_add_test(tc, x25519_rfc7748);
	tcase_add_test(tc, ecp256_rfc5903);
	tcase_add_test(tc, all_groups_agree);
	tcase_add_test(tc, modp_public_value_checks);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(crypto_suite)
