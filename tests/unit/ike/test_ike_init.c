/* The responder's packet path without sockets: IKE_SA_INIT requests
 * built as an initiator would, the response checked and the keys
 * compared with an independent initiator-side derivation; then an
 * IKE_AUTH request in three encrypted fragments, answered by a worker. */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/dh.h"
#include "ike/exchange.h"
#include "ike/natd.h"
#include "ike/protect.h"
#include "ike/sk.h"
#include "ike_msg_helpers.h"
#include "log.h"
#include "testmain.h"

static const char gw_conf[] =
	"connections {\n"
	"  rw {\n"
	"    proposals = aes256-sha256-modp2048, aes128gcm16-prfsha256-ecp256\n"
	"    remote_addrs = 192.0.2.0/24\n"
	"  }\n"
	"}\n";

static struct ike_service svc;
static struct conf *conf;
static char logbuf[65536];
static size_t loglen;

static void capture(void *arg, enum log_subsys subsys, int level,
		    const char *line)
{
	(void)arg;
	(void)subsys;
	(void)level;
	loglen += (size_t)snprintf(logbuf + loglen, sizeof(logbuf) - loglen,
				   "%s\n", line);
	if (loglen >= sizeof(logbuf))
		loglen = sizeof(logbuf) - 1;
}

static void assert_logged(const char *text)
{
	ck_assert_msg(strstr(logbuf, text) != NULL, "not logged: %s\n--\n%s",
		      text, logbuf);
}

static void setup(void)
{
	struct conf_error cerr;
	char err[256];

	loglen = 0;
	logbuf[0] = '\0';
	log_set_sink(capture, NULL);
	ck_assert_int_eq(ike_service_init(&svc), 0);
	conf = conf_load_string(gw_conf, "gw.conf", &cerr);
	ck_assert_ptr_nonnull(conf);
	ck_assert_msg(ike_service_configure(&svc, conf, false, err, sizeof(err)) == 0,
		      "%s", err);
}

static void teardown(void)
{
	ike_service_cleanup(&svc);
	conf_free(conf);
	log_set_sink(NULL, NULL);
}

static void set_addr(struct sockaddr_storage *ss, const char *ip, uint16_t port)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	in->sin_family = AF_INET;
	in->sin_port = htons(port);
	inet_pton(AF_INET, ip, &in->sin_addr);
}

/* The initiator's side of one IKE_SA_INIT. */
struct initiator {
	struct dh *dh;
	uint8_t nonce[32];
	struct ike_header hdr;
	struct packet in, out;
};

enum extras {
	EXTRA_NONE = 0,
	EXTRA_CRITICAL = 1,	/* an unknown critical payload */
	EXTRA_WINDOWS_VIDS = 2,	/* the seed's four vendor IDs */
};

static void windows_vids(struct msg_builder *b)
{
	static const char *const vids[] = {
		"1e2b516905991c7d7c96fcbfb587e46100000009",
		"fb1de3cdf341b7ea16b7e5be0855f120",
		"26244d38eddb61b3172a36e3d0cfb819",
		"01528bbbc00696121849ab9a1c5b2a5100000002",
	};

	for (size_t i = 0; i < 4; i++) {
		uint8_t vid[20];
		size_t len = strlen(vids[i]) / 2;

		for (size_t k = 0; k < len; k++) {
			unsigned v;

			sscanf(vids[i] + 2 * k, "%2x", &v);
			vid[k] = (uint8_t)v;
		}
		payload_vendor_write(b, vid, len);
	}
}

