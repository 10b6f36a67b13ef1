/* Virtual IP methods: the interface is resolved here (by name or by the
 * local address on it), the address added or removed by vip.c. */
#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>

#include "log.h"
#include "kernel/convert.h"
#include "kernel/methods.h"
#include "kernel/vip.h"

/* The VIP and its interface from a request; -1 (answered) when bad. */
static int vip_from_request(const Cygnet__VipRequest *in,
			    struct knl_vip *out, struct rpc_reply *reply)
{
	struct knl_addr vip, local;
	char why[256];

	memset(out, 0, sizeof(*out));
	if (convert_addr(in->vip, &vip, "virtual", why, sizeof(why)) < 0) {
		rpc_reply_error(reply, BAD_REQUEST, "%s", why);
		return -1;
	}
	out->len = vip.family == AF_INET ? 4 : 16;
	memcpy(out->addr, vip.ip, out->len);
	if (in->interface && in->interface[0]) {
		out->ifindex = if_nametoindex(in->interface);
		if (!out->ifindex)
			rpc_reply_error(reply, BAD_REQUEST,
					"no interface '%s'", in->interface);
	} else if (convert_addr(in->local, &local, "local", why,
				sizeof(why)) < 0) {
		rpc_reply_error(reply, BAD_REQUEST, "%s", why);
	} else {
		out->ifindex = vip_ifindex_of(local.ip, local.family ==
						       AF_INET ? 4 : 16);
		if (!out->ifindex)
			rpc_reply_error(reply, FAILED, "no interface found "
					"with the local address");
	}
	return out->ifindex ? 0 : -1;
}

static void apply(void *ctx, const ProtobufCMessage *msg,
		  struct rpc_reply *reply, uint16_t type)
{
	const Cygnet__VipRequest *in = (const void *)msg;
	struct knl_vip vip;
	char err[256], text[INET6_ADDRSTRLEN], ifname[IF_NAMESIZE] = "";
	const char *what = type == RTM_NEWADDR ? "adding" : "removing";

	if (!methods_available(ctx, reply) ||
	    vip_from_request(in, &vip, reply) < 0)
		return;
	inet_ntop(vip.len == 4 ? AF_INET : AF_INET6, vip.addr, text,
		  sizeof(text));
	if_indextoname(vip.ifindex, ifname);
	if (vip_apply(type, &vip, err, sizeof(err)) < 0) {
		DBG1(LOG_KNL, "%s virtual IP %s on %s failed: %s", what, text,
		     ifname, err);
		rpc_reply_error(reply, FAILED, "%s virtual IP %s on %s "
				"failed: %s", what, text, ifname, err);
		return;
	}
	DBG2(LOG_KNL, "%s virtual IP %s on %s", what, text, ifname);
	methods_reply_empty(reply);
}

void methods_add_vip(void *ctx, const ProtobufCMessage *msg,
		     struct rpc_reply *reply)
{
	apply(ctx, msg, reply, RTM_NEWADDR);
}

void methods_del_vip(void *ctx, const ProtobufCMessage *msg,
		     struct rpc_reply *reply)
{
	apply(ctx, msg, reply, RTM_DELADDR);
}
