/* The octets an IKE AUTH payload signs (RFC 7296 2.15): the signer's
 * IKE_SA_INIT message, the other side's nonce and prf(SK_p, ID'), where
 * ID' is the ID payload body (type, three reserved octets, data). */
#ifndef CYGNET_IKE_AUTH_OCTETS_H
#define CYGNET_IKE_AUTH_OCTETS_H

#include <stddef.h>
#include <stdint.h>

#include "ike/payload.h"

/* Returns a malloc'ed buffer of *len octets, NULL on failure. */
uint8_t *auth_octets(uint16_t prf_id, const uint8_t *sk_p, size_t sk_p_len,
		     const uint8_t *init_msg, size_t init_len,
		     const uint8_t *nonce, size_t nonce_len,
		     const struct id_payload *id, size_t *len);

#endif
