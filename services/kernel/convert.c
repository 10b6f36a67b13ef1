#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "convert.h"
#include "errbuf.h"
#include "selector.h"

int convert_addr(const Cygnet__Address *in, struct knl_addr *out,
		 const char *what, char *why, size_t len)
{
	memset(out, 0, sizeof(*out));
	if (!in)
		return errbuf_fail(why, len, "%s address missing", what);
	if (in->ip.len == 4)
		out->family = AF_INET;
	else if (in->ip.len == 16)
		out->family = AF_INET6;
	else
		return errbuf_fail(why, len, "%s address has %zu bytes (4 or 16)",
			    what, in->ip.len);
	if (in->port > 0xffff)
		return errbuf_fail(why, len, "%s port %u out of range", what,
			    in->port);
	memcpy(out->ip, in->ip.data, in->ip.len);
	out->port = (uint16_t)in->port;
	return 0;
}

int convert_ts(const Cygnet__TrafficSelector *in, struct knl_ts *out,
	       char *why, size_t len)
{
	size_t alen;

	memset(out, 0, sizeof(*out));
	alen = in->start_addr.len;
	if ((alen != 4 && alen != 16) || in->end_addr.len != alen)
		return errbuf_fail(why, len, "traffic selector addresses have %zu "
			    "and %zu bytes (4 or 16 each)", in->start_addr.len,
			    in->end_addr.len);
	if (in->ip_protocol > 255 || in->start_port > 0xffff ||
	    in->end_port > 0xffff || in->start_port > in->end_port)
		return errbuf_fail(why, len, "traffic selector protocol %u ports "
			    "%u-%u invalid", in->ip_protocol, in->start_port,
			    in->end_port);
	if (memcmp(in->start_addr.data, in->end_addr.data, alen) > 0)
		return errbuf_fail(why, len, "traffic selector range ends before "
			    "it starts");
	out->family = alen == 4 ? AF_INET : AF_INET6;
	out->proto = (uint8_t)in->ip_protocol;
	out->from_port = (uint16_t)in->start_port;
	out->to_port = (uint16_t)in->end_port;
	memcpy(out->from, in->start_addr.data, alen);
	memcpy(out->to, in->end_addr.data, alen);
	return 0;
}

static void convert_mark(const Cygnet__Mark *in, struct knl_mark *out)
{
	out->value = in ? in->value : 0;
	out->mask = in ? in->mask : 0;
}

static int convert_proto(uint32_t in, uint8_t *out, char *why, size_t len)
{
	if (in != 0 && in != IPPROTO_ESP)
		return errbuf_fail(why, len, "protocol %u not supported (ESP only)",
			    in);
	*out = IPPROTO_ESP;
	return 0;
}

static int check_reqid(uint32_t reqid, const struct owner *o, char *why,
		       size_t len)
{
	if (!owner_reqid(o, reqid))
		return errbuf_fail(why, len, "reqid %u outside the configured range "
			    "%u-%u", reqid, o->reqid_min, o->reqid_max);
	return 0;
}

int convert_sa_id(const Cygnet__SaId *in, struct knl_sa_id *out, char *why,
		  size_t len)
{
	memset(out, 0, sizeof(*out));
	if (convert_addr(in->dst, &out->dst, "destination", why, len) < 0 ||
	    convert_proto(in->protocol, &out->proto, why, len) < 0)
		return -1;
	out->spi = in->spi;
	convert_mark(in->mark, &out->mark);
	return 0;
}

static int check_families(const struct knl_addr *a, const struct knl_addr *b,
			  char *why, size_t len)
{
	if (a->family != b->family)
		return errbuf_fail(why, len, "source and destination addresses of "
			    "different families");
	return 0;
}

int convert_spi_request(const Cygnet__AllocSpiRequest *in,
			const struct owner *o, struct spi_request *out,
			char *why, size_t len)
{
	memset(out, 0, sizeof(*out));
	if (convert_addr(in->src, &out->src, "source", why, len) < 0 ||
	    convert_addr(in->dst, &out->dst, "destination", why, len) < 0 ||
	    check_families(&out->src, &out->dst, why, len) < 0 ||
	    convert_proto(in->protocol, &out->proto, why, len) < 0 ||
	    check_reqid(in->reqid, o, why, len) < 0)
		return -1;
	out->reqid = in->reqid;
	out->min = in->spi_min ? in->spi_min : SPI_MIN_DEFAULT;
	out->max = in->spi_max ? in->spi_max : SPI_MAX_DEFAULT;
	if (out->min > out->max || out->min < 0x100)
		return errbuf_fail(why, len, "SPI range %08x-%08x invalid", out->min,
			    out->max);
	convert_mark(in->mark, &out->mark);
	return 0;
}

