/* IKE_SA lifetimes of the responder, with charon's semantics: the
 * reauthentication is due at reauth_time less a random jitter below
 * rand_time, the IKE_SA ends over_time after the earlier of the
 * reauthentication and rekeying times.  The peer learns the time from
 * AUTH_LIFETIME (RFC 4478); a responder cannot reauthenticate itself,
 * so at that time it only logs that the initiator did not, and at the
 * end it deletes the IKE_SA (our DELETE, delete.h). */
#ifndef CYGNET_IKE_LIFETIME_H
#define CYGNET_IKE_LIFETIME_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ike/config.h"

struct ike_service;
struct ike_sa;

/* charon's half_open_timeout default: an IKE_SA not established after
 * this many seconds goes (receiver.c). */
#define HALF_OPEN_TIMEOUT 30

/* Seconds from establishment; 0 where nothing is due. */
struct ike_times {
	long reauth;
	long rekey;
	long expire;
	long over;	/* over_time: from reauthentication to the end */
};

/* time less random modulo rand_time (at most time), 0 for no time. */
long lifetime_jittered(long time, long rand_time, uint32_t random);

/* charon's arithmetic with the random values given (reduced modulo
 * rand_time). */
void lifetime_compute(const struct conn_cfg *conn, uint32_t reauth_jitter,
		      uint32_t rekey_jitter, struct ike_times *out);

enum lifetime_kind {
	LIFETIME_REAUTH,	/* reauthentication is due */
	LIFETIME_END,		/* the maximum lifetime */
	LIFETIME_HALF_OPEN,	/* not established in HALF_OPEN_TIMEOUT */
	LIFETIME_REKEY,		/* our IKE_SA rekeying is due (rekey_out.c) */
};

struct lifetime_event {
	time_t due;		/* CLOCK_MONOTONIC seconds */
	enum lifetime_kind kind;
	time_t expire;		/* when the IKE_SA ends, 0 never */
	uint64_t unique_id;
	uint64_t spi_i;
	uint64_t spi_r;
};

/* Events of all IKE_SAs, earliest first (a binary heap). */
struct lifetime_queue {
	pthread_mutex_t lock;
	struct lifetime_event *heap;
	size_t n;
	size_t cap;
};

int lifetime_queue_init(struct lifetime_queue *q);
void lifetime_queue_destroy(struct lifetime_queue *q);
int lifetime_queue_push(struct lifetime_queue *q, const struct lifetime_event *e);
/* Takes the earliest event due at or before now; false if none is. */
bool lifetime_queue_pop_due(struct lifetime_queue *q, time_t now,
			    struct lifetime_event *out);

/* On establishment of sa with connection conn_name: charon's
 * "scheduling rekeying in Ns", "scheduling reauthentication in Ns" and
 * "maximum IKE_SA lifetime Ns", all queued.  out gets the times (zero if the connection is gone). */
void lifetime_start(struct ike_service *svc, struct ike_sa *sa,
		    const char *conn_name, struct ike_times *out);

/* IKE_SA from was rekeyed into to: as charon, the reauthentication
 * time survives ("rescheduling reauthentication in Ns after rekeying,
 * lifetime reduced to Ns") and the next rekeying is scheduled afresh;
 * without a reauthentication all of to's times start afresh. */
void lifetime_inherit(struct ike_service *svc, struct ike_sa *to,
		      const struct ike_sa *from);

/* sa came back from persisted state (persist.c): its reauthentication
 * (if still ahead) and its end, reauth time plus over_time, are queued
 * again and logged as at establishment; its rekeying is scheduled
 * afresh. */
void lifetime_resume(struct ike_service *svc, struct ike_sa *sa);

/* An EAP-TLS conversation began on sa: should the SA still be half open
 * when the receiver is about to drop it, the authority's session is
 * aborted first (eap_abort). */
void lifetime_watch_half_open(struct ike_service *svc, const struct ike_sa *sa);

/* Our IKE_SA rekeying of sa is tried again in delay seconds. */
void lifetime_rekey_later(struct ike_service *svc, const struct ike_sa *sa,
			  long delay);

/* Acts on the events due (the packet thread, once a second). */
void lifetime_tick(struct ike_service *svc, time_t now);

#endif
