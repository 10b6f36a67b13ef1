#include "authority/sign.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define ALGID_MAX 255

static int ec_curve_nid(const EVP_PKEY *key)
{
	char name[64];
	size_t len;

	if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC ||
	    !EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME,
					    name, sizeof(name), &len))
		return NID_undef;
	return OBJ_sn2nid(name);
}

/* The classic method (RFC 7296 3.8) a key signs with, or NONE. */
static Cygnet__AuthMethod classic_method(const EVP_PKEY *key)
{
	if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA)
		return CYGNET__AUTH_METHOD__AUTH_RSA;
	switch (ec_curve_nid(key)) {
	case NID_X9_62_prime256v1:
		return CYGNET__AUTH_METHOD__AUTH_ECDSA_256;
	case NID_secp384r1:
		return CYGNET__AUTH_METHOD__AUTH_ECDSA_384;
	case NID_secp521r1:
		return CYGNET__AUTH_METHOD__AUTH_ECDSA_521;
	default:
		return CYGNET__AUTH_METHOD__AUTH_METHOD_NONE;
	}
}

/* The hash an ECDSA auth method signs with (RFC 4754), 0 for others. */
static uint32_t curve_hash(Cygnet__AuthMethod method)
{
	switch (method) {
	case CYGNET__AUTH_METHOD__AUTH_ECDSA_256:
		return HASH_SHA2_256;
	case CYGNET__AUTH_METHOD__AUTH_ECDSA_384:
		return HASH_SHA2_384;
	case CYGNET__AUTH_METHOD__AUTH_ECDSA_521:
		return HASH_SHA2_512;
	default:
		return 0;
	}
}

static const EVP_MD *hash_md(uint32_t hash)
{
	switch (hash) {
	case HASH_SHA2_256:
		return EVP_sha256();
	case HASH_SHA2_384:
		return EVP_sha384();
	case HASH_SHA2_512:
		return EVP_sha512();
	default:
		return NULL;
	}
}

/* RFC 7296 RSA signatures hash with SHA-1. */
static const EVP_MD *classic_md(Cygnet__AuthMethod method)
{
	if (method == CYGNET__AUTH_METHOD__AUTH_RSA)
		return EVP_sha1();
	return hash_md(curve_hash(method));
}

static bool peer_offers(const uint32_t *hashes, size_t n, uint32_t hash)
{
	for (size_t i = 0; i < n; i++) {
		if (hashes[i] == hash)
			return true;
	}
	return false;
}

/* The RFC 7427 hash for key among the peer's: the curve's own hash for
 * ECDSA first, SHA-256 before longer ones otherwise; 0 if none fits. */
static uint32_t choose_hash(const EVP_PKEY *key, const uint32_t *hashes, size_t n)
{
	static const uint32_t sha2[] = { HASH_SHA2_256, HASH_SHA2_384, HASH_SHA2_512 };
	uint32_t own = curve_hash(classic_method(key));

	if (EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519)
		return peer_offers(hashes, n, HASH_IDENTITY) ? HASH_IDENTITY : 0;
	if (own && peer_offers(hashes, n, own))
		return own;
	for (size_t i = 0; i < sizeof(sha2) / sizeof(sha2[0]); i++) {
		if (peer_offers(hashes, n, sha2[i]))
			return sha2[i];
	}
	return 0;
}

static int raw_sign(EVP_PKEY *key, const EVP_MD *md, const uint8_t *octets,
		    size_t len, unsigned char **sig, size_t *siglen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int rc = -1;

	*sig = NULL;
	if (ctx && EVP_DigestSignInit(ctx, NULL, md, NULL, key) == 1 &&
	    EVP_DigestSign(ctx, NULL, siglen, octets, len) == 1 &&
	    (*sig = OPENSSL_malloc(*siglen)) &&
	    EVP_DigestSign(ctx, *sig, siglen, octets, len) == 1)
		rc = 0;
	if (rc < 0) {
		OPENSSL_free(*sig);
		*sig = NULL;
	}
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}

