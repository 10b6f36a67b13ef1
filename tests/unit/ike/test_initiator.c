/* Cygnet as the initiator, driven message by message against Cygnet's
 * own responder in the same process: IKE_SA_INIT (INVALID_KE_PAYLOAD and
 * the retry with the group asked for), IKE_AUTH with the AUTH octets of
 * each role checked by a stand-in authority, the CHILD_SA's keys crossed
 * between the two sides at a stand-in kernel service, DPD, a NAT
 * keep-alive, our DELETEs of the CHILD_SA and the IKE_SA, the
 * retransmits of a request nobody answers, and our CREATE_CHILD_SA
 * rekeying a CHILD_SA (with PFS) at its rekey time and our close of it
 * at its life time, our rekeying of the IKE_SA, and a second CHILD_SA
 * initiated on the IKE_SA that is up. */
#include <arpa/inet.h>
#include <check.h>
#include <openssl/sha.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "authority.pb-c.h"
#include "ike/delete.h"
#include "ike/exchange.h"
#include "ike/initiate.h"
#include "ike/rekey_out.h"
#include "ike/sa_timers.h"
#include "kernel.pb-c.h"
#include "log.h"
#include "testmain.h"

static const char initiator_conf[] =
	"connections {\n"
	"  moon {\n"
	"    local_addrs = 127.0.0.1\n"
	"    remote_addrs = 127.0.0.2\n"
	"    proposals = aes256-sha256-ecp256, aes128-sha256-modp2048\n"
	"    send_cert = always\n"
	"    local { auth = pubkey\n id = moon.example.org }\n"
	"    remote { auth = pubkey\n id = sun.example.org }\n"
	"    children {\n"
	"      net {\n"
	"        local_ts = 198.51.100.0/24\n"
	"        esp_proposals = aes256-sha1-modp2048\n"
	"      }\n"
	"    }\n"
	"  }\n"
	"}\n";

static const char responder_conf[] =
	"connections {\n"
	"  sun {\n"
	"    proposals = aes128-sha256-modp2048\n"
	"    send_cert = always\n"
	"    local { auth = pubkey\n id = sun.example.org }\n"
	"    remote { auth = pubkey\n id = moon.example.org }\n"
	"    children {\n"
	"      net {\n"
	"        remote_ts = 198.51.100.0/24\n"
	"        esp_proposals = aes256-sha1-modp2048\n"
	"      }\n"
	"    }\n"
	"  }\n"
	"}\n";

static struct ike_service ini, resp;
static struct conf *ini_conf, *resp_conf;
static int peer_fd = -1;		/* the responder's address */
static uint16_t port;
static struct rpc_server *authority, *kernel;
static char authority_url[128], kernel_url[128];
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char logbuf[1 << 17];
static size_t loglen;

/* SAs the stand-in kernel service was given: SPI and encryption key. */
#define SAS_MAX 16
static struct {
	pthread_mutex_t lock;
	uint32_t next_spi;
	size_t n_in, n_out;
	struct { uint32_t spi; uint8_t key[32]; } in[SAS_MAX], out[SAS_MAX];
	size_t verified;	/* VERIFY_AUTH calls with a valid signature */
} stand;

static void capture(void *arg, enum log_subsys subsys, int level,
		    const char *line)
{
	(void)arg;
	(void)subsys;
	(void)level;
	pthread_mutex_lock(&log_lock);
	loglen += (size_t)snprintf(logbuf + loglen, sizeof(logbuf) - loglen,
				   "%s\n", line);
	if (loglen >= sizeof(logbuf))
		loglen = sizeof(logbuf) - 1;
	pthread_mutex_unlock(&log_lock);
}

static void assert_logged(const char *text)
{
	pthread_mutex_lock(&log_lock);
	ck_assert_msg(strstr(logbuf, text) != NULL, "not logged: %s\n--\n%s",
		      text, logbuf);
	pthread_mutex_unlock(&log_lock);
}

/* ---- stand-in authority: signatures are SHA-256 of the octets -------- */

static void local_cert(void *ctx, const ProtobufCMessage *req,
		       struct rpc_reply *reply)
{
	Cygnet__LocalCertReply r = CYGNET__LOCAL_CERT_REPLY__INIT;
	static uint8_t cert[] = "not a certificate";

	(void)ctx;
	(void)req;
	r.cert = (ProtobufCBinaryData){ sizeof(cert), cert };
	r.subject = "CN=stand-in";
	rpc_reply_message(reply, &r.base);
}

static void sign(void *ctx, const ProtobufCMessage *req, struct rpc_reply *reply)
{
	const Cygnet__SignRequest *s = (const Cygnet__SignRequest *)req;
	Cygnet__SignReply r = CYGNET__SIGN_REPLY__INIT;
	uint8_t digest[SHA256_DIGEST_LENGTH];

	(void)ctx;
	SHA256(s->octets.data, s->octets.len, digest);
	r.auth_method = CYGNET__AUTH_METHOD__AUTH_ECDSA_256;
	r.signature = (ProtobufCBinaryData){ sizeof(digest), digest };
	r.key_type = "ECDSA-256";
	rpc_reply_message(reply, &r.base);
}

static void verify_cert(void *ctx, const ProtobufCMessage *req,
			struct rpc_reply *reply)
{
	Cygnet__VerifyCertReply r = CYGNET__VERIFY_CERT_REPLY__INIT;

