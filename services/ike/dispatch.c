/* The packet path: logging in charon's words, the message ID window of
 * one with cached responses, decryption and reassembly, and the hand-off
 * to the exchange. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/exchange.h"
#include "ike/metrics.h"
#include "ike/initiate.h"
#include "ike/request_out.h"
#include "ike/sa_role.h"
#include "ike/sk.h"
#include "log.h"

static void log_packet(const char *what, const struct sockaddr_storage *from,
		       const struct sockaddr_storage *to, size_t len)
{
	char a[64], b[64];

	sockaddr_format(from, a, sizeof(a));
	sockaddr_format(to, b, sizeof(b));
	DBG1(LOG_NET, "%s: from %s to %s (%zu bytes)", what, a, b, len);
}

static void log_message(const char *verb, const struct ike_message *msg)
{
	char summary[2048];

	message_summary(msg, summary, sizeof(summary));
	DBG1(LOG_ENC, "%s %s", verb, summary);
}

int exchange_finish_plain(struct msg_builder *b, const struct packet *in,
			  struct packet *out)
{
	struct ike_message msg;
	size_t len = builder_finish(b);

	if (len == 0 || message_parse(out->data, len, &msg) != PARSE_OK) {
		DBG1(LOG_ENC, "generating message failed");
		return 0;
	}
	log_message("generating", &msg);
	metrics_sent(msg.hdr.exchange, !message_is_request(&msg.hdr));
	out->len = len;
	out->local = in->local;
	out->remote = in->remote;
	return 1;
}

/* The cached response; all fragments but the last are sent here, the
 * last (or only) packet goes back through out. */
static int send_cached(struct ike_service *svc, const struct ike_sa *sa,
		       const struct packet *in, struct packet *out)
{
	const uint8_t *p = sa->last_response;

	DBG1(LOG_IKE, "received retransmit of request with ID %u, "
	     "retransmitting response", sa->last_response_id);
	metrics_retransmit_received();
	out->local = in->local;
	out->remote = in->remote;
	for (size_t i = 0; i < sa->last_response_count; i++) {
		memcpy(out->data, p, sa->last_response_lens[i]);
		out->len = sa->last_response_lens[i];
		p += sa->last_response_lens[i];
		if (i + 1 < sa->last_response_count)
			ike_sockets_send(&svc->sockets, out);
	}
	return 1;
}

static int init_request(struct ike_service *svc, const struct packet *in,
			const struct ike_message *msg, struct packet *out)
{
	uint64_t spi_i;
	struct ike_sa *sa;

	memcpy(&spi_i, msg->hdr.spi_i, 8);
	sa = sa_table_find_half_open(svc->sas, spi_i, &in->remote);
	/* The crypto pool is still on its first answer (ike_init.c). */
	if (sa && sa->busy) {
		DBG1(LOG_IKE, "ignoring request with ID 0, already processing");
		return 0;
	}
	if (sa && sa->last_response && sa->last_response_id == 0)
		return send_cached(svc, sa, in, out);
	return ike_init_respond(svc, in, msg, out);
}

static int parse_plain(struct ike_message *msg, const uint8_t *chain,
		       size_t len)
{
	if (message_parse_inner(msg, chain, len) != PARSE_OK)
		return 0;
	log_message("parsed", msg);
	return 1;
}

/* A decrypted fragment into the reassembly; parses the message once
 * the last one is in and returns its chain (msg points into it). */
static uint8_t *add_fragment(struct ike_sa *sa, struct ike_message *msg,
			     const uint8_t *plain, size_t len)
{
	struct skf_payload f;
	size_t chain_len;
	uint8_t first, *chain;

	payload_skf_parse(msg->encrypted->body, msg->encrypted->len, &f);
	if (reassembly_add(&sa->reassembly, msg->hdr.message_id, f.number,
			   f.total, msg->inner_next, plain, len) != FRAG_COMPLETE)
		return NULL;
	chain = reassembly_take(&sa->reassembly, &chain_len, &first);
	if (!chain)
		return NULL;
	msg->inner_next = first;
	if (parse_plain(msg, chain, chain_len))
		return chain;
	free(chain);
	return NULL;
}

