/* Our encrypted messages: one SK message, or EF fragments (RFC 7383)
 * when the peer supports them and the message would exceed
 * fragment_size on the wire. */
#ifndef CYGNET_IKE_PROTECT_H
#define CYGNET_IKE_PROTECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/fragment.h"
#include "ike/message.h"
#include "ike/sk.h"

struct protect_params {
	bool fragmentation;	/* the peer sent FRAG_SUP and we allow it */
	size_t fragment_size;	/* charon's fragment_size, IP header incl. */
	bool ipv6;
	bool natt;		/* port 4500: 4 octets of non-ESP marker */
	size_t max_fragments;
};

/* Receives each packet (IKE message) in order. */
typedef int (*protect_emit_fn)(void *arg, const uint8_t *data, size_t len);

/* Encrypts the payload chain (first payload type first) under hdr and
 * emits the packets.  Returns how many, 0 on failure (logged). */
size_t protect_message(const struct sk_keys *keys, const struct ike_header *hdr,
		       uint8_t first, const uint8_t *chain, size_t len,
		       const struct protect_params *p, protect_emit_fn emit,
		       void *arg);

#endif
