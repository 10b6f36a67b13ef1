/* Rekeying the IKE_SA as the initiator (RFC 7296 1.3.2) at the
 * connection's rekey time (lifetime.c queues it, charon's jitter): our
 * CREATE_CHILD_SA [ SA No KE ] with a new SPI, the new IKE_SA taking
 * over once answered (rekey_ike_take_over), then our DELETE of the old
 * one. */
#ifndef CYGNET_IKE_REKEY_OUT_H
#define CYGNET_IKE_REKEY_OUT_H

#include <stdint.h>

#include "ike/exchange.h"

/* Starts the rekeying of IKE_SA unique_id (any thread).  Returns 0
 * when under way or not possible (logged, retried later), 1 when the SA
 * is busy now (try again later), -1 when there is no such
 * established SA. */
int rekey_out_start(struct ike_service *svc, uint64_t unique_id);

/* As the responder we rekeyed old into new_sa: when our own rekeying
 * of old is under way, the two crossed (RFC 7296 2.8.2) and our
 * response handling settles which new IKE_SA stays. */
void rekey_out_crossed(struct ike_sa *old, const struct ike_sa *new_sa);

/* The response to it (child_out_response hands it over).  Returns 0. */
int rekey_out_response(struct ike_request *req);

#endif
