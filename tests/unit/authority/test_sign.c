/* AUTH signature round trips for every method and key type. */
#include <openssl/rsa.h>

#include "pki.h"
#include "testmain.h"

#include "authority/sign.h"

static const uint8_t octets[] = "IKE_SA_INIT message | Nr | prf(SK_pi, IDi')";

/* Signs octets with KEY by METHOD, or by a scheme the peer offered in
 * HASHES when METHOD is none; 0 or -1 as sign_create. */
static int sign_octets(EVP_PKEY *key, Cygnet__AuthMethod method,
		       const uint32_t *hashes, size_t n_hashes, struct auth_signature *sig)
{
	char why[256];

	return sign_create(key, method, hashes, n_hashes, octets, sizeof(octets), sig,
			   why, sizeof(why));
}

struct key_case {
	const char *key;
	const char *cert;
	Cygnet__AuthMethod classic;
	size_t rs_len;		/* r|s length for ECDSA */
};

static const struct key_case keys[] = {
	{ "swanctl/private/vpnKey.pem", "swanctl/x509/vpnCert.pem",
	  CYGNET__AUTH_METHOD__AUTH_ECDSA_256, 64 },
	{ "peer/p384Key.pem", "swanctl/x509/p384Cert.pem",
	  CYGNET__AUTH_METHOD__AUTH_ECDSA_384, 96 },
	{ "swanctl/private/p521Key.pem", "swanctl/x509/p521Cert.pem",
	  CYGNET__AUTH_METHOD__AUTH_ECDSA_521, 132 },
	{ "swanctl/private/rsaKey.pem", "swanctl/x509/rsaCert.pem",
	  CYGNET__AUTH_METHOD__AUTH_RSA, 0 },
};

static void setup(void)
{
	pki_generate(__FILE__);
}

static void teardown(void)
{
	pki_remove();
}

static int check_sig(const char *certfile, Cygnet__AuthMethod method,
		     const uint8_t *data, size_t len, const struct auth_signature *sig)
{
	X509 *cert = pki_cert(certfile);
	char scheme[48], why[256];
	int ok = sign_verify(X509_get0_pubkey(cert), method, data, len, sig->data,
			     sig->len, scheme, sizeof(scheme), why, sizeof(why));
	X509_free(cert);
	return ok;
}

START_TEST(t_classic_round_trip)
{
	const struct key_case *kc = &keys[_i];
	EVP_PKEY *key = pki_key(kc->key);
	struct auth_signature sig;
	uint8_t tampered[sizeof(octets)];

	ck_assert_int_eq(sign_octets(key, CYGNET__AUTH_METHOD__AUTH_METHOD_NONE,
				     NULL, 0, &sig), 0);
	ck_assert_int_eq(sig.method, kc->classic);
	if (kc->rs_len)
		ck_assert_uint_eq(sig.len, kc->rs_len);
	ck_assert_int_eq(check_sig(kc->cert, sig.method, octets, sizeof(octets), &sig), 1);
	memcpy(tampered, octets, sizeof(octets));
	tampered[3] ^= 1;
	ck_assert_int_eq(check_sig(kc->cert, sig.method, tampered, sizeof(tampered), &sig), 0);
	/* another key's certificate must not verify it */
	ck_assert_int_eq(check_sig(keys[(_i + 1) % 4].cert, sig.method, octets,
				   sizeof(octets), &sig), 0);
	sig.data[sig.len - 1] ^= 0x40;
	ck_assert_int_eq(check_sig(kc->cert, sig.method, octets, sizeof(octets), &sig), 0);
	OPENSSL_free(sig.data);
	EVP_PKEY_free(key);
}
END_TEST

START_TEST(t_rfc7427_round_trip)
{
	static const uint32_t hash_sets[][1] = { { HASH_SHA2_256 }, { HASH_SHA2_384 },
						 { HASH_SHA2_512 } };
	const struct key_case *kc = &keys[_i];
	EVP_PKEY *key = pki_key(kc->key);

	for (size_t h = 0; h < 3; h++) {
		struct auth_signature sig;
		char why[256], scheme[48];
		X509 *cert = pki_cert(kc->cert);

		ck_assert_int_eq(sign_octets(key, CYGNET__AUTH_METHOD__AUTH_METHOD_NONE,
					     hash_sets[h], 1, &sig), 0);
		ck_assert_int_eq(sig.method, CYGNET__AUTH_METHOD__AUTH_DIGITAL_SIGNATURE);
		ck_assert_int_eq(sign_verify(X509_get0_pubkey(cert), sig.method, octets,
					     sizeof(octets), sig.data, sig.len, scheme,
					     sizeof(scheme), why, sizeof(why)), 1);
		ck_assert_str_eq(scheme, sig.scheme);
		ck_assert_ptr_nonnull(strstr(scheme, h == 0 ? "256" : h == 1 ? "384" : "512"));
		/* the AlgorithmIdentifier is bound to the signature */
		sig.data[sig.data[0]] ^= 1;
		ck_assert_int_eq(sign_verify(X509_get0_pubkey(cert), sig.method, octets,
					     sizeof(octets), sig.data, sig.len, scheme,
					     sizeof(scheme), why, sizeof(why)), 0);
		OPENSSL_free(sig.data);
		X509_free(cert);
	}
	EVP_PKEY_free(key);
}
END_TEST

