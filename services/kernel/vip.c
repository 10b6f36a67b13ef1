/* Virtual IP addresses on interfaces over a NETLINK_ROUTE socket opened
 * per request (VIPs change once per IKE_SA, not per packet). */
#include "kernel/vip.h"
#include "kernel/rtnl.h"

#include <errno.h>
#include <ifaddrs.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#define VIP_MSG_MAX 256

static size_t attr_space(size_t len)
{
	return MNL_ALIGN(MNL_ATTR_HDRLEN + len);
}

struct nlmsghdr *vip_build(void *buf, size_t size, uint16_t type,
			   const struct knl_vip *vip)
{
	size_t need = MNL_ALIGN(sizeof(struct nlmsghdr)) +
		      MNL_ALIGN(sizeof(struct ifaddrmsg)) +
		      2 * attr_space(vip->len);
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;

	if ((vip->len != 4 && vip->len != 16) || !buf || size < need ||
	    (type != RTM_NEWADDR && type != RTM_DELADDR))
		return NULL;
	memset(buf, 0, need);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	if (type == RTM_NEWADDR)
		nlh->nlmsg_flags |= NLM_F_CREATE | NLM_F_EXCL;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = vip->len == 4 ? AF_INET : AF_INET6;
	ifa->ifa_prefixlen = vip->len * 8;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = vip->ifindex;
	/* The VIP is ours alone: duplicate detection would only hold it
	 * back (tentative) for a second. */
	if (vip->len == 16)
		ifa->ifa_flags = IFA_F_NODAD;
	mnl_attr_put(nlh, IFA_LOCAL, vip->len, vip->addr);
	mnl_attr_put(nlh, IFA_ADDRESS, vip->len, vip->addr);
	return nlh;
}

static const void *sockaddr_bytes(const struct sockaddr *sa, size_t *len)
{
	if (sa->sa_family == AF_INET) {
		*len = 4;
		return &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	}
	if (sa->sa_family == AF_INET6) {
		*len = 16;
		return &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	}
	*len = 0;
	return NULL;
}

unsigned int vip_ifindex_of(const uint8_t *local, size_t len)
{
	struct ifaddrs *all, *i;
	unsigned int index = 0;

	if (getifaddrs(&all) < 0)
		return 0;
	for (i = all; i && !index; i = i->ifa_next) {
		size_t alen;
		const void *a;

		if (!i->ifa_addr)
			continue;
		a = sockaddr_bytes(i->ifa_addr, &alen);
		if (a && alen == len && memcmp(a, local, len) == 0)
			index = if_nametoindex(i->ifa_name);
	}
	freeifaddrs(all);
	return index;
}

int vip_apply(uint16_t type, const struct knl_vip *vip, char *err,
	      size_t errlen)
{
	char buf[VIP_MSG_MAX];
	struct nlmsghdr *nlh = vip_build(buf, sizeof(buf), type, vip);
	int rc;

	if (!nlh) {
		snprintf(err, errlen, "bad virtual IP request");
		return -1;
	}
	rc = rtnl_request(nlh, NULL, NULL);
	if (rc == 0 || (type == RTM_NEWADDR && rc == EEXIST) ||
	    (type == RTM_DELADDR && rc == EADDRNOTAVAIL))
		return 0;
	rtnl_describe(rc, err, errlen);
	return -1;
}
