#include <string.h>

#include "ike/message.h"
#include "ike_msg_helpers.h"
#include "testmain.h"

static uint8_t buf[4096];
static uint8_t inner[4096];
static struct ike_message msg;

static void assert_summary(const char *expected)
{
	char text[512];

	message_summary(&msg, text, sizeof(text));
	ck_assert_str_eq(text, expected);
}

static size_t init_request(void)
{
	struct ike_header h = test_header(IKE_SA_INIT, false, 0);
	struct msg_builder b;
	struct proposal p[1];
	uint8_t ke[256] = { 1 }, nonce[32] = { 2 }, natd[20] = { 3 }, vid[16] = { 4 };
	char err[64];

	ck_assert_int_eq(proposal_parse("aes256-sha256-modp2048", PROTO_IKE, p, 1,
					err, sizeof(err)), 1);
	builder_init(&b, buf, sizeof(buf), &h);
	payload_sa_write(&b, p, 1);
	payload_ke_write(&b, DH_MODP_2048, ke, sizeof(ke));
	payload_nonce_write(&b, nonce, sizeof(nonce));
	test_notify(&b, N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
	test_notify(&b, N_NAT_DETECTION_SOURCE_IP, natd, sizeof(natd));
	test_notify(&b, N_NAT_DETECTION_DESTINATION_IP, natd, sizeof(natd));
	for (int i = 0; i < 4; i++)
		payload_vendor_write(&b, vid, sizeof(vid));
	return builder_finish(&b);
}

START_TEST(seed_ike_sa_init_request)
{
	size_t len = init_request();

	ck_assert_uint_gt(len, 0);
	ck_assert_int_eq(message_parse(buf, len, &msg), PARSE_OK);
	assert_summary("IKE_SA_INIT request 0 [ SA KE No N(FRAG_SUP) N(NATD_S_IP) "
		       "N(NATD_D_IP) V V V V ]");
	ck_assert(message_is_request(&msg.hdr));
	ck_assert_ptr_nonnull(message_find_notify(&msg, N_NAT_DETECTION_DESTINATION_IP));
	ck_assert_ptr_null(message_find_notify(&msg, N_COOKIE));
	ck_assert_ptr_nonnull(message_find(&msg, PL_KE));
}
END_TEST

START_TEST(seed_ike_sa_init_response)
{
	struct ike_header h = test_header(IKE_SA_INIT, true, 0);
	struct msg_builder b;
	struct proposal p[1];
	uint8_t ke[256] = { 1 }, nonce[32] = { 2 }, natd[20] = { 3 };
	uint8_t hash[CERTREQ_HASH_LEN] = { 5 };
	char err[64];
	size_t len;

	ck_assert_int_eq(proposal_parse("aes256-sha256-modp2048", PROTO_IKE, p, 1,
					err, sizeof(err)), 1);
	builder_init(&b, buf, sizeof(buf), &h);
	payload_sa_write(&b, p, 1);
	payload_ke_write(&b, DH_MODP_2048, ke, sizeof(ke));
	payload_nonce_write(&b, nonce, sizeof(nonce));
	test_notify(&b, N_NAT_DETECTION_SOURCE_IP, natd, sizeof(natd));
	test_notify(&b, N_NAT_DETECTION_DESTINATION_IP, natd, sizeof(natd));
	payload_certreq_write(&b, hash, 1);
	test_notify(&b, N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
	test_notify(&b, N_CHILDLESS_IKEV2_SUPPORTED, NULL, 0);
	test_notify(&b, N_MULTIPLE_AUTH_SUPPORTED, NULL, 0);
	len = builder_finish(&b);
	ck_assert_int_eq(message_parse(buf, len, &msg), PARSE_OK);
	assert_summary("IKE_SA_INIT response 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) "
		       "CERTREQ N(FRAG_SUP) N(CHDLESS_SUP) N(MULT_AUTH) ]");
}
END_TEST

/* Messages with the inner chain in plain text after a zero "IV", as
 * after decryption. */
#define FAKE_IV_LEN 16
static const uint8_t fake_iv[FAKE_IV_LEN];

static size_t auth_request(uint8_t *out, size_t cap)
{
	struct ike_header h = test_header(IKE_AUTH, false, 1);
	struct msg_builder b, in;
	struct id_payload id = { .type = ID_IPV4_ADDR, .data = (const uint8_t *)"\xc0\x00\x02\x34", .len = 4 };
	static const uint16_t attrs[] = { 1, 3, 4, 23456, 8, 10, 23457 };
	struct cp_payload cp = { .type = CFG_REQUEST };
	struct proposal p[1];
	struct ts ts[2];
	uint8_t hashes[2 * CERTREQ_HASH_LEN] = { 0 };
	char err[64];
	size_t inner_len;

	for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
		cp.attrs[cp.n_attrs++] = (struct cp_attr){ .type = attrs[i] };
	ck_assert_int_eq(proposal_parse("aes256-sha1", PROTO_ESP, p, 1, err, sizeof(err)), 1);
	p[0].spi_size = 4;
	memcpy(p[0].spi, "\x9b\xcd\x9c\x12", 4);
	ck_assert_int_eq(ts_parse("0.0.0.0/0", &ts[0], err, sizeof(err)), 0);
	ck_assert_int_eq(ts_parse("::/0", &ts[1], err, sizeof(err)), 0);

	builder_init_chain(&in, inner, sizeof(inner));
	payload_id_write(&in, PL_IDI, &id);
	payload_certreq_write(&in, hashes, 2);
	test_notify(&in, N_MOBIKE_SUPPORTED, NULL, 0);
	payload_cp_write(&in, &cp);
	payload_sa_write(&in, p, 1);
	payload_ts_write(&in, PL_TSI, ts, 2);
	payload_ts_write(&in, PL_TSR, ts, 2);
	inner_len = builder_finish(&in);
	ck_assert_uint_gt(inner_len, 0);

	builder_init(&b, out, cap, &h);
	builder_begin_encrypted(&b, PL_SK, in.first_type);
	wbuf_put(&b.w, fake_iv, FAKE_IV_LEN);
	wbuf_put(&b.w, inner, inner_len);
	builder_end(&b);
	return builder_finish(&b);
}

START_TEST(seed_ike_auth_request_inner)
{
	size_t len = auth_request(buf, sizeof(buf));
	struct ts ts[4];
	const struct payload *p;

	ck_assert_int_eq(message_parse(buf, len, &msg), PARSE_OK);
	assert_summary("IKE_AUTH request 1 [ E ]");
	ck_assert_ptr_nonnull(msg.encrypted);
	ck_assert_uint_eq(msg.inner_next, PL_IDI);
	ck_assert_int_eq(message_parse_inner(&msg, msg.encrypted->body + FAKE_IV_LEN,
					     msg.encrypted->len - FAKE_IV_LEN), PARSE_OK);
	assert_summary("IKE_AUTH request 1 [ IDi CERTREQ N(MOBIKE_SUP) "
		       "CPRQ(ADDR DNS NBNS SRV ADDR6 DNS6 SRV6) SA TSi TSr ]");
	p = message_find(&msg, PL_TSR);
	ck_assert_uint_eq(payload_ts_parse(p->body, p->len, ts, 4), 2);
	ck_assert_uint_eq(ts[1].type, TS_IPV6_ADDR_RANGE);
}
END_TEST

static size_t sk_message(uint8_t exchange, bool response, uint32_t id,
			 void (*fill)(struct msg_builder *))
{
	struct ike_header h = test_header(exchange, response, id);
	struct msg_builder b, in;
	size_t inner_len;

	builder_init_chain(&in, inner, sizeof(inner));
	fill(&in);
	inner_len = builder_finish(&in);
	builder_init(&b, buf, sizeof(buf), &h);
	builder_begin_encrypted(&b, PL_SK, in.first_type);
	wbuf_put(&b.w, fake_iv, FAKE_IV_LEN);
	wbuf_put(&b.w, inner, inner_len);
	builder_end(&b);
	return builder_finish(&b);
}

static void parse_inner_ok(size_t len)
{
	ck_assert_int_eq(message_parse(buf, len, &msg), PARSE_OK);
	ck_assert_int_eq(message_parse_inner(&msg, msg.encrypted->body + FAKE_IV_LEN,
					     msg.encrypted->len - FAKE_IV_LEN), PARSE_OK);
}

static void fill_auth_response_1(struct msg_builder *b)
{
	struct id_payload id = { .type = ID_FQDN, .data = (const uint8_t *)"vpn.strongswan.org", .len = 18 };
	struct cert_payload cert = { .encoding = CERT_X509_SIGNATURE, .data = (const uint8_t *)"\x30\x03\x02\x01\x01", .len = 5 };
	struct auth_payload auth = { .method = 9, .data = (const uint8_t *)"sig", .len = 3 };
	static const uint8_t eap[] = { 1, 0, 0, 5, 1 };

	payload_id_write(b, PL_IDR, &id);
	payload_cert_write(b, PL_CERT, &cert);
	payload_auth_write(b, &auth);
	payload_eap_write(b, eap, sizeof(eap));
}

static void fill_auth_response_8(struct msg_builder *b)
{
	struct auth_payload auth = { .method = 2, .data = (const uint8_t *)"mac", .len = 3 };
	struct cp_payload cp = { .type = CFG_REPLY, .n_attrs = 3, .attrs = {
		{ .type = 1, .value = (const uint8_t *)"\xc0\x00\x02\x42", .len = 4 },
		{ .type = 8, .value = (const uint8_t *)"\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\2\x80", .len = 17 },
		{ .type = 3, .value = (const uint8_t *)"\xc0\x00\x02\x01", .len = 4 },
	} };
	struct proposal p[1];
	struct ts ts;
	char err[64];

	ck_assert_int_eq(proposal_parse("aes256-sha1", PROTO_ESP, p, 1, err, sizeof(err)), 1);
	p[0].spi_size = 4;
	ck_assert_int_eq(ts_parse("0.0.0.0/0", &ts, err, sizeof(err)), 0);
	payload_auth_write(b, &auth);
	payload_cp_write(b, &cp);
	payload_sa_write(b, p, 1);
	payload_ts_write(b, PL_TSI, &ts, 1);
	payload_ts_write(b, PL_TSR, &ts, 1);
	test_notify(b, N_AUTH_LIFETIME, (const uint8_t *)"\0\0\x28\x88", 4);
	test_notify(b, N_MOBIKE_SUPPORTED, NULL, 0);
	test_notify(b, N_ADDITIONAL_IP6_ADDRESS, (const uint8_t *)"\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\1", 16);
}

static void fill_eap_res_tls(struct msg_builder *b)
{
	static const uint8_t eap[] = { 2, 0xd6, 0, 6, 13, 0 };

	payload_eap_write(b, eap, sizeof(eap));
}

static void fill_eap_success(struct msg_builder *b)
{
	static const uint8_t eap[] = { 3, 0xd7, 0, 4 };

	payload_eap_write(b, eap, sizeof(eap));
}

static void fill_delete_child(struct msg_builder *b)
{
	struct delete_payload d = { .protocol = PROTO_ESP, .spi_size = 4, .n_spis = 1,
				    .spis = (const uint8_t *)"\x9b\xcd\x9c\x12" };

	payload_delete_write(b, &d);
}

static void fill_nothing(struct msg_builder *b)
{
	(void)b;
}

START_TEST(seed_encrypted_summaries)
{
	parse_inner_ok(sk_message(IKE_AUTH, true, 1, fill_auth_response_1));
	assert_summary("IKE_AUTH response 1 [ IDr CERT AUTH EAP/REQ/ID ]");
	parse_inner_ok(sk_message(IKE_AUTH, true, 8, fill_auth_response_8));
	assert_summary("IKE_AUTH response 8 [ AUTH CPRP(ADDR ADDR6 DNS) SA TSi TSr "
		       "N(AUTH_LFT) N(MOBIKE_SUP) N(ADD_6_ADDR) ]");
	parse_inner_ok(sk_message(IKE_AUTH, false, 3, fill_eap_res_tls));
	assert_summary("IKE_AUTH request 3 [ EAP/RES/TLS ]");
	parse_inner_ok(sk_message(IKE_AUTH, true, 7, fill_eap_success));
	assert_summary("IKE_AUTH response 7 [ EAP/SUCC ]");
	parse_inner_ok(sk_message(INFORMATIONAL, false, 20, fill_delete_child));
	assert_summary("INFORMATIONAL request 20 [ D ]");
	parse_inner_ok(sk_message(INFORMATIONAL, false, 9, fill_nothing));
	assert_summary("INFORMATIONAL request 9 [ ]");
}
END_TEST

START_TEST(seed_fragment_summary)
{
	struct ike_header h = test_header(IKE_AUTH, false, 1);
	struct msg_builder b;
	uint8_t data[64] = { 0 };
	size_t len;

	builder_init(&b, buf, sizeof(buf), &h);
	builder_begin_encrypted(&b, PL_SKF, PL_IDI);
	wbuf_put16(&b.w, 2);
	wbuf_put16(&b.w, 3);
	wbuf_put(&b.w, data, sizeof(data));
	builder_end(&b);
	len = builder_finish(&b);
	ck_assert_int_eq(message_parse(buf, len, &msg), PARSE_OK);
	assert_summary("IKE_AUTH request 1 [ EF(2/3) ]");
}
END_TEST

START_TEST(unknown_payloads)
{
	struct ike_header h = test_header(INFORMATIONAL, false, 2);
	struct msg_builder b;
	size_t len;

	builder_init(&b, buf, sizeof(buf), &h);
	builder_begin(&b, 200, false);
	wbuf_put32(&b.w, 0xdeadbeef);
	builder_end(&b);
	test_notify(&b, N_INITIAL_CONTACT, NULL, 0);
	len = builder_finish(&b);
	ck_assert_int_eq(message_parse(buf, len, &msg), PARSE_OK);
	assert_summary("INFORMATIONAL request 2 [ N(INIT_CONTACT) ]");

	builder_init(&b, buf, sizeof(buf), &h);
	test_notify(&b, 40000, NULL, 0);
	builder_begin(&b, 201, true);
	builder_end(&b);
	len = builder_finish(&b);
	ck_assert_int_eq(message_parse(buf, len, &msg), PARSE_UNSUPPORTED_CRITICAL);
	ck_assert_uint_eq(msg.unsupported_critical, 201);
}
END_TEST

START_TEST(header_errors)
{
	size_t len = init_request();

	ck_assert_int_eq(message_parse(buf, 27, &msg), PARSE_MALFORMED);
	/* Truncated anywhere: the header length no longer matches. */
	for (size_t cut = 28; cut < len; cut++)
		ck_assert_int_eq(message_parse(buf, cut, &msg), PARSE_MALFORMED);
	buf[17] = 0x10;
	ck_assert_int_eq(message_parse(buf, len, &msg), PARSE_INVALID_MAJOR);
}
END_TEST

START_TEST(chain_errors)
{
	size_t len = init_request();
	uint8_t copy[4096];

	/* Payload length beyond the message. */
	memcpy(copy, buf, len);
	copy[28 + 2] = 0xff;
	ck_assert_int_eq(message_parse(copy, len, &msg), PARSE_MALFORMED);
	/* Payload length below the generic header. */
	memcpy(copy, buf, len);
	copy[28 + 2] = 0;
	copy[28 + 3] = 3;
	ck_assert_int_eq(message_parse(copy, len, &msg), PARSE_MALFORMED);
	/* Trailing garbage after the last payload (length fixed up). */
	memcpy(copy, buf, len);
	copy[len] = 0;
	copy[27] = (uint8_t)(len + 1);
	copy[26] = (uint8_t)((len + 1) >> 8);
	ck_assert_int_eq(message_parse(copy, len + 1, &msg), PARSE_MALFORMED);
	/* A payload that fails its validation (KE with group 0). */
	memcpy(copy, buf, len);
	ck_assert_int_eq(message_parse(buf, len, &msg), PARSE_OK);
	copy[msg.payloads[1].body - buf] = 0;
	copy[msg.payloads[1].body - buf + 1] = 0;
	ck_assert_int_eq(message_parse(copy, len, &msg), PARSE_MALFORMED);
}
END_TEST

START_TEST(sk_must_be_last)
{
	struct ike_header h = test_header(IKE_AUTH, false, 1);
	struct msg_builder b;
	size_t len;

	builder_init(&b, buf, sizeof(buf), &h);
	builder_begin(&b, PL_SK, false);
	wbuf_put32(&b.w, 0);
	builder_end(&b);
	test_notify(&b, N_INITIAL_CONTACT, NULL, 0);
	len = builder_finish(&b);
	ck_assert_int_eq(message_parse(buf, len, &msg), PARSE_MALFORMED);
}
END_TEST

START_TEST(builder_overflow)
{
	struct ike_header h = test_header(IKE_SA_INIT, false, 0);
	struct msg_builder b;
	uint8_t small[40], nonce[32] = { 0 };

	builder_init(&b, small, sizeof(small), &h);
	payload_nonce_write(&b, nonce, sizeof(nonce));
	ck_assert_uint_eq(builder_finish(&b), 0);
}
END_TEST

static Suite *message_suite(void)
{
	Suite *s = suite_create("ike_message");
	TCase *tc = tcase_create("message");

	tcase_add_test(tc, seed_ike_sa_init_request);
	tcase_add_test(tc, seed_ike_sa_init_response);
	tcase_add_test(tc, seed_ike_auth_request_inner);
	tcase_add_test(tc, seed_encrypted_summaries);
	tcase_add_test(tc, seed_fragment_summary);
	tcase_add_test(tc, unknown_payloads);
	tcase_add_test(tc, header_errors);
	tcase_add_test(tc, chain_errors);
	tcase_add_test(tc, sk_must_be_last);
	tcase_add_test(tc, builder_overflow);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(message_suite)
