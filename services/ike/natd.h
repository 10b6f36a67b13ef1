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

struct ike_header;
struct ike_message;
struct msg_builder;

/* NATD_S_IP (local) and NATD_D_IP (remote) for a message with header h. */
void natd_write(struct msg_builder *b, const struct ike_header *h,
		const struct sockaddr_storage *local,
		const struct sockaddr_storage *remote);

/* The NATD notifies of a received IKE_SA_INIT message against the
 * addresses it came from/to: returns whether either side is behind a
 * NAT (ESP then goes in UDP), *local_nat whether we are; logs charon's
 * "local host is behind NAT, sending keep alives" / "remote host is
 * behind NAT". */
bool natd_detect(const struct ike_message *msg,
		 const struct sockaddr_storage *local,
		 const struct sockaddr_storage *remote, bool *local_nat);

#endif
