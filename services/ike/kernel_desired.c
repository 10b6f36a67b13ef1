#include "ike/kernel_desired.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "ike/child_install.h"
#include "ike/keymat.h"
#include "ike/prf.h"
#include "ike/service.h"
#include "ike/socket.h"
#include "kernel.pb-c.h"
#include "log.h"

#define KERNEL_TIMEOUT_MS 10000
#define IPPROTO_ESP_NUM 50
#define REPLAY_WINDOW 32
#define SYNC_ROUNDS 3

void child_keep_keymat(struct child_sa *child, const uint8_t *keymat,
		       size_t len)
{
	child->keymat_len = len <= sizeof(child->keymat) ? len : 0;
	memcpy(child->keymat, keymat, child->keymat_len);
}

/* The messages of one CHILD_SA, pointing into its IKE_SA's copy. */
struct child_msgs {
	Cygnet__SaConfig sa[2];		/* inbound, outbound */
	Cygnet__Lifetime life;
	Cygnet__Address local, remote, policy_local, policy_remote;
	uint8_t local_ip[16], remote_ip[16];
	Cygnet__PolicyConfig policy;
	Cygnet__TrafficSelector ts[2][CHILD_TS_MAX];
	Cygnet__TrafficSelector *tsp[2][CHILD_TS_MAX];
};

static void address(const struct sockaddr_storage *ss, uint8_t *ip,
		    Cygnet__Address *with_port, Cygnet__Address *without)
{
	size_t len = sockaddr_addr(ss, ip);

	cygnet__address__init(with_port);
	with_port->ip = (ProtobufCBinaryData){ len, ip };
	with_port->port = sockaddr_port(ss);
	*without = *with_port;
	without->port = 0;
}

static Cygnet__TrafficSelector **selectors(const struct ts *ts, size_t n,
					   Cygnet__TrafficSelector *store,
					   Cygnet__TrafficSelector **p)
{
	for (size_t i = 0; i < n; i++) {
		size_t len = ts_addr_len(&ts[i]);

		cygnet__traffic_selector__init(&store[i]);
		store[i].ip_protocol = ts[i].protocol;
		store[i].start_port = ts[i].start_port;
		store[i].end_port = ts[i].end_port;
		store[i].start_addr = (ProtobufCBinaryData){ len, (uint8_t *)ts[i].start };
		store[i].end_addr = (ProtobufCBinaryData){ len, (uint8_t *)ts[i].end };
		p[i] = &store[i];
	}
	return p;
}

/* The KEYMAT split as child_install does: the initiator-to-responder
 * encryption and integrity keys first, then the other direction; ours
 * outbound when we initiated the CHILD_SA. */
static int fill_sas(const struct child_sa *child, struct child_msgs *m)
{
	const struct transform *encr = proposal_first(&child->proposal, TRANS_ENCR);
	const struct transform *integ = proposal_first(&child->proposal, TRANS_INTEG);
	size_t e = encr ? encr_key_len(encr->id, encr->key_length) : 0;
	size_t i = integ && integ->id != INTEG_NONE ? integ_key_len(integ->id) : 0;

	if (e == 0 || child->keymat_len < 2 * (e + i))
		return -1;
	for (int dir = 0; dir < 2; dir++) {
		Cygnet__SaConfig *c = &m->sa[dir];
		bool inbound = dir == 0;
		bool first_half = inbound != child->initiated;
		const uint8_t *k = child->keymat + (first_half ? 0 : e + i);

		cygnet__sa_config__init(c);
		c->protocol = IPPROTO_ESP_NUM;
		c->reqid = child->reqid;
		c->mode = child->tunnel ? CYGNET__IPSEC_MODE__IPSEC_MODE_TUNNEL :
					  CYGNET__IPSEC_MODE__IPSEC_MODE_TRANSPORT;
		c->encr_id = encr->id;
		c->encr_key_length = encr->key_length;
		c->encr_key = (ProtobufCBinaryData){ e, (uint8_t *)k };
		c->integ_id = integ ? integ->id : 0;
		c->integ_key = (ProtobufCBinaryData){ i, (uint8_t *)k + e };
		c->udp_encap = child->encap;
		c->esn = proposal_has(&child->proposal, TRANS_ESN, ESN_YES, 0);
		c->lifetime = &m->life;
		c->src = inbound ? &m->remote : &m->local;
		c->dst = inbound ? &m->local : &m->remote;
		c->spi = inbound ? child->spi_in : child->spi_out;
		c->inbound = inbound;
		c->replay_window = inbound ? REPLAY_WINDOW : 0;
	}
	return 0;
}

static void fill_policy(const struct child_sa *child, struct child_msgs *m)
{
	Cygnet__PolicyConfig *p = &m->policy;

	cygnet__policy_config__init(p);
	p->local = &m->policy_local;
	p->remote = &m->policy_remote;
	p->local_ts = selectors(child->local_ts, child->n_local_ts, m->ts[0],
				m->tsp[0]);
	p->n_local_ts = child->n_local_ts;
	p->remote_ts = selectors(child->remote_ts, child->n_remote_ts, m->ts[1],
				 m->tsp[1]);
	p->n_remote_ts = child->n_remote_ts;
	p->reqid = child->reqid;
	p->mode = child->tunnel ? CYGNET__IPSEC_MODE__IPSEC_MODE_TUNNEL :
				  CYGNET__IPSEC_MODE__IPSEC_MODE_TRANSPORT;
	p->protocol = IPPROTO_ESP_NUM;
}

/* Adds the child's SAs and policies to want; false when its KEYMAT is
 * unknown (then the kernel's copy, if any, goes). */
