/* The kernel service's RPC methods end to end over nng, in a private
 * network namespace: policies through the real kernel, the ESP refusal
 * as the IKE service sees it, ownership guarding deletes, degraded mode. */
#include <netinet/in.h>

#include "kernel.pb-c.h"
#include "kernel/service.h"
#include "knl_rpc_util.h"
#include "knl_test_util.h"
#include "rpc.h"

static struct kernel_service svc;
static struct knl_rpc rpc;

static void start(bool with_netlink)
{
	struct nl_error nerr;

	enter_netns();
	ck_assert_int_eq(kernel_service_init(&svc), 0);
	svc.cfg.owner.reqid_min = 1;
	svc.cfg.owner.reqid_max = 100;
	if (with_netlink) {
		svc.nl = nl_open(0, &nerr);
		ck_assert_msg(svc.nl != NULL, "%s", nerr.text);
	} else {
		snprintf(svc.degraded, sizeof(svc.degraded),
			 "XFRM tables: not permitted");
	}
	knl_rpc_start(&rpc, &svc, "ktest", 2);
}

static void stop(void)
{
	knl_rpc_stop(&rpc, &svc);
}

static struct rpc_result call(uint32_t method, const ProtobufCMessage *req,
			      const ProtobufCMessageDescriptor *reply_type)
{
	struct rpc_result res;

	rpc_call(rpc.client, method, req, reply_type, 5000, &res);
	return res;
}

static uint8_t ip_l[4] = { 192, 0, 2, 1 }, ip_r[4] = { 198, 51, 100, 7 };
static uint8_t any4[4], vip[4] = { 203, 0, 113, 66 };

/* The seed's IPv4 pair: 0.0.0.0/0 === 203.0.113.66/32, reqid 1. */
struct policy_req {
	Cygnet__PolicyConfig p;
	Cygnet__Address local, remote;
	Cygnet__TrafficSelector lts, rts;
	Cygnet__TrafficSelector *lptr[1], *rptr[1];
	uint8_t bcast[4];
};

static void seed_policy(struct policy_req *r)
{
	cygnet__policy_config__init(&r->p);
	cygnet__address__init(&r->local);
	cygnet__address__init(&r->remote);
	cygnet__traffic_selector__init(&r->lts);
	cygnet__traffic_selector__init(&r->rts);
	memset(r->bcast, 0xff, 4);
	r->local.ip = (ProtobufCBinaryData){ 4, ip_l };
	r->remote.ip = (ProtobufCBinaryData){ 4, ip_r };
	r->lts.start_addr = (ProtobufCBinaryData){ 4, any4 };
	r->lts.end_addr = (ProtobufCBinaryData){ 4, r->bcast };
	r->lts.end_port = 65535;
	r->rts.start_addr = r->rts.end_addr = (ProtobufCBinaryData){ 4, vip };
	r->rts.end_port = 65535;
	r->lptr[0] = &r->lts;
	r->rptr[0] = &r->rts;
	r->p.local = &r->local;
	r->p.remote = &r->remote;
	r->p.local_ts = r->lptr;
	r->p.n_local_ts = 1;
	r->p.remote_ts = r->rptr;
	r->p.n_remote_ts = 1;
	r->p.reqid = 1;
	r->p.mode = CYGNET__IPSEC_MODE__IPSEC_MODE_TUNNEL;
}

START_TEST(policies_over_rpc)
{
	struct policy_req r;
	struct ip_policy ip[IP_POLICIES_MAX];
	struct rpc_result res;
	Cygnet__Empty empty = CYGNET__EMPTY__INIT;
	Cygnet__KernelTables *t;

	start(true);
	seed_policy(&r);
	res = call(CYGNET__KERNEL_METHOD__KERNEL_ADD_POLICY, &r.p.base,
		   &cygnet__policy_reply__descriptor);
	ck_assert_msg(res.status == CYGNET__RPC_STATUS__RPC_OK, "%s",
		      res.error);
	ck_assert_uint_eq(((Cygnet__PolicyReply *)res.reply)->installed, 3);
	protobuf_c_message_free_unpacked(res.reply, NULL);
	ck_assert_uint_eq(ip_policies(ip, IP_POLICIES_MAX), 3);

	res = call(CYGNET__KERNEL_METHOD__KERNEL_LIST, &empty.base,
		   &cygnet__kernel_tables__descriptor);
	ck_assert_int_eq(res.status, CYGNET__RPC_STATUS__RPC_OK);
	t = (Cygnet__KernelTables *)res.reply;
	ck_assert_uint_eq(t->n_policies, 3);
	ck_assert_uint_eq(t->policies[0]->reqid, 1);
	ck_assert_uint_eq(t->policies[0]->priority, 383615);
	protobuf_c_message_free_unpacked(res.reply, NULL);

	res = call(CYGNET__KERNEL_METHOD__KERNEL_DEL_POLICY, &r.p.base,
		   &cygnet__policy_reply__descriptor);
	ck_assert_msg(res.status == CYGNET__RPC_STATUS__RPC_OK, "%s",
		      res.error);
	protobuf_c_message_free_unpacked(res.reply, NULL);
	ck_assert_uint_eq(ip_policies(ip, IP_POLICIES_MAX), 0);
	stop();
}
END_TEST

