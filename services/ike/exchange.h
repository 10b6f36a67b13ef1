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

/* A complete, decrypted request on an IKE_SA, handled on a worker
 * thread (worker.c); msg's payloads point into plain. */
struct ike_request {
	struct ike_service *svc;
	struct ike_sa *sa;
	struct ike_message msg;
	uint8_t *plain;
	/* A response to our request of this exchange type (response.c),
	 * 0 for a request of the peer. */
	uint8_t response_to;
};

/* A response to our request (response.c): the exchange it ends goes
 * on (IKE_SA_INIT/IKE_AUTH as initiator) or completes (INFORMATIONAL). */
void response_handle(struct ike_request *req);

/* Starts a worker for req (takes it and the SA's busy flag, which the
 * caller set). */
int request_start(struct ike_request *req);
/* Returns once no worker runs (they send on the sockets and use the
 * SA table). */
void request_wait_all(struct ike_service *svc);

/* The exchange: appends the response's payloads to chain.  Returns 0 to
 * send the response, 1 to send it and end the IKE_SA, -1 to send
 * nothing (logged). */
int exchange_handle(struct ike_request *req, struct msg_builder *chain);
int ike_auth_handle(struct ike_request *req, struct msg_builder *chain);
int informational_handle(struct ike_request *req, struct msg_builder *chain);

/* Releases what an IKE_SA holds (leases, CHILD_SAs) and marks it
 * DELETING; the packet thread frees it once no worker uses it. */
void exchange_sa_gone(struct ike_service *svc, struct ike_sa *sa);

/* Encrypts and sends the response of req built in chain, and caches it
 * for retransmits (respond.c). */
int respond_encrypted(struct ike_service *svc, struct ike_sa *sa,
		      const struct ike_header *req, struct msg_builder *chain);

/* Receives each packet of an encrypted message we send (index from 0),
 * to keep it for retransmits; returns whether to send it now. */
typedef bool (*sa_keep_fn)(void *arg, size_t index, const uint8_t *data,
			   size_t len);

/* Encrypts chain under hdr with our keys (fragmented if the peer
 * supports it), hands each packet to keep and sends it from the SA's
 * address if keep says so (respond.c).  Returns 0, -1 (logged). */
int sa_send_encrypted(struct ike_service *svc, struct ike_sa *sa,
		      const struct ike_header *hdr, struct msg_builder *chain,
		      sa_keep_fn keep, void *keep_arg);

/* Sends pkt and logs charon's "sending packet: ..." (respond.c). */
int ike_send_logged(struct ike_service *svc, const struct packet *pkt);

#endif
