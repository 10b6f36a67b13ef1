/* NAT detection (RFC 7296 2.23): SHA-1(SPIi | SPIr | IP | port). */
#ifndef CYGNET_IKE_NATD_H
#define CYGNET_IKE_NATD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "ike/payload.h"

int natd_hash(const uint8_t spi_i[8], const uint8_t spi_r[8],
	      const struct sockaddr_storage *addr, uint8_t out[NATD_HASH_LEN]);

/* Whether a received NATD hash matches addr. */
bool natd_matches(const uint8_t spi_i[8], const uint8_t spi_r[8],
		  const struct sockaddr_storage *addr, const uint8_t *hash,
		  size_t len);

#endif