static void build_request(struct initiator *ini, const char *proposals,
			  uint16_t ke_group, int extras)
{
	struct proposal p[4];
	struct msg_builder b;
	uint8_t pub[DH_MAX_PUBLIC], hash[NATD_HASH_LEN];
	struct notify_payload n = { .data = hash, .len = NATD_HASH_LEN };
	char err[128];
	int np = proposal_parse(proposals, PROTO_IKE, p, 4, err, sizeof(err));

	ck_assert_int_gt(np, 0);
	for (int i = 0; i < np; i++)
		p[i].number = (uint8_t)(i + 1);
	ini->dh = dh_create(ke_group);
	ck_assert_ptr_nonnull(ini->dh);
	ck_assert_int_eq(dh_public(ini->dh, pub, dh_public_len(ke_group)), 0);
	memset(ini->nonce, 0x5a, sizeof(ini->nonce));
	ini->hdr = test_header(IKE_SA_INIT, false, 0);
	set_addr(&ini->in.local, "192.0.2.1", 500);
	set_addr(&ini->in.remote, "192.0.2.2", 500);
	builder_init(&b, ini->in.data, sizeof(ini->in.data), &ini->hdr);
	payload_sa_write(&b, p, (size_t)np);
	payload_ke_write(&b, ke_group, pub, dh_public_len(ke_group));
	payload_nonce_write(&b, ini->nonce, sizeof(ini->nonce));
	n.type = N_NAT_DETECTION_SOURCE_IP;
	natd_hash(ini->hdr.spi_i, ini->hdr.spi_r, &ini->in.remote, hash);
	payload_notify_write(&b, &n);
	n.type = N_NAT_DETECTION_DESTINATION_IP;
	natd_hash(ini->hdr.spi_i, ini->hdr.spi_r, &ini->in.local, hash);
	payload_notify_write(&b, &n);
	n = (struct notify_payload){ .type = N_IKEV2_FRAGMENTATION_SUPPORTED };
	payload_notify_write(&b, &n);
	if (extras & EXTRA_WINDOWS_VIDS)
		windows_vids(&b);
	if (extras & EXTRA_CRITICAL) {
		builder_begin(&b, 222, true);
		builder_end(&b);
	}
	ini->in.len = builder_finish(&b);
	ck_assert_uint_gt(ini->in.len, 0);
}

static void parse_response(struct initiator *ini, struct ike_message *msg)
{
	ck_assert_int_eq(ike_process(&svc, &ini->in, &ini->out), 1);
	ck_assert_int_eq(message_parse(ini->out.data, ini->out.len, msg), PARSE_OK);
	ck_assert(!message_is_request(&msg->hdr));
	ck_assert_mem_eq(msg->hdr.spi_i, ini->hdr.spi_i, 8);
	/* The reply goes back the way the request came. */
	ck_assert_mem_eq(&ini->out.local, &ini->in.local, sizeof(struct sockaddr_in));
	ck_assert_mem_eq(&ini->out.remote, &ini->in.remote, sizeof(struct sockaddr_in));
}

static void summary_is(const struct ike_message *msg, const char *expected)
{
	char text[512];

	message_summary(msg, text, sizeof(text));
	ck_assert_str_eq(text, expected);
}

/* Derives the keys as the initiator and returns the responder's SA. */
static struct ike_sa *initiator_keys(struct initiator *ini,
				     const struct ike_message *msg,
				     struct ike_keys *keys)
{
	const struct payload *sa_pl = message_find(msg, PL_SA);
	const struct payload *ke_pl = message_find(msg, PL_KE);
	const struct payload *no_pl = message_find(msg, PL_NONCE);
	struct proposal chosen;
	struct ke_payload ke;
	uint8_t gir[DH_MAX_SECRET];
	size_t gir_len;
	uint64_t spi_i, spi_r;

	ck_assert_ptr_nonnull(sa_pl);
	ck_assert_ptr_nonnull(ke_pl);
	ck_assert_ptr_nonnull(no_pl);
	ck_assert_uint_eq(payload_sa_parse(sa_pl->body, sa_pl->len, &chosen, 1), 1);
	payload_ke_parse(ke_pl->body, ke_pl->len, &ke);
	ck_assert_int_eq(dh_derive(ini->dh, ke.data, ke.len, gir, &gir_len), 0);
	ck_assert_int_eq(keymat_derive_ike(&chosen, gir, gir_len, ini->nonce,
					   sizeof(ini->nonce), no_pl->body,
					   no_pl->len, msg->hdr.spi_i,
					   msg->hdr.spi_r, keys), 0);
	memcpy(&spi_i, msg->hdr.spi_i, 8);
	memcpy(&spi_r, msg->hdr.spi_r, 8);
	return sa_table_find_spis(svc.sas, spi_i, spi_r);
}

