/* RPC server: a fixed pool of workers, each an nng REP context with its
 * own aio cycling recv -> dispatch -> send -> recv.
 *
 * Handlers may block (an SQLite write, a call to another service), and a
 * blocked nng aio callback holds one of nng's few task threads; a handler
 * that calls another service from there can starve the very threads its
 * reply needs.  So the aio callback only queues the received request and
 * our own fixed pool of handler threads (the "workers" setting) decodes,
 * dispatches and starts the send. */
#include <arpa/inet.h>
#include <nng/nng.h>
#include <nng/protocol/reqrep0/rep.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "rpc_dispatch.h"
#include "rpc_endpoint.h"

#define DEFAULT_WORKERS 4
/* Many more contexts than handler threads, so a request is taken off its
 * pipe at once even while every handler is busy and waits in our queue.
 * libnng 1.5.2 has a race when a pipe closes (its client exits) just as
 * the socket starts an operation on it (taking a waiting request, or
 * sending a reply): nng's reaper thread wedges for good and every later
 * nng_close in the process hangs (nng issue #1813, fixed in nng 1.8).
 * Requests left waiting in pipes widen that window; replies sent while
 * a client exits can still hit it, rarely. */
#define CONTEXTS_PER_THREAD 32
#define PEER_NAME_MAX 64

struct rpc_worker {
	struct rpc_server *server;
	nng_ctx ctx;
	nng_aio *aio;
	bool sending;
	nng_msg *request;		/* handed to the handler threads */
	struct rpc_worker *next_job;
};

struct rpc_server {
	nng_socket sock;
	bool sock_open;
	bool listening;
	char url[SETTINGS_URL_MAX];
	const struct rpc_method *methods;
	size_t n_methods;
	void *ctx;

	struct rpc_worker *workers;
	int n_workers;			/* with ctx and aio allocated */
	pthread_t *threads;
	int n_threads;			/* started */

	pthread_mutex_t lock;
	pthread_cond_t job_ready;
	struct rpc_worker *jobs_head, *jobs_tail;
	bool stopping;

	atomic_uint_fast64_t requests, errors, bad_requests;
};

static void queue_job(struct rpc_worker *w)
{
	struct rpc_server *server = w->server;

	pthread_mutex_lock(&server->lock);
	w->next_job = NULL;
	if (server->jobs_tail != NULL)
		server->jobs_tail->next_job = w;
	else
		server->jobs_head = w;
	server->jobs_tail = w;
	pthread_cond_signal(&server->job_ready);
	pthread_mutex_unlock(&server->lock);
}

static struct rpc_worker *next_job(struct rpc_server *server)
{
	struct rpc_worker *w;

	pthread_mutex_lock(&server->lock);
	while (server->jobs_head == NULL && !server->stopping)
		pthread_cond_wait(&server->job_ready, &server->lock);
	w = server->stopping ? NULL : server->jobs_head;
	if (w != NULL) {
		server->jobs_head = w->next_job;
		if (server->jobs_head == NULL)
			server->jobs_tail = NULL;
	}
	pthread_mutex_unlock(&server->lock);
	return w;
}

static bool aio_closed(int rv)
{
	return rv == NNG_ECLOSED || rv == NNG_ECANCELED;
}

static void worker_cb(void *arg)
{
	struct rpc_worker *w = arg;
	int rv = nng_aio_result(w->aio);

	if (w->sending) {
		w->sending = false;
		if (rv != 0)
			nng_msg_free(nng_aio_get_msg(w->aio));
		if (!aio_closed(rv))
			nng_ctx_recv(w->ctx, w->aio);
		return;
	}
	if (rv != 0) {
		if (aio_closed(rv))
			return;
		DBG1(LOG_LIB, "rpc: receiving on %s failed: %s",
		     w->server->url, nng_strerror(rv));
		nng_ctx_recv(w->ctx, w->aio);
		return;
	}
	w->request = nng_aio_get_msg(w->aio);
	nng_aio_set_msg(w->aio, NULL);
	queue_job(w);
}

static void peer_name(nng_msg *msg, char *buf, size_t len)
{
	nng_pipe pipe = nng_msg_get_pipe(msg);
	nng_sockaddr sa;
	char ip[INET6_ADDRSTRLEN];
	uint64_t pid;

	snprintf(buf, len, "pipe %d", nng_pipe_id(pipe));
	if (nng_pipe_get_addr(pipe, NNG_OPT_REMADDR, &sa) != 0)
		return;
	switch (sa.s_family) {
	case NNG_AF_INET:
		inet_ntop(AF_INET, &sa.s_in.sa_addr, ip, sizeof(ip));
		snprintf(buf, len, "%s:%u", ip, ntohs(sa.s_in.sa_port));
		break;
	case NNG_AF_INET6:
		inet_ntop(AF_INET6, sa.s_in6.sa_addr, ip, sizeof(ip));
		snprintf(buf, len, "[%s]:%u", ip, ntohs(sa.s_in6.sa_port));
		break;
	case NNG_AF_IPC:
		if (nng_pipe_get_uint64(pipe, NNG_OPT_IPC_PEER_PID, &pid) == 0)
			snprintf(buf, len, "pid %llu", (unsigned long long)pid);
		break;
	default:
		break;
	}
}

static void count_reply(struct rpc_server *server, Cygnet__RpcStatus status)
{
	atomic_fetch_add(&server->requests, 1);
	if (status == CYGNET__RPC_STATUS__RPC_OK)
		return;
	atomic_fetch_add(&server->errors, 1);
	if (status == CYGNET__RPC_STATUS__RPC_BAD_REQUEST ||
	    status == CYGNET__RPC_STATUS__RPC_UNKNOWN_METHOD)
		atomic_fetch_add(&server->bad_requests, 1);
}

