/* Decoding of what the kernel sends: SA and policy messages (dumps,
 * GETSA replies) and the EXPIRE / ACQUIRE events.  Every length is
 * checked before it is read; a malformed message returns -1. */
#ifndef CYGNET_KERNEL_PARSE_H
#define CYGNET_KERNEL_PARSE_H

#include <linux/netlink.h>

#include "knl.h"

/* XFRM_MSG_NEWSA (dump entry, GETSA or ALLOCSPI reply).  Keys are never
 * copied out. */
int parse_sa(const struct nlmsghdr *nlh, struct knl_sa_info *out);
/* parse_sa in the shape nl_get takes (OUT is a struct knl_sa_info). */
int parse_sa_reply(const struct nlmsghdr *nlh, void *out);
/* XFRM_MSG_NEWPOLICY (dump entry). */
int parse_policy(const struct nlmsghdr *nlh, struct knl_policy *out);

struct knl_expire {
	struct knl_sa_info sa;
	bool hard;
};
int parse_expire(const struct nlmsghdr *nlh, struct knl_expire *out);

struct knl_acquire {
	uint32_t reqid;		/* from the policy's template */
	uint8_t proto;
	struct knl_ts src_ts;
	struct knl_ts dst_ts;
};
int parse_acquire(const struct nlmsghdr *nlh, struct knl_acquire *out);

#endif
