/* CREATE_CHILD_SA as the initiator (RFC 7296 1.3.1, 1.3.3): each
 * CHILD_SA is rekeyed at its rekey time (charon's: rekey_time less a
 * random jitter below rand_time) and closed at its life time when that
 * failed; new CHILD_SAs on an established IKE_SA. */
#ifndef CYGNET_IKE_CHILD_OUT_H
#define CYGNET_IKE_CHILD_OUT_H

#include <stdint.h>
#include <time.h>

#include "ike/exchange.h"

/* charon's retry of a failed CHILD_SA rekeying: 15 s less up to 10. */
#define CHILD_REKEY_RETRY 15
#define CHILD_REKEY_RETRY_JITTER 10

/* Rekeys a CHILD_SA of sa that is due or deletes one past its life
 * time, one request at most; sa is owned, established and has no
 * request of ours outstanding. */
void child_out_tick(struct ike_service *svc, struct ike_sa *sa, time_t now);

/* Sends the CREATE_CHILD_SA request rekeying CHILD_SA child_id of sa
 * (owned, no request outstanding).  Returns 0, -1 (logged). */
int child_out_rekey(struct ike_service *svc, struct ike_sa *sa,
		    uint32_t child_id);

/* A new CHILD_SA of config child name on established IKE_SA ike_id
 * (any thread): the request is sent and sa->initiated follows it
 * (INITIATE_PENDING, then _DONE or _CHILD_FAILED).  Returns 0, 1 when
 * the SA is busy now (try again later), -1 when there is no such
 * established SA or child config (logged). */
int child_out_create(struct ike_service *svc, uint64_t ike_id,
		     const char *name);

/* As the responder we rekeyed CHILD_SA rekeyed into created, with
 * nonces ni and nr: when our own rekeying of it is under way, the two
 * crossed (RFC 7296 2.8.1) and our response handling settles which new
 * CHILD_SA stays. */
void child_out_crossed(struct ike_sa *sa, uint32_t rekeyed, uint32_t created,
		       const uint8_t *ni, size_t ni_len, const uint8_t *nr,
		       size_t nr_len);

struct initiating;
/* The lower nonce of the peer's crossing exchange into ini. */
void rekey_note_nonce(struct initiating *ini, const uint8_t *ni, size_t ni_len,
		      const uint8_t *nr, size_t nr_len);
/* RFC 7296 2.8.1/2.8.2: whether our exchange (ini's nonce, the
 * response's nr) has the lowest nonce, so that its SA is the redundant
 * one, deleted by us; else we delete the rekeyed SA. */
bool rekey_collision_lost(const struct initiating *ini,
			  const struct payload *nr);

/* The first error notify of a response (types below 16384) into n;
 * 0 if none. */
uint16_t child_out_error(const struct ike_message *msg,
			 struct notify_payload *n);

/* The response to our CREATE_CHILD_SA (response.c): the new CHILD_SA
 * installed and, for a rekeying, our DELETE of the old one; an IKE_SA
 * rekeying goes to rekey_out_response.  Returns 0 (the IKE_SA stays
 * either way). */
int child_out_response(struct ike_request *req);

#endif
