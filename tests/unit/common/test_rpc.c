/* RPC over real sockets: ipc in a temp dir, tcp and tls+tcp on 127.0.0.1. */
#include <errno.h>
#include <nng/nng.h>
#include <nng/protocol/reqrep0/req.h>
#include <nng/supplemental/tls/tls.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "endpoint_test_util.h"
#include "log.h"
#include "rpc.h"
#include "testmain.h"
#include "tls_test_util.h"
#include "types.pb-c.h"

enum {
	M_ECHO = 16,
	M_FAIL = 17,
	M_SLEEP = 18,
	M_SILENT = 19,
	M_MEET = 20,
};

#define MEET_COUNT 4
#define TIMEOUT_MS 10000
/* a first TLS call includes the handshake, slow under valgrind */
#define TLS_TIMEOUT_MS 60000

static char tmpdir[64];
static char ipc_url[128];
static char tcp_url[64];
static int port_base;

static pthread_mutex_t meet_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t meet_cond = PTHREAD_COND_INITIALIZER;
static int meet_arrived;
static atomic_int sleepers;	/* handle_sleep calls started */

static void handle_echo(void *ctx, const ProtobufCMessage *request,
			struct rpc_reply *reply)
{
	const Cygnet__Identity *id = (const Cygnet__Identity *)request;
	Cygnet__Identity out = CYGNET__IDENTITY__INIT;

	(void)ctx;
	out.type = id->type + 1;
	out.data = id->data;
	out.text = id->text;
	rpc_reply_message(reply, &out.base);
}

static void handle_fail(void *ctx, const ProtobufCMessage *request,
			struct rpc_reply *reply)
{
	(void)ctx;
	(void)request;
	rpc_reply_error(reply, CYGNET__RPC_STATUS__RPC_FAILED,
			"no lease for %s", "carol");
}

static void handle_sleep(void *ctx, const ProtobufCMessage *request,
			 struct rpc_reply *reply)
{
	const Cygnet__Identity *id = (const Cygnet__Identity *)request;
	Cygnet__Empty out = CYGNET__EMPTY__INIT;

	(void)ctx;
	atomic_fetch_add(&sleepers, 1);
	usleep(id->type * 1000);
	rpc_reply_message(reply, &out.base);
}

static void handle_silent(void *ctx, const ProtobufCMessage *request,
			  struct rpc_reply *reply)
{
	(void)ctx;
	(void)request;
	(void)reply;
}

/* Answers only when MEET_COUNT handlers are inside at once: proves that
 * calls are in flight together and the server runs them together. */
static void handle_meet(void *ctx, const ProtobufCMessage *request,
			struct rpc_reply *reply)
{
	Cygnet__Empty out = CYGNET__EMPTY__INIT;
	struct timespec until;
	int rv = 0;

	(void)ctx;
	(void)request;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	pthread_mutex_lock(&meet_lock);
	meet_arrived++;
	pthread_cond_broadcast(&meet_cond);
	while (meet_arrived < MEET_COUNT && rv == 0)
		rv = pthread_cond_timedwait(&meet_cond, &meet_lock, &until);
	pthread_mutex_unlock(&meet_lock);
	if (rv != 0)
		rpc_reply_error(reply, CYGNET__RPC_STATUS__RPC_FAILED,
				"only %d calls met", meet_arrived);
	else
		rpc_reply_message(reply, &out.base);
}

static const struct rpc_method methods[] = {
	{ M_ECHO, "test.echo", &cygnet__identity__descriptor, handle_echo },
	{ M_FAIL, "test.fail", &cygnet__empty__descriptor, handle_fail },
	{ M_SLEEP, "test.sleep", &cygnet__identity__descriptor, handle_sleep },
	{ M_SILENT, "test.silent", &cygnet__empty__descriptor, handle_silent },
	{ M_MEET, "test.meet", &cygnet__empty__descriptor, handle_meet },
};
#define N_METHODS (sizeof(methods) / sizeof(methods[0]))

