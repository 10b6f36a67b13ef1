/* pools { } parsing: attributes, and config errors with file:line. */
#include <check.h>

#include "pool_test.h"
#include "testmain.h"

static void conf_fails(const char *text, const char *want)
{
	struct pool_defs defs;
	char err[512] = "";

	ck_assert_int_eq(pool_defs_from(text, &defs, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, want), "got '%s', want '%s'", err, want);
	ck_assert_ptr_null(defs.defs);
}

START_TEST(seed_pools)
{
	const char *text =
		"pools {\n"
		"  ipv4 {\n"
		"    addrs = 192.0.2.64/26\n"
		"    dns = 192.0.2.1, 192.0.2.2\n"
		"  }\n"
		"  ipv6 {\n"
		"    addrs = 2001:db8:4407:1::/122\n"
		"    dns = 2001:db8::53\n"
		"  }\n"
		"}\n";
	const uint8_t dns1[] = { 192, 0, 2, 1 };
	struct pool_defs defs;
	char err[512] = "";

	ck_assert_int_eq(pool_defs_from(text, &defs, err, sizeof(err)), 0);
	ck_assert_uint_eq(defs.count, 2);
	ck_assert_str_eq(defs.defs[0].name, "ipv4");
	ck_assert_str_eq(defs.defs[0].where, "test.conf:2");
	ck_assert_uint_eq(defs.defs[0].range.size, 62);
	ck_assert_uint_eq(defs.defs[0].n_attrs, 2);
	ck_assert_uint_eq(defs.defs[0].attrs[0].type, 3);	/* IP4_DNS */
	ck_assert_uint_eq(defs.defs[0].attrs[0].len, 4);
	ck_assert_mem_eq(defs.defs[0].attrs[0].value, dns1, 4);
	ck_assert_uint_eq(defs.defs[1].attrs[0].type, 10);	/* IP6_DNS */
	ck_assert_uint_eq(defs.defs[1].attrs[0].len, 16);
	ck_assert_ptr_eq(pool_defs_find(&defs, "ipv6"), &defs.defs[1]);
	ck_assert_ptr_null(pool_defs_find(&defs, "ipv5"));
	pool_defs_free(&defs);
}
END_TEST

START_TEST(attribute_encodings)
{
	const char *text =
		"pools { p {\n"
		"  addrs = 198.51.100.0/24\n"
		"  split_include = 203.0.113.0/25, 2001:db8::/48\n"
		"  nbns = 198.51.100.1\n"
		"  25 = hello\n"
		"  7 = 203.0.113.7\n"
		"} }\n";
	const uint8_t v4_subnet[] = { 203, 0, 113, 0, 255, 255, 255, 128 };
	struct pool_defs defs;
	const struct pool_attr *a;
	char err[512] = "";

	ck_assert_int_eq(pool_defs_from(text, &defs, err, sizeof(err)), 0);
	ck_assert_uint_eq(defs.defs[0].n_attrs, 5);
	a = defs.defs[0].attrs;
	ck_assert_uint_eq(a[0].type, 28676);	/* UNITY_SPLIT_INCLUDE */
	ck_assert_uint_eq(a[0].len, 8);
	ck_assert_mem_eq(a[0].value, v4_subnet, 8);
	ck_assert_uint_eq(a[1].type, 28676);
	ck_assert_uint_eq(a[1].len, 17);
	ck_assert_uint_eq(a[1].value[16], 48);
	ck_assert_uint_eq(a[2].type, 4);	/* INTERNAL_IP4_NBNS */
	ck_assert_uint_eq(a[3].type, 25);
	ck_assert_uint_eq(a[3].len, 5);
	ck_assert_mem_eq(a[3].value, "hello", 5);
	ck_assert_uint_eq(a[4].type, 7);
	ck_assert_uint_eq(a[4].len, 4);
	pool_defs_free(&defs);
}
END_TEST

START_TEST(no_pools)
{
	struct pool_defs defs;
	char err[512] = "";

	ck_assert_int_eq(pool_defs_from("cygnet { }\n", &defs, err,
					sizeof(err)), 0);
	ck_assert_uint_eq(defs.count, 0);
	ck_assert_int_eq(pool_defs_from("pools { }\n", &defs, err,
					sizeof(err)), 0);
	ck_assert_uint_eq(defs.count, 0);
}
END_TEST

