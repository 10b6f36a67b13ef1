/* AUTH of an EAP method that established an MSK (RFC 7296 2.16): both
 * sides MAC their AUTH octets (auth_octets.h) with
 * prf(MSK, "Key Pad for IKEv2") as the shared key. */
#ifndef CYGNET_IKE_AUTH_MSK_H
#define CYGNET_IKE_AUTH_MSK_H

#include <stddef.h>
#include <stdint.h>

/* out receives prf_len(prf_id) octets.  Returns 0, -1 on failure. */
int auth_msk_compute(uint16_t prf_id, const uint8_t *msk, size_t msk_len,
		     const uint8_t *octets, size_t len, uint8_t *out);

/* Whether the peer's AUTH data equals the MAC over its octets (in
 * constant time).  Returns 0 if it does, -1 otherwise. */
int auth_msk_verify(uint16_t prf_id, const uint8_t *msk, size_t msk_len,
		    const uint8_t *octets, size_t len,
		    const uint8_t *auth, size_t auth_len);

#endif