	(void)ctx;
	(void)req;
	r.trusted = true;
	r.subject = "CN=stand-in";
	rpc_reply_message(reply, &r.base);
}

static void verify_auth(void *ctx, const ProtobufCMessage *req,
			struct rpc_reply *reply)
{
	const Cygnet__VerifyAuthRequest *v = (const Cygnet__VerifyAuthRequest *)req;
	Cygnet__VerifyAuthReply r = CYGNET__VERIFY_AUTH_REPLY__INIT;
	uint8_t digest[SHA256_DIGEST_LENGTH];

	(void)ctx;
	SHA256(v->octets.data, v->octets.len, digest);
	r.valid = v->signature.len == sizeof(digest) &&
		  memcmp(v->signature.data, digest, sizeof(digest)) == 0;
	r.reason = "signature does not match the octets";
	pthread_mutex_lock(&stand.lock);
	stand.verified += r.valid;
	pthread_mutex_unlock(&stand.lock);
	rpc_reply_message(reply, &r.base);
}

/* ---- stand-in kernel service ----------------------------------------- */

static void alloc_spi(void *ctx, const ProtobufCMessage *req,
		      struct rpc_reply *reply)
{
	Cygnet__AllocSpiReply r = CYGNET__ALLOC_SPI_REPLY__INIT;

	(void)ctx;
	(void)req;
	pthread_mutex_lock(&stand.lock);
	r.spi = stand.next_spi++;
	pthread_mutex_unlock(&stand.lock);
	rpc_reply_message(reply, &r.base);
}

static void sa_config(void *ctx, const ProtobufCMessage *req,
		      struct rpc_reply *reply)
{
	const Cygnet__SaConfig *cfg = (const Cygnet__SaConfig *)req;
	Cygnet__Empty empty = CYGNET__EMPTY__INIT;
	size_t *n;

	(void)ctx;
	pthread_mutex_lock(&stand.lock);
	n = cfg->inbound ? &stand.n_in : &stand.n_out;
	if (*n < SAS_MAX && cfg->encr_key.len == 32) {
		(cfg->inbound ? stand.in : stand.out)[*n].spi = cfg->spi;
		memcpy((cfg->inbound ? stand.in : stand.out)[*n].key,
		       cfg->encr_key.data, 32);
		(*n)++;
	}
	pthread_mutex_unlock(&stand.lock);
	rpc_reply_message(reply, &empty.base);
}

static void empty_reply(void *ctx, const ProtobufCMessage *req,
			struct rpc_reply *reply)
{
	Cygnet__Empty empty = CYGNET__EMPTY__INIT;

	(void)ctx;
	(void)req;
	rpc_reply_message(reply, &empty.base);
}

static void policy(void *ctx, const ProtobufCMessage *req,
		   struct rpc_reply *reply)
{
	Cygnet__PolicyReply r = CYGNET__POLICY_REPLY__INIT;

	(void)ctx;
	(void)req;
	rpc_reply_message(reply, &r.base);
}

/* Each answers both sides' calls. */
static const struct rpc_method authority_methods[] = {
	{ CYGNET__AUTHORITY_METHOD__AUTHORITY_LOCAL_CERT, "local_cert",
	  &cygnet__local_cert_request__descriptor, local_cert },
	{ CYGNET__AUTHORITY_METHOD__AUTHORITY_SIGN, "sign",
	  &cygnet__sign_request__descriptor, sign },
	{ CYGNET__AUTHORITY_METHOD__AUTHORITY_VERIFY_CERT, "verify_cert",
	  &cygnet__verify_cert_request__descriptor, verify_cert },
	{ CYGNET__AUTHORITY_METHOD__AUTHORITY_VERIFY_AUTH, "verify_auth",
	  &cygnet__verify_auth_request__descriptor, verify_auth },
};

static const struct rpc_method kernel_methods[] = {
	{ CYGNET__KERNEL_METHOD__KERNEL_ALLOC_SPI, "alloc_spi",
	  &cygnet__alloc_spi_request__descriptor, alloc_spi },
	{ CYGNET__KERNEL_METHOD__KERNEL_UPDATE_SA, "update_sa",
	  &cygnet__sa_config__descriptor, sa_config },
	{ CYGNET__KERNEL_METHOD__KERNEL_ADD_SA, "add_sa",
	  &cygnet__sa_config__descriptor, sa_config },
	{ CYGNET__KERNEL_METHOD__KERNEL_DEL_SA, "del_sa",
	  &cygnet__sa_id__descriptor, empty_reply },
	{ CYGNET__KERNEL_METHOD__KERNEL_ADD_POLICY, "add_policy",
	  &cygnet__policy_config__descriptor, policy },
	{ CYGNET__KERNEL_METHOD__KERNEL_DEL_POLICY, "del_policy",
	  &cygnet__policy_config__descriptor, policy },
};

/* ---- the two services ------------------------------------------------- */

static void service_up(struct ike_service *svc, struct conf **conf,
		       const char *text)
{
	struct conf_error cerr;
	char err[256];

	ck_assert_int_eq(ike_service_init(svc), 0);
	*conf = conf_load_string(text, "test.conf", &cerr);
	ck_assert_ptr_nonnull(*conf);
	ck_assert_msg(ike_service_configure(svc, *conf, false, err,
					    sizeof(err)) == 0, "%s", err);
	svc->certreq.authority = rpc_client_open(authority_url, NULL, err,
						 sizeof(err));
	svc->kernel = rpc_client_open(kernel_url, NULL, err, sizeof(err));
	ck_assert_ptr_nonnull(svc->kernel);
	svc->settings.port = port;
	svc->settings.port_nat_t = (uint16_t)(port + 1);
	svc->settings.retransmit = (struct retransmit_settings){ 0.05, 1.0, 2 };
}

