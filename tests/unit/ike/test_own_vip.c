/* Virtual IPs we request as the initiator: vips = in the config, the
 * CFG_REQUEST we write read back as a responder reads it, the addresses
 * of a CFG_REPLY, our selectors while asking and once assigned, and the
 * addresses installed and removed at a stand-in kernel service. */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ike/cp.h"
#include "ike/ike_state.h"
#include "ike/initiate.h"
#include "ike/message.h"
#include "ike/own_vip.h"
#include "kernel.pb-c.h"
#include "log_capture.h"
#include "testmain.h"

#define CP_BODY 4	/* after the generic payload header */

static struct ike_config *load(const char *vips, char *err, size_t errlen)
{
	char text[512];
	struct conf_error cerr;
	struct conf *conf;
	struct ike_config *config;

	snprintf(text, sizeof(text),
		 "connections { sw { remote_addrs = 192.0.2.2\n vips = %s\n"
		 "children { sw { esp_proposals = aes256-sha1 } } } }\n", vips);
	conf = conf_load_string(text, "test", &cerr);
	ck_assert_msg(conf != NULL, "%s", cerr.text);
	config = config_load(conf, err, errlen);
	conf_free(conf);
	return config;
}

START_TEST(vips_config)
{
	char err[256] = "";
	struct ike_config *config = load("0.0.0.0, ::", err, sizeof(err));
	const struct conn_cfg *c;

	ck_assert_msg(config != NULL, "%s", err);
	c = config_find(config, "sw");
	ck_assert_uint_eq(c->n_vips, 2);
	ck_assert_uint_eq(c->vips[0].len, 4);
	ck_assert_uint_eq(c->vips[1].len, 16);
	config_free(config);

	config = load("198.51.100.7", err, sizeof(err));
	ck_assert_ptr_nonnull(config);
	c = config_find(config, "sw");
	ck_assert_uint_eq(c->n_vips, 1);
	ck_assert_uint_eq(c->vips[0].addr[3], 7);
	config_free(config);

	ck_assert_ptr_null(load("0.0.0.0, vip.example.org", err, sizeof(err)));
	ck_assert_str_eq(err, "connection 'sw': invalid virtual IP "
			 "'vip.example.org'");
	ck_assert_ptr_null(load("0.0.0.0, ::, 198.51.100.1", err, sizeof(err)));
	ck_assert_str_eq(err, "connection 'sw': too many values for vips");
}
END_TEST

/* Writes with fn's builder and parses the CP back. */
static void parse_back(uint8_t *buf, size_t len, struct cp_payload *out)
{
	ck_assert_uint_gt(len, CP_BODY);
	ck_assert_int_eq(payload_cp_validate(buf + CP_BODY, len - CP_BODY), 0);
	payload_cp_parse(buf + CP_BODY, len - CP_BODY, out);
}

START_TEST(request_as_the_responder_reads_it)
{
	struct vip_cfg any[2] = { { .len = 4 }, { .len = 16 } };
	struct vip_cfg want[1] = { { { 0x20, 0x01, 0x0d, 0xb8, [15] = 9 }, 16 } };
	struct cp_payload *cp = calloc(1, sizeof(*cp));
	struct msg_builder b;
	struct cp_wanted w;
	uint8_t buf[256];

	builder_init_chain(&b, buf, sizeof(buf));
	cp_write_request(&b, any, 2);
	parse_back(buf, builder_finish(&b), cp);
	ck_assert_uint_eq(cp->type, CFG_REQUEST);
	ck_assert_uint_eq(cp->n_attrs, 2);
	ck_assert_uint_eq(cp->attrs[0].type, CP_INTERNAL_IP4_ADDRESS);
	ck_assert_uint_eq(cp->attrs[0].len, 0);
	ck_assert_uint_eq(cp->attrs[1].type, CP_INTERNAL_IP6_ADDRESS);
	ck_assert_uint_eq(cp->attrs[1].len, 0);
	cp_requested(cp, &w);
	ck_assert_uint_eq(w.n, 2);

	/* A given IPv6 address carries its prefix length (RFC 7296 3.15.1). */
	builder_init_chain(&b, buf, sizeof(buf));
	cp_write_request(&b, want, 1);
	parse_back(buf, builder_finish(&b), cp);
	ck_assert_uint_eq(cp->attrs[0].len, 17);
	ck_assert_uint_eq(cp->attrs[0].value[16], 128);
	cp_requested(cp, &w);
	ck_assert_uint_eq(w.n, 1);
	ck_assert_mem_eq(w.addr[0], want[0].addr, 16);
	free(cp);
}
END_TEST

