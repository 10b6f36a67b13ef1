/* The CHILD_SA created with IKE_AUTH (RFC 7296 1.2): the peer's ESP
 * proposals and selectors against the connection's first child, the
 * kernel state and our SA, TSi, TSr. */
#include <arpa/inet.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/child_create.h"
#include "ike/child_install.h"
#include "ike/keymat.h"
#include "ike/own_vip.h"
#include "ike/lifetime.h"
#include "log.h"

#define MAX_RECEIVED_PROPOSALS 16
#define KEYMAT_MAX 256

static int choose_proposal(const struct peer_child *cfg,
			   const struct child_request *r, struct child_sa *child)
{
	struct proposal *received = calloc(MAX_RECEIVED_PROPOSALS +
					   CONFIG_MAX_PROPOSALS, sizeof(*received));
	struct proposal *configured = received + MAX_RECEIVED_PROPOSALS;
	size_t n;
	bool ok;

	if (!received)
		return -1;
	n = payload_sa_parse(r->sa->body, r->sa->len, received,
			     MAX_RECEIVED_PROPOSALS);
	memcpy(configured, cfg->proposals, cfg->n_proposals * sizeof(*configured));
	for (size_t i = 0; r->skip_ke && i < cfg->n_proposals; i++)
		proposal_drop_type(&configured[i], TRANS_DH);
	for (size_t i = 0; r->skip_ke && i < n; i++)
		proposal_drop_type(&received[i], TRANS_DH);
	ok = proposal_select(configured, cfg->n_proposals, received, n,
			     &child->proposal);
	free(received);
	if (!ok || child->proposal.spi_size != 4) {
		DBG1(LOG_IKE, "no acceptable proposal found");
		return -1;
	}
	child->spi_out = get32(child->proposal.spi);
	return 0;
}

/* Our side: dynamic is our IKE address; the peer's: its virtual IPs,
 * or its IKE address without any.  TSi hold the selectors of the
 * exchange's initiator. */
static int narrow(const struct ike_sa *sa, const struct peer_child *cfg,
		  const struct child_request *r, const struct lease *leases,
		  size_t n_leases, struct child_sa *child)
{
	struct ts theirs[TS_PAYLOAD_MAX], ours[TS_PAYLOAD_MAX];
	uint8_t dyn[IKE_SA_MAX_VIPS][16];
	size_t dyn_len[IKE_SA_MAX_VIPS], n_dyn;
	const struct payload *their_p = child->initiated ? r->tsr : r->tsi;
	const struct payload *our_p = child->initiated ? r->tsi : r->tsr;
	size_t ni = payload_ts_parse(their_p->body, their_p->len, theirs,
				     TS_PAYLOAD_MAX);
	size_t nr = payload_ts_parse(our_p->body, our_p->len, ours,
				     TS_PAYLOAD_MAX);

	n_dyn = own_vip_dynamic(sa, dyn, dyn_len);
	child->n_local_ts = ts_narrow(cfg->local_ts, cfg->n_local_ts, ours, nr,
				      (const uint8_t (*)[16])dyn, dyn_len, n_dyn,
				      child->local_ts, CHILD_TS_MAX);
	n_dyn = 0;
	for (size_t i = 0; i < n_leases && i < CP_VIPS_MAX; i++) {
		memcpy(dyn[n_dyn], leases[i].addr, leases[i].addr_len);
		dyn_len[n_dyn++] = leases[i].addr_len;
	}
	if (n_dyn == 0) {
		dyn_len[0] = sockaddr_addr(&sa->remote, dyn[0]);
		n_dyn = 1;
	}
	child->n_remote_ts = ts_narrow(cfg->remote_ts, cfg->n_remote_ts, theirs,
				       ni, (const uint8_t (*)[16])dyn, dyn_len,
				       n_dyn, child->remote_ts, CHILD_TS_MAX);
	if (child->n_local_ts && child->n_remote_ts)
		return 0;
	DBG1(LOG_IKE, "no acceptable traffic selectors found");
	return -1;
}

static int keys_and_install(struct ike_service *svc, struct ike_sa *sa,
			    const struct child_request *r,
			    struct child_sa *child)
{
	uint8_t keymat[KEYMAT_MAX];
	size_t len = child_keymat_len(&child->proposal);
	int rc;

	if (len == 0 || len > sizeof(keymat) ||
	    keymat_derive_child(sa->keys.prf, sa->keys.sk_d, r->gir, r->gir_len,
				r->ni, r->ni_len, r->nr, r->nr_len, keymat,
				len) < 0)
		return -1;
	rc = child_install(svc, sa, child, keymat, len);
	OPENSSL_cleanse(keymat, sizeof(keymat));
	return rc;
}

