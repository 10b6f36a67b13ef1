/* IKE_AUTH as the responder with public key authentication (RFC 7296
 * 1.2, 2.15): the peer config for the peer's identity, its certificate
 * and AUTH checked by the authority, ours signed there, then the
 * virtual IPs (cp.c) and the first CHILD_SA (child_sa.c). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/auth_calls.h"
#include "ike/auth_octets.h"
#include "ike/eap.h"
#include "ike/exchange.h"
#include "ike/ike_auth.h"
#include "ike/mobike.h"
#include "ike/sa_role.h"
#include "log.h"

#define MAX_PEER_HASHES 8

/* X.509 CERTREQ hashes (validated: whole 20-octet key ids). */
static void read_certreq(const struct payload *p, struct auth_request *r)
{
	r->certreq = true;
	if (p->len < 1 || p->body[0] != CERT_X509_SIGNATURE)
		return;
	for (size_t off = 1; off + CERTREQ_HASH_LEN <= p->len &&
	     r->n_certreq_keyids < CERTREQ_MAX_CAS; off += CERTREQ_HASH_LEN)
		r->certreq_keyids[r->n_certreq_keyids++] = p->body + off;
}

static void read_certs(const struct ike_message *msg, struct auth_request *r)
{
	for (size_t i = 0; i < msg->n_payloads; i++) {
		const struct payload *p = &msg->payloads[i];
		struct cert_payload cert;

		if (p->type == PL_CERTREQ)
			read_certreq(p, r);
		if (p->type != PL_CERT)
			continue;
		payload_cert_parse(p->body, p->len, &cert);
		if (cert.encoding != CERT_X509_SIGNATURE) {
			DBG1(LOG_ENC, "certificate encoding %u not supported, "
			     "ignored", cert.encoding);
			continue;
		}
		if (r->certs.n < AUTH_CERTS_MAX) {
			r->certs.der[r->certs.n] = cert.data;
			r->certs.len[r->certs.n++] = cert.len;
		}
	}
}

/* The sender's identity is in peer_type (IDi in a request, IDr in a
 * response), the one it asks for in wanted_type. */
static int auth_payloads_read(const struct ike_message *msg, uint8_t peer_type,
			      uint8_t wanted_type, struct auth_request *r)
{
	const struct payload *idi = message_find(msg, peer_type);
	const struct payload *idr = wanted_type ? message_find(msg, wanted_type) :
						  NULL;
	const struct payload *auth = message_find(msg, PL_AUTH);
	struct id_payload id;

	memset(r, 0, sizeof(*r));
	if (!idi) {
		DBG1(LOG_IKE, "%s payload missing in IKE_AUTH %s",
		     payload_short_name(peer_type),
		     message_is_request(&msg->hdr) ? "request" : "response");
		return -1;
	}
	payload_id_parse(idi->body, idi->len, &id);
	identity_from_payload(id.type, id.data, id.len, &r->peer);
	if (idr) {
		payload_id_parse(idr->body, idr->len, &id);
		identity_from_payload(id.type, id.data, id.len, &r->wanted);
		r->has_wanted = true;
	}
	if (auth) {
		payload_auth_parse(auth->body, auth->len, &r->auth);
		r->has_auth = true;
	}
	read_certs(msg, r);
	r->cp = message_find(msg, PL_CP);
	r->sa = message_find(msg, PL_SA);
	r->tsi = message_find(msg, PL_TSI);
	r->tsr = message_find(msg, PL_TSR);
	r->mobike = message_find_notify(msg, N_MOBIKE_SUPPORTED) != NULL;
	return 0;
}

int auth_request_read(const struct ike_message *msg, struct auth_request *r)
{
	return auth_payloads_read(msg, PL_IDI, PL_IDR, r);
}

int auth_response_read(const struct ike_message *msg, struct auth_request *r)
{
	return auth_payloads_read(msg, PL_IDR, 0, r);
}

/* As charon does on receiving them: the CAs the peer asks for and the
 * certificates it sent. */
void ike_auth_log_certs(struct ike_service *svc, const struct auth_request *r)
{
	char subject[512];

	if (r->n_certreq_keyids && svc->certreq.authority)
		auth_lookup_cas(svc->certreq.authority, r->certreq_keyids,
				r->n_certreq_keyids);
	for (size_t i = 0; i < r->certs.n; i++)
		if (cert_subject(r->certs.der[i], r->certs.len[i], subject,
				 sizeof(subject)) == 0)
			DBG1(LOG_IKE, "received %s cert \"%s\"",
			     i == 0 ? "end entity" : "issuer", subject);
}

static int select_config(struct ike_service *svc, struct ike_sa *sa,
			 const struct auth_request *r, struct peer_cfg *cfg)
{
	int rc = -1;

	pthread_rwlock_rdlock(&svc->config_lock);
	if (svc->config)
		rc = peer_cfg_select(svc->config, &sa->local, &sa->remote,
				     r->has_wanted ? r->wanted.text : NULL,
				     r->peer.text, cfg);
	pthread_rwlock_unlock(&svc->config_lock);
	return rc;
}