START_TEST(ike_sa_init_and_keys)
{
	struct initiator ini;
	struct ike_message msg;
	struct ike_keys keys;
	struct ike_sa *sa;
	uint8_t first[1024];
	size_t first_len;

	build_request(&ini, "aes128-aes256-sha1-sha256-modp2048", DH_MODP_2048,
		      EXTRA_WINDOWS_VIDS);
	parse_response(&ini, &msg);
	summary_is(&msg, "IKE_SA_INIT response 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) "
		   "N(FRAG_SUP) N(CHDLESS_SUP) N(MULT_AUTH) ]");
	assert_logged("parsed IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) "
		      "N(NATD_D_IP) N(FRAG_SUP) V V V V ]");
	assert_logged("received MS NT5 ISAKMPOAKLEY v9 vendor ID\n"
		      "[IKE] received MS-Negotiation Discovery Capable vendor ID\n"
		      "[IKE] received Vid-Initial-Contact vendor ID\n"
		      "[IKE] received unknown vendor ID: 01:52:8b:bb:c0:06:96:12:18:49:"
		      "ab:9a:1c:5b:2a:51:00:00:00:02\n");
	assert_logged("192.0.2.2 is initiating an IKE_SA");
	assert_logged("selected proposal: IKE:AES_CBC_256/HMAC_SHA2_256_128/"
		      "PRF_HMAC_SHA2_256/MODP_2048");
	ck_assert_ptr_null(strstr(logbuf, "behind NAT"));
	sa = initiator_keys(&ini, &msg, &keys);
	ck_assert_ptr_nonnull(sa);
	ck_assert_str_eq(sa->conn, "rw");
	ck_assert_int_eq(sa->state, IKE_SA_CONNECTING);
	ck_assert_mem_eq(sa->keys.sk_d, keys.sk_d, keys.prf_len);
	ck_assert_mem_eq(sa->keys.sk_ei, keys.sk_ei, keys.encr_key_len);
	ck_assert_mem_eq(sa->keys.sk_ar, keys.sk_ar, keys.integ_key_len);
	ck_assert_mem_eq(sa->keys.sk_pr, keys.sk_pr, keys.prf_len);

	/* A retransmitted request gets the very same response. */
	memcpy(first, ini.out.data, ini.out.len);
	first_len = ini.out.len;
	ck_assert_int_eq(ike_process(&svc, &ini.in, &ini.out), 1);
	ck_assert_uint_eq(ini.out.len, first_len);
	ck_assert_mem_eq(ini.out.data, first, first_len);
	assert_logged("received retransmit of request with ID 0, retransmitting response");
	ck_assert_uint_eq(sa_table_count(svc.sas), 1);
	dh_free(ini.dh);
}
END_TEST

/* Holds the one pool thread until the test lets it go. */
static void hold_pool(void *arg)
{
	pthread_mutex_t *gate = arg;

	pthread_mutex_lock(gate);
	pthread_mutex_unlock(gate);
}

/* With a crypto pool the response is computed there: a retransmit
 * meanwhile finds the busy half-open SA and is dropped, one after it
 * gets the cached response, which carries the right keys. */
START_TEST(ike_sa_init_on_crypto_pool)
{
	pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;
	struct initiator ini;
	struct ike_message msg;
	struct ike_keys keys;
	struct ike_sa *sa;

	ck_assert_int_eq(crypto_pool_start(&svc.crypto, 1), 0);
	pthread_mutex_lock(&gate);
	ck_assert_int_eq(crypto_pool_submit(&svc.crypto, hold_pool, &gate), 0);
	build_request(&ini, "aes256-sha256-modp2048", DH_MODP_2048, EXTRA_NONE);
	ck_assert_int_eq(ike_process(&svc, &ini.in, &ini.out), 0);
	ck_assert_int_eq(ike_process(&svc, &ini.in, &ini.out), 0);
	assert_logged("ignoring request with ID 0, already processing");
	ck_assert_uint_eq(sa_table_count(svc.sas), 1);
	ck_assert_uint_eq(sa_table_count_half_open(svc.sas), 1);
	pthread_mutex_unlock(&gate);
	crypto_pool_wait_idle(&svc.crypto);
	assert_logged("generating IKE_SA_INIT response 0 [ SA KE No N(NATD_S_IP) "
		      "N(NATD_D_IP) N(FRAG_SUP) N(CHDLESS_SUP) N(MULT_AUTH) ]");
	parse_response(&ini, &msg);
	assert_logged("received retransmit of request with ID 0, retransmitting response");
	sa = initiator_keys(&ini, &msg, &keys);
	ck_assert_ptr_nonnull(sa);
	ck_assert(!sa->busy);
	ck_assert_mem_eq(sa->keys.sk_ei, keys.sk_ei, keys.encr_key_len);
	ck_assert_mem_eq(sa->keys.sk_pr, keys.sk_pr, keys.prf_len);
	ck_assert_uint_eq(sa_table_count(svc.sas), 1);
	crypto_pool_stop(&svc.crypto);
	dh_free(ini.dh);
}
END_TEST