START_TEST(t_ecdsa_prefers_curve_hash)
{
	static const uint32_t offered[] = { HASH_SHA2_256, HASH_SHA2_384, HASH_SHA2_512 };
	EVP_PKEY *key = pki_key("peer/p384Key.pem");
	struct auth_signature sig;

	ck_assert_int_eq(sign_octets(key, CYGNET__AUTH_METHOD__AUTH_METHOD_NONE,
				     offered, 3, &sig), 0);
	ck_assert_str_eq(sig.scheme, "ECDSA_WITH_SHA384_DER");
	OPENSSL_free(sig.data);
	EVP_PKEY_free(key);
}
END_TEST

START_TEST(t_ed25519)
{
	static const uint32_t identity[] = { HASH_SHA2_256, HASH_IDENTITY };
	EVP_PKEY *key = pki_key("swanctl/private/edKey.pem");
	struct auth_signature sig;

	ck_assert_int_eq(sign_octets(key, CYGNET__AUTH_METHOD__AUTH_METHOD_NONE,
				     NULL, 0, &sig), -1);
	ck_assert_int_eq(sign_octets(key, CYGNET__AUTH_METHOD__AUTH_METHOD_NONE,
				     identity, 2, &sig), 0);
	ck_assert_str_eq(sig.scheme, "ED25519");
	ck_assert_int_eq(check_sig("swanctl/x509/edCert.pem", sig.method, octets,
				   sizeof(octets), &sig), 1);
	ck_assert_int_eq(check_sig("swanctl/x509/vpnCert.pem", sig.method, octets,
				   sizeof(octets), &sig), 0);
	OPENSSL_free(sig.data);
	EVP_PKEY_free(key);
}
END_TEST

START_TEST(t_method_mismatch)
{
	EVP_PKEY *key = pki_key("swanctl/private/vpnKey.pem");
	struct auth_signature sig;

	ck_assert_int_eq(sign_octets(key, CYGNET__AUTH_METHOD__AUTH_ECDSA_384,
				     NULL, 0, &sig), -1);
	ck_assert_int_eq(sign_octets(key, CYGNET__AUTH_METHOD__AUTH_RSA,
				     NULL, 0, &sig), -1);
	ck_assert_int_eq(sign_octets(key, CYGNET__AUTH_METHOD__AUTH_ECDSA_256,
				     NULL, 0, &sig), 0);
	/* verified as if it were P-384 or RSA: rejected */
	ck_assert_int_eq(check_sig("peer/../swanctl/x509/p384Cert.pem",
				   CYGNET__AUTH_METHOD__AUTH_ECDSA_384, octets,
				   sizeof(octets), &sig), 0);
	ck_assert_int_eq(check_sig("swanctl/x509/vpnCert.pem",
				   CYGNET__AUTH_METHOD__AUTH_RSA, octets, sizeof(octets),
				   &sig), 0);
	OPENSSL_free(sig.data);
	EVP_PKEY_free(key);
}
END_TEST

