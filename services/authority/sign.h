/* IKE AUTH signatures (RFC 7296 2.15, RFC 7427): making ours with a
 * private key and checking a peer's with its certificate's public key.
 * RSA signs with PKCS#1 v1.5; peers may also use RSASSA-PSS (verified
 * with the hash, MGF1 hash and salt length their AlgorithmIdentifier
 * names).  SHA-1 is accepted only for the classic RSA method 1. */
#ifndef AUTHORITY_SIGN_H
#define AUTHORITY_SIGN_H

#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

#include "authority.pb-c.h"

/* RFC 7427 hash algorithm identifiers. */
enum {
	HASH_SHA1 = 1,
	HASH_SHA2_256 = 2,
	HASH_SHA2_384 = 3,
	HASH_SHA2_512 = 4,
	HASH_IDENTITY = 5,
};

struct auth_signature {
	Cygnet__AuthMethod method;
	unsigned char *data;	/* AUTH payload data, OPENSSL_free */
	size_t len;
	char scheme[48];	/* "ECDSA-256 signature", "RSA_EMSA_PKCS1_SHA2_256" */
};

/* Signs octets with key.  method NONE chooses (see proto/authority.proto).
 * Returns 0, or -1 with the reason in why. */
int sign_create(EVP_PKEY *key, Cygnet__AuthMethod method, const uint32_t *peer_hashes,
		size_t n_peer_hashes, const uint8_t *octets, size_t len,
		struct auth_signature *out, char *why, size_t whylen);

/* Returns 1 when sig is a valid AUTH signature of octets by pub, 0 when
 * not (why says why); scheme names what was checked. */
int sign_verify(EVP_PKEY *pub, Cygnet__AuthMethod method, const uint8_t *octets,
		size_t len, const uint8_t *sig, size_t siglen, char *scheme,
		size_t schemelen, char *why, size_t whylen);

#endif
