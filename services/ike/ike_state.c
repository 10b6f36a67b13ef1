#include "ike/ike_state.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "errbuf.h"
#include "ike/message.h"
#include "ike/socket.h"
#include "ike_state.pb-c.h"

/* ---- packing: messages pointing into the SA and into this store ---- */

struct proposal_store {
	Cygnet__IkeProposalState msg;
	Cygnet__Transform t[PROPOSAL_MAX_TRANSFORMS];
	Cygnet__Transform *tp[PROPOSAL_MAX_TRANSFORMS];
};

struct child_store {
	Cygnet__ChildSaState msg;
	struct proposal_store proposal;
	Cygnet__TrafficSelector ts[2][CHILD_TS_MAX];
	Cygnet__TrafficSelector *tsp[2][CHILD_TS_MAX];
};

struct state_store {
	Cygnet__IkeSaState msg;
	Cygnet__Address local, remote;
	uint8_t local_ip[16], remote_ip[16];
	struct proposal_store proposal;
	Cygnet__IkeKeysState keys;
	ProtobufCBinaryData response[FRAGMENTS_MAX_DEFAULT];
	Cygnet__VirtualIpState vips[IKE_SA_MAX_VIPS];
	Cygnet__VirtualIpState *vipp[IKE_SA_MAX_VIPS];
	Cygnet__VirtualIpState own_vips[IKE_SA_MAX_VIPS];
	Cygnet__VirtualIpState *own_vipp[IKE_SA_MAX_VIPS];
	struct child_store children[CHILD_SA_MAX];
	Cygnet__ChildSaState *childp[CHILD_SA_MAX];
};

static int64_t unix_time(time_t monotonic)
{
	if (monotonic == 0)
		return 0;
	return (int64_t)time(NULL) - (int64_t)(sa_table_now() - monotonic);
}

static ProtobufCBinaryData bytes(const void *data, size_t len)
{
	return (ProtobufCBinaryData){ len, (uint8_t *)data };
}

static void pack_address(const struct sockaddr_storage *ss, Cygnet__Address *a,
			 uint8_t *ip)
{
	cygnet__address__init(a);
	a->ip = bytes(ip, sockaddr_addr(ss, ip));
	a->port = sockaddr_port(ss);
}

static Cygnet__IkeProposalState *pack_proposal(const struct proposal *p,
					       struct proposal_store *s)
{
	cygnet__ike_proposal_state__init(&s->msg);
	s->msg.number = p->number;
	s->msg.protocol = p->protocol;
	s->msg.spi = bytes(p->spi, p->spi_size);
	for (size_t i = 0; i < p->count; i++) {
		cygnet__transform__init(&s->t[i]);
		s->t[i].type = p->transforms[i].type;
		s->t[i].id = p->transforms[i].id;
		s->t[i].key_length = p->transforms[i].key_length;
		s->tp[i] = &s->t[i];
	}
	s->msg.transforms = s->tp;
	s->msg.n_transforms = p->count;
	return &s->msg;
}

static Cygnet__IkeKeysState *pack_keys(const struct ike_keys *k,
				       Cygnet__IkeKeysState *m)
{
	cygnet__ike_keys_state__init(m);
	m->prf = k->prf;
	m->integ = k->integ;
	m->encr = k->encr;
	m->encr_bits = k->encr_bits;
	m->prf_len = (uint32_t)k->prf_len;
	m->integ_key_len = (uint32_t)k->integ_key_len;
	m->encr_key_len = (uint32_t)k->encr_key_len;
	m->sk_d = bytes(k->sk_d, k->prf_len);
	m->sk_ai = bytes(k->sk_ai, k->integ_key_len);
	m->sk_ar = bytes(k->sk_ar, k->integ_key_len);
	m->sk_ei = bytes(k->sk_ei, k->encr_key_len);
	m->sk_er = bytes(k->sk_er, k->encr_key_len);
	m->sk_pi = bytes(k->sk_pi, k->prf_len);
	m->sk_pr = bytes(k->sk_pr, k->prf_len);
	return m;
}

static Cygnet__ChildSaState *pack_child(const struct child_sa *c,
					struct child_store *s)
{
	Cygnet__ChildSaState *m = &s->msg;

