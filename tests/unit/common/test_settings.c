/* Service settings: defaults, overrides, validation messages, log
 * levels and the unknown-key check of cygnet.<svc>. */
#include <stdio.h>
#include <string.h>

#include "conf_test_util.h"
#include "settings.h"
#include "testmain.h"

static const char *const services[] = { "ike", "authority", "pool", "kernel" };

static struct conf *load(const char *text)
{
	struct conf_error err;
	struct conf *conf = conf_load_string(text, "cygnet.conf", &err);

	ck_assert_msg(conf != NULL, "unexpected error: %s", err.text);
	return conf;
}

/* Loads service settings from text and expects the error message. */
static void settings_fail(const char *text, const char *service,
			  const char *expected)
{
	struct conf *conf = load(text);
	struct service_settings s;
	char err[256] = "";
	struct captured cap;

	capture_start(&cap);
	ck_assert_int_eq(settings_load(conf, service, &s, err, sizeof(err)), -1);
	capture_stop();
	ck_assert_str_eq(err, expected);
	conf_free(conf);
}

static void settings_ok(const struct conf *conf, const char *service,
			struct service_settings *s)
{
	char err[256] = "";

	ck_assert_msg(settings_load(conf, service, s, err, sizeof(err)) == 0,
		      "settings_load: %s", err);
}

START_TEST(defaults)
{
	static const char *const status[] = { "127.0.0.1:9101",
		"127.0.0.1:9102", "127.0.0.1:9103", "127.0.0.1:9104" };
	struct service_settings s;
	char url[64];

	for (size_t i = 0; i < 4; i++) {
		settings_ok(NULL, services[i], &s);
		ck_assert_str_eq(s.name, services[i]);
		snprintf(url, sizeof(url), "ipc:///run/cygnet/%s.rpc",
			 services[i]);
		ck_assert_str_eq(s.rpc_url, url);
		snprintf(url, sizeof(url), "ipc:///run/cygnet/%s.events",
			 services[i]);
		ck_assert_str_eq(s.events_url, url);
		ck_assert_str_eq(s.status_addr, status[i]);
		ck_assert_str_eq(s.runtime_dir, "/run/cygnet");
		ck_assert_int_eq(s.workers, 4);
		ck_assert_str_eq(s.tls.ca_file, "");
		ck_assert_str_eq(s.tls.cert_file, "");
		ck_assert_str_eq(s.tls.key_file, "");
	}
	ck_assert_int_eq(settings_default_status_port("pool"), 9103);
	ck_assert_int_eq(settings_default_status_port("kernel"), 9104);
	ck_assert_int_eq(settings_default_status_port("ctl"), -1);
}
END_TEST

