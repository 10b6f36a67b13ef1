/* CREATE_CHILD_SA requests (RFC 7296 1.3): a new CHILD_SA (1.3.1), the
 * rekeying of a CHILD_SA named by REKEY_SA (1.3.3), or of the IKE_SA
 * (1.3.2, rekey_ike.c).  The new CHILD_SA's keys come from SK_d with
 * this exchange's nonces and, with PFS, a fresh g^ir. */
#include <arpa/inet.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/child_create.h"
#include "ike/child_out.h"
#include "ike/create_child.h"
#include "ike/delete.h"
#include "ike/rekey_child.h"
#include "ike/request_out.h"
#include "log.h"

static void write_invalid_ke(struct msg_builder *b, uint16_t have, uint16_t want)
{
	uint8_t group[2] = { (uint8_t)(want >> 8), (uint8_t)want };
	struct transform t_have = { TRANS_DH, have, 0 }, t_want = { TRANS_DH, want, 0 };
	char a[32], w[32];

	transform_format(&t_have, a, sizeof(a));
	transform_format(&t_want, w, sizeof(w));
	DBG1(LOG_IKE, "DH group %s unacceptable, requesting %s", a, w);
	payload_notify_write(b, &(struct notify_payload){
		.type = N_INVALID_KE_PAYLOAD, .data = group, .len = 2 });
}

uint16_t create_keys_make(const struct ike_message *msg, uint16_t group,
			  struct create_keys *k, struct msg_builder *b)
{
	const struct payload *nonce = message_find(msg, PL_NONCE);
	const struct payload *ke_pl = message_find(msg, PL_KE);
	struct ke_payload ke = { 0 };
	struct dh *dh;
	int rc;

	memset(k, 0, sizeof(*k));
	if (!nonce) {
		DBG1(LOG_IKE, "Nonce payload missing in CREATE_CHILD_SA request");
		return N_INVALID_SYNTAX;
	}
	k->ni = nonce->body;
	k->ni_len = nonce->len;
	if (RAND_bytes(k->nr, sizeof(k->nr)) != 1)
		return N_NO_PROPOSAL_CHOSEN;
	if (group == DH_NONE)
		return 0;
	if (ke_pl)
		payload_ke_parse(ke_pl->body, ke_pl->len, &ke);
	if (ke.group != group) {
		write_invalid_ke(b, ke.group, group);
		return N_INVALID_KE_PAYLOAD;
	}
	dh = dh_create(group);
	if (!dh)
		return N_NO_PROPOSAL_CHOSEN;
	k->pub_len = dh_public_len(group);
	rc = dh_public(dh, k->pub, k->pub_len);
	if (rc == 0)
		rc = dh_derive(dh, ke.data, ke.len, k->gir, &k->gir_len);
	dh_free(dh);
	if (rc < 0)
		return N_INVALID_SYNTAX;
	k->group = group;
	return 0;
}

void create_keys_write(struct msg_builder *b, const struct create_keys *k)
{
	payload_nonce_write(b, k->nr, sizeof(k->nr));
	if (k->group != DH_NONE)
		payload_ke_write(b, k->group, k->pub, k->pub_len);
}

void create_keys_wipe(struct create_keys *k)
{
	OPENSSL_cleanse(k, sizeof(*k));
}

int load_child_cfg(struct ike_service *svc, const char *conn_name,
			  const char *name, struct peer_child *out)
{
	const struct conn_cfg *conn;
	int rc = -1;

	pthread_rwlock_rdlock(&svc->config_lock);
	conn = svc->config ? config_find(svc->config, conn_name) : NULL;
	for (size_t i = 0; conn && i < conn->n_children && rc < 0; i++) {
		if (name && strcmp(conn->children[i].name, name) != 0)
			continue;
		peer_child_copy(&conn->children[i], out);
		rc = 0;
	}
	pthread_rwlock_unlock(&svc->config_lock);
	return rc;
}

/* The CHILD_SA that REKEY_SA names by the peer's inbound SPI (our
 * outbound one).  Returns its index, or -1 with CHILD_SA_NOT_FOUND
 * written. */
static int find_rekeyed(const struct ike_sa *sa, const struct payload *rekey,
			struct msg_builder *b)
{
	struct notify_payload n;
	uint32_t spi;

	payload_notify_parse(rekey->body, rekey->len, &n);
	if (n.protocol == PROTO_ESP && n.spi_size == 4) {
		spi = get32(n.spi);
		for (size_t i = 0; i < sa->n_children; i++)
			if (sa->children[i].spi_out == spi)
				return (int)i;
		DBG1(LOG_IKE, "unable to rekey, ESP CHILD_SA with SPI %08x not "
		     "found", spi);
	} else {
		DBG1(LOG_IKE, "unable to rekey, CHILD_SA with protocol %u not "
		     "found", n.protocol);
	}
	payload_notify_write(b, &(struct notify_payload){
		.protocol = n.protocol, .spi_size = n.spi_size,
		.type = N_CHILD_SA_NOT_FOUND, .spi = n.spi });
	return -1;
}

/* Everything after the rekeyed CHILD_SA was found (old, -1 for a new
 * CHILD_SA); returns the notify to send, 0 when child is established. */