	cygnet__child_sa_state__init(m);
	m->name = (char *)c->name;
	m->unique_id = c->unique_id;
	m->reqid = c->reqid;
	m->spi_in = c->spi_in;
	m->spi_out = c->spi_out;
	m->proposal = pack_proposal(&c->proposal, &s->proposal);
	m->tunnel = c->tunnel;
	m->encap = c->encap;
	m->local_ts = ts_to_pb(c->local_ts, c->n_local_ts, s->ts[0], s->tsp[0]);
	m->n_local_ts = c->n_local_ts;
	m->remote_ts = ts_to_pb(c->remote_ts, c->n_remote_ts, s->ts[1], s->tsp[1]);
	m->n_remote_ts = c->n_remote_ts;
	m->sa_in = c->sa_in;
	m->sa_out = c->sa_out;
	m->policies = c->policies;
	m->installed_unix = unix_time(c->installed);
	m->rekey_time = c->rekey_time;
	m->life_time = c->life_time;
	m->keymat = bytes(c->keymat, c->keymat_len);
	m->initiated = c->initiated;
	return m;
}

static void pack_vips(const struct ike_sa_vip *vips, size_t n,
		      Cygnet__VirtualIpState *store,
		      Cygnet__VirtualIpState **p)
{
	for (size_t i = 0; i < n; i++) {
		Cygnet__VirtualIpState *v = &store[i];

		cygnet__virtual_ip_state__init(v);
		v->pool = (char *)vips[i].pool;
		v->address = bytes(vips[i].addr, vips[i].addr_len);
		v->identity = (char *)vips[i].identity;
		p[i] = v;
	}
}

static void pack_response(const struct ike_sa *sa, struct state_store *s)
{
	size_t offset = 0;

	for (size_t i = 0; i < sa->last_response_count; i++) {
		s->response[i] = bytes(sa->last_response + offset,
				       sa->last_response_lens[i]);
		offset += sa->last_response_lens[i];
	}
	s->msg.last_response = s->response;
	s->msg.n_last_response = sa->last_response ? sa->last_response_count : 0;
}

static void pack_sa(const struct ike_sa *sa, struct state_store *s)
{
	Cygnet__IkeSaState *m = &s->msg;

	cygnet__ike_sa_state__init(m);
	m->version = IKE_STATE_VERSION;
	m->unique_id = sa->unique_id;
	m->spi_i = sa->spi_i;
	m->spi_r = sa->spi_r;
	m->conn = (char *)sa->conn;
	pack_address(&sa->local, &s->local, s->local_ip);
	pack_address(&sa->remote, &s->remote, s->remote_ip);
	m->local = &s->local;
	m->remote = &s->remote;
	m->nat = sa->nat;
	m->peer_frag_supported = sa->peer_frag_supported;
	m->fragmentation = sa->fragmentation;
	m->proposal = pack_proposal(&sa->proposal, &s->proposal);
	m->keys = pack_keys(&sa->keys, &s->keys);
	m->ni = bytes(sa->ni, sa->ni_len);
	m->nr = bytes(sa->nr, sa->nr_len);
	m->local_id = (char *)sa->local_id;
	m->remote_id = (char *)sa->remote_id;
	m->created_unix = unix_time(sa->created);
	m->established_unix = unix_time(sa->established);
	m->reauth_unix = unix_time(sa->reauth_at);
	m->remote_eap_id = (char *)sa->remote_eap_id;
	m->initiator = sa->initiator;
	m->our_next_id = sa->our_next_id;
	m->dpd_delay = sa->dpd_delay;
	m->dpd_action = sa->dpd_action;
	m->local_nat = sa->local_nat;
	m->next_request_id = sa->next_request_id;
	m->last_response_id = sa->last_response_id;
	pack_response(sa, s);
	pack_vips(sa->vips, sa->n_vips, s->vips, s->vipp);
	m->vips = s->vipp;
	m->n_vips = sa->n_vips;
	pack_vips(sa->own_vips, sa->n_own_vips, s->own_vips, s->own_vipp);
	m->own_vips = s->own_vipp;
	m->n_own_vips = sa->n_own_vips;
	for (size_t i = 0; i < sa->n_children; i++)
		s->childp[i] = pack_child(&sa->children[i], &s->children[i]);
	m->children = s->childp;
	m->n_children = sa->n_children;
}

