/* Source route methods: the request checked (one family throughout), the
 * next hop to the peer looked up, the route added or removed by route.c
 * in the configured table. */
#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "kernel/convert.h"
#include "kernel/methods.h"
#include "kernel/route.h"

static int family_addr(const Cygnet__Address *in, const char *what,
		       int family, uint8_t *out, char *why, size_t len)
{
	struct knl_addr a;

	if (convert_addr(in, &a, what, why, len) < 0)
		return -1;
	if (family && a.family != family) {
		snprintf(why, len, "%s address of another family", what);
		return -1;
	}
	memcpy(out, a.ip, a.family == AF_INET ? 4 : 16);
	return a.family;
}

/* The route of a request without its next hop; -1 (answered) if bad. */
static int route_from_request(const Cygnet__RouteRequest *in,
			      struct knl_route *out, uint8_t *peer,
			      struct rpc_reply *reply)
{
	char why[256];
	int family;

	memset(out, 0, sizeof(*out));
	family = family_addr(in->src, "source", 0, out->src, why, sizeof(why));
	if (family < 0 ||
	    family_addr(in->dst, "destination", family, out->dst, why,
			sizeof(why)) < 0 ||
	    family_addr(in->peer, "peer", family, peer, why, sizeof(why)) < 0) {
		rpc_reply_error(reply, BAD_REQUEST, "%s", why);
		return -1;
	}
	out->len = family == AF_INET ? 4 : 16;
	if (in->prefixlen > out->len * 8) {
		rpc_reply_error(reply, BAD_REQUEST, "prefix length %u too long",
				in->prefixlen);
		return -1;
	}
	out->prefixlen = (uint8_t)in->prefixlen;
	return 0;
}

static void text_of(const struct knl_route *r, const uint8_t *addr,
		    char *buf)
{
	inet_ntop(r->len == 4 ? AF_INET : AF_INET6, addr, buf,
		  INET6_ADDRSTRLEN);
}

/* Needs no route to the peer: its interface may be gone by now. */
static void delete_route(const struct knl_route *r, const char *dst,
			 const char *src, struct rpc_reply *reply)
{
	char err[256];

	if (route_apply(RTM_DELROUTE, r, 0, err, sizeof(err)) < 0) {
		DBG1(LOG_KNL, "removing route %s/%u src %s failed: %s", dst,
		     r->prefixlen, src, err);
		rpc_reply_error(reply, FAILED, "removing route %s/%u src %s "
				"failed: %s", dst, r->prefixlen, src, err);
		return;
	}
	methods_reply_empty(reply);
}

static void apply(void *ctx, const ProtobufCMessage *msg,
		  struct rpc_reply *reply, uint16_t type)
{
	struct kernel_service *svc = ctx;
	struct knl_route r;
	uint8_t peer[16];
	uint32_t prio;
	char err[256], dst[INET6_ADDRSTRLEN], src[INET6_ADDRSTRLEN],
	     gw[INET6_ADDRSTRLEN] = "(null)", dev[IF_NAMESIZE] = "";

	if (!methods_available(svc, reply) ||
	    route_from_request((const void *)msg, &r, peer, reply) < 0)
		return;
	pthread_mutex_lock(&svc->lock);
	r.table = svc->cfg.routing_table;
	prio = svc->cfg.routing_table_prio;
	pthread_mutex_unlock(&svc->lock);
	text_of(&r, r.dst, dst);
	text_of(&r, r.src, src);
	if (type == RTM_DELROUTE) {
		delete_route(&r, dst, src, reply);
		return;
	}
	if (route_lookup(peer, r.len, &r.via, err, sizeof(err)) < 0) {
		DBG1(LOG_KNL, "unable to install source route for %s", src);
		rpc_reply_error(reply, FAILED, "route to the peer of %s/%u: %s",
				dst, r.prefixlen, err);
		return;
	}
	if (r.via.has_gateway)
		text_of(&r, r.via.gateway, gw);
	if_indextoname(r.via.ifindex, dev);
	DBG2(LOG_KNL, "installing route: %s/%u via %s src %s dev %s", dst,
	     r.prefixlen, gw, src, dev);
	if (route_apply(RTM_NEWROUTE, &r, prio, err, sizeof(err)) < 0) {
		DBG1(LOG_KNL, "unable to install source route for %s", src);
		rpc_reply_error(reply, FAILED, "adding route %s/%u src %s "
				"failed: %s", dst, r.prefixlen, src, err);
		return;
	}
	methods_reply_empty(reply);
}

void methods_add_route(void *ctx, const ProtobufCMessage *msg,
		       struct rpc_reply *reply)
{
	apply(ctx, msg, reply, RTM_NEWROUTE);
}

void methods_del_route(void *ctx, const ProtobufCMessage *msg,
		       struct rpc_reply *reply)
{
	apply(ctx, msg, reply, RTM_DELROUTE);
}
