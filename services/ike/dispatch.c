/* The packet path: logging in charon's words, the message ID window of
 * one with cached responses, decryption and reassembly, and the hand-off
 * to the exchange. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/exchange.h"
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
	out->len = len;
	out->local = in->local;
	out->remote = in->remote;
	return 1;
}

static int send_cached(const struct ike_sa *sa, const struct packet *in,
		       struct packet *out)
{
	DBG1(LOG_IKE, "received retransmit of request with ID %u, "
	     "retransmitting response", sa->last_response_id);
	memcpy(out->data, sa->last_response, sa->last_response_len);
	out->len = sa->last_response_len;
	out->local = in->local;
	out->remote = in->remote;
	return 1;
}

static int init_request(struct ike_service *svc, const struct packet *in,
			const struct ike_message *msg, struct packet *out)
{
	uint64_t spi_i;
	struct ike_sa *sa;

	memcpy(&spi_i, msg->hdr.spi_i, 8);
	sa = sa_table_find_half_open(svc->sas, spi_i, &in->remote);
	if (sa && sa->last_response && sa->last_response_id == 0)
		return send_cached(sa, in, out);
	return ike_init_respond(svc, in, msg, out);
}

static struct sk_keys inbound_keys(const struct ike_sa *sa)
{
	/* We are the responder: the peer encrypts with SK_ei/SK_ai. */
	return (struct sk_keys){
		.encr = sa->keys.encr, .encr_bits = sa->keys.encr_bits,
		.encr_key = sa->keys.sk_ei, .integ = sa->keys.integ,
		.integ_key = sa->keys.sk_ai,
	};
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
 * the last one is in. */
static int add_fragment(struct ike_sa *sa, struct ike_message *msg,
			const uint8_t *plain, size_t len)
{
	struct skf_payload f;
	size_t chain_len;
	uint8_t first, *chain;
	int rc;

	payload_skf_parse(msg->encrypted->body, msg->encrypted->len, &f);
	if (reassembly_add(&sa->reassembly, msg->hdr.message_id, f.number,
			   f.total, msg->inner_next, plain, len) != FRAG_COMPLETE)
		return 0;
	chain = reassembly_take(&sa->reassembly, &chain_len, &first);
	if (!chain)
		return 0;
	msg->inner_next = first;
	rc = parse_plain(msg, chain, chain_len);
	free(chain);
	return rc;
}

/* Decrypts SK, or an EF fragment into the reassembly; on a complete
 * message msg holds the inner payloads.  Returns 1 when msg is ready. */
static int decrypt(struct ike_sa *sa, const struct packet *in,
		   struct ike_message *msg)
{
	struct sk_keys keys = inbound_keys(sa);
	bool fragment = msg->encrypted->type == PL_SKF;
	size_t iv_off = (size_t)(msg->encrypted->body - in->data) +
			(fragment ? 4 : 0), plain_len;
	uint8_t *plain = malloc(in->len);
	int rc = 0;

	if (!plain)
		return 0;
	/* As charon: each fragment is logged as received, "[ EF(1/3) ]". */
	if (fragment)
		log_message("parsed", msg);
	if (sk_decrypt(&keys, in->data, in->len, iv_off, plain, &plain_len) < 0)
		DBG1(LOG_ENC, "%s decryption failed", exchange_name(msg->hdr.exchange));
	else if (fragment)
		rc = add_fragment(sa, msg, plain, plain_len);
	else
		rc = parse_plain(msg, plain, plain_len);
	free(plain);
	return rc;
}

/* Requests on an established or half-open SA.  The payloads are parsed
 * and logged; exchanges after IKE_SA_INIT are handled by later work,
 * so nothing is answered yet. */
static int sa_request(struct ike_service *svc, const struct packet *in,
		      struct ike_message *msg, struct packet *out)
{
	uint64_t spi_i, spi_r;
	struct ike_sa *sa;

	memcpy(&spi_i, msg->hdr.spi_i, 8);
	memcpy(&spi_r, msg->hdr.spi_r, 8);
	sa = sa_table_find_spis(svc->sas, spi_i, spi_r);
	if (!sa) {
		DBG1(LOG_NET, "no IKE_SA found for received %s, ignored",
		     exchange_name(msg->hdr.exchange));
		return 0;
	}
	if (sa->last_response && msg->hdr.message_id == sa->last_response_id &&
	    msg->hdr.message_id + 1 == sa->next_request_id)
		return send_cached(sa, in, out);
	if (msg->hdr.message_id != sa->next_request_id) {
		DBG1(LOG_IKE, "received message ID %u, expected %u, ignored",
		     msg->hdr.message_id, sa->next_request_id);
		return 0;
	}
	if (!msg->encrypted) {
		DBG1(LOG_ENC, "%s request without encrypted payload, ignored",
		     exchange_name(msg->hdr.exchange));
		return 0;
	}
	decrypt(sa, in, msg);
	return 0;
}

/* Only an IKE_SA_INIT request gets an unprotected error notify; other
 * malformed messages are dropped (RFC 7296 2.21). */
static int parse_error(const struct packet *in, const struct ike_message *msg,
		       enum parse_status status, struct packet *out)
{
	uint8_t type = msg->unsupported_critical;

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
	if (!message_is_request(&msg.hdr)) {
		DBG1(LOG_IKE, "received response without request, ignored");
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
	return 0;
}
