/* Source routes for virtual IPs: the RTM_NEWROUTE/RTM_NEWRULE messages
 * and their bounds, the next hop read from a route answer (malformed ones
 * refused), then ADD_ROUTE/DEL_ROUTE over RPC in a private network
 * namespace, checked with iproute2's view of table 220 and the rules. */
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>

#include "kernel.pb-c.h"
#include "kernel/route.h"
#include "kernel/service.h"
#include "knl_rpc_util.h"
#include "knl_test_util.h"
#include "rpc.h"

static const struct knl_route via_gw = {
	.len = 4,
	.dst = { 203, 0, 113, 0 },
	.prefixlen = 24,
	.src = { 198, 51, 100, 1 },
	.via = { .ifindex = 3, .has_gateway = true,
		 .gateway = { 192, 0, 2, 254 } },
	.table = 220,
};

START_TEST(newroute_layout)
{
	char buf[256];
	struct nlmsghdr *nlh = route_build(buf, sizeof(buf), RTM_NEWROUTE,
					   &via_gw);
	struct rtmsg *rtm;
	struct nlattr *a;
	int seen = 0;

	ck_assert_ptr_nonnull(nlh);
	ck_assert_uint_eq(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK |
			  NLM_F_CREATE | NLM_F_EXCL);
	rtm = mnl_nlmsg_get_payload(nlh);
	ck_assert_uint_eq(rtm->rtm_family, AF_INET);
	ck_assert_uint_eq(rtm->rtm_dst_len, 24);
	ck_assert_uint_eq(rtm->rtm_table, 220);
	ck_assert_uint_eq(rtm->rtm_type, RTN_UNICAST);
	mnl_attr_for_each(a, nlh, sizeof(*rtm)) {
		switch (mnl_attr_get_type(a)) {
		case RTA_DST:
			ck_assert_mem_eq(mnl_attr_get_payload(a), via_gw.dst, 4);
			break;
		case RTA_PREFSRC:
			ck_assert_mem_eq(mnl_attr_get_payload(a), via_gw.src, 4);
			break;
		case RTA_GATEWAY:
			ck_assert_mem_eq(mnl_attr_get_payload(a),
					 via_gw.via.gateway, 4);
			break;
		case RTA_OIF:
			ck_assert_uint_eq(mnl_attr_get_u32(a), 3);
			break;
		case RTA_TABLE:
			ck_assert_uint_eq(mnl_attr_get_u32(a), 220);
			break;
		default:
			ck_abort_msg("attribute %u", mnl_attr_get_type(a));
		}
		seen++;
	}
	ck_assert_int_eq(seen, 5);
	ck_assert_uint_eq(nlh->nlmsg_len, 16 + 12 + 5 * 8);
}
END_TEST

START_TEST(route_bounds_checked)
{
	struct knl_route bad = via_gw;
	char buf[256];

	ck_assert_ptr_null(route_build(buf, 16 + 12 + 5 * 8 - 1,
				       RTM_NEWROUTE, &via_gw));
	ck_assert_ptr_nonnull(route_build(buf, 16 + 12 + 5 * 8,
					  RTM_DELROUTE, &via_gw));
	ck_assert_ptr_null(route_build(NULL, sizeof(buf), RTM_NEWROUTE,
				       &via_gw));
	ck_assert_ptr_null(route_build(buf, sizeof(buf), RTM_NEWADDR,
				       &via_gw));
	bad.prefixlen = 33;
	ck_assert_ptr_null(route_build(buf, sizeof(buf), RTM_NEWROUTE, &bad));
	bad = via_gw;
	bad.len = 5;
	ck_assert_ptr_null(route_build(buf, sizeof(buf), RTM_NEWROUTE, &bad));
	bad = via_gw;
	bad.via.ifindex = 0;
	ck_assert_ptr_null(route_build(buf, sizeof(buf), RTM_NEWROUTE, &bad));
	/* Deleting needs no next hop: no RTA_OIF then. */
	bad.via.has_gateway = false;
	ck_assert_ptr_nonnull(route_build(buf, 16 + 12 + 3 * 8, RTM_DELROUTE,
					  &bad));
	bad = via_gw;
	bad.table = 0;
	ck_assert_ptr_null(route_build(buf, sizeof(buf), RTM_NEWROUTE, &bad));
}
END_TEST