START_TEST(reply_addresses)
{
	struct lease leases[2] = {
		{ .addr = { 198, 51, 100, 1 }, .addr_len = 4 },
		{ .addr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 }, .addr_len = 16 },
	};
	struct cp_payload *cp = calloc(1, sizeof(*cp));
	struct msg_builder b;
	struct cp_wanted w;
	uint8_t buf[256];

	builder_init_chain(&b, buf, sizeof(buf));
	cp_write_reply(&b, leases, 2);
	parse_back(buf, builder_finish(&b), cp);
	cp_assigned(cp, &w);
	ck_assert_uint_eq(w.n, 2);
	ck_assert_mem_eq(w.addr[0], leases[0].addr, 4);
	ck_assert_mem_eq(w.addr[1], leases[1].addr, 16);
	ck_assert_uint_eq(w.len[1], 16);
	/* An empty address in a reply assigns nothing. */
	cp->attrs[0].len = 0;
	cp_assigned(cp, &w);
	ck_assert_uint_eq(w.n, 1);
	ck_assert_uint_eq(w.len[0], 16);
	/* Only a reply assigns. */
	cp->type = CFG_REQUEST;
	cp_assigned(cp, &w);
	ck_assert_uint_eq(w.n, 0);
	free(cp);
}
END_TEST

static void sockaddr4(struct sockaddr_storage *ss, const char *ip)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	in->sin_family = AF_INET;
	inet_pton(AF_INET, ip, &in->sin_addr);
}

START_TEST(selectors_while_asking_and_after)
{
	struct ike_sa *sa = calloc(1, sizeof(*sa));
	struct initiating *ini = calloc(1, sizeof(*ini));
	struct peer_child child = { .n_local_ts = 2 };
	struct ts out[8];
	uint8_t dyn[IKE_SA_MAX_VIPS][16];
	size_t dyn_len[IKE_SA_MAX_VIPS];
	char text[64];

	sockaddr4(&sa->local, "192.0.2.1");
	ck_assert_int_eq(ts_parse("dynamic[udp]", &child.local_ts[0], text,
				  sizeof(text)), 0);
	ck_assert_int_eq(ts_parse("203.0.113.0/24", &child.local_ts[1], text,
				  sizeof(text)), 0);
	/* Not asking: the selectors are narrowed as before. */
	ck_assert_uint_eq(own_vip_offer_ts(sa, &child, out, 8), 0);
	sa->initiating = ini;
	ck_assert_uint_eq(own_vip_offer_ts(sa, &child, out, 8), 0);

	ini->cfg.n_vips = 2;
	ini->cfg.vips[0].len = 4;
	ini->cfg.vips[1].len = 16;
	ck_assert_uint_eq(own_vip_offer_ts(sa, &child, out, 8), 3);
	ts_format(&out[0], text, sizeof(text));
	ck_assert_str_eq(text, "0.0.0.0/0[udp]");
	ts_format(&out[1], text, sizeof(text));
	ck_assert_str_eq(text, "::/0[udp]");
	ts_format(&out[2], text, sizeof(text));
	ck_assert_str_eq(text, "203.0.113.0/24");
	ck_assert_uint_eq(own_vip_dynamic(sa, dyn, dyn_len), 1);
	ck_assert_uint_eq(dyn_len[0], 4);
	ck_assert_uint_eq(dyn[0][3], 1);

	/* Assigned: the VIPs are "dynamic", nothing is asked any more. */
	sa->n_own_vips = 1;
	sa->own_vips[0] = (struct ike_sa_vip){ .addr = { 198, 51, 100, 1 },
					       .addr_len = 4 };
	ck_assert_uint_eq(own_vip_offer_ts(sa, &child, out, 8), 0);
	ck_assert_uint_eq(own_vip_dynamic(sa, dyn, dyn_len), 1);
	ck_assert_mem_eq(dyn[0], sa->own_vips[0].addr, 4);
	free(ini);
	free(sa);
}
END_TEST

/* ---- a stand-in kernel service recording ADD_VIP / DEL_VIP ---------- */

static struct {
	pthread_mutex_t lock;
	bool refuse;
	size_t n;
	struct { uint32_t method; uint8_t vip[16]; size_t len;
		 uint8_t local[16]; } calls[8];
} stand = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void record(uint32_t method, const ProtobufCMessage *msg,
		   struct rpc_reply *reply)
{
	const Cygnet__VipRequest *r = (const void *)msg;
	Cygnet__Empty empty = CYGNET__EMPTY__INIT;

