/* CREATE_CHILD_SA as the responder, driven message by message: a new
 * CHILD_SA and its rekeying with PFS (keys checked against prf+ of
 * SK_d, the kernel service's calls recorded by a stand-in RPC server),
 * the IKE_SA's rekeying (keys per RFC 7296 2.18, CHILD_SAs and virtual
 * IPs moved, the old SA refusing new work until the peer deletes it),
 * and the error notifies. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include "ike/delete.h"
#include "ike/request_out.h"
#include "ike/sa_timers.h"
#include "ike_peer.h"
#include "kernel.pb-c.h"
#include "log_capture.h"
#include "rpc.h"
#include "testmain.h"

static const char gw_conf[] =
	"connections {\n"
	"  rw {\n"
	"    proposals = aes256-sha256-modp2048\n"
	"    remote_addrs = 192.0.2.0/24\n"
	"    children {\n"
	"      net {\n"
	"        local_ts = 203.0.113.0/24\n"
	"        esp_proposals = aes128-sha256-modp2048, aes256-sha1\n"
	"      }\n"
	"    }\n"
	"  }\n"
	"}\n";

static struct ike_service svc;
static struct conf *conf;

/* What the stand-in kernel service was asked. */
#define CALLS_MAX 32
struct kernel_call {
	uint32_t method;
	uint32_t spi;
	uint32_t reqid;
	uint8_t encr_key[32];
	size_t encr_key_len;
};
static struct {
	pthread_mutex_t lock;
	size_t n;
	struct kernel_call calls[CALLS_MAX];
	uint32_t next_spi;
} kernel;
static struct rpc_server *kernel_server;
static char kernel_url[128];

static struct kernel_call *record(uint32_t method)
{
	struct kernel_call *c = &kernel.calls[kernel.n];

	ck_assert_uint_lt(kernel.n, CALLS_MAX);
	memset(c, 0, sizeof(*c));
	c->method = method;
	kernel.n++;
	return c;
}

static void alloc_spi(void *ctx, const ProtobufCMessage *req, struct rpc_reply *reply)
{
	Cygnet__AllocSpiReply r = CYGNET__ALLOC_SPI_REPLY__INIT;

	(void)ctx;
	pthread_mutex_lock(&kernel.lock);
	record(CYGNET__KERNEL_METHOD__KERNEL_ALLOC_SPI)->reqid =
		((const Cygnet__AllocSpiRequest *)req)->reqid;
	r.spi = kernel.next_spi++;
	pthread_mutex_unlock(&kernel.lock);
	rpc_reply_message(reply, &r.base);
}

static void sa_call(uint32_t method, const ProtobufCMessage *req,
		    struct rpc_reply *reply)
{
	const Cygnet__SaConfig *cfg = (const Cygnet__SaConfig *)req;
	Cygnet__Empty empty = CYGNET__EMPTY__INIT;
	struct kernel_call *c;

	pthread_mutex_lock(&kernel.lock);
	c = record(method);
	c->spi = cfg->spi;
	c->reqid = cfg->reqid;
	c->encr_key_len = cfg->encr_key.len;
	memcpy(c->encr_key, cfg->encr_key.data,
	       cfg->encr_key.len < 32 ? cfg->encr_key.len : 32);
	pthread_mutex_unlock(&kernel.lock);
	rpc_reply_message(reply, &empty.base);
}

static void update_sa(void *ctx, const ProtobufCMessage *req, struct rpc_reply *reply)
{
	(void)ctx;
	sa_call(CYGNET__KERNEL_METHOD__KERNEL_UPDATE_SA, req, reply);
}

static void add_sa(void *ctx, const ProtobufCMessage *req, struct rpc_reply *reply)
{
	(void)ctx;
	sa_call(CYGNET__KERNEL_METHOD__KERNEL_ADD_SA, req, reply);
}

static void del_sa(void *ctx, const ProtobufCMessage *req, struct rpc_reply *reply)
{
	Cygnet__Empty empty = CYGNET__EMPTY__INIT;

	(void)ctx;
	pthread_mutex_lock(&kernel.lock);
	record(CYGNET__KERNEL_METHOD__KERNEL_DEL_SA)->spi =
		((const Cygnet__SaId *)req)->spi;
	pthread_mutex_unlock(&kernel.lock);
	rpc_reply_message(reply, &empty.base);
}

