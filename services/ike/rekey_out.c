/* Our IKE_SA rekeying: the connection's IKE proposals with a new SPI of
 * ours, a nonce and a KE of the current IKE_SA's group (as charon
 * does, so the responder needs no INVALID_KE_PAYLOAD round). */
#include "ike/rekey_out.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#include "ike/child_out.h"
#include "ike/create_child.h"
#include "ike/delete.h"
#include "ike/initiate.h"
#include "ike/lifetime.h"
#include "ike/persist.h"
#include "ike/request_out.h"
#include "log.h"

#define CHAIN_MAX MESSAGE_MAX_LEN
#define MAX_RECEIVED_PROPOSALS 16

/* The connection's proposals, each with our new SPI. */
static int load_proposals(struct ike_service *svc, const struct ike_sa *sa,
			  struct initiating *ini)
{
	const struct conn_cfg *conn;

	pthread_rwlock_rdlock(&svc->config_lock);
	conn = svc->config ? config_find(svc->config, sa->conn) : NULL;
	if (conn) {
		ini->n_proposals = conn->n_proposals;
		memcpy(ini->proposals, conn->proposals,
		       conn->n_proposals * sizeof(conn->proposals[0]));
	}
	pthread_rwlock_unlock(&svc->config_lock);
	for (size_t i = 0; i < ini->n_proposals; i++) {
		ini->proposals[i].spi_size = 8;
		memcpy(ini->proposals[i].spi, &ini->new_spi, 8);
	}
	return ini->n_proposals ? 0 : -1;
}

static int build(struct ike_service *svc, const struct ike_sa *sa,
		 struct initiating *ini, struct msg_builder *b)
{
	const struct transform *dh = proposal_first(&sa->proposal, TRANS_DH);
	uint8_t pub[DH_MAX_PUBLIC];

	if (!dh || RAND_bytes((unsigned char *)&ini->new_spi,
			      sizeof(ini->new_spi)) != 1 ||
	    RAND_bytes(ini->nonce, sizeof(ini->nonce)) != 1 ||
	    load_proposals(svc, sa, ini) < 0)
		return -1;
	ini->group = dh->id;
	ini->dh = dh_create(ini->group);
	if (!ini->dh || dh_public(ini->dh, pub, dh_public_len(ini->group)) < 0)
		return -1;
	payload_sa_write(b, ini->proposals, ini->n_proposals);
	payload_nonce_write(b, ini->nonce, sizeof(ini->nonce));
	payload_ke_write(b, ini->group, pub, dh_public_len(ini->group));
	return 0;
}

static void retry_later(struct ike_service *svc, const struct ike_sa *sa)
{
	uint32_t random = 0;
	long retry;

	if (RAND_bytes((unsigned char *)&random, sizeof(random)) != 1)
		random = 0;
	retry = CHILD_REKEY_RETRY - (long)(random % CHILD_REKEY_RETRY_JITTER);
	DBG1(LOG_IKE, "IKE_SA rekeying failed, trying again in %ld seconds",
	     retry);
	lifetime_rekey_later(svc, sa, retry);
}

/* sa is owned, established and has no request of ours outstanding. */
static void send_rekey(struct ike_service *svc, struct ike_sa *sa)
{
	uint8_t *buf = malloc(CHAIN_MAX);
	struct msg_builder b;
	int rc = -1;

	sa->initiating = calloc(1, sizeof(*sa->initiating));
	if (buf && sa->initiating) {
		sa->initiating->rekey_ike = true;
		builder_init_chain(&b, buf, CHAIN_MAX);
		if (build(svc, sa, sa->initiating, &b) == 0)
			rc = request_send(svc, sa, CREATE_CHILD_SA, &b);
	}
	free(buf);
	if (rc == 0)
		return;
	initiating_abort(svc, sa);
	retry_later(svc, sa);
}

int rekey_out_start(struct ike_service *svc, uint64_t unique_id)
{
	struct ike_sa *sa = sa_table_claim(svc->sas, unique_id);
	int rc = 0;

	if (!sa)
		return 1;
	if (sa->state != IKE_SA_ESTABLISHED)
		rc = -1;
	else if (request_pending(sa) || sa->initiating)
		rc = 1;
	else
		send_rekey(svc, sa);
	sa_release(svc, sa);
	return rc;
}

/* The responder's choice among our proposals, with its new SPI. */
static int read_proposal(const struct ike_message *msg,
			 const struct initiating *ini, struct proposal *selected)
{
	const struct payload *sa_pl = message_find(msg, PL_SA);
	struct proposal *received = calloc(MAX_RECEIVED_PROPOSALS,
					   sizeof(*received));
	const struct transform *dh;
	size_t n;
	bool ok = false;

	if (received && sa_pl) {
		n = payload_sa_parse(sa_pl->body, sa_pl->len, received,
				     MAX_RECEIVED_PROPOSALS);
		ok = n == 1 && proposal_select(ini->proposals, ini->n_proposals,
					       received, n, selected);
	}
	free(received);
	dh = ok ? proposal_first(selected, TRANS_DH) : NULL;
	if (ok && selected->spi_size == 8 && dh && dh->id == ini->group)
		return 0;
	DBG1(LOG_IKE, "no acceptable proposal found");
	return -1;
}