/* Decrypts SK, or an EF fragment into the reassembly; on a complete
 * message msg holds the inner payloads, which point into the returned
 * buffer (the caller frees it).  NULL while incomplete or on failure. */
static uint8_t *decrypt(struct ike_sa *sa, const struct packet *in,
			struct ike_message *msg)
{
	struct sk_keys keys = sa_keys_inbound(sa);
	bool fragment = msg->encrypted->type == PL_SKF;
	size_t iv_off = (size_t)(msg->encrypted->body - in->data) +
			(fragment ? 4 : 0), plain_len;
	uint8_t *plain = malloc(in->len), *chain = NULL;

	if (!plain)
		return NULL;
	/* As charon: each fragment is logged as received, "[ EF(1/3) ]". */
	if (fragment)
		log_message("parsed", msg);
	if (sk_decrypt(&keys, in->data, in->len, iv_off, plain, &plain_len) < 0) {
		DBG1(LOG_ENC, "%s decryption failed", exchange_name(msg->hdr.exchange));
		metrics_invalid(METRICS_DECRYPTION_FAILED);
	} else if (fragment)
		chain = add_fragment(sa, msg, plain, plain_len);
	else if (parse_plain(msg, plain, plain_len))
		return plain;
	free(plain);
	return chain;
}

/* Hands a complete message to a worker (worker.c), which owns the SA
 * (busy) from here; response_to is the exchange of our request it
 * answers, 0 for a request.  Returns whether the worker took it. */
static bool start_worker(struct ike_service *svc, struct ike_sa *sa,
			 const struct packet *in, struct ike_message *msg,
			 uint8_t response_to)
{
	struct ike_request *req = malloc(sizeof(*req));
	uint8_t *plain;

	if (!req)
		return false;
	plain = decrypt(sa, in, msg);
	if (!plain) {
		free(req);
		return false;
	}
	/* An authentic message: the peer may have moved to port 4500 (NAT-T,
	 * RFC 7296 2.23); answers go where requests come from. */
	if (response_to) {
		request_answered(sa);
	} else {
		sa->local = in->local;
		sa->remote = in->remote;
	}
	sa->last_received = sa_table_now();
	req->svc = svc;
	req->sa = sa;
	req->msg = *msg;
	req->msg.encrypted = NULL;
	req->plain = plain;
	req->response_to = response_to;
	return request_start(req) == 0;
}

/* The SA of an encrypted message, claimed busy for this thread; NULL
 * (logged) when there is none or a worker has it. */
static struct ike_sa *claim(struct ike_service *svc,
			    const struct ike_message *msg)
{
	uint64_t spi_i, spi_r;
	struct ike_sa *sa;
	bool idle = false;

	memcpy(&spi_i, msg->hdr.spi_i, 8);
	memcpy(&spi_r, msg->hdr.spi_r, 8);
	sa = sa_table_find_spis(svc->sas, spi_i, spi_r);
	if (!sa || sa->state == IKE_SA_DELETING) {
		DBG1(LOG_NET, "no IKE_SA found for received %s, ignored",
		     exchange_name(msg->hdr.exchange));
		metrics_invalid(METRICS_NO_SA);
		return NULL;
	}
	if (!atomic_compare_exchange_strong(&sa->busy, &idle, true)) {
		DBG1(LOG_IKE, "ignoring %s with ID %u, already processing",
		     message_is_request(&msg->hdr) ? "request" : "response",
		     msg->hdr.message_id);
		return NULL;
	}
	return sa;
}

/* Requests on an established or half-open SA: the window of one, then
 * decryption here and the exchange on a worker. */
static int sa_request(struct ike_service *svc, const struct packet *in,
		      struct ike_message *msg, struct packet *out)
{
	struct ike_sa *sa = claim(svc, msg);
	int rc = 0;

