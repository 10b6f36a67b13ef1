#include "ike/eap.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/auth_msk.h"
#include "ike/auth_octets.h"
#include "ike/lifetime.h"
#include "ike/prf.h"
#include "log.h"

#define EAP_TYPE_IDENTITY 1
#define EAP_HEADER_LEN 4
#define AUTH_SHARED_KEY_MIC 2
#define MSK_LEN 64
#define SAVED_MAX 8192

enum eap_step { EAP_STEP_IDENTITY, EAP_STEP_TLS, EAP_STEP_SUCCEEDED,
		EAP_STEP_FAILED };

struct eap_conv {
	enum eap_step step;
	uint8_t identifier;		/* of our last EAP-Request */
	struct peer_cfg cfg;
	/* The first IKE_AUTH request: CP, SA and TS are answered only
	 * after EAP, so their payloads are kept in saved. */
	struct auth_request first;
	bool initial_contact;
	struct payload payloads[4];
	size_t n_payloads;
	uint8_t saved[SAVED_MAX];
	size_t saved_len;
	struct identity us;
	char eap_identity[PEER_TEXT_MAX];
	uint8_t msk[MSK_LEN];
};

static const struct payload *keep(struct eap_conv *conv, const struct payload *p)
{
	struct payload *copy = &conv->payloads[conv->n_payloads];

	if (!p || p->len > SAVED_MAX - conv->saved_len)
		return NULL;
	memcpy(conv->saved + conv->saved_len, p->body, p->len);
	*copy = *p;
	copy->body = conv->saved + conv->saved_len;
	conv->saved_len += p->len;
	conv->n_payloads++;
	return copy;
}

/* While EAP-TLS runs the authority holds a session for the SA (its
 * unique id); once the SA gives up, the session goes with it. */
static void abort_tls(struct ike_service *svc, struct ike_sa *sa,
		      struct eap_conv *conv)
{
	if (conv->step == EAP_STEP_TLS)
		auth_eap_tls_abort(svc->certreq.authority, sa->unique_id);
	conv->step = EAP_STEP_FAILED;
}

void eap_abort(struct ike_service *svc, struct ike_sa *sa)
{
	if (sa->eap)
		abort_tls(svc, sa, sa->eap);
}

static int failed(struct ike_request *req, struct eap_conv *conv,
		  struct msg_builder *b)
{
	abort_tls(req->svc, req->sa, conv);
	exchange_write_notify(b, N_AUTHENTICATION_FAILED);
	return 1;
}

int eap_begin(struct ike_request *req, const struct peer_cfg *cfg,
	      const struct auth_request *r, const struct identity *us,
	      struct msg_builder *b)
{
	static const uint8_t identity_request[] = { EAP_REQUEST, 0, 0, 5,
						    EAP_TYPE_IDENTITY };
	struct eap_conv *conv = calloc(1, sizeof(*conv));

	if (!conv)
		return -1;
	conv->cfg = *cfg;
	conv->first = *r;
	conv->first.certs.n = 0;
	conv->first.n_certreq_keyids = 0;
	conv->first.cp = keep(conv, r->cp);
	conv->first.sa = keep(conv, r->sa);
	conv->first.tsi = keep(conv, r->tsi);
	conv->first.tsr = keep(conv, r->tsr);
	conv->initial_contact = message_find_notify(&req->msg,
						    N_INITIAL_CONTACT) != NULL;
	conv->us = *us;
	free(req->sa->eap);
	req->sa->eap = conv;
	DBG1(LOG_IKE, "initiating EAP_IDENTITY method (id 0x00)");
	payload_eap_write(b, identity_request, sizeof(identity_request));
	return 0;
}

/* As strongSwan, a client certificate counts for the EAP identity only
 * when its subject or a subjectAltName is that identity. */
static bool cert_has_identity(const Cygnet__EapTlsReply *reply,
			      const char *identity)
{
	if (reply->peer_subject && strcmp(reply->peer_subject, identity) == 0)
		return true;
	for (size_t i = 0; i < reply->n_peer_alt_names; i++)
		if (strcmp(reply->peer_alt_names[i], identity) == 0)
			return true;
	return false;
}

