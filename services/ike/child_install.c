#include "ike/child_install.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "ike/kernel_desired.h"
#include "ike/keymat.h"
#include "ike/prf.h"
#include "ike/rekey_child.h"
#include "kernel.pb-c.h"
#include "log.h"

#define KERNEL_TIMEOUT_MS 3000
#define IPPROTO_ESP_NUM 50
#define REPLAY_WINDOW 32

/* An Address pointing into ss (the ports are used with UDP encap). */
static void address_of(const struct sockaddr_storage *ss, Cygnet__Address *a)
{
	cygnet__address__init(a);
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

		a->ip = (ProtobufCBinaryData){ 16, (uint8_t *)&s6->sin6_addr };
		a->port = ntohs(s6->sin6_port);
	} else {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

		a->ip = (ProtobufCBinaryData){ 4, (uint8_t *)&s4->sin_addr };
		a->port = ntohs(s4->sin_port);
	}
}

static int call(struct ike_service *svc, uint32_t method,
		const ProtobufCMessage *req,
		const ProtobufCMessageDescriptor *reply_type, const char *what,
		ProtobufCMessage **reply)
{
	struct rpc_result result;

	rpc_call(svc->kernel, method, req, reply_type, KERNEL_TIMEOUT_MS, &result);
	if (result.status != CYGNET__RPC_STATUS__RPC_OK) {
		DBG1(LOG_KNL, "%s: %s", what, result.error);
		return -1;
	}
	if (reply)
		*reply = result.reply;
	else
		protobuf_c_message_free_unpacked(result.reply, NULL);
	return 0;
}

int child_alloc_spi(struct ike_service *svc, const struct ike_sa *sa,
		    struct child_sa *child)
{
	Cygnet__AllocSpiRequest req = CYGNET__ALLOC_SPI_REQUEST__INIT;
	Cygnet__Address src, dst;
	ProtobufCMessage *reply;

	address_of(&sa->remote, &src);
	address_of(&sa->local, &dst);
	src.port = dst.port = 0;
	req.src = &src;
	req.dst = &dst;
	req.protocol = IPPROTO_ESP_NUM;
	req.reqid = child->reqid;
	if (call(svc, CYGNET__KERNEL_METHOD__KERNEL_ALLOC_SPI, &req.base,
		 &cygnet__alloc_spi_reply__descriptor,
		 "unable to allocate SPI from kernel", &reply) < 0)
		return -1;
	child->spi_in = ((Cygnet__AllocSpiReply *)reply)->spi;
	protobuf_c_message_free_unpacked(reply, NULL);
	return 0;
}

struct sa_keys {
	const uint8_t *encr;
	size_t encr_len;
	const uint8_t *integ;
	size_t integ_len;
};

/* i2r: the initiator's outbound keys, the first half. */
static int split_keymat(const struct proposal *p, const uint8_t *keymat,
			size_t len, struct sa_keys *i2r, struct sa_keys *r2i)
{
	const struct transform *encr = proposal_first(p, TRANS_ENCR);
	const struct transform *integ = proposal_first(p, TRANS_INTEG);
	size_t e = encr ? encr_key_len(encr->id, encr->key_length) : 0;
	size_t i = integ && integ->id != INTEG_NONE ? integ_key_len(integ->id) : 0;

	if (e == 0 || len < 2 * (e + i))
		return -1;
	*i2r = (struct sa_keys){ keymat, e, keymat + e, i };
	*r2i = (struct sa_keys){ keymat + e + i, e, keymat + 2 * e + i, i };
	return 0;
}