int ike_auth_verify_peer(struct ike_service *svc, struct ike_sa *sa,
			 const struct peer_cfg *cfg, const struct auth_request *r)
{
	struct auth_inputs in = sa_auth_inputs(sa, false);
	struct id_payload id = { .type = r->peer.type, .data = r->peer.data,
				 .len = r->peer.len };
	uint8_t *octets;
	size_t len;
	int rc;

	if (r->certs.n == 0) {
		DBG1(LOG_CFG, "no trusted public key found for '%s'", r->peer.text);
		return -1;
	}
	if (auth_verify_cert(svc->certreq.authority, cfg, &r->certs, &r->peer) < 0)
		return -1;
	octets = auth_octets(sa->keys.prf, in.sk_p, sa->keys.prf_len, in.message,
			     in.message_len, in.nonce, in.nonce_len, &id, &len);
	if (!octets)
		return -1;
	rc = auth_verify_signature(svc->certreq.authority, r->certs.der[0],
				   r->certs.len[0], &r->peer, r->auth.method,
				   octets, len, r->auth.data, r->auth.len);
	free(octets);
	return rc;
}

/* RFC 7427 hash algorithms from the peer's IKE_SA_INIT message. */
static size_t peer_hashes(const struct ike_sa *sa, uint32_t *out)
{
	struct ike_message *msg = malloc(sizeof(*msg));
	const struct payload *p;
	struct notify_payload n;
	size_t count = 0, init_len;
	const uint8_t *init = sa_peer_init(sa, &init_len);

	if (!msg)
		return 0;
	if (init && message_parse(init, init_len, msg) == PARSE_OK &&
	    (p = message_find_notify(msg, N_SIGNATURE_HASH_ALGORITHMS))) {
		payload_notify_parse(p->body, p->len, &n);
		for (size_t i = 0; i + 1 < n.len && count < MAX_PEER_HASHES; i += 2)
			out[count++] = get16(n.data + i);
	}
	free(msg);
	return count;
}

static bool send_cert(const struct peer_cfg *cfg, const struct auth_request *r)
{
	if (cfg->send_cert == SEND_CERT_ALWAYS)
		return true;
	return cfg->send_cert == SEND_CERT_IFASKED && r->certreq;
}

static void write_certs(struct msg_builder *b, const Cygnet__LocalCertReply *lc)
{
	struct cert_payload cert = { .encoding = CERT_X509_SIGNATURE,
				     .data = lc->cert.data, .len = lc->cert.len };

	DBG1(LOG_IKE, "sending end entity cert \"%s\"", lc->subject);
	payload_cert_write(b, PL_CERT, &cert);
	for (size_t i = 0; i < lc->n_intermediates; i++) {
		cert.data = lc->intermediates[i].data;
		cert.len = lc->intermediates[i].len;
		DBG1(LOG_IKE, "sending issuer cert");
		payload_cert_write(b, PL_CERT, &cert);
	}
}

int ike_auth_self(struct ike_service *svc, struct ike_sa *sa,
		  const struct peer_cfg *cfg, const struct auth_request *r,
		  struct msg_builder *b, struct identity *us_out)
{
	struct auth_inputs in = sa_auth_inputs(sa, true);
	Cygnet__LocalCertReply *lc;
	struct identity *us = malloc(sizeof(*us));
	struct our_signature *sig = malloc(sizeof(*sig));
	uint32_t hashes[MAX_PEER_HASHES];
	struct id_payload id;
	uint8_t *octets = NULL;
	size_t len;
	int rc = -1;

	if (r->mobike && mobike_enabled(svc, cfg->name))
		DBG1(LOG_IKE, "peer supports MOBIKE");
	if (!us || !sig || auth_local_cert(svc->certreq.authority, cfg, &lc) < 0) {
		free(us);
		free(sig);
		return -1;
	}
	if (identity_from_config(cfg->local_id, lc->cert.data, lc->cert.len, us) < 0) {
		DBG1(LOG_CFG, "local identity '%s' unusable with certificate "
		     "\"%s\"", cfg->local_id, lc->subject);
		goto out;
	}
	id = (struct id_payload){ .type = us->type, .data = us->data, .len = us->len };
	octets = auth_octets(sa->keys.prf, in.sk_p, sa->keys.prf_len, in.message,
			     in.message_len, in.nonce, in.nonce_len, &id, &len);
	if (!octets || auth_sign(svc->certreq.authority, cfg, us, hashes,
				 peer_hashes(sa, hashes), octets, len, sig) < 0)
		goto out;
	snprintf(sa->local_id, sizeof(sa->local_id), "%s", us->text);
	payload_id_write(b, sa_our_id_type(sa), &id);
	if (send_cert(cfg, r))
		write_certs(b, lc);
	payload_auth_write(b, &(struct auth_payload){ .method = sig->method,
						      .data = sig->data,
						      .len = sig->len });
	*us_out = *us;
	rc = 0;
out:
	free(octets);
	free(us);
	free(sig);
	protobuf_c_message_free_unpacked(&lc->base, NULL);
	return rc;
}