/* Packets protect_message() emits, kept for feeding in any order. */
struct emitted {
	size_t n;
	struct packet pkt[8];
};

static int keep(void *arg, const uint8_t *data, size_t len)
{
	struct emitted *e = arg;

	ck_assert_uint_lt(e->n, 8);
	memcpy(e->pkt[e->n].data, data, len);
	e->pkt[e->n++].len = len;
	return 0;
}

/* The worker answered the IKE_AUTH request without AUTH (an EAP
 * request, unacceptable for the config): AUTHENTICATION_FAILED under
 * SK_er, cached for retransmits, and the IKE_SA is on its way out. */
static void auth_failed_answered(const struct ike_message *init,
				 const struct ike_keys *keys)
{
	struct sk_keys in_keys = { .encr = keys->encr, .encr_bits = keys->encr_bits,
				   .encr_key = keys->sk_er, .integ = keys->integ,
				   .integ_key = keys->sk_ar };
	struct ike_message *resp = calloc(1, sizeof(*resp));
	uint8_t plain[512];
	size_t plain_len;
	uint64_t spi_i, spi_r;
	struct ike_sa *sa;

	request_wait_all(&svc);
	assert_logged("looking for peer configs matching 192.0.2.1[%any]..."
		      "192.0.2.2[user@example.org]");
	assert_logged("selected peer config 'rw'");
	assert_logged("peer requested EAP, config unacceptable");
	assert_logged("generating IKE_AUTH response 1 [ N(AUTH_FAILED) ]");
	memcpy(&spi_i, init->hdr.spi_i, 8);
	memcpy(&spi_r, init->hdr.spi_r, 8);
	sa = sa_table_find_spis(svc.sas, spi_i, spi_r);
	ck_assert_ptr_nonnull(sa);
	ck_assert_int_eq(sa->state, IKE_SA_DELETING);
	ck_assert_uint_eq(sa->last_response_id, 1);
	ck_assert_uint_eq(sa->last_response_count, 1);
	ck_assert_int_eq(message_parse(sa->last_response, sa->last_response_len,
				       resp), PARSE_OK);
	ck_assert(!message_is_request(&resp->hdr));
	ck_assert_int_eq(sk_decrypt(&in_keys, sa->last_response,
				    sa->last_response_len,
				    (size_t)(resp->encrypted->body - sa->last_response),
				    plain, &plain_len), 0);
	ck_assert_int_eq(message_parse_inner(resp, plain, plain_len), PARSE_OK);
	ck_assert_ptr_nonnull(message_find_notify(resp, N_AUTHENTICATION_FAILED));
	/* Gone from the table once no worker holds it. */
	ck_assert_uint_eq(sa_table_reap(svc.sas), 1);
	free(resp);
}

/* IKE_AUTH request 1 split into EF fragments by protect_message() with
 * the initiator's keys, received out of order and twice. */