static void log_established(const struct child_sa *child)
{
	char text[1200];

	child_describe(child, text, sizeof(text));
	DBG1(LOG_IKE, "CHILD_SA %s{%u} established %s", child->name,
	     child->unique_id, text);
}

void child_write_sa(struct msg_builder *b, const struct child_sa *child)
{
	struct proposal ours = child->proposal;
	uint32_t spi = htonl(child->spi_in);

	ours.spi_size = 4;
	memcpy(ours.spi, &spi, 4);
	payload_sa_write(b, &ours, 1);
}

void child_write_ts(struct msg_builder *b, const struct child_sa *child)
{
	payload_ts_write(b, PL_TSI, child->remote_ts, child->n_remote_ts);
	payload_ts_write(b, PL_TSR, child->local_ts, child->n_local_ts);
}

/* As charon: the rekeying comes up to rand_time early, which for a
 * child defaults to life_time - rekey_time (swanctl.conf). */
static long rekey_jittered(const struct peer_child *cfg)
{
	uint32_t random = 0;

	if (RAND_bytes((unsigned char *)&random, sizeof(random)) != 1)
		random = 0;
	return lifetime_jittered(cfg->rekey_time,
				 cfg->life_time - cfg->rekey_time, random);
}

static void child_init(const struct ike_sa *sa, const struct peer_child *cfg,
		       struct child_sa *child)
{
	memset(child, 0, sizeof(*child));
	snprintf(child->name, sizeof(child->name), "%s", cfg->name);
	child->tunnel = cfg->mode != MODE_TRANSPORT;
	child->encap = sa->nat;
	child->life_time = cfg->life_time;
	child->rekey_time = rekey_jittered(cfg);
}

static void child_number(struct ike_service *svc, struct child_sa *child)
{
	child->reqid = atomic_fetch_add(&svc->next_reqid, 1) + 1;
	child->unique_id = atomic_fetch_add(&svc->next_child_id, 1) + 1;
}

uint16_t child_prepare(struct ike_service *svc, const struct ike_sa *sa,
		       const struct peer_child *cfg,
		       const struct child_request *r,
		       const struct lease *leases, size_t n_leases,
		       struct child_sa *child)
{
	child_init(sa, cfg, child);
	if (choose_proposal(cfg, r, child) < 0)
		return N_NO_PROPOSAL_CHOSEN;
	if (narrow(sa, cfg, r, leases, n_leases, child) < 0)
		return N_TS_UNACCEPTABLE;
	child_number(svc, child);
	return 0;
}

/* Address ranges covering everything, to narrow the configured
 * selectors against: "dynamic" becomes the IKE address, others stay. */
static size_t any_ts(struct ts *out)
{
	memset(out, 0, 2 * sizeof(*out));
	out[0].type = TS_IPV4_ADDR_RANGE;
	out[1].type = TS_IPV6_ADDR_RANGE;
	for (size_t i = 0; i < 2; i++) {
		out[i].end_port = 0xffff;
		memset(out[i].end, 0xff, 16);
	}
	return 2;
}

int child_offer_sa(struct ike_service *svc, const struct ike_sa *sa,
		   const struct peer_child *cfg, bool with_ke,
		   struct child_sa *child, struct msg_builder *b)
{
	struct proposal *offer = calloc(CONFIG_MAX_PROPOSALS, sizeof(*offer));
	struct ts any[2];
	uint8_t dyn[IKE_SA_MAX_VIPS + 1][16];
	size_t dyn_len[IKE_SA_MAX_VIPS + 1], n_any = any_ts(any), n_own;
	uint32_t spi;

	if (!offer)
		return -1;
	child_init(sa, cfg, child);
	child->initiated = true;
	child_number(svc, child);
	n_own = own_vip_dynamic(sa, dyn, dyn_len);
	dyn_len[n_own] = sockaddr_addr(&sa->remote, dyn[n_own]);
	child->n_local_ts = own_vip_offer_ts(sa, cfg, child->local_ts,
					     CHILD_TS_MAX);
	if (!child->n_local_ts)
		child->n_local_ts = ts_narrow(cfg->local_ts, cfg->n_local_ts,
					      any, n_any,
					      (const uint8_t (*)[16])dyn,
					      dyn_len, n_own, child->local_ts,
					      CHILD_TS_MAX);
	child->n_remote_ts = ts_narrow(cfg->remote_ts, cfg->n_remote_ts, any,
				       n_any, (const uint8_t (*)[16])dyn + n_own,
				       dyn_len + n_own, 1, child->remote_ts,
				       CHILD_TS_MAX);
	if (cfg->n_proposals == 0 || child_alloc_spi(svc, sa, child) < 0) {
		free(offer);
		return -1;
	}
	spi = htonl(child->spi_in);
	for (size_t i = 0; i < cfg->n_proposals; i++) {
		offer[i] = cfg->proposals[i];
		if (!with_ke)
			proposal_drop_type(&offer[i], TRANS_DH);
		offer[i].spi_size = 4;
		memcpy(offer[i].spi, &spi, 4);
	}
	payload_sa_write(b, offer, cfg->n_proposals);
	free(offer);
	return 0;
}