static void service_down(struct ike_service *svc, struct conf *conf)
{
	request_wait_all(svc);
	ike_sockets_close(&svc->sockets);
	rpc_client_close(svc->certreq.authority);
	rpc_client_close(svc->kernel);
	svc->certreq.authority = svc->kernel = NULL;
	ike_service_cleanup(svc);
	conf_free(conf);
}

static struct rpc_server *stand_in(char *url, const char *name,
				   const struct rpc_method *methods, size_t n)
{
	struct rpc_server *server;
	char err[256];

	snprintf(url, 128, "ipc:///tmp/cygnet-test-initiator-%s-%d.rpc", name,
		 (int)getpid());
	server = rpc_server_start(url, NULL, methods, n, NULL, 4, err,
				  sizeof(err));
	ck_assert_msg(server != NULL, "%s", err);
	return server;
}

static void setup(void)
{
	struct sockaddr_in peer = { .sin_family = AF_INET };
	char *listen[] = { "127.0.0.1" };
	char err[256];

	loglen = 0;
	logbuf[0] = '\0';
	log_set_sink(capture, NULL);
	memset(&stand, 0, sizeof(stand));
	pthread_mutex_init(&stand.lock, NULL);
	stand.next_spi = 0xc0000001;
	authority = stand_in(authority_url, "authority", authority_methods,
			     sizeof(authority_methods) / sizeof(authority_methods[0]));
	kernel = stand_in(kernel_url, "kernel", kernel_methods,
			  sizeof(kernel_methods) / sizeof(kernel_methods[0]));
	port = (uint16_t)(20000 + (getpid() % 10000) * 2);
	service_up(&ini, &ini_conf, initiator_conf);
	service_up(&resp, &resp_conf, responder_conf);
	ck_assert_msg(ike_sockets_open(&ini.sockets, listen, 1, port,
				       (uint16_t)(port + 1), err,
				       sizeof(err)) == 0, "%s", err);
	peer_fd = socket(AF_INET, SOCK_DGRAM, 0);
	peer.sin_port = htons(port);
	inet_pton(AF_INET, "127.0.0.2", &peer.sin_addr);
	ck_assert_int_eq(bind(peer_fd, (struct sockaddr *)&peer, sizeof(peer)), 0);
}

static void teardown(void)
{
	service_down(&ini, ini_conf);
	service_down(&resp, resp_conf);
	close(peer_fd);
	rpc_server_stop(authority);
	rpc_server_stop(kernel);
	log_set_sink(NULL, NULL);
}

static void addr(struct sockaddr_storage *ss, const char *ip)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	in->sin_family = AF_INET;
	in->sin_port = htons(port);
	inet_pton(AF_INET, ip, &in->sin_addr);
}

/* What the initiator sent to the responder's address, within 2 s;
 * false when nothing came. */
static bool receive(struct packet *pkt)
{
	struct pollfd p = { .fd = peer_fd, .events = POLLIN };
	ssize_t n;

	if (poll(&p, 1, 2000) != 1)
		return false;
	n = recv(peer_fd, pkt->data, sizeof(pkt->data), 0);
	ck_assert_int_gt(n, 0);
	pkt->len = (size_t)n;
	addr(&pkt->local, "127.0.0.2");
	addr(&pkt->remote, "127.0.0.1");
	return true;
}

/* A packet svc answers into out (IKE_SA_INIT), or its worker caches
 * (encrypted requests): into out either way, addressed from from_ip to
 * to_ip. */
static void answer(struct ike_service *svc, struct packet *pkt,
		   struct packet *out, const char *from_ip, const char *to_ip)
{
	struct ike_message msg;
	struct ike_sa *sa;
	uint64_t spi_i, spi_r;

	if (ike_process(svc, pkt, out) == 1) {
		ck_assert_int_eq(message_parse(out->data, out->len, &msg), PARSE_OK);
	} else {
		request_wait_all(svc);
		ck_assert_int_eq(message_parse(pkt->data, pkt->len, &msg), PARSE_OK);
		memcpy(&spi_i, msg.hdr.spi_i, 8);
		memcpy(&spi_r, msg.hdr.spi_r, 8);
		sa = sa_table_find_spis(svc->sas, spi_i, spi_r);
		ck_assert_ptr_nonnull(sa);
		ck_assert_ptr_nonnull(sa->last_response);
		ck_assert_uint_eq(sa->last_response_count, 1);
		memcpy(out->data, sa->last_response, sa->last_response_len);
		out->len = sa->last_response_len;
	}
	addr(&out->local, from_ip);
	addr(&out->remote, to_ip);
}

static void to_responder(struct packet *pkt, struct packet *out)
{
	answer(&resp, pkt, out, "127.0.0.1", "127.0.0.2");
}

/* The responder's answer goes to the initiator, whose worker then
 * sends its next request (if any). */
static void to_initiator(struct packet *pkt)
{
	struct packet *none = malloc(sizeof(*none));

	ck_assert_int_eq(ike_process(&ini, pkt, none), 0);
	request_wait_all(&ini);
	free(none);
}

static struct ike_sa *sa_by_id(struct ike_service *svc, uint64_t id)
{
	size_t n;
	struct ike_sa **all = sa_table_pointers(svc->sas, &n), *found = NULL;

