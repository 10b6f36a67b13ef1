/* Source routes for our virtual IPs: the subnet of a selector range, and
 * the routes a stand-in kernel service is asked to add and remove as
 * CHILD_SAs of an IKE_SA holding virtual IPs come and go (a route stays
 * while another CHILD_SA with policies needs it). */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ike/ts.h"
#include "ike/vip_route.h"
#include "kernel.pb-c.h"
#include "testmain.h"

static struct ts parsed(const char *text)
{
	struct ts ts;
	char err[64];

	ck_assert_int_eq(ts_parse(text, &ts, err, sizeof(err)), 0);
	return ts;
}

START_TEST(subnet_of_a_range)
{
	struct ts ts = parsed("203.0.113.0/24");
	uint8_t net[16], len;

	ck_assert_uint_eq(vip_route_subnet(&ts, net, &len), 4);
	ck_assert_uint_eq(len, 24);
	ck_assert_mem_eq(net, "\xcb\x00\x71\x00", 4);
	/* 192.0.2.1-192.0.2.6: the smallest subnet holding it is /29. */
	ts = parsed("192.0.2.1");
	ts.end[3] = 6;
	ck_assert_uint_eq(vip_route_subnet(&ts, net, &len), 4);
	ck_assert_uint_eq(len, 29);
	ck_assert_mem_eq(net, "\xc0\x00\x02\x00", 4);
	ts = parsed("2001:db8::2");
	ck_assert_uint_eq(vip_route_subnet(&ts, net, &len), 16);
	ck_assert_uint_eq(len, 128);
	ck_assert_uint_eq(net[15], 2);
	ts = parsed("0.0.0.0/0");
	vip_route_subnet(&ts, net, &len);
	ck_assert_uint_eq(len, 0);
}
END_TEST

/* ---- a stand-in kernel service recording ADD_ROUTE / DEL_ROUTE ------ */

static struct {
	pthread_mutex_t lock;
	size_t n;
	struct { uint32_t method; uint8_t dst[16]; uint32_t prefixlen;
		 uint8_t src[16]; size_t len; } calls[8];
} stand = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void record(uint32_t method, const ProtobufCMessage *msg,
		   struct rpc_reply *reply)
{
	const Cygnet__RouteRequest *r = (const void *)msg;
	Cygnet__Empty empty = CYGNET__EMPTY__INIT;

	pthread_mutex_lock(&stand.lock);
	if (stand.n < 8 && r->dst && r->src && r->peer &&
	    r->dst->ip.len <= 16 && r->src->ip.len == r->dst->ip.len &&
	    r->peer->ip.len == r->dst->ip.len) {
		stand.calls[stand.n].method = method;
		memcpy(stand.calls[stand.n].dst, r->dst->ip.data,
		       r->dst->ip.len);
		memcpy(stand.calls[stand.n].src, r->src->ip.data,
		       r->src->ip.len);
		stand.calls[stand.n].len = r->dst->ip.len;
		stand.calls[stand.n].prefixlen = r->prefixlen;
		stand.n++;
	}
	pthread_mutex_unlock(&stand.lock);
	rpc_reply_message(reply, &empty.base);
}

static void add_route(void *ctx, const ProtobufCMessage *msg,
		      struct rpc_reply *reply)
{
	(void)ctx;
	record(CYGNET__KERNEL_METHOD__KERNEL_ADD_ROUTE, msg, reply);
}

static void del_route(void *ctx, const ProtobufCMessage *msg,
		      struct rpc_reply *reply)
{
	(void)ctx;
	record(CYGNET__KERNEL_METHOD__KERNEL_DEL_ROUTE, msg, reply);
}

static const struct rpc_method kernel_methods[] = {
	{ CYGNET__KERNEL_METHOD__KERNEL_ADD_ROUTE, "add_route",
	  &cygnet__route_request__descriptor, add_route },
	{ CYGNET__KERNEL_METHOD__KERNEL_DEL_ROUTE, "del_route",
	  &cygnet__route_request__descriptor, del_route },
};

#define ADD CYGNET__KERNEL_METHOD__KERNEL_ADD_ROUTE
#define DEL CYGNET__KERNEL_METHOD__KERNEL_DEL_ROUTE

START_TEST(routes_follow_the_children)
{
	struct ike_service *svc = calloc(1, sizeof(*svc));
	struct ike_sa *sa = calloc(1, sizeof(*sa));
	struct child_sa *child = calloc(1, sizeof(*child));
	struct sockaddr_in *peer = (struct sockaddr_in *)&sa->remote;
	struct rpc_server *server;
	char url[128], err[256];

	snprintf(url, sizeof(url), "ipc:///tmp/cyg-viproute-%d.rpc",
		 getpid());
	server = rpc_server_start(url, NULL, kernel_methods, 2, NULL, 1, err,
				  sizeof(err));
	ck_assert_msg(server != NULL, "%s", err);
	svc->kernel = rpc_client_open(url, NULL, err, sizeof(err));
	ck_assert_msg(svc->kernel != NULL, "%s", err);
	peer->sin_family = AF_INET;
	inet_pton(AF_INET, "203.0.113.9", &peer->sin_addr);
	child->n_remote_ts = 2;
	child->remote_ts[0] = parsed("203.0.113.0/24");
	/* No IPv6 VIP and an IPv4 peer: no route for it. */
	child->remote_ts[1] = parsed("2001:db8::/64");
	child->policies = true;

	/* Without virtual IPs: nothing. */
	vip_route_install(svc, sa, child);
	ck_assert_uint_eq(stand.n, 0);
	sa->n_own_vips = 1;
	memcpy(sa->own_vips[0].addr, "\xc6\x33\x64\x01", 4);
	sa->own_vips[0].addr_len = 4;
	vip_route_install(svc, sa, child);
	ck_assert_uint_eq(stand.n, 1);
	ck_assert_uint_eq(stand.calls[0].method, ADD);
	ck_assert_mem_eq(stand.calls[0].dst, "\xcb\x00\x71\x00", 4);
	ck_assert_uint_eq(stand.calls[0].prefixlen, 24);
	ck_assert_mem_eq(stand.calls[0].src, sa->own_vips[0].addr, 4);

	/* The rekeyed CHILD_SA holds the policies: the route stays. */
	sa->children[0] = *child;
	sa->n_children = 1;
	vip_route_remove(svc, sa, child);
	ck_assert_uint_eq(stand.n, 1);
	/* One without policies (handed over) does not keep it. */
	sa->children[0].policies = false;
	vip_route_remove(svc, sa, child);
	ck_assert_uint_eq(stand.n, 2);
	ck_assert_uint_eq(stand.calls[1].method, DEL);
	ck_assert_uint_eq(stand.calls[1].prefixlen, 24);

	rpc_client_close(svc->kernel);
	rpc_server_stop(server);
	free(child);
	free(sa);
	free(svc);
}
END_TEST

static Suite *vip_route_suite(void)
{
	Suite *s = suite_create("ike virtual IP source routes");
	TCase *tc = tcase_create("routes");

	tcase_add_test(tc, subnet_of_a_range);
	tcase_add_test(tc, routes_follow_the_children);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(vip_route_suite)
