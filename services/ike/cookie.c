#include "ike/cookie.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

int cookie_guard_init(struct cookie_guard *g)
{
	memset(g, 0, sizeof(*g));
	atomic_init(&g->cookie_threshold, COOKIE_THRESHOLD_DEFAULT);
	atomic_init(&g->block_threshold, BLOCK_THRESHOLD_DEFAULT);
	if (RAND_bytes(g->secret, sizeof(g->secret)) != 1)
		return -1;
	memcpy(g->old_secret, g->secret, sizeof(g->secret));
	return pthread_mutex_init(&g->lock, NULL) == 0 ? 0 : -1;
}

void cookie_guard_destroy(struct cookie_guard *g)
{
	OPENSSL_cleanse(g->secret, sizeof(g->secret));
	OPENSSL_cleanse(g->old_secret, sizeof(g->old_secret));
	pthread_mutex_destroy(&g->lock);
}

static int load_threshold(const struct conf_section *root, const char *key,
			  long def, atomic_uint *out, char *err, size_t errlen)
{
	long v;

	if (conf_get_int(root, key, def, &v) < 0 || v < 0 || v > 1000000) {
		snprintf(err, errlen, "invalid %s", key);
		return -1;
	}
	atomic_store(out, (unsigned)v);
	return 0;
}

int cookie_configure(struct cookie_guard *g, const struct conf_section *root,
		     char *err, size_t errlen)
{
	if (load_threshold(root, "cygnet.ike.cookie_threshold",
			   COOKIE_THRESHOLD_DEFAULT, &g->cookie_threshold, err,
			   errlen) < 0)
		return -1;
	return load_threshold(root, "cygnet.ike.block_threshold",
			      BLOCK_THRESHOLD_DEFAULT, &g->block_threshold, err,
			      errlen);
}

/* HMAC-SHA256(secret, t | Ni | IPi | SPIi) */
static void cookie_mac(const uint8_t *secret, const uint8_t t[4],
		       const struct packet *in, const struct ike_message *msg,
		       uint8_t mac[32])
{
	const struct payload *nonce = message_find(msg, PL_NONCE);
	uint8_t data[4 + NONCE_MAX + 16 + 8], ip[16];
	size_t len = 4, ip_len = sockaddr_addr(&in->remote, ip);
	unsigned mac_len = 32;

	memcpy(data, t, 4);
	if (nonce && nonce->len <= NONCE_MAX) {
		memcpy(data + len, nonce->body, nonce->len);
		len += nonce->len;
	}
	memcpy(data + len, ip, ip_len);
	len += ip_len;
	memcpy(data + len, msg->hdr.spi_i, 8);
	len += 8;
	if (!HMAC(EVP_sha256(), secret, COOKIE_SECRET_LEN, data, len, mac, &mac_len))
		memset(mac, 0, 32);
}

static void new_secret(struct cookie_guard *g, uint32_t now)
{
	uint8_t fresh[COOKIE_SECRET_LEN];

	DBG1(LOG_NET, "generating new cookie secret after %u uses", g->used);
	if (RAND_bytes(fresh, sizeof(fresh)) != 1) {
		DBG1(LOG_NET, "failed to allocated cookie secret, keeping old");
		return;
	}
	memcpy(g->old_secret, g->secret, sizeof(g->secret));
	memcpy(g->secret, fresh, sizeof(fresh));
	OPENSSL_cleanse(fresh, sizeof(fresh));
	g->switched = now;
	g->used = 0;
}

void cookie_make(struct cookie_guard *g, uint32_t now, const struct packet *in,
		 const struct ike_message *msg, uint8_t cookie[COOKIE_LEN])
{
	cookie[0] = (uint8_t)(now >> 24);
	cookie[1] = (uint8_t)(now >> 16);
	cookie[2] = (uint8_t)(now >> 8);
	cookie[3] = (uint8_t)now;
	pthread_mutex_lock(&g->lock);
	cookie_mac(g->secret, cookie, in, msg, cookie + 4);
	if (++g->used > COOKIE_REUSE)
		new_secret(g, now);
	pthread_mutex_unlock(&g->lock);
}

bool cookie_valid(struct cookie_guard *g, uint32_t now, const struct packet *in,
		  const struct ike_message *msg)
{
	const struct payload *first = msg->n_payloads ? &msg->payloads[0] : NULL;
	struct notify_payload n;
	uint8_t mac[32];
	uint32_t t;
	bool ok;

	if (!first || first->type != PL_NOTIFY)
		return false;
	payload_notify_parse(first->body, first->len, &n);
	if (n.type != N_COOKIE)
		return false;
	if (n.len != COOKIE_LEN) {
		DBG2(LOG_NET, "found cookie, but content invalid");
		return false;
	}
	t = get32(n.data);
	if (t > now || now - t > COOKIE_LIFETIME) {
		DBG2(LOG_NET, "received cookie lifetime expired, rejecting");
		return false;
	}
	pthread_mutex_lock(&g->lock);
	/* Made before the last switch: with the secret before it. */
	cookie_mac(t >= g->switched ? g->secret : g->old_secret, n.data, in, msg,
		   mac);
	pthread_mutex_unlock(&g->lock);
	ok = CRYPTO_memcmp(mac, n.data + 4, sizeof(mac)) == 0;
	if (!ok)
		DBG2(LOG_NET, "found cookie, but content invalid");
	return ok;
}

static bool cookies_required(struct cookie_guard *g, uint32_t now,
			     size_t half_open)
{
	unsigned threshold = atomic_load(&g->cookie_threshold);
	bool required;

	pthread_mutex_lock(&g->lock);
	required = (threshold && half_open >= threshold) ||
		   (g->last_required && now < g->last_required + COOKIE_CALMDOWN);
	if (required)
		g->last_required = now;
	pthread_mutex_unlock(&g->lock);
	return required;
}

enum cookie_verdict cookie_screen(struct cookie_guard *g, uint32_t now,
				  size_t half_open, size_t from_peer,
				  const struct packet *in,
				  const struct ike_message *msg,
				  uint8_t cookie[COOKIE_LEN])
{
	unsigned block = atomic_load(&g->block_threshold);
	char host[64];

	if (cookies_required(g, now, half_open)) {
		if (!cookie_valid(g, now, in, msg)) {
			sockaddr_host(&in->remote, host, sizeof(host));
			DBG2(LOG_NET, "sending COOKIE notify to %s", host);
			cookie_make(g, now, in, msg, cookie);
			atomic_fetch_add(&g->sent, 1);
			return COOKIE_DEMAND;
		}
		atomic_fetch_add(&g->accepted, 1);
	}
	if (block && from_peer >= block) {
		sockaddr_host(&in->remote, host, sizeof(host));
		DBG1(LOG_NET, "ignoring IKE_SA setup from %s, peer too aggressive",
		     host);
		atomic_fetch_add(&g->blocked, 1);
		return COOKIE_DROP;
	}
	return COOKIE_PASS;
}
