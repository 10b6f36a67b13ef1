/* Every payload family: generate, validate, parse back; and truncated,
 * oversized and garbage bodies are refused by the validator. */
#include <stdlib.h>
#include <string.h>

#include "ike/message.h"
#include "testmain.h"

static uint8_t buf[8192];

/* Builds one payload with fill() in a header-less chain and returns its
 * body. */
static const uint8_t *one_payload(void (*fill)(struct msg_builder *),
				  uint8_t expect_type, size_t *len)
{
	struct msg_builder b;
	size_t total;

	builder_init_chain(&b, buf, sizeof(buf));
	fill(&b);
	total = builder_finish(&b);
	ck_assert_uint_ge(total, PAYLOAD_HEADER_LEN);
	ck_assert_uint_eq(b.first_type, expect_type);
	ck_assert_uint_eq(get16(buf + 2), total);
	*len = total - PAYLOAD_HEADER_LEN;
	return buf + PAYLOAD_HEADER_LEN;
}

/* Every strict prefix of a valid body must be refused, except where the
 * format allows a shorter body (accept_prefix). */
static void truncations_refused(uint8_t type, const uint8_t *body, size_t len,
				size_t accept_from)
{
	for (size_t cut = 0; cut < len; cut++) {
		if (cut >= accept_from)
			continue;
		ck_assert_msg(payload_validate(type, body, cut) < 0,
			      "type %u accepted %zu of %zu bytes", type, cut, len);
	}
}

static void garbage_never_crashes(uint8_t type)
{
	uint8_t junk[300];

	srand(type);
	for (int round = 0; round < 2000; round++) {
		size_t len = (size_t)rand() % sizeof(junk);

		for (size_t i = 0; i < len; i++)
			junk[i] = (uint8_t)rand();
		/* Valid or not, a validated body must parse without
		 * reading out of bounds (checked under valgrind/ASan). */
		if (payload_validate(type, junk, len) == 0 && type == PL_SA) {
			struct proposal p[4];

			payload_sa_parse(junk, len, p, 4);
		}
	}
}

static struct proposal sa_props[2];