static int raw_verify(EVP_PKEY *pub, const EVP_MD *md, const uint8_t *octets,
		      size_t len, const uint8_t *sig, size_t siglen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx && EVP_DigestVerifyInit(ctx, NULL, md, NULL, pub) == 1 &&
		 EVP_DigestVerify(ctx, sig, siglen, octets, len) == 1;

	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}

static size_t ec_field_len(const EVP_PKEY *key)
{
	return (size_t)(EVP_PKEY_get_bits(key) + 7) / 8;
}

/* DER ECDSA-Sig-Value -> r|s, each padded to the field length. */
static int der_to_rs(const EVP_PKEY *key, unsigned char *der, size_t derlen,
		     struct auth_signature *out)
{
	const unsigned char *p = der;
	ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)derlen);
	size_t n = ec_field_len(key);
	const BIGNUM *r, *s;

	out->data = sig ? OPENSSL_malloc(2 * n) : NULL;
	if (!out->data) {
		ECDSA_SIG_free(sig);
		return -1;
	}
	ECDSA_SIG_get0(sig, &r, &s);
	BN_bn2binpad(r, out->data, (int)n);
	BN_bn2binpad(s, out->data + n, (int)n);
	out->len = 2 * n;
	ECDSA_SIG_free(sig);
	return 0;
}

static int rs_to_der(const EVP_PKEY *key, const uint8_t *rs, size_t len,
		     unsigned char **der, size_t *derlen)
{
	size_t n = ec_field_len(key);
	ECDSA_SIG *sig;
	BIGNUM *r, *s;
	int dlen;

	if (len != 2 * n)
		return -1;
	sig = ECDSA_SIG_new();
	r = BN_bin2bn(rs, (int)n, NULL);
	s = BN_bin2bn(rs + n, (int)n, NULL);
	if (!sig || !r || !s || !ECDSA_SIG_set0(sig, r, s)) {
		BN_free(r);
		BN_free(s);
		ECDSA_SIG_free(sig);
		return -1;
	}
	*der = NULL;
	dlen = i2d_ECDSA_SIG(sig, der);
	ECDSA_SIG_free(sig);
	if (dlen <= 0)
		return -1;
	*derlen = (size_t)dlen;
	return 0;
}

static void classic_scheme(Cygnet__AuthMethod method, char *buf, size_t len)
{
	if (method == CYGNET__AUTH_METHOD__AUTH_RSA)
		snprintf(buf, len, "RSA signature");
	else
		snprintf(buf, len, "ECDSA-%d signature",
			 method == CYGNET__AUTH_METHOD__AUTH_ECDSA_256 ? 256 :
			 method == CYGNET__AUTH_METHOD__AUTH_ECDSA_384 ? 384 : 521);
}

static int sign_classic(EVP_PKEY *key, Cygnet__AuthMethod method,
			const uint8_t *octets, size_t len,
			struct auth_signature *out, char *why, size_t whylen)
{
	unsigned char *sig;
	size_t siglen;
	int rc;

	if (classic_method(key) != method) {
		snprintf(why, whylen, "key cannot sign with auth method %d", method);
		return -1;
	}
	if (raw_sign(key, classic_md(method), octets, len, &sig, &siglen) < 0) {
		snprintf(why, whylen, "signing failed");
		return -1;
	}
	out->method = method;
	classic_scheme(method, out->scheme, sizeof(out->scheme));
	if (method == CYGNET__AUTH_METHOD__AUTH_RSA) {
		out->data = sig;
		out->len = siglen;
		return 0;
	}
	rc = der_to_rs(key, sig, siglen, out);
	OPENSSL_free(sig);
	if (rc < 0)
		snprintf(why, whylen, "ECDSA signature conversion failed");
	return rc;
}

/* The signature algorithm (RFC 7427 3) for key and hash. */
static int sig_nid(const EVP_PKEY *key, uint32_t hash)
{
	int md_nid = hash == HASH_SHA2_256 ? NID_sha256 :
		     hash == HASH_SHA2_384 ? NID_sha384 :
		     hash == HASH_SHA2_512 ? NID_sha512 : NID_undef;
	int sig;

	if (EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519)
		return hash == HASH_IDENTITY ? NID_ED25519 : NID_undef;
	if (md_nid == NID_undef ||
	    !OBJ_find_sigid_by_algs(&sig, md_nid, EVP_PKEY_get_base_id(key)))
		return NID_undef;
	return sig;
}