static void policy(uint32_t method, const ProtobufCMessage *req,
		   struct rpc_reply *reply)
{
	Cygnet__PolicyReply r = CYGNET__POLICY_REPLY__INIT;

	pthread_mutex_lock(&kernel.lock);
	record(method)->reqid = ((const Cygnet__PolicyConfig *)req)->reqid;
	pthread_mutex_unlock(&kernel.lock);
	r.installed = 3;
	rpc_reply_message(reply, &r.base);
}

static void add_policy(void *ctx, const ProtobufCMessage *req, struct rpc_reply *reply)
{
	(void)ctx;
	policy(CYGNET__KERNEL_METHOD__KERNEL_ADD_POLICY, req, reply);
}

static void del_policy(void *ctx, const ProtobufCMessage *req, struct rpc_reply *reply)
{
	(void)ctx;
	policy(CYGNET__KERNEL_METHOD__KERNEL_DEL_POLICY, req, reply);
}

static const struct rpc_method kernel_methods[] = {
	{ CYGNET__KERNEL_METHOD__KERNEL_ALLOC_SPI, "alloc_spi",
	  &cygnet__alloc_spi_request__descriptor, alloc_spi },
	{ CYGNET__KERNEL_METHOD__KERNEL_UPDATE_SA, "update_sa",
	  &cygnet__sa_config__descriptor, update_sa },
	{ CYGNET__KERNEL_METHOD__KERNEL_ADD_SA, "add_sa",
	  &cygnet__sa_config__descriptor, add_sa },
	{ CYGNET__KERNEL_METHOD__KERNEL_DEL_SA, "del_sa",
	  &cygnet__sa_id__descriptor, del_sa },
	{ CYGNET__KERNEL_METHOD__KERNEL_ADD_POLICY, "add_policy",
	  &cygnet__policy_config__descriptor, add_policy },
	{ CYGNET__KERNEL_METHOD__KERNEL_DEL_POLICY, "del_policy",
	  &cygnet__policy_config__descriptor, del_policy },
};

static size_t calls_of(uint32_t method, size_t from)
{
	size_t n = 0;

	for (size_t i = from; i < kernel.n; i++)
		n += kernel.calls[i].method == method;
	return n;
}

static const struct kernel_call *find_call(uint32_t method, uint32_t spi)
{
	for (size_t i = 0; i < kernel.n; i++)
		if (kernel.calls[i].method == method && kernel.calls[i].spi == spi)
			return &kernel.calls[i];
	return NULL;
}

static void setup(void)
{
	struct conf_error cerr;
	char err[256];

	log_capture_start();
	memset(&kernel, 0, sizeof(kernel));
	pthread_mutex_init(&kernel.lock, NULL);
	kernel.next_spi = 0xc1000001;
	snprintf(kernel_url, sizeof(kernel_url),
		 "ipc:///tmp/cygnet-test-create-child-%d.rpc", (int)getpid());
	kernel_server = rpc_server_start(kernel_url, NULL, kernel_methods,
					 sizeof(kernel_methods) / sizeof(kernel_methods[0]),
					 NULL, 2, err, sizeof(err));
	ck_assert_msg(kernel_server != NULL, "%s", err);
	ck_assert_int_eq(ike_service_init(&svc), 0);
	svc.kernel = rpc_client_open(kernel_url, NULL, err, sizeof(err));
	ck_assert_ptr_nonnull(svc.kernel);
	conf = conf_load_string(gw_conf, "gw.conf", &cerr);
	ck_assert_ptr_nonnull(conf);
	ck_assert_msg(ike_service_configure(&svc, conf, false, err, sizeof(err)) == 0,
		      "%s", err);
}

static void teardown(void)
{
	rpc_client_close(svc.kernel);
	svc.kernel = NULL;
	ike_service_cleanup(&svc);
	rpc_server_stop(kernel_server);
	conf_free(conf);
	log_capture_stop();
}

/* The request's parts as an initiator writes them. */
struct child_offer {
	const char *esp;		/* proposal string */
	uint32_t spi;			/* the initiator's inbound SPI */
	uint16_t ke_group;		/* DH_NONE: no KE */
	struct dh *dh;			/* made here when ke_group is set */
	uint8_t nonce[32];
	const char *tsi, *tsr;
	uint32_t rekey_spi;		/* REKEY_SA, 0 without */
};

