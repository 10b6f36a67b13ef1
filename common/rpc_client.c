/* RPC client: one REQ socket dialled without waiting, one nng context and
 * aio per call so calls overlap.  nng's automatic resend is off: whether
 * a call is worth repeating is the caller's decision.  A pipe counter
 * tells "not connected" (RPC_UNAVAILABLE) from "connected but no answer"
 * (RPC_TIMEOUT) when a call runs out of time.
 *
 * Closing cancels the calls in flight and waits for them to finish
 * before the socket closes: libnng 1.5.2 can crash on a context
 * operation that races nng_close. */
#include <nng/nng.h>
#include <nng/protocol/reqrep0/req.h>
#include <nng/supplemental/util/platform.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "rpc.h"
#include "rpc_endpoint.h"

struct rpc_client {
	nng_socket sock;
	char url[SETTINGS_URL_MAX];
	atomic_int pipes;		/* connected peers */
	/* Told of each new connection (rpc_client_on_connect); its own
	 * lock, as nng calls pipe_event with other locks of ours held. */
	pthread_mutex_t notify_lock;
	void (*on_connect)(void *arg);
	void *on_connect_arg;

	pthread_mutex_t lock;
	pthread_cond_t idle;
	bool closing;
	struct rpc_call *calls;		/* whose aio close may cancel */
	int active;			/* calls whose done has not returned */
	atomic_uint_fast64_t calls_done, calls_failed, latency_us;
};

struct rpc_call {
	struct rpc_client *client;
	struct rpc_call *next, *prev;
	nng_ctx ctx;
	nng_aio *aio;
	bool receiving;
	uint32_t method;
	const ProtobufCMessageDescriptor *reply_type;
	int timeout_ms;
	uint64_t started_us;		/* monotonic, for the stats */
	nng_time deadline;
	rpc_done_fn done;
	void *arg;
};

static void pipe_event(nng_pipe pipe, nng_pipe_ev ev, void *arg)
{
	struct rpc_client *client = arg;

	(void)pipe;
	if (ev == NNG_PIPE_EV_ADD_POST) {
		atomic_fetch_add(&client->pipes, 1);
		DBG2(LOG_LIB, "rpc: connected to %s", client->url);
		pthread_mutex_lock(&client->notify_lock);
		if (client->on_connect)
			client->on_connect(client->on_connect_arg);
		pthread_mutex_unlock(&client->notify_lock);
	} else {
		atomic_fetch_sub(&client->pipes, 1);
		DBG2(LOG_LIB, "rpc: disconnected from %s", client->url);
	}
}

static int client_socket(struct rpc_client *client, char *err, size_t errlen)
{
	int rv = nng_req0_open(&client->sock);

	if (rv != 0) {
		snprintf(err, errlen, "rpc socket: %s", nng_strerror(rv));
		return -1;
	}
	rv = nng_socket_set_ms(client->sock, NNG_OPT_REQ_RESENDTIME,
			       NNG_DURATION_INFINITE);
	if (rv == 0)
		rv = nng_pipe_notify(client->sock, NNG_PIPE_EV_ADD_POST,
				     pipe_event, client);
	if (rv == 0)
		rv = nng_pipe_notify(client->sock, NNG_PIPE_EV_REM_POST,
				     pipe_event, client);
	if (rv != 0) {
		snprintf(err, errlen, "rpc socket: %s", nng_strerror(rv));
		nng_close(client->sock);
		return -1;
	}
	return 0;
}

/* One dialer per URL of the list: with several servers the REQ socket
 * sends each call over one of the connections. */
static int dial_all(struct rpc_client *client, const char *urls,
		    const struct rpc_tls *tls, char *err, size_t errlen)
{
	const char *cursor = urls;
	char url[SETTINGS_URL_MAX];
	size_t n = 0;

	while (settings_url_next(&cursor, url, sizeof(url))) {
		if (endpoint_dial(client->sock, url, tls, err, errlen) != 0)
			return -1;
		n++;
	}
	if (n == 0) {
		snprintf(err, errlen, "no URL to dial in '%.64s'", urls);
		return -1;
	}
	return 0;
}