static void rfc7427_scheme(int nid, char *buf, size_t len)
{
	int md_nid, pkey_nid;
	int bits;

	if (nid == NID_ED25519 || !OBJ_find_sigid_algs(nid, &md_nid, &pkey_nid)) {
		snprintf(buf, len, "ED25519");
		return;
	}
	bits = md_nid == NID_sha384 ? 384 : md_nid == NID_sha512 ? 512 : 256;
	if (pkey_nid == NID_rsaEncryption)
		snprintf(buf, len, "RSA_EMSA_PKCS1_SHA2_%d", bits);
	else
		snprintf(buf, len, "ECDSA_WITH_SHA%d_DER", bits);
}

/* length octet | AlgorithmIdentifier DER, parameters NULL for RSA and
 * absent for ECDSA and EdDSA (RFC 7427 A). */
static int encode_algid(int nid, unsigned char *buf, size_t *len)
{
	X509_ALGOR *alg = X509_ALGOR_new();
	int md_nid, pkey_nid;
	bool rsa = OBJ_find_sigid_algs(nid, &md_nid, &pkey_nid) &&
		   pkey_nid == NID_rsaEncryption;
	unsigned char *p = buf + 1;
	int n;

	if (!alg)
		return -1;
	X509_ALGOR_set0(alg, OBJ_nid2obj(nid), rsa ? V_ASN1_NULL : V_ASN1_UNDEF, NULL);
	n = i2d_X509_ALGOR(alg, NULL);
	if (n <= 0 || n > ALGID_MAX) {
		X509_ALGOR_free(alg);
		return -1;
	}
	i2d_X509_ALGOR(alg, &p);
	X509_ALGOR_free(alg);
	buf[0] = (unsigned char)n;
	*len = (size_t)n + 1;
	return 0;
}