static void fill_sa(const struct child_sa *child, const struct sa_keys *k,
		    Cygnet__SaConfig *cfg, Cygnet__Lifetime *life)
{
	const struct transform *encr = proposal_first(&child->proposal, TRANS_ENCR);
	const struct transform *integ = proposal_first(&child->proposal, TRANS_INTEG);

	cygnet__sa_config__init(cfg);
	cygnet__lifetime__init(life);
	cfg->protocol = IPPROTO_ESP_NUM;
	cfg->reqid = child->reqid;
	cfg->mode = child->tunnel ? CYGNET__IPSEC_MODE__IPSEC_MODE_TUNNEL :
				    CYGNET__IPSEC_MODE__IPSEC_MODE_TRANSPORT;
	cfg->encr_id = encr->id;
	cfg->encr_key_length = encr->key_length;
	cfg->encr_key = (ProtobufCBinaryData){ k->encr_len, (uint8_t *)k->encr };
	cfg->integ_id = integ ? integ->id : 0;
	cfg->integ_key = (ProtobufCBinaryData){ k->integ_len, (uint8_t *)k->integ };
	cfg->udp_encap = child->encap;
	cfg->esn = proposal_has(&child->proposal, TRANS_ESN, ESN_YES, 0);
	life->hard_seconds = child->life_time > 0 ? (uint64_t)child->life_time : 0;
	life->soft_seconds = child->rekey_time > 0 ? (uint64_t)child->rekey_time : 0;
	cfg->lifetime = life;
}

static int add_sa(struct ike_service *svc, const struct ike_sa *sa,
		  const struct child_sa *child, const struct sa_keys *k,
		  bool inbound)
{
	Cygnet__SaConfig cfg;
	Cygnet__Lifetime life;
	Cygnet__Address local, remote;
	char what[96];

	fill_sa(child, k, &cfg, &life);
	address_of(&sa->local, &local);
	address_of(&sa->remote, &remote);
	cfg.src = inbound ? &remote : &local;
	cfg.dst = inbound ? &local : &remote;
	cfg.spi = inbound ? child->spi_in : child->spi_out;
	cfg.inbound = inbound;
	cfg.replay_window = inbound ? REPLAY_WINDOW : 0;
	snprintf(what, sizeof(what), "unable to add SAD entry with SPI %08x",
		 cfg.spi);
	return call(svc, inbound ? CYGNET__KERNEL_METHOD__KERNEL_UPDATE_SA :
				   CYGNET__KERNEL_METHOD__KERNEL_ADD_SA,
		    &cfg.base, &cygnet__empty__descriptor, what, NULL);
}

/* TrafficSelectors pointing into ts, in store and listed in p. */
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

static int policies(struct ike_service *svc, const struct ike_sa *sa,
		    const struct child_sa *child, bool add)
{
	Cygnet__PolicyConfig cfg = CYGNET__POLICY_CONFIG__INIT;
	Cygnet__TrafficSelector local_ts[CHILD_TS_MAX], remote_ts[CHILD_TS_MAX];
	Cygnet__TrafficSelector *local_p[CHILD_TS_MAX], *remote_p[CHILD_TS_MAX];
	Cygnet__Address local, remote;

	address_of(&sa->local, &local);
	address_of(&sa->remote, &remote);
	local.port = remote.port = 0;
	cfg.local = &local;
	cfg.remote = &remote;
	cfg.local_ts = selectors(child->local_ts, child->n_local_ts, local_ts,
				 local_p);
	cfg.n_local_ts = child->n_local_ts;
	cfg.remote_ts = selectors(child->remote_ts, child->n_remote_ts,
				  remote_ts, remote_p);
	cfg.n_remote_ts = child->n_remote_ts;
	cfg.reqid = child->reqid;
	cfg.mode = child->tunnel ? CYGNET__IPSEC_MODE__IPSEC_MODE_TUNNEL :
				   CYGNET__IPSEC_MODE__IPSEC_MODE_TRANSPORT;
	cfg.protocol = IPPROTO_ESP_NUM;
	return call(svc, add ? CYGNET__KERNEL_METHOD__KERNEL_ADD_POLICY :
			       CYGNET__KERNEL_METHOD__KERNEL_DEL_POLICY,
		    &cfg.base, &cygnet__policy_reply__descriptor,
		    add ? "unable to install IPsec policies (SPD) in kernel" :
			  "unable to delete IPsec policies (SPD) from kernel",
		    NULL);
}

