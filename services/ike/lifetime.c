#include "ike/lifetime.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/delete.h"
#include "ike/eap.h"
#include "ike/rekey_out.h"
#include "ike/sa_table.h"
#include "ike/service.h"
#include "log.h"

#define QUEUE_MIN 64

long lifetime_jittered(long time, long rand_time, uint32_t random)
{
	if (time <= 0)
		return 0;
	if (rand_time <= 0)
		return time;
	/* As charon: a jitter larger than the time would end at or before
	 * establishment. */
	if (rand_time > time)
		rand_time = time;
	return time - (long)(random % (uint32_t)rand_time);
}

void lifetime_compute(const struct conn_cfg *conn, uint32_t reauth_jitter,
		      uint32_t rekey_jitter, struct ike_times *out)
{
	long first;

	out->reauth = lifetime_jittered(conn->reauth_time, conn->rand_time, reauth_jitter);
	out->rekey = lifetime_jittered(conn->rekey_time, conn->rand_time, rekey_jitter);
	first = out->reauth;
	if (!first || (out->rekey && out->rekey < first))
		first = out->rekey;
	out->expire = first ? first + conn->over_time : 0;
	out->over = conn->over_time;
}

int lifetime_queue_init(struct lifetime_queue *q)
{
	memset(q, 0, sizeof(*q));
	return pthread_mutex_init(&q->lock, NULL) == 0 ? 0 : -1;
}

void lifetime_queue_destroy(struct lifetime_queue *q)
{
	free(q->heap);
	q->heap = NULL;
	q->n = q->cap = 0;
	pthread_mutex_destroy(&q->lock);
}

static void swap(struct lifetime_event *a, struct lifetime_event *b)
{
	struct lifetime_event t = *a;

	*a = *b;
	*b = t;
}

static void sift_up(struct lifetime_queue *q, size_t i)
{
	while (i > 0 && q->heap[(i - 1) / 2].due > q->heap[i].due) {
		swap(&q->heap[(i - 1) / 2], &q->heap[i]);
		i = (i - 1) / 2;
	}
}

static void sift_down(struct lifetime_queue *q, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, min = i;

		if (l < q->n && q->heap[l].due < q->heap[min].due)
			min = l;
		if (r < q->n && q->heap[r].due < q->heap[min].due)
			min = r;
		if (min == i)
			return;
		swap(&q->heap[min], &q->heap[i]);
		i = min;
	}
}

int lifetime_queue_push(struct lifetime_queue *q, const struct lifetime_event *e)
{
	int rc = 0;

	pthread_mutex_lock(&q->lock);
	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : QUEUE_MIN;
		struct lifetime_event *heap = realloc(q->heap, cap * sizeof(*heap));

		if (heap) {
			q->heap = heap;
			q->cap = cap;
		}
	}
	if (q->n < q->cap) {
		q->heap[q->n] = *e;
		sift_up(q, q->n++);
	} else {
		rc = -1;
	}
	pthread_mutex_unlock(&q->lock);
	return rc;
}

bool lifetime_queue_pop_due(struct lifetime_queue *q, time_t now,
			    struct lifetime_event *out)
{
	bool due;

	pthread_mutex_lock(&q->lock);
	due = q->n > 0 && q->heap[0].due <= now;
	if (due) {
		*out = q->heap[0];
		q->heap[0] = q->heap[--q->n];
		sift_down(q, 0);
	}
	pthread_mutex_unlock(&q->lock);
	return due;
}

static int conn_times(struct ike_service *svc, const char *name,
		      struct ike_times *out)
{
	const struct conn_cfg *conn;
	uint32_t random[2];
	int rc = -1;

	if (RAND_bytes((unsigned char *)random, sizeof(random)) != 1)
		return -1;
	pthread_rwlock_rdlock(&svc->config_lock);
	conn = svc->config ? config_find(svc->config, name) : NULL;
	if (conn) {
		lifetime_compute(conn, random[0], random[1], out);
		rc = 0;
	}
	pthread_rwlock_unlock(&svc->config_lock);
	return rc;
}