static int convert_mode(Cygnet__IpsecMode in, uint8_t *out, char *why,
			size_t len)
{
	switch (in) {
	case CYGNET__IPSEC_MODE__IPSEC_MODE_TUNNEL:
		*out = XFRM_MODE_TUNNEL;
		return 0;
	case CYGNET__IPSEC_MODE__IPSEC_MODE_TRANSPORT:
		*out = XFRM_MODE_TRANSPORT;
		return 0;
	default:
		return errbuf_fail(why, len, "IPsec mode %d invalid (tunnel or "
			    "transport)", (int)in);
	}
}

static int convert_encr(const Cygnet__SaConfig *in, struct knl_sa *out,
			char *why, size_t len)
{
	const struct knl_alg *alg = knl_alg_encr((uint16_t)in->encr_id);
	size_t want;

	if (!alg || in->encr_id > 0xffff)
		return errbuf_fail(why, len, "encryption algorithm %u not supported",
			    in->encr_id);
	if (in->encr_key_length > 0xffff ||
	    !knl_alg_key_bits_ok(alg, (uint16_t)in->encr_key_length))
		return errbuf_fail(why, len, "%s with %u bit keys not supported",
			    alg->ike_name, in->encr_key_length);
	want = in->encr_key_length / 8 + alg->salt_bytes;
	if (in->encr_key.len != want || want > KNL_KEY_MAX)
		return errbuf_fail(why, len, "%s-%u needs %zu key bytes, got %zu",
			    alg->ike_name, in->encr_key_length, want,
			    in->encr_key.len);
	out->encr = alg;
	out->encr_key_bits = (uint16_t)in->encr_key_length;
	memcpy(out->encr_key, in->encr_key.data, want);
	out->encr_key_len = want;
	return 0;
}

static int convert_integ(const Cygnet__SaConfig *in, struct knl_sa *out,
			 char *why, size_t len)
{
	const struct knl_alg *alg;

	if (out->encr->kind == KNL_ALG_AEAD) {
		if (in->integ_id || in->integ_key.len)
			return errbuf_fail(why, len, "%s is an AEAD: no integrity "
				    "algorithm allowed", out->encr->ike_name);
		return 0;
	}
	alg = in->integ_id > 0xffff ? NULL
				    : knl_alg_integ((uint16_t)in->integ_id);
	if (!alg)
		return errbuf_fail(why, len, "integrity algorithm %u not supported",
			    in->integ_id);
	if (in->integ_key.len != alg->key_bits[0] / 8u)
		return errbuf_fail(why, len, "%s needs %u key bytes, got %zu",
			    alg->ike_name, alg->key_bits[0] / 8u,
			    in->integ_key.len);
	out->integ = alg;
	memcpy(out->integ_key, in->integ_key.data, in->integ_key.len);
	out->integ_key_len = in->integ_key.len;
	return 0;
}

static void convert_lifetime(const Cygnet__Lifetime *in,
			     struct knl_lifetime *out)
{
	memset(out, 0, sizeof(*out));
	if (!in)
		return;
	out->soft_seconds = in->soft_seconds;
	out->hard_seconds = in->hard_seconds;
	out->soft_bytes = in->soft_bytes;
	out->hard_bytes = in->hard_bytes;
	out->soft_packets = in->soft_packets;
	out->hard_packets = in->hard_packets;
}

static int convert_sa_ts(const Cygnet__SaConfig *in, struct knl_sa *out,
			 char *why, size_t len)
{
	if (out->mode != XFRM_MODE_TRANSPORT || (!in->src_ts && !in->dst_ts))
		return 0;
	if (!in->src_ts || !in->dst_ts)
		return errbuf_fail(why, len, "transport mode selector needs both "
			    "src_ts and dst_ts");
	if (convert_ts(in->src_ts, &out->src_ts, why, len) < 0 ||
	    convert_ts(in->dst_ts, &out->dst_ts, why, len) < 0)
		return -1;
	if (out->src_ts.family != out->dst_ts.family)
		return errbuf_fail(why, len, "transport mode selectors of different "
			    "families");
	out->has_ts = true;
	return 0;
}