/* Runs on a handler thread: answers the request and starts the send. */
static void serve_request(struct rpc_worker *w)
{
	struct rpc_server *server = w->server;
	struct rpc_reply reply = { 0 };
	char peer[PEER_NAME_MAX];
	nng_msg *out;

	peer_name(w->request, peer, sizeof(peer));
	rpc_dispatch(server->methods, server->n_methods, server->ctx,
		     nng_msg_body(w->request), nng_msg_len(w->request), peer,
		     &reply);
	nng_msg_free(w->request);
	w->request = NULL;
	count_reply(server, reply.status);

	if (nng_msg_alloc(&out, rpc_reply_packed_size(&reply)) != 0) {
		DBG1(LOG_LIB, "rpc: no memory for a reply to %s", peer);
		rpc_reply_clear(&reply);
		nng_ctx_recv(w->ctx, w->aio);
		return;
	}
	rpc_reply_pack(&reply, nng_msg_body(out));
	rpc_reply_clear(&reply);
	w->sending = true;
	nng_aio_set_msg(w->aio, out);
	nng_ctx_send(w->ctx, w->aio);
}

static void *handler_thread(void *arg)
{
	struct rpc_server *server = arg;
	struct rpc_worker *w;

	while ((w = next_job(server)) != NULL)
		serve_request(w);
	return NULL;
}

static int start_workers(struct rpc_server *server, int threads, char *err,
			 size_t errlen)
{
	int contexts = threads * CONTEXTS_PER_THREAD;
	int rv;

	server->workers = calloc(contexts, sizeof(*server->workers));
	server->threads = calloc(threads, sizeof(*server->threads));
	if (server->workers == NULL || server->threads == NULL) {
		snprintf(err, errlen, "out of memory for %d workers", threads);
		return -1;
	}
	for (; server->n_workers < contexts; server->n_workers++) {
		struct rpc_worker *w = &server->workers[server->n_workers];

		w->server = server;
		rv = nng_ctx_open(&w->ctx, server->sock);
		if (rv != 0 ||
		    (rv = nng_aio_alloc(&w->aio, worker_cb, w)) != 0) {
			snprintf(err, errlen, "rpc worker: %s", nng_strerror(rv));
			return -1;
		}
	}
	for (; server->n_threads < threads; server->n_threads++) {
		rv = pthread_create(&server->threads[server->n_threads], NULL,
				    handler_thread, server);
		if (rv != 0) {
			snprintf(err, errlen, "rpc handler thread: %s",
				 strerror(rv));
			return -1;
		}
	}
	for (int i = 0; i < contexts; i++)
		nng_ctx_recv(server->workers[i].ctx, server->workers[i].aio);
	return 0;
}

/* Also undoes a partly done rpc_server_start(). */
static void server_free(struct rpc_server *server)
{
	/* Handlers finish first and every worker's aio is stopped before the
	 * socket closes: libnng 1.5.2 can crash on a context operation that
	 * races nng_close.  Requests that arrive meanwhile are dropped. */
	pthread_mutex_lock(&server->lock);
	server->stopping = true;
	pthread_cond_broadcast(&server->job_ready);
	pthread_mutex_unlock(&server->lock);
	for (int i = 0; i < server->n_threads; i++)
		pthread_join(server->threads[i], NULL);
	for (int i = 0; i < server->n_workers; i++)
		nng_aio_stop(server->workers[i].aio);

	if (server->sock_open)
		nng_close(server->sock);
	for (int i = 0; i < server->n_workers; i++) {
		nng_aio_free(server->workers[i].aio);
		nng_msg_free(server->workers[i].request);
	}
	if (server->listening)
		endpoint_remove(server->url);
	pthread_cond_destroy(&server->job_ready);
	pthread_mutex_destroy(&server->lock);
	free(server->threads);
	free(server->workers);
	free(server);
}

struct rpc_server *rpc_server_start(const char *url, const struct rpc_tls *tls,
				    const struct rpc_method *methods,
				    size_t n_methods, void *ctx, int workers,
				    char *err, size_t errlen)
{
	struct rpc_server *server = calloc(1, sizeof(*server));
	int rv;

	if (server == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&server->lock, NULL);
	pthread_cond_init(&server->job_ready, NULL);
	if (snprintf(server->url, sizeof(server->url), "%s", url) >=
	    (int)sizeof(server->url)) {
		snprintf(err, errlen, "URL too long: %.64s...", url);
		goto fail;
	}
	server->methods = methods;
	server->n_methods = n_methods;
	server->ctx = ctx;

	rv = nng_rep0_open(&server->sock);
	if (rv != 0) {
		snprintf(err, errlen, "rpc socket: %s", nng_strerror(rv));
		goto fail;
	}
	server->sock_open = true;
	if (start_workers(server, workers > 0 ? workers : DEFAULT_WORKERS,
			  err, errlen) != 0)
		goto fail;
	if (endpoint_listen(server->sock, url, tls, err, errlen) != 0)
		goto fail;
	server->listening = true;
	DBG1(LOG_LIB, "rpc: serving %zu methods on %s with %d workers",
	     n_methods, url, server->n_threads);
	return server;
fail:
	server_free(server);
	return NULL;
}

void rpc_server_stop(struct rpc_server *server)
{
	if (server == NULL)
		return;
	DBG2(LOG_LIB, "rpc: stopping server on %s", server->url);
	server_free(server);
}

void rpc_server_get_stats(struct rpc_server *server,
			  struct rpc_server_stats *out)
{
	out->requests = atomic_load(&server->requests);
	out->errors = atomic_load(&server->errors);
	out->bad_requests = atomic_load(&server->bad_requests);
}
