/* MOBIKE (RFC 4555) as far as the responder announces it: in the last
 * IKE_AUTH response MOBIKE_SUPPORTED and our other addresses, as charon
 * does for a peer that sent MOBIKE_SUPPORTED. */
#ifndef CYGNET_IKE_MOBIKE_H
#define CYGNET_IKE_MOBIKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "ike/message.h"

struct ike_service;

#define MOBIKE_ADDRS_MAX 8	/* as charon announces at most */

struct mobike_addr {
	uint8_t addr[16];
	size_t len;		/* 4 or 16 */
};

/* This host's addresses other than the IKE_SA's local one: interfaces
 * that are up and not loopback, no IPv6 link-local addresses.  Returns
 * how many are in out. */
size_t mobike_local_addresses(const struct sockaddr_storage *local,
			      struct mobike_addr *out, size_t max);

/* Whether connection conn_name has mobike enabled (the default). */
bool mobike_enabled(struct ike_service *svc, const char *conn_name);

/* N(MOBIKE_SUP), then N(ADD_4_ADDR)/N(ADD_6_ADDR) for each address, or
 * N(NO_ADD_ADDR) when there is none. */
void mobike_write_supported(struct msg_builder *b,
			    const struct sockaddr_storage *local);

#endif