	for (size_t i = 0; i < n; i++)
		if (all[i]->unique_id == id)
			found = all[i];
	free(all);
	return found;
}

static uint16_t ke_group(const struct packet *pkt)
{
	struct ike_message msg;
	struct ke_payload ke;
	const struct payload *p;

	ck_assert_int_eq(message_parse(pkt->data, pkt->len, &msg), PARSE_OK);
	ck_assert_uint_eq(msg.hdr.exchange, IKE_SA_INIT);
	ck_assert(msg.hdr.flags & FLAG_INITIATOR);
	ck_assert(!(msg.hdr.flags & FLAG_RESPONSE));
	p = message_find(&msg, PL_KE);
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(message_find_notify(&msg, N_NAT_DETECTION_SOURCE_IP));
	ck_assert_ptr_nonnull(message_find_notify(&msg, N_IKEV2_FRAGMENTATION_SUPPORTED));
	payload_ke_parse(p->body, p->len, &ke);
	return ke.group;
}

/* Each side's outbound key is the other side's inbound key. */
static void assert_keys_crossed(void)
{
	ck_assert_uint_eq(stand.n_in, 2);
	ck_assert_uint_eq(stand.n_out, 2);
	for (size_t i = 0; i < 2; i++) {
		bool found = false;

		for (size_t k = 0; k < 2; k++)
			found |= stand.out[i].spi == stand.in[k].spi &&
				 memcmp(stand.out[i].key, stand.in[k].key, 32) == 0;
		ck_assert_msg(found, "outbound SA %08x has no inbound twin",
			      stand.out[i].spi);
	}
	ck_assert(memcmp(stand.in[0].key, stand.in[1].key, 32) != 0);
}

/* IKE_SA_INIT (twice, for the group) and IKE_AUTH: the IKE_SA with its
 * CHILD_SA net{1} on both sides; returns the initiator's SA. */
static struct ike_sa *establish(struct packet *pkt, struct packet *out,
				uint64_t *id)
{
	struct ike_sa *sa;
	char err[256];

	ck_assert_int_eq(initiate(&ini, "net", NULL, id, err, sizeof(err)), 0);
	assert_logged("initiating IKE_SA moon[1] to 127.0.0.2");
	/* ECP_256 first; the responder wants MODP_2048. */
	ck_assert(receive(pkt));
	ck_assert_uint_eq(ke_group(pkt), DH_ECP_256);
	to_responder(pkt, out);
	to_initiator(out);
	assert_logged("peer didn't accept DH group ECP_256, it requested MODP_2048");
	ck_assert(receive(pkt));
	ck_assert_uint_eq(ke_group(pkt), DH_MODP_2048);
	to_responder(pkt, out);
	to_initiator(out);
	/* IKE_AUTH: both AUTHs checked against each role's octets. */
	assert_logged("establishing CHILD_SA net{1}");
	ck_assert(receive(pkt));
	to_responder(pkt, out);
	assert_logged("IKE_SA sun[1] established between 127.0.0.2[sun.example.org]"
		      "...127.0.0.1[moon.example.org]");
	to_initiator(out);
	ck_assert_uint_eq(stand.verified, 2);
	assert_logged("IKE_SA moon[1] established between 127.0.0.1[moon.example.org]"
		      "...127.0.0.2[sun.example.org]");
	assert_logged("TS 198.51.100.0/24 === 127.0.0.2/32");
	sa = sa_by_id(&ini, *id);
	ck_assert_ptr_nonnull(sa);
	return sa;
}

START_TEST(initiate_establish_delete)
{
	struct packet *pkt = malloc(sizeof(*pkt)), *out = malloc(sizeof(*out));
	struct ike_sa *sa, *peer;
	uint64_t id;

	sa = establish(pkt, out, &id);
	ck_assert_ptr_nonnull(sa);
	ck_assert(sa->initiator);
	ck_assert_int_eq(sa->state, IKE_SA_ESTABLISHED);
	ck_assert_uint_eq(sa->initiated, INITIATE_DONE);
	ck_assert_uint_eq(sa->n_children, 1);
	ck_assert(sa->children[0].initiated);
	ck_assert_ptr_null(sa->request);
	assert_keys_crossed();
	/* Behind a NAT: a keep-alive; dpd_delay without a message: DPD. */
	sa->local_nat = true;
	sa->dpd_delay = 1;
	sa->last_received = sa_table_now() - 1;
	sa_timers_tick(&ini);
	ck_assert(receive(pkt));
	ck_assert_uint_eq(pkt->len, 1);
	ck_assert_uint_eq(pkt->data[0], 0xff);
	assert_logged("sending DPD request");
	ck_assert(receive(pkt));
	to_responder(pkt, out);
	assert_logged("generating INFORMATIONAL response 2 [ ]");
	to_initiator(out);
	assert_logged("parsed INFORMATIONAL response 2 [ ]");
	ck_assert_ptr_null(sa->request);
	sa->local_nat = false;
	sa->dpd_delay = 0;
	/* cygnetctl --terminate --child: the CHILD_SA alone goes. */
	ck_assert_int_eq(child_sa_delete(&ini, id, sa->children[0].unique_id), 0);
	assert_logged("sending DELETE for ESP CHILD_SA with SPI");
	ck_assert(receive(pkt));
	to_responder(pkt, out);
	to_initiator(out);
	assert_logged("CHILD_SA closed");
	ck_assert_uint_eq(sa->n_children, 0);
	ck_assert_int_eq(sa->state, IKE_SA_ESTABLISHED);
	/* Our DELETE, answered by the responder. */
	ck_assert_int_eq(ike_sa_delete(&ini, id), 0);
	assert_logged("sending DELETE for IKE_SA moon[1]");
	ck_assert(receive(pkt));
	to_responder(pkt, out);
	assert_logged("received DELETE for IKE_SA sun[1]");
	peer = sa_by_id(&resp, 1);
	ck_assert_ptr_nonnull(peer);
	ck_assert_int_eq(peer->state, IKE_SA_DELETING);
	to_initiator(out);
	assert_logged("IKE_SA deleted");
	ck_assert_int_eq(sa->state, IKE_SA_DELETING);
	ck_assert_int_eq(ike_sa_delete(&ini, id), -1);
	free(pkt);
	free(out);
}
END_TEST

