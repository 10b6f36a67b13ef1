/* Counters of the IKE packet path for /status and /metrics: messages by
 * exchange and direction, retransmitted requests received, messages
 * dropped by reason.  Process-wide, so each event is counted with one
 * call where it happens. */
#ifndef CYGNET_IKE_METRICS_H
#define CYGNET_IKE_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "ike/message.h"
#include "status.h"

enum metrics_invalid {
	METRICS_PARSE_ERROR,
	METRICS_DECRYPTION_FAILED,	/* integrity check or decryption */
	METRICS_OUT_OF_WINDOW,		/* unexpected message ID */
	METRICS_NO_SA,
	METRICS_UNSUPPORTED_EXCHANGE,
	METRICS_INVALID_MAX,
};

/* A parsed message (request or response by its flags). */
void metrics_received(const struct ike_header *h);
/* A message we sent (the first time; retransmits are not counted). */
void metrics_sent(uint8_t exchange, bool response);
/* A retransmitted request, answered from the cache. */
void metrics_retransmit_received(void);
/* One of our requests sent again (request_out.c's back-off). */
void metrics_retransmit_sent(void);
void metrics_invalid(enum metrics_invalid reason);

struct ike_service;
/* Everything, with the SA table's states and the RPC clients' call
 * latencies, into b (service.c's fill_status). */
void metrics_fill(struct ike_service *svc, struct status_builder *b);

#endif