START_TEST(rule_layout_and_bounds)
{
	char buf[128];
	struct nlmsghdr *nlh = route_rule_build(buf, sizeof(buf), AF_INET6,
						1000, 220);
	struct fib_rule_hdr *frh;

	ck_assert_ptr_nonnull(nlh);
	ck_assert_uint_eq(nlh->nlmsg_type, RTM_NEWRULE);
	frh = mnl_nlmsg_get_payload(nlh);
	ck_assert_uint_eq(frh->family, AF_INET6);
	ck_assert_uint_eq(frh->action, FR_ACT_TO_TBL);
	/* 1000 does not fit the header: only FRA_TABLE says it. */
	ck_assert_uint_eq(frh->table, RT_TABLE_UNSPEC);
	ck_assert_uint_eq(nlh->nlmsg_len, 16 + 12 + 2 * 8);
	ck_assert_ptr_null(route_rule_build(buf, 16 + 12 + 2 * 8 - 1,
					    AF_INET, 220, 220));
	ck_assert_ptr_null(route_rule_build(buf, sizeof(buf), AF_UNIX, 220,
					    220));
	ck_assert_ptr_null(route_rule_build(buf, sizeof(buf), AF_INET, 0,
					    220));
}
END_TEST

START_TEST(next_hop_parsed)
{
	char buf[256];
	struct nlmsghdr *nlh = route_build(buf, sizeof(buf), RTM_NEWROUTE,
					   &via_gw);
	struct knl_next_hop hop;

	ck_assert_int_eq(route_parse_next_hop(nlh, 4, &hop), 0);
	ck_assert_uint_eq(hop.ifindex, 3);
	ck_assert(hop.has_gateway);
	ck_assert_mem_eq(hop.gateway, via_gw.via.gateway, 4);
	/* Another family than asked for. */
	ck_assert_int_eq(route_parse_next_hop(nlh, 16, &hop), -1);
	ck_assert_uint_eq(hop.ifindex, 0);
}
END_TEST

START_TEST(malformed_answers_refused)
{
	char buf[256];
	struct nlmsghdr *nlh;
	struct nlattr *a;
	struct knl_next_hop hop;
	struct rtmsg *rtm;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWROUTE;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	/* A gateway of 3 bytes. */
	a = (struct nlattr *)mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put(nlh, RTA_GATEWAY, 3, "\xc0\x00\x02");
	mnl_attr_put_u32(nlh, RTA_OIF, 2);
	ck_assert_int_eq(route_parse_next_hop(nlh, 4, &hop), -1);
	/* An interface index of 2 bytes. */
	nlh->nlmsg_len = (uint32_t)((char *)a - buf);
	mnl_attr_put_u16(nlh, RTA_OIF, 2);
	ck_assert_int_eq(route_parse_next_hop(nlh, 4, &hop), -1);
	/* No interface at all. */
	nlh->nlmsg_len = (uint32_t)((char *)a - buf);
	ck_assert_int_eq(route_parse_next_hop(nlh, 4, &hop), -1);
	/* An attribute running past the message is not read. */
	mnl_attr_put_u32(nlh, RTA_OIF, 2);
	a->nla_len = 12;
	ck_assert_int_eq(route_parse_next_hop(nlh, 4, &hop), -1);
	/* Shorter than an rtmsg, or not a route. */
	nlh->nlmsg_len = 16 + 4;
	ck_assert_int_eq(route_parse_next_hop(nlh, 4, &hop), -1);
	nlh->nlmsg_len = (uint32_t)((char *)a - buf);
	mnl_attr_put_u32(nlh, RTA_OIF, 2);
	nlh->nlmsg_type = RTM_NEWADDR;
	ck_assert_int_eq(route_parse_next_hop(nlh, 4, &hop), -1);
	nlh->nlmsg_type = RTM_NEWROUTE;
	ck_assert_int_eq(route_parse_next_hop(nlh, 4, &hop), 0);
	ck_assert_uint_eq(hop.ifindex, 2);
	ck_assert(!hop.has_gateway);
}
END_TEST

