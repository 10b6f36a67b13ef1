/* Our requests on an IKE_SA (RFC 7296 2.1-2.3): message IDs counted by
 * us from 0, one outstanding at a time (window of one), protected with
 * our role's keys and retransmitted with charon's back-off (timeout *
 * base^n, tries times) until answered or given up. */
#ifndef CYGNET_IKE_REQUEST_OUT_H
#define CYGNET_IKE_REQUEST_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "ike/message.h"

struct ike_service;
struct ike_sa;
struct our_request;

/* cygnet { ike { retransmit_timeout retransmit_base retransmit_tries } },
 * charon's defaults. */
#define RETRANSMIT_TIMEOUT_DEFAULT 4.0
#define RETRANSMIT_BASE_DEFAULT 1.8
#define RETRANSMIT_TRIES_DEFAULT 5

struct retransmit_settings {
	double timeout;		/* seconds before the first retransmit */
	double base;
	unsigned tries;
};

/* Reads the settings from the config root.  Returns 0, -1 with the
 * key in err. */
int retransmit_settings_load(const struct conf_section *root,
			     struct retransmit_settings *s, char *err,
			     size_t errlen);

/* Seconds after the first send when try n (0 = the first send) times
 * out: timeout * base^n. */
double retransmit_timeout(const struct retransmit_settings *s, unsigned n);

/* Encrypts chain as a request of exchange with our next message ID,
 * kept for retransmits; it goes out when the caller releases the SA
 * with sa_release().  The caller owns the SA (its worker, the packet
 * thread, or a thread that claimed it busy) and no request may be
 * outstanding.  Returns 0, -1 (logged). */
int request_send(struct ike_service *svc, struct ike_sa *sa,
		 uint8_t exchange, struct msg_builder *chain);

/* The IKE_SA_INIT request (unencrypted, message ID 0) in msg, kept
 * for retransmits and sent as request_send's.  Returns 0, -1. */
int request_send_plain(struct ike_service *svc, struct ike_sa *sa,
		       const uint8_t *msg, size_t len);

/* Whether hdr is the response to our outstanding request: its message
 * ID and the peer's role bit; logs why not. */
bool request_matches(const struct ike_sa *sa, const struct ike_header *hdr);

/* The response arrived: the request is done (no more retransmits).
 * Returns its exchange type. */
uint8_t request_answered(struct ike_sa *sa);

/* Whether a request of ours is outstanding. */
bool request_pending(const struct ike_sa *sa);

/* Retransmits the outstanding request when due ("retransmit 1 of
 * request with message ID 0").  Returns -1 once the last try timed out
 * ("giving up after 5 retransmits"): the caller ends the SA. */
int request_tick(struct ike_service *svc, struct ike_sa *sa, uint64_t now_ms);

/* Clears the SA's busy flag, then sends a request made meanwhile: its
 * response may come at once, and the packet thread takes it only from
 * an SA nobody holds. */
void sa_release(struct ike_service *svc, struct ike_sa *sa);

void request_free(struct our_request *r);

/* CLOCK_MONOTONIC in milliseconds. */
uint64_t request_now_ms(void);

#endif
