/* The configuration payload of IKE_AUTH (RFC 7296 2.19): virtual IPs
 * the peer requests (INTERNAL_IP4/6_ADDRESS) from the pool service and
 * the CFG_REPLY with the addresses and the pools' attributes; as the
 * initiator, the CFG_REQUEST for vips = and the addresses assigned. */
#ifndef CYGNET_IKE_CP_H
#define CYGNET_IKE_CP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/config.h"
#include "ike/lease.h"

#define CP_VIPS_MAX 2	/* one per family */

struct cp_wanted {
	size_t n;
	uint8_t addr[CP_VIPS_MAX][16];	/* all zero: any */
	size_t len[CP_VIPS_MAX];		/* 4 or 16 */
};

/* The addresses a CFG_REQUEST asks for (one per family). */
void cp_requested(const struct cp_payload *cp, struct cp_wanted *out);

/* The addresses a CFG_REPLY assigns (one per family, with a value). */
void cp_assigned(const struct cp_payload *cp, struct cp_wanted *out);

/* CFG_REQUEST for our vips = (empty values for 0.0.0.0 / ::, as any). */
void cp_write_request(struct msg_builder *b, const struct vip_cfg *vips,
		      size_t n);

/* CFG_REPLY: each lease's address (IPv6 with prefix length 128), then
 * the leases' attributes, each (type, value) once. */
void cp_write_reply(struct msg_builder *b, const struct lease *leases,
		    size_t n);

#endif
