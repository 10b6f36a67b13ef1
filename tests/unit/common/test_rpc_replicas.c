/* A client of several servers (a service's replicas): one URL list, the
 * calls spread over them, and the client told of each (re)connection. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "endpoint_test_util.h"
#include "rpc.h"
#include "testmain.h"
#include "types.pb-c.h"

#define M_WHO 16
#define CALLS 40
#define TIMEOUT_MS 5000

static char tmpdir[64];
static char url_a[128], url_b[160];

/* Answers with the server's name (its context). */
static void handle_who(void *ctx, const ProtobufCMessage *request,
		       struct rpc_reply *reply)
{
	Cygnet__Identity out = CYGNET__IDENTITY__INIT;

	(void)request;
	out.text = ctx;
	rpc_reply_message(reply, &out.base);
}

static const struct rpc_method methods[] = {
	{ M_WHO, "test.who", &cygnet__empty__descriptor, handle_who },
};

static struct rpc_server *start(const char *url, const char *name)
{
	char err[256] = "";
	struct rpc_server *s = rpc_server_start(url, NULL, methods, 1,
						(void *)name, 2, err, sizeof(err));

	ck_assert_msg(s != NULL, "server on %s: %s", url, err);
	return s;
}

/* 'a' or 'b', or '-' when the call failed. */
static char who(struct rpc_client *c)
{
	Cygnet__Empty none = CYGNET__EMPTY__INIT;
	struct rpc_result res;
	char name;

	rpc_call(c, M_WHO, &none.base, &cygnet__identity__descriptor,
		 TIMEOUT_MS, &res);
	if (res.status != CYGNET__RPC_STATUS__RPC_OK)
		return '-';
	name = ((Cygnet__Identity *)res.reply)->text[0];
	protobuf_c_message_free_unpacked(res.reply, NULL);
	return name;
}

static void setup(void)
{
	endpoint_setup(tmpdir, sizeof(tmpdir), "replicas", url_a, sizeof(url_a),
		       "a.rpc");
	snprintf(url_b, sizeof(url_b), "ipc://%s/run/b.rpc", tmpdir);
}

static void teardown(void)
{
	endpoint_teardown(tmpdir);
}

START_TEST(test_calls_spread_over_replicas)
{
	struct rpc_server *a = start(url_a, "a"), *b = start(url_b, "b");
	char list[300], err[256] = "";
	struct rpc_client *c;
	int answered[2] = { 0, 0 };

	snprintf(list, sizeof(list), "%s, %s", url_a, url_b);
	c = rpc_client_open(list, NULL, err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	/* Both connections up before counting. */
	for (int i = 0; i < 100 && (answered[0] == 0 || answered[1] == 0); i++) {
		char n = who(c);

		ck_assert_msg(n == 'a' || n == 'b', "call %d failed", i);
		answered[n - 'a']++;
		usleep(20000);
	}
	memset(answered, 0, sizeof(answered));
	for (int i = 0; i < CALLS; i++) {
		char n = who(c);

		ck_assert_msg(n == 'a' || n == 'b', "call %d failed", i);
		answered[n - 'a']++;
	}
	ck_assert_int_gt(answered[0], 0);
	ck_assert_int_gt(answered[1], 0);
	/* One replica gone: the other answers everything. */
	rpc_server_stop(a);
	usleep(200000);
	for (int i = 0; i < 10; i++)
		ck_assert_int_eq(who(c), 'b');
	rpc_client_close(c);
	rpc_server_stop(b);
}
END_TEST

START_TEST(test_bad_lists_refused)
{
	char err[256] = "";

	ck_assert_ptr_null(rpc_client_open(" , ", NULL, err, sizeof(err)));
	ck_assert_str_eq(err, "no URL to dial in ' , '");
	ck_assert_ptr_null(rpc_client_open("ipc:///tmp/x, bogus://y", NULL, err,
					   sizeof(err)));
}
END_TEST

START_TEST(test_url_list_split)
{
	const char *cursor = "tcp://192.0.2.1:9202,tcp://192.0.2.2:9202  ipc:///x ,";
	char url[SETTINGS_URL_MAX], tiny[8];

	ck_assert(settings_url_next(&cursor, url, sizeof(url)));
	ck_assert_str_eq(url, "tcp://192.0.2.1:9202");
	ck_assert(settings_url_next(&cursor, url, sizeof(url)));
	ck_assert_str_eq(url, "tcp://192.0.2.2:9202");
	ck_assert(settings_url_next(&cursor, url, sizeof(url)));
	ck_assert_str_eq(url, "ipc:///x");
	ck_assert(!settings_url_next(&cursor, url, sizeof(url)));
	cursor = "tcp://192.0.2.1:9202";
	ck_assert(!settings_url_next(&cursor, tiny, sizeof(tiny)));
}
END_TEST

static int load_settings(const char *text, struct service_settings *s,
			 char *err, size_t errlen)
{
	struct conf_error cerr;
	struct conf *conf = conf_load_string(text, "test.conf", &cerr);
	int rc;

	ck_assert_ptr_nonnull(conf);
	rc = settings_load(conf, "authority", s, err, errlen);
	conf_free(conf);
	return rc;
}

START_TEST(test_settings_take_a_list)
{
	struct service_settings s;
	char err[256] = "";

	ck_assert_msg(load_settings("cygnet { authority {\n"
				    "  rpc = tcp://192.0.2.1:9202, tcp://192.0.2.2:9202\n"
				    "} }\n", &s, err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(s.rpc_url, "tcp://192.0.2.1:9202, tcp://192.0.2.2:9202");
	ck_assert_int_eq(load_settings("cygnet { authority {\n"
				       "  rpc = tcp://192.0.2.1:9202, http://192.0.2.2:80\n"
				       "} }\n", &s, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "unsupported URL 'http://192.0.2.2:80'"), "%s", err);
}
END_TEST

static atomic_int connects;

static void connected(void *arg)
{
	(void)arg;
	atomic_fetch_add(&connects, 1);
}

static void wait_connects(int n)
{
	for (int i = 0; i < 300 && atomic_load(&connects) < n; i++)
		usleep(10000);
	ck_assert_int_eq(atomic_load(&connects), n);
}

START_TEST(test_told_of_each_connection)
{
	char err[256] = "";
	struct rpc_client *c = rpc_client_open(url_a, NULL, err, sizeof(err));
	struct rpc_server *a;

	ck_assert_msg(c != NULL, "%s", err);
	atomic_store(&connects, 0);
	rpc_client_on_connect(c, connected, NULL);
	a = start(url_a, "a");
	wait_connects(1);
	rpc_server_stop(a);
	a = start(url_a, "a");
	wait_connects(2);
	/* Removed: a further restart is not told. */
	rpc_client_on_connect(c, NULL, NULL);
	rpc_server_stop(a);
	a = start(url_a, "a");
	ck_assert_int_eq(who(c), 'a');
	ck_assert_int_eq(atomic_load(&connects), 2);
	rpc_client_close(c);
	rpc_server_stop(a);
}
END_TEST

static Suite *replicas_suite(void)
{
	const TTest *tests[] = {
		test_calls_spread_over_replicas,
		test_bad_lists_refused,
		test_url_list_split,
		test_settings_take_a_list,
		test_told_of_each_connection,
	};

	return endpoint_suite("rpc_replicas", 60, setup, teardown, tests,
			      sizeof(tests) / sizeof(tests[0]));
}

TEST_MAIN(replicas_suite)
