#include "ike/sa_role.h"

static struct sk_keys keys_of(const struct ike_sa *sa, bool initiators)
{
	return (struct sk_keys){
		.encr = sa->keys.encr, .encr_bits = sa->keys.encr_bits,
		.encr_key = initiators ? sa->keys.sk_ei : sa->keys.sk_er,
		.integ = sa->keys.integ,
		.integ_key = initiators ? sa->keys.sk_ai : sa->keys.sk_ar,
	};
}

struct sk_keys sa_keys_inbound(const struct ike_sa *sa)
{
	return keys_of(sa, !sa->initiator);
}

struct sk_keys sa_keys_outbound(const struct ike_sa *sa)
{
	return keys_of(sa, sa->initiator);
}

uint8_t sa_header_flags(const struct ike_sa *sa, bool response)
{
	return (uint8_t)((response ? FLAG_RESPONSE : 0) |
			 (sa->initiator ? FLAG_INITIATOR : 0));
}

bool sa_peer_flag_ok(const struct ike_sa *sa, const struct ike_header *hdr)
{
	bool from_initiator = (hdr->flags & FLAG_INITIATOR) != 0;

	return from_initiator != sa->initiator;
}

struct auth_inputs sa_auth_inputs(const struct ike_sa *sa, bool ours)
{
	bool by_initiator = ours == sa->initiator;

	if (by_initiator)
		return (struct auth_inputs){
			.message = sa->init_request,
			.message_len = sa->init_request_len,
			.nonce = sa->nr, .nonce_len = sa->nr_len,
			.sk_p = sa->keys.sk_pi,
		};
	return (struct auth_inputs){
		.message = sa->init_response,
		.message_len = sa->init_response_len,
		.nonce = sa->ni, .nonce_len = sa->ni_len,
		.sk_p = sa->keys.sk_pr,
	};
}

const uint8_t *sa_peer_init(const struct ike_sa *sa, size_t *len)
{
	*len = sa->initiator ? sa->init_response_len : sa->init_request_len;
	return sa->initiator ? sa->init_response : sa->init_request;
}

uint8_t sa_our_id_type(const struct ike_sa *sa)
{
	return sa->initiator ? PL_IDI : PL_IDR;
}

uint8_t sa_peer_id_type(const struct ike_sa *sa)
{
	return sa->initiator ? PL_IDR : PL_IDI;
}