static void write_offer(struct msg_builder *b, struct child_offer *o)
{
	struct proposal p[4];
	struct ts tsi, tsr;
	char err[128];
	int n = proposal_parse(o->esp, PROTO_ESP, p, 4, err, sizeof(err));
	uint32_t spi = htonl(o->spi);

	ck_assert_int_gt(n, 0);
	for (int i = 0; i < n; i++) {
		p[i].number = (uint8_t)(i + 1);
		p[i].spi_size = 4;
		memcpy(p[i].spi, &spi, 4);
	}
	if (o->rekey_spi) {
		uint32_t rekey = htonl(o->rekey_spi);

		payload_notify_write(b, &(struct notify_payload){
			.protocol = PROTO_ESP, .spi_size = 4, .type = N_REKEY_SA,
			.spi = (const uint8_t *)&rekey });
	}
	payload_sa_write(b, p, (size_t)n);
	memset(o->nonce, 0x7e, sizeof(o->nonce));
	payload_nonce_write(b, o->nonce, sizeof(o->nonce));
	if (o->ke_group) {
		uint8_t pub[DH_MAX_PUBLIC];

		o->dh = dh_create(o->ke_group);
		ck_assert_ptr_nonnull(o->dh);
		ck_assert_int_eq(dh_public(o->dh, pub, dh_public_len(o->ke_group)), 0);
		payload_ke_write(b, o->ke_group, pub, dh_public_len(o->ke_group));
	}
	ck_assert_int_eq(ts_parse(o->tsi, &tsi, err, sizeof(err)), 0);
	ck_assert_int_eq(ts_parse(o->tsr, &tsr, err, sizeof(err)), 0);
	payload_ts_write(b, PL_TSI, &tsi, 1);
	payload_ts_write(b, PL_TSR, &tsr, 1);
}

static void send_offer(struct test_peer *p, struct child_offer *o)
{
	uint8_t buf[2048];
	struct msg_builder chain;

	builder_init_chain(&chain, buf, sizeof(buf));
	write_offer(&chain, o);
	peer_request(p, CREATE_CHILD_SA, &chain);
}

static void summary_is(const struct ike_message *msg, const char *expected)
{
	char text[512];

	message_summary(msg, text, sizeof(text));
	ck_assert_str_eq(text, expected);
}

/* Our SPI from the response's SA; the keys the initiator derives from
 * SK_d, [g^ir,] Ni and Nr: the inbound SA's encryption key comes
 * first in KEYMAT. */
static uint32_t check_child_keys(const struct test_peer *p,
				 struct child_offer *o, size_t key_len)
{
	const struct payload *sa_pl = message_find(&p->resp, PL_SA);
	const struct payload *nr = message_find(&p->resp, PL_NONCE);
	const struct payload *ke_pl = message_find(&p->resp, PL_KE);
	uint8_t gir[DH_MAX_SECRET], keymat[64];
	size_t gir_len = 0;
	struct proposal chosen;
	const struct kernel_call *in;
	uint32_t spi;

	ck_assert_ptr_nonnull(sa_pl);
	ck_assert_ptr_nonnull(nr);
	ck_assert_uint_eq(payload_sa_parse(sa_pl->body, sa_pl->len, &chosen, 1), 1);
	spi = get32(chosen.spi);
	if (o->ke_group) {
		struct ke_payload ke;

		ck_assert_ptr_nonnull(ke_pl);
		payload_ke_parse(ke_pl->body, ke_pl->len, &ke);
		ck_assert_uint_eq(ke.group, o->ke_group);
		ck_assert_int_eq(dh_derive(o->dh, ke.data, ke.len, gir, &gir_len), 0);
		dh_free(o->dh);
		o->dh = NULL;
	} else {
		ck_assert_ptr_null(ke_pl);
	}
	ck_assert_int_eq(keymat_derive_child(p->keys.prf, p->keys.sk_d,
					     o->ke_group ? gir : NULL, gir_len,
					     o->nonce, sizeof(o->nonce), nr->body,
					     nr->len, keymat, sizeof(keymat)), 0);
	in = find_call(CYGNET__KERNEL_METHOD__KERNEL_UPDATE_SA, spi);
	ck_assert_ptr_nonnull(in);
	ck_assert_uint_eq(in->encr_key_len, key_len);
	ck_assert_mem_eq(in->encr_key, keymat, key_len);
	ck_assert_ptr_nonnull(find_call(CYGNET__KERNEL_METHOD__KERNEL_ADD_SA, o->spi));
	return spi;
}

