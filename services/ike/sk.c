#include "ike/sk.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <string.h>

#include "ike/message.h"
#include "ike/prf.h"
#include "log.h"

#define CBC_IV_LEN 16
#define GCM_IV_LEN 8
#define GCM_SALT_LEN 4
#define GCM_ICV_LEN 16

static bool is_gcm(const struct sk_keys *k)
{
	return k->encr == ENCR_AES_GCM_16;
}

size_t sk_iv_len(const struct sk_keys *k)
{
	return is_gcm(k) ? GCM_IV_LEN : CBC_IV_LEN;
}

size_t sk_icv_len(const struct sk_keys *k)
{
	return is_gcm(k) ? GCM_ICV_LEN : integ_icv_len(k->integ);
}

size_t sk_block_size(const struct sk_keys *k)
{
	return is_gcm(k) ? 1 : CBC_IV_LEN;
}

static const EVP_CIPHER *cipher(const struct sk_keys *k)
{
	if (is_gcm(k)) {
		switch (k->encr_bits) {
		case 128:
			return EVP_aes_128_gcm();
		case 192:
			return EVP_aes_192_gcm();
		case 256:
			return EVP_aes_256_gcm();
		}
	} else if (k->encr == ENCR_AES_CBC) {
		switch (k->encr_bits) {
		case 128:
			return EVP_aes_128_cbc();
		case 192:
			return EVP_aes_192_cbc();
		case 256:
			return EVP_aes_256_cbc();
		}
	}
	return NULL;
}

/* One EVP pass without OpenSSL's padding: ours is IKE's own. */
static int run_cipher(const struct sk_keys *k, bool encrypt, const uint8_t *iv,
		      const uint8_t *aad, size_t aad_len, const uint8_t *in,
		      size_t len, uint8_t *out, uint8_t *tag)
{
	const EVP_CIPHER *c = cipher(k);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	uint8_t nonce[GCM_SALT_LEN + GCM_IV_LEN];
	const uint8_t *use_iv = iv;
	size_t key_len = k->encr_bits / 8;
	int n, final, ok;

	if (is_gcm(k)) {
		memcpy(nonce, k->encr_key + key_len, GCM_SALT_LEN);
		memcpy(nonce + GCM_SALT_LEN, iv, GCM_IV_LEN);
		use_iv = nonce;
	}
	ok = c && ctx &&
	     EVP_CipherInit_ex(ctx, c, NULL, NULL, NULL, encrypt) &&
	     (!is_gcm(k) || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN,
						sizeof(nonce), NULL)) &&
	     EVP_CipherInit_ex(ctx, NULL, NULL, k->encr_key, use_iv, encrypt) &&
	     EVP_CIPHER_CTX_set_padding(ctx, 0) &&
	     (!aad || EVP_CipherUpdate(ctx, NULL, &n, aad, (int)aad_len)) &&
	     (!is_gcm(k) || encrypt ||
	      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, GCM_ICV_LEN, tag)) &&
	     EVP_CipherUpdate(ctx, out, &n, in, (int)len) &&
	     EVP_CipherFinal_ex(ctx, out + n, &final) &&
	     (!is_gcm(k) || !encrypt ||
	      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, GCM_ICV_LEN, tag));
	EVP_CIPHER_CTX_free(ctx);
	return ok ? 0 : -1;
}

static int strip_padding(uint8_t *plain, size_t len, size_t *plain_len)
{
	uint8_t pad;

	if (len == 0)
		return -1;
	pad = plain[len - 1];
	if ((size_t)pad + 1 > len)
		return -1;
	*plain_len = len - pad - 1;
	return 0;
}

int sk_decrypt(const struct sk_keys *k, const uint8_t *msg, size_t len,
	       size_t iv_off, uint8_t *plain, size_t *plain_len)
{
	size_t iv_len = sk_iv_len(k), icv_len = sk_icv_len(k), ct_len;
	const uint8_t *iv = msg + iv_off, *ct, *icv;
	uint8_t tag[GCM_ICV_LEN], mac[PRF_MAX_LEN];

	if (iv_off > len || len - iv_off < iv_len + icv_len + 1) {
		DBG1(LOG_ENC, "encrypted payload too short");
		return -1;
	}
	ct = iv + iv_len;
	ct_len = len - iv_off - iv_len - icv_len;
	icv = ct + ct_len;
	if (ct_len % sk_block_size(k)) {
		DBG1(LOG_ENC, "encrypted payload not a multiple of the block size");
		return -1;
	}
	if (!is_gcm(k)) {
		if (integ_compute(k->integ, k->integ_key, msg, len - icv_len, mac) < 0 ||
		    CRYPTO_memcmp(mac, icv, icv_len) != 0) {
			DBG1(LOG_ENC, "integrity check failed");
			return -1;
		}
	}
	memcpy(tag, icv, is_gcm(k) ? GCM_ICV_LEN : 0);
	if (run_cipher(k, false, iv, is_gcm(k) ? msg : NULL, iv_off, ct, ct_len,
		       plain, tag) < 0) {
		/* With GCM the tag check is part of the decryption. */
		DBG1(LOG_ENC, "%s", is_gcm(k) ? "integrity check failed" :
		     "decryption failed");
		return -1;
	}
	if (strip_padding(plain, ct_len, plain_len) < 0) {
		DBG1(LOG_ENC, "invalid padding length in encrypted payload");
		return -1;
	}
	return 0;
}

static void put32_at(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

size_t sk_encrypt(const struct sk_keys *k, uint8_t *buf, size_t cap,
		  size_t sk_off, size_t hdr_len, const uint8_t *plain,
		  size_t plain_len)
{
	size_t iv_off = sk_off + hdr_len, iv_len = sk_iv_len(k);
	size_t bs = sk_block_size(k), icv_len = sk_icv_len(k);
	size_t pad = (bs - (plain_len + 1) % bs) % bs;
	size_t ct_len = plain_len + pad + 1;
	size_t total = iv_off + iv_len + ct_len + icv_len;
	uint8_t *iv = buf + iv_off, *ct = iv + iv_len;
	uint8_t tag[GCM_ICV_LEN];

	if (total > cap || total - sk_off > UINT16_MAX || !cipher(k))
		return 0;
	if (RAND_bytes(iv, (int)iv_len) != 1)
		return 0;
	memcpy(ct, plain, plain_len);
	memset(ct + plain_len, 0, pad);
	ct[plain_len + pad] = (uint8_t)pad;
	buf[sk_off + 2] = (uint8_t)((total - sk_off) >> 8);
	buf[sk_off + 3] = (uint8_t)(total - sk_off);
	put32_at(buf + 24, (uint32_t)total);
	if (run_cipher(k, true, iv, is_gcm(k) ? buf : NULL, iv_off, ct, ct_len,
		       ct, tag) < 0)
		return 0;
	if (is_gcm(k))
		memcpy(ct + ct_len, tag, GCM_ICV_LEN);
	else if (integ_compute(k->integ, k->integ_key, buf, total - icv_len,
			       ct + ct_len) < 0)
		return 0;
	return total;
}