void child_offer_ts(struct msg_builder *b, const struct child_sa *child)
{
	payload_ts_write(b, PL_TSI, child->local_ts, child->n_local_ts);
	payload_ts_write(b, PL_TSR, child->remote_ts, child->n_remote_ts);
}

int child_offer(struct ike_service *svc, const struct ike_sa *sa,
		const struct peer_child *cfg, struct child_sa *child,
		struct msg_builder *b)
{
	/* The first CHILD_SA comes with IKE_AUTH, which has no KE: PFS
	 * groups only apply to CREATE_CHILD_SA (RFC 7296 1.2). */
	if (child_offer_sa(svc, sa, cfg, false, child, b) < 0)
		return -1;
	child_offer_ts(b, child);
	return 0;
}

size_t child_peer_vips(const struct ike_sa *sa, struct lease *leases)
{
	size_t n = 0;

	for (size_t i = 0; i < sa->n_vips && n < CP_VIPS_MAX; i++, n++) {
		memcpy(leases[n].addr, sa->vips[i].addr, sa->vips[i].addr_len);
		leases[n].addr_len = sa->vips[i].addr_len;
	}
	return n;
}

uint16_t child_accept(struct ike_service *svc, struct ike_sa *sa,
		      const struct peer_child *cfg,
		      const struct child_request *r, struct child_sa *child)
{
	struct lease *leases;
	int rc;

	if (!r->sa || !r->tsi || !r->tsr) {
		DBG1(LOG_IKE, "SA, TSi or TSr missing in response");
		return N_NO_PROPOSAL_CHOSEN;
	}
	if (choose_proposal(cfg, r, child) < 0)
		return N_NO_PROPOSAL_CHOSEN;
	leases = calloc(CP_VIPS_MAX, sizeof(*leases));
	if (!leases)
		return N_NO_PROPOSAL_CHOSEN;
	rc = narrow(sa, cfg, r, leases, child_peer_vips(sa, leases), child);
	free(leases);
	if (rc < 0)
		return N_TS_UNACCEPTABLE;
	return child_establish(svc, sa, r, child);
}

uint16_t child_establish(struct ike_service *svc, struct ike_sa *sa,
			 const struct child_request *r, struct child_sa *child)
{
	/* The initiator allocated its SPI with the offer. */
	if ((!child->spi_in && child_alloc_spi(svc, sa, child) < 0) ||
	    keys_and_install(svc, sa, r, child) < 0) {
		child_uninstall(svc, sa, child);
		DBG1(LOG_IKE, "failed to establish CHILD_SA, keeping IKE_SA");
		return N_NO_PROPOSAL_CHOSEN;
	}
	if (sa_table_add_child(svc->sas, sa, child) < 0) {
		child_uninstall(svc, sa, child);
		return N_NO_ADDITIONAL_SAS;
	}
	log_established(child);
	return 0;
}

uint16_t child_create(struct ike_service *svc, struct ike_sa *sa,
		      const struct peer_cfg *cfg, const struct auth_request *r,
		      const struct lease *leases, size_t n_leases,
		      struct msg_builder *b)
{
	struct child_request req = {
		.sa = r->sa, .tsi = r->tsi, .tsr = r->tsr,
		.ni = sa->ni, .ni_len = sa->ni_len,
		.nr = sa->nr, .nr_len = sa->nr_len, .skip_ke = true,
	};
	struct child_sa *child = malloc(sizeof(*child));
	uint16_t notify;

	if (!child)	/* without memory no CHILD_SA */
		return N_NO_PROPOSAL_CHOSEN;
	notify = child_prepare(svc, sa, &cfg->child, &req, leases, n_leases,
			       child);
	if (notify == 0)
		notify = child_establish(svc, sa, &req, child);
	if (notify == 0) {
		child_write_sa(b, child);
		child_write_ts(b, child);
	}
	free(child);
	return notify;
}
