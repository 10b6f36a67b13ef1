#include "ike/certreq.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "authority.pb-c.h"
#include "ike/message.h"
#include "log.h"

#define AUTHORITY_TIMEOUT_MS 1000

static void store(struct certreq_cache *cache, const Cygnet__CertreqKeyids *r)
{
	cache->n = 0;
	for (size_t i = 0; i < r->n_keyids && cache->n < CERTREQ_MAX_CAS; i++) {
		if (r->keyids[i].len != CERTREQ_HASH_LEN)
			continue;
		memcpy(cache->keyids[cache->n], r->keyids[i].data, CERTREQ_HASH_LEN);
		snprintf(cache->subjects[cache->n], sizeof(cache->subjects[0]),
			 "%s", i < r->n_subjects ? r->subjects[i] : "");
		cache->n++;
	}
}

size_t certreq_refresh(struct certreq_cache *cache)
{
	Cygnet__Empty empty = CYGNET__EMPTY__INIT;
	struct rpc_result result;
	time_t now = time(NULL);

	if (!cache->authority)
		return 0;
	if (cache->fetched && now - cache->fetched < CERTREQ_CACHE_SECONDS)
		return cache->n;
	rpc_call(cache->authority, CYGNET__AUTHORITY_METHOD__AUTHORITY_CERTREQ_KEYIDS,
		 &empty.base, &cygnet__certreq_keyids__descriptor,
		 AUTHORITY_TIMEOUT_MS, &result);
	if (result.status != CYGNET__RPC_STATUS__RPC_OK) {
		DBG1(LOG_CFG, "no CA key identifiers for CERTREQ: %s", result.error);
		cache->n = 0;
		cache->fetched = now - CERTREQ_CACHE_SECONDS + CERTREQ_RETRY_SECONDS;
		return 0;
	}
	store(cache, (const Cygnet__CertreqKeyids *)result.reply);
	protobuf_c_message_free_unpacked(result.reply, NULL);
	cache->fetched = now;
	return cache->n;
}

/* The packet thread (responder) and workers (initiator) both write
 * CERTREQs from the one cache. */
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;

void certreq_write(struct certreq_cache *cache, struct msg_builder *b)
{
	size_t n;

	pthread_mutex_lock(&write_lock);
	n = certreq_refresh(cache);
	for (size_t i = 0; i < n; i++)
		DBG1(LOG_IKE, "sending cert request for \"%s\"",
		     cache->subjects[i]);
	if (n)
		payload_certreq_write(b, cache->keyids[0], n);
	pthread_mutex_unlock(&write_lock);
}
