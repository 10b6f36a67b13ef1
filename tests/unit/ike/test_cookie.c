/* COOKIE anti-DoS (RFC 7296 2.6): cookies bound to the request and to
 * time, the secret's rotation, when cookies are demanded (threshold and
 * calm-down) and peers blocked; then through the packet path: a flood of
 * IKE_SA_INIT requests gets N(COOKIE) once enough SAs are half open, and
 * a request echoing its cookie is answered in full. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "ike/cookie.h"
#include "ike_peer.h"
#include "log_capture.h"
#include "testmain.h"

static const char gw_conf[] =
	"connections {\n"
	"  rw {\n"
	"    proposals = aes256-sha256-modp2048\n"
	"  }\n"
	"}\n"
	"cygnet {\n"
	"  ike {\n"
	"    cookie_threshold = 3\n"
	"    block_threshold = 2\n"
	"  }\n"
	"}\n";

/* An IKE_SA_INIT request from ip with SPIi ending in spi_tag, the
 * cookie (if any) as its first payload. */
static void build_init(struct packet *pkt, struct ike_message *msg,
		       const char *ip, uint8_t spi_tag,
		       const uint8_t *cookie, size_t cookie_len)
{
	struct proposal p;
	struct ike_header h = test_header(IKE_SA_INIT, false, 0);
	struct msg_builder b;
	uint8_t nonce[32], pub[DH_MAX_PUBLIC];
	struct dh *dh = dh_create(DH_MODP_2048);
	char err[64];

	ck_assert_ptr_nonnull(dh);
	ck_assert_int_eq(proposal_parse("aes256-sha256-modp2048", PROTO_IKE, &p,
					1, err, sizeof(err)), 1);
	p.number = 1;
	h.spi_i[7] = spi_tag;
	peer_addr(&pkt->local, "192.0.2.1", 500);
	peer_addr(&pkt->remote, ip, 500);
	builder_init(&b, pkt->data, sizeof(pkt->data), &h);
	if (cookie)
		test_notify(&b, N_COOKIE, cookie, cookie_len);
	payload_sa_write(&b, &p, 1);
	ck_assert_int_eq(dh_public(dh, pub, 256), 0);
	payload_ke_write(&b, DH_MODP_2048, pub, 256);
	memset(nonce, spi_tag, sizeof(nonce));
	payload_nonce_write(&b, nonce, sizeof(nonce));
	pkt->len = builder_finish(&b);
	dh_free(dh);
	ck_assert_int_eq(message_parse(pkt->data, pkt->len, msg), PARSE_OK);
}

START_TEST(cookie_bound_to_request_and_time)
{
	static struct cookie_guard g;
	static struct packet pkt, other;
	struct ike_message msg, omsg;
	uint8_t cookie[COOKIE_LEN];

	ck_assert_int_eq(cookie_guard_init(&g), 0);
	build_init(&pkt, &msg, "192.0.2.2", 1, NULL, 0);
	cookie_make(&g, 100, &pkt, &msg, cookie);
	build_init(&pkt, &msg, "192.0.2.2", 1, cookie, sizeof(cookie));
	ck_assert(cookie_valid(&g, 100, &pkt, &msg));
	ck_assert(cookie_valid(&g, 110, &pkt, &msg));
	ck_assert(!cookie_valid(&g, 111, &pkt, &msg));
	ck_assert(!cookie_valid(&g, 99, &pkt, &msg));
	/* Another SPI (and nonce), another address: not theirs. */
	build_init(&other, &omsg, "192.0.2.2", 2, cookie, sizeof(cookie));
	ck_assert(!cookie_valid(&g, 100, &other, &omsg));
	build_init(&other, &omsg, "192.0.2.3", 1, cookie, sizeof(cookie));
	ck_assert(!cookie_valid(&g, 100, &other, &omsg));
	/* A flipped bit, a short cookie. */
	cookie[10] ^= 1;
	build_init(&other, &omsg, "192.0.2.2", 1, cookie, sizeof(cookie));
	ck_assert(!cookie_valid(&g, 100, &other, &omsg));
	build_init(&other, &omsg, "192.0.2.2", 1, cookie, 20);
	ck_assert(!cookie_valid(&g, 100, &other, &omsg));
	cookie_guard_destroy(&g);
}
END_TEST

