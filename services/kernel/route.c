#include "kernel/route.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "kernel/rtnl.h"

#define ROUTE_MSG_MAX 256

static size_t attr_space(size_t len)
{
	return MNL_ALIGN(MNL_ATTR_HDRLEN + len);
}

static size_t header_space(size_t extra)
{
	return MNL_ALIGN(sizeof(struct nlmsghdr)) + MNL_ALIGN(extra);
}

static int family_of(size_t len)
{
	return len == 4 ? AF_INET : AF_INET6;
}

/* Header and rtmsg of a route message of family_of(len). */
static struct nlmsghdr *put_rtmsg(void *buf, size_t need, uint16_t type,
				  uint16_t flags, size_t len)
{
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;

	memset(buf, 0, need);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)family_of(len);
	return nlh;
}

struct nlmsghdr *route_build(void *buf, size_t size, uint16_t type,
			     const struct knl_route *r)
{
	size_t need = header_space(sizeof(struct rtmsg)) +
		      (r->via.has_gateway ? 3 : 2) * attr_space(r->len) +
		      (r->via.ifindex ? 2 : 1) * attr_space(sizeof(uint32_t));
	uint16_t flags = NLM_F_ACK;
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;

	/* Deleting needs no next hop: table, destination and source say
	 * which route. */
	if ((r->len != 4 && r->len != 16) || r->prefixlen > r->len * 8 ||
	    (type == RTM_NEWROUTE && !r->via.ifindex) || !r->table || !buf ||
	    size < need || (type != RTM_NEWROUTE && type != RTM_DELROUTE))
		return NULL;
	if (type == RTM_NEWROUTE)
		flags |= NLM_F_CREATE | NLM_F_EXCL;
	nlh = put_rtmsg(buf, need, type, flags, r->len);
	rtm = mnl_nlmsg_get_payload(nlh);
	rtm->rtm_dst_len = r->prefixlen;
	/* Tables above 255 only fit the attribute. */
	rtm->rtm_table = r->table < 256 ? (unsigned char)r->table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put(nlh, RTA_DST, r->len, r->dst);
	mnl_attr_put(nlh, RTA_PREFSRC, r->len, r->src);
	if (r->via.has_gateway)
		mnl_attr_put(nlh, RTA_GATEWAY, r->len, r->via.gateway);
	if (r->via.ifindex)
		mnl_attr_put_u32(nlh, RTA_OIF, r->via.ifindex);
	mnl_attr_put_u32(nlh, RTA_TABLE, r->table);
	return nlh;
}

struct nlmsghdr *route_rule_build(void *buf, size_t size, int family,
				  uint32_t table, uint32_t prio)
{
	size_t need = header_space(sizeof(struct fib_rule_hdr)) +
		      2 * attr_space(sizeof(uint32_t));
	struct nlmsghdr *nlh;
	struct fib_rule_hdr *frh;

	if (!buf || size < need || !table ||
	    (family != AF_INET && family != AF_INET6))
		return NULL;
	memset(buf, 0, need);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWRULE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE |
			   NLM_F_EXCL;
	frh = mnl_nlmsg_put_extra_header(nlh, sizeof(*frh));
	frh->family = (unsigned char)family;
	frh->action = FR_ACT_TO_TBL;
	frh->table = table < 256 ? (unsigned char)table : RT_TABLE_UNSPEC;
	mnl_attr_put_u32(nlh, FRA_TABLE, table);
	mnl_attr_put_u32(nlh, FRA_PRIORITY, prio);
	return nlh;
}

struct nlmsghdr *route_get_build(void *buf, size_t size, const uint8_t *addr,
				 size_t len)
{
	size_t need = header_space(sizeof(struct rtmsg)) + attr_space(len);
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;

	if ((len != 4 && len != 16) || !buf || size < need)
		return NULL;
	nlh = put_rtmsg(buf, need, RTM_GETROUTE, 0, len);
	rtm = mnl_nlmsg_get_payload(nlh);
	rtm->rtm_dst_len = (unsigned char)(len * 8);
	mnl_attr_put(nlh, RTA_DST, len, addr);
	return nlh;
}

