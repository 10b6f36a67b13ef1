/* Diffie-Hellman groups of IKEv2 via OpenSSL 3 EVP: MODP 14/15/16
 * (RFC 3526), ECP 19/20/21 (RFC 5903, x|y public values) and
 * Curve25519 (RFC 8031), with the public value checks of RFC 6989. */
#ifndef CYGNET_IKE_DH_H
#define CYGNET_IKE_DH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DH_MAX_PUBLIC 512	/* MODP_4096 */
#define DH_MAX_SECRET 512

struct dh;

bool dh_supported(uint16_t group);
/* Length of the KE payload data (and of the shared secret for MODP). */
size_t dh_public_len(uint16_t group);

/* A fresh key pair; NULL if the group is unsupported or keygen failed. */
struct dh *dh_create(uint16_t group);
/* A key pair from known values, for known-answer tests against
 * published vectors: ECP needs priv and pub (x|y), Curve25519 only priv. */
struct dh *dh_create_from_private(uint16_t group, const uint8_t *priv,
				  size_t priv_len, const uint8_t *pub,
				  size_t pub_len);
void dh_free(struct dh *dh);

uint16_t dh_group(const struct dh *dh);
/* Our public value in KE payload encoding; 0 or -1. */
int dh_public(const struct dh *dh, uint8_t *out, size_t len);
/* Checks the peer's public value (RFC 6989) and derives g^ir padded to
 * the group's secret length.  Returns 0, or -1 (logged) for a bad
 * public value or a failure. */
int dh_derive(struct dh *dh, const uint8_t *peer, size_t peer_len,
	      uint8_t *secret, size_t *secret_len);

#endif