struct rpc_client *rpc_client_open(const char *url, const struct rpc_tls *tls,
				   char *err, size_t errlen)
{
	struct rpc_client *client = calloc(1, sizeof(*client));

	if (client == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (snprintf(client->url, sizeof(client->url), "%s", url) >=
	    (int)sizeof(client->url)) {
		snprintf(err, errlen, "URL too long: %.64s...", url);
		free(client);
		return NULL;
	}
	pthread_mutex_init(&client->notify_lock, NULL);
	if (client_socket(client, err, errlen) != 0) {
		pthread_mutex_destroy(&client->notify_lock);
		free(client);
		return NULL;
	}
	if (dial_all(client, url, tls, err, errlen) != 0) {
		nng_close(client->sock);
		pthread_mutex_destroy(&client->notify_lock);
		free(client);
		return NULL;
	}
	pthread_mutex_init(&client->lock, NULL);
	pthread_cond_init(&client->idle, NULL);
	return client;
}

void rpc_client_close(struct rpc_client *client)
{
	if (client == NULL)
		return;
	pthread_mutex_lock(&client->lock);
	client->closing = true;
	for (struct rpc_call *call = client->calls; call; call = call->next)
		nng_aio_cancel(call->aio);
	while (client->active > 0)
		pthread_cond_wait(&client->idle, &client->lock);
	pthread_mutex_unlock(&client->lock);

	nng_close(client->sock);
	pthread_mutex_destroy(&client->notify_lock);
	pthread_cond_destroy(&client->idle);
	pthread_mutex_destroy(&client->lock);
	free(client);
}

void rpc_client_on_connect(struct rpc_client *client, void (*fn)(void *arg),
			   void *arg)
{
	pthread_mutex_lock(&client->notify_lock);
	client->on_connect = fn;
	client->on_connect_arg = arg;
	pthread_mutex_unlock(&client->notify_lock);
}

/* Takes a call off the list close cancels from; its aio may go then. */
static void unlist_call(struct rpc_call *call)
{
	struct rpc_client *client = call->client;

	pthread_mutex_lock(&client->lock);
	if (call->prev != NULL)
		call->prev->next = call->next;
	else
		client->calls = call->next;
	if (call->next != NULL)
		call->next->prev = call->prev;
	pthread_mutex_unlock(&client->lock);
}

static void call_finished(struct rpc_client *client)
{
	pthread_mutex_lock(&client->lock);
	if (--client->active == 0)
		pthread_cond_broadcast(&client->idle);
	pthread_mutex_unlock(&client->lock);
}

/* Truncation of long URLs in the message is acceptable. */
static void result_error(struct rpc_result *res, Cygnet__RpcStatus status,
			 const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void result_error(struct rpc_result *res, Cygnet__RpcStatus status,
			 const char *fmt, ...)
{
	va_list ap;

	res->status = status;
	va_start(ap, fmt);
	vsnprintf(res->error, sizeof(res->error), fmt, ap);
	va_end(ap);
}

static void fail_call(struct rpc_call *call, int rv, struct rpc_result *res)
{
	struct rpc_client *client = call->client;

	if (rv == NNG_ETIMEDOUT && atomic_load(&client->pipes) == 0) {
		result_error(res, CYGNET__RPC_STATUS__RPC_UNAVAILABLE,
			     "service unavailable at %s: not connected within %d ms (method %u)",
			     client->url, call->timeout_ms, call->method);
	} else if (rv == NNG_ETIMEDOUT) {
		result_error(res, CYGNET__RPC_STATUS__RPC_TIMEOUT,
			     "timeout after %d ms calling method %u at %s",
			     call->timeout_ms, call->method, client->url);
	} else {
		result_error(res, CYGNET__RPC_STATUS__RPC_UNAVAILABLE,
			     "calling method %u at %s: %s", call->method,
			     client->url, nng_strerror(rv));
	}
}

static void decode_reply(struct rpc_call *call, nng_msg *msg,
			 struct rpc_result *res)
{
	Cygnet__RpcReply *env;

	env = cygnet__rpc_reply__unpack(NULL, nng_msg_len(msg),
					nng_msg_body(msg));
	if (env == NULL) {
		result_error(res, CYGNET__RPC_STATUS__RPC_FAILED,
			     "undecodable reply to method %u from %s",
			     call->method, call->client->url);
		return;
	}
	res->status = env->status;
	if (env->status != CYGNET__RPC_STATUS__RPC_OK) {
		snprintf(res->error, sizeof(res->error), "%s",
			 env->error[0] ? env->error : rpc_status_name(env->status));
	} else if (call->reply_type != NULL) {
		res->reply = protobuf_c_message_unpack(call->reply_type, NULL,
						       env->body.len,
						       env->body.data);
		if (res->reply == NULL) {
			result_error(res, CYGNET__RPC_STATUS__RPC_FAILED,
				     "undecodable %s in reply to method %u from %s",
				     call->reply_type->name, call->method,
				     call->client->url);
		}
	}
	cygnet__rpc_reply__free_unpacked(env, NULL);
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void count_call(struct rpc_client *client, const struct rpc_call *call,
		       const struct rpc_result *res)
{
	atomic_fetch_add(&client->calls_done, 1);
	if (res->status != CYGNET__RPC_STATUS__RPC_OK)
		atomic_fetch_add(&client->calls_failed, 1);
	atomic_fetch_add(&client->latency_us, now_us() - call->started_us);
}

void rpc_client_get_stats(struct rpc_client *client,
			  struct rpc_client_stats *out)
{
	out->calls = atomic_load(&client->calls_done);
	out->errors = atomic_load(&client->calls_failed);
	out->latency_us = atomic_load(&client->latency_us);
}

static void finish_call(struct rpc_call *call, int rv)
{
	struct rpc_result res = { .status = CYGNET__RPC_STATUS__RPC_OK };
	struct rpc_client *client = call->client;
	nng_msg *msg = nng_aio_get_msg(call->aio);

	unlist_call(call);
	if (rv != 0) {
		nng_msg_free(msg);
		fail_call(call, rv, &res);
	} else {
		decode_reply(call, msg, &res);
		nng_msg_free(msg);
	}
	nng_ctx_close(call->ctx);
	/* the aio is ours to free, but not from inside its own callback */
	nng_aio_reap(call->aio);
	count_call(client, call, &res);
	call->done(call->arg, &res);
	free(call);
	call_finished(client);
}

static void call_cb(void *arg)
{
	struct rpc_call *call = arg;
	int rv = nng_aio_result(call->aio);
	nng_time now;

	if (rv != 0 || call->receiving) {
		finish_call(call, rv);
		return;
	}
	now = nng_clock();
	call->receiving = true;
	nng_aio_set_timeout(call->aio, call->deadline > now ?
				       (nng_duration)(call->deadline - now) : 0);
	/* under the lock, so close either sees this receive or stops it */
	pthread_mutex_lock(&call->client->lock);
	if (call->client->closing) {
		pthread_mutex_unlock(&call->client->lock);
		finish_call(call, NNG_ECLOSED);
		return;
	}
	nng_ctx_recv(call->ctx, call->aio);
	pthread_mutex_unlock(&call->client->lock);
}

static nng_msg *request_msg(uint32_t method, const ProtobufCMessage *request)
{
	Cygnet__RpcRequest env = CYGNET__RPC_REQUEST__INIT;
	size_t body_len = request ? protobuf_c_message_get_packed_size(request) : 0;
	uint8_t *body = malloc(body_len ? body_len : 1);
	nng_msg *msg = NULL;

	if (body == NULL)
		return NULL;
	if (request != NULL)
		protobuf_c_message_pack(request, body);
	env.method = method;
	env.body.data = body;
	env.body.len = body_len;
	if (nng_msg_alloc(&msg, cygnet__rpc_request__get_packed_size(&env)) == 0)
		cygnet__rpc_request__pack(&env, nng_msg_body(msg));
	free(body);
	return msg;
}

static struct rpc_call *new_call(struct rpc_client *client, int timeout_ms)
{
	struct rpc_call *call = calloc(1, sizeof(*call));

	if (call == NULL)
		return NULL;
	if (nng_ctx_open(&call->ctx, client->sock) != 0) {
		free(call);
		return NULL;
	}
	if (nng_aio_alloc(&call->aio, call_cb, call) != 0) {
		nng_ctx_close(call->ctx);
		free(call);
		return NULL;
	}
	call->client = client;
	call->timeout_ms = timeout_ms;
	call->started_us = now_us();
	call->deadline = nng_clock() + (nng_time)timeout_ms;
	nng_aio_set_timeout(call->aio, timeout_ms);
	return call;
}

static void free_call(struct rpc_call *call)
{
	nng_aio_free(call->aio);
	nng_ctx_close(call->ctx);
	free(call);
}

/* Lists the call and sends its request, unless the client is closing. */
static int start_call(struct rpc_call *call, nng_msg *msg)
{
	struct rpc_client *client = call->client;

	pthread_mutex_lock(&client->lock);
	if (client->closing) {
		pthread_mutex_unlock(&client->lock);
		return -1;
	}
	call->next = client->calls;
	if (client->calls != NULL)
		client->calls->prev = call;
	client->calls = call;
	client->active++;
	nng_aio_set_msg(call->aio, msg);
	nng_ctx_send(call->ctx, call->aio);
	pthread_mutex_unlock(&client->lock);
	return 0;
}

int rpc_call_async(struct rpc_client *client, uint32_t method,
		   const ProtobufCMessage *request,
		   const ProtobufCMessageDescriptor *reply_type, int timeout_ms,
		   rpc_done_fn done, void *arg)
{
	struct rpc_call *call;
	nng_msg *msg;

	if (timeout_ms <= 0) {
		DBG1(LOG_LIB, "rpc: call to %s needs a timeout", client->url);
		return -1;
	}
	call = new_call(client, timeout_ms);
	if (call == NULL) {
		DBG1(LOG_LIB, "rpc: cannot start a call to %s", client->url);
		return -1;
	}
	msg = request_msg(method, request);
	if (msg == NULL) {
		DBG1(LOG_LIB, "rpc: out of memory for a call to %s",
		     client->url);
		free_call(call);
		return -1;
	}
	call->method = method;
	call->reply_type = reply_type;
	call->done = done;
	call->arg = arg;
	if (start_call(call, msg) != 0) {
		DBG1(LOG_LIB, "rpc: call to %s after close", client->url);
		nng_msg_free(msg);
		free_call(call);
		return -1;
	}
	return 0;
}

struct sync_call {
	pthread_mutex_t lock;
	pthread_cond_t done_cond;
	bool done;
	struct rpc_result *result;
};

static void sync_done(void *arg, struct rpc_result *result)
{
	struct sync_call *sc = arg;

	pthread_mutex_lock(&sc->lock);
	*sc->result = *result;
	sc->done = true;
	pthread_cond_signal(&sc->done_cond);
	pthread_mutex_unlock(&sc->lock);
}

void rpc_call(struct rpc_client *client, uint32_t method,
	      const ProtobufCMessage *request,
	      const ProtobufCMessageDescriptor *reply_type, int timeout_ms,
	      struct rpc_result *result)
{
	struct sync_call sc = { .result = result };

	memset(result, 0, sizeof(*result));
	pthread_mutex_init(&sc.lock, NULL);
	pthread_cond_init(&sc.done_cond, NULL);
	if (rpc_call_async(client, method, request, reply_type, timeout_ms,
			   sync_done, &sc) != 0) {
		result_error(result, CYGNET__RPC_STATUS__RPC_UNAVAILABLE,
			     "could not start method %u at %s", method,
			     client->url);
	} else {
		pthread_mutex_lock(&sc.lock);
		while (!sc.done)
			pthread_cond_wait(&sc.done_cond, &sc.lock);
		pthread_mutex_unlock(&sc.lock);
	}
	pthread_cond_destroy(&sc.done_cond);
	pthread_mutex_destroy(&sc.lock);
}
