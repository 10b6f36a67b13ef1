/* COOKIE anti-DoS (RFC 7296 2.6) for IKE_SA_INIT: once cookie_threshold
 * IKE_SAs are half open (and for a calm-down time after), a request
 * without a valid cookie is answered with N(COOKIE) only, so spoofed
 * sources create no state; a peer address with block_threshold half
 * open IKE_SAs is ignored.  The cookie is a timestamp and an HMAC over
 * it, Ni, the initiator's address and SPIi under a secret that is
 * replaced after many uses (the previous one stays valid). */
#ifndef CYGNET_IKE_COOKIE_H
#define CYGNET_IKE_COOKIE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "ike/message.h"
#include "ike/socket.h"

#define COOKIE_SECRET_LEN 32
#define COOKIE_LEN (4 + 32)		/* time | HMAC-SHA256 */
#define COOKIE_THRESHOLD_DEFAULT 10	/* charon's defaults */
#define BLOCK_THRESHOLD_DEFAULT 5
#define COOKIE_LIFETIME 10		/* seconds a cookie is accepted */
#define COOKIE_CALMDOWN 10		/* seconds cookies stay required */
#define COOKIE_REUSE 10000		/* cookies made with one secret */

struct cookie_guard {
	pthread_mutex_t lock;
	uint8_t secret[COOKIE_SECRET_LEN];
	uint8_t old_secret[COOKIE_SECRET_LEN];
	uint32_t switched;		/* when secret replaced old_secret */
	uint32_t used;			/* cookies made with secret */
	uint32_t last_required;		/* 0: never */
	atomic_uint cookie_threshold;	/* 0: never require cookies */
	atomic_uint block_threshold;	/* 0: never block a peer */
	atomic_ulong sent, accepted, blocked;	/* for the metrics */
};

int cookie_guard_init(struct cookie_guard *g);
void cookie_guard_destroy(struct cookie_guard *g);
/* cygnet.ike.cookie_threshold and block_threshold (charon's defaults
 * when absent).  Returns 0, or -1 with a message in err. */
int cookie_configure(struct cookie_guard *g, const struct conf_section *root,
		     char *err, size_t errlen);

/* The cookie for a request at now (monotonic seconds). */
void cookie_make(struct cookie_guard *g, uint32_t now, const struct packet *in,
		 const struct ike_message *msg, uint8_t cookie[COOKIE_LEN]);
/* Whether the request's first payload is N(COOKIE) with a cookie we
 * made for it no longer than COOKIE_LIFETIME ago. */
bool cookie_valid(struct cookie_guard *g, uint32_t now, const struct packet *in,
		  const struct ike_message *msg);

enum cookie_verdict {
	COOKIE_PASS,		/* go on with the IKE_SA_INIT */
	COOKIE_DEMAND,		/* answer with N(COOKIE) (cookie filled) */
	COOKIE_DROP,		/* ignore the request (logged) */
};

/* The checks for an IKE_SA_INIT request with half_open IKE_SAs in all,
 * from_peer of them from the request's address. */
enum cookie_verdict cookie_screen(struct cookie_guard *g, uint32_t now,
				  size_t half_open, size_t from_peer,
				  const struct packet *in,
				  const struct ike_message *msg,
				  uint8_t cookie[COOKIE_LEN]);

#endif