/* A response is checked against our request: one with the initiator
 * flag is ignored; one for the IKE_SA_INIT request after ours too. */
START_TEST(responses_checked)
{
	struct packet *pkt = malloc(sizeof(*pkt)), *out = malloc(sizeof(*out));
	char err[256];
	uint64_t id;

	ck_assert_int_eq(initiate(&ini, NULL, "moon", &id, err, sizeof(err)), 0);
	ck_assert(receive(pkt));
	to_responder(pkt, out);
	out->data[19] |= FLAG_INITIATOR;
	to_initiator(out);
	assert_logged("IKE_SA_INIT response with invalid flags or exchange, ignored");
	out->data[19] &= (uint8_t)~FLAG_INITIATOR;
	to_initiator(out);
	assert_logged("peer didn't accept DH group ECP_256");
	ck_assert(receive(pkt));
	ck_assert_uint_eq(ke_group(pkt), DH_MODP_2048);
	to_responder(pkt, out);
	out->data[23] = 1;	/* message ID 1 */
	to_initiator(out);
	assert_logged("received message ID 1, expected 0, ignored");
	ck_assert_int_eq(initiate(&ini, "nonexistent", NULL, &id, err,
				  sizeof(err)), -1);
	ck_assert_str_eq(err, "CHILD_SA config 'nonexistent' not found");
	free(pkt);
	free(out);
}
END_TEST

/* COOKIE (RFC 7296 2.6): the request again, the cookie echoed first. */
START_TEST(cookie_echoed)
{
	static const uint8_t cookie[] = "0123456789abcdef";
	struct packet *pkt = malloc(sizeof(*pkt)), *out = malloc(sizeof(*out));
	struct ike_message msg;
	struct ike_header h;
	struct msg_builder b;
	struct notify_payload n;
	char err[256];
	uint64_t id;

	ck_assert_int_eq(initiate(&ini, "net", NULL, &id, err, sizeof(err)), 0);
	ck_assert(receive(pkt));
	ck_assert_int_eq(message_parse(pkt->data, pkt->len, &msg), PARSE_OK);
	h = msg.hdr;
	h.flags = FLAG_RESPONSE;
	builder_init(&b, out->data, sizeof(out->data), &h);
	payload_notify_write(&b, &(struct notify_payload){
		.type = N_COOKIE, .data = cookie, .len = sizeof(cookie) });
	out->len = builder_finish(&b);
	addr(&out->local, "127.0.0.1");
	addr(&out->remote, "127.0.0.2");
	to_initiator(out);
	ck_assert(receive(pkt));
	ck_assert_int_eq(message_parse(pkt->data, pkt->len, &msg), PARSE_OK);
	ck_assert_uint_eq(msg.payloads[0].type, PL_NOTIFY);
	payload_notify_parse(msg.payloads[0].body, msg.payloads[0].len, &n);
	ck_assert_uint_eq(n.type, N_COOKIE);
	ck_assert_uint_eq(n.len, sizeof(cookie));
	ck_assert_mem_eq(n.data, cookie, sizeof(cookie));
	ck_assert_mem_eq(msg.hdr.spi_i, h.spi_i, 8);
	ck_assert_uint_eq(ke_group(pkt), DH_ECP_256);
	free(pkt);
	free(out);
}
END_TEST

/* Nobody answers: the request goes out again after 50 ms and 50 ms
 * (base 1.0), then the SA is given up. */
START_TEST(retransmits_then_gives_up)
{
	struct packet *pkt = malloc(sizeof(*pkt));
	struct ike_sa *sa;
	char err[256];
	uint64_t id;
	int received = 0;

	ck_assert_int_eq(initiate(&ini, "net", NULL, &id, err, sizeof(err)), 0);
	sa = sa_by_id(&ini, id);
	ck_assert_ptr_nonnull(sa);
	for (int i = 0; i < 40 && sa->state != IKE_SA_DELETING; i++) {
		usleep(20000);
		sa_timers_tick(&ini);
	}
	while (receive(pkt) && received < 10)
		received++;
	ck_assert_int_eq(received, 3);
	assert_logged("retransmit 1 of request with message ID 0");
	assert_logged("retransmit 2 of request with message ID 0");
	assert_logged("giving up after 2 retransmits");
	assert_logged("establishing IKE_SA failed, peer not responding");
	ck_assert_int_eq(sa->state, IKE_SA_DELETING);
	free(pkt);
}
END_TEST

