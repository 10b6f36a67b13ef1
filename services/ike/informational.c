/* INFORMATIONAL requests (RFC 7296 1.4, 2.4): liveness checks answered
 * empty, DELETE of CHILD_SAs (answered with ours) and of the IKE_SA. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "ike/child_install.h"
#include "ike/delete.h"
#include "ike/exchange.h"
#include "log.h"

static int delete_ike(struct ike_sa *sa)
{
	DBG1(LOG_IKE, "received DELETE for IKE_SA %s[%llu]", sa->conn,
	     (unsigned long long)sa->unique_id);
	ike_sa_log_deleting(sa);
	DBG1(LOG_IKE, "IKE_SA deleted");
	return 1;
}

/* Our inbound SPIs of the CHILD_SAs the peer deleted by their outbound
 * SPIs. */
static void delete_children(struct ike_request *req,
			    const struct delete_payload *d,
			    struct msg_builder *b)
{
	uint8_t ours[CHILD_SA_MAX * 4];
	uint16_t n = 0;

	for (uint16_t i = 0; i < d->n_spis; i++) {
		uint32_t spi = get32(d->spis + (size_t)i * 4), our_spi;

		DBG1(LOG_IKE, "received DELETE for ESP CHILD_SA with SPI %08x", spi);
		if (child_delete_by_peer_spi(req->svc, req->sa, spi, &our_spi) < 0) {
			DBG1(LOG_IKE, "CHILD_SA not found, ignored");
			continue;
		}
		if (n < CHILD_SA_MAX) {
			our_spi = htonl(our_spi);
			memcpy(ours + (size_t)n * 4, &our_spi, 4);
			n++;
		}
	}
	if (n)
		payload_delete_write(b, &(struct delete_payload){
			.protocol = PROTO_ESP, .spi_size = 4, .n_spis = n,
			.spis = ours });
}

int informational_handle(struct ike_request *req, struct msg_builder *b)
{
	const struct ike_message *msg = &req->msg;

	for (size_t i = 0; i < msg->n_payloads; i++) {
		const struct payload *p = &msg->payloads[i];
		struct delete_payload d;

		if (p->type != PL_DELETE)
			continue;
		payload_delete_parse(p->body, p->len, &d);
		if (d.protocol == PROTO_IKE)
			return delete_ike(req->sa);
		if (d.protocol == PROTO_ESP && d.spi_size == 4)
			delete_children(req, &d, b);
	}
	return 0;
}