uint8_t *ike_state_pack(const struct ike_sa *sa, size_t *len)
{
	struct state_store *s = calloc(1, sizeof(*s));
	uint8_t *buf = NULL;

	if (!s)
		return NULL;
	pack_sa(sa, s);
	*len = cygnet__ike_sa_state__get_packed_size(&s->msg);
	buf = malloc(*len ? *len : 1);
	if (buf)
		cygnet__ike_sa_state__pack(&s->msg, buf);
	OPENSSL_cleanse(s, sizeof(*s));
	free(s);
	return buf;
}

/* ---- unpacking: every length and count checked before it is used ---- */

static time_t monotonic_time(int64_t unix_seconds)
{
	time_t t;

	if (unix_seconds == 0)
		return 0;
	t = sa_table_now() - (time_t)((int64_t)time(NULL) - unix_seconds);
	/* 0 means "not yet": an SA older than this boot's clock is 1 s old
	 * to the monotonic clock. */
	return t > 0 ? t : 1;
}

static int copy_string(char *dst, size_t size, const char *src,
		       const char *what, char *why, size_t whylen)
{
	if (!src)
		src = "";
	if (strlen(src) >= size)
		return errbuf_fail(why, whylen, "%s too long", what);
	memcpy(dst, src, strlen(src) + 1);
	return 0;
}

static int copy_bytes(uint8_t *dst, size_t size, size_t *out_len,
		      ProtobufCBinaryData src, const char *what, char *why,
		      size_t whylen)
{
	if (src.len > size)
		return errbuf_fail(why, whylen, "%s of %zu octets", what, src.len);
	if (src.len)
		memcpy(dst, src.data, src.len);
	if (out_len)
		*out_len = src.len;
	return 0;
}

static int copy_exact(uint8_t *dst, size_t size, ProtobufCBinaryData src,
		      size_t want, const char *what, char *why, size_t whylen)
{
	if (src.len != want)
		return errbuf_fail(why, whylen, "%s of %zu octets, expected %zu",
			    what, src.len, want);
	return copy_bytes(dst, size, NULL, src, what, why, whylen);
}

static int unpack_address(const Cygnet__Address *a, struct sockaddr_storage *ss,
			  const char *what, char *why, size_t whylen)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (!a || a->port == 0 || a->port > 65535)
		return errbuf_fail(why, whylen, "%s address missing or without port", what);
	if (a->ip.len == 4) {
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)a->port);
		memcpy(&in->sin_addr, a->ip.data, 4);
	} else if (a->ip.len == 16) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)a->port);
		memcpy(&in6->sin6_addr, a->ip.data, 16);
	} else {
		return errbuf_fail(why, whylen, "%s address of %zu octets", what, a->ip.len);
	}
	return 0;
}

static int unpack_proposal(const Cygnet__IkeProposalState *m,
			   struct proposal *p, char *why, size_t whylen)
{
	size_t spi_size = 0;

	memset(p, 0, sizeof(*p));
	if (!m)
		return errbuf_fail(why, whylen, "proposal missing");
	if (m->number > 255 || m->protocol > 255 ||
	    m->n_transforms > PROPOSAL_MAX_TRANSFORMS)
		return errbuf_fail(why, whylen, "proposal out of range");
	if (copy_bytes(p->spi, sizeof(p->spi), &spi_size, m->spi,
		       "proposal SPI", why, whylen) < 0)
		return -1;
	p->number = (uint8_t)m->number;
	p->protocol = (uint8_t)m->protocol;
	p->spi_size = (uint8_t)spi_size;
	for (size_t i = 0; i < m->n_transforms; i++) {
		const Cygnet__Transform *t = m->transforms[i];

		if (t->type > 255 || t->id > 65535 || t->key_length > 65535)
			return errbuf_fail(why, whylen, "transform out of range");
		p->transforms[i] = (struct transform){
			(uint8_t)t->type, (uint16_t)t->id, (uint16_t)t->key_length
		};
	}
	p->count = m->n_transforms;
	return 0;
}

