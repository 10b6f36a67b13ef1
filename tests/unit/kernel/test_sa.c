/* SAs and SPIs on this machine's kernel, in a private network namespace.
 * The host kernel has no ESP: adding an SA must fail with the errno the
 * kernel gives and a message naming the missing option; SPI allocation
 * (larval SAs) works and is checked against `ip -o xfrm state`. */
#include <netinet/in.h>

#include "kernel/adopt.h"
#include "kernel/netlink.h"
#include "kernel/sa.h"
#include "kernel/spi.h"
#include "knl_test_util.h"

static struct nl_error err;

static void cbc_sha1_sa(struct knl_sa *sa, const char *src, const char *dst)
{
	memset(sa, 0, sizeof(*sa));
	addr_of(&sa->src, src);
	addr_of(&sa->dst, dst);
	sa->spi = 0xcaf527c5;
	sa->proto = IPPROTO_ESP;
	sa->mode = XFRM_MODE_TUNNEL;
	sa->reqid = 1;
	sa->encr = knl_alg_encr(12);
	sa->encr_key_bits = 256;
	sa->encr_key_len = 32;
	memset(sa->encr_key, 0x11, 32);
	sa->integ = knl_alg_integ(2);
	sa->integ_key_len = 20;
	memset(sa->integ_key, 0x22, 20);
	sa->replay_window = 32;
}

/* Adding (or updating) an SA between src and dst fails as the kernel
 * has no ESP, with a message holding want. */
static void check_esp_refused(const char *src, const char *dst, bool update,
			      const char *want)
{
	struct nl_sock *nl = nl_open_in_netns(&err);
	struct knl_sa sa;

	cbc_sha1_sa(&sa, src, dst);
	ck_assert_int_eq(sa_install(nl, &sa, update, &err), -1);
	ck_assert_int_eq(err.err, EPROTONOSUPPORT);
	ck_assert_msg(strstr(err.text, want), "%s", err.text);
	nl_close(nl);
}

START_TEST(esp_sa_refused_names_config_option)
{
	/* measured on this kernel: EPROTONOSUPPORT, extack "Requested
	 * type not found" */
	check_esp_refused("192.0.2.1", "198.51.100.7", false,
			  "ESP not supported by this kernel (CONFIG_INET_ESP)");
	ck_assert_msg(strstr(err.text, "EPROTONOSUPPORT"), "%s", err.text);
}
END_TEST

START_TEST(esp_sa_refused_ipv6)
{
	check_esp_refused("2001:db8::1", "2001:db8::2", false,
			  "CONFIG_INET6_ESP");
}
END_TEST

START_TEST(esp_sa_update_refused)
{
	check_esp_refused("192.0.2.1", "198.51.100.7", true, "CONFIG_INET_ESP");
}
END_TEST

/* Whichever the kernel checks first (this one lacks the AEAD template
 * as well as ESP), the message must match the errno. */
START_TEST(aead_sa_refused)
{
	struct nl_sock *nl = nl_open_in_netns(&err);
	struct knl_sa sa;

	cbc_sha1_sa(&sa, "192.0.2.1", "198.51.100.7");
	sa.encr = knl_alg_encr(20);
	sa.integ = NULL;
	sa.encr_key_len = 36;
	sa.esn = true;
	sa.replay_window = 128;
	ck_assert_int_eq(sa_install(nl, &sa, false, &err), -1);
	if (err.err == ENOSYS)
		ck_assert_msg(strstr(err.text, "crypto API") &&
			      strstr(err.text, "ENOSYS"), "%s", err.text);
	else
		ck_assert_msg(err.err == EPROTONOSUPPORT &&
			      strstr(err.text, "CONFIG_INET_ESP"), "%s",
			      err.text);
	nl_close(nl);
}
END_TEST