	pthread_mutex_lock(&stand.lock);
	if (stand.n < 8 && r->vip && r->vip->ip.len <= 16 && r->local &&
	    r->local->ip.len <= 16) {
		stand.calls[stand.n].method = method;
		memcpy(stand.calls[stand.n].vip, r->vip->ip.data, r->vip->ip.len);
		stand.calls[stand.n].len = r->vip->ip.len;
		memcpy(stand.calls[stand.n].local, r->local->ip.data,
		       r->local->ip.len);
		stand.n++;
	}
	pthread_mutex_unlock(&stand.lock);
	if (stand.refuse)
		rpc_reply_error(reply, CYGNET__RPC_STATUS__RPC_FAILED,
				"adding virtual IP failed: not permitted");
	else
		rpc_reply_message(reply, &empty.base);
}

static void add_vip(void *ctx, const ProtobufCMessage *msg,
		    struct rpc_reply *reply)
{
	(void)ctx;
	record(CYGNET__KERNEL_METHOD__KERNEL_ADD_VIP, msg, reply);
}

static void del_vip(void *ctx, const ProtobufCMessage *msg,
		    struct rpc_reply *reply)
{
	(void)ctx;
	record(CYGNET__KERNEL_METHOD__KERNEL_DEL_VIP, msg, reply);
}

static const struct rpc_method kernel_methods[] = {
	{ CYGNET__KERNEL_METHOD__KERNEL_ADD_VIP, "add_vip",
	  &cygnet__vip_request__descriptor, add_vip },
	{ CYGNET__KERNEL_METHOD__KERNEL_DEL_VIP, "del_vip",
	  &cygnet__vip_request__descriptor, del_vip },
};

/* A message whose only payload is a CFG_REPLY for leases, in buf. */
static void reply_message(struct ike_message *msg, uint8_t *buf, size_t cap,
			  const struct lease *leases, size_t n)
{
	struct msg_builder b;
	size_t len;

	builder_init_chain(&b, buf, cap);
	cp_write_reply(&b, leases, n);
	len = builder_finish(&b);
	memset(msg, 0, sizeof(*msg));
	msg->n_payloads = 1;
	msg->payloads[0] = (struct payload){ PL_CP, false, buf + CP_BODY,
					     len - CP_BODY };
}

START_TEST(installed_and_removed_at_the_kernel)
{
	struct lease leases[2] = {
		{ .addr = { 198, 51, 100, 1 }, .addr_len = 4 },
		{ .addr = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x64, [15] = 1 },
		  .addr_len = 16 },
	};
	struct ike_service *svc = calloc(1, sizeof(*svc));
	struct ike_sa *sa = calloc(1, sizeof(*sa));
	struct initiating *ini = calloc(1, sizeof(*ini));
	struct ike_message *msg = calloc(1, sizeof(*msg));
	struct rpc_server *server;
	char url[128], err[256];
	uint8_t buf[256];

	snprintf(url, sizeof(url), "ipc:///tmp/cyg-ownvip-%d.rpc", getpid());
	server = rpc_server_start(url, NULL, kernel_methods, 2, NULL, 1, err,
				  sizeof(err));
	ck_assert_msg(server != NULL, "%s", err);
	svc->kernel = rpc_client_open(url, NULL, err, sizeof(err));
	ck_assert_msg(svc->kernel != NULL, "%s", err);
	sockaddr4(&sa->local, "192.0.2.1");
	log_capture_start();

	/* No CP in the response: nothing installed. */
	sa->initiating = ini;
	ck_assert_uint_eq(own_vip_take_reply(svc, sa, msg), 0);
	/* A reply we did not ask for: not installed either. */
	reply_message(msg, buf, sizeof(buf), leases, 2);
	ck_assert_uint_eq(own_vip_take_reply(svc, sa, msg), 0);
	ck_assert_uint_eq(stand.n, 0);
	ini->cfg.n_vips = 2;
	ini->cfg.vips[0].len = 4;
	ini->cfg.vips[1].len = 16;
	ck_assert_uint_eq(own_vip_take_reply(svc, sa, msg), 2);
	assert_logged("installing new virtual IP 198.51.100.1");
	assert_logged("installing new virtual IP 2001:db8:64::1");
	ck_assert_uint_eq(stand.n, 2);
	ck_assert_uint_eq(stand.calls[0].method,
			  CYGNET__KERNEL_METHOD__KERNEL_ADD_VIP);
	ck_assert_mem_eq(stand.calls[0].vip, leases[0].addr, 4);
	ck_assert_uint_eq(stand.calls[1].len, 16);
	/* On the interface holding our IKE address. */
	ck_assert_uint_eq(stand.calls[0].local[0], 192);
	ck_assert_uint_eq(stand.calls[0].local[3], 1);

	own_vip_remove_all(svc, sa);
	ck_assert_uint_eq(sa->n_own_vips, 0);
	ck_assert_uint_eq(stand.n, 4);
	ck_assert_uint_eq(stand.calls[2].method,
			  CYGNET__KERNEL_METHOD__KERNEL_DEL_VIP);
	ck_assert_mem_eq(stand.calls[3].vip, leases[1].addr, 16);

	/* Refused by the kernel service: not held, as charon. */
	stand.refuse = true;
	reply_message(msg, buf, sizeof(buf), leases, 1);
	ck_assert_uint_eq(own_vip_take_reply(svc, sa, msg), 0);
	assert_logged("installing virtual IP 198.51.100.1 failed");
	assert_logged("adding virtual IP failed: not permitted");

	log_capture_stop();
	rpc_client_close(svc->kernel);
	rpc_server_stop(server);
	free(msg);
	free(ini);
	free(sa);
	free(svc);
}
END_TEST

