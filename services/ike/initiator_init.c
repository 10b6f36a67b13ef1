/* IKE_SA_INIT as the initiator (RFC 7296 1.2, 2.6, 2.23): our request
 * with the connection's proposals and a KE of the first one's group,
 * a retry with the group (INVALID_KE_PAYLOAD) or cookie (COOKIE) the
 * responder asks for, and the keys from its response. */
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/dh.h"
#include "ike/initiate.h"
#include "ike/natd.h"
#include "ike/request_out.h"
#include "log.h"

#define MAX_RECEIVED_PROPOSALS 2

static uint16_t first_group(const struct initiating *ini)
{
	for (size_t i = 0; i < ini->n_proposals; i++) {
		const struct transform *dh = proposal_first(&ini->proposals[i],
							    TRANS_DH);

		if (dh)
			return dh->id;
	}
	return 0;
}

static bool group_offered(const struct initiating *ini, uint16_t group)
{
	for (size_t i = 0; i < ini->n_proposals; i++)
		if (proposal_has(&ini->proposals[i], TRANS_DH, group, 0))
			return true;
	return false;
}

static void write_notify(struct msg_builder *b, uint16_t type,
			 const uint8_t *data, size_t len)
{
	payload_notify_write(b, &(struct notify_payload){
		.type = type, .data = data, .len = len });
}