static void delete_child(struct test_peer *p, uint32_t peer_spi)
{
	uint8_t buf[64];
	struct msg_builder chain;
	uint32_t spi = htonl(peer_spi);

	builder_init_chain(&chain, buf, sizeof(buf));
	payload_delete_write(&chain, &(struct delete_payload){
		.protocol = PROTO_ESP, .spi_size = 4, .n_spis = 1,
		.spis = (const uint8_t *)&spi });
	peer_request(p, INFORMATIONAL, &chain);
}

START_TEST(new_child_then_rekeyed_with_pfs)
{
	struct test_peer *p = calloc(1, sizeof(*p));
	struct child_offer first = {
		.esp = "aes256-sha1", .spi = 0xaa000001,
		.tsi = "192.0.2.2/32", .tsr = "203.0.113.0/24",
	};
	struct child_offer second = {
		.esp = "aes128-sha256-modp2048", .spi = 0xaa000002,
		.ke_group = DH_MODP_2048, .tsi = "0.0.0.0/0", .tsr = "0.0.0.0/0",
		.rekey_spi = 0xaa000001,
	};
	struct ike_sa *sa;
	uint32_t spi1, spi2, reqid;
	size_t mark;

	peer_establish(p, &svc, "aes256-sha256-modp2048", DH_MODP_2048, "rw");
	sa = peer_sa(p);
	send_offer(p, &first);
	summary_is(&p->resp, "CREATE_CHILD_SA response 1 [ SA No TSi TSr ]");
	assert_logged("parsed CREATE_CHILD_SA request 1 [ SA No TSi TSr ]");
	assert_logged("selected proposal: ESP:AES_CBC_256/HMAC_SHA1_96/NO_EXT_SEQ");
	spi1 = check_child_keys(p, &first, 32);
	assert_logged("CHILD_SA net{1} established with SPIs c1000001_i aa000001_o "
		      "and TS 203.0.113.0/24 === 192.0.2.2/32");
	ck_assert_uint_eq(sa->n_children, 1);
	reqid = sa->children[0].reqid;
	ck_assert_uint_eq(calls_of(CYGNET__KERNEL_METHOD__KERNEL_ADD_POLICY, 0), 1);

	/* The rekeying: same reqid, PFS keys, selectors narrowed again. */
	mark = kernel.n;
	send_offer(p, &second);
	summary_is(&p->resp, "CREATE_CHILD_SA response 2 [ SA No KE TSi TSr ]");
	assert_logged("parsed CREATE_CHILD_SA request 2 [ N(REKEY_SA) SA No KE TSi TSr ]");
	spi2 = check_child_keys(p, &second, 16);
	ck_assert_uint_ne(spi1, spi2);
	assert_logged("CHILD_SA net{2} established with SPIs c1000002_i aa000002_o "
		      "and TS 203.0.113.0/24 === 192.0.2.2/32");
	ck_assert_uint_eq(sa->n_children, 2);
	ck_assert_uint_eq(sa->children[1].reqid, reqid);
	ck_assert_uint_eq(kernel.calls[mark].reqid, reqid);

	/* The peer deletes the old one: its SAs go, the policies stay with
	 * the replacement. */
	mark = kernel.n;
	delete_child(p, 0xaa000001);
	summary_is(&p->resp, "INFORMATIONAL response 3 [ D ]");
	assert_logged("rekeyed CHILD_SA net{1} with SPIs c1000001_i aa000001_o with "
		      "net{2} with SPIs c1000002_i aa000002_o");
	assert_logged("closing CHILD_SA net{1} with SPIs c1000001_i aa000001_o");
	ck_assert_uint_eq(sa->n_children, 1);
	ck_assert_uint_eq(sa->children[0].spi_in, spi2);
	ck_assert_uint_eq(calls_of(CYGNET__KERNEL_METHOD__KERNEL_DEL_SA, mark), 2);
	ck_assert_uint_eq(calls_of(CYGNET__KERNEL_METHOD__KERNEL_DEL_POLICY, mark), 0);
	free(p);
}
END_TEST