/* A restarted cygnet-ike keeps them (and removes them with the SA). */
START_TEST(kept_in_the_state_record)
{
	struct ike_sa *sa = calloc(1, sizeof(*sa)), *back = calloc(1, sizeof(*back));
	char why[256] = "";
	size_t len;
	uint8_t *rec;

	sockaddr4(&sa->local, "192.0.2.1");
	sockaddr4(&sa->remote, "192.0.2.2");
	((struct sockaddr_in *)&sa->local)->sin_port = htons(4500);
	((struct sockaddr_in *)&sa->remote)->sin_port = htons(4500);
	sa->spi_i = 0x1514c13b517bb18aULL;
	sa->spi_r = 0x79e1c0e58619fd80ULL;
	sa->state = IKE_SA_ESTABLISHED;
	proposal_add(&sa->proposal, TRANS_ENCR, ENCR_AES_CBC, 256);
	proposal_add(&sa->proposal, TRANS_PRF, PRF_HMAC_SHA2_256, 0);
	sa->proposal.protocol = PROTO_IKE;
	sa->keys.prf = PRF_HMAC_SHA2_256;
	sa->keys.encr = ENCR_AES_CBC;
	sa->keys.encr_bits = 256;
	sa->keys.integ = INTEG_HMAC_SHA2_256_128;
	sa->keys.prf_len = sa->keys.integ_key_len = sa->keys.encr_key_len = 32;
	sa->n_own_vips = 2;
	sa->own_vips[0] = (struct ike_sa_vip){ .addr = { 198, 51, 100, 1 },
					       .addr_len = 4 };
	sa->own_vips[1] = (struct ike_sa_vip){ .addr = { 0x20, 0x01, 0x0d,
					       0xb8, [15] = 1 }, .addr_len = 16 };
	rec = ike_state_pack(sa, &len);
	ck_assert_ptr_nonnull(rec);
	ck_assert_msg(ike_state_unpack(rec, len, back, why, sizeof(why)) == 0,
		      "%s", why);
	ck_assert_uint_eq(back->n_own_vips, 2);
	ck_assert_uint_eq(back->n_vips, 0);
	ck_assert_mem_eq(back->own_vips[1].addr, sa->own_vips[1].addr, 16);
	ck_assert_uint_eq(back->own_vips[1].addr_len, 16);
	free(rec);
	ike_state_clear(back);

	sa->own_vips[1].addr_len = 3;
	rec = ike_state_pack(sa, &len);
	memset(back, 0, sizeof(*back));
	ck_assert_int_eq(ike_state_unpack(rec, len, back, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "virtual IP of 3 octets");
	free(rec);
	free(back);
	free(sa);
}
END_TEST

static Suite *own_vip_suite(void)
{
	Suite *s = suite_create("ike initiator virtual IPs");
	TCase *tc = tcase_create("own_vip");

	tcase_add_test(tc, vips_config);
	tcase_add_test(tc, request_as_the_responder_reads_it);
	tcase_add_test(tc, reply_addresses);
	tcase_add_test(tc, selectors_while_asking_and_after);
	tcase_add_test(tc, installed_and_removed_at_the_kernel);
	tcase_add_test(tc, kept_in_the_state_record);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(own_vip_suite)