/* g^ir from the responder's KE into gir; returns its length, 0 on
 * failure (logged). */
static size_t shared_secret(const struct ike_message *msg,
			    struct initiating *ini, uint8_t *gir)
{
	const struct payload *ke_pl = message_find(msg, PL_KE);
	struct ke_payload ke = { 0 };
	size_t len = 0;

	if (ke_pl)
		payload_ke_parse(ke_pl->body, ke_pl->len, &ke);
	if (ke.group != ini->group ||
	    dh_derive(ini->dh, ke.data, ke.len, gir, &len) < 0) {
		DBG1(LOG_IKE, "applying DH public value failed");
		return 0;
	}
	return len;
}

/* The new IKE_SA with our SPI and the responder's; returns 0, -1. */
static int take_over(struct ike_service *svc, struct ike_sa *old,
		     const struct proposal *selected,
		     const struct rekey_inputs *in, uint64_t our_spi,
		     uint64_t *new_id)
{
	uint64_t spi_r, id;
	struct ike_sa *sa;
	int rc;

	memcpy(&spi_r, selected->spi, 8);
	id = sa_table_add(svc->sas, our_spi, spi_r);
	sa = id ? sa_table_claim(svc->sas, id) : NULL;
	if (!sa)
		return -1;
	sa->initiator = true;
	rc = rekey_ike_take_over(svc, sa, old, selected, in);
	sa_release(svc, sa);
	if (rc < 0)
		sa_table_remove(svc->sas, id);
	*new_id = id;
	return rc;
}

static int rekeyed(struct ike_request *req, struct initiating *ini,
		   uint64_t *new_id)
{
	const struct payload *nonce = message_find(&req->msg, PL_NONCE);
	struct proposal selected;
	uint8_t gir[DH_MAX_SECRET];
	struct rekey_inputs in = { .ni = ini->nonce, .ni_len = sizeof(ini->nonce),
				   .gir = gir };
	int rc = -1;

	if (!nonce) {
		DBG1(LOG_IKE, "Nonce payload missing in CREATE_CHILD_SA response");
		return -1;
	}
	in.nr = nonce->body;
	in.nr_len = nonce->len;
	if (read_proposal(&req->msg, ini, &selected) == 0) {
		in.gir_len = shared_secret(&req->msg, ini, gir);
		if (in.gir_len)
			rc = take_over(req->svc, req->sa, &selected, &in,
				       ini->new_spi, new_id);
	}
	OPENSSL_cleanse(gir, sizeof(gir));
	return rc;
}

void rekey_out_crossed(struct ike_sa *old, const struct ike_sa *new_sa)
{
	struct initiating *ini = old->initiating;

	if (!ini || !ini->rekey_ike)
		return;
	rekey_note_nonce(ini, new_sa->ni, new_sa->ni_len, new_sa->nr,
			 new_sa->nr_len);
	ini->collision_ike = new_sa->unique_id;
}

/* Both rekeyings of old made a new IKE_SA, ours is ours_id: when ours
 * is the redundant one we delete it (the peer deletes old), else it
 * takes the CHILD_SAs over from the peer's (which the peer deletes)
 * and we delete old.  Returns whether old is ours to delete. */
static bool settle_collision(struct ike_service *svc,
			     const struct initiating *ini, uint64_t ours_id,
			     const struct payload *nr)
{
	struct ike_sa *ours, *theirs;

	if (rekey_collision_lost(ini, nr)) {
		DBG1(LOG_IKE, "IKE_SA rekey collision lost, deleting redundant "
		     "IKE_SA");
		ike_sa_delete(svc, ours_id);
		return false;
	}
	DBG1(LOG_IKE, "IKE_SA rekey collision won, waiting for delete");
	ours = sa_table_claim(svc->sas, ours_id);
	theirs = sa_table_claim(svc->sas, ini->collision_ike);
	if (ours && theirs) {
		sa_table_adopt(svc->sas, ours, theirs);
		persist_sa_replaced(svc, ours, theirs);
	}
	if (theirs)
		sa_release(svc, theirs);
	if (ours)
		sa_release(svc, ours);
	return true;
}

int rekey_out_response(struct ike_request *req)
{
	struct ike_sa *sa = req->sa;
	struct initiating *ini = sa->initiating;
	struct notify_payload n;
	uint16_t error = child_out_error(&req->msg, &n);
	uint64_t new_id = 0;

	sa->initiating = NULL;
	if (error)
		DBG1(LOG_IKE, "received %s notify error", notify_name(error));
	if (error || rekeyed(req, ini, &new_id) < 0)
		retry_later(req->svc, sa);
	else if (!ini->collision_ike ||
		 settle_collision(req->svc, ini, new_id,
				  message_find(&req->msg, PL_NONCE)))
		/* Now REKEYED: our DELETE ends it. */
		ike_sa_delete_owned(req->svc, sa);
	initiating_free(ini);
	return 0;
}