	if (!sa)
		return 0;
	if (sa->last_response && msg->hdr.message_id == sa->last_response_id &&
	    msg->hdr.message_id + 1 == sa->next_request_id)
		rc = send_cached(svc, sa, in, out);
	else if (msg->hdr.message_id != sa->next_request_id) {
		DBG1(LOG_IKE, "received message ID %u, expected %u, ignored",
		     msg->hdr.message_id, sa->next_request_id);
		metrics_invalid(METRICS_OUT_OF_WINDOW);
	} else if (!msg->encrypted)
		DBG1(LOG_ENC, "%s request without encrypted payload, ignored",
		     exchange_name(msg->hdr.exchange));
	else if (start_worker(svc, sa, in, msg, 0))
		return 0;
	sa->busy = false;
	return rc;
}

/* A response to our request: checked against it (message ID, role),
 * then decrypted and handled on a worker (response.c). */
static int sa_response(struct ike_service *svc, const struct packet *in,
		       struct ike_message *msg)
{
	struct ike_sa *sa = claim(svc, msg);

	if (!sa)
		return 0;
	if (!request_matches(sa, &msg->hdr) || !msg->encrypted ||
	    !start_worker(svc, sa, in, msg, msg->hdr.exchange))
		sa->busy = false;
	return 0;
}

/* Only an IKE_SA_INIT request gets an unprotected error notify; other
 * malformed messages are dropped (RFC 7296 2.21). */
static int parse_error(const struct packet *in, const struct ike_message *msg,
		       enum parse_status status, struct packet *out)
{
	uint8_t type = msg->unsupported_critical;

	metrics_invalid(METRICS_PARSE_ERROR);
	if (in->len < IKE_HEADER_LEN || msg->hdr.exchange != IKE_SA_INIT ||
	    !message_is_request(&msg->hdr))
		return 0;
	if (status == PARSE_INVALID_MAJOR)
		return ike_init_notify(in, msg, N_INVALID_MAJOR_VERSION, NULL, 0, out);
	if (status == PARSE_UNSUPPORTED_CRITICAL)
		return ike_init_notify(in, msg, N_UNSUPPORTED_CRITICAL_PAYLOAD,
				       &type, 1, out);
	return 0;
}

int ike_process(struct ike_service *svc, const struct packet *in,
		struct packet *out)
{
	static const uint8_t zero_spi[8];
	struct ike_message msg;
	enum parse_status status;

	log_packet("received packet", &in->remote, &in->local, in->len);
	status = message_parse(in->data, in->len, &msg);
	if (status != PARSE_OK)
		return parse_error(in, &msg, status, out);
	metrics_received(&msg.hdr);
	if (!message_is_request(&msg.hdr)) {
		if (msg.hdr.exchange == IKE_SA_INIT) {
			log_message("parsed", &msg);
			initiate_init_response(svc, in, &msg);
			return 0;
		}
		if (msg.hdr.exchange >= IKE_AUTH &&
		    msg.hdr.exchange <= INFORMATIONAL)
			return sa_response(svc, in, &msg);
		DBG1(LOG_IKE, "exchange type %u not supported, ignored",
		     msg.hdr.exchange);
		metrics_invalid(METRICS_UNSUPPORTED_EXCHANGE);
		return 0;
	}
	if (msg.hdr.exchange == IKE_SA_INIT) {
		if (memcmp(msg.hdr.spi_r, zero_spi, 8) != 0 || msg.hdr.message_id) {
			DBG1(LOG_IKE, "invalid IKE_SA_INIT request, ignored");
			return 0;
		}
		log_message("parsed", &msg);
		return init_request(svc, in, &msg, out);
	}
	if (msg.hdr.exchange >= IKE_AUTH && msg.hdr.exchange <= INFORMATIONAL)
		return sa_request(svc, in, &msg, out);
	DBG1(LOG_IKE, "exchange type %u not supported, ignored", msg.hdr.exchange);
	metrics_invalid(METRICS_UNSUPPORTED_EXCHANGE);
	return 0;
}
