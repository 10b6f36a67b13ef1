#include "ike/dh.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/dh.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <stdlib.h>
#include <string.h>

#include "ike/proposal.h"
#include "log.h"

enum dh_kind { KIND_MODP, KIND_ECP, KIND_X25519 };

struct group_info {
	uint16_t group;
	enum dh_kind kind;
	const char *name;	/* OpenSSL group name */
	size_t public_len;
	size_t secret_len;
};

static const struct group_info groups[] = {
	{ DH_MODP_2048, KIND_MODP, "modp_2048", 256, 256 },
	{ DH_MODP_3072, KIND_MODP, "modp_3072", 384, 384 },
	{ DH_MODP_4096, KIND_MODP, "modp_4096", 512, 512 },
	{ DH_ECP_256, KIND_ECP, "P-256", 64, 32 },
	{ DH_ECP_384, KIND_ECP, "P-384", 96, 48 },
	{ DH_ECP_521, KIND_ECP, "P-521", 132, 66 },
	{ DH_CURVE_25519, KIND_X25519, "X25519", 32, 32 },
};

struct dh {
	const struct group_info *info;
	EVP_PKEY *key;
};

static const struct group_info *group_info(uint16_t group)
{
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (groups[i].group == group)
			return &groups[i];
	return NULL;
}

bool dh_supported(uint16_t group)
{
	return group_info(group) != NULL;
}

size_t dh_public_len(uint16_t group)
{
	const struct group_info *info = group_info(group);

	return info ? info->public_len : 0;
}

uint16_t dh_group(const struct dh *dh)
{
	return dh->info->group;
}

static const char *key_type(const struct group_info *info)
{
	switch (info->kind) {
	case KIND_MODP:
		return "DH";
	case KIND_ECP:
		return "EC";
	default:
		return "X25519";
	}
}

struct dh *dh_create(uint16_t group)
{
	const struct group_info *info = group_info(group);
	EVP_PKEY_CTX *ctx;
	OSSL_PARAM params[2];
	struct dh *dh;

	if (!info || !(dh = calloc(1, sizeof(*dh))))
		return NULL;
	dh->info = info;
	ctx = EVP_PKEY_CTX_new_from_name(NULL, key_type(info), NULL);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
						     (char *)info->name, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!ctx || EVP_PKEY_keygen_init(ctx) <= 0 ||
	    (info->kind != KIND_X25519 && EVP_PKEY_CTX_set_params(ctx, params) <= 0) ||
	    EVP_PKEY_generate(ctx, &dh->key) <= 0) {
		DBG1(LOG_IKE, "creating DH key for group %u failed", group);
		EVP_PKEY_CTX_free(ctx);
		free(dh);
		return NULL;
	}
	EVP_PKEY_CTX_free(ctx);
	return dh;
}

/* An EC key (private and/or public) from raw values. */
static EVP_PKEY *ec_key(const struct group_info *info, const uint8_t *priv,
			size_t priv_len, const uint8_t *pub, size_t pub_len)
{
	uint8_t point[1 + 2 * 66];
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	EVP_PKEY *key = NULL;
	BIGNUM *bn = priv ? BN_bin2bn(priv, (int)priv_len, NULL) : NULL;

	point[0] = 0x04;	/* uncompressed: x | y follow */
	memcpy(point + 1, pub, pub_len);
	if (bld && ctx && (!priv || bn) &&
	    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
					    info->name, 0) &&
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
					     point, pub_len + 1) &&
	    (!bn || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, bn)) &&
	    (params = OSSL_PARAM_BLD_to_param(bld)) &&
	    EVP_PKEY_fromdata_init(ctx) > 0)
		EVP_PKEY_fromdata(ctx, &key, bn ? EVP_PKEY_KEYPAIR :
				  EVP_PKEY_PUBLIC_KEY, params);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	BN_clear_free(bn);
	return key;
}

struct dh *dh_create_from_private(uint16_t group, const uint8_t *priv,
				  size_t priv_len, const uint8_t *pub,
				  size_t pub_len)
{
	const struct group_info *info = group_info(group);
	struct dh *dh;

	if (!info || info->kind == KIND_MODP || !(dh = calloc(1, sizeof(*dh))))
		return NULL;
	dh->info = info;
	if (info->kind == KIND_X25519)
		dh->key = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL,
						       priv, priv_len);
	else if (pub_len == info->public_len)
		dh->key = ec_key(info, priv, priv_len, pub, pub_len);
	if (!dh->key) {
		free(dh);
		return NULL;
	}
	return dh;
}

void dh_free(struct dh *dh)
{
	if (!dh)
		return;
	EVP_PKEY_free(dh->key);
	free(dh);
}

static int bn_public(const struct dh *dh, uint8_t *out, size_t len)
{
	BIGNUM *pub = NULL;
	int rc = -1;

	if (EVP_PKEY_get_bn_param(dh->key, OSSL_PKEY_PARAM_PUB_KEY, &pub) &&
	    BN_bn2binpad(pub, out, (int)len) == (int)len)
		rc = 0;
	BN_free(pub);
	return rc;
}

