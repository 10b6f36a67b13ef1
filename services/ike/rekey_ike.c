/* Rekeying the IKE_SA (RFC 7296 1.3.2, 2.18): a new IKE_SA with the
 * initiator's new SPI and the responder's, keys from the old SK_d and
 * the new g^ir, taking over the CHILD_SAs and virtual IPs (both roles,
 * rekey_ike_take_over); as the responder here, the old one stays
 * REKEYED until the peer deletes it. */
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#include "ike/create_child.h"
#include "ike/delete.h"
#include "ike/ike_auth.h"
#include "ike/persist.h"
#include "ike/rekey_out.h"
#include "log.h"

#define MAX_RECEIVED_PROPOSALS 16
/* charon removes a rekeyed IKE_SA the peer did not delete after 90 s. */
#define REKEYED_TIMEOUT 90

/* The connection's IKE proposals against the request's.  Returns 0,
 * -1 if none fits (logged). */
static int select_proposal(struct ike_service *svc, const struct ike_sa *sa,
			   const struct payload *sa_pl, struct proposal *selected)
{
	struct proposal *received = calloc(MAX_RECEIVED_PROPOSALS, sizeof(*received));
	const struct conn_cfg *conn;
	size_t n;
	bool ok = false;

	if (!received)
		return -1;
	n = payload_sa_parse(sa_pl->body, sa_pl->len, received,
			     MAX_RECEIVED_PROPOSALS);
	pthread_rwlock_rdlock(&svc->config_lock);
	conn = svc->config ? config_find(svc->config, sa->conn) : NULL;
	if (conn)
		ok = proposal_select(conn->proposals, conn->n_proposals,
				     received, n, selected);
	pthread_rwlock_unlock(&svc->config_lock);
	free(received);
	if (ok && selected->protocol == PROTO_IKE && selected->spi_size == 8 &&
	    proposal_first(selected, TRANS_DH))
		return 0;
	DBG1(LOG_IKE, "no acceptable proposal found");
	return -1;
}

/* What the replacement inherits; its exchange state starts afresh
 * (message IDs from 0, the peer is its initiator). */
static void inherit(struct ike_sa *to, const struct ike_sa *from,
		    struct ike_service *svc)
{
	to->local = from->local;
	to->remote = from->remote;
	to->created = sa_table_now();
	to->established = to->created;
	to->peer_frag_supported = from->peer_frag_supported;
	to->fragmentation = from->fragmentation;
	to->nat = from->nat;
	memcpy(to->local_id, from->local_id, sizeof(to->local_id));
	memcpy(to->remote_id, from->remote_id, sizeof(to->remote_id));
	memcpy(to->remote_eap_id, from->remote_eap_id, sizeof(to->remote_eap_id));
	to->reauth_at = from->reauth_at;
	to->local_nat = from->local_nat;
	to->dpd_delay = from->dpd_delay;
	to->dpd_action = from->dpd_action;
	to->last_received = to->created;
	to->last_keepalive = from->last_keepalive;
	reassembly_init(&to->reassembly, &svc->frag_budget,
			FRAGMENTS_MAX_DEFAULT, REASSEMBLY_SA_MAX_DEFAULT);
	lifetime_inherit(svc, to, from);
}

static void log_rekeyed(const struct ike_sa *sa, const struct ike_sa *old)
{
	char ends[1200];

	ike_sa_endpoints(old, ends, sizeof(ends));
	DBG1(LOG_IKE, "IKE_SA %s[%llu] rekeyed between %s", sa->conn,
	     (unsigned long long)sa->unique_id, ends);
}

int rekey_ike_take_over(struct ike_service *svc, struct ike_sa *sa,
			struct ike_sa *old, const struct proposal *selected,
			const struct rekey_inputs *in)
{
	inherit(sa, old, svc);
	sa->proposal = *selected;
	sa->ni_len = in->ni_len;
	memcpy(sa->ni, in->ni, in->ni_len);
	sa->nr_len = in->nr_len;
	memcpy(sa->nr, in->nr, in->nr_len);
	if (keymat_derive_rekeyed_ike(selected, old->keys.prf, old->keys.sk_d,
				      in->gir, in->gir_len, sa->ni, sa->ni_len,
				      sa->nr, sa->nr_len,
				      (const uint8_t *)&sa->spi_i,
				      (const uint8_t *)&sa->spi_r, &sa->keys) < 0)
		return -1;
	sa_table_adopt(svc->sas, sa, old);
	persist_sa_replaced(svc, sa, old);
	log_rekeyed(sa, old);
	return 0;
}

static struct ike_sa *create_replacement(struct ike_service *svc,
					 struct ike_sa *old,
					 const struct proposal *selected,
					 const struct create_keys *k)
{
	struct ike_sa *sa = sa_table_add_responder(svc->sas, selected->spi);
	struct rekey_inputs in = {
		.ni = k->ni, .ni_len = k->ni_len, .nr = k->nr,
		.nr_len = sizeof(k->nr), .gir = k->gir, .gir_len = k->gir_len,
	};

	if (!sa)
		return NULL;
	if (rekey_ike_take_over(svc, sa, old, selected, &in) < 0) {
		sa_table_remove(svc->sas, sa->unique_id);
		return NULL;
	}
	return sa;
}

static void write_response(struct msg_builder *b, const struct ike_sa *sa,
			   const struct create_keys *k)
{
	struct proposal ours = sa->proposal;

	memcpy(ours.spi, &sa->spi_r, 8);
	payload_sa_write(b, &ours, 1);
	create_keys_write(b, k);
}

static uint16_t rekey(struct ike_request *req, struct create_keys *k,
		      struct msg_builder *b)
{
	const struct payload *sa_pl = message_find(&req->msg, PL_SA);
	struct proposal selected;
	struct ike_sa *sa;
	uint16_t notify;

	if (!sa_pl) {
		DBG1(LOG_IKE, "SA payload missing in CREATE_CHILD_SA request");
		return N_INVALID_SYNTAX;
	}
	if (select_proposal(req->svc, req->sa, sa_pl, &selected) < 0)
		return N_NO_PROPOSAL_CHOSEN;
	notify = create_keys_make(&req->msg,
				  proposal_first(&selected, TRANS_DH)->id, k, b);
	if (notify)
		return notify;
	sa = create_replacement(req->svc, req->sa, &selected, k);
	if (!sa)
		return N_NO_PROPOSAL_CHOSEN;
	rekey_out_crossed(req->sa, sa);
	write_response(b, sa, k);
	return 0;
}

void rekey_ike_expire(struct ike_service *svc, struct ike_sa *sa, time_t now)
{
	if (now - sa->last_received < REKEYED_TIMEOUT)
		return;
	ike_sa_log_deleting(sa);
	DBG1(LOG_IKE, "IKE_SA deleted");
	exchange_sa_gone(svc, sa);
}

int rekey_ike_handle(struct ike_request *req, struct msg_builder *b)
{
	struct create_keys *k = malloc(sizeof(*k));
	uint16_t notify = k ? rekey(req, k, b) : N_TEMPORARY_FAILURE;

	if (notify && notify != N_INVALID_KE_PAYLOAD)
		exchange_write_notify(b, notify);
	if (k)
		create_keys_wipe(k);
	free(k);
	return 0;
}
