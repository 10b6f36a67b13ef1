#include "ike/natd.h"

#include <netinet/in.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <string.h>

int natd_hash(const uint8_t spi_i[8], const uint8_t spi_r[8],
	      const struct sockaddr_storage *addr, uint8_t out[NATD_HASH_LEN])
{
	uint8_t input[16 + 16 + 2];
	size_t len = 16;

	memcpy(input, spi_i, 8);
	memcpy(input + 8, spi_r, 8);
	if (addr->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)addr;

		memcpy(input + len, &in6->sin6_addr, 16);
		len += 16;
		memcpy(input + len, &in6->sin6_port, 2);
	} else {
		const struct sockaddr_in *in = (const struct sockaddr_in *)addr;

		memcpy(input + len, &in->sin_addr, 4);
		len += 4;
		memcpy(input + len, &in->sin_port, 2);
	}
	len += 2;
	return EVP_Digest(input, len, out, NULL, EVP_sha1(), NULL) ? 0 : -1;
}

bool natd_matches(const uint8_t spi_i[8], const uint8_t spi_r[8],
		  const struct sockaddr_storage *addr, const uint8_t *hash,
		  size_t len)
{
	uint8_t expected[NATD_HASH_LEN];

	return len == NATD_HASH_LEN &&
	       natd_hash(spi_i, spi_r, addr, expected) == 0 &&
	       CRYPTO_memcmp(expected, hash, NATD_HASH_LEN) == 0;
}