int dh_public(const struct dh *dh, uint8_t *out, size_t len)
{
	uint8_t point[1 + 2 * 66];
	size_t point_len;

	if (len != dh->info->public_len)
		return -1;
	switch (dh->info->kind) {
	case KIND_MODP:
		return bn_public(dh, out, len);
	case KIND_ECP:
		if (!EVP_PKEY_get_octet_string_param(dh->key, OSSL_PKEY_PARAM_PUB_KEY,
						     point, sizeof(point), &point_len) ||
		    point_len != len + 1 || point[0] != 0x04)
			return -1;
		memcpy(out, point + 1, len);
		return 0;
	default:
		point_len = len;
		return EVP_PKEY_get_raw_public_key(dh->key, out, &point_len) &&
		       point_len == len ? 0 : -1;
	}
}

/* RFC 6989 2.1: for the safe-prime MODP groups 1 < y < p-1 suffices;
 * OpenSSL's own check adds a y^q mod p exponentiation that costs more
 * than the derivation itself. */
static EVP_PKEY *modp_peer(const struct dh *dh, const uint8_t *peer,
			   size_t len)
{
	BIGNUM *p = NULL, *y = BN_bin2bn(peer, (int)len, NULL);
	BIGNUM *p_minus_1 = BN_new();
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
	EVP_PKEY *key = NULL;
	bool in_range = false;

	if (y && p_minus_1 &&
	    EVP_PKEY_get_bn_param(dh->key, OSSL_PKEY_PARAM_FFC_P, &p) &&
	    BN_sub(p_minus_1, p, BN_value_one()))
		in_range = BN_cmp(y, BN_value_one()) > 0 && BN_cmp(y, p_minus_1) < 0;
	if (!in_range)
		DBG1(LOG_IKE, "invalid DH public value (not in 1 < y < p-1)");
	else if (bld && ctx &&
		 OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
						 dh->info->name, 0) &&
		 OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, y) &&
		 (params = OSSL_PARAM_BLD_to_param(bld)) &&
		 EVP_PKEY_fromdata_init(ctx) > 0)
		EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	BN_free(p);
	BN_free(y);
	BN_free(p_minus_1);
	return key;
}

/* RFC 6989 2.3: the point must be on the curve and not at infinity.  The
 * quick check tests exactly that; the full check adds a scalar
 * multiplication by the order (about 60 us on P-256) that only matters
 * for curves with a cofactor, which groups 19-21 do not have. */
static EVP_PKEY *ecp_peer(const struct dh *dh, const uint8_t *peer, size_t len)
{
	EVP_PKEY *key = ec_key(dh->info, NULL, 0, peer, len);
	EVP_PKEY_CTX *ctx = key ? EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL) : NULL;

	if (!ctx || EVP_PKEY_public_check_quick(ctx) != 1) {
		DBG1(LOG_IKE, "invalid DH public value (point not on curve)");
		EVP_PKEY_free(key);
		key = NULL;
	}
	EVP_PKEY_CTX_free(ctx);
	return key;
}

static EVP_PKEY *peer_key(const struct dh *dh, const uint8_t *peer, size_t len)
{
	switch (dh->info->kind) {
	case KIND_MODP:
		return modp_peer(dh, peer, len);
	case KIND_ECP:
		return ecp_peer(dh, peer, len);
	default:
		return EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, peer, len);
	}
}

static bool all_zero(const uint8_t *p, size_t len)
{
	uint8_t acc = 0;

	for (size_t i = 0; i < len; i++)
		acc |= p[i];
	return acc == 0;
}

int dh_derive(struct dh *dh, const uint8_t *peer, size_t peer_len,
	      uint8_t *secret, size_t *secret_len)
{
	EVP_PKEY *peer_pkey;
	EVP_PKEY_CTX *ctx;
	size_t len = dh->info->secret_len;
	int ok;

	if (peer_len != dh->info->public_len) {
		DBG1(LOG_IKE, "DH public value of %zu bytes, expected %zu",
		     peer_len, dh->info->public_len);
		return -1;
	}
	peer_pkey = peer_key(dh, peer, peer_len);
	if (!peer_pkey)
		return -1;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, dh->key, NULL);
	/* The peer value was checked above; g^ir is padded to |p|. */
	ok = ctx && EVP_PKEY_derive_init(ctx) > 0 &&
	     (dh->info->kind != KIND_MODP || EVP_PKEY_CTX_set_dh_pad(ctx, 1) > 0) &&
	     EVP_PKEY_derive_set_peer_ex(ctx, peer_pkey, 0) > 0 &&
	     EVP_PKEY_derive(ctx, secret, &len) > 0 &&
	     len == dh->info->secret_len;
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(peer_pkey);
	/* RFC 8031 2.3: an all-zero Curve25519 result is refused. */
	if (!ok || all_zero(secret, len)) {
		DBG1(LOG_IKE, "DH shared secret computation failed");
		return -1;
	}
	*secret_len = len;
	return 0;
}
