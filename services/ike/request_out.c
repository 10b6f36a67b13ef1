#include "ike/request_out.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ike/exchange.h"
#include "ike/metrics.h"
#include "ike/sa_role.h"
#include "log.h"

struct our_request {
	uint32_t message_id;
	uint8_t exchange;
	unsigned retransmits;		/* sent again so far */
	uint64_t due_ms;		/* when the current try times out */
	bool unsent;			/* goes out in sa_release() */
	size_t count;			/* packets (fragments) */
	size_t lens[FRAGMENTS_MAX_DEFAULT];
	size_t len;
	uint8_t *data;			/* the packets back to back */
};

uint64_t request_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int load_double(const struct conf_section *root, const char *key,
		       double def, double min, double *out, char *err,
		       size_t errlen)
{
	const char *text = conf_get(root, key, NULL);
	char *end;

	*out = def;
	if (!text)
		return 0;
	*out = strtod(text, &end);
	if (end == text || *end || !(*out >= min) || *out > 3600) {
		snprintf(err, errlen, "invalid %s '%s'", key, text);
		return -1;
	}
	return 0;
}

int retransmit_settings_load(const struct conf_section *root,
			     struct retransmit_settings *s, char *err,
			     size_t errlen)
{
	long tries;

	if (load_double(root, "cygnet.ike.retransmit_timeout",
			RETRANSMIT_TIMEOUT_DEFAULT, 0.05, &s->timeout, err,
			errlen) < 0 ||
	    load_double(root, "cygnet.ike.retransmit_base",
			RETRANSMIT_BASE_DEFAULT, 1.0, &s->base, err, errlen) < 0)
		return -1;
	if (conf_get_int(root, "cygnet.ike.retransmit_tries",
			 RETRANSMIT_TRIES_DEFAULT, &tries) < 0 ||
	    tries < 0 || tries > 100) {
		snprintf(err, errlen, "invalid cygnet.ike.retransmit_tries");
		return -1;
	}
	s->tries = (unsigned)tries;
	return 0;
}

double retransmit_timeout(const struct retransmit_settings *s, unsigned n)
{
	return s->timeout * pow(s->base, n);
}

static void schedule(struct ike_service *svc, struct our_request *r)
{
	double wait = retransmit_timeout(&svc->settings.retransmit,
					 r->retransmits);

	r->due_ms = request_now_ms() + (uint64_t)(wait * 1000.0);
}

static struct our_request *request_new(uint32_t message_id, uint8_t exchange)
{
	struct our_request *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->message_id = message_id;
	r->exchange = exchange;
	return r;
}

static bool keep_packet(void *arg, size_t index, const uint8_t *data,
			size_t len)
{
	struct our_request *r = arg;
	uint8_t *grown;

	(void)index;
	r->unsent = true;
	if (r->count >= FRAGMENTS_MAX_DEFAULT)
		return false;
	grown = realloc(r->data, r->len + len);
	if (!grown)
		return false;
	memcpy(grown + r->len, data, len);
	r->data = grown;
	r->len += len;
	r->lens[r->count++] = len;
	/* Sent once the SA is released, see sa_release(). */
	return false;
}

static void request_header(const struct ike_sa *sa, uint8_t exchange,
			   uint32_t message_id, struct ike_header *h)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->spi_i, &sa->spi_i, 8);
	memcpy(h->spi_r, &sa->spi_r, 8);
	h->version = IKE_MAJOR_VERSION << 4;
	h->exchange = exchange;
	h->flags = sa_header_flags(sa, false);
	h->message_id = message_id;
}

int request_send(struct ike_service *svc, struct ike_sa *sa,
		 uint8_t exchange, struct msg_builder *chain)
{
	struct our_request *r = request_new(sa->our_next_id, exchange);
	struct ike_header h;

	if (!r)
		return -1;
	request_header(sa, exchange, r->message_id, &h);
	if (sa_send_encrypted(svc, sa, &h, chain, keep_packet, r) < 0 ||
	    r->count == 0) {
		request_free(r);
		return -1;
	}
	sa->our_next_id++;
	request_free(sa->request);
	sa->request = r;
	schedule(svc, r);
	return 0;
}

