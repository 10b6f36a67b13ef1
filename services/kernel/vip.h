/* Virtual IPs the IKE service obtained as an initiator, as addresses on
 * an interface (NETLINK_ROUTE, RTM_NEWADDR/RTM_DELADDR).  XFRM needs no
 * route: traffic sent from the VIP matches the policies whose local
 * selector is the VIP. */
#ifndef CYGNET_KERNEL_VIP_H
#define CYGNET_KERNEL_VIP_H

#include <linux/netlink.h>
#include <stddef.h>
#include <stdint.h>

struct knl_vip {
	uint8_t addr[16];
	size_t len;		/* 4 or 16 */
	unsigned int ifindex;
};

/* RTM_NEWADDR (create, replace nothing) or RTM_DELADDR for vip in
 * buf[0..size), with the request and ack flags; NULL when it does not
 * fit or the address length is wrong. */
struct nlmsghdr *vip_build(void *buf, size_t size, uint16_t type,
			   const struct knl_vip *vip);

/* The index of the interface holding address local[0..len), 0 if none. */
unsigned int vip_ifindex_of(const uint8_t *local, size_t len);

/* Adds (RTM_NEWADDR) or removes (RTM_DELADDR) vip; an address already
 * there (add) or gone (delete) is success.  Returns 0, or -1 with the
 * kernel's error in err. */
int vip_apply(uint16_t type, const struct knl_vip *vip, char *err,
	      size_t errlen);

#endif
