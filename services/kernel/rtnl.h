/* One NETLINK_ROUTE request on a socket of its own (addresses, routes
 * and rules change once per IKE_SA or CHILD_SA, not per packet). */
#ifndef CYGNET_KERNEL_RTNL_H
#define CYGNET_KERNEL_RTNL_H

#include <libmnl/libmnl.h>
#include <stddef.h>

/* Sends nlh and reads the answer, each message of it through cb(data)
 * (NULL for a request answered by an ack only).  Returns 0, the
 * kernel's errno, or ETIMEDOUT after 2 s without an answer. */
int rtnl_request(struct nlmsghdr *nlh, mnl_cb_t cb, void *data);

/* "why (errno N NAME)" for the errno rc of a request into err. */
void rtnl_describe(int rc, char *err, size_t errlen);

#endif
