/* The IKEv2 PRFs and integrity algorithms (HMAC via OpenSSL 3 EVP_MAC)
 * and prf+ (RFC 7296 2.13). */
#ifndef CYGNET_IKE_PRF_H
#define CYGNET_IKE_PRF_H

#include <stddef.h>
#include <stdint.h>

#define PRF_MAX_LEN 64

/* Output (= preferred key) length of a PRF, 0 if not supported. */
size_t prf_len(uint16_t prf_id);
/* out receives prf_len(prf_id) octets of prf(key, data1 | data2);
 * data2 may be NULL.  Returns 0, -1 on failure. */
int prf_compute(uint16_t prf_id, const uint8_t *key, size_t key_len,
		const uint8_t *data1, size_t len1, const uint8_t *data2,
		size_t len2, uint8_t *out);
/* prf+(key, seed) truncated to out_len octets (at most 255 rounds). */
int prf_plus(uint16_t prf_id, const uint8_t *key, size_t key_len,
	     const uint8_t *seed, size_t seed_len, uint8_t *out, size_t out_len);

/* Integrity: key and truncated ICV lengths, 0 if not supported. */
size_t integ_key_len(uint16_t integ_id);
size_t integ_icv_len(uint16_t integ_id);
/* out receives integ_icv_len(integ_id) octets. */
int integ_compute(uint16_t integ_id, const uint8_t *key, const uint8_t *data,
		  size_t len, uint8_t *out);

#endif