static uint16_t negotiate(struct ike_request *req, int old,
			  struct create_keys *k, struct child_sa *child,
			  struct msg_builder *b)
{
	struct ike_sa *sa = req->sa;
	const struct ike_message *msg = &req->msg;
	struct child_request r = {
		.sa = message_find(msg, PL_SA), .tsi = message_find(msg, PL_TSI),
		.tsr = message_find(msg, PL_TSR),
	};
	struct peer_child *cfg = malloc(sizeof(*cfg));
	struct lease leases[CP_VIPS_MAX];
	const struct transform *dh;
	uint16_t notify;

	if (!cfg)
		return N_TEMPORARY_FAILURE;
	if (!r.sa || !r.tsi || !r.tsr) {
		DBG1(LOG_IKE, "SA, TSi or TSr payload missing in CREATE_CHILD_SA "
		     "request");
		notify = N_INVALID_SYNTAX;
	} else if (load_child_cfg(req->svc, sa->conn,
				  old >= 0 ? sa->children[old].name : NULL,
				  cfg) < 0) {
		DBG1(LOG_IKE, "no acceptable traffic selectors found");
		notify = N_TS_UNACCEPTABLE;
	} else {
		notify = child_prepare(req->svc, sa, cfg, &r, leases,
				       child_peer_vips(sa, leases), child);
	}
	free(cfg);
	if (notify)
		return notify;
	dh = proposal_first(&child->proposal, TRANS_DH);
	notify = create_keys_make(msg, dh ? dh->id : DH_NONE, k, b);
	if (notify)
		return notify;
	r.ni = k->ni;
	r.ni_len = k->ni_len;
	r.nr = k->nr;
	r.nr_len = sizeof(k->nr);
	r.gir = k->group != DH_NONE ? k->gir : NULL;
	r.gir_len = k->gir_len;
	if (old >= 0)
		child->reqid = sa->children[old].reqid;
	notify = child_establish(req->svc, sa, &r, child);
	if (notify == 0 && old >= 0)
		rekey_child_take_policies(req->svc, sa, (size_t)old, child);
	return notify;
}

/* Our own DELETE of the IKE_SA (child_id 0) or of that CHILD_SA is
 * under way (delete.c). */
static bool we_delete(const struct ike_sa *sa, uint32_t child_id)
{
	if (!request_pending(sa))
		return false;
	if (child_id == 0)
		return sa->info_kind == INFO_DELETE_IKE;
	return sa->info_kind == INFO_DELETE_CHILD && sa->info_child == child_id;
}

static void respond_child(struct ike_request *req, struct child_sa *child,
			  struct create_keys *k, struct msg_builder *b)
{
	const struct payload *rekey = message_find_notify(&req->msg, N_REKEY_SA);
	int old = rekey ? find_rekeyed(req->sa, rekey, b) : -1;
	const struct child_sa *rekeyed = old >= 0 ? &req->sa->children[old] : NULL;
	uint32_t rekeyed_id;
	uint16_t notify;

	if (rekey && old < 0)
		return;
	if (rekeyed && we_delete(req->sa, rekeyed->unique_id)) {
		DBG1(LOG_IKE, "unable to rekey CHILD_SA %s{%u}, we are deleting it",
		     rekeyed->name, rekeyed->unique_id);
		exchange_write_notify(b, N_TEMPORARY_FAILURE);
		return;
	}
	rekeyed_id = rekeyed ? rekeyed->unique_id : 0;
	notify = negotiate(req, old, k, child, b);
	if (notify == N_INVALID_KE_PAYLOAD)
		return;
	if (notify) {
		exchange_write_notify(b, notify);
		return;
	}
	if (rekeyed_id)
		child_out_crossed(req->sa, rekeyed_id, child->unique_id, k->ni,
				  k->ni_len, k->nr, sizeof(k->nr));
	child_write_sa(b, child);
	create_keys_write(b, k);
	child_write_ts(b, child);
}

static int child_exchange(struct ike_request *req, struct msg_builder *b)
{
	struct child_sa *child = malloc(sizeof(*child));
	struct create_keys *k = malloc(sizeof(*k));

	if (child && k) {
		respond_child(req, child, k, b);
		create_keys_wipe(k);
	} else {
		exchange_write_notify(b, N_TEMPORARY_FAILURE);
	}
	free(k);
	free(child);
	return 0;
}

int create_child_sa_handle(struct ike_request *req, struct msg_builder *b)
{
	const struct ike_message *msg = &req->msg;
	/* Selectors make a CHILD_SA; without them the SA is the IKE_SA's
	 * replacement. */
	bool ike_rekey = !message_find(msg, PL_TSI) && !message_find(msg, PL_TSR);

	if (req->sa->state == IKE_SA_REKEYED) {
		DBG1(LOG_IKE, "unable to create CHILD_SA while rekeying IKE_SA");
	} else if (we_delete(req->sa, 0)) {
		DBG1(LOG_IKE, ike_rekey ? "peer initiated rekeying, but we are deleting" :
			      "unable to create CHILD_SA while deleting IKE_SA");
	} else {
		return ike_rekey ? rekey_ike_handle(req, b) : child_exchange(req, b);
	}
	exchange_write_notify(b, N_TEMPORARY_FAILURE);
	return 0;
}
