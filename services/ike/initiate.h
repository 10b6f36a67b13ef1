/* Cygnet as the initiator (RFC 7296 1.2): a connection's IKE_SA brought
 * up to its remote by IKE_SA_INIT (initiator_init.c) and IKE_AUTH with
 * certificates and the first CHILD_SA (initiator_auth.c). */
#ifndef CYGNET_IKE_INITIATE_H
#define CYGNET_IKE_INITIATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/child_sa.h"
#include "ike/exchange.h"
#include "ike/peer_cfg.h"

#define INITIATE_COOKIE_MAX 64

enum initiate_progress {
	INITIATE_PENDING,	/* also: we are the responder */
	INITIATE_DONE,		/* IKE_SA and CHILD_SA up */
	INITIATE_CHILD_FAILED,	/* IKE_SA up, CHILD_SA refused */
};

/* What the initiator keeps between its requests; freed with the SA. */
struct initiating {
	struct peer_cfg cfg;		/* the connection and the child */
	size_t n_proposals;
	struct proposal proposals[CONFIG_MAX_PROPOSALS];
	uint16_t group;			/* of our KE */
	struct dh *dh;
	uint8_t cookie[INITIATE_COOKIE_MAX];
	size_t cookie_len;
	uint8_t *init_request;		/* our IKE_SA_INIT request as sent */
	size_t init_request_len;
	bool send_certreq;		/* the connection's */
	bool certreq_received;		/* in the IKE_SA_INIT response */
	struct child_sa child;		/* the CHILD_SA in IKE_AUTH */
	/* Our CREATE_CHILD_SA (child_out.c) after establishment: our
	 * nonce and the CHILD_SA it rekeys (unique id, 0 for a new one). */
	uint8_t nonce[32];
	uint32_t rekeys;
	/* Or it rekeys the IKE_SA (rekey_out.c) with our new SPI. */
	bool rekey_ike;
	uint64_t new_spi;
	/* The peer's rekeying of the same CHILD_SA (IKE_SA) crossed ours
	 * (RFC 7296 2.8.1, 2.8.2): the CHILD_SA (IKE_SA) it made and the
	 * lower nonce of its exchange. */
	uint32_t collision;
	uint64_t collision_ike;
	uint8_t collision_nonce[NONCE_MAX];
	size_t collision_nonce_len;
};

void initiating_free(struct initiating *ini);

/* Our initiation failed: the offered SPI returned, the state freed. */
void initiating_abort(struct ike_service *svc, struct ike_sa *sa);

/* Sets the port of an IPv4 or IPv6 address (host order in). */
void sockaddr_set_port(struct sockaddr_storage *ss, uint16_t port);

/* Starts an IKE_SA for child (or the first child of connection ike when
 * child is NULL/empty) and sends IKE_SA_INIT; *unique_id gets the SA.
 * Returns 0, -1 with the reason in err. */
int initiate(struct ike_service *svc, const char *child, const char *ike,
	     uint64_t *unique_id, char *err, size_t errlen);

/* Initiates every child with start_action = start whose connection has
 * no IKE_SA yet (at start and after a reload). */
void initiate_start_actions(struct ike_service *svc);

/* An IKE_SA_INIT response on the packet thread: matched to our SA and
 * handed to its worker (initiator_init.c). */
void initiate_init_response(struct ike_service *svc, const struct packet *in,
			    const struct ike_message *msg);

/* Builds and sends our IKE_SA_INIT request (again after INVALID_KE or
 * COOKIE).  Returns 0, -1 (logged). */
int initiator_init_send(struct ike_service *svc, struct ike_sa *sa);

/* On the SA's worker: the IKE_SA_INIT response (keys, then our IKE_AUTH
 * request) and the IKE_AUTH response.  Return -1 when the SA ends. */
int initiator_init_handle(struct ike_request *req);
int initiator_auth_request(struct ike_service *svc, struct ike_sa *sa);
int initiator_auth_handle(struct ike_request *req);

#endif
