/* The Encrypted payload's crypto: AES-CBC with a truncated HMAC
 * (RFC 7296 3.14) and AES-GCM with a 16 octet ICV (RFC 5282), for SK
 * and for EF fragments (RFC 7383), whose header is 4 octets longer. */
#ifndef CYGNET_IKE_SK_H
#define CYGNET_IKE_SK_H

#include <stddef.h>
#include <stdint.h>

/* One direction's keys. */
struct sk_keys {
	uint16_t encr;
	uint16_t encr_bits;
	const uint8_t *encr_key;	/* incl. the GCM salt */
	uint16_t integ;			/* INTEG_NONE with GCM */
	const uint8_t *integ_key;
};

size_t sk_iv_len(const struct sk_keys *k);
size_t sk_icv_len(const struct sk_keys *k);
size_t sk_block_size(const struct sk_keys *k);

/* msg[0..len) is a whole IKE message whose last payload is SK or SKF;
 * iv_off is where the IV starts (after the SK header, or the SKF header
 * with fragment number and total).  Verifies the ICV, decrypts and
 * strips the padding into plain (room for len - iv_off octets).
 * Returns 0, -1 (logged) on failure. */
int sk_decrypt(const struct sk_keys *k, const uint8_t *msg, size_t len,
	       size_t iv_off, uint8_t *plain, size_t *plain_len);

/* buf holds the message up to the SK/SKF payload header at sk_off and
 * its header of hdr_len octets (4 or 8); appends IV, ciphertext of
 * plain and ICV, and sets the payload and message lengths.  Returns the
 * total length, 0 when cap is too small or on failure. */
size_t sk_encrypt(const struct sk_keys *k, uint8_t *buf, size_t cap,
		  size_t sk_off, size_t hdr_len, const uint8_t *plain,
		  size_t plain_len);

#endif