static int sign_rfc7427(EVP_PKEY *key, uint32_t hash, const uint8_t *octets,
			size_t len, struct auth_signature *out, char *why,
			size_t whylen)
{
	unsigned char algid[ALGID_MAX + 1];
	size_t algid_len;
	unsigned char *sig;
	size_t siglen;
	int nid = sig_nid(key, hash);

	if (nid == NID_undef || encode_algid(nid, algid, &algid_len) < 0) {
		snprintf(why, whylen, "no RFC 7427 signature scheme for this key "
			 "and hash %u", hash);
		return -1;
	}
	if (raw_sign(key, hash_md(hash), octets, len, &sig, &siglen) < 0) {
		snprintf(why, whylen, "signing failed");
		return -1;
	}
	out->data = OPENSSL_malloc(algid_len + siglen);
	if (!out->data) {
		OPENSSL_free(sig);
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	memcpy(out->data, algid, algid_len);
	memcpy(out->data + algid_len, sig, siglen);
	out->len = algid_len + siglen;
	out->method = CYGNET__AUTH_METHOD__AUTH_DIGITAL_SIGNATURE;
	rfc7427_scheme(nid, out->scheme, sizeof(out->scheme));
	OPENSSL_free(sig);
	return 0;
}

int sign_create(EVP_PKEY *key, Cygnet__AuthMethod method, const uint32_t *peer_hashes,
		size_t n_peer_hashes, const uint8_t *octets, size_t len,
		struct auth_signature *out, char *why, size_t whylen)
{
	uint32_t hash = choose_hash(key, peer_hashes, n_peer_hashes);

	memset(out, 0, sizeof(*out));
	if (method == CYGNET__AUTH_METHOD__AUTH_METHOD_NONE)
		method = hash ? CYGNET__AUTH_METHOD__AUTH_DIGITAL_SIGNATURE :
				classic_method(key);
	if (method == CYGNET__AUTH_METHOD__AUTH_DIGITAL_SIGNATURE) {
		if (!hash)
			hash = EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519 ?
			       HASH_IDENTITY : HASH_SHA2_256;
		return sign_rfc7427(key, hash, octets, len, out, why, whylen);
	}
	if (method == CYGNET__AUTH_METHOD__AUTH_METHOD_NONE) {
		snprintf(why, whylen, "%s keys sign only with RFC 7427 signatures, "
			 "which the peer did not offer",
			 EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519 ? "Ed25519" : "these");
		return -1;
	}
	return sign_classic(key, method, octets, len, out, why, whylen);
}

static int verify_classic(EVP_PKEY *pub, Cygnet__AuthMethod method,
			  const uint8_t *octets, size_t len, const uint8_t *sig,
			  size_t siglen, char *why, size_t whylen)
{
	unsigned char *der = NULL;
	size_t derlen;
	int ok;

	if (classic_method(pub) != method) {
		snprintf(why, whylen, "auth method %d does not match the "
			 "certificate's key", method);
		return 0;
	}
	if (method == CYGNET__AUTH_METHOD__AUTH_RSA)
		ok = raw_verify(pub, EVP_sha1(), octets, len, sig, siglen);
	else if (rs_to_der(pub, sig, siglen, &der, &derlen) < 0)
		ok = 0;
	else
		ok = raw_verify(pub, classic_md(method), octets, len, der, derlen);
	OPENSSL_free(der);
	if (!ok)
		snprintf(why, whylen, "signature verification failed");
	return ok;
}

/* Parses the AlgorithmIdentifier in front of an RFC 7427 signature. */
static X509_ALGOR *parse_algid(const uint8_t *sig, size_t siglen, size_t *skip)
{
	const unsigned char *p;
	X509_ALGOR *alg;
	size_t alen;

	if (siglen < 1 || (alen = sig[0]) == 0 || siglen < 1 + alen)
		return NULL;
	p = sig + 1;
	alg = d2i_X509_ALGOR(NULL, &p, (long)alen);
	if (!alg || p != sig + 1 + alen) {
		X509_ALGOR_free(alg);
		return NULL;
	}
	*skip = 1 + alen;
	return alg;
}

static bool sha2_nid(int nid)
{
	return nid == NID_sha256 || nid == NID_sha384 || nid == NID_sha512;
}

/* The hash of an AlgorithmIdentifier that may be absent (then SHA-1,
 * RFC 4055's default, which we do not accept). */
static int algor_md_nid(const X509_ALGOR *alg)
{
	return alg ? OBJ_obj2nid(alg->algorithm) : NID_sha1;
}

/* RSASSA-PSS parameters (RFC 4055): hash, MGF1 hash, salt length. */
struct pss_params {
	const EVP_MD *md;
	const EVP_MD *mgf1_md;
	int salt_len;
};

static int parse_pss(const X509_ALGOR *alg, struct pss_params *out)
{
	const ASN1_TYPE *param = alg->parameter;
	RSA_PSS_PARAMS *pss = NULL;
	X509_ALGOR *mgf1_hash = NULL;
	int md_nid, mgf_nid, rc = -1;

	if (param && param->type == V_ASN1_SEQUENCE)
		pss = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(RSA_PSS_PARAMS), param);
	if (!pss)
		return -1;
	md_nid = algor_md_nid(pss->hashAlgorithm);
	if (pss->maskGenAlgorithm &&
	    OBJ_obj2nid(pss->maskGenAlgorithm->algorithm) == NID_mgf1 &&
	    pss->maskGenAlgorithm->parameter &&
	    pss->maskGenAlgorithm->parameter->type == V_ASN1_SEQUENCE)
		mgf1_hash = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(X509_ALGOR),
						      pss->maskGenAlgorithm->parameter);
	mgf_nid = mgf1_hash ? OBJ_obj2nid(mgf1_hash->algorithm) : NID_undef;
	out->salt_len = pss->saltLength ? (int)ASN1_INTEGER_get(pss->saltLength) : 20;
	if (sha2_nid(md_nid) && sha2_nid(mgf_nid) && out->salt_len >= 0 &&
	    (!pss->trailerField || ASN1_INTEGER_get(pss->trailerField) == 1)) {
		out->md = EVP_get_digestbynid(md_nid);
		out->mgf1_md = EVP_get_digestbynid(mgf_nid);
		rc = 0;
	}
	X509_ALGOR_free(mgf1_hash);
	RSA_PSS_PARAMS_free(pss);
	return rc;
}