START_TEST(secret_rotates)
{
	static struct cookie_guard g;
	static struct packet pkt, scratch;
	struct ike_message msg, smsg;
	uint8_t cookie[COOKIE_LEN], other[COOKIE_LEN];

	log_capture_start();
	ck_assert_int_eq(cookie_guard_init(&g), 0);
	build_init(&pkt, &msg, "192.0.2.2", 1, NULL, 0);
	cookie_make(&g, 100, &pkt, &msg, cookie);
	build_init(&scratch, &smsg, "192.0.2.9", 9, NULL, 0);
	for (int i = 0; i < COOKIE_REUSE; i++)
		cookie_make(&g, 101, &scratch, &smsg, other);
	assert_logged("generating new cookie secret after 10001 uses");
	/* Made before the switch: the previous secret still checks it. */
	build_init(&pkt, &msg, "192.0.2.2", 1, cookie, sizeof(cookie));
	ck_assert(cookie_valid(&g, 105, &pkt, &msg));
	/* After the next switch that secret is gone. */
	for (int i = 0; i <= COOKIE_REUSE; i++)
		cookie_make(&g, 102, &scratch, &smsg, other);
	ck_assert(!cookie_valid(&g, 105, &pkt, &msg));
	cookie_guard_destroy(&g);
	log_capture_stop();
}
END_TEST

START_TEST(demand_calm_down_and_block)
{
	static struct cookie_guard g;
	static struct packet pkt;
	struct ike_message msg;
	uint8_t cookie[COOKIE_LEN];

	log_capture_start();
	ck_assert_int_eq(cookie_guard_init(&g), 0);
	build_init(&pkt, &msg, "192.0.2.2", 1, NULL, 0);
	ck_assert_int_eq(cookie_screen(&g, 50, 9, 0, &pkt, &msg, cookie), COOKIE_PASS);
	ck_assert_int_eq(cookie_screen(&g, 50, 10, 0, &pkt, &msg, cookie), COOKIE_DEMAND);
	/* The echoed cookie passes. */
	build_init(&pkt, &msg, "192.0.2.2", 1, cookie, sizeof(cookie));
	ck_assert_int_eq(cookie_screen(&g, 52, 10, 0, &pkt, &msg, cookie), COOKIE_PASS);
	/* Below the threshold cookies stay required for the calm-down. */
	build_init(&pkt, &msg, "192.0.2.2", 2, NULL, 0);
	ck_assert_int_eq(cookie_screen(&g, 61, 1, 0, &pkt, &msg, cookie), COOKIE_DEMAND);
	ck_assert_int_eq(cookie_screen(&g, 71, 1, 0, &pkt, &msg, cookie), COOKIE_PASS);
	/* A peer with five half-open SAs is ignored. */
	ck_assert_int_eq(cookie_screen(&g, 90, 5, 4, &pkt, &msg, cookie), COOKIE_PASS);
	ck_assert_int_eq(cookie_screen(&g, 90, 5, 5, &pkt, &msg, cookie), COOKIE_DROP);
	assert_logged("ignoring IKE_SA setup from 192.0.2.2, "
				     "peer too aggressive");
	ck_assert_uint_eq(atomic_load(&g.sent), 2);
	ck_assert_uint_eq(atomic_load(&g.accepted), 1);
	ck_assert_uint_eq(atomic_load(&g.blocked), 1);
	cookie_guard_destroy(&g);
	log_capture_stop();
}
END_TEST