START_TEST(child_errors)
{
	struct test_peer *p = calloc(1, sizeof(*p));
	struct child_offer unknown = {
		.esp = "aes256-sha1", .spi = 0xbb000001, .tsi = "192.0.2.2/32",
		.tsr = "203.0.113.0/24", .rekey_spi = 0x12345678,
	};
	struct child_offer proposal = {
		.esp = "aes192-sha512", .spi = 0xbb000002, .tsi = "192.0.2.2/32",
		.tsr = "203.0.113.0/24",
	};
	struct child_offer no_pfs = {
		.esp = "aes128-sha256", .spi = 0xbb000005, .tsi = "192.0.2.2/32",
		.tsr = "203.0.113.0/24",
	};
	struct child_offer selectors = {
		.esp = "aes256-sha1", .spi = 0xbb000003, .tsi = "192.0.2.2/32",
		.tsr = "198.51.100.0/24",
	};
	struct child_offer group = {
		.esp = "aes128-sha256-modp2048", .spi = 0xbb000004,
		.ke_group = DH_ECP_256, .tsi = "192.0.2.2/32",
		.tsr = "203.0.113.0/24",
	};
	struct notify_payload n;

	peer_establish(p, &svc, "aes256-sha256-modp2048", DH_MODP_2048, "rw");
	send_offer(p, &unknown);
	ck_assert_uint_eq(peer_notify(p, &n), N_CHILD_SA_NOT_FOUND);
	ck_assert_uint_eq(n.spi_size, 4);
	ck_assert_uint_eq(get32(n.spi), 0x12345678);
	assert_logged("unable to rekey, ESP CHILD_SA with SPI 12345678 not found");
	send_offer(p, &proposal);
	ck_assert_uint_eq(peer_notify(p, &n), N_NO_PROPOSAL_CHOSEN);
	assert_logged("no acceptable proposal found");
	/* The config wants PFS with AES-128: without a KE method it is
	 * refused (as charon does when rekeying). */
	send_offer(p, &no_pfs);
	ck_assert_uint_eq(peer_notify(p, &n), N_NO_PROPOSAL_CHOSEN);
	send_offer(p, &selectors);
	ck_assert_uint_eq(peer_notify(p, &n), N_TS_UNACCEPTABLE);
	assert_logged("no acceptable traffic selectors found");
	send_offer(p, &group);
	dh_free(group.dh);
	ck_assert_uint_eq(peer_notify(p, &n), N_INVALID_KE_PAYLOAD);
	ck_assert_uint_eq(n.len, 2);
	ck_assert_uint_eq(n.data[1], DH_MODP_2048);
	assert_logged("DH group ECP_256 unacceptable, requesting MODP_2048");
	/* Nothing stayed in the kernel or on the SA. */
	ck_assert_uint_eq(peer_sa(p)->n_children, 0);
	ck_assert_uint_eq(calls_of(CYGNET__KERNEL_METHOD__KERNEL_ADD_SA, 0), 0);
	free(p);
}
END_TEST

/* SA(IKE with our new SPI), Ni, KEi; returns the initiator's DH. */
static struct dh *send_ike_rekey(struct test_peer *p, const char *proposals,
				 uint16_t group, const uint8_t new_spi[8],
				 uint8_t nonce[32])
{
	struct proposal prop[4];
	uint8_t buf[2048], pub[DH_MAX_PUBLIC];
	struct msg_builder chain;
	char err[128];
	int n = proposal_parse(proposals, PROTO_IKE, prop, 4, err, sizeof(err));
	struct dh *dh = dh_create(group);

	ck_assert_int_gt(n, 0);
	ck_assert_ptr_nonnull(dh);
	for (int i = 0; i < n; i++) {
		prop[i].number = (uint8_t)(i + 1);
		prop[i].spi_size = 8;
		memcpy(prop[i].spi, new_spi, 8);
	}
	builder_init_chain(&chain, buf, sizeof(buf));
	payload_sa_write(&chain, prop, (size_t)n);
	memset(nonce, 0x42, 32);
	payload_nonce_write(&chain, nonce, 32);
	ck_assert_int_eq(dh_public(dh, pub, dh_public_len(group)), 0);
	payload_ke_write(&chain, group, pub, dh_public_len(group));
	peer_request(p, CREATE_CHILD_SA, &chain);
	return dh;
}

/* The initiator's side of RFC 7296 2.18, written out with prf and
 * prf+ directly. */