static int unpack_keys(const Cygnet__IkeKeysState *m, struct ike_keys *k,
		       char *why, size_t whylen)
{
	if (!m)
		return errbuf_fail(why, whylen, "keys missing");
	if (m->prf > 65535 || m->integ > 65535 || m->encr > 65535 ||
	    m->encr_bits > 65535 || m->prf_len > PRF_MAX_LEN ||
	    m->integ_key_len > PRF_MAX_LEN ||
	    m->encr_key_len > KEYMAT_MAX_ENCR)
		return errbuf_fail(why, whylen, "keys out of range");
	k->prf = (uint16_t)m->prf;
	k->integ = (uint16_t)m->integ;
	k->encr = (uint16_t)m->encr;
	k->encr_bits = (uint16_t)m->encr_bits;
	k->prf_len = m->prf_len;
	k->integ_key_len = m->integ_key_len;
	k->encr_key_len = m->encr_key_len;
	if (copy_exact(k->sk_d, sizeof(k->sk_d), m->sk_d, k->prf_len, "SK_d", why, whylen) < 0 ||
	    copy_exact(k->sk_pi, sizeof(k->sk_pi), m->sk_pi, k->prf_len, "SK_pi", why, whylen) < 0 ||
	    copy_exact(k->sk_pr, sizeof(k->sk_pr), m->sk_pr, k->prf_len, "SK_pr", why, whylen) < 0 ||
	    copy_exact(k->sk_ai, sizeof(k->sk_ai), m->sk_ai, k->integ_key_len, "SK_ai", why, whylen) < 0 ||
	    copy_exact(k->sk_ar, sizeof(k->sk_ar), m->sk_ar, k->integ_key_len, "SK_ar", why, whylen) < 0 ||
	    copy_exact(k->sk_ei, sizeof(k->sk_ei), m->sk_ei, k->encr_key_len, "SK_ei", why, whylen) < 0 ||
	    copy_exact(k->sk_er, sizeof(k->sk_er), m->sk_er, k->encr_key_len, "SK_er", why, whylen) < 0)
		return -1;
	return 0;
}

static int unts_to_pb(Cygnet__TrafficSelector **in, size_t n, struct ts *out,
		     size_t *count, char *why, size_t whylen)
{
	if (n > CHILD_TS_MAX)
		return errbuf_fail(why, whylen, "%zu traffic selectors", n);
	for (size_t i = 0; i < n; i++) {
		const Cygnet__TrafficSelector *t = in[i];
		size_t len = t->start_addr.len;

		if ((len != 4 && len != 16) || t->end_addr.len != len ||
		    t->ip_protocol > 255 || t->start_port > 65535 ||
		    t->end_port > 65535)
			return errbuf_fail(why, whylen, "traffic selector out of range");
		memset(&out[i], 0, sizeof(out[i]));
		out[i].type = len == 4 ? TS_IPV4_ADDR_RANGE : TS_IPV6_ADDR_RANGE;
		out[i].protocol = (uint8_t)t->ip_protocol;
		out[i].start_port = (uint16_t)t->start_port;
		out[i].end_port = (uint16_t)t->end_port;
		memcpy(out[i].start, t->start_addr.data, len);
		memcpy(out[i].end, t->end_addr.data, len);
	}
	*count = n;
	return 0;
}

static int unpack_child(const Cygnet__ChildSaState *m, struct child_sa *c,
			char *why, size_t whylen)
{
	memset(c, 0, sizeof(*c));
	if (copy_string(c->name, sizeof(c->name), m->name, "CHILD_SA name",
			why, whylen) < 0 ||
	    unpack_proposal(m->proposal, &c->proposal, why, whylen) < 0 ||
	    unts_to_pb(m->local_ts, m->n_local_ts, c->local_ts, &c->n_local_ts,
		      why, whylen) < 0 ||
	    unts_to_pb(m->remote_ts, m->n_remote_ts, c->remote_ts,
		      &c->n_remote_ts, why, whylen) < 0 ||
	    copy_bytes(c->keymat, sizeof(c->keymat), &c->keymat_len, m->keymat,
		       "KEYMAT", why, whylen) < 0)
		return -1;
	c->unique_id = m->unique_id;
	c->reqid = m->reqid;
	c->spi_in = m->spi_in;
	c->spi_out = m->spi_out;
	c->tunnel = m->tunnel;
	c->encap = m->encap;
	c->initiated = m->initiated;
	c->sa_in = m->sa_in;
	c->sa_out = m->sa_out;
	c->policies = m->policies;
	c->installed = monotonic_time(m->installed_unix);
	c->rekey_time = (long)m->rekey_time;
	c->life_time = (long)m->life_time;
	return 0;
}

