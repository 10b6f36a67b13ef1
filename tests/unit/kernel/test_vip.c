/* Virtual IPs: the RTM_NEWADDR/RTM_DELADDR messages byte by byte and
 * bounds, then ADD_VIP/DEL_VIP over RPC in a private network namespace,
 * checked with iproute2's view of the interface. */
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>

#include "kernel.pb-c.h"
#include "kernel/service.h"
#include "kernel/vip.h"
#include "knl_rpc_util.h"
#include "knl_test_util.h"
#include "rpc.h"

static const struct knl_vip vip4 = { { 198, 51, 100, 1 }, 4, 3 };

START_TEST(newaddr_layout)
{
	char buf[256];
	struct nlmsghdr *nlh = vip_build(buf, sizeof(buf), RTM_NEWADDR, &vip4);
	struct ifaddrmsg *ifa;
	struct nlattr *a;
	int n = 0;

	ck_assert_ptr_nonnull(nlh);
	ck_assert_uint_eq(nlh->nlmsg_type, RTM_NEWADDR);
	ck_assert_uint_eq(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK |
			  NLM_F_CREATE | NLM_F_EXCL);
	ifa = mnl_nlmsg_get_payload(nlh);
	ck_assert_uint_eq(ifa->ifa_family, AF_INET);
	ck_assert_uint_eq(ifa->ifa_prefixlen, 32);
	ck_assert_uint_eq(ifa->ifa_index, 3);
	ck_assert_uint_eq(ifa->ifa_flags, 0);
	mnl_attr_for_each(a, nlh, sizeof(*ifa)) {
		ck_assert(mnl_attr_get_type(a) == IFA_LOCAL ||
			  mnl_attr_get_type(a) == IFA_ADDRESS);
		ck_assert_uint_eq(mnl_attr_get_payload_len(a), 4);
		ck_assert_mem_eq(mnl_attr_get_payload(a), vip4.addr, 4);
		n++;
	}
	ck_assert_int_eq(n, 2);
	ck_assert_uint_eq(nlh->nlmsg_len, 16 + 8 + 2 * 8);
}
END_TEST

START_TEST(deladdr_ipv6_without_dad)
{
	struct knl_vip v6 = { { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 }, 16, 1 };
	char buf[256];
	struct nlmsghdr *nlh = vip_build(buf, sizeof(buf), RTM_DELADDR, &v6);
	struct ifaddrmsg *ifa;

	ck_assert_ptr_nonnull(nlh);
	ck_assert_uint_eq(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	ifa = mnl_nlmsg_get_payload(nlh);
	ck_assert_uint_eq(ifa->ifa_family, AF_INET6);
	ck_assert_uint_eq(ifa->ifa_prefixlen, 128);
	ck_assert_uint_eq(ifa->ifa_flags, IFA_F_NODAD);
	ck_assert_uint_eq(nlh->nlmsg_len, 16 + 8 + 2 * 20);
}
END_TEST

START_TEST(bounds_checked)
{
	struct knl_vip bad = vip4;
	char buf[256];

	/* One byte short of header, ifaddrmsg and both attributes. */
	ck_assert_ptr_null(vip_build(buf, 16 + 8 + 2 * 8 - 1, RTM_NEWADDR,
				     &vip4));
	ck_assert_ptr_null(vip_build(NULL, sizeof(buf), RTM_NEWADDR, &vip4));
	ck_assert_ptr_null(vip_build(buf, sizeof(buf), RTM_NEWROUTE, &vip4));
	bad.len = 5;
	ck_assert_ptr_null(vip_build(buf, sizeof(buf), RTM_NEWADDR, &bad));
	bad.len = 0;
	ck_assert_ptr_null(vip_build(buf, sizeof(buf), RTM_DELADDR, &bad));
}
END_TEST

static struct kernel_service svc;
static struct knl_rpc rpc;

static void start(void)
{
	struct nl_error nerr;

	enter_netns();
	ck_assert_int_eq(system("ip link set lo up && "
				"ip addr add 192.0.2.1/32 dev lo"), 0);
	ck_assert_int_eq(kernel_service_init(&svc), 0);
	svc.nl = nl_open(0, &nerr);
	ck_assert_msg(svc.nl != NULL, "%s", nerr.text);
	knl_rpc_start(&rpc, &svc, "kvip", 1);
}

static void stop(void)
{
	knl_rpc_stop(&rpc, &svc);
}

static uint8_t local4[4] = { 192, 0, 2, 1 };
static uint8_t vip_a[4] = { 198, 51, 100, 1 };
static uint8_t vip6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x42 };

