/* Our CREATE_CHILD_SA requests for CHILD_SAs: the rekeying of one at
 * its rekey time, [ N(REKEY_SA) SA No KE TSi TSr ] as charon sends it,
 * the close of one at its life time, and a new one on cygnetctl
 * --initiate for an IKE_SA that is up.  The exchange's state lives in
 * sa->initiating (freed with the SA, its larval SPI returned by
 * initiating_abort) until the response came. */
#include "ike/child_out.h"

#include <arpa/inet.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#include "ike/child_create.h"
#include "ike/child_install.h"
#include "ike/create_child.h"
#include "ike/delete.h"
#include "ike/initiate.h"
#include "ike/rekey_child.h"
#include "ike/rekey_out.h"
#include "ike/request_out.h"
#include "log.h"

#define CHAIN_MAX MESSAGE_MAX_LEN

static int child_index(const struct ike_sa *sa, uint32_t unique_id)
{
	for (size_t i = 0; i < sa->n_children; i++)
		if (sa->children[i].unique_id == unique_id)
			return (int)i;
	return -1;
}

/* A later CHILD_SA took over its reqid: it waits for its DELETE. */
static bool replaced(const struct ike_sa *sa, const struct child_sa *c)
{
	for (size_t i = 0; i < sa->n_children; i++)
		if (sa->children[i].reqid == c->reqid &&
		    sa->children[i].unique_id > c->unique_id)
			return true;
	return false;
}

static void close_expired(struct ike_service *svc, struct ike_sa *sa,
			  size_t index)
{
	char text[1200];

	child_describe(&sa->children[index], text, sizeof(text));
	DBG1(LOG_IKE, "closing expired CHILD_SA %s{%u} %s",
	     sa->children[index].name, sa->children[index].unique_id, text);
	child_sa_send_delete(svc, sa, &sa->children[index]);
}

/* The rekeying failed: tried again in 5 to 15 s (charon's numbers), or
 * closed at its life time if that comes first. */
static void retry_later(struct ike_service *svc, struct ike_sa *sa,
			uint32_t child_id)
{
	int index = child_index(sa, child_id);
	uint32_t random = 0;
	long retry;
	struct child_sa child;

	if (index < 0)
		return;
	if (RAND_bytes((unsigned char *)&random, sizeof(random)) != 1)
		random = 0;
	retry = CHILD_REKEY_RETRY - (long)(random % CHILD_REKEY_RETRY_JITTER);
	DBG1(LOG_IKE, "CHILD_SA rekeying failed, trying again in %ld seconds",
	     retry);
	child = sa->children[index];
	child.rekey_time = sa_table_now() - child.installed + retry;
	sa_table_update_child(svc->sas, sa, (size_t)index, &child);
}

/* Nonce and, with a KE method in the first proposal (PFS), our KE. */
static int write_keys(struct initiating *ini, struct msg_builder *b)
{
	uint8_t pub[DH_MAX_PUBLIC];

	if (RAND_bytes(ini->nonce, sizeof(ini->nonce)) != 1)
		return -1;
	payload_nonce_write(b, ini->nonce, sizeof(ini->nonce));
	if (ini->group == DH_NONE)
		return 0;
	dh_free(ini->dh);
	ini->dh = dh_create(ini->group);
	if (!ini->dh || dh_public(ini->dh, pub, dh_public_len(ini->group)) < 0)
		return -1;
	payload_ke_write(b, ini->group, pub, dh_public_len(ini->group));
	return 0;
}

/* The request for ini; a rekeying names the old CHILD_SA by our
 * inbound SPI and offers its selectors again. */
static int build(struct ike_service *svc, struct ike_sa *sa,
		 struct initiating *ini, const struct child_sa *old,
		 struct msg_builder *b)
{
	struct child_sa *child = &ini->child;
	uint32_t spi;

