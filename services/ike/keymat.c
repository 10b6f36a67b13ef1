#include "ike/keymat.h"

#include <openssl/crypto.h>
#include <string.h>

#define NONCES_MAX (2 * 256)
#define GCM_SALT_LEN 4

size_t encr_key_len(uint16_t encr, uint16_t bits)
{
	if (bits != 128 && bits != 192 && bits != 256)
		return 0;
	switch (encr) {
	case ENCR_AES_CBC:
		return bits / 8;
	case ENCR_AES_GCM_16:
		return bits / 8 + GCM_SALT_LEN;
	default:
		return 0;
	}
}

static int select_algorithms(const struct proposal *p, struct ike_keys *keys)
{
	const struct transform *prf = proposal_first(p, TRANS_PRF);
	const struct transform *integ = proposal_first(p, TRANS_INTEG);
	const struct transform *encr = proposal_first(p, TRANS_ENCR);

	if (!prf || !encr)
		return -1;
	keys->prf = prf->id;
	keys->integ = integ ? integ->id : INTEG_NONE;
	keys->encr = encr->id;
	keys->encr_bits = encr->key_length;
	keys->prf_len = prf_len(keys->prf);
	keys->integ_key_len = integ_key_len(keys->integ);
	keys->encr_key_len = encr_key_len(keys->encr, keys->encr_bits);
	if (!keys->prf_len || !keys->encr_key_len)
		return -1;
	/* AEAD has no separate integrity; everything else needs one. */
	if ((keys->encr == ENCR_AES_GCM_16) != (keys->integ_key_len == 0))
		return -1;
	return 0;
}

static size_t concat_nonces(uint8_t *out, const uint8_t *ni, size_t ni_len,
			    const uint8_t *nr, size_t nr_len)
{
	memcpy(out, ni, ni_len);
	memcpy(out + ni_len, nr, nr_len);
	return ni_len + nr_len;
}

/* KEYMAT = SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr */
static void split(struct ike_keys *k, const uint8_t *km)
{
	const struct {
		uint8_t *key;
		size_t len;
	} parts[] = {
		{ k->sk_d, k->prf_len }, { k->sk_ai, k->integ_key_len },
		{ k->sk_ar, k->integ_key_len }, { k->sk_ei, k->encr_key_len },
		{ k->sk_er, k->encr_key_len }, { k->sk_pi, k->prf_len },
		{ k->sk_pr, k->prf_len },
	};
	size_t off = 0;

	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		memcpy(parts[i].key, km + off, parts[i].len);
		off += parts[i].len;
	}
}

/* {SK_d | ...} = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr) with keys->skeyseed
 * (skeyseed_len octets: a rekeyed SA's comes from the old PRF) and the
 * algorithms already set. */
static int expand(struct ike_keys *keys, size_t skeyseed_len,
		  const uint8_t *ni, size_t ni_len,
		  const uint8_t *nr, size_t nr_len, const uint8_t spi_i[8],
		  const uint8_t spi_r[8])
{
	uint8_t seed[NONCES_MAX + 16];
	uint8_t km[3 * PRF_MAX_LEN + 2 * PRF_MAX_LEN + 2 * KEYMAT_MAX_ENCR];
	size_t seed_len = concat_nonces(seed, ni, ni_len, nr, nr_len);
	size_t km_len = 3 * keys->prf_len + 2 * keys->integ_key_len +
			2 * keys->encr_key_len;
	int rc;

	memcpy(seed + seed_len, spi_i, 8);
	memcpy(seed + seed_len + 8, spi_r, 8);
	rc = prf_plus(keys->prf, keys->skeyseed, skeyseed_len, seed,
		      seed_len + 16, km, km_len);
	if (rc == 0)
		split(keys, km);
	OPENSSL_cleanse(km, sizeof(km));
	return rc;
}

int keymat_derive_ike(const struct proposal *selected, const uint8_t *gir,
		      size_t gir_len, const uint8_t *ni, size_t ni_len,
		      const uint8_t *nr, size_t nr_len, const uint8_t spi_i[8],
		      const uint8_t spi_r[8], struct ike_keys *keys)
{
	uint8_t nonces[NONCES_MAX];
	size_t len;

	memset(keys, 0, sizeof(*keys));
	if (ni_len + nr_len > NONCES_MAX || select_algorithms(selected, keys) < 0)
		return -1;
	len = concat_nonces(nonces, ni, ni_len, nr, nr_len);
	if (prf_compute(keys->prf, nonces, len, gir, gir_len, NULL, 0,
			keys->skeyseed) < 0)
		return -1;
	return expand(keys, keys->prf_len, ni, ni_len, nr, nr_len, spi_i, spi_r);
}

int keymat_derive_rekeyed_ike(const struct proposal *selected,
			      uint16_t old_prf, const uint8_t *old_sk_d,
			      const uint8_t *gir, size_t gir_len,
			      const uint8_t *ni, size_t ni_len,
			      const uint8_t *nr, size_t nr_len,
			      const uint8_t spi_i[8], const uint8_t spi_r[8],
			      struct ike_keys *keys)
{
	memset(keys, 0, sizeof(*keys));
	if (ni_len + nr_len > NONCES_MAX || select_algorithms(selected, keys) < 0 ||
	    keymat_rekey_skeyseed(old_prf, old_sk_d, gir, gir_len, ni, ni_len,
				  nr, nr_len, keys->skeyseed) < 0)
		return -1;
	return expand(keys, prf_len(old_prf), ni, ni_len, nr, nr_len, spi_i,
		      spi_r);
}

int keymat_rekey_skeyseed(uint16_t prf_id, const uint8_t *sk_d,
			  const uint8_t *gir_new, size_t gir_len,
			  const uint8_t *ni, size_t ni_len, const uint8_t *nr,
			  size_t nr_len, uint8_t *skeyseed)
{
	uint8_t nonces[NONCES_MAX];
	size_t len;

	if (ni_len + nr_len > NONCES_MAX)
		return -1;
	len = concat_nonces(nonces, ni, ni_len, nr, nr_len);
	return prf_compute(prf_id, sk_d, prf_len(prf_id), gir_new, gir_len,
			   nonces, len, skeyseed);
}

int keymat_derive_child(uint16_t prf_id, const uint8_t *sk_d,
			const uint8_t *gir_new, size_t gir_len,
			const uint8_t *ni, size_t ni_len, const uint8_t *nr,
			size_t nr_len, uint8_t *out, size_t out_len)
{
	uint8_t seed[1024];
	size_t len = gir_new ? gir_len : 0;
	int rc;

	if (len + ni_len + nr_len > sizeof(seed))
		return -1;
	if (gir_new)
		memcpy(seed, gir_new, gir_len);
	len += concat_nonces(seed + len, ni, ni_len, nr, nr_len);
	rc = prf_plus(prf_id, sk_d, prf_len(prf_id), seed, len, out, out_len);
	OPENSSL_cleanse(seed, sizeof(seed));
	return rc;
}

void keymat_wipe(struct ike_keys *keys)
{
	OPENSSL_cleanse(keys, sizeof(*keys));
}