START_TEST(foreign_policy_not_deleted)
{
	struct policy_req r;
	struct ip_policy ip[IP_POLICIES_MAX];
	struct rpc_result res;

	start(true);
	ck_assert_int_eq(system("ip xfrm policy add src 0.0.0.0/0 dst "
				"203.0.113.66/32 dir out tmpl src 192.0.2.9 "
				"dst 198.51.100.9 proto esp reqid 0 mode "
				"tunnel"), 0);
	seed_policy(&r);
	res = call(CYGNET__KERNEL_METHOD__KERNEL_DEL_POLICY, &r.p.base,
		   &cygnet__policy_reply__descriptor);
	ck_assert_int_eq(res.status, CYGNET__RPC_STATUS__RPC_FAILED);
	ck_assert_msg(strstr(res.error, "has reqid 0, outside the range "
			     "1-100"), "%s", res.error);
	ck_assert_uint_eq(ip_policies(ip, IP_POLICIES_MAX), 1);
	stop();
}
END_TEST

START_TEST(foreign_sa_not_deleted)
{
	Cygnet__SaId id = CYGNET__SA_ID__INIT;
	Cygnet__Address dst = CYGNET__ADDRESS__INIT;
	struct rpc_result res;
	char out[1024];
	unsigned spi;
	char *at;

	start(true);
	run_output("ip xfrm state allocspi src 198.51.100.7 dst 192.0.2.1 "
		   "proto esp reqid 500", out, sizeof(out));
	at = strstr(out, "spi 0x");
	ck_assert_ptr_nonnull(at);
	ck_assert_int_eq(sscanf(at, "spi 0x%x", &spi), 1);
	dst.ip = (ProtobufCBinaryData){ 4, ip_l };
	id.dst = &dst;
	id.spi = spi;
	res = call(CYGNET__KERNEL_METHOD__KERNEL_DEL_SA, &id.base,
		   &cygnet__empty__descriptor);
	ck_assert_int_eq(res.status, CYGNET__RPC_STATUS__RPC_FAILED);
	ck_assert_msg(strstr(res.error, "has reqid 500, outside the range "
			     "1-100"), "%s", res.error);
	run_output("ip -o xfrm state", out, sizeof(out));
	ck_assert_msg(strstr(out, "reqid 500"), "%s", out);
	stop();
}
END_TEST

START_TEST(esp_refusal_reaches_the_caller)
{
	Cygnet__SaConfig sa;
	Cygnet__Address src, dst;
	uint8_t key[32] = { 1 };
	struct rpc_result res;

	start(true);
	v4_address(&src, ip_l);
	v4_address(&dst, ip_r);
	cbc_sha1_config(&sa, &src, &dst, 0x9bcd9c12, key);
	res = call(CYGNET__KERNEL_METHOD__KERNEL_ADD_SA, &sa.base,
		   &cygnet__empty__descriptor);
	ck_assert_int_eq(res.status, CYGNET__RPC_STATUS__RPC_FAILED);
	ck_assert_msg(strstr(res.error, "adding SA 9bcd9c12 failed: ESP not "
			     "supported by this kernel (CONFIG_INET_ESP)"),
		      "%s", res.error);
	sa.encr_key.len = 31;
	res = call(CYGNET__KERNEL_METHOD__KERNEL_ADD_SA, &sa.base,
		   &cygnet__empty__descriptor);
	ck_assert_int_eq(res.status, CYGNET__RPC_STATUS__RPC_BAD_REQUEST);
	ck_assert_str_eq(res.error, "AES_CBC-256 needs 32 key bytes, got 31");
	stop();
}
END_TEST

START_TEST(degraded_answers_why)
{
	Cygnet__AllocSpiRequest req = CYGNET__ALLOC_SPI_REQUEST__INIT;
	struct rpc_result res;

	start(false);
	res = call(CYGNET__KERNEL_METHOD__KERNEL_ALLOC_SPI, &req.base,
		   &cygnet__alloc_spi_reply__descriptor);
	ck_assert_int_eq(res.status, CYGNET__RPC_STATUS__RPC_FAILED);
	ck_assert_str_eq(res.error, "kernel service degraded: XFRM tables: "
			 "not permitted");
	stop();
}
END_TEST

static Suite *rpc_suite(void)
{
	Suite *s = suite_create("kernel service RPC (netns)");
	TCase *tc = tcase_create("rpc");

	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, policies_over_rpc);
	tcase_add_test(tc, foreign_policy_not_deleted);
	tcase_add_test(tc, foreign_sa_not_deleted);
	tcase_add_test(tc, esp_refusal_reaches_the_caller);
	tcase_add_test(tc, degraded_answers_why);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(rpc_suite)
