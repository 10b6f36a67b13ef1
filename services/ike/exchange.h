/* Processing of received IKE messages (the packet thread). */
#ifndef CYGNET_IKE_EXCHANGE_H
#define CYGNET_IKE_EXCHANGE_H

#include "ike/message.h"
#include "ike/service.h"
#include "ike/socket.h"

/* One received packet: returns 1 when out holds a packet to send (a
 * response or a retransmitted one), 0 otherwise.  Logs in charon's
 * words (dispatch.c). */
int ike_process(struct ike_service *svc, const struct packet *in,
		struct packet *out);

/* The responder's IKE_SA_INIT (ike_init.c), on a parsed request. */
int ike_init_respond(struct ike_service *svc, const struct packet *in,
		     const struct ike_message *msg, struct packet *out);

/* An IKE_SA_INIT error response carrying one notify, without state. */
int ike_init_notify(const struct packet *in, const struct ike_message *msg,
		    uint16_t type, const uint8_t *data, size_t len,
		    struct packet *out);

/* Builds a response to req from the payloads in b's chain; fills out
 * and logs "generating ..." (dispatch.c). */
int exchange_finish_plain(struct msg_builder *b, const struct packet *in,
			  struct packet *out);

#endif
