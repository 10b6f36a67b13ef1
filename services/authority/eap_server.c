#include "authority/eap_server.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authority/x509name.h"
#include "log.h"

enum phase {
	PHASE_HANDSHAKE,
	PHASE_FINAL_ACK,	/* our last flight is out, waiting for its ACK */
	PHASE_FAILING,		/* an alert is out, waiting for its ACK */
	PHASE_OVER,
};

struct eap_server {
	struct eap_tls_frag frag;
	struct tls_server *tls;
	uint8_t identifier;	/* of the last request we sent */
	enum phase phase;
	char reason[320];
};

struct eap_server *eap_server_new(const struct tls_server_params *p,
				  size_t fragment_size, size_t max_message,
				  uint8_t identifier, char *why, size_t whylen)
{
	struct eap_server *s = calloc(1, sizeof(*s));

	if (!s) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	s->tls = tls_server_new(p, why, whylen);
	if (!s->tls) {
		free(s);
		return NULL;
	}
	eap_tls_frag_init(&s->frag, fragment_size, max_message);
	s->identifier = identifier;
	return s;
}

void eap_server_free(struct eap_server *s)
{
	if (!s)
		return;
	eap_tls_frag_free(&s->frag);
	tls_server_free(s->tls);
	free(s);
}

struct tls_server *eap_server_tls(struct eap_server *s)
{
	return s->tls;
}

void eap_outcome_clear(struct eap_outcome *out)
{
	free(out->packet);
	out->packet = NULL;
	strings_free(out->alt_names, out->n_alt_names);
	out->n_alt_names = 0;
	OPENSSL_cleanse(out->msk, sizeof(out->msk));
	OPENSSL_cleanse(out->emsk, sizeof(out->emsk));
}

static void send_request(struct eap_server *s, uint8_t flags, struct eap_outcome *out)
{
	out->packet = malloc(s->frag.fragment_size);
	out->state = CYGNET__EAP_TLS_STATE__EAP_TLS_CONTINUE;
	if (!out->packet) {
		out->len = 0;
		return;
	}
	out->len = eap_tls_next_packet(&s->frag, EAP_CODE_REQUEST, s->identifier,
				       flags, out->packet, s->frag.fragment_size);
}

static void next_request(struct eap_server *s, struct eap_outcome *out)
{
	s->identifier++;
	send_request(s, 0, out);
}

static void finish(struct eap_server *s, bool success, struct eap_outcome *out)
{
	out->packet = malloc(4);
	out->len = out->packet ? eap_build_result(success ? EAP_CODE_SUCCESS :
						  EAP_CODE_FAILURE, s->identifier,
						  out->packet) : 0;
	s->phase = PHASE_OVER;
	if (success && tls_server_keys(s->tls, out->msk, out->emsk) < 0) {
		snprintf(s->reason, sizeof(s->reason), "exporting the MSK failed");
		success = false;
		if (out->packet)
			out->packet[0] = EAP_CODE_FAILURE;
	}
	out->state = success ? CYGNET__EAP_TLS_STATE__EAP_TLS_SUCCESS :
			       CYGNET__EAP_TLS_STATE__EAP_TLS_FAILURE;
	snprintf(out->reason, sizeof(out->reason), "%s",
		 success ? "EAP-TLS succeeded" : s->reason);
	if (success) {
		snprintf(out->peer_subject, sizeof(out->peer_subject), "%s",
			 tls_server_peer_subject(s->tls));
		out->n_alt_names = tls_server_peer_alt_names(s->tls, out->alt_names,
							     EAP_ALT_NAMES_MAX);
		out->tls_version = tls_server_version(s->tls);
		out->cipher = tls_server_cipher(s->tls);
		DBG1(LOG_IKE, "EAP method EAP_TLS succeeded, MSK established");
	} else
		DBG1(LOG_IKE, "EAP method EAP_TLS failed: %s", s->reason);
}

static void fail_now(struct eap_server *s, const char *why, struct eap_outcome *out)
{
	snprintf(s->reason, sizeof(s->reason), "%s", why);
	finish(s, false, out);
}

void eap_server_start(struct eap_server *s, struct eap_outcome *out)
{
	memset(out, 0, sizeof(*out));
	send_request(s, EAP_TLS_FLAG_START, out);
}

static void queue_tls_output(struct eap_server *s)
{
	uint8_t *data;
	size_t len = tls_server_output(s->tls, &data);

	if (len && eap_tls_queue(&s->frag, data, len) < 0)
		DBG1(LOG_TLS, "EAP-TLS output of %zu bytes exceeds the limit", len);
	free(data);
}

static void handle_tls(struct eap_server *s, struct eap_outcome *out)
{
	enum tls_step step = tls_server_input(s->tls, s->frag.in, s->frag.in_len);

	eap_tls_consumed(&s->frag);
	queue_tls_output(s);
	if (step == TLS_STEP_FAILED) {
		snprintf(s->reason, sizeof(s->reason), "%s", tls_server_reason(s->tls));
		if (!eap_tls_sending(&s->frag)) {
			finish(s, false, out);
			return;
		}
		s->phase = PHASE_FAILING;
	} else if (step == TLS_STEP_DONE) {
		s->phase = PHASE_FINAL_ACK;
		if (!eap_tls_sending(&s->frag)) {
			finish(s, true, out);
			return;
		}
	}
	next_request(s, out);
}

static void handle_ack(struct eap_server *s, struct eap_outcome *out)
{
	if (eap_tls_sending(&s->frag))
		next_request(s, out);
	else if (s->phase == PHASE_FINAL_ACK)
		finish(s, true, out);
	else if (s->phase == PHASE_FAILING)
		finish(s, false, out);
	else
		fail_now(s, "unexpected EAP-TLS acknowledgement", out);
}

void eap_server_process(struct eap_server *s, const uint8_t *pkt, size_t len,
			struct eap_outcome *out)
{
	struct eap_tls_msg msg;
	char why[256];

	memset(out, 0, sizeof(*out));
	if (s->phase == PHASE_OVER) {
		fail_now(s, "EAP-TLS conversation already ended", out);
		return;
	}
	if (eap_tls_parse(pkt, len, EAP_CODE_RESPONSE, &msg, why, sizeof(why)) < 0) {
		fail_now(s, why, out);
		return;
	}
	if (msg.identifier != s->identifier) {
		snprintf(why, sizeof(why), "EAP identifier %u does not answer request %u",
			 msg.identifier, s->identifier);
		fail_now(s, why, out);
		return;
	}
	switch (eap_tls_receive(&s->frag, &msg, why, sizeof(why))) {
	case EAP_TLS_RX_ERROR:
		fail_now(s, why, out);
		break;
	case EAP_TLS_RX_MORE:
		next_request(s, out);
		break;
	case EAP_TLS_RX_ACK:
		handle_ack(s, out);
		break;
	case EAP_TLS_RX_DONE:
		if (s->phase != PHASE_HANDSHAKE)
			fail_now(s, "EAP-TLS data after the handshake ended", out);
		else
			handle_tls(s, out);
		break;
	}
}
