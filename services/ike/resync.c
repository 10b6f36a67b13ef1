#include "ike/resync.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "ike/kernel_desired.h"
#include "ike/lease.h"
#include "ike/service.h"
#include "log.h"

#define RETRY_FIRST_MS 500
#define RETRY_MAX_MS 8000

/* One per service we re-send to: a sync is due while connects (counted
 * by the client's callback) differs from synced. */
struct target {
	struct resync *owner;
	const char *name;
	int (*sync)(struct ike_service *svc);
	unsigned connects;
	unsigned synced;
	int retry_ms;
};

struct resync {
	struct ike_service *svc;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stopping;
	struct target pool, kernel;
};

static void connected(void *arg)
{
	struct target *t = arg;

	pthread_mutex_lock(&t->owner->lock);
	t->connects++;
	pthread_cond_signal(&t->owner->wake);
	pthread_mutex_unlock(&t->owner->lock);
}

static void deadline_in(struct timespec *ts, int ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

/* Caller holds the lock; drops it while syncing.  True when a sync
 * failed and is to be retried. */
static bool run_due(struct resync *r, struct target *t)
{
	unsigned connects = t->connects;
	int rc;

	if (connects == t->synced)
		return false;
	pthread_mutex_unlock(&r->lock);
	DBG1(LOG_CFG, "%s service (re)connected, sending our state", t->name);
	rc = t->sync(r->svc);
	pthread_mutex_lock(&r->lock);
	if (rc == 0) {
		t->synced = connects;
		t->retry_ms = RETRY_FIRST_MS;
		return false;
	}
	return true;
}

static int next_retry(struct target *t)
{
	int ms = t->retry_ms;

	t->retry_ms = ms * 2 > RETRY_MAX_MS ? RETRY_MAX_MS : ms * 2;
	return ms;
}

static void *watch(void *arg)
{
	struct resync *r = arg;

	pthread_mutex_lock(&r->lock);
	while (!r->stopping) {
		bool pool_failed = run_due(r, &r->pool);
		bool kernel_failed = !r->stopping && run_due(r, &r->kernel);
		struct timespec until;

		if (r->stopping)
			break;
		if (!pool_failed && !kernel_failed &&
		    r->pool.connects == r->pool.synced &&
		    r->kernel.connects == r->kernel.synced) {
			pthread_cond_wait(&r->wake, &r->lock);
			continue;
		}
		deadline_in(&until, pool_failed ? next_retry(&r->pool) :
			    kernel_failed ? next_retry(&r->kernel) :
			    RETRY_FIRST_MS);
		pthread_cond_timedwait(&r->wake, &r->lock, &until);
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

static void target_init(struct resync *r, struct target *t, const char *name,
			int (*sync)(struct ike_service *svc))
{
	/* Due at once, but on the thread: with the pool or kernel service
	 * down, a first sync here would hold the IKE sockets closed for its
	 * RPC timeouts. */
	*t = (struct target){ .owner = r, .name = name, .sync = sync,
			      .retry_ms = RETRY_FIRST_MS,
			      .synced = (unsigned)-1 };
}

void resync_start(struct ike_service *svc)
{
	struct resync *r = calloc(1, sizeof(*r));
	pthread_condattr_t attr;

	if (!r) {
		DBG1(LOG_CFG, "out of memory: leases and kernel state are not "
		     "re-sent after a restart of the pool or kernel service");
		return;
	}
	r->svc = svc;
	pthread_mutex_init(&r->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&r->wake, &attr);
	pthread_condattr_destroy(&attr);
	target_init(r, &r->pool, "pool", lease_reconcile);
	target_init(r, &r->kernel, "kernel", kernel_desired_sync);
	rpc_client_on_connect(svc->pool, connected, &r->pool);
	rpc_client_on_connect(svc->kernel, connected, &r->kernel);
	if (pthread_create(&r->thread, NULL, watch, r) != 0) {
		DBG1(LOG_CFG, "no thread to re-send leases and kernel state");
		rpc_client_on_connect(svc->pool, NULL, NULL);
		rpc_client_on_connect(svc->kernel, NULL, NULL);
		pthread_cond_destroy(&r->wake);
		pthread_mutex_destroy(&r->lock);
		free(r);
		return;
	}
	svc->resync = r;
}

void resync_stop(struct ike_service *svc)
{
	struct resync *r = svc->resync;

	if (!r)
		return;
	rpc_client_on_connect(svc->pool, NULL, NULL);
	rpc_client_on_connect(svc->kernel, NULL, NULL);
	pthread_mutex_lock(&r->lock);
	r->stopping = true;
	pthread_cond_signal(&r->wake);
	pthread_mutex_unlock(&r->lock);
	pthread_join(r->thread, NULL);
	pthread_cond_destroy(&r->wake);
	pthread_mutex_destroy(&r->lock);
	free(r);
	svc->resync = NULL;
}
