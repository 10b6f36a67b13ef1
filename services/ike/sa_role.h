/* What depends on which side of an IKE_SA we are (RFC 7296 2.14, 2.15,
 * 3.1): the keys each direction uses, the initiator flag of our
 * messages and whose IKE_SA_INIT message and nonce each AUTH covers.
 * The one place that turns ike_sa.initiator into such choices. */
#ifndef CYGNET_IKE_SA_ROLE_H
#define CYGNET_IKE_SA_ROLE_H

#include <stdbool.h>
#include <stdint.h>

#include "ike/message.h"
#include "ike/sa_table.h"
#include "ike/sk.h"

/* The keys the peer protects its messages with, and ours. */
struct sk_keys sa_keys_inbound(const struct ike_sa *sa);
struct sk_keys sa_keys_outbound(const struct ike_sa *sa);

/* The header flags of a message we send (request or response). */
uint8_t sa_header_flags(const struct ike_sa *sa, bool response);

/* Whether a received message's initiator flag fits the peer's role. */
bool sa_peer_flag_ok(const struct ike_sa *sa, const struct ike_header *hdr);

/* The inputs of the AUTH signed by one side (ours or the peer's): that
 * side's IKE_SA_INIT message, the other side's nonce and that side's
 * SK_p (RFC 7296 2.15). */
struct auth_inputs {
	const uint8_t *message;
	size_t message_len;
	const uint8_t *nonce;
	size_t nonce_len;
	const uint8_t *sk_p;
};

struct auth_inputs sa_auth_inputs(const struct ike_sa *sa, bool ours);

/* The IKE_SA_INIT message the peer sent. */
const uint8_t *sa_peer_init(const struct ike_sa *sa, size_t *len);

/* The ID payload type of our identity (IDi as initiator) and the
 * peer's. */
uint8_t sa_our_id_type(const struct ike_sa *sa);
uint8_t sa_peer_id_type(const struct ike_sa *sa);

#endif