START_TEST(backoff)
{
	struct retransmit_settings s = { 4.0, 1.8, 5 };

	ck_assert(retransmit_timeout(&s, 0) == 4.0);
	ck_assert(retransmit_timeout(&s, 1) > 7.19 && retransmit_timeout(&s, 1) < 7.21);
	ck_assert(retransmit_timeout(&s, 4) > 41.99 && retransmit_timeout(&s, 4) < 42.0);
}
END_TEST


/* The SAs given to the stand-in kernel service from index from on:
 * each outbound key is an inbound key of the other side. */
static void assert_keys_crossed_from(size_t from)
{
	ck_assert_uint_eq(stand.n_in, from + 2);
	ck_assert_uint_eq(stand.n_out, from + 2);
	for (size_t i = from; i < from + 2; i++) {
		bool found = false;

		for (size_t k = from; k < from + 2; k++)
			found |= stand.out[i].spi == stand.in[k].spi &&
				 memcmp(stand.out[i].key, stand.in[k].key, 32) == 0;
		ck_assert_msg(found, "outbound SA %08x has no inbound twin",
			      stand.out[i].spi);
	}
}

/* CHILD_SA net{1} is rekeyed by us at its rekey time (3600 s less up
 * to 360 s of jitter): [ N(REKEY_SA) SA No KE TSi TSr ] with a MODP_2048
 * KE (PFS), net{2} keeps the reqid and net{1} goes with our DELETE on
 * both sides; at its life time net{2} is closed as expired. */
START_TEST(rekey_child)
{
	struct packet *pkt = malloc(sizeof(*pkt)), *out = malloc(sizeof(*out));
	struct ike_sa *sa, *peer;
	uint32_t old_in, old_out;
	uint64_t id;

	sa = establish(pkt, out, &id);
	peer = sa_by_id(&resp, 1);
	ck_assert_ptr_nonnull(peer);
	ck_assert_int_le(sa->children[0].rekey_time, 3600);
	ck_assert_int_gt(sa->children[0].rekey_time, 3600 - 360);
	ck_assert_int_eq(sa->children[0].life_time, 3960);
	old_in = sa->children[0].spi_in;
	old_out = sa->children[0].spi_out;
	sa_timers_tick(&ini);
	ck_assert(!receive(pkt) || pkt->len == 1);	/* not due yet */
	sa->children[0].installed -= sa->children[0].rekey_time;
	sa_timers_tick(&ini);
	assert_logged("establishing CHILD_SA net{2} reqid 1");
	assert_logged("generating CREATE_CHILD_SA request 2 [ N(REKEY_SA) SA No KE TSi TSr ]");
	ck_assert(receive(pkt));
	to_responder(pkt, out);
	assert_logged("selected proposal: ESP:AES_CBC_256/HMAC_SHA1_96/MODP_2048/NO_EXT_SEQ");
	ck_assert_uint_eq(peer->n_children, 2);
	to_initiator(out);
	assert_logged("parsed CREATE_CHILD_SA response 2 [ SA No KE TSi TSr ]");
	assert_logged("CHILD_SA net{2} established");
	assert_logged("closing CHILD_SA net{1}");
	ck_assert_uint_eq(sa->n_children, 2);
	assert_keys_crossed_from(2);
	ck_assert(memcmp(stand.in[0].key, stand.in[2].key, 32) != 0);
	/* Our DELETE of net{1}: the responder's twin goes, then ours. */
	ck_assert(receive(pkt));
	to_responder(pkt, out);
	assert_logged("rekeyed CHILD_SA net{1} with SPIs");
	ck_assert_uint_eq(peer->n_children, 1);
	to_initiator(out);
	assert_logged("CHILD_SA closed");
	ck_assert_uint_eq(sa->n_children, 1);
	ck_assert_uint_eq(sa->children[0].unique_id, 2);
	ck_assert_uint_eq(sa->children[0].reqid, 1);
	ck_assert_uint_ne(sa->children[0].spi_in, old_in);
	ck_assert_uint_ne(sa->children[0].spi_out, old_out);
	ck_assert_uint_eq(sa->children[0].spi_in, peer->children[0].spi_out);
	ck_assert_uint_eq(sa->children[0].spi_out, peer->children[0].spi_in);
	/* Not rekeyed by its life time: closed. */
	sa->children[0].installed -= sa->children[0].life_time;
	sa_timers_tick(&ini);
	assert_logged("closing expired CHILD_SA net{2} with SPIs");
	ck_assert(receive(pkt));
	to_responder(pkt, out);
	to_initiator(out);
	ck_assert_uint_eq(sa->n_children, 0);
	ck_assert_uint_eq(peer->n_children, 0);
	ck_assert_int_eq(sa->state, IKE_SA_ESTABLISHED);
	free(pkt);
	free(out);
}
END_TEST

/* Our IKE_SA rekeying: [ SA No KE ] with a new SPI and the current
 * group, moon[2] takes over net{1} on both sides, our DELETE ends
 * moon[1]/sun[1], and the new keys carry the CHILD_SA's DELETE. */
