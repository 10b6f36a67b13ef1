#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <netinet/in.h>
#include <string.h>

#include "parse.h"
#include "policy.h"
#include "selector.h"

size_t policy_expand_max(const struct policy_set *set)
{
	return set->n_local * set->n_remote * 3;
}

static void fill_tmpl(struct knl_policy *p, const struct policy_set *set,
		      const struct knl_addr *src, const struct knl_addr *dst)
{
	p->has_tmpl = true;
	p->tmpl_proto = set->proto;
	p->mode = set->mode;
	p->reqid = set->reqid;
	p->mark = set->mark;
	p->if_id = set->if_id;
	if (set->mode == XFRM_MODE_TUNNEL) {
		p->tmpl_src = *src;
		p->tmpl_dst = *dst;
	} else {
		/* transport mode templates match any address pair */
		memset(&p->tmpl_src, 0, sizeof(p->tmpl_src));
		memset(&p->tmpl_dst, 0, sizeof(p->tmpl_dst));
		p->tmpl_src.family = p->tmpl_dst.family = p->sel.family;
	}
}

static void fill_dir(struct knl_policy *p, const struct policy_set *set,
		     uint8_t dir, const struct knl_ts *src_ts,
		     const struct knl_ts *dst_ts)
{
	bool out = dir == XFRM_POLICY_OUT;

	memset(p, 0, sizeof(*p));
	selector_from_ts(&p->sel, src_ts, dst_ts);
	p->dir = dir;
	p->priority = set->priority ? set->priority
		      : selector_priority(&p->sel, SELECTOR_PRIO_DEFAULT);
	fill_tmpl(p, set, out ? &set->local : &set->remote,
		  out ? &set->remote : &set->local);
}

size_t policy_expand(const struct policy_set *set, struct knl_policy *out)
{
	size_t n = 0;

	for (size_t l = 0; l < set->n_local; l++) {
		for (size_t r = 0; r < set->n_remote; r++) {
			const struct knl_ts *lts = &set->local_ts[l];
			const struct knl_ts *rts = &set->remote_ts[r];

			if (lts->family != rts->family)
				continue;
			fill_dir(&out[n++], set, XFRM_POLICY_OUT, lts, rts);
			fill_dir(&out[n++], set, XFRM_POLICY_IN, rts, lts);
			fill_dir(&out[n++], set, XFRM_POLICY_FWD, rts, lts);
		}
	}
	return n;
}

static void fill_bypass(struct knl_policy *p, uint16_t family, uint8_t dir,
			uint16_t port)
{
	memset(p, 0, sizeof(*p));
	p->sel.family = family;
	p->sel.proto = IPPROTO_UDP;
	if (dir == XFRM_POLICY_OUT) {
		p->sel.sport = htons(port);
		p->sel.sport_mask = 0xffff;
	} else {
		p->sel.dport = htons(port);
		p->sel.dport_mask = 0xffff;
	}
	p->dir = dir;
	p->priority = selector_priority(&p->sel, SELECTOR_PRIO_PASS);
}

size_t policy_bypass(uint16_t port, struct knl_policy out[4])
{
	fill_bypass(&out[0], AF_INET, XFRM_POLICY_OUT, port);
	fill_bypass(&out[1], AF_INET, XFRM_POLICY_IN, port);
	fill_bypass(&out[2], AF_INET6, XFRM_POLICY_OUT, port);
	fill_bypass(&out[3], AF_INET6, XFRM_POLICY_IN, port);
	return 4;
}

bool policy_is_bypass(const struct knl_policy *p, const uint16_t *ports,
		      size_t n_ports)
{
	struct knl_policy shape[4];

	if (p->has_tmpl)
		return false;
	for (size_t i = 0; i < n_ports; i++) {
		policy_bypass(ports[i], shape);
		for (size_t k = 0; k < 4; k++)
			if (policy_equal(p, &shape[k]))
				return true;
	}
	return false;
}

/* The kernel leaves ifindex/user as we set them (0); compare the fields
 * that select traffic. */
static bool same_selector(const struct xfrm_selector *a,
			  const struct xfrm_selector *b)
{
	return a->family == b->family && a->proto == b->proto &&
	       a->prefixlen_s == b->prefixlen_s &&
	       a->prefixlen_d == b->prefixlen_d &&
	       !memcmp(&a->saddr, &b->saddr, sizeof(a->saddr)) &&
	       !memcmp(&a->daddr, &b->daddr, sizeof(a->daddr)) &&
	       a->sport == b->sport && a->sport_mask == b->sport_mask &&
	       a->dport == b->dport && a->dport_mask == b->dport_mask &&
	       a->ifindex == b->ifindex;
}