int convert_sa(const Cygnet__SaConfig *in, const struct owner *o,
	       struct knl_sa *out, char *why, size_t len)
{
	memset(out, 0, sizeof(*out));
	if (convert_addr(in->src, &out->src, "source", why, len) < 0 ||
	    convert_addr(in->dst, &out->dst, "destination", why, len) < 0 ||
	    check_families(&out->src, &out->dst, why, len) < 0 ||
	    convert_proto(in->protocol, &out->proto, why, len) < 0 ||
	    check_reqid(in->reqid, o, why, len) < 0 ||
	    convert_mode(in->mode, &out->mode, why, len) < 0)
		return -1;
	if (in->spi < 0x100)
		return errbuf_fail(why, len, "SPI %08x is reserved", in->spi);
	if (in->replay_window > CONVERT_REPLAY_MAX)
		return errbuf_fail(why, len, "replay window %u larger than %u",
			    in->replay_window, CONVERT_REPLAY_MAX);
	if (in->udp_encap && (!out->src.port || !out->dst.port))
		return errbuf_fail(why, len, "UDP encapsulation needs both ports");
	out->spi = in->spi;
	out->reqid = in->reqid;
	if (convert_encr(in, out, why, len) < 0 ||
	    convert_integ(in, out, why, len) < 0 ||
	    convert_sa_ts(in, out, why, len) < 0) {
		knl_sa_wipe(out);
		return -1;
	}
	out->udp_encap = in->udp_encap;
	out->esn = in->esn;
	out->replay_window = in->replay_window;
	convert_lifetime(in->lifetime, &out->lifetime);
	convert_mark(in->mark, &out->mark);
	out->if_id = in->if_id;
	out->inbound = in->inbound;
	return 0;
}

static int convert_ts_list(Cygnet__TrafficSelector **in, size_t n,
			   struct knl_ts *out, const char *side, char *why,
			   size_t len)
{
	if (n == 0 || n > CONVERT_TS_MAX)
		return errbuf_fail(why, len, "%zu %s traffic selectors (1 to %d)", n,
			    side, CONVERT_TS_MAX);
	for (size_t i = 0; i < n; i++)
		if (convert_ts(in[i], &out[i], why, len) < 0)
			return -1;
	return 0;
}

int convert_policy(const Cygnet__PolicyConfig *in, const struct owner *o,
		   struct convert_policy_set *out, char *why, size_t len)
{
	struct policy_set *set = &out->set;

	memset(out, 0, sizeof(*out));
	if (convert_mode(in->mode, &set->mode, why, len) < 0 ||
	    convert_proto(in->protocol, &set->proto, why, len) < 0 ||
	    check_reqid(in->reqid, o, why, len) < 0)
		return -1;
	if (set->mode == XFRM_MODE_TUNNEL &&
	    (convert_addr(in->local, &set->local, "local", why, len) < 0 ||
	     convert_addr(in->remote, &set->remote, "remote", why, len) < 0 ||
	     check_families(&set->local, &set->remote, why, len) < 0))
		return -1;
	if (convert_ts_list(in->local_ts, in->n_local_ts, out->local_ts,
			    "local", why, len) < 0 ||
	    convert_ts_list(in->remote_ts, in->n_remote_ts, out->remote_ts,
			    "remote", why, len) < 0)
		return -1;
	set->local_ts = out->local_ts;
	set->n_local = in->n_local_ts;
	set->remote_ts = out->remote_ts;
	set->n_remote = in->n_remote_ts;
	set->reqid = in->reqid;
	set->priority = in->priority;
	convert_mark(in->mark, &set->mark);
	set->if_id = in->if_id;
	return 0;
}

void convert_addr_out(const struct knl_addr *in, Cygnet__Address *out)
{
	cygnet__address__init(out);
	out->ip.data = (uint8_t *)in->ip;
	out->ip.len = in->family == AF_INET6 ? 16 : 4;
	out->port = in->port;
}

void convert_ts_out(const struct knl_ts *in, Cygnet__TrafficSelector *out)
{
	size_t alen = in->family == AF_INET6 ? 16 : 4;

	cygnet__traffic_selector__init(out);
	out->ip_protocol = in->proto;
	out->start_port = in->from_port;
	out->end_port = in->to_port;
	out->start_addr.data = (uint8_t *)in->from;
	out->start_addr.len = alen;
	out->end_addr.data = (uint8_t *)in->to;
	out->end_addr.len = alen;
}