static int verify_pss(EVP_PKEY *pub, const struct pss_params *pss,
		      const uint8_t *octets, size_t len, const uint8_t *sig,
		      size_t siglen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	int ok = ctx && EVP_DigestVerifyInit(ctx, &pctx, pss->md, NULL, pub) == 1 &&
		 EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
		 EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, pss->salt_len) == 1 &&
		 EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, pss->mgf1_md) == 1 &&
		 EVP_DigestVerify(ctx, sig, siglen, octets, len) == 1;

	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}

static int verify_rfc7427_pss(EVP_PKEY *pub, const X509_ALGOR *alg,
			      const uint8_t *octets, size_t len, const uint8_t *sig,
			      size_t siglen, char *scheme, size_t schemelen,
			      char *why, size_t whylen)
{
	struct pss_params pss;
	int ok;

	if (parse_pss(alg, &pss) < 0) {
		snprintf(why, whylen, "RSASSA-PSS parameters not accepted");
		return 0;
	}
	snprintf(scheme, schemelen, "RSA_EMSA_PSS_SHA2_%d", EVP_MD_get_size(pss.md) * 8);
	if (EVP_PKEY_get_base_id(pub) != EVP_PKEY_RSA) {
		snprintf(why, whylen, "%s does not match the certificate's key", scheme);
		return 0;
	}
	ok = verify_pss(pub, &pss, octets, len, sig, siglen);
	if (!ok)
		snprintf(why, whylen, "%s signature verification failed", scheme);
	return ok;
}

static int verify_rfc7427(EVP_PKEY *pub, const uint8_t *octets, size_t len,
			  const uint8_t *sig, size_t siglen, char *scheme,
			  size_t schemelen, char *why, size_t whylen)
{
	int nid, md_nid = NID_undef, pkey_nid = NID_undef;
	size_t skip;
	const EVP_MD *md = NULL;
	X509_ALGOR *alg = parse_algid(sig, siglen, &skip);
	int ok;

	if (!alg) {
		snprintf(why, whylen, "malformed RFC 7427 AlgorithmIdentifier");
		return 0;
	}
	nid = OBJ_obj2nid(alg->algorithm);
	if (nid == NID_rsassaPss) {
		ok = verify_rfc7427_pss(pub, alg, octets, len, sig + skip, siglen - skip,
					scheme, schemelen, why, whylen);
		X509_ALGOR_free(alg);
		return ok;
	}
	X509_ALGOR_free(alg);
	if (nid == NID_ED25519) {
		pkey_nid = EVP_PKEY_ED25519;
	} else if (!OBJ_find_sigid_algs(nid, &md_nid, &pkey_nid) || !sha2_nid(md_nid)) {
		snprintf(why, whylen, "signature algorithm %s not accepted",
			 OBJ_nid2sn(nid));
		return 0;
	} else {
		md = EVP_get_digestbynid(md_nid);
	}
	rfc7427_scheme(nid, scheme, schemelen);
	if (pkey_nid != EVP_PKEY_get_base_id(pub)) {
		snprintf(why, whylen, "%s does not match the certificate's key", scheme);
		return 0;
	}
	ok = raw_verify(pub, md, octets, len, sig + skip, siglen - skip);
	if (!ok)
		snprintf(why, whylen, "%s signature verification failed", scheme);
	return ok;
}

int sign_verify(EVP_PKEY *pub, Cygnet__AuthMethod method, const uint8_t *octets,
		size_t len, const uint8_t *sig, size_t siglen, char *scheme,
		size_t schemelen, char *why, size_t whylen)
{
	snprintf(scheme, schemelen, "auth method %d", method);
	if (method == CYGNET__AUTH_METHOD__AUTH_DIGITAL_SIGNATURE)
		return verify_rfc7427(pub, octets, len, sig, siglen, scheme,
				      schemelen, why, whylen);
	if (!classic_md(method)) {
		snprintf(why, whylen, "auth method %d not supported", method);
		return 0;
	}
	classic_scheme(method, scheme, schemelen);
	return verify_classic(pub, method, octets, len, sig, siglen, why, whylen);
}