START_TEST(unknown_service)
{
	struct service_settings s;
	char err[128];

	ck_assert_int_eq(settings_load(NULL, "web", &s, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "unknown service 'web'");
}
END_TEST

START_TEST(runtime_dir_moves_all_endpoints)
{
	struct conf *conf = load("cygnet { runtime_dir = /tmp/x/\n"
				 "  kernel { runtime_dir = /tmp/k } }\n");
	struct service_settings s;
	char url[64];

	for (size_t i = 0; i < 3; i++) {
		settings_ok(conf, services[i], &s);
		ck_assert_str_eq(s.runtime_dir, "/tmp/x");
		snprintf(url, sizeof(url), "ipc:///tmp/x/%s.rpc", services[i]);
		ck_assert_str_eq(s.rpc_url, url);
		snprintf(url, sizeof(url), "ipc:///tmp/x/%s.events",
			 services[i]);
		ck_assert_str_eq(s.events_url, url);
	}
	settings_ok(conf, "kernel", &s);
	ck_assert_str_eq(s.rpc_url, "ipc:///tmp/k/kernel.rpc");
	ck_assert_str_eq(s.events_url, "ipc:///tmp/k/kernel.events");
	conf_free(conf);
}
END_TEST

START_TEST(overrides)
{
	struct conf *conf = load(
		"cygnet {\n"
		"  tls { ca = /etc/cygnet/ca.pem }\n"
		"  pool {\n"
		"    rpc = tls+tcp://192.0.2.10:7001\n"
		"    events = tcp://[2001:db8::1]:7002\n"
		"    status = 0.0.0.0:9200\n"
		"    workers = 16\n"
		"    tls { cert = /etc/cygnet/pool.pem\n"
		"          key = /etc/cygnet/pool.key }\n"
		"  }\n"
		"  ike { rpc = ipc:///tmp/ike.sock }\n"
		"}\n");
	struct service_settings s;

	settings_ok(conf, "pool", &s);
	ck_assert_str_eq(s.rpc_url, "tls+tcp://192.0.2.10:7001");
	ck_assert_str_eq(s.events_url, "tcp://[2001:db8::1]:7002");
	ck_assert_str_eq(s.status_addr, "0.0.0.0:9200");
	ck_assert_int_eq(s.workers, 16);
	ck_assert_str_eq(s.tls.ca_file, "/etc/cygnet/ca.pem");
	ck_assert_str_eq(s.tls.cert_file, "/etc/cygnet/pool.pem");
	ck_assert_str_eq(s.tls.key_file, "/etc/cygnet/pool.key");
	settings_ok(conf, "ike", &s);
	ck_assert_str_eq(s.rpc_url, "ipc:///tmp/ike.sock");
	ck_assert_str_eq(s.events_url, "ipc:///run/cygnet/ike.events");
	ck_assert_str_eq(s.tls.ca_file, "/etc/cygnet/ca.pem");
	ck_assert_str_eq(s.tls.cert_file, "");
	conf_free(conf);
}
END_TEST

START_TEST(url_errors)
{
	settings_fail("cygnet {\n pool {\n  rpc = http://192.0.2.1:80\n } }\n",
		      "pool", "cygnet.conf:3: cygnet.pool.rpc: unsupported URL "
		      "'http://192.0.2.1:80' (use ipc://, tcp:// or "
		      "tls+tcp://)");
	settings_fail("cygnet { ike {\n events = tcp://192.0.2.1\n } }\n",
		      "ike", "cygnet.conf:2: cygnet.ike.events: "
		      "'tcp://192.0.2.1' needs host:port with a port 1..65535");
	settings_fail("cygnet { ike {\n events = tcp://192.0.2.1:70000\n} }\n",
		      "ike", "cygnet.conf:2: cygnet.ike.events: "
		      "'tcp://192.0.2.1:70000' needs host:port with a port "
		      "1..65535");
	settings_fail("cygnet { ike {\n rpc = ipc://\n} }\n", "ike",
		      "cygnet.conf:2: cygnet.ike.rpc: 'ipc://' has no socket "
		      "path");
	settings_fail("cygnet { ike {\n rpc = ipc:///run/0123456789012345678"
		      "90123456789012345678901234567890123456789012345678901234"
		      "5678901234567890123456789.rpc\n} }\n", "ike",
		      "cygnet.conf:2: cygnet.ike.rpc: socket path of 'ipc:///run"
		      "/012345678901234567890123456789012345678901234567890123456"
		      "7890123456789012345678901234567890123456789.rpc' is longer "
		      "than 107 characters");
}
END_TEST

START_TEST(tls_required)
{
	settings_fail("cygnet { kernel {\n rpc = tls+tcp://127.0.0.1:7004\n"
		      " tls { cert = c.pem\n key = k.pem }\n} }\n", "kernel",
		      "cygnet.conf:2: cygnet.kernel.rpc: tls+tcp:// requires "
		      "tls { ca, cert, key } in cygnet.kernel or cygnet");
	settings_fail("cygnet { kernel {\n\n events = tls+tcp://127.0.0.1:7004"
		      "\n} }\n", "kernel",
		      "cygnet.conf:3: cygnet.kernel.events: tls+tcp:// "
		      "requires tls { ca, cert, key } in cygnet.kernel or "
		      "cygnet");
}
END_TEST

START_TEST(value_errors)
{
	char text[600];

	settings_fail("cygnet {\n runtime_dir = run/cygnet\n}\n", "pool",
		      "cygnet.conf:2: cygnet.runtime_dir: 'run/cygnet' is not "
		      "an absolute path");
	settings_fail("cygnet { pool {\n runtime_dir = x\n} }\n", "pool",
		      "cygnet.conf:2: cygnet.pool.runtime_dir: 'x' is not an "
		      "absolute path");
	settings_fail("cygnet { pool {\n status = 9103\n} }\n", "pool",
		      "cygnet.conf:2: cygnet.pool.status: '9103' is not "
		      "host:port with a port 1..65535");
	settings_fail("cygnet { pool {\n workers = 0\n} }\n", "pool",
		      "cygnet.conf:2: cygnet.pool.workers: 0 is out of range "
		      "1..64");
	settings_fail("cygnet { pool {\n workers = 65\n} }\n", "pool",
		      "cygnet.conf:2: cygnet.pool.workers: 65 is out of range "
		      "1..64");
	settings_fail("cygnet { pool {\n workers = many\n} }\n", "pool",
		      "cygnet.conf:2: cygnet.pool.workers: 'many' is not a "
		      "number");
	snprintf(text, sizeof(text), "cygnet { runtime_dir = /%0250d\n}\n", 0);
	settings_fail(text, "ike", "cygnet.conf:1: cygnet.runtime_dir: too "
		      "long for the default rpc endpoint");
	settings_fail("cygnet { runtime_dir = /run/0123456789012345678901234567"
		      "890123456789012345678901234567890123456789012345678901234"
		      "567890123456789\n}\n", "authority",
		      "cygnet.conf:1: cygnet.runtime_dir: too long for the "
		      "default rpc endpoint");
	snprintf(text, sizeof(text), "cygnet { ike { rpc = ipc:///%0260d\n} }\n",
		 0);
	settings_fail(text, "ike", "cygnet.conf:1: cygnet.ike.rpc: value too "
		      "long (at most 255 characters)");
}
END_TEST

START_TEST(log_levels)
{
	struct conf *conf = load("cygnet { ike { loglevel {\n"
				 "  default = 2\n  ike = 4\n  KNL = -1\n"
				 "  cfg = 7\n  xyz = 1\n  net = loud\n} } }\n");
	struct captured cap;

	capture_start(&cap);
	settings_apply_log_levels(conf, "ike");
	capture_stop();
	ck_assert_int_eq(log_get_level(LOG_IKE), 4);
	ck_assert_int_eq(log_get_level(LOG_KNL), -1);
	ck_assert_int_eq(log_get_level(LOG_CFG), 2);
	ck_assert_int_eq(log_get_level(LOG_NET), 2);
	ck_assert_int_eq(log_get_level(LOG_DMN), 2);
	ck_assert_str_eq(cap.text,
		"[CFG] cygnet.conf:5: log level 7 for 'cfg' out of range -1..4\n"
		"[CFG] cygnet.conf:6: unknown log subsystem 'xyz'\n"
		"[CFG] cygnet.conf:7: invalid integer 'loud' for 'net'\n");

	/* Another service's levels, or none: back to the defaults. */
	settings_apply_log_levels(conf, "pool");
	ck_assert_int_eq(log_get_level(LOG_IKE), LOG_LEVEL_DEFAULT);
	ck_assert_int_eq(log_get_level(LOG_KNL), LOG_LEVEL_DEFAULT);
	settings_apply_log_levels(NULL, "ike");
	ck_assert_int_eq(log_get_level(LOG_DMN), LOG_LEVEL_DEFAULT);
	conf_free(conf);
}
END_TEST

static const struct conf_schema pool_schema[] = {
	{ .name = "lease_file" },
	{ .include = conf_schema_service },
	{ 0 }
};

START_TEST(warn_unknown_service_keys)
{
	struct conf *conf = load("cygnet { pool {\n lease_file = /x\n"
				 " worker = 2\n tls { crt = a }\n} }\n");
	struct captured cap;

	capture_start(&cap);
	ck_assert_int_eq(settings_warn_unknown(conf, "pool", pool_schema), 2);
	ck_assert_int_eq(settings_warn_unknown(conf, "pool", NULL), 3);
	ck_assert_int_eq(settings_warn_unknown(conf, "ike", NULL), 0);
	capture_stop();
	ck_assert_str_eq(cap.text,
		"[CFG] cygnet.conf:3: unknown key 'worker' in section "
		"'cygnet.pool'\n"
		"[CFG] cygnet.conf:4: unknown key 'crt' in section "
		"'cygnet.pool.tls'\n"
		"[CFG] cygnet.conf:2: unknown key 'lease_file' in section "
		"'cygnet.pool'\n"
		"[CFG] cygnet.conf:3: unknown key 'worker' in section "
		"'cygnet.pool'\n"
		"[CFG] cygnet.conf:4: unknown key 'crt' in section "
		"'cygnet.pool.tls'\n");
	conf_free(conf);
}
END_TEST

static Suite *settings_suite(void)
{
	Suite *s = suite_create("settings");
	TCase *tc = tcase_create("settings");

	tcase_add_test(tc, defaults);
	tcase_add_test(tc, unknown_service);
	tcase_add_test(tc, runtime_dir_moves_all_endpoints);
	tcase_add_test(tc, overrides);
	tcase_add_test(tc, url_errors);
	tcase_add_test(tc, tls_required);
	tcase_add_test(tc, value_errors);
	tcase_add_test(tc, log_levels);
	tcase_add_test(tc, warn_unknown_service_keys);
	tcase_add_checked_fixture(tc, log_reset, NULL);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(settings_suite)
