/* libFuzzer target for everything cygnet-kernel decodes from the kernel:
 * SA and policy dump entries, EXPIRE and ACQUIRE events, the route
 * answer of a next-hop lookup (both families).  The input is a
 * netlink datagram; each message is decoded as what its type says, and
 * additionally forced through every decoder under every XFRM type so
 * that all length checks see every shape. */
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/monitor.h"
#include "kernel/netlink.h"
#include "kernel/parse.h"
#include "kernel/route.h"

static void on_expire(void *arg, const struct knl_expire *ev)
{
	(void)arg;
	(void)ev;
}

static void on_acquire(void *arg, const struct knl_acquire *ev)
{
	(void)arg;
	(void)ev;
}

static void decode_all(struct nlmsghdr *nlh)
{
	static const uint16_t types[] = {
		XFRM_MSG_NEWSA, XFRM_MSG_NEWPOLICY, XFRM_MSG_EXPIRE,
		XFRM_MSG_ACQUIRE,
	};
	uint16_t orig = nlh->nlmsg_type;
	struct knl_sa_info sa;
	struct knl_policy pol;
	struct knl_expire exp;
	struct knl_acquire acq;
	struct knl_next_hop hop;

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		nlh->nlmsg_type = types[i];
		parse_sa(nlh, &sa);
		parse_policy(nlh, &pol);
		parse_expire(nlh, &exp);
		parse_acquire(nlh, &acq);
	}
	nlh->nlmsg_type = RTM_NEWROUTE;
	route_parse_next_hop(nlh, 4, &hop);
	route_parse_next_hop(nlh, 16, &hop);
	nlh->nlmsg_type = orig;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct monitor_ops ops = { on_expire, on_acquire, NULL };
	uint8_t *buf;
	struct nlmsghdr *nlh;
	int left;

	if (size > NL_BUFSIZE)
		return 0;
	/* netlink buffers are 4-byte aligned in the kernel's replies */
	buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	monitor_dispatch(&ops, buf, size);
	nlh = (struct nlmsghdr *)buf;
	left = (int)size;
	while (nl_msg_ok(nlh, left)) {
		decode_all(nlh);
		nlh = mnl_nlmsg_next(nlh, &left);
	}
	free(buf);
	return 0;
}
