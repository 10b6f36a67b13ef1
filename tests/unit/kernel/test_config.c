/* cygnet.kernel { } settings: defaults, the owned reqid range, bypass
 * ports, flush_on_stop, and refusals that keep the old settings. */
#include "conf.h"
#include "kernel/service.h"
#include "knl_test_util.h"

static struct kernel_service svc;
static char err[256];

static int configure(const char *text, bool reload)
{
	struct conf_error cerr;
	struct conf *conf = conf_load_string(text, "test.conf", &cerr);
	int rc;

	ck_assert_msg(conf != NULL, "%s", cerr.text);
	err[0] = '\0';
	rc = kernel_service_configure(&svc, conf, reload, err, sizeof(err));
	conf_free(conf);
	return rc;
}

static void setup(void)
{
	ck_assert_int_eq(kernel_service_init(&svc), 0);
}

static void teardown(void)
{
	kernel_service_cleanup(&svc);
}

START_TEST(defaults)
{
	ck_assert_int_eq(configure("", false), 0);
	ck_assert_uint_eq(svc.cfg.owner.reqid_min, 1);
	ck_assert_uint_eq(svc.cfg.owner.reqid_max, 0x7fffffff);
	ck_assert_uint_eq(svc.cfg.owner.n_bypass, 2);
	ck_assert_uint_eq(svc.cfg.owner.bypass_ports[0], 500);
	ck_assert_uint_eq(svc.cfg.owner.bypass_ports[1], 4500);
	ck_assert_int_eq(svc.cfg.flush_on_stop, 0);
	ck_assert_uint_eq(svc.cfg.routing_table, 220);
	ck_assert_uint_eq(svc.cfg.routing_table_prio, 220);
}
END_TEST

START_TEST(all_keys)
{
	ck_assert_int_eq(configure("cygnet { kernel {\n"
				   "  reqid_min = 1000\n  reqid_max = 1999\n"
				   "  bypass_ports = 500, 4500, 4501\n"
				   "  flush_on_stop = yes\n"
				   "  routing_table = 1000\n"
				   "  routing_table_prio = 100\n} }\n", false), 0);
	ck_assert_uint_eq(svc.cfg.owner.reqid_min, 1000);
	ck_assert_uint_eq(svc.cfg.owner.reqid_max, 1999);
	ck_assert_uint_eq(svc.cfg.owner.n_bypass, 3);
	ck_assert_uint_eq(svc.cfg.owner.bypass_ports[2], 4501);
	ck_assert_int_eq(svc.cfg.flush_on_stop, 1);
	ck_assert_uint_eq(svc.cfg.routing_table, 1000);
	ck_assert_uint_eq(svc.cfg.routing_table_prio, 100);
}
END_TEST

START_TEST(bad_values_keep_old_settings)
{
	ck_assert_int_eq(configure("cygnet { kernel { reqid_min = 5\n"
				   "reqid_max = 9 } }", false), 0);
	ck_assert_int_eq(configure("cygnet { kernel { reqid_min = 10\n"
				   "reqid_max = 9 } }", true), -1);
	ck_assert_str_eq(err, "reqid range 10-9 invalid (1 to 4294967295, "
			 "min <= max)");
	ck_assert_int_eq(configure("cygnet { kernel { bypass_ports = 500, "
				   "70000 } }", true), -1);
	ck_assert_str_eq(err, "bypass port '70000' invalid");
	ck_assert_int_eq(configure("cygnet { kernel { reqid_min = 0 } }",
				   true), -1);
	ck_assert_int_eq(configure("cygnet { kernel { routing_table = 0 } }",
				   true), -1);
	ck_assert_str_eq(err, "invalid routing_table/routing_table_prio");
	ck_assert_uint_eq(svc.cfg.owner.reqid_min, 5);
	ck_assert_uint_eq(svc.cfg.owner.reqid_max, 9);
	ck_assert_uint_eq(svc.cfg.routing_table, 220);
}
END_TEST

static Suite *config_suite(void)
{
	Suite *s = suite_create("kernel service settings");
	TCase *tc = tcase_create("config");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, defaults);
	tcase_add_test(tc, all_keys);
	tcase_add_test(tc, bad_values_keep_old_settings);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(config_suite)
