/* Our encrypted responses: protected (SK or EF fragments), sent from
 * the address the request came to and kept for retransmits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/exchange.h"
#include "ike/protect.h"
#include "log.h"

struct emit_ctx {
	struct ike_service *svc;
	struct ike_sa *sa;
	struct packet *pkt;
	size_t sent;
};

static int emit(void *arg, const uint8_t *data, size_t len)
{
	struct emit_ctx *e = arg;
	char a[64], b[64];

	if (len > sizeof(e->pkt->data))
		return -1;
	memcpy(e->pkt->data, data, len);
	e->pkt->len = len;
	e->pkt->local = e->sa->local;
	e->pkt->remote = e->sa->remote;
	if (e->sent == 0)
		sa_table_cache_response(e->sa, get32(data + 20), data, len);
	else
		sa_table_cache_append(e->sa, data, len);
	e->sent++;
	if (ike_sockets_send(&e->svc->sockets, e->pkt) < 0)
		return 0;
	sockaddr_format(&e->pkt->local, a, sizeof(a));
	sockaddr_format(&e->pkt->remote, b, sizeof(b));
	DBG1(LOG_NET, "sending packet: from %s to %s (%zu bytes)", a, b, len);
	return 0;
}

static struct sk_keys outbound_keys(const struct ike_sa *sa)
{
	/* We are the responder: we encrypt with SK_er/SK_ar. */
	return (struct sk_keys){
		.encr = sa->keys.encr, .encr_bits = sa->keys.encr_bits,
		.encr_key = sa->keys.sk_er, .integ = sa->keys.integ,
		.integ_key = sa->keys.sk_ar,
	};
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

int respond_encrypted(struct ike_service *svc, struct ike_sa *sa,
		      const struct ike_header *req, struct msg_builder *chain)
{
	struct sk_keys keys = outbound_keys(sa);
	struct protect_params p = {
		.fragmentation = sa->peer_frag_supported &&
				 sa->fragmentation != FRAG_NO,
		.fragment_size = FRAGMENT_SIZE_DEFAULT,
		.ipv6 = sa->remote.ss_family == AF_INET6,
		.natt = sockaddr_port(&sa->local) != svc->settings.port,
		.max_fragments = FRAGMENTS_MAX_DEFAULT,
	};
	struct ike_header h = *req;
	struct emit_ctx e = { .svc = svc, .sa = sa };
	if (builder_finish(chain) == 0 && chain->w.overflow) {
		DBG1(LOG_ENC, "generating %s response failed: too large",
		     exchange_name(req->exchange));
		return -1;
	}
	h.flags = FLAG_RESPONSE;
	h.next_payload = PL_SK;
	log_generated(&h, chain->first_type, chain->w.data, chain->w.len);
	e.pkt = malloc(sizeof(*e.pkt));
	if (!e.pkt)
		return -1;
	protect_message(&keys, &h, chain->first_type, chain->w.data,
			chain->w.len, &p, emit, &e);
	free(e.pkt);
	return e.sent ? 0 : -1;
}
