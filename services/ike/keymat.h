/* IKE_SA and CHILD_SA key derivation (RFC 7296 2.13, 2.14, 2.17, 2.18). */
#ifndef CYGNET_IKE_KEYMAT_H
#define CYGNET_IKE_KEYMAT_H

#include <stddef.h>
#include <stdint.h>

#include "ike/prf.h"
#include "ike/proposal.h"

#define KEYMAT_MAX_ENCR 36	/* AES-256 key + 4 octets GCM salt */

struct ike_keys {
	uint16_t prf;
	uint16_t integ;		/* INTEG_NONE with AEAD */
	uint16_t encr;
	uint16_t encr_bits;	/* key length attribute */
	size_t prf_len;
	size_t integ_key_len;
	size_t encr_key_len;	/* key octets incl. a GCM salt */
	uint8_t skeyseed[PRF_MAX_LEN];
	uint8_t sk_d[PRF_MAX_LEN];
	uint8_t sk_ai[PRF_MAX_LEN];
	uint8_t sk_ar[PRF_MAX_LEN];
	uint8_t sk_ei[KEYMAT_MAX_ENCR];
	uint8_t sk_er[KEYMAT_MAX_ENCR];
	uint8_t sk_pi[PRF_MAX_LEN];
	uint8_t sk_pr[PRF_MAX_LEN];
};

/* Key octets an encryption transform needs (GCM: key + 4 salt), 0 if
 * unsupported. */
size_t encr_key_len(uint16_t encr, uint16_t bits);

/* SKEYSEED = prf(Ni | Nr, g^ir) and {SK_d | SK_ai | SK_ar | SK_ei |
 * SK_er | SK_pi | SK_pr} = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr) for the
 * selected IKE proposal.  Returns 0, -1 on failure. */
int keymat_derive_ike(const struct proposal *selected, const uint8_t *gir,
		      size_t gir_len, const uint8_t *ni, size_t ni_len,
		      const uint8_t *nr, size_t nr_len, const uint8_t spi_i[8],
		      const uint8_t spi_r[8], struct ike_keys *keys);

/* Rekeying: SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr). */
int keymat_rekey_skeyseed(uint16_t prf_id, const uint8_t *sk_d,
			  const uint8_t *gir_new, size_t gir_len,
			  const uint8_t *ni, size_t ni_len, const uint8_t *nr,
			  size_t nr_len, uint8_t *skeyseed);

/* The keys of an IKE_SA's replacement (RFC 7296 2.18): SKEYSEED from
 * the old SA's PRF and SK_d as keymat_rekey_skeyseed, the rest as
 * keymat_derive_ike with the new proposal, nonces and SPIs. */
int keymat_derive_rekeyed_ike(const struct proposal *selected,
			      uint16_t old_prf, const uint8_t *old_sk_d,
			      const uint8_t *gir, size_t gir_len,
			      const uint8_t *ni, size_t ni_len,
			      const uint8_t *nr, size_t nr_len,
			      const uint8_t spi_i[8], const uint8_t spi_r[8],
			      struct ike_keys *keys);

/* CHILD_SA: KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr); gir_new NULL
 * without PFS. */
int keymat_derive_child(uint16_t prf_id, const uint8_t *sk_d,
			const uint8_t *gir_new, size_t gir_len,
			const uint8_t *ni, size_t ni_len, const uint8_t *nr,
			size_t nr_len, uint8_t *out, size_t out_len);

void keymat_wipe(struct ike_keys *keys);

#endif