	if (old) {
		spi = htonl(old->spi_in);
		payload_notify_write(b, &(struct notify_payload){
			.protocol = PROTO_ESP, .spi_size = 4,
			.type = N_REKEY_SA, .spi = (const uint8_t *)&spi });
	}
	if (child_offer_sa(svc, sa, &ini->cfg.child, true, child, b) < 0)
		return -1;
	if (old) {
		child->reqid = old->reqid;
		child->n_local_ts = old->n_local_ts;
		memcpy(child->local_ts, old->local_ts, sizeof(old->local_ts));
		child->n_remote_ts = old->n_remote_ts;
		memcpy(child->remote_ts, old->remote_ts, sizeof(old->remote_ts));
		DBG1(LOG_IKE, "establishing CHILD_SA %s{%u} reqid %u",
		     child->name, child->unique_id, child->reqid);
	} else {
		DBG1(LOG_IKE, "establishing CHILD_SA %s{%u}", child->name,
		     child->unique_id);
	}
	if (write_keys(ini, b) < 0)
		return -1;
	child_offer_ts(b, child);
	return 0;
}

/* Sends the request of ini (sa->initiating); on failure the larval SPI
 * is returned and ini freed. */
static int send_request(struct ike_service *svc, struct ike_sa *sa)
{
	struct initiating *ini = sa->initiating;
	const struct child_sa *old = NULL;
	uint8_t *buf = malloc(CHAIN_MAX);
	struct msg_builder b;
	int rc = -1, index = child_index(sa, ini->rekeys);

	if (ini->rekeys && index >= 0)
		old = &sa->children[index];
	if (buf && (!ini->rekeys || old)) {
		builder_init_chain(&b, buf, CHAIN_MAX);
		if (build(svc, sa, ini, old, &b) == 0)
			rc = request_send(svc, sa, CREATE_CHILD_SA, &b);
	}
	free(buf);
	if (rc < 0)
		initiating_abort(svc, sa);
	return rc;
}

/* The exchange's state for config child name of sa's connection. */
static struct initiating *start(struct ike_service *svc,
				const struct ike_sa *sa, const char *name)
{
	struct initiating *ini = calloc(1, sizeof(*ini));
	const struct transform *dh;

	if (!ini)
		return NULL;
	if (load_child_cfg(svc, sa->conn, name, &ini->cfg.child) < 0) {
		DBG1(LOG_IKE, "no CHILD_SA config '%s' found for IKE_SA %s[%llu]",
		     name, sa->conn, (unsigned long long)sa->unique_id);
		free(ini);
		return NULL;
	}
	dh = ini->cfg.child.n_proposals ?
	     proposal_first(&ini->cfg.child.proposals[0], TRANS_DH) : NULL;
	ini->group = dh ? dh->id : DH_NONE;
	return ini;
}

int child_out_rekey(struct ike_service *svc, struct ike_sa *sa,
		    uint32_t child_id)
{
	int index = child_index(sa, child_id);

	if (index < 0 || sa->initiating || request_pending(sa))
		return -1;
	sa->initiating = start(svc, sa, sa->children[index].name);
	if (!sa->initiating)
		return -1;
	sa->initiating->rekeys = child_id;
	return send_request(svc, sa);
}

int child_out_create(struct ike_service *svc, uint64_t ike_id,
		     const char *name)
{
	struct ike_sa *sa = sa_table_claim(svc->sas, ike_id);
	int rc = -1;

	if (!sa)
		return 1;
	if (sa->state == IKE_SA_ESTABLISHED && !request_pending(sa) &&
	    !sa->initiating) {
		sa->initiating = start(svc, sa, name);
		if (sa->initiating) {
			/* cygnetctl --initiate watches it (initiate_rpc.c). */
			sa->initiated = INITIATE_PENDING;
			rc = send_request(svc, sa);
		}
	} else if (sa->state == IKE_SA_ESTABLISHED) {
		rc = 1;
	}
	sa_release(svc, sa);
	return rc;
}

void child_out_tick(struct ike_service *svc, struct ike_sa *sa, time_t now)
{
	for (size_t i = 0; i < sa->n_children; i++) {
		const struct child_sa *c = &sa->children[i];
		time_t age = now - c->installed;

		if (c->life_time > 0 && age >= c->life_time) {
			close_expired(svc, sa, i);
			return;
		}
		if (c->rekey_time <= 0 || age < c->rekey_time || replaced(sa, c))
			continue;
		if (child_out_rekey(svc, sa, c->unique_id) == 0)
			return;
		retry_later(svc, sa, c->unique_id);
	}
}