static struct kernel_service svc;
static struct knl_rpc rpc;

static void start(void)
{
	struct nl_error nerr;

	enter_netns();
	ck_assert_int_eq(system(
		"ip link add v0 type veth peer name v1 && "
		"ip link set v0 up && ip link set v1 up && "
		"ip addr add 192.0.2.1/24 dev v0 && "
		"ip addr add 198.51.100.1/32 dev v0 && "
		"ip route add 203.0.113.0/24 via 192.0.2.254 && "
		"ip -6 addr add 2001:db8::1/64 dev v0 nodad && "
		"ip -6 addr add 2001:db8:64::1/128 dev v0 nodad"), 0);
	ck_assert_int_eq(kernel_service_init(&svc), 0);
	svc.nl = nl_open(0, &nerr);
	ck_assert_msg(svc.nl != NULL, "%s", nerr.text);
	knl_rpc_start(&rpc, &svc, "kroute", 1);
}

static void stop(void)
{
	knl_rpc_stop(&rpc, &svc);
}

static uint8_t net4[4] = { 203, 0, 113, 0 };
static uint8_t vip4[4] = { 198, 51, 100, 1 };
static uint8_t peer4[4] = { 203, 0, 113, 9 };
static uint8_t peer6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
static uint8_t vip6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x64, [15] = 1 };

static struct rpc_result route_call(uint32_t method, uint8_t *dst,
				    uint32_t prefixlen, uint8_t *src,
				    uint8_t *peer, size_t len)
{
	Cygnet__RouteRequest req = CYGNET__ROUTE_REQUEST__INIT;
	Cygnet__Address d = CYGNET__ADDRESS__INIT, s = CYGNET__ADDRESS__INIT;
	Cygnet__Address p = CYGNET__ADDRESS__INIT;
	struct rpc_result res;

	d.ip = (ProtobufCBinaryData){ len, dst };
	s.ip = (ProtobufCBinaryData){ len, src };
	p.ip = (ProtobufCBinaryData){ len, peer };
	req.dst = &d;
	req.prefixlen = prefixlen;
	req.src = &s;
	req.peer = &p;
	rpc_call(rpc.client, method, &req.base, &cygnet__empty__descriptor, 5000,
		 &res);
	protobuf_c_message_free_unpacked(res.reply, NULL);
	res.reply = NULL;
	return res;
}

/* Whether the output of cmd has a line matching the extended regex re. */
static bool shows(const char *cmd, const char *re)
{
	char line[512];

	snprintf(line, sizeof(line), "%s 2>/dev/null | grep -qE '%s'", cmd,
		 re);
	return system(line) == 0;
}

#define ADD CYGNET__KERNEL_METHOD__KERNEL_ADD_ROUTE
#define DEL CYGNET__KERNEL_METHOD__KERNEL_DEL_ROUTE
#define OK CYGNET__RPC_STATUS__RPC_OK
#define TABLE4 "ip route show table 220"
#define ROUTE4 "^203\\.0\\.113\\.0/24 via 192\\.0\\.2\\.254 dev v0 .*src " \
	       "198\\.51\\.100\\.1"

