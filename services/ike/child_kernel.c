#include "ike/child_kernel.h"

#include <string.h>

#include "ike/keymat.h"
#include "ike/prf.h"
#include "ike/socket.h"

/* As charon: a window of 32 packets for inbound SAs. */
#define REPLAY_WINDOW 32

void child_kernel_address(const struct sockaddr_storage *ss, uint8_t *ip,
			  Cygnet__Address *a)
{
	size_t len = sockaddr_addr(ss, ip);

	cygnet__address__init(a);
	a->ip = (ProtobufCBinaryData){ len, ip };
	a->port = sockaddr_port(ss);
}

static void fill_addresses(const struct ike_sa *sa,
			   struct child_kernel_msgs *m)
{
	child_kernel_address(&sa->local, m->local_ip, &m->local);
	child_kernel_address(&sa->remote, m->remote_ip, &m->remote);
	m->policy_local = m->local;
	m->policy_remote = m->remote;
	m->policy_local.port = m->policy_remote.port = 0;
}

static Cygnet__IpsecMode mode_of(const struct child_sa *child)
{
	return child->tunnel ? CYGNET__IPSEC_MODE__IPSEC_MODE_TUNNEL :
			       CYGNET__IPSEC_MODE__IPSEC_MODE_TRANSPORT;
}

int child_kernel_sas(const struct ike_sa *sa, const struct child_sa *child,
		     const uint8_t *keymat, size_t len,
		     struct child_kernel_msgs *m)
{
	const struct transform *encr = proposal_first(&child->proposal, TRANS_ENCR);
	const struct transform *integ = proposal_first(&child->proposal, TRANS_INTEG);
	size_t e = encr ? encr_key_len(encr->id, encr->key_length) : 0;
	size_t i = integ && integ->id != INTEG_NONE ? integ_key_len(integ->id) : 0;

	if (e == 0 || len < 2 * (e + i))
		return -1;
	fill_addresses(sa, m);
	cygnet__lifetime__init(&m->life);
	m->life.hard_seconds = child->life_time > 0 ? (uint64_t)child->life_time : 0;
	m->life.soft_seconds = child->rekey_time > 0 ? (uint64_t)child->rekey_time : 0;
	for (int dir = 0; dir < 2; dir++) {
		Cygnet__SaConfig *c = &m->sa[dir];
		bool inbound = dir == 0;
		bool first_half = inbound != child->initiated;
		const uint8_t *k = keymat + (first_half ? 0 : e + i);

		cygnet__sa_config__init(c);
		c->protocol = CHILD_KERNEL_ESP;
		c->reqid = child->reqid;
		c->mode = mode_of(child);
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

void child_kernel_policy(const struct ike_sa *sa, const struct child_sa *child,
			 struct child_kernel_msgs *m)
{
	Cygnet__PolicyConfig *p = &m->policy;

	fill_addresses(sa, m);
	cygnet__policy_config__init(p);
	p->local = &m->policy_local;
	p->remote = &m->policy_remote;
	p->local_ts = ts_to_pb(child->local_ts, child->n_local_ts, m->ts[0],
			       m->tsp[0]);
	p->n_local_ts = child->n_local_ts;
	p->remote_ts = ts_to_pb(child->remote_ts, child->n_remote_ts, m->ts[1],
				m->tsp[1]);
	p->n_remote_ts = child->n_remote_ts;
	p->reqid = child->reqid;
	p->mode = mode_of(child);
	p->protocol = CHILD_KERNEL_ESP;
}