START_TEST(fragmented_ike_auth_decrypts)
{
	struct initiator ini;
	struct ike_message msg;
	struct ike_keys keys;
	struct msg_builder inner;
	uint8_t chain[1500];
	struct id_payload id = { .type = ID_RFC822_ADDR,
				 .data = (const uint8_t *)"user@example.org", .len = 16 };
	uint8_t certreq[53 * CERTREQ_HASH_LEN] = { 0 };
	struct protect_params params = { .fragmentation = true, .fragment_size = 500,
					 .natt = true, .max_fragments = 16 };
	struct emitted *e = calloc(1, sizeof(*e));
	struct ike_header h;
	struct sk_keys out_keys;
	static const int order[] = { 2, 0, 0, 1 };
	size_t chain_len;

	build_request(&ini, "aes256gcm16-aes128gcm16-prfsha256-ecp256", DH_ECP_256,
		      EXTRA_NONE);
	parse_response(&ini, &msg);
	ck_assert_ptr_nonnull(initiator_keys(&ini, &msg, &keys));
	builder_init_chain(&inner, chain, sizeof(chain));
	payload_id_write(&inner, PL_IDI, &id);
	payload_certreq_write(&inner, certreq, 53);
	chain_len = builder_finish(&inner);
	h = msg.hdr;
	h.exchange = IKE_AUTH;
	h.flags = FLAG_INITIATOR;
	h.message_id = 1;
	out_keys = (struct sk_keys){ .encr = keys.encr, .encr_bits = keys.encr_bits,
				     .encr_key = keys.sk_ei, .integ = keys.integ,
				     .integ_key = keys.sk_ai };
	ck_assert_uint_eq(protect_message(&out_keys, &h, inner.first_type, chain,
					  chain_len, &params, keep, e), 3);
	assert_logged("splitting IKE message (1117 bytes) into 3 fragments");
	for (int k = 0; k < 4; k++) {
		struct packet *frag = &e->pkt[order[k]];

		ck_assert_uint_le(frag->len + 20 + 8 + 4, 500);
		frag->local = ini.in.local;
		frag->remote = ini.in.remote;
		ck_assert_int_eq(ike_process(&svc, frag, &ini.out), 0);
	}
	assert_logged("parsed IKE_AUTH request 1 [ EF(3/3) ]");
	assert_logged("received fragment #3 of 3, waiting for complete IKE message");
	assert_logged("received fragment #2 of 3, reassembled fragmented IKE "
		      "message (1117 bytes)");
	assert_logged("parsed IKE_AUTH request 1 [ IDi CERTREQ ]");
	auth_failed_answered(&msg, &keys);
	/* Small enough: one SK message. */
	e->n = 0;
	params.fragment_size = 1280;
	ck_assert_uint_eq(protect_message(&out_keys, &h, inner.first_type, chain,
					  200, &params, keep, e), 1);
	ck_assert_int_eq(message_parse(e->pkt[0].data, e->pkt[0].len, &msg), PARSE_OK);
	ck_assert_uint_eq(msg.encrypted->type, PL_SK);
	/* More fragments than allowed: nothing is sent. */
	params.fragment_size = 200;
	params.max_fragments = 4;
	ck_assert_uint_eq(protect_message(&out_keys, &h, inner.first_type, chain,
					  chain_len, &params, keep, e), 0);
	free(e);
	dh_free(ini.dh);
}
END_TEST

/* An encrypted request from the initiator in one SK packet. */
static void encrypted_request(const struct initiator *ini,
			      const struct ike_message *init,
			      const struct ike_keys *keys, uint8_t exchange,
			      uint32_t id, const struct msg_builder *chain,
			      struct emitted *e)
{
	struct sk_keys k = { .encr = keys->encr, .encr_bits = keys->encr_bits,
			     .encr_key = keys->sk_ei, .integ = keys->integ,
			     .integ_key = keys->sk_ai };
	struct protect_params params = { .fragment_size = 1280, .max_fragments = 1 };
	struct ike_header h = init->hdr;

	h.exchange = exchange;
	h.flags = FLAG_INITIATOR;
	h.message_id = id;
	e->n = 0;
	ck_assert_uint_eq(protect_message(&k, &h, chain->first_type, chain->w.data,
					  chain->w.len, &params, keep, e), 1);
	e->pkt[0].local = ini->in.local;
	e->pkt[0].remote = ini->in.remote;
}

/* On an established SA: an empty INFORMATIONAL (liveness) is answered
 * empty by a worker, its retransmit from the cache, and a DELETE of the
 * IKE_SA ends it. */
