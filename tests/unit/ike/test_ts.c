#include "ike/ts.h"
#include "testmain.h"

static void roundtrip(const char *in, const char *out)
{
	struct ts ts;
	char err[128], buf[128];

	ck_assert_msg(ts_parse(in, &ts, err, sizeof(err)) == 0, "%s: %s", in, err);
	ts_format(&ts, buf, sizeof(buf));
	ck_assert_str_eq(buf, out);
}

START_TEST(formats)
{
	roundtrip("0.0.0.0/0", "0.0.0.0/0");
	roundtrip("::/0", "::/0");
	roundtrip("dynamic", "dynamic");
	roundtrip("192.0.2.7", "192.0.2.7/32");
	roundtrip("2001:db8::1", "2001:db8::1/128");
	roundtrip("198.51.100.77/24", "198.51.100.0/24");
	roundtrip("192.0.2.1-192.0.2.9", "192.0.2.1..192.0.2.9");
	roundtrip("192.0.2.0-192.0.2.255", "192.0.2.0/24");
	roundtrip("203.0.113.0/24[tcp/443]", "203.0.113.0/24[tcp/443]");
	roundtrip("203.0.113.0/24[udp]", "203.0.113.0/24[udp]");
	roundtrip("2001:db8::/32[tcp/1000-2000]", "2001:db8::/32[tcp/1000-2000]");
	roundtrip("192.0.2.0/24[99/%any]", "192.0.2.0/24[99]");
}
END_TEST

START_TEST(rejects)
{
	static const char *const bad[] = {
		"", "dyn", "192.0.2.0/33", "2001:db8::/129", "192.0.2.0/",
		"192.0.2.9-192.0.2.1", "192.0.2.1-2001:db8::1",
		"192.0.2.0/24[tcp/70000]", "192.0.2.0/24[bogus]",
		"192.0.2.0/24[tcp/443", "192.0.2.0/24[tcp/20-10]", "300.1.1.1",
	};
	struct ts ts;
	char err[128];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(ts_parse(bad[i], &ts, err, sizeof(err)) == -1,
			      "accepted '%s'", bad[i]);
}
END_TEST

static Suite *ts_suite(void)
{
	Suite *s = suite_create("ike_ts");
	TCase *tc = tcase_create("ts");

	tcase_add_test(tc, formats);
	tcase_add_test(tc, rejects);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(ts_suite)
