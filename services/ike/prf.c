#include "ike/prf.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <pthread.h>
#include <string.h>

#include "ike/proposal.h"

/*
 * Naming the digest in EVP_MAC_init() makes OpenSSL fetch it on every call;
 * one keyless HMAC context per digest, made once and duplicated per call,
 * fetches each digest once per process.
 */
enum hmac_digest { HMAC_SHA1, HMAC_SHA256, HMAC_SHA384, HMAC_SHA512, HMAC_DIGESTS };

static const char *const digest_names[HMAC_DIGESTS] = {
	"SHA1", "SHA256", "SHA384", "SHA512",
};
static EVP_MAC_CTX *hmac_templates[HMAC_DIGESTS];
static pthread_once_t hmac_once = PTHREAD_ONCE_INIT;

static EVP_MAC_CTX *make_template(EVP_MAC *mac, const char *digest)
{
	EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(mac);
	OSSL_PARAM params[2];

	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						     (char *)digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (ctx && !EVP_MAC_CTX_set_params(ctx, params)) {
		EVP_MAC_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

static void make_templates(void)
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);

	if (!mac)
		return;
	for (int i = 0; i < HMAC_DIGESTS; i++)
		hmac_templates[i] = make_template(mac, digest_names[i]);
	EVP_MAC_free(mac);
}

struct prf_alg {
	uint16_t id;
	enum hmac_digest digest;
	size_t len;
};

static const struct prf_alg prfs[] = {
	{ PRF_HMAC_SHA1, HMAC_SHA1, 20 },
	{ PRF_HMAC_SHA2_256, HMAC_SHA256, 32 },
	{ PRF_HMAC_SHA2_384, HMAC_SHA384, 48 },
	{ PRF_HMAC_SHA2_512, HMAC_SHA512, 64 },
};

/* HMAC-SHA* truncated to half the digest (SHA-1: 96 of 160 bits). */
struct integ_alg {
	uint16_t id;
	enum hmac_digest digest;
	size_t key_len;
	size_t icv_len;
};

static const struct integ_alg integs[] = {
	{ INTEG_HMAC_SHA1_96, HMAC_SHA1, 20, 12 },
	{ INTEG_HMAC_SHA2_256_128, HMAC_SHA256, 32, 16 },
	{ INTEG_HMAC_SHA2_384_192, HMAC_SHA384, 48, 24 },
	{ INTEG_HMAC_SHA2_512_256, HMAC_SHA512, 64, 32 },
};

static const struct prf_alg *prf_alg(uint16_t id)
{
	for (size_t i = 0; i < sizeof(prfs) / sizeof(prfs[0]); i++)
		if (prfs[i].id == id)
			return &prfs[i];
	return NULL;
}

static const struct integ_alg *integ_alg(uint16_t id)
{
	for (size_t i = 0; i < sizeof(integs) / sizeof(integs[0]); i++)
		if (integs[i].id == id)
			return &integs[i];
	return NULL;
}

size_t prf_len(uint16_t prf_id)
{
	const struct prf_alg *alg = prf_alg(prf_id);

	return alg ? alg->len : 0;
}

static int hmac(enum hmac_digest digest, const uint8_t *key, size_t key_len,
		const uint8_t *data1, size_t len1, const uint8_t *data2,
		size_t len2, uint8_t *out, size_t out_cap)
{
	EVP_MAC_CTX *ctx;
	size_t out_len;
	int ok;

	pthread_once(&hmac_once, make_templates);
	if (!hmac_templates[digest] ||
	    !(ctx = EVP_MAC_CTX_dup(hmac_templates[digest])))
		return -1;
	ok = EVP_MAC_init(ctx, key, key_len, NULL) &&
	     EVP_MAC_update(ctx, data1, len1) &&
	     (!data2 || EVP_MAC_update(ctx, data2, len2)) &&
	     EVP_MAC_final(ctx, out, &out_len, out_cap);
	EVP_MAC_CTX_free(ctx);
	return ok ? 0 : -1;
}

int prf_compute(uint16_t prf_id, const uint8_t *key, size_t key_len,
		const uint8_t *data1, size_t len1, const uint8_t *data2,
		size_t len2, uint8_t *out)
{
	const struct prf_alg *alg = prf_alg(prf_id);

	if (!alg)
		return -1;
	return hmac(alg->digest, key, key_len, data1, len1, data2, len2, out,
		    alg->len);
}

/* T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n) */
int prf_plus(uint16_t prf_id, const uint8_t *key, size_t key_len,
	     const uint8_t *seed, size_t seed_len, uint8_t *out, size_t out_len)
{
	size_t block = prf_len(prf_id), done = 0;
	uint8_t t[PRF_MAX_LEN], input[PRF_MAX_LEN + 1024 + 1];
	unsigned counter = 1;

	if (!block || seed_len > 1024 || out_len > 255 * block)
		return -1;
	while (done < out_len) {
		size_t in_len = 0, n;

		if (counter > 1) {
			memcpy(input, t, block);
			in_len = block;
		}
		memcpy(input + in_len, seed, seed_len);
		in_len += seed_len;
		input[in_len++] = (uint8_t)counter++;
		if (prf_compute(prf_id, key, key_len, input, in_len, NULL, 0, t) < 0)
			return -1;
		n = out_len - done < block ? out_len - done : block;
		memcpy(out + done, t, n);
		done += n;
	}
	return 0;
}

size_t integ_key_len(uint16_t integ_id)
{
	const struct integ_alg *alg = integ_alg(integ_id);

	return alg ? alg->key_len : 0;
}

size_t integ_icv_len(uint16_t integ_id)
{
	const struct integ_alg *alg = integ_alg(integ_id);

	return alg ? alg->icv_len : 0;
}

int integ_compute(uint16_t integ_id, const uint8_t *key, const uint8_t *data,
		  size_t len, uint8_t *out)
{
	const struct integ_alg *alg = integ_alg(integ_id);
	uint8_t full[PRF_MAX_LEN];

	if (!alg || hmac(alg->digest, key, alg->key_len, data, len, NULL, 0,
			 full, sizeof(full)) < 0)
		return -1;
	memcpy(out, full, alg->icv_len);
	return 0;
}
