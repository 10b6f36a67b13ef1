/* Our encrypted messages on an IKE_SA: protected (SK or EF fragments)
 * with our role's keys, sent from the SA's address and handed to the
 * caller to keep (responses for retransmitted requests, requests for
 * our own retransmits). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/exchange.h"
#include "ike/metrics.h"
#include "ike/protect.h"
#include "ike/sa_role.h"
#include "log.h"

struct emit_ctx {
	struct ike_service *svc;
	struct ike_sa *sa;
	struct packet *pkt;
	sa_keep_fn keep;
	void *keep_arg;
	size_t sent;
};

int ike_send_logged(struct ike_service *svc, const struct packet *pkt)
{
	char a[64], b[64];

	if (ike_sockets_send(&svc->sockets, pkt) < 0)
		return -1;
	sockaddr_format(&pkt->local, a, sizeof(a));
	sockaddr_format(&pkt->remote, b, sizeof(b));
	DBG1(LOG_NET, "sending packet: from %s to %s (%zu bytes)", a, b,
	     pkt->len);
	return 0;
}

static int emit(void *arg, const uint8_t *data, size_t len)
{
	struct emit_ctx *e = arg;

	if (len > sizeof(e->pkt->data))
		return -1;
	memcpy(e->pkt->data, data, len);
	e->pkt->len = len;
	e->pkt->local = e->sa->local;
	e->pkt->remote = e->sa->remote;
	if (e->keep(e->keep_arg, e->sent++, data, len))
		ike_send_logged(e->svc, e->pkt);
	return 0;
}

static void log_generated(const struct ike_header *h, uint8_t first,
			  const uint8_t *chain, size_t len)
{
	struct ike_message *msg = calloc(1, sizeof(*msg));
	char summary[2048];

	if (!msg)
		return;
	msg->hdr = *h;
	msg->inner_next = first;
	if (message_parse_inner(msg, chain, len) == PARSE_OK) {
		message_summary(msg, summary, sizeof(summary));
		DBG1(LOG_ENC, "generating %s", summary);
	}
	free(msg);
}

int sa_send_encrypted(struct ike_service *svc, struct ike_sa *sa,
		      const struct ike_header *hdr, struct msg_builder *chain,
		      sa_keep_fn keep, void *keep_arg)
{
	struct sk_keys keys = sa_keys_outbound(sa);
	struct protect_params p = {
		.fragmentation = sa->peer_frag_supported &&
				 sa->fragmentation != FRAG_NO,
		.fragment_size = FRAGMENT_SIZE_DEFAULT,
		.ipv6 = sa->remote.ss_family == AF_INET6,
		.natt = sockaddr_port(&sa->local) != svc->settings.port,
		.max_fragments = FRAGMENTS_MAX_DEFAULT,
	};
	struct ike_header h = *hdr;
	struct emit_ctx e = { .svc = svc, .sa = sa, .keep = keep,
			      .keep_arg = keep_arg };

	if (builder_finish(chain) == 0 && chain->w.overflow) {
		DBG1(LOG_ENC, "generating %s %s failed: too large",
		     exchange_name(h.exchange),
		     h.flags & FLAG_RESPONSE ? "response" : "request");
		return -1;
	}
	h.next_payload = PL_SK;
	log_generated(&h, chain->first_type, chain->w.data, chain->w.len);
	metrics_sent(h.exchange, h.flags & FLAG_RESPONSE);
	e.pkt = malloc(sizeof(*e.pkt));
	if (!e.pkt)
		return -1;
	protect_message(&keys, &h, chain->first_type, chain->w.data,
			chain->w.len, &p, emit, &e);
	free(e.pkt);
	return e.sent ? 0 : -1;
}

/* Keeps the response for a retransmitted request. */
static bool keep_response(void *arg, size_t index, const uint8_t *data,
			  size_t len)
{
	struct ike_sa *sa = arg;

	if (index == 0)
		sa_table_cache_response(sa, get32(data + 20), data, len);
	else
		sa_table_cache_append(sa, data, len);
	return true;
}

int respond_encrypted(struct ike_service *svc, struct ike_sa *sa,
		      const struct ike_header *req, struct msg_builder *chain)
{
	struct ike_header h = *req;

	h.flags = sa_header_flags(sa, true);
	return sa_send_encrypted(svc, sa, &h, chain, keep_response, sa);
}