static void write_eap_failure(struct eap_conv *conv, uint8_t identifier,
			      struct msg_builder *b)
{
	const uint8_t failure[] = { EAP_FAILURE, identifier, 0, EAP_HEADER_LEN };

	conv->step = EAP_STEP_FAILED;
	payload_eap_write(b, failure, sizeof(failure));
}

/* The authority's answer goes to the peer as it is. */
static int relay(struct ike_request *req, struct eap_conv *conv,
		 Cygnet__EapTlsReply *reply, struct msg_builder *b)
{
	const ProtobufCBinaryData *packet = &reply->eap_packet;
	int rc = 0;

	if (payload_eap_validate(packet->data, packet->len) < 0) {
		DBG1(LOG_IKE, "EAP_TLS returned an invalid EAP packet");
		rc = failed(req, conv, b);
	} else if (reply->state == CYGNET__EAP_TLS_STATE__EAP_TLS_SUCCESS &&
		   !cert_has_identity(reply, conv->eap_identity)) {
		DBG1(LOG_TLS, "no trusted certificate found for '%s' to verify "
		     "TLS peer", conv->eap_identity);
		DBG1(LOG_IKE, "EAP method EAP_TLS failed for peer %s",
		     conv->first.peer.text);
		write_eap_failure(conv, packet->data[1], b);
	} else if (reply->state == CYGNET__EAP_TLS_STATE__EAP_TLS_SUCCESS &&
		   reply->msk.len == MSK_LEN) {
		memcpy(conv->msk, reply->msk.data, MSK_LEN);
		conv->step = EAP_STEP_SUCCEEDED;
		DBG1(LOG_IKE, "EAP method EAP_TLS succeeded, MSK established");
		payload_eap_write(b, packet->data, packet->len);
	} else if (reply->state == CYGNET__EAP_TLS_STATE__EAP_TLS_CONTINUE) {
		conv->identifier = packet->data[1];
		payload_eap_write(b, packet->data, packet->len);
	} else {
		DBG1(LOG_IKE, "EAP method EAP_TLS failed for peer %s",
		     conv->first.peer.text);
		if (reply->reason && *reply->reason)
			DBG1(LOG_IKE, "EAP_TLS: %s", reply->reason);
		conv->step = EAP_STEP_FAILED;
		payload_eap_write(b, packet->data, packet->len);
	}
	protobuf_c_message_free_unpacked(&reply->base, NULL);
	return rc;
}

static int identity_response(struct ike_request *req, struct eap_conv *conv,
			     const struct payload *eap, struct msg_builder *b)
{
	Cygnet__EapTlsReply *reply;
	uint8_t identifier;

	snprintf(conv->eap_identity, sizeof(conv->eap_identity), "%.*s",
		 (int)(eap->len - EAP_HEADER_LEN - 1),
		 (const char *)eap->body + EAP_HEADER_LEN + 1);
	if (eap->body[EAP_HEADER_LEN] != EAP_TYPE_IDENTITY) {
		DBG1(LOG_IKE, "received EAP response of type %u instead of an "
		     "identity", eap->body[EAP_HEADER_LEN]);
		return failed(req, conv, b);
	}
	DBG1(LOG_IKE, "received EAP identity '%s'", conv->eap_identity);
	if (!peer_eap_id_allowed(&conv->cfg, conv->eap_identity)) {
		DBG1(LOG_CFG, "EAP identity '%s' not allowed by config '%s'",
		     conv->eap_identity, conv->cfg.name);
		return failed(req, conv, b);
	}
	if (RAND_bytes(&identifier, 1) != 1)
		return failed(req, conv, b);
	reply = auth_eap_tls_start(req->svc->certreq.authority, &conv->cfg,
				   req->sa->unique_id, identifier);
	if (!reply)
		return failed(req, conv, b);
	DBG1(LOG_IKE, "initiating EAP_TLS method (id 0x%02X)", identifier);
	conv->step = EAP_STEP_TLS;
	lifetime_watch_half_open(req->svc, req->sa);
	return relay(req, conv, reply, b);
}

