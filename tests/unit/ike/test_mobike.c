/* MOBIKE as the responder announces it: MOBIKE_SUPPORTED and this host's
 * other addresses (never loopback, IPv6 link-local or the IKE_SA's own),
 * or NO_ADDITIONAL_ADDRESSES. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "ike/mobike.h"
#include "ike/payload.h"
#include "ike_msg_helpers.h"
#include "testmain.h"

static struct sockaddr_storage v4(const char *text)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *in = (struct sockaddr_in *)&ss;

	in->sin_family = AF_INET;
	inet_pton(AF_INET, text, &in->sin_addr);
	return ss;
}

static struct sockaddr_storage from_addr(const struct mobike_addr *a)
{
	struct sockaddr_storage ss = { 0 };

	if (a->len == 4) {
		((struct sockaddr_in *)&ss)->sin_family = AF_INET;
		memcpy(&((struct sockaddr_in *)&ss)->sin_addr, a->addr, 4);
	} else {
		((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
		memcpy(&((struct sockaddr_in6 *)&ss)->sin6_addr, a->addr, 16);
	}
	return ss;
}

START_TEST(no_loopback_or_link_local)
{
	struct sockaddr_storage local = v4("192.0.2.1");
	struct mobike_addr addrs[MOBIKE_ADDRS_MAX];
	size_t n = mobike_local_addresses(&local, addrs, MOBIKE_ADDRS_MAX);

	for (size_t i = 0; i < n; i++) {
		ck_assert(addrs[i].len == 4 || addrs[i].len == 16);
		if (addrs[i].len == 4) {
			ck_assert_uint_ne(addrs[i].addr[0], 127);
		} else {
			const struct in6_addr *a = (const struct in6_addr *)addrs[i].addr;

			ck_assert(!IN6_IS_ADDR_LOOPBACK(a));
			ck_assert(!IN6_IS_ADDR_LINKLOCAL(a));
		}
	}
}
END_TEST

START_TEST(own_address_left_out)
{
	struct sockaddr_storage local = v4("192.0.2.1");
	struct mobike_addr all[MOBIKE_ADDRS_MAX], rest[MOBIKE_ADDRS_MAX];
	size_t n = mobike_local_addresses(&local, all, MOBIKE_ADDRS_MAX), m;

	if (n == 0)
		return;	/* a host without other addresses: nothing to leave out */
	local = from_addr(&all[0]);
	m = mobike_local_addresses(&local, rest, MOBIKE_ADDRS_MAX);
	for (size_t i = 0; i < m; i++)
		ck_assert(rest[i].len != all[0].len ||
			  memcmp(rest[i].addr, all[0].addr, all[0].len) != 0);
}
END_TEST

START_TEST(notifies_written)
{
	struct ike_header h = test_header(IKE_AUTH, true, 8);
	struct sockaddr_storage local = v4("192.0.2.1");
	struct mobike_addr addrs[MOBIKE_ADDRS_MAX];
	size_t n = mobike_local_addresses(&local, addrs, MOBIKE_ADDRS_MAX);
	static struct ike_message msg;
	struct notify_payload note;
	uint8_t buf[1024];
	struct msg_builder b;
	size_t len;

	builder_init(&b, buf, sizeof(buf), &h);
	mobike_write_supported(&b, &local);
	len = builder_finish(&b);
	ck_assert_uint_gt(len, 0);
	ck_assert_int_eq(message_parse(buf, len, &msg), PARSE_OK);
	ck_assert_uint_eq(msg.n_payloads, n ? 1 + n : 2);
	payload_notify_parse(msg.payloads[0].body, msg.payloads[0].len, &note);
	ck_assert_uint_eq(note.type, N_MOBIKE_SUPPORTED);
	for (size_t i = 0; i < n; i++) {
		payload_notify_parse(msg.payloads[1 + i].body,
				     msg.payloads[1 + i].len, &note);
		ck_assert_uint_eq(note.type, addrs[i].len == 4 ?
				  N_ADDITIONAL_IP4_ADDRESS : N_ADDITIONAL_IP6_ADDRESS);
		ck_assert_uint_eq(note.len, addrs[i].len);
		ck_assert_int_eq(memcmp(note.data, addrs[i].addr, note.len), 0);
	}
	if (n == 0) {
		payload_notify_parse(msg.payloads[1].body, msg.payloads[1].len, &note);
		ck_assert_uint_eq(note.type, N_NO_ADDITIONAL_ADDRESSES);
	}
}
END_TEST

static Suite *mobike_suite(void)
{
	Suite *s = suite_create("ike_mobike");
	TCase *tc = tcase_create("mobike");

	tcase_add_test(tc, no_loopback_or_link_local);
	tcase_add_test(tc, own_address_left_out);
	tcase_add_test(tc, notifies_written);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(mobike_suite)