static void rekeyed_keys(const struct test_peer *p, struct dh *dh,
			 const uint8_t ni[32], const uint8_t spi_i[8],
			 struct ike_keys *keys, uint8_t spi_r[8])
{
	const struct payload *sa_pl = message_find(&p->resp, PL_SA);
	const struct payload *nr = message_find(&p->resp, PL_NONCE);
	const struct payload *ke_pl = message_find(&p->resp, PL_KE);
	uint8_t gir[DH_MAX_SECRET], nonces[64], seed[64 + 16], km[256];
	size_t gir_len;
	struct proposal chosen;
	struct ke_payload ke;

	ck_assert_ptr_nonnull(sa_pl);
	ck_assert_ptr_nonnull(nr);
	ck_assert_ptr_nonnull(ke_pl);
	ck_assert_uint_eq(nr->len, 32);
	ck_assert_uint_eq(payload_sa_parse(sa_pl->body, sa_pl->len, &chosen, 1), 1);
	ck_assert_uint_eq(chosen.spi_size, 8);
	memcpy(spi_r, chosen.spi, 8);
	payload_ke_parse(ke_pl->body, ke_pl->len, &ke);
	ck_assert_int_eq(dh_derive(dh, ke.data, ke.len, gir, &gir_len), 0);
	memcpy(nonces, ni, 32);
	memcpy(nonces + 32, nr->body, 32);
	memset(keys, 0, sizeof(*keys));
	/* SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr) */
	ck_assert_int_eq(prf_compute(PRF_HMAC_SHA2_256, p->keys.sk_d, 32, gir,
				     gir_len, nonces, 64, keys->skeyseed), 0);
	memcpy(seed, nonces, 64);
	memcpy(seed + 64, spi_i, 8);
	memcpy(seed + 72, spi_r, 8);
	/* SK_d | SK_ai | SK_ar | SK_ei | SK_er: 32 + 32 + 32 + 32 + 32 */
	ck_assert_int_eq(prf_plus(PRF_HMAC_SHA2_256, keys->skeyseed, 32, seed,
				  sizeof(seed), km, 7 * 32), 0);
	keys->prf = PRF_HMAC_SHA2_256;
	keys->integ = INTEG_HMAC_SHA2_256_128;
	keys->encr = ENCR_AES_CBC;
	keys->encr_bits = 256;
	keys->prf_len = keys->integ_key_len = keys->encr_key_len = 32;
	memcpy(keys->sk_d, km, 32);
	memcpy(keys->sk_ai, km + 32, 32);
	memcpy(keys->sk_ar, km + 64, 32);
	memcpy(keys->sk_ei, km + 96, 32);
	memcpy(keys->sk_er, km + 128, 32);
}

