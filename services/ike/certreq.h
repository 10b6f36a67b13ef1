/* The CA key identifiers for our CERTREQ payloads, asked from the
 * authority service (AUTHORITY_CERTREQ_KEYIDS) and cached for a while,
 * so the packet thread does not call it for every IKE_SA_INIT. */
#ifndef CYGNET_IKE_CERTREQ_H
#define CYGNET_IKE_CERTREQ_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ike/payload.h"
#include "rpc.h"

#define CERTREQ_MAX_CAS 64
#define CERTREQ_CACHE_SECONDS 60
/* After a failed call: the packet thread waits for the authority at
 * most once per this many seconds. */
#define CERTREQ_RETRY_SECONDS 5

struct certreq_cache {
	struct rpc_client *authority;	/* NULL: no CERTREQ is sent */
	time_t fetched;
	size_t n;
	uint8_t keyids[CERTREQ_MAX_CAS][CERTREQ_HASH_LEN];
	char subjects[CERTREQ_MAX_CAS][256];
};

/* Refreshes the cache when it is older than CERTREQ_CACHE_SECONDS;
 * returns the number of CAs (0 when the authority is unreachable,
 * logged). */
size_t certreq_refresh(struct certreq_cache *cache);

struct msg_builder;

/* CERTREQ for every CA the authority trusts (charon's way without a
 * cacerts constraint), logged as "sending cert request for ..."; none
 * when the authority knows no CA. */
void certreq_write(struct certreq_cache *cache, struct msg_builder *b);

#endif
