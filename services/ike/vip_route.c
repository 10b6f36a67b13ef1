#include "ike/vip_route.h"

#include <stdbool.h>
#include <string.h>

#include "ike/child_kernel.h"
#include "kernel.pb-c.h"
#include "log.h"

#define KERNEL_TIMEOUT_MS 3000

size_t vip_route_subnet(const struct ts *ts, uint8_t *net,
			uint8_t *prefixlen)
{
	size_t len = ts_addr_len(ts);
	unsigned int bits = 0;

	while (bits < len * 8) {
		uint8_t mask = (uint8_t)(0x80 >> (bits % 8));

		if ((ts->start[bits / 8] & mask) != (ts->end[bits / 8] & mask))
			break;
		bits++;
	}
	memset(net, 0, len);
	memcpy(net, ts->start, bits / 8);
	if (bits % 8)
		net[bits / 8] = (uint8_t)(ts->start[bits / 8] &
					  (0xff << (8 - bits % 8)));
	*prefixlen = (uint8_t)bits;
	return len;
}

static const struct ike_sa_vip *vip_of_family(const struct ike_sa *sa,
					      size_t len)
{
	for (size_t i = 0; i < sa->n_own_vips; i++)
		if (sa->own_vips[i].addr_len == len)
			return &sa->own_vips[i];
	return NULL;
}

static void route_call(struct ike_service *svc, const struct ike_sa *sa,
		       const struct ts *ts, uint32_t method)
{
	Cygnet__RouteRequest req = CYGNET__ROUTE_REQUEST__INIT;
	Cygnet__Address dst = CYGNET__ADDRESS__INIT, src = CYGNET__ADDRESS__INIT;
	Cygnet__Address peer;
	const struct ike_sa_vip *vip;
	uint8_t net[16], prefixlen, peer_ip[16];
	size_t len = vip_route_subnet(ts, net, &prefixlen);
	struct rpc_result res;

	child_kernel_address(&sa->remote, peer_ip, &peer);
	vip = vip_of_family(sa, len);
	/* A family without our VIP, or a peer of the other family (the
	 * route to it decides the interface). */
	if (!vip || peer.ip.len != len)
		return;
	peer.port = 0;
	dst.ip = (ProtobufCBinaryData){ len, net };
	src.ip = (ProtobufCBinaryData){ len, (uint8_t *)vip->addr };
	req.dst = &dst;
	req.prefixlen = prefixlen;
	req.src = &src;
	req.peer = &peer;
	rpc_call(svc->kernel, method, &req.base, &cygnet__empty__descriptor,
		 KERNEL_TIMEOUT_MS, &res);
	if (res.status != CYGNET__RPC_STATUS__RPC_OK) {
		DBG1(LOG_KNL, "%s", res.error);
		return;
	}
	protobuf_c_message_free_unpacked(res.reply, NULL);
}

void vip_route_install(struct ike_service *svc, const struct ike_sa *sa,
		       const struct child_sa *child)
{
	for (size_t i = 0; i < child->n_remote_ts && sa->n_own_vips; i++)
		route_call(svc, sa, &child->remote_ts[i],
			   CYGNET__KERNEL_METHOD__KERNEL_ADD_ROUTE);
}

static bool same_subnet(const struct ts *a, const struct ts *b)
{
	uint8_t net_a[16], net_b[16], len_a, len_b;
	size_t n = vip_route_subnet(a, net_a, &len_a);

	return vip_route_subnet(b, net_b, &len_b) == n && len_a == len_b &&
	       memcmp(net_a, net_b, n) == 0;
}

static bool still_needed(const struct ike_sa *sa, const struct ts *ts)
{
	for (size_t c = 0; c < sa->n_children; c++) {
		const struct child_sa *other = &sa->children[c];

		if (!other->policies)
			continue;
		for (size_t i = 0; i < other->n_remote_ts; i++)
			if (same_subnet(&other->remote_ts[i], ts))
				return true;
	}
	return false;
}

void vip_route_remove(struct ike_service *svc, const struct ike_sa *sa,
		      const struct child_sa *child)
{
	for (size_t i = 0; i < child->n_remote_ts && sa->n_own_vips; i++)
		if (!still_needed(sa, &child->remote_ts[i]))
			route_call(svc, sa, &child->remote_ts[i],
				   CYGNET__KERNEL_METHOD__KERNEL_DEL_ROUTE);
}