START_TEST(ike_sa_rekeyed)
{
	struct test_peer *p = calloc(1, sizeof(*p));
	static const uint8_t new_spi_i[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct ike_sa_vip vip = { .pool = "v4", .addr = { 198, 51, 100, 7 },
				  .addr_len = 4, .identity = "peer.example.org" };
	struct child_sa child = { .name = "net", .unique_id = 9, .spi_in = 0xc1,
				  .spi_out = 0xaa };
	struct child_offer late = {
		.esp = "aes256-sha1", .spi = 0xcc000001, .tsi = "192.0.2.2/32",
		.tsr = "203.0.113.0/24",
	};
	struct ike_keys keys;
	struct ike_sa *old, *sa;
	struct notify_payload n;
	struct msg_builder chain;
	uint8_t nonce[32], spi_r[8], buf[64];
	uint64_t id_i, id_r;
	struct dh *dh;

	peer_establish(p, &svc, "aes256-sha256-modp2048", DH_MODP_2048, "rw");
	old = peer_sa(p);
	ck_assert_int_eq(sa_table_add_vip(svc.sas, old->unique_id, &vip), 0);
	ck_assert_int_eq(sa_table_add_child(svc.sas, old, &child), 0);
	dh = send_ike_rekey(p, "aes256-sha256-modp2048", DH_MODP_2048, new_spi_i,
			    nonce);
	summary_is(&p->resp, "CREATE_CHILD_SA response 1 [ SA No KE ]");
	assert_logged("parsed CREATE_CHILD_SA request 1 [ SA No KE ]");
	assert_logged("IKE_SA rw[2] rekeyed between 192.0.2.1[gw.example.org]..."
		      "192.0.2.2[peer.example.org]");
	rekeyed_keys(p, dh, nonce, new_spi_i, &keys, spi_r);
	dh_free(dh);
	memcpy(&id_i, new_spi_i, 8);
	memcpy(&id_r, spi_r, 8);
	sa = sa_table_find_spis(svc.sas, id_i, id_r);
	ck_assert_ptr_nonnull(sa);
	ck_assert_int_eq(sa->state, IKE_SA_ESTABLISHED);
	ck_assert_str_eq(sa->conn, "rw");
	ck_assert_mem_eq(sa->keys.sk_d, keys.sk_d, 32);
	ck_assert_mem_eq(sa->keys.sk_ei, keys.sk_ei, 32);
	ck_assert_mem_eq(sa->keys.sk_ar, keys.sk_ar, 32);
	ck_assert_uint_eq(sa->n_vips, 1);
	ck_assert_uint_eq(sa->n_children, 1);
	ck_assert_uint_eq(sa->children[0].spi_in, 0xc1);
	ck_assert_int_eq(old->state, IKE_SA_REKEYED);
	ck_assert_uint_eq(old->n_vips, 0);
	ck_assert_uint_eq(old->n_children, 0);

	/* The old IKE_SA takes no new CHILD_SA. */
	send_offer(p, &late);
	ck_assert_uint_eq(peer_notify(p, &n), N_TEMPORARY_FAILURE);
	assert_logged("unable to create CHILD_SA while rekeying IKE_SA");

	/* The peer deletes the old one; its CHILD_SA lives on the new. */
	builder_init_chain(&chain, buf, sizeof(buf));
	payload_delete_write(&chain, &(struct delete_payload){ .protocol = PROTO_IKE });
	peer_request(p, INFORMATIONAL, &chain);
	assert_logged("received DELETE for IKE_SA rw[1]");
	ck_assert_int_eq(old->state, IKE_SA_DELETING);
	ck_assert_uint_eq(sa->n_children, 1);
	ck_assert_uint_eq(calls_of(CYGNET__KERNEL_METHOD__KERNEL_DEL_SA, 0), 0);

	/* The new SA's message IDs start at 0, under the new keys. */
	memcpy(p->hdr.spi_i, new_spi_i, 8);
	memcpy(p->hdr.spi_r, spi_r, 8);
	p->keys = keys;
	p->next_id = 0;
	builder_init_chain(&chain, buf, sizeof(buf));
	peer_request(p, INFORMATIONAL, &chain);
	summary_is(&p->resp, "INFORMATIONAL response 0 [ ]");
	free(p);
}
END_TEST

/* The new IKE_SA of a rekeying response: the peer's SPI and ours from
 * the SA payload. */
static struct ike_sa *replacement(const struct test_peer *p,
				  const uint8_t spi_i[8])
{
	const struct payload *sa_pl = message_find(&p->resp, PL_SA);
	struct proposal chosen;
	uint64_t id_i, id_r;
	struct ike_sa *sa;

	ck_assert_ptr_nonnull(sa_pl);
	ck_assert_uint_eq(payload_sa_parse(sa_pl->body, sa_pl->len, &chosen, 1), 1);
	memcpy(&id_i, spi_i, 8);
	memcpy(&id_r, chosen.spi, 8);
	sa = sa_table_find_spis(svc.sas, id_i, id_r);
	ck_assert_ptr_nonnull(sa);
	return sa;
}

/* A rekeyed IKE_SA the peer never deletes goes after 90 s without a
 * message; its replacement keeps running, with DPD as configured. */
START_TEST(rekeyed_sa_expires)
{
	struct test_peer *p = calloc(1, sizeof(*p));
	static const uint8_t new_spi_i[8] = { 7, 7, 7, 7, 7, 7, 7, 7 };
	struct ike_sa *old, *sa;
	uint8_t nonce[32];

	peer_establish(p, &svc, "aes256-sha256-modp2048", DH_MODP_2048, "rw");
	old = peer_sa(p);
	old->dpd_delay = 30;
	dh_free(send_ike_rekey(p, "aes256-sha256-modp2048", DH_MODP_2048,
			       new_spi_i, nonce));
	ck_assert_int_eq(old->state, IKE_SA_REKEYED);
	sa = replacement(p, new_spi_i);
	ck_assert_int_eq(sa->dpd_delay, 30);
	ck_assert_int_eq(sa->last_received, sa_table_now());
	sa_timers_tick(&svc);
	ck_assert_int_eq(old->state, IKE_SA_REKEYED);
	old->last_received = sa_table_now() - 91;
	sa_timers_tick(&svc);
	ck_assert_int_eq(old->state, IKE_SA_DELETING);
	ck_assert_int_eq(sa->state, IKE_SA_ESTABLISHED);
	assert_logged("deleting IKE_SA rw[1] between 192.0.2.1[gw.example.org]..."
		      "192.0.2.2[peer.example.org]");
	free(p);
}
END_TEST

/* While our own DELETE of a CHILD_SA or of the IKE_SA is outstanding,
 * rekeying it or creating CHILD_SAs gets TEMPORARY_FAILURE. */
START_TEST(refused_while_we_delete)
{
	struct test_peer *p = calloc(1, sizeof(*p));
	static const uint8_t new_spi_i[8] = { 5, 5, 5, 5, 5, 5, 5, 5 };
	struct child_offer first = {
		.esp = "aes256-sha1", .spi = 0xdd000001,
		.tsi = "192.0.2.2/32", .tsr = "203.0.113.0/24",
	};
	struct child_offer rekey = first, another = first;
	struct notify_payload n;
	struct ike_sa *sa;
	uint8_t nonce[32];

	rekey.spi = 0xdd000002;
	rekey.rekey_spi = 0xdd000001;
	another.spi = 0xdd000003;
	peer_establish(p, &svc, "aes256-sha256-modp2048", DH_MODP_2048, "rw");
	sa = peer_sa(p);
	send_offer(p, &first);
	ck_assert_uint_eq(sa->n_children, 1);
	ck_assert_int_eq(child_sa_delete(&svc, sa->unique_id,
					 sa->children[0].unique_id), 0);
	send_offer(p, &rekey);
	ck_assert_uint_eq(peer_notify(p, &n), N_TEMPORARY_FAILURE);
	assert_logged("unable to rekey CHILD_SA net{1}, we are deleting it");
	/* Our DELETE answered, then we delete the IKE_SA. */
	request_answered(sa);
	ck_assert_int_eq(ike_sa_delete(&svc, sa->unique_id), 0);
	send_offer(p, &another);
	ck_assert_uint_eq(peer_notify(p, &n), N_TEMPORARY_FAILURE);
	assert_logged("unable to create CHILD_SA while deleting IKE_SA");
	dh_free(send_ike_rekey(p, "aes256-sha256-modp2048", DH_MODP_2048,
			       new_spi_i, nonce));
	ck_assert_uint_eq(peer_notify(p, &n), N_TEMPORARY_FAILURE);
	assert_logged("peer initiated rekeying, but we are deleting");
	ck_assert_uint_eq(sa_table_count(svc.sas), 1);
	free(p);
}
END_TEST

START_TEST(ike_rekey_errors)
{
	struct test_peer *p = calloc(1, sizeof(*p));
	static const uint8_t new_spi_i[8] = { 9, 9, 9, 9, 9, 9, 9, 9 };
	struct notify_payload n;
	uint8_t nonce[32];

	peer_establish(p, &svc, "aes256-sha256-modp2048", DH_MODP_2048, "rw");
	dh_free(send_ike_rekey(p, "aes256-sha256-modp2048-ecp256", DH_ECP_256,
			       new_spi_i, nonce));
	ck_assert_uint_eq(peer_notify(p, &n), N_INVALID_KE_PAYLOAD);
	ck_assert_uint_eq(n.len, 2);
	ck_assert_uint_eq(n.data[1], DH_MODP_2048);
	dh_free(send_ike_rekey(p, "aes128gcm16-prfsha512-ecp384", DH_ECP_384,
			       new_spi_i, nonce));
	ck_assert_uint_eq(peer_notify(p, &n), N_NO_PROPOSAL_CHOSEN);
	assert_logged("no acceptable proposal found");
	ck_assert_uint_eq(sa_table_count(svc.sas), 1);
	ck_assert_int_eq(peer_sa(p)->state, IKE_SA_ESTABLISHED);
	free(p);
}
END_TEST

static Suite *create_child_suite(void)
{
	Suite *s = suite_create("ike_create_child");
	TCase *tc = tcase_create("exchanges");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, new_child_then_rekeyed_with_pfs);
	tcase_add_test(tc, child_errors);
	tcase_add_test(tc, ike_sa_rekeyed);
	tcase_add_test(tc, ike_rekey_errors);
	tcase_add_test(tc, rekeyed_sa_expires);
	tcase_add_test(tc, refused_while_we_delete);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(create_child_suite)
