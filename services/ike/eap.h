/* EAP in IKE_AUTH as the responder (RFC 7296 2.16): EAP-Identity, then
 * EAP-TLS terminated by the authority service (which returns the MSK),
 * then the AUTH payloads of both sides keyed with the MSK. */
#ifndef CYGNET_IKE_EAP_H
#define CYGNET_IKE_EAP_H

#include "ike/exchange.h"
#include "ike/ike_auth.h"

/* After our IDr CERT AUTH for a config with EAP remote auth: remembers
 * the request's CP/SA/TS for the last round and adds the
 * EAP-Request/Identity.  Returns 0 (response complete), -1 on failure. */
int eap_begin(struct ike_request *req, const struct peer_cfg *cfg,
	      const struct auth_request *r, const struct identity *us,
	      struct msg_builder *b);

/* A later IKE_AUTH request of an SA in EAP: an EAP response or the
 * final AUTH.  Returns like exchange_handle. */
int eap_continue(struct ike_request *req, struct msg_builder *b);

/* The SA ends (or gave up) during EAP: an EAP-TLS session still open at
 * the authority is aborted there. */
void eap_abort(struct ike_service *svc, struct ike_sa *sa);

#endif