static int unpack_vip(const Cygnet__VirtualIpState *m, struct ike_sa_vip *v,
		      char *why, size_t whylen)
{
	size_t len = 0;

	if (copy_string(v->pool, sizeof(v->pool), m->pool, "pool name",
			why, whylen) < 0 ||
	    copy_string(v->identity, sizeof(v->identity), m->identity,
			"lease identity", why, whylen) < 0 ||
	    copy_bytes(v->addr, sizeof(v->addr), &len, m->address,
		       "virtual IP", why, whylen) < 0)
		return -1;
	if (len != 4 && len != 16)
		return errbuf_fail(why, whylen, "virtual IP of %zu octets", len);
	v->addr_len = (uint8_t)len;
	return 0;
}

static int unpack_response(const Cygnet__IkeSaState *m, struct ike_sa *sa,
			   char *why, size_t whylen)
{
	size_t total = 0, offset = 0;

	if (m->n_last_response > FRAGMENTS_MAX_DEFAULT)
		return errbuf_fail(why, whylen, "%zu response packets", m->n_last_response);
	for (size_t i = 0; i < m->n_last_response; i++) {
		if (m->last_response[i].len == 0 ||
		    m->last_response[i].len > MESSAGE_MAX_LEN)
			return errbuf_fail(why, whylen, "response packet of %zu octets",
				    m->last_response[i].len);
		total += m->last_response[i].len;
	}
	if (total == 0)
		return 0;
	sa->last_response = malloc(total);
	if (!sa->last_response)
		return errbuf_fail(why, whylen, "out of memory");
	for (size_t i = 0; i < m->n_last_response; i++) {
		memcpy(sa->last_response + offset, m->last_response[i].data,
		       m->last_response[i].len);
		sa->last_response_lens[i] = m->last_response[i].len;
		offset += m->last_response[i].len;
	}
	sa->last_response_len = total;
	sa->last_response_count = m->n_last_response;
	return 0;
}

static int unpack_lists(const Cygnet__IkeSaState *m, struct ike_sa *sa,
			char *why, size_t whylen)
{
	if (m->n_vips > IKE_SA_MAX_VIPS || m->n_own_vips > IKE_SA_MAX_VIPS ||
	    m->n_children > CHILD_SA_MAX)
		return errbuf_fail(why, whylen, "%zu virtual IPs, %zu of ours, %zu "
			    "CHILD_SAs", m->n_vips, m->n_own_vips,
			    m->n_children);
	for (size_t i = 0; i < m->n_vips; i++)
		if (unpack_vip(m->vips[i], &sa->vips[i], why, whylen) < 0)
			return -1;
	sa->n_vips = m->n_vips;
	for (size_t i = 0; i < m->n_own_vips; i++)
		if (unpack_vip(m->own_vips[i], &sa->own_vips[i], why,
			       whylen) < 0)
			return -1;
	sa->n_own_vips = m->n_own_vips;
	for (size_t i = 0; i < m->n_children; i++)
		if (unpack_child(m->children[i], &sa->children[i], why, whylen) < 0)
			return -1;
	sa->n_children = m->n_children;
	return 0;
}