uint16_t child_out_error(const struct ike_message *msg,
			 struct notify_payload *n)
{
	for (size_t i = 0; i < msg->n_payloads; i++) {
		if (msg->payloads[i].type != PL_NOTIFY)
			continue;
		payload_notify_parse(msg->payloads[i].body,
				     msg->payloads[i].len, n);
		if (n->type < 16384)
			return n->type;
	}
	return 0;
}

/* INVALID_KE_PAYLOAD: the request again with the group the responder
 * wants.  Returns 0 when that was tried (sa->initiating is then the
 * new exchange or gone), -1 when the group is no help. */
static int retry_group(struct ike_service *svc, struct ike_sa *sa,
		       const struct notify_payload *n)
{
	struct initiating *ini = sa->initiating;
	struct transform have = { TRANS_DH, ini->group, 0 }, want = { TRANS_DH, 0, 0 };
	char a[32], w[32];
	uint32_t rekeys;

	if (n->len != 2)
		return -1;
	want.id = (uint16_t)(n->data[0] << 8 | n->data[1]);
	transform_format(&have, a, sizeof(a));
	transform_format(&want, w, sizeof(w));
	DBG1(LOG_IKE, "peer didn't accept DH group %s, it requested %s", a, w);
	if (want.id == ini->group || !dh_supported(want.id))
		return -1;
	child_uninstall(svc, sa, &ini->child);
	ini->group = want.id;
	rekeys = ini->rekeys;
	if (send_request(svc, sa) < 0 && rekeys)
		retry_later(svc, sa, rekeys);
	return 0;
}

/* The responder's Nonce, KE and CHILD_SA against our offer.  Returns 0,
 * or why not as a notify type (logged). */
static uint16_t accept_child(struct ike_request *req, struct initiating *ini)
{
	const struct ike_message *msg = &req->msg;
	const struct payload *nonce = message_find(msg, PL_NONCE);
	const struct payload *ke_pl = message_find(msg, PL_KE);
	struct ke_payload ke = { 0 };
	struct child_request cr = {
		.sa = message_find(msg, PL_SA), .tsi = message_find(msg, PL_TSI),
		.tsr = message_find(msg, PL_TSR),
		.ni = ini->nonce, .ni_len = sizeof(ini->nonce),
	};
	uint8_t gir[DH_MAX_SECRET];
	size_t gir_len = 0;
	uint16_t notify;

	if (!nonce) {
		DBG1(LOG_IKE, "Nonce payload missing in CREATE_CHILD_SA response");
		return N_INVALID_SYNTAX;
	}
	cr.nr = nonce->body;
	cr.nr_len = nonce->len;
	if (ini->dh) {
		if (ke_pl)
			payload_ke_parse(ke_pl->body, ke_pl->len, &ke);
		if (ke.group != ini->group ||
		    dh_derive(ini->dh, ke.data, ke.len, gir, &gir_len) < 0) {
			DBG1(LOG_IKE, "applying DH public value failed");
			return N_INVALID_SYNTAX;
		}
		cr.gir = gir;
		cr.gir_len = gir_len;
	}
	notify = child_accept(req->svc, req->sa, &ini->cfg.child, &cr,
			      &ini->child);
	OPENSSL_cleanse(gir, sizeof(gir));
	return notify;
}

/* The new CHILD_SA is up: the rekeyed one hands over its policies and
 * goes with our DELETE (charon's "closing CHILD_SA ..."). */
static void conclude(struct ike_service *svc, struct ike_sa *sa,
		     const struct initiating *ini)
{
	int old = child_index(sa, ini->rekeys);

	if (!ini->rekeys || old < 0)
		return;
	rekey_child_take_policies(svc, sa, (size_t)old, &ini->child);
	child_log_closing(&sa->children[old]);
	child_sa_send_delete(svc, sa, &sa->children[old]);
}

/* The lower of an exchange's two nonces, compared as charon does (over
 * the shorter length). */
static const uint8_t *lower_nonce(const uint8_t *a, size_t a_len,
				  const uint8_t *b, size_t b_len, size_t *len)
{
	bool a_lower = memcmp(a, b, a_len < b_len ? a_len : b_len) < 0;

	*len = a_lower ? a_len : b_len;
	return a_lower ? a : b;
}

