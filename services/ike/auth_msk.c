#include "ike/auth_msk.h"

#include <openssl/crypto.h>
#include <string.h>

#include "ike/prf.h"

static const char key_pad[] = "Key Pad for IKEv2";

int auth_msk_compute(uint16_t prf_id, const uint8_t *msk, size_t msk_len,
		     const uint8_t *octets, size_t len, uint8_t *out)
{
	uint8_t shared[PRF_MAX_LEN];
	size_t shared_len = prf_len(prf_id);
	int rc;

	if (shared_len == 0 ||
	    prf_compute(prf_id, msk, msk_len, (const uint8_t *)key_pad,
			strlen(key_pad), NULL, 0, shared) < 0)
		return -1;
	rc = prf_compute(prf_id, shared, shared_len, octets, len, NULL, 0, out);
	OPENSSL_cleanse(shared, sizeof(shared));
	return rc;
}

int auth_msk_verify(uint16_t prf_id, const uint8_t *msk, size_t msk_len,
		    const uint8_t *octets, size_t len,
		    const uint8_t *auth, size_t auth_len)
{
	uint8_t expected[PRF_MAX_LEN];

	if (auth_len != prf_len(prf_id) ||
	    auth_msk_compute(prf_id, msk, msk_len, octets, len, expected) < 0)
		return -1;
	return CRYPTO_memcmp(expected, auth, auth_len) == 0 ? 0 : -1;
}