START_TEST(rekey_ike)
{
	struct packet *pkt = malloc(sizeof(*pkt)), *out = malloc(sizeof(*out));
	struct ike_sa *sa, *peer, *new_sa, *new_peer;
	uint64_t id;

	sa = establish(pkt, out, &id);
	assert_logged("scheduling rekeying in ");
	ck_assert_int_eq(rekey_out_start(&ini, id), 0);
	assert_logged("generating CREATE_CHILD_SA request 2 [ SA No KE ]");
	ck_assert(receive(pkt));
	to_responder(pkt, out);
	assert_logged("IKE_SA sun[2] rekeyed between 127.0.0.2[sun.example.org]"
		      "...127.0.0.1[moon.example.org]");
	to_initiator(out);
	assert_logged("parsed CREATE_CHILD_SA response 2 [ SA No KE ]");
	assert_logged("IKE_SA moon[2] rekeyed between 127.0.0.1[moon.example.org]"
		      "...127.0.0.2[sun.example.org]");
	assert_logged("deleting IKE_SA moon[1] between");
	assert_logged("sending DELETE for IKE_SA moon[1]");
	ck_assert_int_eq(sa->state, IKE_SA_REKEYED);
	ck_assert_uint_eq(sa->n_children, 0);
	new_sa = sa_by_id(&ini, 2);
	ck_assert_ptr_nonnull(new_sa);
	ck_assert(new_sa->initiator);
	ck_assert_int_eq(new_sa->state, IKE_SA_ESTABLISHED);
	ck_assert_uint_eq(new_sa->n_children, 1);
	ck_assert(new_sa->spi_i != sa->spi_i && new_sa->spi_r != sa->spi_r);
	ck_assert(memcmp(new_sa->keys.sk_d, sa->keys.sk_d, 20) != 0);
	ck_assert(receive(pkt));
	to_responder(pkt, out);
	assert_logged("received DELETE for IKE_SA sun[1]");
	to_initiator(out);
	assert_logged("IKE_SA deleted");
	ck_assert_int_eq(sa->state, IKE_SA_DELETING);
	peer = sa_by_id(&resp, 1);
	new_peer = sa_by_id(&resp, 2);
	ck_assert_int_eq(peer->state, IKE_SA_DELETING);
	ck_assert_int_eq(new_peer->state, IKE_SA_ESTABLISHED);
	ck_assert_uint_eq(new_peer->n_children, 1);
	/* The new IKE_SA's keys agree: the CHILD_SA's DELETE goes through. */
	ck_assert_int_eq(child_sa_delete(&ini, 2, new_sa->children[0].unique_id), 0);
	ck_assert(receive(pkt));
	to_responder(pkt, out);
	to_initiator(out);
	assert_logged("CHILD_SA closed");
	ck_assert_uint_eq(new_sa->n_children, 0);
	ck_assert_uint_eq(new_peer->n_children, 0);
	free(pkt);
	free(out);
}
END_TEST

/* initiate() for a child of a connection whose IKE_SA is up: a
 * CREATE_CHILD_SA on it, no new IKE_SA; sa->initiated follows it. */
START_TEST(initiate_child_on_established)
{
	struct packet *pkt = malloc(sizeof(*pkt)), *out = malloc(sizeof(*out));
	struct ike_sa *sa, *peer;
	char err[256];
	uint64_t id, again;

	sa = establish(pkt, out, &id);
	peer = sa_by_id(&resp, 1);
	ck_assert_ptr_nonnull(peer);
	ck_assert_int_eq(initiate(&ini, "net", NULL, &again, err, sizeof(err)), 0);
	ck_assert_uint_eq(again, id);
	ck_assert_uint_eq(sa->initiated, INITIATE_PENDING);
	assert_logged("establishing CHILD_SA net{2}");
	ck_assert(receive(pkt));
	to_responder(pkt, out);
	assert_logged("generating CREATE_CHILD_SA request 2 [ SA No KE TSi TSr ]");
	assert_logged("CHILD_SA net{2} established");
	to_initiator(out);
	ck_assert_uint_eq(sa->initiated, INITIATE_DONE);
	ck_assert_uint_eq(sa->n_children, 2);
	ck_assert_uint_eq(peer->n_children, 2);
	ck_assert_uint_ne(sa->children[0].reqid, sa->children[1].reqid);
	ck_assert_uint_eq(sa->children[1].spi_out, peer->children[1].spi_in);
	assert_keys_crossed_from(2);
	ck_assert_ptr_null(sa_by_id(&ini, id + 1));
	free(pkt);
	free(out);
}
END_TEST

/* The next request svc's sockets received within 2 s, as sent from
 * from_ip to to_ip (both sides with sockets: the collision test); the
 * responses the workers sent meanwhile are passed over, the test hands
 * over the cached ones itself. */
static void receive_on(struct ike_service *svc, struct packet *pkt,
		       const char *from_ip, const char *to_ip)
{
	struct ike_header hdr;

	do {
		ck_assert_int_eq(ike_sockets_recv(&svc->sockets, pkt, 2000), 1);
		ck_assert_int_eq(message_parse_header(pkt->data, pkt->len, &hdr),
				 PARSE_OK);
	} while (hdr.flags & FLAG_RESPONSE);
	addr(&pkt->local, to_ip);
	addr(&pkt->remote, from_ip);
}

/* A response delivered to svc, whose worker then acts on it. */
static void deliver_response(struct ike_service *svc, struct packet *pkt)
{
	struct packet *none = malloc(sizeof(*none));

	ck_assert_int_eq(ike_process(svc, pkt, none), 0);
	request_wait_all(svc);
	free(none);
}

/* The responder gets its own sockets in place of the test's. */
static void responder_sockets(void)
{
	char *listen[] = { "127.0.0.2" };
	char err[256];

	close(peer_fd);
	peer_fd = -1;
	ck_assert_msg(ike_sockets_open(&resp.sockets, listen, 1, port,
				       (uint16_t)(port + 1), err,
				       sizeof(err)) == 0, "%s", err);
}