START_TEST(route_via_the_gateway_to_the_peer)
{
	start();
	ck_assert_int_eq(route_call(ADD, net4, 24, vip4, peer4, 4).status, OK);
	ck_assert(shows(TABLE4, ROUTE4));
	ck_assert(shows("ip rule", "^220:\tfrom all lookup 220"));
	ck_assert(shows("ip route get 203.0.113.5", "src 198\\.51\\.100\\.1"));
	/* A rekeyed CHILD_SA adds it again: no error, one route, one rule. */
	ck_assert_int_eq(route_call(ADD, net4, 24, vip4, peer4, 4).status, OK);
	ck_assert(shows(TABLE4 " | wc -l", "^1$"));
	ck_assert(shows("ip rule | grep -c 'lookup 220'", "^1$"));
	ck_assert_int_eq(route_call(DEL, net4, 24, vip4, peer4, 4).status, OK);
	ck_assert(!shows(TABLE4, "203\\.0\\.113"));
	ck_assert(shows("ip route get 203.0.113.5", "src 192\\.0\\.2\\.1"));
	ck_assert_int_eq(route_call(DEL, net4, 24, vip4, peer4, 4).status, OK);
	stop();
}
END_TEST

START_TEST(ipv6_route_on_link)
{
	start();
	ck_assert_int_eq(route_call(ADD, peer6, 128, vip6, peer6, 16).status,
			 OK);
	ck_assert(shows("ip -6 route show table 220",
			"^2001:db8::2 dev v0 .*src 2001:db8:64::1"));
	ck_assert(shows("ip -6 rule", "^220:\tfrom all lookup 220"));
	ck_assert_int_eq(route_call(DEL, peer6, 128, vip6, peer6, 16).status,
			 OK);
	ck_assert(!shows("ip -6 route show table 220", "2001:db8::2"));
	stop();
}
END_TEST

START_TEST(bad_route_requests_answered)
{
	uint8_t nowhere[4] = { 198, 51, 100, 77 };
	struct rpc_result res;

	start();
	res = route_call(ADD, net4, 33, vip4, peer4, 4);
	ck_assert_int_eq(res.status, CYGNET__RPC_STATUS__RPC_BAD_REQUEST);
	ck_assert_str_eq(res.error, "prefix length 33 too long");
	res = route_call(ADD, net4, 3, vip4, peer4, 3);
	ck_assert_int_eq(res.status, CYGNET__RPC_STATUS__RPC_BAD_REQUEST);
	res = route_call(ADD, net4, 24, vip4, nowhere, 4);
	ck_assert_int_eq(res.status, CYGNET__RPC_STATUS__RPC_FAILED);
	ck_assert_msg(strstr(res.error, "route to the peer of 203.0.113.0/24"),
		      "%s", res.error);
	ck_assert(!shows(TABLE4, "203\\.0\\.113"));
	/* Removing does not need the peer reachable any more. */
	ck_assert_int_eq(route_call(ADD, net4, 24, vip4, peer4, 4).status, OK);
	ck_assert_int_eq(route_call(DEL, net4, 24, vip4, nowhere, 4).status,
			 OK);
	ck_assert(!shows(TABLE4, "203\\.0\\.113"));
	stop();
}
END_TEST

static Suite *route_suite(void)
{
	Suite *s = suite_create("kernel source routes");
	TCase *msg = tcase_create("messages");
	TCase *rpc = tcase_create("rpc (netns)");

	tcase_add_test(msg, newroute_layout);
	tcase_add_test(msg, route_bounds_checked);
	tcase_add_test(msg, rule_layout_and_bounds);
	tcase_add_test(msg, next_hop_parsed);
	tcase_add_test(msg, malformed_answers_refused);
	tcase_set_timeout(rpc, 20);
	tcase_add_test(rpc, route_via_the_gateway_to_the_peer);
	tcase_add_test(rpc, ipv6_route_on_link);
	tcase_add_test(rpc, bad_route_requests_answered);
	suite_add_tcase(s, msg);
	suite_add_tcase(s, rpc);
	return s;
}

TEST_MAIN(route_suite)
