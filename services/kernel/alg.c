/* The algorithms the service installs: IKEv2 transform ids (RFC 7296,
 * IANA "Transform Type 1/3") mapped to Linux crypto API names. */
#include <string.h>

#include "knl.h"

static const struct knl_alg encr_algs[] = {
	{ KNL_ALG_CRYPT, 12, "AES_CBC", "cbc(aes)", { 128, 192, 256 }, 0, 0 },
	{ KNL_ALG_AEAD, 20, "AES_GCM_16", "rfc4106(gcm(aes))",
	  { 128, 256, 0 }, 4, 128 },
	{ KNL_ALG_AEAD, 28, "CHACHA20_POLY1305",
	  "rfc7539esp(chacha20,poly1305)", { 256, 0, 0 }, 4, 128 },
};

static const struct knl_alg integ_algs[] = {
	{ KNL_ALG_AUTH, 2, "HMAC_SHA1_96", "hmac(sha1)", { 160, 0, 0 }, 0, 96 },
	{ KNL_ALG_AUTH, 12, "HMAC_SHA2_256_128", "hmac(sha256)",
	  { 256, 0, 0 }, 0, 128 },
	{ KNL_ALG_AUTH, 13, "HMAC_SHA2_384_192", "hmac(sha384)",
	  { 384, 0, 0 }, 0, 192 },
	{ KNL_ALG_AUTH, 14, "HMAC_SHA2_512_256", "hmac(sha512)",
	  { 512, 0, 0 }, 0, 256 },
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const struct knl_alg *by_id(const struct knl_alg *algs, size_t n,
				   uint16_t ike_id)
{
	for (size_t i = 0; i < n; i++)
		if (algs[i].ike_id == ike_id)
			return &algs[i];
	return NULL;
}

const struct knl_alg *knl_alg_encr(uint16_t ike_id)
{
	return by_id(encr_algs, COUNT(encr_algs), ike_id);
}

const struct knl_alg *knl_alg_integ(uint16_t ike_id)
{
	return by_id(integ_algs, COUNT(integ_algs), ike_id);
}

const struct knl_alg *knl_alg_by_kernel_name(enum knl_alg_kind kind,
					     const char *name,
					     uint16_t icv_bits)
{
	const struct knl_alg *algs = kind == KNL_ALG_AUTH ? integ_algs
							  : encr_algs;
	size_t n = kind == KNL_ALG_AUTH ? COUNT(integ_algs) : COUNT(encr_algs);

	for (size_t i = 0; i < n; i++) {
		if (algs[i].kind != kind || strcmp(algs[i].kernel_name, name))
			continue;
		if (kind == KNL_ALG_CRYPT || algs[i].icv_bits == icv_bits)
			return &algs[i];
	}
	return NULL;
}

bool knl_alg_key_bits_ok(const struct knl_alg *alg, uint16_t key_bits)
{
	for (size_t i = 0; i < COUNT(alg->key_bits) && alg->key_bits[i]; i++)
		if (alg->key_bits[i] == key_bits)
			return true;
	return false;
}
