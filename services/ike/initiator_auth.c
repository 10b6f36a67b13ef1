/* IKE_AUTH as the initiator (RFC 7296 1.2, 2.15): our IDi, CERT, AUTH
 * signed by the authority, CERTREQ, IDr, CP(CFG_REQUEST) for vips = and
 * the first CHILD_SA's offer; then the responder's identity, certificate
 * and AUTH verified by the authority, the virtual IPs it assigned put on
 * our interface and its CHILD_SA installed through the kernel service. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/child_create.h"
#include "ike/child_install.h"
#include "ike/delete.h"
#include "ike/initiate.h"
#include "ike/lifetime.h"
#include "ike/own_vip.h"
#include "ike/request_out.h"
#include "log.h"

#define CHAIN_MAX MESSAGE_MAX_LEN

/* IDr when remote.id names the responder (DNs need its certificate and
 * are left to the responder to pick). */
static void write_idr(struct msg_builder *b, const struct peer_cfg *cfg)
{
	struct identity *them = malloc(sizeof(*them));

	if (them && cfg->remote_id[0] &&
	    identity_from_config(cfg->remote_id, NULL, 0, them) == 0)
		payload_id_write(b, PL_IDR, &(struct id_payload){
			.type = them->type, .data = them->data,
			.len = them->len });
	free(them);
}

static int build(struct ike_service *svc, struct ike_sa *sa,
		 struct msg_builder *b)
{
	struct initiating *ini = sa->initiating;
	struct auth_request *asked = calloc(1, sizeof(*asked));
	struct identity *us = malloc(sizeof(*us));
	int rc = -1;

	if (!asked || !us)
		goto out;
	asked->certreq = ini->certreq_received;
	if (ike_auth_self(svc, sa, &ini->cfg, asked, b, us) < 0)
		goto out;
	exchange_write_notify(b, N_INITIAL_CONTACT);
	if (ini->send_certreq)
		certreq_write(&svc->certreq, b);
	write_idr(b, &ini->cfg);
	own_vip_write_request(b, &ini->cfg);
	if (child_offer(svc, sa, &ini->cfg.child, &ini->child, b) < 0)
		goto out;
	DBG1(LOG_IKE, "establishing CHILD_SA %s{%u}", ini->child.name,
	     ini->child.unique_id);
	rc = 0;
out:
	free(asked);
	free(us);
	return rc;
}

int initiator_auth_request(struct ike_service *svc, struct ike_sa *sa)
{
	uint8_t *buf = malloc(CHAIN_MAX);
	struct msg_builder b;
	int rc = -1;

	if (!buf)
		return -1;
	builder_init_chain(&b, buf, CHAIN_MAX);
	if (build(svc, sa, &b) == 0)
		rc = request_send(svc, sa, IKE_AUTH, &b);
	free(buf);
	return rc;
}

/* The errors of RFC 7296 1.2 that refuse only the CHILD_SA. */
static uint16_t child_error(const struct ike_message *msg)
{
	static const uint16_t errors[] = {
		N_NO_PROPOSAL_CHOSEN, N_TS_UNACCEPTABLE, N_SINGLE_PAIR_REQUIRED,
		N_INTERNAL_ADDRESS_FAILURE, N_FAILED_CP_REQUIRED,
		N_NO_ADDITIONAL_SAS, N_INVALID_SELECTORS,
	};

	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
		if (message_find_notify(msg, errors[i]))
			return errors[i];
	return 0;
}

static int authenticate_peer(struct ike_service *svc, struct ike_sa *sa,
			     const struct auth_request *r)
{
	const struct peer_cfg *cfg = &sa->initiating->cfg;

	ike_auth_log_certs(svc, r);
	if (!r->has_auth) {
		DBG1(LOG_IKE, "AUTH payload missing in IKE_AUTH response");
		return -1;
	}
	if (cfg->remote_id[0] && strcmp(cfg->remote_id, r->peer.text) != 0) {
		DBG1(LOG_CFG, "constraint check failed: identity '%s' required",
		     cfg->remote_id);
		return -1;
	}
	return ike_auth_verify_peer(svc, sa, cfg, r);
}

static void child_outcome(struct ike_service *svc, struct ike_sa *sa,
			  const struct ike_message *msg,
			  const struct auth_request *r)
{
	struct initiating *ini = sa->initiating;
	struct child_request cr = {
		.sa = r->sa, .tsi = r->tsi, .tsr = r->tsr,
		.ni = sa->ni, .ni_len = sa->ni_len,
		.nr = sa->nr, .nr_len = sa->nr_len, .skip_ke = true,
	};
	uint16_t error = child_error(msg);
	uint32_t offered = ini->child.spi_in;

	/* cygnetctl --initiate watches sa->initiated: set once, at the end. */
	if (error) {
		DBG1(LOG_IKE, "received %s notify, no CHILD_SA built",
		     notify_name(error));
		child_uninstall(svc, sa, &ini->child);
	} else if (child_accept(svc, sa, &ini->cfg.child, &cr, &ini->child) == 0) {
		sa->initiated = INITIATE_DONE;
		return;
	} else {
		/* The responder has it installed: as charon, delete it. */
		child_sa_delete_refused(svc, sa, offered);
	}
	sa->initiated = INITIATE_CHILD_FAILED;
}

int initiator_auth_handle(struct ike_request *req)
{
	struct ike_sa *sa = req->sa;
	struct auth_request *r = malloc(sizeof(*r));
	struct ike_times times;
	int rc = -1;

	if (!r)
		return -1;
	if (message_find_notify(&req->msg, N_AUTHENTICATION_FAILED))
		DBG1(LOG_IKE, "received AUTHENTICATION_FAILED notify error");
	else if (auth_response_read(&req->msg, r) == 0 &&
		 authenticate_peer(req->svc, sa, r) == 0) {
		snprintf(sa->remote_id, sizeof(sa->remote_id), "%s", r->peer.text);
		ike_sa_established(req->svc, sa, &sa->initiating->cfg);
		lifetime_start(req->svc, sa, sa->initiating->cfg.name, &times);
		own_vip_take_reply(req->svc, sa, &req->msg);
		child_outcome(req->svc, sa, &req->msg, r);
		initiating_free(sa->initiating);
		sa->initiating = NULL;
		rc = 0;
	}
	free(r);
	return rc;
}