static int build(struct ike_sa *sa, struct initiating *ini, struct packet *pkt)
{
	uint8_t pub[DH_MAX_PUBLIC];
	size_t pub_len = dh_public_len(ini->group);
	struct ike_header h = { .version = IKE_MAJOR_VERSION << 4,
				.exchange = IKE_SA_INIT,
				.flags = FLAG_INITIATOR };
	struct msg_builder b;

	if (dh_public(ini->dh, pub, pub_len) < 0)
		return -1;
	memcpy(h.spi_i, &sa->spi_i, 8);
	pkt->local = sa->local;
	pkt->remote = sa->remote;
	builder_init(&b, pkt->data, sizeof(pkt->data), &h);
	if (ini->cookie_len)
		write_notify(&b, N_COOKIE, ini->cookie, ini->cookie_len);
	payload_sa_write(&b, ini->proposals, ini->n_proposals);
	payload_ke_write(&b, ini->group, pub, pub_len);
	payload_nonce_write(&b, sa->ni, sa->ni_len);
	natd_write(&b, &h, &sa->local, &sa->remote);
	if (sa->fragmentation != FRAG_NO)
		write_notify(&b, N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
	return exchange_finish_plain(&b, pkt, pkt) ? 0 : -1;
}

static int keep_request(struct initiating *ini, const struct packet *pkt)
{
	uint8_t *copy = malloc(pkt->len);

	if (!copy)
		return -1;
	memcpy(copy, pkt->data, pkt->len);
	free(ini->init_request);
	ini->init_request = copy;
	ini->init_request_len = pkt->len;
	return 0;
}

int initiator_init_send(struct ike_service *svc, struct ike_sa *sa)
{
	struct initiating *ini = sa->initiating;
	struct packet *pkt;
	int rc = -1;

	if (!ini->dh) {
		ini->group = ini->group ? ini->group : first_group(ini);
		ini->dh = dh_create(ini->group);
	}
	if (!ini->dh) {
		DBG1(LOG_IKE, "no usable DH group in the proposals of '%s'",
		     ini->cfg.name);
		return -1;
	}
	pkt = malloc(sizeof(*pkt));
	if (pkt && build(sa, ini, pkt) == 0 && keep_request(ini, pkt) == 0)
		rc = request_send_plain(svc, sa, pkt->data, pkt->len);
	free(pkt);
	return rc;
}

void initiate_init_response(struct ike_service *svc, const struct packet *in,
			    const struct ike_message *msg)
{
	struct ike_request *req;
	struct ike_sa *sa;
	uint64_t spi_i;
	bool idle = false;

	memcpy(&spi_i, msg->hdr.spi_i, 8);
	sa = sa_table_find_half_open(svc->sas, spi_i, &in->remote);
	if (!sa || !sa->initiator) {
		DBG1(LOG_IKE, "received response without request, ignored");
		return;
	}
	if (!atomic_compare_exchange_strong(&sa->busy, &idle, true)) {
		DBG1(LOG_IKE, "ignoring response with ID 0, already processing");
		return;
	}
	req = calloc(1, sizeof(*req));
	if (!request_matches(sa, &msg->hdr) || !req ||
	    !(req->plain = malloc(in->len))) {
		free(req);
		sa->busy = false;
		return;
	}
	memcpy(req->plain, in->data, in->len);
	message_parse(req->plain, in->len, &req->msg);
	request_answered(sa);
	sa->last_received = sa_table_now();
	req->svc = svc;
	req->sa = sa;
	req->response_to = IKE_SA_INIT;
	if (request_start(req) < 0)
		sa->busy = false;
}

/* INVALID_KE_PAYLOAD: again with the group the responder wants. */
static int retry_group(struct ike_service *svc, struct ike_sa *sa,
		       const struct notify_payload *n)
{
	struct initiating *ini = sa->initiating;
	uint16_t group = n->len == 2 ? get16(n->data) : 0;
	struct transform have = { TRANS_DH, ini->group, 0 }, want = { TRANS_DH, group, 0 };
	char a[32], b[32];

	transform_format(&have, a, sizeof(a));
	transform_format(&want, b, sizeof(b));
	if (!group_offered(ini, group) || group == ini->group) {
		DBG1(LOG_IKE, "peer didn't accept DH group %s, it requested %s "
		     "which we did not propose", a, b);
		return -1;
	}
	DBG1(LOG_IKE, "peer didn't accept DH group %s, it requested %s", a, b);
	dh_free(ini->dh);
	ini->dh = NULL;
	ini->group = group;
	return initiator_init_send(svc, sa);
}

static int retry_cookie(struct ike_service *svc, struct ike_sa *sa,
			const struct notify_payload *n)
{
	struct initiating *ini = sa->initiating;

	if (n->len == 0 || n->len > sizeof(ini->cookie) ||
	    ini->cookie_len) {
		DBG1(LOG_IKE, "received invalid COOKIE, giving up");
		return -1;
	}
	memcpy(ini->cookie, n->data, n->len);
	ini->cookie_len = n->len;
	return initiator_init_send(svc, sa);
}

/* An error notify or a retry; 1 when the response has none. */
static int notifies(struct ike_service *svc, struct ike_sa *sa,
		    const struct ike_message *msg)
{
	for (size_t i = 0; i < msg->n_payloads; i++) {
		const struct payload *p = &msg->payloads[i];
		struct notify_payload n;
		const char *name;

		if (p->type != PL_NOTIFY)
			continue;
		payload_notify_parse(p->body, p->len, &n);
		if (n.type == N_INVALID_KE_PAYLOAD)
			return retry_group(svc, sa, &n);
		if (n.type == N_COOKIE)
			return retry_cookie(svc, sa, &n);
		if (n.type >= N_INITIAL_CONTACT)
			continue;
		name = notify_name(n.type);
		if (name)
			DBG1(LOG_IKE, "received %s notify error", name);
		else
			DBG1(LOG_IKE, "received notify error %u", n.type);
		return -1;
	}
	return 1;
}

static int derive(struct ike_sa *sa, const struct ike_message *msg,
		  const struct proposal *selected)
{
	const struct payload *ke_p = message_find(msg, PL_KE);
	const struct payload *nonce = message_find(msg, PL_NONCE);
	struct initiating *ini = sa->initiating;
	uint8_t gir[DH_MAX_SECRET];
	size_t gir_len;
	struct ke_payload ke;
	int rc;

	payload_ke_parse(ke_p->body, ke_p->len, &ke);
	if (ke.group != ini->group) {
		DBG1(LOG_IKE, "KE payload of DH group %u does not match %u",
		     ke.group, ini->group);
		return -1;
	}
	if (dh_derive(ini->dh, ke.data, ke.len, gir, &gir_len) < 0)
		return -1;
	sa->nr_len = nonce->len;
	memcpy(sa->nr, nonce->body, nonce->len);
	sa->proposal = *selected;
	rc = keymat_derive_ike(selected, gir, gir_len, sa->ni, sa->ni_len,
			       sa->nr, sa->nr_len, msg->hdr.spi_i,
			       msg->hdr.spi_r, &sa->keys);
	OPENSSL_cleanse(gir, sizeof(gir));
	return rc;
}

static int select_proposal(const struct initiating *ini,
			   const struct payload *sa_p, struct proposal *selected)
{
	struct proposal received[MAX_RECEIVED_PROPOSALS];
	size_t n = payload_sa_parse(sa_p->body, sa_p->len, received,
				    MAX_RECEIVED_PROPOSALS);

	if (n != 1 || !proposal_select(ini->proposals, ini->n_proposals,
				       received, 1, selected)) {
		DBG1(LOG_IKE, "no acceptable proposal found");
		return -1;
	}
	return 0;
}

int initiator_init_handle(struct ike_request *req)
{
	struct ike_sa *sa = req->sa;
	struct initiating *ini = sa->initiating;
	const struct ike_message *msg = &req->msg;
	const struct payload *sa_p = message_find(msg, PL_SA);
	struct proposal selected;
	uint64_t spi_r;
	int rc = notifies(req->svc, sa, msg);

	if (rc <= 0)
		return rc;
	memcpy(&spi_r, msg->hdr.spi_r, 8);
	if (!sa_p || !message_find(msg, PL_KE) || !message_find(msg, PL_NONCE) ||
	    spi_r == 0) {
		DBG1(LOG_IKE, "SA, KE or Nonce missing in IKE_SA_INIT response");
		return -1;
	}
	if (select_proposal(ini, sa_p, &selected) < 0 ||
	    derive(sa, msg, &selected) < 0)
		return -1;
	sa_table_set_spi_r(req->svc->sas, sa, spi_r);
	sa->peer_frag_supported =
		message_find_notify(msg, N_IKEV2_FRAGMENTATION_SUPPORTED) != NULL;
	ini->certreq_received = message_find(msg, PL_CERTREQ) != NULL;
	sa->nat = natd_detect(msg, &sa->local, &sa->remote, &sa->local_nat);
	if (sa_table_keep_init(sa, ini->init_request, ini->init_request_len,
			       req->plain, msg->hdr.length) < 0)
		return -1;
	dh_free(ini->dh);
	ini->dh = NULL;
	if (sa->nat) {
		/* RFC 7296 2.23: on to port 4500 once a NAT is detected. */
		sockaddr_set_port(&sa->local, req->svc->settings.port_nat_t);
		sockaddr_set_port(&sa->remote, IKE_NATT_PORT);
	}
	return initiator_auth_request(req->svc, sa);
}