static struct rpc_server *start_server(const char *url,
				       const struct rpc_tls *tls, int workers)
{
	char err[256] = "";
	struct rpc_server *s = rpc_server_start(url, tls, methods, N_METHODS,
						NULL, workers, err, sizeof(err));

	ck_assert_msg(s != NULL, "server on %s: %s", url, err);
	return s;
}

static struct rpc_client *open_client(const char *url,
				      const struct rpc_tls *tls)
{
	char err[256] = "";
	struct rpc_client *c = rpc_client_open(url, tls, err, sizeof(err));

	ck_assert_msg(c != NULL, "client to %s: %s", url, err);
	return c;
}

static void call_echo(struct rpc_client *c, uint32_t type, int timeout_ms,
		      struct rpc_result *res)
{
	Cygnet__Identity id = CYGNET__IDENTITY__INIT;

	id.type = type;
	id.text = "moon.strongswan.org";
	rpc_call(c, M_ECHO, &id.base, &cygnet__identity__descriptor,
		 timeout_ms, res);
}

static void assert_echo_ok_within(struct rpc_client *c, uint32_t type,
				  int timeout_ms)
{
	struct rpc_result res;
	Cygnet__Identity *id;

	call_echo(c, type, timeout_ms, &res);
	ck_assert_msg(res.status == CYGNET__RPC_STATUS__RPC_OK, "%s: %s",
		      rpc_status_name(res.status), res.error);
	id = (Cygnet__Identity *)res.reply;
	ck_assert_uint_eq(id->type, type + 1);
	ck_assert_str_eq(id->text, "moon.strongswan.org");
	protobuf_c_message_free_unpacked(res.reply, NULL);
}

