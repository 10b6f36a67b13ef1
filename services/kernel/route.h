/* Source routes for the virtual IPs we hold as an initiator, as charon
 * installs them: in a routing table of their own (220) consulted by one
 * rule (priority 220) per family, a route to each remote traffic
 * selector with our virtual IP as the preferred source, over the
 * interface and gateway of the current route to the IKE peer.  Without
 * it only traffic sent from the VIP explicitly would match the policies. */
#ifndef CYGNET_KERNEL_ROUTE_H
#define CYGNET_KERNEL_ROUTE_H

#include <linux/netlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct knl_next_hop {
	unsigned int ifindex;		/* 0 = none found */
	bool has_gateway;
	uint8_t gateway[16];
};

struct knl_route {
	size_t len;			/* 4 or 16, all addresses */
	uint8_t dst[16];
	uint8_t prefixlen;
	uint8_t src[16];		/* our virtual IP */
	struct knl_next_hop via;
	uint32_t table;
};

/* RTM_NEWROUTE (create, keep an existing one) or RTM_DELROUTE for r in
 * buf[0..size); NULL when it does not fit or r is malformed.  A route to
 * delete may come without next hop (r->via zero). */
struct nlmsghdr *route_build(void *buf, size_t size, uint16_t type,
			     const struct knl_route *r);

/* RTM_NEWRULE (create, keep an existing one) "lookup table priority
 * prio" for family AF_INET or AF_INET6; NULL when it does not fit. */
struct nlmsghdr *route_rule_build(void *buf, size_t size, int family,
				  uint32_t table, uint32_t prio);

/* RTM_GETROUTE for the host addr[0..len). */
struct nlmsghdr *route_get_build(void *buf, size_t size, const uint8_t *addr,
				 size_t len);

/* The interface and gateway of an RTM_NEWROUTE answer nlh (of
 * nlh->nlmsg_len bytes, already checked by libmnl) into hop; -1 when it
 * is not a route of family len or holds malformed attributes. */
int route_parse_next_hop(const struct nlmsghdr *nlh, size_t len,
			 struct knl_next_hop *hop);

/* hop of the current route to peer[0..len); -1 with the reason in err. */
int route_lookup(const uint8_t *peer, size_t len, struct knl_next_hop *hop,
		 char *err, size_t errlen);

/* Adds r (and the rule for its family and table, priority prio) or
 * removes r (type RTM_DELROUTE; the rule stays, as charon's).  A route
 * or rule already there (add) or gone (delete) is success.  Returns 0,
 * or -1 with the kernel's error in err. */
int route_apply(uint16_t type, const struct knl_route *r, uint32_t prio,
		char *err, size_t errlen);

#endif