void convert_usage_out(const struct knl_usage *in, Cygnet__SaUsage *out)
{
	cygnet__sa_usage__init(out);
	out->bytes = in->bytes;
	out->packets = in->packets;
	out->add_time = in->add_time;
	out->use_time = in->use_time;
	out->last_used = in->last_used;
}

static Cygnet__IpsecMode mode_out(uint8_t mode)
{
	switch (mode) {
	case XFRM_MODE_TUNNEL:
		return CYGNET__IPSEC_MODE__IPSEC_MODE_TUNNEL;
	case XFRM_MODE_TRANSPORT:
		return CYGNET__IPSEC_MODE__IPSEC_MODE_TRANSPORT;
	default:
		return CYGNET__IPSEC_MODE__IPSEC_MODE_NONE;
	}
}

static void lifetime_out(const struct knl_lifetime *in, Cygnet__Lifetime *out)
{
	cygnet__lifetime__init(out);
	out->soft_seconds = in->soft_seconds;
	out->hard_seconds = in->hard_seconds;
	out->soft_bytes = in->soft_bytes;
	out->hard_bytes = in->hard_bytes;
	out->soft_packets = in->soft_packets;
	out->hard_packets = in->hard_packets;
}

static void mark_out(const struct knl_mark *in, Cygnet__Mark *out)
{
	cygnet__mark__init(out);
	out->value = in->value;
	out->mask = in->mask;
}

void convert_sa_out(const struct knl_sa_info *in, struct convert_sa_out *out)
{
	const struct knl_sa *sa = &in->sa;
	Cygnet__SaConfig *c = &out->config;

	cygnet__sa_entry__init(&out->entry);
	cygnet__sa_config__init(c);
	convert_addr_out(&sa->src, &out->src);
	convert_addr_out(&sa->dst, &out->dst);
	convert_usage_out(&in->usage, &out->usage);
	lifetime_out(&sa->lifetime, &out->lifetime);
	mark_out(&sa->mark, &out->mark);
	c->src = &out->src;
	c->dst = &out->dst;
	c->spi = sa->spi;
	c->protocol = sa->proto;
	c->reqid = sa->reqid;
	c->mode = mode_out(sa->mode);
	c->encr_id = sa->encr ? sa->encr->ike_id : 0;
	c->encr_key_length = sa->encr_key_bits;
	c->integ_id = sa->integ ? sa->integ->ike_id : 0;
	c->udp_encap = sa->udp_encap;
	c->replay_window = sa->replay_window;
	c->esn = sa->esn;
	c->lifetime = &out->lifetime;
	c->mark = &out->mark;
	c->if_id = sa->if_id;
	if (sa->has_ts) {
		convert_ts_out(&sa->src_ts, &out->src_ts);
		convert_ts_out(&sa->dst_ts, &out->dst_ts);
		c->src_ts = &out->src_ts;
		c->dst_ts = &out->dst_ts;
	}
	out->entry.config = c;
	out->entry.usage = &out->usage;
	out->entry.larval = in->larval;
}

static Cygnet__PolicyDir dir_out(uint8_t dir)
{
	switch (dir) {
	case XFRM_POLICY_OUT:
		return CYGNET__POLICY_DIR__POLICY_DIR_OUT;
	case XFRM_POLICY_FWD:
		return CYGNET__POLICY_DIR__POLICY_DIR_FWD;
	default:
		return CYGNET__POLICY_DIR__POLICY_DIR_IN;
	}
}

void convert_policy_out(const struct knl_policy *in,
			struct convert_policy_out *out)
{
	Cygnet__PolicyEntry *e = &out->entry;

	cygnet__policy_entry__init(e);
	selector_to_ts(&in->sel, true, &out->src);
	selector_to_ts(&in->sel, false, &out->dst);
	convert_ts_out(&out->src, &out->src_ts);
	convert_ts_out(&out->dst, &out->dst_ts);
	mark_out(&in->mark, &out->mark);
	e->src_ts = &out->src_ts;
	e->dst_ts = &out->dst_ts;
	e->dir = dir_out(in->dir);
	e->priority = in->priority;
	e->reqid = in->reqid;
	e->mode = in->has_tmpl ? mode_out(in->mode)
			       : CYGNET__IPSEC_MODE__IPSEC_MODE_NONE;
	e->bypass = !in->has_tmpl;
	e->mark = &out->mark;
	e->if_id = in->if_id;
}