void child_out_crossed(struct ike_sa *sa, uint32_t rekeyed, uint32_t created,
		       const uint8_t *ni, size_t ni_len, const uint8_t *nr,
		       size_t nr_len)
{
	struct initiating *ini = sa->initiating;

	if (!ini || ini->rekey_ike || !ini->rekeys || ini->rekeys != rekeyed)
		return;
	rekey_note_nonce(ini, ni, ni_len, nr, nr_len);
	ini->collision = created;
}

void rekey_note_nonce(struct initiating *ini, const uint8_t *ni, size_t ni_len,
		      const uint8_t *nr, size_t nr_len)
{
	size_t len;
	const uint8_t *low = lower_nonce(ni, ni_len, nr, nr_len, &len);

	if (len > sizeof(ini->collision_nonce))
		len = sizeof(ini->collision_nonce);
	memcpy(ini->collision_nonce, low, len);
	ini->collision_nonce_len = len;
}

bool rekey_collision_lost(const struct initiating *ini,
			  const struct payload *nr)
{
	size_t len, theirs = ini->collision_nonce_len;
	const uint8_t *ours = lower_nonce(ini->nonce, sizeof(ini->nonce),
					  nr->body, nr->len, &len);

	return memcmp(ours, ini->collision_nonce, len < theirs ? len : theirs) < 0;
}

/* Both rekeyings of the old CHILD_SA made a new one: the loser goes,
 * and the policies stay with the one that stays. */
static void settle_collision(struct ike_service *svc, struct ike_sa *sa,
			     const struct initiating *ini,
			     const struct payload *nr)
{
	int ours = child_index(sa, ini->child.unique_id);
	int theirs = child_index(sa, ini->collision);
	int old = child_index(sa, ini->rekeys);

	if (ours < 0)
		return;
	if (rekey_collision_lost(ini, nr)) {
		DBG1(LOG_IKE, "CHILD_SA rekey collision lost, deleting redundant "
		     "child %s{%u}", ini->child.name, ini->child.unique_id);
		if (theirs >= 0)
			rekey_child_take_policies(svc, sa, (size_t)ours,
						  &sa->children[theirs]);
		child_sa_send_delete(svc, sa, &sa->children[ours]);
		return;
	}
	if (old >= 0)
		DBG1(LOG_IKE, "CHILD_SA rekey collision won, deleting old child "
		     "%s{%u}", sa->children[old].name, ini->rekeys);
	if (theirs >= 0)
		rekey_child_take_policies(svc, sa, (size_t)theirs, &ini->child);
	conclude(svc, sa, ini);
}

int child_out_response(struct ike_request *req)
{
	struct ike_sa *sa = req->sa;
	struct initiating *ini = sa->initiating;
	struct notify_payload n;
	uint32_t offered;
	uint16_t error;

	if (!ini)
		return 0;
	if (ini->rekey_ike)
		return rekey_out_response(req);
	offered = ini->child.spi_in;
	error = child_out_error(&req->msg, &n);
	if (error == N_INVALID_KE_PAYLOAD && retry_group(req->svc, sa, &n) == 0)
		return 0;
	sa->initiating = NULL;
	if (error) {
		DBG1(LOG_IKE, "received %s notify, no CHILD_SA built",
		     notify_name(error));
		child_uninstall(req->svc, sa, &ini->child);
	} else if (accept_child(req, ini) == 0) {
		if (ini->collision)
			settle_collision(req->svc, sa, ini,
					 message_find(&req->msg, PL_NONCE));
		else
			conclude(req->svc, sa, ini);
		if (!ini->rekeys)
			sa->initiated = INITIATE_DONE;
		initiating_free(ini);
		return 0;
	} else {
		/* The responder has it installed: as charon, delete it. */
		child_uninstall(req->svc, sa, &ini->child);
		child_sa_delete_refused(req->svc, sa, offered);
	}
	if (ini->rekeys)
		retry_later(req->svc, sa, ini->rekeys);
	else
		sa->initiated = INITIATE_CHILD_FAILED;
	initiating_free(ini);
	return 0;
}
