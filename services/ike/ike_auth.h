/* IKE_AUTH's parts: what the request carries, and the steps after
 * authentication (virtual IPs, the first CHILD_SA). */
#ifndef CYGNET_IKE_IKE_AUTH_H
#define CYGNET_IKE_IKE_AUTH_H

#include <stdbool.h>

#include "ike/auth_calls.h"
#include "ike/certreq.h"
#include "ike/exchange.h"
#include "ike/identity.h"
#include "ike/peer_cfg.h"

struct auth_request {
	struct identity peer;		/* IDi */
	bool has_wanted;
	struct identity wanted;		/* IDr the peer asked for */
	struct peer_certs certs;
	bool certreq;
	size_t n_certreq_keyids;
	const uint8_t *certreq_keyids[CERTREQ_MAX_CAS];	/* SHA-1 each */
	bool has_auth;
	struct auth_payload auth;
	const struct payload *cp;
	const struct payload *sa;
	const struct payload *tsi;
	const struct payload *tsr;
	bool mobike;			/* N(MOBIKE_SUPPORTED) */
};

/* Reads the IKE_AUTH request's payloads.  Returns 0, -1 without IDi. */
int auth_request_read(const struct ike_message *msg, struct auth_request *r);
/* The same for the response to our IKE_AUTH request (peer = IDr). */
int auth_response_read(const struct ike_message *msg, struct auth_request *r);

/* charon's lines on the CERTREQs and certificates the peer sent. */
void ike_auth_log_certs(struct ike_service *svc, const struct auth_request *r);

/* The peer's certificate (trusted for cfg) and its AUTH payload over
 * its IKE_SA_INIT message, through the authority.  Returns 0, -1. */
int ike_auth_verify_peer(struct ike_service *svc, struct ike_sa *sa,
			 const struct peer_cfg *cfg, const struct auth_request *r);

/* Our ID (IDi as initiator, IDr as responder), CERT (send_cert; r is
 * what the peer sent, its CERTREQ for ifasked) and AUTH signed by the
 * authority; our identity goes to us_out.  Returns 0, -1 (logged). */
int ike_auth_self(struct ike_service *svc, struct ike_sa *sa,
		  const struct peer_cfg *cfg, const struct auth_request *r,
		  struct msg_builder *b, struct identity *us_out);

/* ESTABLISHED, logged as charon ("IKE_SA x[1] established between"). */
void ike_sa_established(struct ike_service *svc, struct ike_sa *sa,
			const struct peer_cfg *cfg);

/* After both sides are authenticated: CP (leases for lease_id, the IKE
 * or the EAP identity) and the CHILD_SA payloads.  Returns 0 (the
 * response is complete) like exchange_handle. */
int ike_auth_finish(struct ike_request *req, const struct peer_cfg *cfg,
		    const struct auth_request *r, const char *lease_id,
		    struct msg_builder *b);

/* Both sides authenticated: the IKE_SA is established (older SAs of the
 * peer go on INITIAL_CONTACT), then ike_auth_finish. */
int ike_auth_complete(struct ike_request *req, const struct peer_cfg *cfg,
		      const struct auth_request *r, bool initial_contact_sent,
		      const char *lease_id, struct msg_builder *b);

void exchange_write_notify(struct msg_builder *b, uint16_t type);

#endif