START_TEST(spi_alloc_larval_sa)
{
	struct nl_sock *nl = nl_open_in_netns(&err);
	struct spi_request req = {
		.proto = IPPROTO_ESP, .reqid = 42,
		.min = SPI_MIN_DEFAULT, .max = SPI_MAX_DEFAULT,
	};
	const struct owner owner = { .reqid_min = 40, .reqid_max = 50 };
	struct sa_table t = { 0 };
	struct knl_sa_info info;
	struct knl_sa_id id;
	char out[4096], want[64];
	uint32_t spi;

	addr_of(&req.src, "198.51.100.7");
	addr_of(&req.dst, "192.0.2.1");
	ck_assert_msg(spi_alloc(nl, &req, &spi, &err) == 0, "%s", err.text);
	ck_assert_uint_ge(spi, SPI_MIN_DEFAULT);
	ck_assert_uint_le(spi, SPI_MAX_DEFAULT);

	run_output("ip -o xfrm state", out, sizeof(out));
	snprintf(want, sizeof(want), "spi 0x%08x reqid 42 ", spi);
	ck_assert_msg(strstr(out, want), "'%s' not in: %s", want, out);
	ck_assert_msg(strstr(out, "src 198.51.100.7 dst 192.0.2.1"), "%s",
		      out);

	ck_assert_int_eq(adopt_sas(nl, &owner, &t, &err), 0);
	ck_assert_uint_eq(t.n, 1);
	ck_assert_int_eq(t.v[0].larval, 1);
	ck_assert_uint_eq(t.v[0].sa.spi, spi);
	sa_table_free(&t);

	id = (struct knl_sa_id){ .dst = req.dst, .spi = spi,
				 .proto = IPPROTO_ESP };
	ck_assert_msg(sa_query(nl, &id, &info, &err) == 0, "%s", err.text);
	ck_assert_uint_eq(info.sa.reqid, 42);
	ck_assert_uint_eq(info.usage.bytes, 0);

	ck_assert_msg(sa_delete(nl, &id, &err) == 0, "%s", err.text);
	run_output("ip -o xfrm state", out, sizeof(out));
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(sa_delete(nl, &id, &err), -1);
	ck_assert_int_eq(err.err, ESRCH);
	ck_assert_msg(strstr(err.text, "no such SA"), "%s", err.text);
	ck_assert_int_eq(sa_query(nl, &id, &info, &err), -1);
	ck_assert_int_eq(err.err, ESRCH);
	nl_close(nl);
}
END_TEST

START_TEST(errors_are_counted_by_errno)
{
	struct nl_sock *nl = nl_open_in_netns(&err);
	struct knl_sa sa;
	uint64_t before = nl_errors_total();

	cbc_sha1_sa(&sa, "192.0.2.1", "198.51.100.7");
	ck_assert_int_eq(sa_install(nl, &sa, false, &err), -1);
	ck_assert_uint_eq(nl_errors_total(), before + 1);
	nl_close(nl);
}
END_TEST

START_TEST(error_meanings)
{
	ck_assert_str_eq(nl_error_meaning(XFRM_MSG_NEWSA, AF_INET, EPERM),
			 "not permitted (CAP_NET_ADMIN required)");
	ck_assert_str_eq(nl_error_meaning(XFRM_MSG_NEWSA, AF_INET, ENOSYS),
			 "algorithm not available in the kernel's crypto API "
			 "(CONFIG_CRYPTO_*)");
	ck_assert_str_eq(nl_error_meaning(XFRM_MSG_NEWSA, AF_INET, EEXIST),
			 "SA already exists");
	ck_assert_str_eq(nl_error_meaning(XFRM_MSG_UPDPOLICY, AF_INET,
					  EEXIST), "policy already exists");
	nl_error_set(&err, XFRM_MSG_NEWSA, AF_INET, EINVAL, "bad mode");
	ck_assert_str_eq(err.text, "rejected by the kernel as invalid: bad "
			 "mode (errno 22 EINVAL)");
}
END_TEST

static Suite *sa_suite(void)
{
	Suite *s = suite_create("kernel SAs and SPIs (netns, no ESP)");
	TCase *tc = tcase_create("sa");

	tcase_add_test(tc, esp_sa_refused_names_config_option);
	tcase_add_test(tc, esp_sa_refused_ipv6);
	tcase_add_test(tc, esp_sa_update_refused);
	tcase_add_test(tc, aead_sa_refused);
	tcase_add_test(tc, spi_alloc_larval_sa);
	tcase_add_test(tc, errors_are_counted_by_errno);
	tcase_add_test(tc, error_meanings);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(sa_suite)