struct hop_parse {
	size_t len;
	struct knl_next_hop *hop;
	int bad;
};

static int hop_attr(const struct nlattr *a, void *data)
{
	struct hop_parse *p = data;

	switch (mnl_attr_get_type(a)) {
	case RTA_OIF:
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			p->bad = 1;
		else
			p->hop->ifindex = mnl_attr_get_u32(a);
		break;
	case RTA_GATEWAY:
		if (mnl_attr_get_payload_len(a) != p->len) {
			p->bad = 1;
			break;
		}
		memcpy(p->hop->gateway, mnl_attr_get_payload(a), p->len);
		p->hop->has_gateway = true;
		break;
	}
	return p->bad ? MNL_CB_ERROR : MNL_CB_OK;
}

int route_parse_next_hop(const struct nlmsghdr *nlh, size_t len,
			 struct knl_next_hop *hop)
{
	struct hop_parse p = { len, hop, 0 };
	const struct rtmsg *rtm;

	memset(hop, 0, sizeof(*hop));
	if (nlh->nlmsg_type != RTM_NEWROUTE ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*rtm))
		return -1;
	rtm = mnl_nlmsg_get_payload(nlh);
	if (rtm->rtm_family != family_of(len) ||
	    mnl_attr_parse(nlh, sizeof(*rtm), hop_attr, &p) < 0 || p.bad ||
	    !hop->ifindex) {
		memset(hop, 0, sizeof(*hop));
		return -1;
	}
	return 0;
}

struct lookup {
	size_t len;
	struct knl_next_hop *hop;
	int found;
};

static int lookup_answer(const struct nlmsghdr *nlh, void *data)
{
	struct lookup *l = data;

	l->found = route_parse_next_hop(nlh, l->len, l->hop) == 0;
	return MNL_CB_OK;
}

int route_lookup(const uint8_t *peer, size_t len, struct knl_next_hop *hop,
		 char *err, size_t errlen)
{
	char buf[ROUTE_MSG_MAX];
	struct nlmsghdr *nlh = route_get_build(buf, sizeof(buf), peer, len);
	struct lookup l = { len, hop, 0 };
	int rc;

	if (!nlh) {
		snprintf(err, errlen, "bad peer address");
		return -1;
	}
	rc = rtnl_request(nlh, lookup_answer, &l);
	if (rc) {
		rtnl_describe(rc, err, errlen);
		return -1;
	}
	if (!l.found) {
		snprintf(err, errlen, "no route to the peer");
		return -1;
	}
	return 0;
}

static int ensure_rule(const struct knl_route *r, uint32_t prio, char *err,
		       size_t errlen)
{
	char buf[ROUTE_MSG_MAX];
	struct nlmsghdr *nlh = route_rule_build(buf, sizeof(buf),
						family_of(r->len), r->table,
						prio);
	int rc;

	if (!nlh) {
		snprintf(err, errlen, "bad routing rule");
		return -1;
	}
	rc = rtnl_request(nlh, NULL, NULL);
	if (rc == 0 || rc == EEXIST)
		return 0;
	rtnl_describe(rc, err, errlen);
	return -1;
}

int route_apply(uint16_t type, const struct knl_route *r, uint32_t prio,
		char *err, size_t errlen)
{
	char buf[ROUTE_MSG_MAX];
	struct nlmsghdr *nlh = route_build(buf, sizeof(buf), type, r);
	int rc;

	if (!nlh) {
		snprintf(err, errlen, "bad route request");
		return -1;
	}
	if (type == RTM_NEWROUTE && ensure_rule(r, prio, err, errlen) < 0)
		return -1;
	rc = rtnl_request(nlh, NULL, NULL);
	if (rc == 0 || (type == RTM_NEWROUTE && rc == EEXIST) ||
	    (type == RTM_DELROUTE && rc == ESRCH))
		return 0;
	rtnl_describe(rc, err, errlen);
	return -1;
}