START_TEST(t_malformed_signatures)
{
	X509 *cert = pki_cert("swanctl/x509/vpnCert.pem");
	EVP_PKEY *pub = X509_get0_pubkey(cert);
	char scheme[48], why[256];
	static const uint8_t empty[1] = { 0 };
	static const uint8_t overlong[] = { 40, 0x30, 0x0a };
	/* sha1WithRSAEncryption: not accepted for RFC 7427 */
	static const uint8_t sha1rsa[] = { 15, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48,
					   0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05, 0x05, 0x00,
					   1, 2, 3 };

	ck_assert_int_eq(sign_verify(pub, CYGNET__AUTH_METHOD__AUTH_DIGITAL_SIGNATURE,
				     octets, sizeof(octets), empty, 0, scheme,
				     sizeof(scheme), why, sizeof(why)), 0);
	ck_assert_int_eq(sign_verify(pub, CYGNET__AUTH_METHOD__AUTH_DIGITAL_SIGNATURE,
				     octets, sizeof(octets), overlong, sizeof(overlong),
				     scheme, sizeof(scheme), why, sizeof(why)), 0);
	ck_assert_int_eq(sign_verify(pub, CYGNET__AUTH_METHOD__AUTH_DIGITAL_SIGNATURE,
				     octets, sizeof(octets), sha1rsa, sizeof(sha1rsa),
				     scheme, sizeof(scheme), why, sizeof(why)), 0);
	ck_assert_ptr_nonnull(strstr(why, "not accepted"));
	ck_assert_int_eq(sign_verify(pub, CYGNET__AUTH_METHOD__AUTH_ECDSA_256,
				     octets, sizeof(octets), empty, 1, scheme,
				     sizeof(scheme), why, sizeof(why)), 0);
	ck_assert_int_eq(sign_verify(pub, (Cygnet__AuthMethod)2, octets, sizeof(octets),
				     empty, 1, scheme, sizeof(scheme), why, sizeof(why)), 0);
	X509_free(cert);
}
END_TEST

static EVP_MD_CTX *pss_ctx(EVP_PKEY *key)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx;

	ck_assert_int_eq(EVP_DigestSignInit(ctx, &pctx, EVP_sha256(), NULL, key), 1);
	ck_assert_int_eq(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING), 1);
	ck_assert_int_eq(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32), 1);
	ck_assert_int_eq(EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()), 1);
	return ctx;
}

/* A peer's RFC 7427 RSASSA-PSS signature; the AlgorithmIdentifier with
 * its parameters comes from OpenSSL signing a certificate the same way. */
START_TEST(t_rsa_pss_verify)
{
	EVP_PKEY *key = pki_key("swanctl/private/rsaKey.pem");
	X509 *cert = pki_cert("swanctl/x509/rsaCert.pem");
	X509 *resigned = X509_dup(cert);
	EVP_MD_CTX *ctx = pss_ctx(key);
	const X509_ALGOR *alg;
	uint8_t blob[1024], tampered[sizeof(octets)];
	unsigned char *p = blob + 1;
	size_t siglen;
	int alen;
	char scheme[48], why[256];

	ck_assert_int_gt(X509_sign_ctx(resigned, ctx), 0);
	EVP_MD_CTX_free(ctx);
	X509_get0_signature(NULL, &alg, resigned);
	alen = i2d_X509_ALGOR(alg, &p);
	ck_assert_int_gt(alen, 0);
	blob[0] = (uint8_t)alen;
	ctx = pss_ctx(key);
	siglen = sizeof(blob) - 1 - (size_t)alen;
	ck_assert_int_eq(EVP_DigestSign(ctx, blob + 1 + alen, &siglen, octets,
					sizeof(octets)), 1);
	EVP_MD_CTX_free(ctx);
	ck_assert_int_eq(sign_verify(X509_get0_pubkey(cert),
				     CYGNET__AUTH_METHOD__AUTH_DIGITAL_SIGNATURE, octets,
				     sizeof(octets), blob, 1 + alen + siglen, scheme,
				     sizeof(scheme), why, sizeof(why)), 1);
	ck_assert_str_eq(scheme, "RSA_EMSA_PSS_SHA2_256");
	memcpy(tampered, octets, sizeof(octets));
	tampered[0] ^= 1;
	ck_assert_int_eq(sign_verify(X509_get0_pubkey(cert),
				     CYGNET__AUTH_METHOD__AUTH_DIGITAL_SIGNATURE, tampered,
				     sizeof(tampered), blob, 1 + alen + siglen, scheme,
				     sizeof(scheme), why, sizeof(why)), 0);
	X509_free(resigned);
	X509_free(cert);
	EVP_PKEY_free(key);
}
END_TEST

static Suite *sign_suite(void)
{
	Suite *s = suite_create("authority_sign");
	TCase *tc = tcase_create("sign");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, t_classic_round_trip, 0, 4);
	tcase_add_loop_test(tc, t_rfc7427_round_trip, 0, 4);
	tcase_add_test(tc, t_ecdsa_prefers_curve_hash);
	tcase_add_test(tc, t_ed25519);
	tcase_add_test(tc, t_method_mismatch);
	tcase_add_test(tc, t_malformed_signatures);
	tcase_add_test(tc, t_rsa_pss_verify);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(sign_suite)