START_TEST(overlap_error)
{
	struct pool_defs defs;
	char err[512] = "";

	conf_fails("pools {\n"
		   "  a { addrs = 192.0.2.0/25 }\n"
		   "  b {\n"
		   "    addrs = 192.0.2.100-192.0.2.200\n"
		   "  }\n"
		   "}\n",
		   "test.conf:4: pool 'b': addrs overlap those of pool 'a' "
		   "(test.conf:2)");
	/* the same numbers in two families do not overlap */
	ck_assert_int_eq(pool_defs_from("pools {\n"
					" a { addrs = 192.0.2.0/24 }\n"
					" b { addrs = ::c000:200/120 }\n"
					"}\n", &defs, err, sizeof(err)), 0);
	pool_defs_free(&defs);
}
END_TEST

START_TEST(bad_cidr_error)
{
	conf_fails("pools {\n  a {\n    addrs = 192.0.2.0/33\n  }\n}\n",
		   "test.conf:3: pool 'a': invalid addrs value: 192.0.2.0/33");
	conf_fails("pools {\n  a {\n    addrs = 192.0.2.0/24/1\n  }\n}\n",
		   "test.conf:3: pool 'a': invalid addrs value");
}
END_TEST

START_TEST(empty_range_error)
{
	conf_fails("pools {\n  a {\n\n    addrs = 192.0.2.9-192.0.2.1\n  }\n}\n",
		   "test.conf:4: pool 'a': empty range: 192.0.2.9-192.0.2.1");
}
END_TEST

START_TEST(too_large_error)
{
	conf_fails("pools {\n  big {\n    addrs = 2001:db8::-2001:db8::1:0:0\n"
		   "  }\n}\n",
		   "test.conf:3: pool 'big': range too large");
}
END_TEST

START_TEST(missing_addrs_error)
{
	conf_fails("pools {\n  a {\n    dns = 192.0.2.1\n  }\n}\n",
		   "test.conf:2: pool 'a': missing addrs");
}
END_TEST

START_TEST(bad_attribute_errors)
{
	conf_fails("pools {\n  a {\n    addrs = 192.0.2.0/24\n"
		   "    dsn = 192.0.2.1\n  }\n}\n",
		   "test.conf:4: pool 'a': invalid attribute: dsn");
	conf_fails("pools {\n  a {\n    addrs = 192.0.2.0/24\n"
		   "    dns = resolver\n  }\n}\n",
		   "test.conf:4: pool 'a': invalid attribute value for dns");
	conf_fails("pools {\n  a {\n    addrs = 192.0.2.0/24\n"
		   "    40000 = x\n  }\n}\n",
		   "test.conf:4: pool 'a': invalid attribute: 40000");
	conf_fails("pools {\n  a {\n    addrs = 192.0.2.0/24\n"
		   "    sub { x = 1 }\n  }\n}\n",
		   "test.conf:4: pool 'a': unexpected section 'sub'");
}
END_TEST

START_TEST(subnet_limit_logged)
{
	struct pool_log log;
	struct pool_defs defs;
	char err[512] = "";

	pool_log_start(&log);
	ck_assert_int_eq(pool_defs_from("pools { v6 { addrs = 2001:db8::/64 } }",
					&defs, err, sizeof(err)), 0);
	pool_log_stop();
	ck_assert_msg(strstr(log.text, "virtual IP pool too large, limiting "
			     "to 2001:db8::/96"), "%s", log.text);
	ck_assert_uint_eq(defs.defs[0].range.size, POOL_SIZE_MAX - 2);
	pool_defs_free(&defs);
}
END_TEST

static Suite *pool_conf_suite(void)
{
	Suite *s = suite_create("pool config");
	TCase *tc = tcase_create("conf");

	tcase_add_test(tc, seed_pools);
	tcase_add_test(tc, attribute_encodings);
	tcase_add_test(tc, no_pools);
	tcase_add_test(tc, overlap_error);
	tcase_add_test(tc, bad_cidr_error);
	tcase_add_test(tc, empty_range_error);
	tcase_add_test(tc, too_large_error);
	tcase_add_test(tc, missing_addrs_error);
	tcase_add_test(tc, bad_attribute_errors);
	tcase_add_test(tc, subnet_limit_logged);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(pool_conf_suite)