static void schedule(struct ike_service *svc, const struct lifetime_event *e)
{
	static const char *const what[] = {
		[LIFETIME_REAUTH] = "reauthentication", [LIFETIME_END] = "deletion",
		[LIFETIME_HALF_OPEN] = "timeout", [LIFETIME_REKEY] = "rekeying",
	};

	if (lifetime_queue_push(&svc->lifetimes, e) < 0)
		DBG1(LOG_IKE, "no memory to schedule IKE_SA %s", what[e->kind]);
}

void lifetime_rekey_later(struct ike_service *svc, const struct ike_sa *sa,
			  long delay)
{
	struct lifetime_event e = { .due = sa_table_now() + delay,
				    .kind = LIFETIME_REKEY,
				    .unique_id = sa->unique_id,
				    .spi_i = sa->spi_i, .spi_r = sa->spi_r };

	schedule(svc, &e);
}

static void schedule_rekey(struct ike_service *svc, const struct ike_sa *sa,
			   long rekey)
{
	if (!rekey)
		return;
	DBG1(LOG_IKE, "scheduling rekeying in %lds", rekey);
	lifetime_rekey_later(svc, sa, rekey);
}

void lifetime_start(struct ike_service *svc, struct ike_sa *sa,
		    const char *conn_name, struct ike_times *out)
{
	time_t now = sa_table_now();
	struct lifetime_event e = { .unique_id = sa->unique_id,
				    .spi_i = sa->spi_i, .spi_r = sa->spi_r };

	memset(out, 0, sizeof(*out));
	if (conn_times(svc, conn_name, out) < 0)
		return;
	e.expire = out->expire ? now + out->expire : 0;
	schedule_rekey(svc, sa, out->rekey);
	if (out->reauth) {
		e.due = sa->reauth_at = now + out->reauth;
		DBG1(LOG_IKE, "scheduling reauthentication in %lds", out->reauth);
		schedule(svc, &e);
	}
	if (out->expire) {
		e.due = e.expire;
		e.kind = LIFETIME_END;
		DBG1(LOG_IKE, "maximum IKE_SA lifetime %lds", out->expire);
		schedule(svc, &e);
	}
}

void lifetime_inherit(struct ike_service *svc, struct ike_sa *to,
		      const struct ike_sa *from)
{
	time_t now = sa_table_now();
	struct lifetime_event e = { .unique_id = to->unique_id,
				    .spi_i = to->spi_i, .spi_r = to->spi_r };
	struct ike_times t;
	long reauth;

	if (from->reauth_at <= now) {
		lifetime_start(svc, to, from->conn, &t);
		return;
	}
	if (conn_times(svc, from->conn, &t) < 0)
		return;
	schedule_rekey(svc, to, t.rekey);
	reauth = (long)(from->reauth_at - now);
	DBG1(LOG_IKE, "rescheduling reauthentication in %lds after rekeying, "
	     "lifetime reduced to %lds", reauth, reauth + t.over);
	e.due = to->reauth_at = from->reauth_at;
	e.expire = from->reauth_at + t.over;
	schedule(svc, &e);
	e.due = e.expire;
	e.kind = LIFETIME_END;
	schedule(svc, &e);
}

void lifetime_resume(struct ike_service *svc, struct ike_sa *sa)
{
	time_t now = sa_table_now();
	struct lifetime_event e = { .unique_id = sa->unique_id,
				    .spi_i = sa->spi_i, .spi_r = sa->spi_r };
	struct ike_times t;

	if (conn_times(svc, sa->conn, &t) < 0)
		return;
	/* The record keeps no rekey time: a fresh one, as after a rekeying. */
	schedule_rekey(svc, sa, t.rekey);
	if (!sa->reauth_at)
		return;
	e.expire = sa->reauth_at + t.over;
	if (sa->reauth_at > now) {
		e.due = sa->reauth_at;
		DBG1(LOG_IKE, "scheduling reauthentication in %lds",
		     (long)(sa->reauth_at - now));
		schedule(svc, &e);
	}
	e.due = e.expire;
	e.kind = LIFETIME_END;
	DBG1(LOG_IKE, "maximum IKE_SA lifetime %lds",
	     e.expire > now ? (long)(e.expire - now) : 0L);
	schedule(svc, &e);
}