static void assert_echo_ok(struct rpc_client *c, uint32_t type)
{
	assert_echo_ok_within(c, type, TIMEOUT_MS);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

static void setup(void)
{
	endpoint_setup(tmpdir, sizeof(tmpdir), "rpc", ipc_url, sizeof(ipc_url), "test.rpc");
	port_base = free_tcp_port();
	snprintf(tcp_url, sizeof(tcp_url), "tcp://127.0.0.1:%d", port_base);
}

static void teardown(void)
{
	endpoint_teardown(tmpdir);
}

START_TEST(test_ipc_call_and_perms)
{
	struct rpc_server *s = start_server(ipc_url, NULL, 2);
	struct rpc_client *c = open_client(ipc_url, NULL);

	assert_echo_ok(c, 7);
	assert_ipc_perms(tmpdir, "test.rpc");
	rpc_client_close(c);
	rpc_server_stop(s);
	assert_ipc_removed(tmpdir, "test.rpc");
}
END_TEST

START_TEST(test_tcp_call)
{
	struct rpc_server *s = start_server(tcp_url, NULL, 2);
	struct rpc_client *c = open_client(tcp_url, NULL);
	struct rpc_server_stats stats;

	assert_echo_ok(c, 1);
	assert_echo_ok(c, 2);
	rpc_server_get_stats(s, &stats);
	ck_assert_uint_eq(stats.requests, 2);
	ck_assert_uint_eq(stats.errors, 0);
	rpc_client_close(c);
	rpc_server_stop(s);
}
END_TEST

struct load {
	struct rpc_client *client;
	int index;
	int failures;
};

#define LOAD_THREADS 64
#define LOAD_CALLS 100

static void *load_thread(void *arg)
{
	struct load *load = arg;
	struct rpc_result res;

	for (int i = 0; i < LOAD_CALLS; i++) {
		uint32_t type = load->index * 1000 + i;

		call_echo(load->client, type, 10000, &res);
		if (res.status != CYGNET__RPC_STATUS__RPC_OK ||
		    ((Cygnet__Identity *)res.reply)->type != type + 1)
			load->failures++;
		if (res.reply != NULL)
			protobuf_c_message_free_unpacked(res.reply, NULL);
	}
	return NULL;
}

START_TEST(test_concurrent_calls)
{
	struct rpc_server *s = start_server(ipc_url, NULL, 4);
	struct rpc_client *c = open_client(ipc_url, NULL);
	struct load loads[LOAD_THREADS];
	pthread_t threads[LOAD_THREADS];
	struct rpc_server_stats stats;

	for (int i = 0; i < LOAD_THREADS; i++) {
		loads[i] = (struct load){ .client = c, .index = i };
		ck_assert_int_eq(pthread_create(&threads[i], NULL, load_thread,
						&loads[i]), 0);
	}
	for (int i = 0; i < LOAD_THREADS; i++) {
		pthread_join(threads[i], NULL);
		ck_assert_int_eq(loads[i].failures, 0);
	}
	rpc_server_get_stats(s, &stats);
	ck_assert_uint_eq(stats.requests, LOAD_THREADS * LOAD_CALLS);
	rpc_client_close(c);
	rpc_server_stop(s);
}
END_TEST

struct async_wait {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int done;
	int ok;
	char last_error[256];
};

#define ASYNC_WAIT_INIT { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, "" }

static void async_done(void *arg, struct rpc_result *res)
{
	struct async_wait *w = arg;

	pthread_mutex_lock(&w->lock);
	w->done++;
	if (res->status == CYGNET__RPC_STATUS__RPC_OK)
		w->ok++;
	else
		snprintf(w->last_error, sizeof(w->last_error), "%s", res->error);
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	if (res->reply != NULL)
		protobuf_c_message_free_unpacked(res->reply, NULL);
}

static void start_calls(struct rpc_client *c, uint32_t method,
			const ProtobufCMessage *request, int count,
			struct async_wait *w)
{
	for (int i = 0; i < count; i++)
		ck_assert_int_eq(rpc_call_async(c, method, request,
						&cygnet__empty__descriptor,
						10000, async_done, w), 0);
}

static void wait_async(struct async_wait *w, int count)
{
	pthread_mutex_lock(&w->lock);
	while (w->done < count)
		pthread_cond_wait(&w->cond, &w->lock);
	pthread_mutex_unlock(&w->lock);
}

START_TEST(test_async_in_flight)
{
	struct rpc_server *s = start_server(ipc_url, NULL, MEET_COUNT);
	struct rpc_client *c = open_client(ipc_url, NULL);
	struct async_wait w = ASYNC_WAIT_INIT;
	Cygnet__Empty empty = CYGNET__EMPTY__INIT;

	meet_arrived = 0;
	start_calls(c, M_MEET, &empty.base, MEET_COUNT, &w);
	wait_async(&w, MEET_COUNT);
	ck_assert_msg(w.ok == MEET_COUNT, "%d ok: %s", w.ok, w.last_error);
	rpc_client_close(c);
	rpc_server_stop(s);
}
END_TEST

START_TEST(test_close_with_calls_in_flight)
{
	struct rpc_server *s = start_server(ipc_url, NULL, 2);
	struct rpc_client *c = open_client(ipc_url, NULL);
	struct async_wait w = ASYNC_WAIT_INIT;
	Cygnet__Identity id = CYGNET__IDENTITY__INIT;

	assert_echo_ok(c, 1);
	id.type = 300;		/* ms each handler sleeps */
	start_calls(c, M_SLEEP, &id.base, 4, &w);
	/* every done still runs once, with an error naming the URL */
	rpc_client_close(c);
	wait_async(&w, 4);
	ck_assert_int_eq(w.ok, 0);
	ck_assert_msg(strstr(w.last_error, ipc_url) != NULL, "%s",
		      w.last_error);
	rpc_server_stop(s);
}
END_TEST

/* A graceful stop lets running handlers answer before the socket closes. */
START_TEST(test_stop_answers_running_handler)
{
	struct rpc_server *s = start_server(ipc_url, NULL, 2);
	struct rpc_client *c = open_client(ipc_url, NULL);
	struct async_wait w = ASYNC_WAIT_INIT;
	Cygnet__Identity id = CYGNET__IDENTITY__INIT;

	atomic_store(&sleepers, 0);
	id.type = 500;
	start_calls(c, M_SLEEP, &id.base, 1, &w);
	for (int i = 0; i < 500 && atomic_load(&sleepers) == 0; i++)
		usleep(10 * 1000);
	ck_assert_int_eq(atomic_load(&sleepers), 1);
	rpc_server_stop(s);
	wait_async(&w, 1);
	ck_assert_msg(w.ok == 1, "%s", w.last_error);
	rpc_client_close(c);
}
END_TEST

/* The call fails within its timeout, naming the URL: UNAVAILABLE when
 * not connected or the connection broke, TIMEOUT when the client did not
 * notice the server go yet. */
static void assert_down_error(struct rpc_client *c, const char *url,
			      int timeout_ms, struct rpc_result *res)
{
	long start = now_ms(), took;

	call_echo(c, 1, timeout_ms, res);
	took = now_ms() - start;
	ck_assert_msg(res->status == CYGNET__RPC_STATUS__RPC_UNAVAILABLE ||
			      res->status == CYGNET__RPC_STATUS__RPC_TIMEOUT,
		      "%s: %s", rpc_status_name(res->status), res->error);
	ck_assert_ptr_null(res->reply);
	ck_assert_msg(strstr(res->error, url) != NULL, "error '%s' lacks %s",
		      res->error, url);
	ck_assert_msg(took < timeout_ms + 1000,
		      "took %ld ms for a %d ms timeout", took, timeout_ms);
}

START_TEST(test_server_gone)
{
	struct rpc_server *s = start_server(ipc_url, NULL, 2);
	struct rpc_client *c = open_client(ipc_url, NULL);
	struct rpc_result res;

	assert_echo_ok(c, 1);
	rpc_server_stop(s);
	assert_down_error(c, ipc_url, 300, &res);
	rpc_client_close(c);
}
END_TEST

START_TEST(test_tcp_server_never_started)
{
	struct rpc_client *c = open_client(tcp_url, NULL);
	struct rpc_result res;
	long start = now_ms();

	assert_down_error(c, tcp_url, 300, &res);
	ck_assert_int_ge(now_ms() - start, 250);
	ck_assert_int_eq(res.status, CYGNET__RPC_STATUS__RPC_UNAVAILABLE);
	ck_assert_msg(strstr(res.error, "not connected within 300 ms") != NULL,
		      "%s", res.error);
	rpc_client_close(c);
}
END_TEST

/* A call sent before the client noticed the old server go may fail
 * ("Connection reset"; retrying is the caller's decision), the next one
 * reaches the new server. */
static void assert_echo_ok_after_restart(struct rpc_client *c, uint32_t type)
{
	struct rpc_result res;

	call_echo(c, type, TIMEOUT_MS, &res);
	if (res.status == CYGNET__RPC_STATUS__RPC_OK) {
		protobuf_c_message_free_unpacked(res.reply, NULL);
		return;
	}
	ck_assert_msg(res.status == CYGNET__RPC_STATUS__RPC_UNAVAILABLE,
		      "%s: %s", rpc_status_name(res.status), res.error);
	assert_echo_ok(c, type);
}

START_TEST(test_client_before_server_and_restart)
{
	struct rpc_client *c = open_client(ipc_url, NULL);
	struct rpc_server *s;

	usleep(300 * 1000);	/* a few failed reconnects */
	s = start_server(ipc_url, NULL, 2);
	assert_echo_ok(c, 3);
	rpc_server_stop(s);
	s = start_server(ipc_url, NULL, 2);
	assert_echo_ok_after_restart(c, 4);
	rpc_client_close(c);
	rpc_server_stop(s);
}
END_TEST

START_TEST(test_timeout_when_slow)
{
	struct rpc_server *s = start_server(ipc_url, NULL, 2);
	struct rpc_client *c = open_client(ipc_url, NULL);
	Cygnet__Identity id = CYGNET__IDENTITY__INIT;
	struct rpc_result res;

	assert_echo_ok(c, 1);	/* connected */
	id.type = 1000;		/* ms the handler sleeps */
	rpc_call(c, M_SLEEP, &id.base, &cygnet__empty__descriptor, 200, &res);
	ck_assert_int_eq(res.status, CYGNET__RPC_STATUS__RPC_TIMEOUT);
	ck_assert_msg(strstr(res.error, "timeout after 200 ms") != NULL, "%s",
		      res.error);
	ck_assert_msg(strstr(res.error, ipc_url) != NULL, "%s", res.error);
	assert_echo_ok(c, 2);	/* the other worker still serves */
	rpc_client_close(c);
	rpc_server_stop(s);
}
END_TEST

static void assert_status(struct rpc_client *c, uint32_t method,
			  Cygnet__RpcStatus status, const char *error)
{
	Cygnet__Empty empty = CYGNET__EMPTY__INIT;
	struct rpc_result res;

	rpc_call(c, method, &empty.base, &cygnet__empty__descriptor,
		 TIMEOUT_MS, &res);
	ck_assert_msg(res.status == status, "%s: %s",
		      rpc_status_name(res.status), res.error);
	ck_assert_ptr_null(res.reply);
	ck_assert_msg(strstr(res.error, error) != NULL, "error '%s' lacks '%s'",
		      res.error, error);
}

START_TEST(test_error_replies)
{
	struct rpc_server *s = start_server(ipc_url, NULL, 2);
	struct rpc_client *c = open_client(ipc_url, NULL);
	struct rpc_server_stats stats;

	assert_status(c, 99, CYGNET__RPC_STATUS__RPC_UNKNOWN_METHOD,
		      "unknown method 99");
	assert_status(c, M_FAIL, CYGNET__RPC_STATUS__RPC_FAILED,
		      "no lease for carol");
	assert_status(c, M_SILENT, CYGNET__RPC_STATUS__RPC_FAILED,
		      "test.silent gave no answer");
	rpc_server_get_stats(s, &stats);
	ck_assert_uint_eq(stats.requests, 3);
	ck_assert_uint_eq(stats.errors, 3);
	ck_assert_uint_eq(stats.bad_requests, 1);
	rpc_client_close(c);
	rpc_server_stop(s);
}
END_TEST

/* A bare REQ socket: sends any bytes and decodes the reply envelope. */
static Cygnet__RpcReply *raw_call(const char *url, const void *data,
				  size_t len)
{
	nng_socket sock;
	void *buf;
	size_t buf_len;
	Cygnet__RpcReply *reply;

	ck_assert_int_eq(nng_req0_open(&sock), 0);
	ck_assert_int_eq(nng_socket_set_ms(sock, NNG_OPT_RECVTIMEO, TIMEOUT_MS), 0);
	ck_assert_int_eq(nng_dial(sock, url, NULL, 0), 0);
	ck_assert_int_eq(nng_send(sock, (void *)data, len, 0), 0);
	ck_assert_int_eq(nng_recv(sock, &buf, &buf_len, NNG_FLAG_ALLOC), 0);
	reply = cygnet__rpc_reply__unpack(NULL, buf_len, buf);
	ck_assert_ptr_nonnull(reply);
	nng_free(buf, buf_len);
	nng_close(sock);
	return reply;
}

START_TEST(test_garbage_bytes)
{
	struct rpc_server *s = start_server(ipc_url, NULL, 2);
	struct rpc_client *c = open_client(ipc_url, NULL);
	uint8_t junk[512];
	unsigned seed = 1;
	int bad = 0;

	for (int round = 0; round < 20; round++) {
		Cygnet__RpcReply *reply;

		for (size_t i = 0; i < sizeof(junk); i++)
			junk[i] = (uint8_t)rand_r(&seed);
		reply = raw_call(ipc_url, junk, 1 + round * 25);
		/* random bytes may by chance decode as a known envelope */
		if (reply->status == CYGNET__RPC_STATUS__RPC_BAD_REQUEST ||
		    reply->status == CYGNET__RPC_STATUS__RPC_UNKNOWN_METHOD)
			bad++;
		cygnet__rpc_reply__free_unpacked(reply, NULL);
	}
	ck_assert_int_ge(bad, 15);
	assert_echo_ok(c, 5);
	rpc_client_close(c);
	rpc_server_stop(s);
}
END_TEST

START_TEST(test_undecodable_body)
{
	struct rpc_server *s = start_server(ipc_url, NULL, 2);
	Cygnet__RpcRequest req = CYGNET__RPC_REQUEST__INIT;
	uint8_t body[] = { 0xff, 0xff, 0xff, 0xff };
	uint8_t packed[64];
	size_t len;
	Cygnet__RpcReply *reply;

	req.method = M_ECHO;
	req.body.data = body;
	req.body.len = sizeof(body);
	len = cygnet__rpc_request__pack(&req, packed);
	reply = raw_call(ipc_url, packed, len);
	ck_assert_int_eq(reply->status, CYGNET__RPC_STATUS__RPC_BAD_REQUEST);
	ck_assert_str_eq(reply->error, "undecodable test.echo request");
	cygnet__rpc_reply__free_unpacked(reply, NULL);

	reply = raw_call(ipc_url, "\x0a\xff", 2);
	ck_assert_int_eq(reply->status, CYGNET__RPC_STATUS__RPC_BAD_REQUEST);
	ck_assert_str_eq(reply->error, "undecodable request envelope");
	cygnet__rpc_reply__free_unpacked(reply, NULL);
	rpc_server_stop(s);
}
END_TEST

START_TEST(test_bad_urls)
{
	char err[256] = "";
	struct rpc_tls none = { "", "", "" };

	ck_assert_ptr_null(rpc_server_start("bogus://x", NULL, methods,
					    N_METHODS, NULL, 1, err,
					    sizeof(err)));
	ck_assert_msg(strstr(err, "bogus://x") != NULL, "%s", err);
	ck_assert_ptr_null(rpc_client_open("tls+tcp://127.0.0.1:1", &none, err,
					   sizeof(err)));
	ck_assert_str_eq(err, "tls+tcp://127.0.0.1:1 needs tls { ca cert key }");
}
END_TEST

/* A REQ socket that trusts the CA but presents no certificate. */
static int call_without_cert(const char *url, const char *ca_file)
{
	nng_socket sock;
	nng_dialer d;
	nng_tls_config *cfg;
	void *buf;
	size_t len;
	int rv;

	ck_assert_int_eq(nng_req0_open(&sock), 0);
	ck_assert_int_eq(nng_socket_set_ms(sock, NNG_OPT_RECVTIMEO, 500), 0);
	ck_assert_int_eq(nng_socket_set_ms(sock, NNG_OPT_SENDTIMEO, 500), 0);
	ck_assert_int_eq(nng_dialer_create(&d, sock, url), 0);
	ck_assert_int_eq(nng_tls_config_alloc(&cfg, NNG_TLS_MODE_CLIENT), 0);
	ck_assert_int_eq(nng_tls_config_ca_file(cfg, ca_file), 0);
	ck_assert_int_eq(nng_dialer_set_ptr(d, NNG_OPT_TLS_CONFIG, cfg), 0);
	nng_tls_config_free(cfg);
	ck_assert_int_eq(nng_dialer_start(d, NNG_FLAG_NONBLOCK), 0);
	/* REQ waits for a connection before it sends */
	rv = nng_send(sock, "\x08\x10", 2, 0);
	if (rv == 0)
		rv = nng_recv(sock, &buf, &len, NNG_FLAG_ALLOC);
	if (rv == 0)
		nng_free(buf, len);
	nng_close(sock);
	return rv;
}

/* A TLS client with TLS at URL gets no answer: the handshake fails. */
static void assert_handshake_refused(const char *url, const struct rpc_tls *tls)
{
	struct rpc_client *c = open_client(url, tls);
	struct rpc_result res;

	call_echo(c, 1, 500, &res);
	ck_assert_msg(res.status == CYGNET__RPC_STATUS__RPC_UNAVAILABLE,
		      "%s: %s", rpc_status_name(res.status), res.error);
	rpc_client_close(c);
}

/* ca signs server and client; rogue, an unrelated CA, signs intruder. */
START_TEST(test_mutual_tls)
{
	char url[64];
	struct rpc_tls server_tls, client_tls, intruder_tls;
	struct rpc_server *s;
	struct rpc_client *c;

	make_ca(tmpdir, "ca");
	make_ca(tmpdir, "rogue");
	make_cert(tmpdir, "server", "ca");
	make_cert(tmpdir, "client", "ca");
	make_cert(tmpdir, "intruder", "rogue");
	tls_files(&server_tls, tmpdir, "ca", "server");
	tls_files(&client_tls, tmpdir, "ca", "client");
	tls_files(&intruder_tls, tmpdir, "ca", "intruder");
	snprintf(url, sizeof(url), "tls+tcp://127.0.0.1:%d", port_base);

	s = start_server(url, &server_tls, 2);
	c = open_client(url, &client_tls);
	assert_echo_ok_within(c, 9, TLS_TIMEOUT_MS);
	rpc_client_close(c);

	/* a certificate from another CA: the server refuses the handshake */
	assert_handshake_refused(url, &intruder_tls);

	/* no certificate at all */
	ck_assert_int_eq(call_without_cert(url, server_tls.ca_file),
			 NNG_ETIMEDOUT);

	/* and a client that does not trust the server's CA */
	tls_files(&client_tls, tmpdir, "rogue", "client");
	assert_handshake_refused(url, &client_tls);

	tls_files(&client_tls, tmpdir, "ca", "client");
	c = open_client(url, &client_tls);
	assert_echo_ok_within(c, 10, TLS_TIMEOUT_MS);
	rpc_client_close(c);
	rpc_server_stop(s);
}
END_TEST

/* A URL that names a host makes the client check the server's name. */
START_TEST(test_tls_server_name)
{
	char url[64];
	struct rpc_tls wrong_name, right_name, client_tls;
	struct rpc_server *s;
	struct rpc_client *c;

	make_ca(tmpdir, "ca");
	make_cert(tmpdir, "server", "ca");
	make_cert(tmpdir, "localhost", "ca");
	make_cert(tmpdir, "client", "ca");
	tls_files(&wrong_name, tmpdir, "ca", "server");
	tls_files(&right_name, tmpdir, "ca", "localhost");
	tls_files(&client_tls, tmpdir, "ca", "client");
	snprintf(url, sizeof(url), "tls+tcp://localhost:%d", port_base);

	s = start_server(url, &wrong_name, 1);
	assert_handshake_refused(url, &client_tls);
	rpc_server_stop(s);

	s = start_server(url, &right_name, 1);
	c = open_client(url, &client_tls);
	assert_echo_ok_within(c, 2, TLS_TIMEOUT_MS);
	rpc_client_close(c);
	rpc_server_stop(s);
}
END_TEST

START_TEST(test_ipc_in_use)
{
	struct rpc_server *s = start_server(ipc_url, NULL, 1);
	struct rpc_client *c = open_client(ipc_url, NULL);
	char err[256] = "";

	/* a second server must fail and leave the first one's socket alone */
	ck_assert_ptr_null(rpc_server_start(ipc_url, NULL, methods, N_METHODS,
					    NULL, 1, err, sizeof(err)));
	ck_assert_msg(strstr(err, ipc_url) != NULL, "%s", err);
	assert_echo_ok(c, 1);
	rpc_client_close(c);
	rpc_server_stop(s);
}
END_TEST

static Suite *rpc_suite(void)
{
	const TTest *tests[] = {
		test_ipc_call_and_perms,
		test_tcp_call,
		test_concurrent_calls,
		test_async_in_flight,
		test_close_with_calls_in_flight,
		test_stop_answers_running_handler,
		test_server_gone,
		test_tcp_server_never_started,
		test_client_before_server_and_restart,
		test_timeout_when_slow,
		test_error_replies,
		test_garbage_bytes,
		test_undecodable_body,
		test_bad_urls,
		test_mutual_tls,
		test_tls_server_name,
		test_ipc_in_use,
	};

	return endpoint_suite("rpc", 120, setup, teardown, tests,
			      sizeof(tests) / sizeof(tests[0]));
}

TEST_MAIN(rpc_suite)