static int unpack_sa(const Cygnet__IkeSaState *m, struct ike_sa *sa,
		     char *why, size_t whylen)
{
	if (m->version != IKE_STATE_VERSION)
		return errbuf_fail(why, whylen, "version %u, we know %u", m->version,
			    IKE_STATE_VERSION);
	if (m->spi_i == 0 || m->spi_r == 0)
		return errbuf_fail(why, whylen, "SPI missing");
	if (m->fragmentation > FRAG_FORCE)
		return errbuf_fail(why, whylen, "fragmentation %u", m->fragmentation);
	if (m->dpd_action < ACTION_NONE || m->dpd_action > ACTION_RESTART ||
	    m->dpd_delay < 0)
		return errbuf_fail(why, whylen, "DPD settings out of range");
	if (copy_string(sa->conn, sizeof(sa->conn), m->conn, "connection name",
			why, whylen) < 0 ||
	    copy_string(sa->local_id, sizeof(sa->local_id), m->local_id,
			"local identity", why, whylen) < 0 ||
	    copy_string(sa->remote_id, sizeof(sa->remote_id), m->remote_id,
			"remote identity", why, whylen) < 0 ||
	    copy_string(sa->remote_eap_id, sizeof(sa->remote_eap_id),
			m->remote_eap_id, "EAP identity", why, whylen) < 0 ||
	    unpack_address(m->local, &sa->local, "local", why, whylen) < 0 ||
	    unpack_address(m->remote, &sa->remote, "remote", why, whylen) < 0 ||
	    unpack_proposal(m->proposal, &sa->proposal, why, whylen) < 0 ||
	    unpack_keys(m->keys, &sa->keys, why, whylen) < 0 ||
	    copy_bytes(sa->ni, sizeof(sa->ni), &sa->ni_len, m->ni, "Ni", why,
		       whylen) < 0 ||
	    copy_bytes(sa->nr, sizeof(sa->nr), &sa->nr_len, m->nr, "Nr", why,
		       whylen) < 0 ||
	    unpack_lists(m, sa, why, whylen) < 0)
		return -1;
	sa->unique_id = m->unique_id;
	sa->spi_i = m->spi_i;
	sa->spi_r = m->spi_r;
	sa->nat = m->nat;
	sa->peer_frag_supported = m->peer_frag_supported;
	sa->fragmentation = (enum fragmentation)m->fragmentation;
	sa->created = monotonic_time(m->created_unix);
	sa->established = monotonic_time(m->established_unix);
	sa->reauth_at = monotonic_time(m->reauth_unix);
	sa->next_request_id = m->next_request_id;
	sa->last_response_id = m->last_response_id;
	sa->initiator = m->initiator;
	sa->our_next_id = m->our_next_id;
	sa->dpd_delay = (long)m->dpd_delay;
	sa->dpd_action = m->dpd_action;
	sa->local_nat = m->local_nat;
	sa->state = IKE_SA_ESTABLISHED;
	return unpack_response(m, sa, why, whylen);
}

int ike_state_unpack(const uint8_t *buf, size_t len, struct ike_sa *out,
		     char *why, size_t whylen)
{
	Cygnet__IkeSaState *m = cygnet__ike_sa_state__unpack(NULL, len, buf);
	int rc;

	if (!m)
		return errbuf_fail(why, whylen, "not an IkeSaState record");
	rc = unpack_sa(m, out, why, whylen);
	for (size_t i = 0; i < m->n_children; i++)
		OPENSSL_cleanse(m->children[i]->keymat.data,
				m->children[i]->keymat.len);
	if (m->keys) {
		Cygnet__IkeKeysState *k = m->keys;
		ProtobufCBinaryData *keys[] = { &k->sk_d, &k->sk_ai, &k->sk_ar,
			&k->sk_ei, &k->sk_er, &k->sk_pi, &k->sk_pr };

		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			OPENSSL_cleanse(keys[i]->data, keys[i]->len);
	}
	cygnet__ike_sa_state__free_unpacked(m, NULL);
	if (rc < 0)
		ike_state_clear(out);
	return rc;
}

void ike_state_clear(struct ike_sa *sa)
{
	free(sa->last_response);
	sa->last_response = NULL;
	sa->last_response_len = sa->last_response_count = 0;
	OPENSSL_cleanse(&sa->keys, sizeof(sa->keys));
	OPENSSL_cleanse(sa->children, sizeof(sa->children));
	sa->n_children = 0;
}