bool policy_same_slot(const struct knl_policy *a, const struct knl_policy *b)
{
	return same_selector(&a->sel, &b->sel) && a->dir == b->dir &&
	       a->mark.value == b->mark.value && a->mark.mask == b->mark.mask &&
	       a->if_id == b->if_id;
}

static bool same_addr(const struct knl_addr *a, const struct knl_addr *b)
{
	return !memcmp(a->ip, b->ip, sizeof(a->ip));
}

bool policy_equal(const struct knl_policy *a, const struct knl_policy *b)
{
	if (!policy_same_slot(a, b) || a->priority != b->priority ||
	    a->has_tmpl != b->has_tmpl)
		return false;
	if (!a->has_tmpl)
		return true;
	return a->reqid == b->reqid && a->mode == b->mode &&
	       a->tmpl_proto == b->tmpl_proto &&
	       same_addr(&a->tmpl_src, &b->tmpl_src) &&
	       same_addr(&a->tmpl_dst, &b->tmpl_dst);
}

static void put_mark(struct nlmsghdr *nlh, const struct knl_policy *p)
{
	if (p->mark.mask) {
		struct xfrm_mark m = { .v = p->mark.value, .m = p->mark.mask };
		mnl_attr_put(nlh, XFRMA_MARK, sizeof(m), &m);
	}
	if (p->if_id)
		mnl_attr_put_u32(nlh, XFRMA_IF_ID, p->if_id);
}

static void put_tmpl(struct nlmsghdr *nlh, const struct knl_policy *p)
{
	struct xfrm_user_tmpl tmpl;

	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.family = p->tmpl_src.family;
	memcpy(&tmpl.saddr, p->tmpl_src.ip, sizeof(p->tmpl_src.ip));
	memcpy(&tmpl.id.daddr, p->tmpl_dst.ip, sizeof(p->tmpl_dst.ip));
	tmpl.id.proto = p->tmpl_proto;
	tmpl.reqid = p->reqid;
	tmpl.mode = p->mode;
	tmpl.aalgos = ~0u;
	tmpl.ealgos = ~0u;
	tmpl.calgos = ~0u;
	mnl_attr_put(nlh, XFRMA_TMPL, sizeof(tmpl), &tmpl);
}

struct nlmsghdr *policy_build(void *buf, const struct knl_policy *p)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct xfrm_userpolicy_info *info;

	nlh->nlmsg_type = XFRM_MSG_UPDPOLICY;
	info = mnl_nlmsg_put_extra_header(nlh, sizeof(*info));
	info->sel = p->sel;
	info->lft.soft_byte_limit = XFRM_INF;
	info->lft.hard_byte_limit = XFRM_INF;
	info->lft.soft_packet_limit = XFRM_INF;
	info->lft.hard_packet_limit = XFRM_INF;
	info->priority = p->priority;
	info->dir = p->dir;
	info->action = XFRM_POLICY_ALLOW;
	info->share = XFRM_SHARE_ANY;
	if (p->has_tmpl)
		put_tmpl(nlh, p);
	put_mark(nlh, p);
	return nlh;
}

struct nlmsghdr *policy_build_id(void *buf, uint16_t type,
				 const struct knl_policy *p)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct xfrm_userpolicy_id *id;

	nlh->nlmsg_type = type;
	id = mnl_nlmsg_put_extra_header(nlh, sizeof(*id));
	id->sel = p->sel;
	id->dir = p->dir;
	put_mark(nlh, p);
	return nlh;
}

int policy_install(struct nl_sock *nl, const struct knl_policy *p,
		   struct nl_error *err)
{
	uint8_t buf[1024];

	return nl_request(nl, policy_build(buf, p), NULL, NULL, err);
}

int policy_delete(struct nl_sock *nl, const struct knl_policy *p,
		  struct nl_error *err)
{
	uint8_t buf[1024];

	return nl_request(nl, policy_build_id(buf, XFRM_MSG_DELPOLICY, p), NULL,
			  NULL, err);
}

static int parse_policy_reply(const struct nlmsghdr *nlh, void *out)
{
	return parse_policy(nlh, out);
}

int policy_query(struct nl_sock *nl, const struct knl_policy *p,
		 struct knl_policy *out, struct nl_error *err)
{
	uint8_t buf[1024];

	return nl_get(nl, policy_build_id(buf, XFRM_MSG_GETPOLICY, p),
		      XFRM_MSG_NEWPOLICY, parse_policy_reply, out, ENOENT, err);
}
