#include "authority/eap_sessions.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "authority/x509name.h"
#include "log.h"

struct eap_session {
	struct eap_session *next;
	uint64_t id;
	struct eap_server *server;
	char **cacerts;		/* the server's tls params point here */
	size_t n_cacerts;
	pthread_mutex_t lock;	/* one packet at a time */
	int refs;		/* the table's plus each running request's */
	bool unlinked;
	time_t last_used;
};

struct eap_sessions {
	pthread_mutex_t lock;
	struct eap_session *head;
	size_t count;
	size_t max;
	long timeout_s;
};

static time_t now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

struct eap_sessions *eap_sessions_new(size_t max_sessions, long timeout_s)
{
	struct eap_sessions *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	pthread_mutex_init(&t->lock, NULL);
	t->max = max_sessions;
	t->timeout_s = timeout_s;
	return t;
}

static void session_free(struct eap_session *s)
{
	eap_server_free(s->server);
	strings_free(s->cacerts, s->n_cacerts);
	free(s->cacerts);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/* Table lock held. */
static void session_put(struct eap_session *s)
{
	if (--s->refs == 0)
		session_free(s);
}

/* Table lock held. */
static void unlink_session(struct eap_sessions *t, struct eap_session *s)
{
	for (struct eap_session **pp = &t->head; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			t->count--;
			s->unlinked = true;
			session_put(s);
			return;
		}
	}
}

void eap_sessions_free(struct eap_sessions *t)
{
	if (!t)
		return;
	pthread_mutex_lock(&t->lock);
	while (t->head)
		unlink_session(t, t->head);
	pthread_mutex_unlock(&t->lock);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

size_t eap_sessions_active(struct eap_sessions *t)
{
	size_t n;

	if (!t)
		return 0;
	pthread_mutex_lock(&t->lock);
	n = t->count;
	pthread_mutex_unlock(&t->lock);
	return n;
}

static struct eap_session *find(struct eap_sessions *t, uint64_t id)
{
	for (struct eap_session *s = t->head; s; s = s->next) {
		if (s->id == id)
			return s;
	}
	return NULL;
}

/* Table lock held. */
static size_t expire_locked(struct eap_sessions *t)
{
	time_t now = now_mono();
	struct eap_session *next;
	size_t n = 0;

	for (struct eap_session *s = t->head; s; s = next) {
		next = s->next;
		if (now - s->last_used > t->timeout_s) {
			DBG1(LOG_TLS, "EAP-TLS session %" PRIu64 " timed out", s->id);
			unlink_session(t, s);
			n++;
		}
	}
	return n;
}

size_t eap_sessions_expire(struct eap_sessions *t)
{
	size_t n;

	pthread_mutex_lock(&t->lock);
	n = expire_locked(t);
	pthread_mutex_unlock(&t->lock);
	return n;
}

int eap_sessions_add(struct eap_sessions *t, uint64_t id, struct eap_server *server,
		     char **cacerts, size_t n_cacerts, char *why, size_t whylen)
{
	struct eap_session *s = calloc(1, sizeof(*s));
	int rc = -1;

	if (!s) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	s->id = id;
	s->server = server;
	s->cacerts = cacerts;
	s->n_cacerts = n_cacerts;
	s->refs = 1;
	s->last_used = now_mono();
	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_lock(&t->lock);
	expire_locked(t);
	if (find(t, id)) {
		snprintf(why, whylen, "EAP-TLS session %" PRIu64 " exists already", id);
	} else if (t->count >= t->max) {
		snprintf(why, whylen, "too many EAP-TLS sessions (%zu)", t->max);
	} else {
		s->next = t->head;
		t->head = s;
		t->count++;
		rc = 0;
	}
	pthread_mutex_unlock(&t->lock);
	if (rc < 0) {
		s->server = NULL;	/* the caller keeps what it passed */
		s->cacerts = NULL;
		s->n_cacerts = 0;
		session_free(s);
	}
	return rc;
}

int eap_sessions_process(struct eap_sessions *t, uint64_t id, const uint8_t *pkt,
			 size_t len, struct eap_outcome *out)
{
	struct eap_session *s;

	pthread_mutex_lock(&t->lock);
	expire_locked(t);
	s = find(t, id);
	if (s)
		s->refs++;
	pthread_mutex_unlock(&t->lock);
	if (!s)
		return -1;
	pthread_mutex_lock(&s->lock);
	eap_server_process(s->server, pkt, len, out);
	s->last_used = now_mono();
	pthread_mutex_unlock(&s->lock);
	pthread_mutex_lock(&t->lock);
	if (out->state != CYGNET__EAP_TLS_STATE__EAP_TLS_CONTINUE && !s->unlinked)
		unlink_session(t, s);
	session_put(s);
	pthread_mutex_unlock(&t->lock);
	return 0;
}

int eap_sessions_remove(struct eap_sessions *t, uint64_t id)
{
	struct eap_session *s;

	pthread_mutex_lock(&t->lock);
	s = find(t, id);
	if (s)
		unlink_session(t, s);
	pthread_mutex_unlock(&t->lock);
	return s ? 0 : -1;
}
