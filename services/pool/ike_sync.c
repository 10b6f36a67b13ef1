#include "ike_sync.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ike.pb-c.h"
#include "live.h"
#include "log.h"
#include "rpc.h"

#define SYNC_CALL_TIMEOUT_MS 3000
#define SYNC_RETRY_FIRST_MS 250
#define SYNC_RETRY_MAX_MS 30000

struct ike_sync {
	struct leases *leases;
	struct rpc_client *client;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stopping;
	bool answered;		/* the call in flight has its result */
	struct rpc_result result;
};

/* Waits up to ms, or until stopped; true when stopping. */
static bool wait_or_stop(struct ike_sync *sync, int ms)
{
	struct timespec until;
	bool stopping;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&sync->lock);
	while (!sync->stopping &&
	       pthread_cond_timedwait(&sync->wake, &sync->lock, &until) == 0)
		;
	stopping = sync->stopping;
	pthread_mutex_unlock(&sync->lock);
	return stopping;
}

static int reconcile(struct ike_sync *sync, const Cygnet__VirtualIpList *list,
		     uint64_t snapshot)
{
	struct live_vip *live;
	int n = live_from_proto(list, &live);
	int changed;

	if (n < 0)
		return -1;
	changed = leases_reconcile(sync->leases, live, (size_t)n, snapshot);
	free(live);
	return changed < 0 ? -1 : 0;
}

static void call_done(void *arg, struct rpc_result *result)
{
	struct ike_sync *sync = arg;

	pthread_mutex_lock(&sync->lock);
	sync->result = *result;
	sync->answered = true;
	pthread_cond_broadcast(&sync->wake);
	pthread_mutex_unlock(&sync->lock);
}

/* Waits for the answer; a stop cuts the call short by closing the
 * client, which completes the call.  False when stopping. */
static bool wait_answer(struct ike_sync *sync)
{
	bool stopped;

	pthread_mutex_lock(&sync->lock);
	while (!sync->answered && !sync->stopping)
		pthread_cond_wait(&sync->wake, &sync->lock);
	stopped = !sync->answered;
	pthread_mutex_unlock(&sync->lock);
	if (!stopped)
		return true;
	rpc_client_close(sync->client);
	sync->client = NULL;
	pthread_mutex_lock(&sync->lock);
	while (!sync->answered)
		pthread_cond_wait(&sync->wake, &sync->lock);
	pthread_mutex_unlock(&sync->lock);
	if (sync->result.reply)
		protobuf_c_message_free_unpacked(sync->result.reply, NULL);
	return false;
}

/* One attempt: 0 done (or stopping), -1 retry later. */
static int sync_once(struct ike_sync *sync, bool quiet)
{
	Cygnet__Empty empty = CYGNET__EMPTY__INIT;
	uint64_t snapshot = leases_snapshot(sync->leases);
	struct rpc_result *result = &sync->result;
	int rc;

	sync->answered = false;
	if (rpc_call_async(sync->client,
			   CYGNET__IKE_METHOD__IKE_LIST_VIRTUAL_IPS,
			   &empty.base, &cygnet__virtual_ip_list__descriptor,
			   SYNC_CALL_TIMEOUT_MS, call_done, sync) != 0)
		return -1;
	if (!wait_answer(sync))
		return 0;
	if (result->status != CYGNET__RPC_STATUS__RPC_OK) {
		if (quiet)
			DBG2(LOG_APP, "lease reconciliation: %s", result->error);
		else
			DBG1(LOG_APP, "IKE service not reachable for lease "
			     "reconciliation (%s), retrying", result->error);
		return -1;
	}
	rc = reconcile(sync, (const Cygnet__VirtualIpList *)result->reply,
		       snapshot);
	protobuf_c_message_free_unpacked(result->reply, NULL);
	return rc;
}

static void *sync_thread(void *arg)
{
	struct ike_sync *sync = arg;
	int delay = SYNC_RETRY_FIRST_MS;
	bool quiet = false;

	while (sync_once(sync, quiet) < 0) {
		quiet = true;
		if (wait_or_stop(sync, delay))
			break;
		delay = delay * 2 > SYNC_RETRY_MAX_MS ? SYNC_RETRY_MAX_MS
						      : delay * 2;
	}
	return NULL;
}

struct ike_sync *ike_sync_start(struct leases *leases, const char *ike_url,
				const struct rpc_tls *tls, char *err,
				size_t errlen)
{
	struct ike_sync *sync = calloc(1, sizeof(*sync));
	pthread_condattr_t attr;

	if (!sync) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	sync->leases = leases;
	sync->client = rpc_client_open(ike_url, tls, err, errlen);
	if (!sync->client) {
		free(sync);
		return NULL;
	}
	pthread_mutex_init(&sync->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&sync->wake, &attr);
	pthread_condattr_destroy(&attr);
	if (pthread_create(&sync->thread, NULL, sync_thread, sync) != 0) {
		snprintf(err, errlen, "cannot start the reconciliation thread");
		rpc_client_close(sync->client);
		pthread_cond_destroy(&sync->wake);
		pthread_mutex_destroy(&sync->lock);
		free(sync);
		return NULL;
	}
	return sync;
}

void ike_sync_stop(struct ike_sync *sync)
{
	if (!sync)
		return;
	pthread_mutex_lock(&sync->lock);
	sync->stopping = true;
	pthread_cond_broadcast(&sync->wake);
	pthread_mutex_unlock(&sync->lock);
	pthread_join(sync->thread, NULL);
	if (sync->client)
		rpc_client_close(sync->client);
	pthread_cond_destroy(&sync->wake);
	pthread_mutex_destroy(&sync->lock);
	free(sync);
}