#define DUPLICATES_MAX 16

/* The peer says it holds no other IKE_SA with us (RFC 7296 2.4, e.g.
 * after a reboot): the SAs of its identity it left behind go, with
 * their leases and CHILD_SAs, before it asks for new ones. */
static void initial_contact(struct ike_service *svc, struct ike_sa *sa)
{
	struct ike_sa *old[DUPLICATES_MAX];
	size_t n = sa_table_claim_duplicates(svc->sas, sa->unique_id, sa->conn,
					     sa->remote_id, old, DUPLICATES_MAX);

	for (size_t i = 0; i < n; i++) {
		DBG1(LOG_IKE, "deleting duplicate IKE_SA for peer '%s' due to "
		     "uniqueness policy", sa->remote_id);
		exchange_sa_gone(svc, old[i]);
		old[i]->busy = false;
	}
}

void ike_sa_established(struct ike_service *svc, struct ike_sa *sa,
			const struct peer_cfg *cfg)
{
	char ends[1200];

	sa->established = sa_table_now();
	sa->dpd_delay = cfg->dpd_delay;
	sa->dpd_action = cfg->dpd_action;
	sa_table_set_state(svc->sas, sa->unique_id, IKE_SA_ESTABLISHED, cfg->name);
	ike_sa_endpoints(sa, ends, sizeof(ends));
	DBG1(LOG_IKE, "IKE_SA %s[%llu] established between %s", cfg->name,
	     (unsigned long long)sa->unique_id, ends);
}

void exchange_write_notify(struct msg_builder *b, uint16_t type)
{
	payload_notify_write(b, &(struct notify_payload){ .type = type });
}

/* The answer to a failed authentication; the IKE_SA ends with it. */
static int auth_failed(struct msg_builder *b)
{
	exchange_write_notify(b, N_AUTHENTICATION_FAILED);
	return 1;
}

/* The peer asked for EAP (no AUTH payload): a config authenticating it
 * with EAP takes over, as charon switches; we authenticate ourselves
 * and EAP (eap.c) begins. */
static int no_auth_payload(struct ike_request *req, const struct auth_request *r,
			   struct peer_cfg *cfg, struct msg_builder *b)
{
	struct ike_service *svc = req->svc;
	struct identity us;
	int rc = 0;

	if (cfg->remote_class != AUTH_CLASS_EAP) {
		DBG1(LOG_CFG, "peer requested EAP, config unacceptable");
		pthread_rwlock_rdlock(&svc->config_lock);
		rc = svc->config ? peer_cfg_switch_eap(svc->config, &req->sa->local,
						       &req->sa->remote,
						       r->peer.text, cfg) : -1;
		pthread_rwlock_unlock(&svc->config_lock);
	}
	if (rc < 0 || ike_auth_self(svc, req->sa, cfg, r, b, &us) < 0 ||
	    eap_begin(req, cfg, r, &us, b) < 0)
		return auth_failed(b);
	return 0;
}

int ike_auth_complete(struct ike_request *req, const struct peer_cfg *cfg,
		      const struct auth_request *r, bool initial_contact_sent,
		      const char *lease_id, struct msg_builder *b)
{
	ike_sa_established(req->svc, req->sa, cfg);
	if (initial_contact_sent)
		initial_contact(req->svc, req->sa);
	return ike_auth_finish(req, cfg, r, lease_id, b);
}

int ike_auth_handle(struct ike_request *req, struct msg_builder *b)
{
	struct ike_sa *sa = req->sa;
	struct auth_request *r = malloc(sizeof(*r));
	struct peer_cfg *cfg = malloc(sizeof(*cfg));
	struct identity *us = malloc(sizeof(*us));
	int rc = -1;

	if (!r || !cfg || !us)
		goto out;
	if (sa->state != IKE_SA_CONNECTING) {
		DBG1(LOG_IKE, "IKE_AUTH request on an established IKE_SA, ignored");
		goto out;
	}
	if (sa->eap) {
		rc = eap_continue(req, b);
		goto out;
	}
	if (auth_request_read(&req->msg, r) < 0) {
		rc = auth_failed(b);
		goto out;
	}
	ike_auth_log_certs(req->svc, r);
	if (select_config(req->svc, sa, r, cfg) < 0) {
		rc = auth_failed(b);
		goto out;
	}
	snprintf(sa->remote_id, sizeof(sa->remote_id), "%s", r->peer.text);
	if (!r->has_auth)
		rc = no_auth_payload(req, r, cfg, b);
	else if (ike_auth_verify_peer(req->svc, sa, cfg, r) < 0 ||
		 ike_auth_self(req->svc, sa, cfg, r, b, us) < 0)
		rc = auth_failed(b);
	else
		rc = ike_auth_complete(req, cfg, r,
				       message_find_notify(&req->msg,
							   N_INITIAL_CONTACT),
				       sa->remote_id, b);
out:
	free(r);
	free(cfg);
	free(us);
	return rc;
}