static struct rpc_result vip_call(uint32_t method, uint8_t *vip, size_t len,
				  uint8_t *local, const char *ifname)
{
	Cygnet__VipRequest req = CYGNET__VIP_REQUEST__INIT;
	Cygnet__Address v = CYGNET__ADDRESS__INIT, l = CYGNET__ADDRESS__INIT;
	struct rpc_result res;

	v.ip = (ProtobufCBinaryData){ len, vip };
	l.ip = (ProtobufCBinaryData){ 4, local };
	req.vip = &v;
	req.local = local ? &l : NULL;
	req.interface = (char *)(ifname ? ifname : "");
	rpc_call(rpc.client, method, &req.base, &cygnet__empty__descriptor, 5000,
		 &res);
	protobuf_c_message_free_unpacked(res.reply, NULL);
	res.reply = NULL;
	return res;
}

/* Whether `ip -o addr show dev lo` lists text (e.g. "198.51.100.1/32"). */
static bool on_lo(const char *text)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "ip -o addr show dev lo | grep -q ' %s '",
		 text);
	return system(cmd) == 0;
}

#define ADD CYGNET__KERNEL_METHOD__KERNEL_ADD_VIP
#define DEL CYGNET__KERNEL_METHOD__KERNEL_DEL_VIP
#define OK CYGNET__RPC_STATUS__RPC_OK

START_TEST(vip_on_the_interface_of_the_local_address)
{
	start();
	ck_assert_int_eq(vip_call(ADD, vip_a, 4, local4, NULL).status, OK);
	ck_assert(on_lo("198.51.100.1/32"));
	/* Already there (a restarted ike re-adding it) is not an error. */
	ck_assert_int_eq(vip_call(ADD, vip_a, 4, local4, NULL).status, OK);
	ck_assert_int_eq(vip_call(DEL, vip_a, 4, local4, NULL).status, OK);
	ck_assert(!on_lo("198.51.100.1/32"));
	ck_assert(on_lo("192.0.2.1/32"));
	ck_assert_int_eq(vip_call(DEL, vip_a, 4, local4, NULL).status, OK);
	stop();
}
END_TEST

START_TEST(ipv6_vip_on_a_named_interface)
{
	start();
	ck_assert_int_eq(vip_call(ADD, vip6, 16, NULL, "lo").status, OK);
	ck_assert(on_lo("2001:db8::42/128"));
	ck_assert_int_eq(vip_call(DEL, vip6, 16, NULL, "lo").status, OK);
	ck_assert(!on_lo("2001:db8::42/128"));
	stop();
}
END_TEST

START_TEST(bad_requests_answered)
{
	uint8_t elsewhere[4] = { 203, 0, 113, 9 };
	struct rpc_result res;

	start();
	res = vip_call(ADD, vip_a, 3, local4, NULL);
	ck_assert_int_eq(res.status, CYGNET__RPC_STATUS__RPC_BAD_REQUEST);
	ck_assert_str_eq(res.error, "virtual address has 3 bytes (4 or 16)");
	res = vip_call(ADD, vip_a, 4, NULL, "nosuch0");
	ck_assert_int_eq(res.status, CYGNET__RPC_STATUS__RPC_BAD_REQUEST);
	ck_assert_str_eq(res.error, "no interface 'nosuch0'");
	res = vip_call(ADD, vip_a, 4, elsewhere, NULL);
	ck_assert_int_eq(res.status, CYGNET__RPC_STATUS__RPC_FAILED);
	ck_assert_str_eq(res.error,
			 "no interface found with the local address");
	ck_assert(!on_lo("198.51.100.1/32"));
	stop();
}
END_TEST

static Suite *vip_suite(void)
{
	Suite *s = suite_create("kernel virtual IPs");
	TCase *msg = tcase_create("messages");
	TCase *rpc = tcase_create("rpc (netns)");

	tcase_add_test(msg, newaddr_layout);
	tcase_add_test(msg, deladdr_ipv6_without_dad);
	tcase_add_test(msg, bounds_checked);
	tcase_set_timeout(rpc, 20);
	tcase_add_test(rpc, vip_on_the_interface_of_the_local_address);
	tcase_add_test(rpc, ipv6_vip_on_a_named_interface);
	tcase_add_test(rpc, bad_requests_answered);
	suite_add_tcase(s, msg);
	suite_add_tcase(s, rpc);
	return s;
}

TEST_MAIN(vip_suite)