static bool add_child(const struct ike_sa *sa, const struct child_sa *child,
		      struct child_msgs *m, Cygnet__DesiredState *want)
{
	if (!child->sa_in || !child->sa_out)
		return true;
	address(&sa->local, m->local_ip, &m->local, &m->policy_local);
	address(&sa->remote, m->remote_ip, &m->remote, &m->policy_remote);
	cygnet__lifetime__init(&m->life);
	m->life.hard_seconds = child->life_time > 0 ? (uint64_t)child->life_time : 0;
	m->life.soft_seconds = child->rekey_time > 0 ? (uint64_t)child->rekey_time : 0;
	if (fill_sas(child, m) < 0)
		return false;
	want->sas[want->n_sas++] = &m->sa[0];
	want->sas[want->n_sas++] = &m->sa[1];
	if (child->policies) {
		fill_policy(child, m);
		want->policies[want->n_policies++] = &m->policy;
	}
	return true;
}

static size_t count_children(const struct ike_sa *sas, size_t n)
{
	size_t children = 0;

	for (size_t i = 0; i < n; i++)
		children += sas[i].n_children;
	return children;
}

static int send_desired(struct ike_service *svc, const Cygnet__DesiredState *want,
			size_t n_children)
{
	const Cygnet__ReconcileResult *r;
	struct rpc_result result;

	rpc_call(svc->kernel, CYGNET__KERNEL_METHOD__KERNEL_SET_DESIRED,
		 &want->base, &cygnet__reconcile_result__descriptor,
		 KERNEL_TIMEOUT_MS, &result);
	if (result.status != CYGNET__RPC_STATUS__RPC_OK) {
		DBG1(LOG_KNL, "reconciling kernel state failed: %s", result.error);
		return -1;
	}
	r = (const Cygnet__ReconcileResult *)result.reply;
	DBG1(LOG_KNL, "reconciled kernel state of %zu CHILD_SA%s with the kernel "
	     "service: %u SAs and %u policies added, %u SAs and %u policies "
	     "removed", n_children, n_children == 1 ? "" : "s", r->sas_added,
	     r->policies_added, r->sas_removed, r->policies_removed);
	protobuf_c_message_free_unpacked(result.reply, NULL);
	return 0;
}

static void wipe_sas(struct ike_sa *sas, size_t n)
{
	OPENSSL_cleanse(sas, n * sizeof(*sas));
	free(sas);
}

/* Which CHILD_SAs with kernel state a snapshot holds. */
struct fingerprint {
	size_t n;
	uint64_t sum;
};

static struct fingerprint fingerprint_of(const struct ike_sa *sas, size_t n)
{
	struct fingerprint fp = { 0, 0 };

	for (size_t i = 0; i < n; i++) {
		if (sas[i].state == IKE_SA_DELETING)
			continue;
		for (size_t c = 0; c < sas[i].n_children; c++) {
			const struct child_sa *child = &sas[i].children[c];

			if (!child->sa_in || !child->sa_out)
				continue;
			fp.n++;
			fp.sum += (uint64_t)child->unique_id << 32 | child->spi_in;
		}
	}
	return fp;
}

static int sync_once(struct ike_service *svc, struct fingerprint *sent)
{
	Cygnet__DesiredState want = CYGNET__DESIRED_STATE__INIT;
	size_t n_sas, n_children, used = 0;
	struct ike_sa *sas = sa_table_snapshot(svc->sas, &n_sas);
	struct child_msgs *msgs;
	int rc = -1;

	if (!sas)
		return -1;
	*sent = fingerprint_of(sas, n_sas);
	n_children = count_children(sas, n_sas);
	msgs = calloc(n_children + 1, sizeof(*msgs));
	want.sas = calloc(2 * n_children + 1, sizeof(*want.sas));
	want.policies = calloc(n_children + 1, sizeof(*want.policies));
	if (msgs && want.sas && want.policies) {
		for (size_t i = 0; i < n_sas; i++) {
			if (sas[i].state == IKE_SA_DELETING)
				continue;
			for (size_t c = 0; c < sas[i].n_children; c++, used++)
				if (!add_child(&sas[i], &sas[i].children[c],
					       &msgs[used], &want))
					DBG1(LOG_KNL, "no keys of CHILD_SA %s{%u} to "
					     "install it again",
					     sas[i].children[c].name,
					     sas[i].children[c].unique_id);
		}
		rc = send_desired(svc, &want, used);
	}
	if (msgs)
		OPENSSL_cleanse(msgs, (n_children + 1) * sizeof(*msgs));
	free(msgs);
	free(want.sas);
	free(want.policies);
	wipe_sas(sas, n_sas);
	return rc;
}

static bool changed_since(struct ike_service *svc, const struct fingerprint *sent)
{
	size_t n_sas;
	struct ike_sa *sas = sa_table_snapshot(svc->sas, &n_sas);
	struct fingerprint now;

	if (!sas)
		return true;
	now = fingerprint_of(sas, n_sas);
	wipe_sas(sas, n_sas);
	return now.n != sent->n || now.sum != sent->sum;
}

/* While the packet path keeps going, a CHILD_SA may be installed or
 * deleted between the snapshot and the kernel service's reconcile,
 * which then removes or keeps the wrong state: sent again until the
 * CHILD_SAs stayed the same over a round. */
int kernel_desired_sync(struct ike_service *svc)
{
	struct fingerprint sent;

	for (int round = 0; round < SYNC_ROUNDS; round++) {
		if (sync_once(svc, &sent) < 0)
			return -1;
		if (!changed_since(svc, &sent))
			return 0;
	}
	DBG1(LOG_KNL, "CHILD_SAs kept changing while reconciling kernel state");
	return -1;
}