void lifetime_watch_half_open(struct ike_service *svc, const struct ike_sa *sa)
{
	struct lifetime_event e = { .due = sa->created + HALF_OPEN_TIMEOUT,
				    .kind = LIFETIME_HALF_OPEN,
				    .unique_id = sa->unique_id,
				    .spi_i = sa->spi_i, .spi_r = sa->spi_r };

	schedule(svc, &e);
}

/* charon's time deltas: "42 seconds", "3 minutes", "2 hours", "4 days". */
static void delta_text(long delta, char *buf, size_t len)
{
	const char *unit = "second";

	if (delta > 2 * 24 * 3600) {
		delta /= 24 * 3600;
		unit = "day";
	} else if (delta > 2 * 3600) {
		delta /= 3600;
		unit = "hour";
	} else if (delta > 2 * 60) {
		delta /= 60;
		unit = "minute";
	}
	snprintf(buf, len, "%ld %s%s", delta, unit, delta == 1 ? "" : "s");
}

/* The peer, the initiator, should have reauthenticated (it was told
 * with AUTH_LIFETIME).  charon lets an IKE_SA with EAP or virtual IPs run
 * to its end, as here, but reauthenticates others itself; Cygnet lets
 * every IKE_SA run to its end. */
static void reauth_due(const struct ike_sa *sa, const struct lifetime_event *e,
		       time_t now)
{
	char left[32];

	DBG1(LOG_IKE, "initiator did not reauthenticate as requested");
	if (!e->expire)
		return;
	delta_text(e->expire > now ? e->expire - now : 0, left, sizeof(left));
	DBG1(LOG_IKE, "IKE_SA %s[%llu] will timeout in %s", sa->conn,
	     (unsigned long long)sa->unique_id, left);
}

/* The receiver drops the SA at the next second unless a worker holds
 * it, which is then asked again. */
static void half_open_due(struct ike_service *svc, struct ike_sa *sa,
			  struct lifetime_event *e, time_t now)
{
	if (sa->state != IKE_SA_CONNECTING)
		return;
	if (sa->busy) {
		e->due = now + 1;
		schedule(svc, e);
		return;
	}
	eap_abort(svc, sa);
}

/* A worker, a request of ours or our CHILD_SA rekeying holds the SA:
 * asked again the next second. */
static void rekey_due(struct ike_service *svc, struct lifetime_event *e,
		      time_t now)
{
	if (rekey_out_start(svc, e->unique_id) == 1) {
		e->due = now + 1;
		schedule(svc, e);
	}
}

void lifetime_tick(struct ike_service *svc, time_t now)
{
	struct lifetime_event e;

	while (lifetime_queue_pop_due(&svc->lifetimes, now, &e)) {
		struct ike_sa *sa = sa_table_find_spis(svc->sas, e.spi_i, e.spi_r);

		if (!sa || sa->unique_id != e.unique_id)
			continue;
		if (e.kind == LIFETIME_HALF_OPEN) {
			half_open_due(svc, sa, &e, now);
			continue;
		}
		if (sa->state != IKE_SA_ESTABLISHED)
			continue;
		if (e.kind == LIFETIME_REAUTH) {
			reauth_due(sa, &e, now);
			continue;
		}
		if (e.kind == LIFETIME_REKEY) {
			rekey_due(svc, &e, now);
			continue;
		}
		/* A worker or a request of ours holds the SA: next second. */
		if (ike_sa_delete(svc, e.unique_id) == 1) {
			e.due = now + 1;
			schedule(svc, &e);
		}
	}
}