int request_send_plain(struct ike_service *svc, struct ike_sa *sa,
		       const uint8_t *msg, size_t len)
{
	struct our_request *r = request_new(0, IKE_SA_INIT);

	if (!r)
		return -1;
	keep_packet(r, 0, msg, len);
	if (r->count == 0) {
		request_free(r);
		return -1;
	}
	sa->our_next_id = 1;
	request_free(sa->request);
	sa->request = r;
	schedule(svc, r);
	return 0;
}

bool request_pending(const struct ike_sa *sa)
{
	return sa->request != NULL;
}

bool request_matches(const struct ike_sa *sa, const struct ike_header *hdr)
{
	if (!sa->request) {
		DBG1(LOG_IKE, "received response without request, ignored");
		return false;
	}
	if (hdr->message_id != sa->request->message_id) {
		DBG1(LOG_IKE, "received message ID %u, expected %u, ignored",
		     hdr->message_id, sa->request->message_id);
		return false;
	}
	if (hdr->exchange != sa->request->exchange ||
	    !sa_peer_flag_ok(sa, hdr)) {
		DBG1(LOG_IKE, "%s response with invalid flags or exchange, "
		     "ignored", exchange_name(hdr->exchange));
		return false;
	}
	return true;
}

uint8_t request_answered(struct ike_sa *sa)
{
	uint8_t exchange = sa->request ? sa->request->exchange : 0;

	request_free(sa->request);
	sa->request = NULL;
	return exchange;
}

/* A failed send is logged; the retransmits try again. */
static void resend(struct ike_service *svc, const struct sockaddr_storage *local,
		   const struct sockaddr_storage *remote,
		   const struct our_request *r)
{
	struct packet *pkt = malloc(sizeof(*pkt));
	const uint8_t *p = r->data;

	if (!pkt)
		return;
	pkt->local = *local;
	pkt->remote = *remote;
	for (size_t i = 0; i < r->count; i++) {
		memcpy(pkt->data, p, r->lens[i]);
		pkt->len = r->lens[i];
		p += r->lens[i];
		ike_send_logged(svc, pkt);
	}
	free(pkt);
}

void sa_release(struct ike_service *svc, struct ike_sa *sa)
{
	struct our_request *copy = NULL, *r = sa->request;
	struct sockaddr_storage local = sa->local, remote = sa->remote;

	if (r && r->unsent) {
		r->unsent = false;
		copy = request_new(r->message_id, r->exchange);
		if (copy && (copy->data = malloc(r->len))) {
			memcpy(copy->data, r->data, r->len);
			memcpy(copy->lens, r->lens, sizeof(r->lens));
			copy->count = r->count;
			copy->len = r->len;
		}
	}
	sa->busy = false;
	if (copy && copy->data)
		resend(svc, &local, &remote, copy);
	request_free(copy);
}

int request_tick(struct ike_service *svc, struct ike_sa *sa, uint64_t now_ms)
{
	struct our_request *r = sa->request;

	if (!r || now_ms < r->due_ms)
		return 0;
	if (r->retransmits >= svc->settings.retransmit.tries) {
		DBG1(LOG_IKE, "giving up after %u retransmits", r->retransmits);
		return -1;
	}
	r->retransmits++;
	DBG1(LOG_IKE, "retransmit %u of request with message ID %u",
	     r->retransmits, r->message_id);
	resend(svc, &sa->local, &sa->remote, r);
	metrics_retransmit_sent();
	schedule(svc, r);
	return 0;
}

void request_free(struct our_request *r)
{
	if (!r)
		return;
	free(r->data);
	free(r);
}