/* Each side's request answered by the other, then each response
 * delivered (into the four packet buffers). */
static void cross(struct packet *p1, struct packet *p2, struct packet *r1,
		  struct packet *r2)
{
	receive_on(&resp, p1, "127.0.0.1", "127.0.0.2");
	receive_on(&ini, p2, "127.0.0.2", "127.0.0.1");
	answer(&resp, p1, r1, "127.0.0.2", "127.0.0.1");
	answer(&ini, p2, r2, "127.0.0.1", "127.0.0.2");
	deliver_response(&ini, r1);
	deliver_response(&resp, r2);
}

/* RFC 7296 2.8.1: both sides rekey net{1} at once.  Each answers the
 * other's request, then each response settles it: the exchange with the
 * lowest nonce made the redundant CHILD_SA, deleted by its initiator,
 * the other side deletes the old one; one CHILD_SA pair is left, the
 * same on both sides. */
START_TEST(rekey_child_collision)
{
	struct packet *p1 = malloc(sizeof(*p1)), *p2 = malloc(sizeof(*p2));
	struct packet *r1 = malloc(sizeof(*r1)), *r2 = malloc(sizeof(*r2));
	struct ike_sa *sa, *peer;
	uint64_t id;

	sa = establish(p1, r1, &id);
	peer = sa_by_id(&resp, 1);
	ck_assert_ptr_nonnull(peer);
	responder_sockets();
	sa->children[0].installed -= sa->children[0].rekey_time;
	peer->children[0].installed -= peer->children[0].rekey_time;
	sa_timers_tick(&ini);
	sa_timers_tick(&resp);
	cross(p1, p2, r1, r2);
	assert_logged("CHILD_SA rekey collision won, deleting old child net{1}");
	assert_logged("CHILD_SA rekey collision lost, deleting redundant child net{");
	/* The two DELETEs, each answered. */
	cross(p1, p2, r1, r2);
	ck_assert_uint_eq(sa->n_children, 1);
	ck_assert_uint_eq(peer->n_children, 1);
	ck_assert_uint_eq(sa->children[0].spi_in, peer->children[0].spi_out);
	ck_assert_uint_eq(sa->children[0].spi_out, peer->children[0].spi_in);
	ck_assert_uint_ne(sa->children[0].unique_id, 1);
	ck_assert(sa->children[0].policies);
	ck_assert(peer->children[0].policies);
	free(p1);
	free(p2);
	free(r1);
	free(r2);
}
END_TEST

/* The one ESTABLISHED IKE_SA of svc (asserted to be alone). */
static struct ike_sa *only_established(struct ike_service *svc)
{
	size_t n, count = 0;
	struct ike_sa **all = sa_table_pointers(svc->sas, &n), *found = NULL;

	for (size_t i = 0; i < n; i++) {
		if (all[i]->state != IKE_SA_ESTABLISHED)
			continue;
		found = all[i];
		count++;
	}
	free(all);
	ck_assert_uint_eq(count, 1);
	return found;
}

/* RFC 7296 2.8.2: both sides rekey the IKE_SA at once.  The side whose
 * exchange has the lowest nonce deletes its redundant new IKE_SA, the
 * other deletes the old one after its new one took the CHILD_SA over;
 * one IKE_SA pair with the CHILD_SA is left, the same on both sides. */
START_TEST(rekey_ike_collision)
{
	struct packet *p1 = malloc(sizeof(*p1)), *p2 = malloc(sizeof(*p2));
	struct packet *r1 = malloc(sizeof(*r1)), *r2 = malloc(sizeof(*r2));
	struct ike_sa *sa, *peer;
	uint64_t id;

	establish(p1, r1, &id);
	responder_sockets();
	ck_assert_int_eq(rekey_out_start(&ini, id), 0);
	ck_assert_int_eq(rekey_out_start(&resp, 1), 0);
	cross(p1, p2, r1, r2);
	assert_logged("IKE_SA rekey collision won, waiting for delete");
	assert_logged("IKE_SA rekey collision lost, deleting redundant IKE_SA");
	/* The winner's DELETE of the old IKE_SA, the loser's of its new one. */
	cross(p1, p2, r1, r2);
	sa = only_established(&ini);
	peer = only_established(&resp);
	ck_assert(sa->spi_i == peer->spi_i && sa->spi_r == peer->spi_r);
	ck_assert(sa->unique_id != id);
	ck_assert_uint_eq(sa->n_children, 1);
	ck_assert_uint_eq(peer->n_children, 1);
	ck_assert_uint_eq(sa->children[0].spi_out, peer->children[0].spi_in);
	free(p1);
	free(p2);
	free(r1);
	free(r2);
}
END_TEST

static Suite *initiator_suite(void)
{
	Suite *s = suite_create("ike_initiator");
	TCase *tc = tcase_create("exchanges");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, initiate_establish_delete);
	tcase_add_test(tc, responses_checked);
	tcase_add_test(tc, cookie_echoed);
	tcase_add_test(tc, retransmits_then_gives_up);
	tcase_add_test(tc, backoff);
	tcase_add_test(tc, rekey_child);
	tcase_add_test(tc, rekey_ike);
	tcase_add_test(tc, initiate_child_on_established);
	tcase_add_test(tc, rekey_child_collision);
	tcase_add_test(tc, rekey_ike_collision);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(initiator_suite)
