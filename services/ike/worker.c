/* Requests on an IKE_SA run on a thread of their own: they wait for
 * the authority, pool and kernel services, and the packet thread must
 * keep serving other SAs meanwhile.  The SA's busy flag, set by the
 * packet thread when it hands a message over, keeps it to one message
 * at a time. */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "ike/exchange.h"
#include "ike/persist.h"
#include "log.h"

#define CHAIN_MAX MESSAGE_MAX_LEN
#define WORKER_POLL_US 10000
/* Each waits for other services; beyond this many a request is dropped
 * and the peer's retransmit tries again. */
#define WORKERS_MAX 256

static void finish(struct ike_request *req)
{
	struct ike_service *svc = req->svc;

	sa_release(svc, req->sa);
	free(req->plain);
	free(req);
	atomic_fetch_sub(&svc->workers, 1);
}

static void *run(void *arg)
{
	struct ike_request *req = arg;
	uint8_t *buf = malloc(CHAIN_MAX);
	struct msg_builder chain;
	int rc = -1;

	if (req->response_to) {
		free(buf);
		response_handle(req);
		persist_sa_save(req->svc, req->sa);
		finish(req);
		return NULL;
	}
	if (buf) {
		builder_init_chain(&chain, buf, CHAIN_MAX);
		rc = exchange_handle(req, &chain);
	}
	if (rc >= 0) {
		respond_encrypted(req->svc, req->sa, &req->msg.hdr, &chain);
		req->sa->next_request_id = req->msg.hdr.message_id + 1;
		persist_sa_save(req->svc, req->sa);
	}
	free(buf);
	if (rc > 0)
		exchange_sa_gone(req->svc, req->sa);
	finish(req);
	return NULL;
}

void request_wait_all(struct ike_service *svc)
{
	while (atomic_load(&svc->workers) > 0)
		usleep(WORKER_POLL_US);
}

int request_start(struct ike_request *req)
{
	pthread_attr_t attr;
	pthread_t thread;
	int rc;

	if (atomic_load(&req->svc->workers) >= WORKERS_MAX) {
		DBG1(LOG_JOB, "%d requests in progress, %s request %u dropped",
		     WORKERS_MAX, exchange_name(req->msg.hdr.exchange),
		     req->msg.hdr.message_id);
		free(req->plain);
		free(req);
		return -1;
	}
	atomic_fetch_add(&req->svc->workers, 1);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&thread, &attr, run, req);
	pthread_attr_destroy(&attr);
	if (rc == 0)
		return 0;
	DBG1(LOG_JOB, "no thread for %s request", exchange_name(req->msg.hdr.exchange));
	finish(req);
	return -1;
}