/* cookie_threshold 3, block_threshold 2 from the config. */
START_TEST(flood_gets_cookies)
{
	static struct ike_service svc;
	static struct packet in, out;
	struct ike_message msg, resp;
	const struct payload *n_pl;
	struct notify_payload n;
	struct conf_error cerr;
	struct conf *conf;
	char err[256], ip[32];
	uint8_t cookie[COOKIE_LEN];

	log_capture_start();
	ck_assert_int_eq(ike_service_init(&svc), 0);
	conf = conf_load_string(gw_conf, "gw.conf", &cerr);
	ck_assert_ptr_nonnull(conf);
	ck_assert_msg(ike_service_configure(&svc, conf, false, err, sizeof(err)) == 0,
		      "%s", err);
	/* Three peers make three half-open SAs. */
	for (uint8_t i = 1; i <= 3; i++) {
		snprintf(ip, sizeof(ip), "192.0.2.%u", 10 + i);
		build_init(&in, &msg, ip, i, NULL, 0);
		ck_assert_int_eq(ike_process(&svc, &in, &out), 1);
		ck_assert_int_eq(message_parse(out.data, out.len, &resp), PARSE_OK);
		ck_assert_ptr_nonnull(message_find(&resp, PL_KE));
	}
	ck_assert_uint_eq(sa_table_count_half_open(svc.sas), 3);
	/* The fourth gets a cookie and no state. */
	build_init(&in, &msg, "192.0.2.20", 4, NULL, 0);
	ck_assert_int_eq(ike_process(&svc, &in, &out), 1);
	ck_assert_int_eq(message_parse(out.data, out.len, &resp), PARSE_OK);
	ck_assert_uint_eq(resp.n_payloads, 1);
	n_pl = message_find_notify(&resp, N_COOKIE);
	ck_assert_ptr_nonnull(n_pl);
	assert_logged("generating IKE_SA_INIT response 0 [ N(COOKIE) ]");
	ck_assert_uint_eq(sa_table_count(svc.sas), 3);
	payload_notify_parse(n_pl->body, n_pl->len, &n);
	ck_assert_uint_eq(n.len, COOKIE_LEN);
	memcpy(cookie, n.data, COOKIE_LEN);
	/* Echoed, the request goes through. */
	build_init(&in, &msg, "192.0.2.20", 4, cookie, sizeof(cookie));
	ck_assert_int_eq(ike_process(&svc, &in, &out), 1);
	ck_assert_int_eq(message_parse(out.data, out.len, &resp), PARSE_OK);
	ck_assert_ptr_nonnull(message_find(&resp, PL_KE));
	ck_assert_uint_eq(sa_table_count(svc.sas), 4);
	/* Someone else's cookie does not. */
	build_init(&in, &msg, "192.0.2.21", 5, cookie, sizeof(cookie));
	ck_assert_int_eq(ike_process(&svc, &in, &out), 1);
	ck_assert_int_eq(message_parse(out.data, out.len, &resp), PARSE_OK);
	ck_assert_ptr_null(message_find(&resp, PL_KE));
	/* 192.0.2.20 has one half-open SA; a second from there with a valid
	 * cookie is taken, a third is ignored (block_threshold 2). */
	for (uint8_t spi = 6; spi <= 7; spi++) {
		build_init(&in, &msg, "192.0.2.20", spi, NULL, 0);
		ck_assert_int_eq(ike_process(&svc, &in, &out), 1);
		ck_assert_int_eq(message_parse(out.data, out.len, &resp), PARSE_OK);
		n_pl = message_find_notify(&resp, N_COOKIE);
		ck_assert_ptr_nonnull(n_pl);
		payload_notify_parse(n_pl->body, n_pl->len, &n);
		build_init(&in, &msg, "192.0.2.20", spi, n.data, n.len);
		ck_assert_int_eq(ike_process(&svc, &in, &out), spi == 6 ? 1 : 0);
	}
	assert_logged("ignoring IKE_SA setup from 192.0.2.20, "
				     "peer too aggressive");
	ck_assert_uint_eq(sa_table_count(svc.sas), 5);
	ike_service_cleanup(&svc);
	conf_free(conf);
	log_capture_stop();
}
END_TEST

static Suite *cookie_suite(void)
{
	Suite *s = suite_create("ike_cookie");
	TCase *tc = tcase_create("cookie");

	tcase_add_test(tc, cookie_bound_to_request_and_time);
	tcase_add_test(tc, secret_rotates);
	tcase_add_test(tc, demand_calm_down_and_block);
	tcase_add_test(tc, flood_gets_cookies);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(cookie_suite)