START_TEST(informational_window)
{
	struct initiator ini;
	struct ike_message msg;
	struct ike_keys keys;
	struct msg_builder chain;
	uint8_t buf[256];
	struct emitted *e = calloc(1, sizeof(*e));
	struct delete_payload d = { .protocol = PROTO_IKE };
	struct ike_sa *sa;
	uint8_t first[512];
	size_t first_len;

	build_request(&ini, "aes256-sha256-modp2048", DH_MODP_2048, EXTRA_NONE);
	parse_response(&ini, &msg);
	sa = initiator_keys(&ini, &msg, &keys);
	ck_assert_ptr_nonnull(sa);
	sa->next_request_id = 2;
	ck_assert_int_eq(sa_table_set_state(svc.sas, sa->unique_id,
					    IKE_SA_ESTABLISHED, "rw"), 0);

	builder_init_chain(&chain, buf, sizeof(buf));
	encrypted_request(&ini, &msg, &keys, INFORMATIONAL, 2, &chain, e);
	ck_assert_int_eq(ike_process(&svc, &e->pkt[0], &ini.out), 0);
	request_wait_all(&svc);
	assert_logged("parsed INFORMATIONAL request 2 [ ]");
	assert_logged("generating INFORMATIONAL response 2 [ ]");
	ck_assert_uint_eq(sa->last_response_id, 2);
	ck_assert_uint_eq(sa->next_request_id, 3);
	first_len = sa->last_response_len;
	memcpy(first, sa->last_response, first_len);

	/* The same request again: the same octets, without a worker. */
	ck_assert_int_eq(ike_process(&svc, &e->pkt[0], &ini.out), 1);
	ck_assert_uint_eq(ini.out.len, first_len);
	ck_assert_mem_eq(ini.out.data, first, first_len);
	assert_logged("received retransmit of request with ID 2, retransmitting response");

	/* An old ID is ignored, the next one ends the SA. */
	encrypted_request(&ini, &msg, &keys, INFORMATIONAL, 1, &chain, e);
	ck_assert_int_eq(ike_process(&svc, &e->pkt[0], &ini.out), 0);
	assert_logged("received message ID 1, expected 3, ignored");
	payload_delete_write(&chain, &d);
	builder_finish(&chain);
	encrypted_request(&ini, &msg, &keys, INFORMATIONAL, 3, &chain, e);
	ck_assert_int_eq(ike_process(&svc, &e->pkt[0], &ini.out), 0);
	request_wait_all(&svc);
	assert_logged("received DELETE for IKE_SA rw[");
	assert_logged("generating INFORMATIONAL response 3 [ ]");
	ck_assert_int_eq(sa->state, IKE_SA_DELETING);
	ck_assert_uint_eq(sa_table_reap(svc.sas), 1);
	free(e);
	dh_free(ini.dh);
}
END_TEST

START_TEST(invalid_ke_payload)
{
	struct initiator ini;
	struct ike_message msg;
	struct notify_payload n;

	/* Offers ECP_256 only with AES-CBC, which the gateway pairs with
	 * MODP_2048: the KE must be redone. */
	build_request(&ini, "aes256-sha256-ecp256-modp2048", DH_ECP_256, EXTRA_NONE);
	parse_response(&ini, &msg);
	summary_is(&msg, "IKE_SA_INIT response 0 [ N(INVAL_KE) ]");
	payload_notify_parse(msg.payloads[0].body, msg.payloads[0].len, &n);
	ck_assert_uint_eq(n.len, 2);
	ck_assert_uint_eq(get16(n.data), DH_MODP_2048);
	assert_logged("DH group ECP_256 unacceptable, requesting MODP_2048");
	ck_assert_uint_eq(sa_table_count(svc.sas), 0);
	dh_free(ini.dh);
}
END_TEST

START_TEST(no_proposal_chosen)
{
	struct initiator ini;
	struct ike_message msg;

	build_request(&ini, "aes128-sha1-modp3072", DH_MODP_3072, EXTRA_NONE);
	parse_response(&ini, &msg);
	summary_is(&msg, "IKE_SA_INIT response 0 [ N(NO_PROP) ]");
	assert_logged("received proposals: IKE:AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_3072");
	dh_free(ini.dh);

	/* No connection for the address either. */
	build_request(&ini, "aes256-sha256-modp2048", DH_MODP_2048, EXTRA_NONE);
	set_addr(&ini.in.remote, "198.51.100.7", 500);
	parse_response(&ini, &msg);
	summary_is(&msg, "IKE_SA_INIT response 0 [ N(NO_PROP) ]");
	assert_logged("no IKE config found for 192.0.2.1[500]...198.51.100.7[500], "
		      "sending NO_PROPOSAL_CHOSEN");
	dh_free(ini.dh);
}
END_TEST

