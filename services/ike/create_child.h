/* CREATE_CHILD_SA as the responder (RFC 7296 1.3): a new CHILD_SA, the
 * rekeying of a CHILD_SA (create_child.c) and of the IKE_SA
 * (rekey_ike.c), sharing the nonce and key exchange of the exchange. */
#ifndef CYGNET_IKE_CREATE_CHILD_H
#define CYGNET_IKE_CREATE_CHILD_H

#include "ike/dh.h"
#include "ike/exchange.h"
#include "ike/peer_cfg.h"

#define CREATE_NONCE_LEN 32

/* The request's nonce, ours, and with a key exchange our public value
 * and g^ir. */
struct create_keys {
	const uint8_t *ni;
	size_t ni_len;
	uint8_t nr[CREATE_NONCE_LEN];
	uint16_t group;			/* DH_NONE without KE */
	uint8_t pub[DH_MAX_PUBLIC];
	size_t pub_len;
	uint8_t gir[DH_MAX_SECRET];
	size_t gir_len;
};

/* Our nonce and, when group is not DH_NONE, the key exchange with the
 * request's KE, which must use group.  Returns 0 or the notify to send
 * (INVALID_KE_PAYLOAD is written here with the group we want; logged). */
uint16_t create_keys_make(const struct ike_message *msg, uint16_t group,
			  struct create_keys *k, struct msg_builder *b);
/* No and, with a key exchange, KE. */
void create_keys_write(struct msg_builder *b, const struct create_keys *k);
void create_keys_wipe(struct create_keys *k);

/* The connection's child named name (NULL: its first), copied out of
 * the config model.  Returns 0, -1 if there is none (any more). */
int load_child_cfg(struct ike_service *svc, const char *conn_name,
		   const char *name, struct peer_child *out);

/* The exchange: dispatches on what the request carries. */
int create_child_sa_handle(struct ike_request *req, struct msg_builder *b);
/* SA (IKE), Ni, KEi without selectors: a new IKE_SA takes over. */
int rekey_ike_handle(struct ike_request *req, struct msg_builder *b);
/* The inputs of a rekeyed IKE_SA's keys: the exchange's nonces, g^ir. */
struct rekey_inputs {
	const uint8_t *ni;
	size_t ni_len;
	const uint8_t *nr;
	size_t nr_len;
	const uint8_t *gir;
	size_t gir_len;
};
/* Either role: sa, new with both SPIs set, inherits old's state and
 * keys from old's SK_d and in, then takes its CHILD_SAs and virtual
 * IPs ("IKE_SA x[2] rekeyed between ..."); old becomes REKEYED.
 * Returns 0, -1 when the keys could not be derived (old unchanged). */
int rekey_ike_take_over(struct ike_service *svc, struct ike_sa *sa,
			struct ike_sa *old, const struct proposal *selected,
			const struct rekey_inputs *in);
/* A REKEYED IKE_SA the peer has not deleted REKEYED_TIMEOUT seconds
 * after its last message is removed (logged); sa is owned. */
void rekey_ike_expire(struct ike_service *svc, struct ike_sa *sa, time_t now);

#endif
