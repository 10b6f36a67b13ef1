/* The configuration payload of IKE_AUTH: what a CFG_REQUEST asks for
 * and the CFG_REPLY built from leases, read back with our parser. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "ike/cp.h"
#include "ike/message.h"
#include "testmain.h"

#define CP_BODY 4	/* after the generic payload header */

/* Writes cp and parses it back. */
static void roundtrip(const struct cp_payload *in, uint8_t *buf, size_t cap,
		      struct cp_payload *out)
{
	struct msg_builder b;
	size_t len;

	builder_init_chain(&b, buf, cap);
	payload_cp_write(&b, in);
	len = builder_finish(&b);
	ck_assert_uint_gt(len, CP_BODY);
	ck_assert_int_eq(payload_cp_validate(buf + CP_BODY, len - CP_BODY), 0);
	payload_cp_parse(buf + CP_BODY, len - CP_BODY, out);
}

START_TEST(requested_addresses)
{
	struct cp_payload *req = calloc(1, sizeof(*req)), *parsed = calloc(1, sizeof(*parsed));
	uint8_t buf[512], want4[4];
	struct cp_wanted w;

	inet_pton(AF_INET, "198.51.100.70", want4);
	req->type = CFG_REQUEST;
	req->attrs[req->n_attrs++] = (struct cp_attr){ CP_INTERNAL_IP4_ADDRESS, NULL, 0 };
	req->attrs[req->n_attrs++] = (struct cp_attr){ CP_INTERNAL_IP4_DNS, NULL, 0 };
	req->attrs[req->n_attrs++] = (struct cp_attr){ CP_INTERNAL_IP6_ADDRESS, NULL, 0 };
	/* A second IPv4 request is not a second address. */
	req->attrs[req->n_attrs++] = (struct cp_attr){ CP_INTERNAL_IP4_ADDRESS, want4, 4 };
	roundtrip(req, buf, sizeof(buf), parsed);
	cp_requested(parsed, &w);
	ck_assert_uint_eq(w.n, 2);
	ck_assert_uint_eq(w.len[0], 4);
	ck_assert_uint_eq(w.len[1], 16);
	for (size_t i = 0; i < 16; i++)
		ck_assert_uint_eq(w.addr[1][i], 0);

	req->n_attrs = 0;
	req->attrs[req->n_attrs++] = (struct cp_attr){ CP_INTERNAL_IP4_ADDRESS, want4, 4 };
	roundtrip(req, buf, sizeof(buf), parsed);
	cp_requested(parsed, &w);
	ck_assert_uint_eq(w.n, 1);
	ck_assert_int_eq(memcmp(w.addr[0], want4, 4), 0);

	/* Only a request asks. */
	parsed->type = CFG_SET;
	cp_requested(parsed, &w);
	ck_assert_uint_eq(w.n, 0);
	free(req);
	free(parsed);
}
END_TEST

START_TEST(reply_from_leases)
{
	struct lease leases[2] = { 0 };
	struct cp_payload *reply = calloc(1, sizeof(*reply));
	uint8_t buf[512], dns[4];
	struct msg_builder b;
	size_t len;

	inet_pton(AF_INET, "198.51.100.65", leases[0].addr);
	leases[0].addr_len = 4;
	inet_pton(AF_INET6, "2001:db8:64::1", leases[1].addr);
	leases[1].addr_len = 16;
	inet_pton(AF_INET, "203.0.113.53", dns);
	/* Both pools carry the same DNS server: sent once. */
	for (int i = 0; i < 2; i++) {
		leases[i].attrs[0].type = CP_INTERNAL_IP4_DNS;
		memcpy(leases[i].attrs[0].value, dns, 4);
		leases[i].attrs[0].len = 4;
		leases[i].n_attrs = 1;
	}
	builder_init_chain(&b, buf, sizeof(buf));
	cp_write_reply(&b, leases, 2);
	len = builder_finish(&b);
	ck_assert_int_eq(b.first_type, PL_CP);
	ck_assert_int_eq(payload_cp_validate(buf + CP_BODY, len - CP_BODY), 0);
	payload_cp_parse(buf + CP_BODY, len - CP_BODY, reply);
	ck_assert_uint_eq(reply->type, CFG_REPLY);
	ck_assert_uint_eq(reply->n_attrs, 3);
	ck_assert_uint_eq(reply->attrs[0].type, CP_INTERNAL_IP4_ADDRESS);
	ck_assert_int_eq(memcmp(reply->attrs[0].value, leases[0].addr, 4), 0);
	ck_assert_uint_eq(reply->attrs[1].type, CP_INTERNAL_IP6_ADDRESS);
	ck_assert_uint_eq(reply->attrs[1].len, 17);
	ck_assert_int_eq(memcmp(reply->attrs[1].value, leases[1].addr, 16), 0);
	ck_assert_uint_eq(reply->attrs[1].value[16], 128);
	ck_assert_uint_eq(reply->attrs[2].type, CP_INTERNAL_IP4_DNS);
	ck_assert_int_eq(memcmp(reply->attrs[2].value, dns, 4), 0);
	free(reply);
}
END_TEST

static Suite *cp_suite(void)
{
	Suite *s = suite_create("ike_cp");
	TCase *tc = tcase_create("cp");

	tcase_add_test(tc, requested_addresses);
	tcase_add_test(tc, reply_from_leases);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(cp_suite)