START_TEST(nat_detected)
{
	struct initiator ini;
	struct ike_message msg;

	build_request(&ini, "aes256-sha256-modp2048", DH_MODP_2048, EXTRA_NONE);
	/* The NAT rewrote the source port on the way. */
	set_addr(&ini.in.remote, "192.0.2.2", 61000);
	parse_response(&ini, &msg);
	assert_logged("remote host is behind NAT");
	ck_assert_ptr_null(strstr(logbuf, "local host is behind NAT"));
	dh_free(ini.dh);
}
END_TEST

START_TEST(unsupported_critical)
{
	struct initiator ini;
	struct ike_message msg;
	struct notify_payload n;

	build_request(&ini, "aes256-sha256-modp2048", DH_MODP_2048, EXTRA_CRITICAL);
	parse_response(&ini, &msg);
	summary_is(&msg, "IKE_SA_INIT response 0 [ N(CRIT) ]");
	payload_notify_parse(msg.payloads[0].body, msg.payloads[0].len, &n);
	ck_assert_uint_eq(n.len, 1);
	ck_assert_uint_eq(n.data[0], 222);
	dh_free(ini.dh);
}
END_TEST

START_TEST(garbage_and_strays_dropped)
{
	struct packet *in = calloc(1, sizeof(*in)), *out = malloc(sizeof(*out));
	struct ike_header h = test_header(IKE_AUTH, false, 1);
	struct msg_builder b;

	set_addr(&in->local, "192.0.2.1", 4500);
	set_addr(&in->remote, "192.0.2.2", 4500);
	for (size_t len = 0; len < 100; len++) {
		for (size_t i = 0; i < len; i++)
			in->data[i] = (uint8_t)(i * 31 + len);
		in->len = len;
		ck_assert_int_eq(ike_process(&svc, in, out), 0);
	}
	/* An IKE_AUTH for an SA we do not have. */
	builder_init(&b, in->data, sizeof(in->data), &h);
	builder_begin_encrypted(&b, PL_SK, PL_IDI);
	wbuf_put32(&b.w, 0);
	builder_end(&b);
	in->len = builder_finish(&b);
	ck_assert_int_eq(ike_process(&svc, in, out), 0);
	assert_logged("no IKE_SA found for received IKE_AUTH, ignored");
	free(in);
	free(out);
}
END_TEST

static void reload_with(const char *text, int expect_rc)
{
	struct conf_error cerr;
	struct conf *c = conf_load_string(text, "reload.conf", &cerr);
	char err[256];

	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(ike_service_configure(&svc, c, true, err, sizeof(err)),
			 expect_rc);
	conf_free(c);
}

START_TEST(reload_swaps_or_keeps)
{
	reload_with("connections { a { proposals = aes256-md5-modp2048 } }", -1);
	ck_assert_uint_eq(svc.config->n_conns, 1);
	ck_assert_str_eq(svc.config->conns[0].name, "rw");
	reload_with("connections { a { }\n b { } }", 0);
	ck_assert_uint_eq(svc.config->n_conns, 2);
	assert_logged("added connection: b");
	assert_logged("reloaded 2 connections");
}
END_TEST

static Suite *ike_init_suite(void)
{
	Suite *s = suite_create("ike_init");
	TCase *tc = tcase_create("responder");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, ike_sa_init_and_keys);
	tcase_add_test(tc, ike_sa_init_on_crypto_pool);
	tcase_add_test(tc, fragmented_ike_auth_decrypts);
	tcase_add_test(tc, invalid_ke_payload);
	tcase_add_test(tc, no_proposal_chosen);
	tcase_add_test(tc, nat_detected);
	tcase_add_test(tc, unsupported_critical);
	tcase_add_test(tc, garbage_and_strays_dropped);
	tcase_add_test(tc, reload_swaps_or_keeps);
	tcase_add_test(tc, informational_window);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(ike_init_suite)