static int tls_response(struct ike_request *req, struct eap_conv *conv,
			const struct payload *eap, struct msg_builder *b)
{
	Cygnet__EapTlsReply *reply;

	reply = auth_eap_tls_process(req->svc->certreq.authority,
				     req->sa->unique_id, eap->body, eap->len);
	if (!reply)
		return failed(req, conv, b);
	return relay(req, conv, reply, b);
}

/* AUTH = prf(prf(MSK, "Key Pad for IKEv2"), <signed octets>) both ways. */
static int msk_auth(const struct ike_sa *sa, const struct eap_conv *conv,
		    bool ours, uint8_t *mac)
{
	const struct identity *id = ours ? &conv->us : &conv->first.peer;
	struct id_payload idp = { .type = id->type, .data = id->data,
				  .len = id->len };
	uint8_t *octets;
	size_t len;
	int rc;

	octets = ours ? auth_octets(sa->keys.prf, sa->keys.sk_pr,
				    sa->keys.prf_len, sa->init_response,
				    sa->init_response_len, sa->ni, sa->ni_len,
				    &idp, &len)
		      : auth_octets(sa->keys.prf, sa->keys.sk_pi,
				    sa->keys.prf_len, sa->init_request,
				    sa->init_request_len, sa->nr, sa->nr_len,
				    &idp, &len);
	if (!octets)
		return -1;
	rc = auth_msk_compute(sa->keys.prf, conv->msk, MSK_LEN, octets, len, mac);
	free(octets);
	return rc;
}

static int final_auth(struct ike_request *req, struct eap_conv *conv,
		      const struct payload *p, struct msg_builder *b)
{
	struct ike_sa *sa = req->sa;
	size_t mac_len = prf_len(sa->keys.prf);
	uint8_t expected[PRF_MAX_LEN], ours[PRF_MAX_LEN];
	struct auth_payload auth;
	int rc;

	payload_auth_parse(p->body, p->len, &auth);
	if (auth.method != AUTH_SHARED_KEY_MIC || auth.len != mac_len ||
	    msk_auth(sa, conv, false, expected) < 0 ||
	    CRYPTO_memcmp(expected, auth.data, mac_len) != 0) {
		DBG1(LOG_IKE, "verification of AUTH payload with EAP MSK failed");
		return failed(req, conv, b);
	}
	DBG1(LOG_IKE, "authentication of '%s' with EAP successful",
	     conv->first.peer.text);
	if (msk_auth(sa, conv, true, ours) < 0)
		return failed(req, conv, b);
	DBG1(LOG_IKE, "authentication of '%s' (myself) with EAP", conv->us.text);
	payload_auth_write(b, &(struct auth_payload){ .method = AUTH_SHARED_KEY_MIC,
						      .data = ours,
						      .len = mac_len });
	snprintf(sa->remote_eap_id, sizeof(sa->remote_eap_id), "%s",
		 conv->eap_identity);
	rc = ike_auth_complete(req, &conv->cfg, &conv->first,
			       conv->initial_contact, conv->eap_identity, b);
	OPENSSL_cleanse(conv->msk, sizeof(conv->msk));
	return rc;
}

int eap_continue(struct ike_request *req, struct msg_builder *b)
{
	struct eap_conv *conv = req->sa->eap;
	const struct payload *eap = message_find(&req->msg, PL_EAP);
	const struct payload *auth = message_find(&req->msg, PL_AUTH);

	if (conv->step == EAP_STEP_SUCCEEDED && auth)
		return final_auth(req, conv, auth, b);
	if (eap && eap->body[0] == EAP_RESPONSE &&
	    eap->body[1] == conv->identifier) {
		if (conv->step == EAP_STEP_IDENTITY)
			return identity_response(req, conv, eap, b);
		if (conv->step == EAP_STEP_TLS)
			return tls_response(req, conv, eap, b);
	}
	if (conv->step != EAP_STEP_FAILED)
		DBG1(LOG_IKE, "IKE_AUTH request does not continue EAP, "
		     "sending AUTHENTICATION_FAILED");
	return failed(req, conv, b);
}