int child_install(struct ike_service *svc, const struct ike_sa *sa,
		  struct child_sa *child, const uint8_t *keymat, size_t len)
{
	struct sa_keys i2r, r2i;
	const struct sa_keys *in, *out;

	if (split_keymat(&child->proposal, keymat, len, &i2r, &r2i) < 0)
		return -1;
	in = child->initiated ? &r2i : &i2r;
	out = child->initiated ? &i2r : &r2i;
	child_keep_keymat(child, keymat, len);
	child->sa_in = add_sa(svc, sa, child, in, true) == 0;
	child->sa_out = child->sa_in && add_sa(svc, sa, child, out, false) == 0;
	if (!child->sa_in || !child->sa_out) {
		DBG1(LOG_IKE, "unable to install inbound and outbound IPsec SA "
		     "(SAD) in kernel");
		child_uninstall(svc, sa, child);
		return -1;
	}
	child->policies = policies(svc, sa, child, true) == 0;
	if (!child->policies) {
		child_uninstall(svc, sa, child);
		return -1;
	}
	child->installed = sa_table_now();
	return 0;
}

static void del_sa(struct ike_service *svc, const struct sockaddr_storage *dst,
		   uint32_t spi)
{
	Cygnet__SaId id = CYGNET__SA_ID__INIT;
	Cygnet__Address a;
	char what[64];

	address_of(dst, &a);
	a.port = 0;
	id.dst = &a;
	id.spi = spi;
	id.protocol = IPPROTO_ESP_NUM;
	snprintf(what, sizeof(what), "unable to delete SAD entry with SPI %08x", spi);
	call(svc, CYGNET__KERNEL_METHOD__KERNEL_DEL_SA, &id.base,
	     &cygnet__empty__descriptor, what, NULL);
}

void child_uninstall(struct ike_service *svc, const struct ike_sa *sa,
		     struct child_sa *child)
{
	if (child->policies)
		policies(svc, sa, child, false);
	if (child->sa_out)
		del_sa(svc, &sa->remote, child->spi_out);
	/* Also a larval SA from ALLOC_SPI. */
	if (child->spi_in)
		del_sa(svc, &sa->local, child->spi_in);
	child->policies = child->sa_in = child->sa_out = false;
	child->spi_in = 0;
}

void child_log_closing(const struct child_sa *child)
{
	char text[1200];

	child_describe(child, text, sizeof(text));
	DBG1(LOG_CHD, "closing CHILD_SA %s{%u} %s", child->name,
	     child->unique_id, text);
}

void child_uninstall_all(struct ike_service *svc, struct ike_sa *sa)
{
	while (sa->n_children) {
		struct child_sa child = sa->children[sa->n_children - 1];

		child_log_closing(&child);
		sa_table_remove_child(svc->sas, sa, sa->n_children - 1);
		child_uninstall(svc, sa, &child);
	}
}

int child_delete_by_peer_spi(struct ike_service *svc, struct ike_sa *sa,
			     uint32_t spi, uint32_t *our_spi)
{
	for (size_t i = 0; i < sa->n_children; i++) {
		struct child_sa child = sa->children[i];

		if (child.spi_out != spi)
			continue;
		rekey_child_concluded(sa, &child);
		child_log_closing(&child);
		*our_spi = child.spi_in;
		DBG1(LOG_IKE, "sending DELETE for ESP CHILD_SA with SPI %08x",
		     child.spi_in);
		sa_table_remove_child(svc->sas, sa, i);
		child_uninstall(svc, sa, &child);
		DBG1(LOG_CHD, "CHILD_SA closed");
		return 0;
	}
	return -1;
}

int child_remove_by_id(struct ike_service *svc, struct ike_sa *sa,
		       uint32_t unique_id)
{
	for (size_t i = 0; i < sa->n_children; i++) {
		struct child_sa child = sa->children[i];

		if (child.unique_id != unique_id)
			continue;
		sa_table_remove_child(svc->sas, sa, i);
		child_uninstall(svc, sa, &child);
		DBG1(LOG_CHD, "CHILD_SA closed");
		return 0;
	}
	return -1;
}