static void fill_sa(struct msg_builder *b)
{
	char err[64];

	ck_assert_int_eq(proposal_parse("aes256-aes128gcm16-sha256-prfsha384-ecp384-modp2048",
					PROTO_IKE, sa_props, 2, err, sizeof(err)), 2);
	sa_props[0].spi_size = 8;
	memcpy(sa_props[0].spi, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	payload_sa_write(b, sa_props, 2);
}

START_TEST(sa_roundtrip)
{
	size_t len;
	const uint8_t *body = one_payload(fill_sa, PL_SA, &len);
	struct proposal parsed[4];
	char a[256], c[256];

	ck_assert_int_eq(payload_sa_validate(body, len), 0);
	ck_assert_uint_eq(payload_sa_parse(body, len, parsed, 4), 2);
	for (int i = 0; i < 2; i++) {
		proposal_format(&sa_props[i], a, sizeof(a));
		proposal_format(&parsed[i], c, sizeof(c));
		ck_assert_str_eq(a, c);
		ck_assert_uint_eq(parsed[i].number, i + 1);
	}
	ck_assert_mem_eq(parsed[0].spi, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	ck_assert_uint_eq(parsed[1].spi_size, 0);
	/* max limits the proposals returned. */
	ck_assert_uint_eq(payload_sa_parse(body, len, parsed, 1), 1);
	truncations_refused(PL_SA, body, len, len);
}
END_TEST

START_TEST(sa_structure_errors)
{
	size_t len;
	const uint8_t *body = one_payload(fill_sa, PL_SA, &len);
	uint8_t copy[1024];

	memcpy(copy, body, len);
	copy[0] = 0;			/* "last" on the first of two */
	ck_assert_int_eq(payload_sa_validate(copy, len), -1);
	memcpy(copy, body, len);
	copy[5] = 9;			/* protocol */
	ck_assert_int_eq(payload_sa_validate(copy, len), -1);
	memcpy(copy, body, len);
	copy[6] = 4;			/* IKE SPI of 4 octets */
	ck_assert_int_eq(payload_sa_validate(copy, len), -1);
	memcpy(copy, body, len);
	copy[7]++;			/* one transform more than present */
	ck_assert_int_eq(payload_sa_validate(copy, len), -1);
	memcpy(copy, body, len);
	copy[len] = 0;			/* oversized: trailing octet */
	ck_assert_int_eq(payload_sa_validate(copy, len + 1), -1);
	ck_assert_int_eq(payload_sa_validate(copy, 0), -1);
	garbage_never_crashes(PL_SA);
}
END_TEST

/* A transform with an unknown attribute is left out, not an error. */
START_TEST(sa_unknown_attribute_skips_transform)
{
	static const uint8_t body[] = {
		0, 0, 0, 28, 1, PROTO_IKE, 0, 2,
		3, 0, 0, 12, TRANS_ENCR, 0, 0, ENCR_AES_CBC, 0x80, 99, 0, 1,
		0, 0, 0, 8, TRANS_DH, 0, 0, DH_MODP_2048,
	};
	struct proposal p[1];

	ck_assert_int_eq(payload_sa_validate(body, sizeof(body)), 0);
	ck_assert_uint_eq(payload_sa_parse(body, sizeof(body), p, 1), 1);
	ck_assert_uint_eq(p[0].count, 1);
	ck_assert_uint_eq(p[0].transforms[0].type, TRANS_DH);
}
END_TEST

static void fill_ke(struct msg_builder *b)
{
	uint8_t pub[32];

	memset(pub, 0x42, sizeof(pub));
	payload_ke_write(b, DH_CURVE_25519, pub, sizeof(pub));
}

START_TEST(ke_and_nonce)
{
	size_t len;
	const uint8_t *body = one_payload(fill_ke, PL_KE, &len);
	struct ke_payload ke;
	uint8_t nonce[NONCE_MAX + 1] = { 0 };

	ck_assert_int_eq(payload_ke_validate(body, len), 0);
	payload_ke_parse(body, len, &ke);
	ck_assert_uint_eq(ke.group, DH_CURVE_25519);
	ck_assert_uint_eq(ke.len, 32);
	ck_assert_uint_eq(ke.data[31], 0x42);
	truncations_refused(PL_KE, body, len, 5);
	ck_assert_int_eq(payload_nonce_validate(nonce, NONCE_MIN - 1), -1);
	ck_assert_int_eq(payload_nonce_validate(nonce, NONCE_MIN), 0);
	ck_assert_int_eq(payload_nonce_validate(nonce, NONCE_MAX), 0);
	ck_assert_int_eq(payload_nonce_validate(nonce, NONCE_MAX + 1), -1);
}
END_TEST

static struct id_payload id_in;

static void fill_id(struct msg_builder *b)
{
	payload_id_write(b, PL_IDR, &id_in);
}

static void id_case(uint8_t type, const void *data, size_t len, const char *text)
{
	size_t blen;
	const uint8_t *body;
	struct id_payload id;
	char out[256];

	id_in = (struct id_payload){ .type = type, .data = data, .len = len };
	body = one_payload(fill_id, PL_IDR, &blen);
	ck_assert_int_eq(payload_id_validate(body, blen), 0);
	payload_id_parse(body, blen, &id);
	ck_assert_uint_eq(id.type, type);
	ck_assert_uint_eq(id.len, len);
	id_format(&id, out, sizeof(out));
	ck_assert_str_eq(out, text);
	truncations_refused(PL_IDR, body, blen,
			    type == ID_IPV4_ADDR || type == ID_IPV6_ADDR ? blen : 5);
}

START_TEST(id_types)
{
	/* DER of C=CH, O=strongSec GmbH, CN=vpn.strongswan.org */
	static const uint8_t dn[] = {
		0x30, 0x43, 0x31, 0x0b, 0x30, 0x09, 0x06, 0x03, 0x55, 0x04, 0x06,
		0x13, 0x02, 'C', 'H', 0x31, 0x17, 0x30, 0x15, 0x06, 0x03, 0x55,
		0x04, 0x0a, 0x13, 0x0e, 's', 't', 'r', 'o', 'n', 'g', 'S', 'e',
		'c', ' ', 'G', 'm', 'b', 'H', 0x31, 0x1b, 0x30, 0x19, 0x06, 0x03,
		0x55, 0x04, 0x03, 0x13, 0x12, 'v', 'p', 'n', '.', 's', 't', 'r',
		'o', 'n', 'g', 's', 'w', 'a', 'n', '.', 'o', 'r', 'g',
	};
	uint8_t copy[8];

	id_case(ID_IPV4_ADDR, "\xc0\x00\x02\x34", 4, "192.0.2.52");
	id_case(ID_IPV6_ADDR, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16, "2001:db8::1");
	id_case(ID_FQDN, "vpn.strongswan.org", 18, "vpn.strongswan.org");
	id_case(ID_RFC822_ADDR, "andreas.steffen@strongsec.net", 29,
		"andreas.steffen@strongsec.net");
	id_case(ID_DER_ASN1_DN, dn, sizeof(dn),
		"C=CH, O=strongSec GmbH, CN=vpn.strongswan.org");
	id_case(ID_KEY_ID, "\x01\xab", 2, "@#01ab");
	/* Wrong lengths, unprintable names. */
	memcpy(copy, "\x01\0\0\0\xc0\0\x02", 7);
	ck_assert_int_eq(payload_id_validate(copy, 7), -1);
	ck_assert_int_eq(payload_id_validate((const uint8_t *)"\x02\0\0\0a\nb", 7), -1);
	ck_assert_int_eq(payload_id_validate((const uint8_t *)"\x05\0\0\0\0\0\0\0", 8), -1);
	garbage_never_crashes(PL_IDI);
}
END_TEST

static void fill_cert(struct msg_builder *b)
{
	struct cert_payload c = { .encoding = CERT_X509_SIGNATURE,
				  .data = (const uint8_t *)"\x30\x00", .len = 2 };

	payload_cert_write(b, PL_CERT, &c);
}

static void fill_certreq(struct msg_builder *b)
{
	uint8_t hashes[3 * CERTREQ_HASH_LEN];

	memset(hashes, 0xab, sizeof(hashes));
	payload_certreq_write(b, hashes, 3);
}

static void fill_auth(struct msg_builder *b)
{
	struct auth_payload a = { .method = 9, .data = (const uint8_t *)"\1\2\3", .len = 3 };

	payload_auth_write(b, &a);
}

START_TEST(cert_certreq_auth)
{
	size_t len;
	const uint8_t *body = one_payload(fill_cert, PL_CERT, &len);
	struct cert_payload cert;
	struct auth_payload auth;

	ck_assert_int_eq(payload_cert_validate(body, len), 0);
	payload_cert_parse(body, len, &cert);
	ck_assert_uint_eq(cert.encoding, CERT_X509_SIGNATURE);
	ck_assert_uint_eq(cert.len, 2);
	truncations_refused(PL_CERT, body, len, 2);

	body = one_payload(fill_certreq, PL_CERTREQ, &len);
	ck_assert_uint_eq(len, 1 + 3 * CERTREQ_HASH_LEN);
	ck_assert_int_eq(payload_certreq_validate(body, len), 0);
	/* Only whole hashes (and the empty list). */
	for (size_t cut = 0; cut < len; cut++)
		ck_assert_int_eq(payload_certreq_validate(body, cut) == 0,
				 cut >= 1 && (cut - 1) % CERTREQ_HASH_LEN == 0);

	body = one_payload(fill_auth, PL_AUTH, &len);
	ck_assert_int_eq(payload_auth_validate(body, len), 0);
	payload_auth_parse(body, len, &auth);
	ck_assert_uint_eq(auth.method, 9);
	ck_assert_mem_eq(auth.data, "\1\2\3", 3);
	truncations_refused(PL_AUTH, body, len, 5);
}
END_TEST

static struct notify_payload notify_in;

static void fill_notify(struct msg_builder *b)
{
	payload_notify_write(b, &notify_in);
}

START_TEST(notify_roundtrip_and_lengths)
{
	uint8_t natd[NATD_HASH_LEN];
	struct notify_payload n;
	const uint8_t *body;
	size_t len;

	memset(natd, 7, sizeof(natd));
	notify_in = (struct notify_payload){ .type = N_NAT_DETECTION_SOURCE_IP,
					     .data = natd, .len = sizeof(natd) };
	body = one_payload(fill_notify, PL_NOTIFY, &len);
	ck_assert_int_eq(payload_notify_validate(body, len), 0);
	payload_notify_parse(body, len, &n);
	ck_assert_uint_eq(n.type, N_NAT_DETECTION_SOURCE_IP);
	ck_assert_uint_eq(n.len, NATD_HASH_LEN);
	truncations_refused(PL_NOTIFY, body, len, len);

	/* REKEY_SA for an ESP SPI. */
	notify_in = (struct notify_payload){ .protocol = PROTO_ESP, .spi_size = 4,
					     .spi = (const uint8_t *)"\xca\xf5\x27\xc5",
					     .type = N_REKEY_SA };
	body = one_payload(fill_notify, PL_NOTIFY, &len);
	payload_notify_parse(body, len, &n);
	ck_assert_uint_eq(n.spi_size, 4);
	ck_assert_mem_eq(n.spi, "\xca\xf5\x27\xc5", 4);
	ck_assert_uint_eq(n.len, 0);

	/* Fixed data lengths. */
	ck_assert_int_eq(payload_notify_validate((const uint8_t *)"\0\0\0\x11\0", 5), -1);
	ck_assert_int_eq(payload_notify_validate((const uint8_t *)"\0\0\0\x11\0\x0e", 6), 0);
	ck_assert_int_eq(payload_notify_validate((const uint8_t *)"\0\0\0\x0e\0", 5), -1);
	ck_assert_int_eq(payload_notify_validate((const uint8_t *)"\x07\0\0\x0e", 4), -1);
	ck_assert_int_eq(payload_notify_validate((const uint8_t *)"\0\x09\0\x0e", 4), -1);
	garbage_never_crashes(PL_NOTIFY);
}
END_TEST

START_TEST(notify_names)
{
	ck_assert_str_eq(notify_short_name(N_IKEV2_FRAGMENTATION_SUPPORTED), "FRAG_SUP");
	ck_assert_str_eq(notify_short_name(N_NAT_DETECTION_SOURCE_IP), "NATD_S_IP");
	ck_assert_str_eq(notify_short_name(N_NAT_DETECTION_DESTINATION_IP), "NATD_D_IP");
	ck_assert_str_eq(notify_short_name(N_CHILDLESS_IKEV2_SUPPORTED), "CHDLESS_SUP");
	ck_assert_str_eq(notify_short_name(N_MULTIPLE_AUTH_SUPPORTED), "MULT_AUTH");
	ck_assert_str_eq(notify_short_name(N_MOBIKE_SUPPORTED), "MOBIKE_SUP");
	ck_assert_str_eq(notify_short_name(N_ADDITIONAL_IP6_ADDRESS), "ADD_6_ADDR");
	ck_assert_str_eq(notify_short_name(N_AUTH_LIFETIME), "AUTH_LFT");
	ck_assert_str_eq(notify_short_name(N_INITIAL_CONTACT), "INIT_CONTACT");
	ck_assert_str_eq(notify_short_name(N_NO_PROPOSAL_CHOSEN), "NO_PROP");
	ck_assert_str_eq(notify_short_name(N_INVALID_KE_PAYLOAD), "INVAL_KE");
	ck_assert_str_eq(notify_name(N_UNSUPPORTED_CRITICAL_PAYLOAD),
			 "UNSUPPORTED_CRITICAL_PAYLOAD");
	ck_assert_ptr_null(notify_short_name(12345));
}
END_TEST

static struct delete_payload delete_in;

static void fill_delete(struct msg_builder *b)
{
	payload_delete_write(b, &delete_in);
}

START_TEST(delete_payloads)
{
	struct delete_payload d;
	const uint8_t *body;
	size_t len;

	delete_in = (struct delete_payload){ .protocol = PROTO_ESP, .spi_size = 4,
					     .n_spis = 2,
					     .spis = (const uint8_t *)"\x9b\xcd\x9c\x12\xca\xf5\x27\xc5" };
	body = one_payload(fill_delete, PL_DELETE, &len);
	ck_assert_int_eq(payload_delete_validate(body, len), 0);
	payload_delete_parse(body, len, &d);
	ck_assert_uint_eq(d.n_spis, 2);
	ck_assert_mem_eq(d.spis + 4, "\xca\xf5\x27\xc5", 4);
	truncations_refused(PL_DELETE, body, len, len);
	delete_in = (struct delete_payload){ .protocol = PROTO_IKE };
	body = one_payload(fill_delete, PL_DELETE, &len);
	ck_assert_int_eq(payload_delete_validate(body, len), 0);
	ck_assert_int_eq(payload_delete_validate((const uint8_t *)"\x01\x08\0\x01", 4), -1);
	ck_assert_int_eq(payload_delete_validate((const uint8_t *)"\x03\x08\0\0", 4), -1);
	ck_assert_int_eq(payload_delete_validate((const uint8_t *)"\x05\x04\0\0", 4), -1);
}
END_TEST

static struct ts ts_in[3];

static void fill_ts(struct msg_builder *b)
{
	char err[64];

	ck_assert_int_eq(ts_parse("192.0.2.0/24[tcp/443]", &ts_in[0], err, sizeof(err)), 0);
	ck_assert_int_eq(ts_parse("2001:db8::/32", &ts_in[1], err, sizeof(err)), 0);
	ck_assert_int_eq(ts_parse("198.51.100.1-198.51.100.9", &ts_in[2], err, sizeof(err)), 0);
	payload_ts_write(b, PL_TSI, ts_in, 3);
}

START_TEST(ts_roundtrip)
{
	size_t len;
	const uint8_t *body = one_payload(fill_ts, PL_TSI, &len);
	struct ts out[4];
	char a[64], c[64];

	ck_assert_int_eq(payload_ts_validate(body, len), 0);
	ck_assert_uint_eq(payload_ts_parse(body, len, out, 4), 3);
	for (int i = 0; i < 3; i++) {
		ts_format(&ts_in[i], a, sizeof(a));
		ts_format(&out[i], c, sizeof(c));
		ck_assert_str_eq(a, c);
	}
	ck_assert_uint_eq(payload_ts_parse(body, len, out, 1), 1);
	truncations_refused(PL_TSI, body, len, len);
	garbage_never_crashes(PL_TSR);
}
END_TEST

START_TEST(ts_errors_and_unknown_type)
{
	/* One IPv4 selector with a wrong length field. */
	static const uint8_t bad_len[] = { 1, 0, 0, 0, 7, 0, 0, 17, 0, 0, 0xff, 0xff,
					   1, 2, 3, 4, 5, 6, 7, 8, 9 };
	/* An unknown selector type (of 12 octets) next to an IPv4 one. */
	static const uint8_t unknown[] = { 2, 0, 0, 0,
		9, 0, 0, 12, 0, 0, 0, 0, 1, 2, 3, 4,
		7, 0, 0, 16, 0, 0, 0xff, 0xff, 192, 0, 2, 0, 192, 0, 2, 255 };
	struct ts out[2];

	ck_assert_int_eq(payload_ts_validate(bad_len, sizeof(bad_len)), -1);
	ck_assert_int_eq(payload_ts_validate((const uint8_t *)"\0\0\0\0", 4), -1);
	ck_assert_int_eq(payload_ts_validate(unknown, sizeof(unknown)), 0);
	ck_assert_uint_eq(payload_ts_parse(unknown, sizeof(unknown), out, 2), 1);
	ck_assert_uint_eq(out[0].start[3], 0);
	ck_assert_uint_eq(out[0].end[3], 255);
	ck_assert_int_eq(payload_ts_validate(unknown, sizeof(unknown) - 1), -1);
}
END_TEST

static struct cp_payload cp_in;

static void fill_cp(struct msg_builder *b)
{
	payload_cp_write(b, &cp_in);
}

START_TEST(cp_roundtrip_and_names)
{
	struct cp_payload cp;
	const uint8_t *body;
	size_t len;

	cp_in = (struct cp_payload){ .type = CFG_REPLY, .n_attrs = 3, .attrs = {
		{ .type = CP_INTERNAL_IP4_ADDRESS, .value = (const uint8_t *)"\xc0\0\x02\x42", .len = 4 },
		{ .type = CP_INTERNAL_IP6_ADDRESS, .value = (const uint8_t *)"\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\2\x80", .len = 17 },
		{ .type = CP_APPLICATION_VERSION, .value = (const uint8_t *)"cygnet", .len = 6 },
	} };
	body = one_payload(fill_cp, PL_CP, &len);
	ck_assert_int_eq(payload_cp_validate(body, len), 0);
	payload_cp_parse(body, len, &cp);
	ck_assert_uint_eq(cp.type, CFG_REPLY);
	ck_assert_uint_eq(cp.n_attrs, 3);
	ck_assert_uint_eq(cp.attrs[1].len, 17);
	ck_assert_mem_eq(cp.attrs[2].value, "cygnet", 6);
	/* Cuts at attribute boundaries leave a valid payload. */
	for (size_t cut = 0; cut < len; cut++) {
		bool boundary = cut == 4 || cut == 12 || cut == 33;

		ck_assert_int_eq(payload_cp_validate(body, cut) == 0, boundary);
	}
	ck_assert_int_eq(payload_cp_validate((const uint8_t *)"\x05\0\0\0", 4), -1);
	ck_assert_int_eq(payload_cp_validate((const uint8_t *)"\x01\0\0\0\0\x01\0\x03\1\2\3", 11), -1);
	ck_assert_str_eq(cp_attr_short_name(CP_INTERNAL_IP4_NBNS), "NBNS");
	ck_assert_str_eq(cp_attr_short_name(CP_INTERNAL_IP6_SERVER), "SRV6");
	garbage_never_crashes(PL_CP);
}
END_TEST

START_TEST(eap_and_fragments)
{
	char s[64];
	struct skf_payload f;

	ck_assert_int_eq(payload_eap_validate((const uint8_t *)"\x01\x00\x00\x05\x01", 5), 0);
	payload_eap_summary((const uint8_t *)"\x01\x00\x00\x05\x01", 5, s, sizeof(s));
	ck_assert_str_eq(s, "/REQ/ID");
	payload_eap_summary((const uint8_t *)"\x02\x00\x00\x06\xfe\x00", 6, s, sizeof(s));
	ck_assert_str_eq(s, "/RES/254");
	ck_assert_int_eq(payload_eap_validate((const uint8_t *)"\x01\x00\x00\x06\x01", 5), -1);
	ck_assert_int_eq(payload_eap_validate((const uint8_t *)"\x03\x00\x00\x05\x01", 5), -1);
	ck_assert_int_eq(payload_eap_validate((const uint8_t *)"\x09\x00\x00\x04", 4), -1);
	ck_assert_int_eq(payload_eap_validate((const uint8_t *)"\x04\x00\x00", 3), -1);

	ck_assert_int_eq(payload_skf_validate((const uint8_t *)"\0\x11\0\x12x", 5), 0);
	payload_skf_parse((const uint8_t *)"\0\x11\0\x12x", 5, &f);
	ck_assert_uint_eq(f.number, 17);
	ck_assert_uint_eq(f.total, 18);
	ck_assert_int_eq(payload_skf_validate((const uint8_t *)"\0\x03\0\x02x", 5), -1);
	ck_assert_int_eq(payload_skf_validate((const uint8_t *)"\0\0\0\x02x", 5), -1);
	ck_assert_int_eq(payload_skf_validate((const uint8_t *)"\0\x01\0\x01", 4), -1);
	ck_assert_int_eq(payload_sk_validate((const uint8_t *)"", 0), -1);
}
END_TEST

static Suite *payload_suite(void)
{
	Suite *s = suite_create("ike_payloads");
	TCase *tc = tcase_create("payloads");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, sa_roundtrip);
	tcase_add_test(tc, sa_structure_errors);
	tcase_add_test(tc, sa_unknown_attribute_skips_transform);
	tcase_add_test(tc, ke_and_nonce);
	tcase_add_test(tc, id_types);
	tcase_add_test(tc, cert_certreq_auth);
	tcase_add_test(tc, notify_roundtrip_and_lengths);
	tcase_add_test(tc, notify_names);
	tcase_add_test(tc, delete_payloads);
	tcase_add_test(tc, ts_roundtrip);
	tcase_add_test(tc, ts_errors_and_unknown_type);
	tcase_add_test(tc, cp_roundtrip_and_names);
	tcase_add_test(tc, eap_and_fragments);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(payload_suite)
