#include "ike/auth_octets.h"

#include <stdlib.h>
#include <string.h>

#include "ike/prf.h"

#define ID_HEADER_LEN 4

uint8_t *auth_octets(uint16_t prf_id, const uint8_t *sk_p, size_t sk_p_len,
		     const uint8_t *init_msg, size_t init_len,
		     const uint8_t *nonce, size_t nonce_len,
		     const struct id_payload *id, size_t *len)
{
	uint8_t id_header[ID_HEADER_LEN] = { id->type, 0, 0, 0 };
	size_t mac_len = prf_len(prf_id);
	uint8_t *out;

	if (mac_len == 0)
		return NULL;
	out = malloc(init_len + nonce_len + mac_len);
	if (!out)
		return NULL;
	memcpy(out, init_msg, init_len);
	memcpy(out + init_len, nonce, nonce_len);
	if (prf_compute(prf_id, sk_p, sk_p_len, id_header, ID_HEADER_LEN,
			id->data, id->len, out + init_len + nonce_len) < 0) {
		free(out);
		return NULL;
	}
	*len = init_len + nonce_len + mac_len;
	return out;
}
