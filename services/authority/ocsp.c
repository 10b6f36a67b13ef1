#include "authority/ocsp.h"

#include <curl/curl.h>
#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "authority/x509name.h"
#include "log.h"

#define OCSP_BODY_MAX (1024 * 1024)
#define OCSP_MAX_AGE_S 300	/* validity when nextUpdate is absent */
#define OCSP_LEEWAY_S 300

struct ocsp_entry {
	struct ocsp_entry *next;
	OCSP_CERTID *id;
	enum revocation_status status;
	char detail[256];
	time_t valid_until;
};

struct ocsp_client {
	pthread_mutex_t lock;
	struct ocsp_entry *entries;
	uint64_t ok;
	uint64_t failed;
};

struct body {
	unsigned char *data;
	size_t len;
};

struct ocsp_client *ocsp_client_new(void)
{
	struct ocsp_client *o = calloc(1, sizeof(*o));

	if (o)
		pthread_mutex_init(&o->lock, NULL);
	return o;
}

void ocsp_client_stats(struct ocsp_client *o, uint64_t *ok, uint64_t *failed)
{
	*ok = *failed = 0;
	if (!o)
		return;
	pthread_mutex_lock(&o->lock);
	*ok = o->ok;
	*failed = o->failed;
	pthread_mutex_unlock(&o->lock);
}

static void count(struct ocsp_client *o, bool ok)
{
	pthread_mutex_lock(&o->lock);
	if (ok)
		o->ok++;
	else
		o->failed++;
	pthread_mutex_unlock(&o->lock);
}

void ocsp_client_free(struct ocsp_client *o)
{
	struct ocsp_entry *next;

	if (!o)
		return;
	for (struct ocsp_entry *e = o->entries; e; e = next) {
		next = e->next;
		OCSP_CERTID_free(e->id);
		free(e);
	}
	pthread_mutex_destroy(&o->lock);
	free(o);
}

static bool cache_lookup(struct ocsp_client *o, OCSP_CERTID *id,
			 struct revocation_result *out)
{
	time_t now = time(NULL);
	bool found = false;

	pthread_mutex_lock(&o->lock);
	for (struct ocsp_entry *e = o->entries; e && !found; e = e->next) {
		if (OCSP_id_cmp(e->id, id) == 0 && e->valid_until > now) {
			out->status = e->status;
			snprintf(out->detail, sizeof(out->detail), "%s", e->detail);
			found = true;
		}
	}
	pthread_mutex_unlock(&o->lock);
	return found;
}

static void cache_store(struct ocsp_client *o, OCSP_CERTID *id,
			const struct revocation_result *r, time_t valid_until)
{
	struct ocsp_entry *e;

	pthread_mutex_lock(&o->lock);
	for (e = o->entries; e; e = e->next) {
		if (OCSP_id_cmp(e->id, id) == 0)
			break;
	}
	if (!e && (e = calloc(1, sizeof(*e))) && (e->id = OCSP_CERTID_dup(id))) {
		e->next = o->entries;
		o->entries = e;
	} else if (e && !e->id) {
		free(e);
		e = NULL;
	}
	if (e) {
		e->status = r->status;
		snprintf(e->detail, sizeof(e->detail), "%s", r->detail);
		e->valid_until = valid_until;
	}
	pthread_mutex_unlock(&o->lock);
}

static size_t collect(char *data, size_t size, size_t nmemb, void *arg)
{
	struct body *b = arg;
	size_t len = size * nmemb;
	unsigned char *grown;

	if (b->len + len > OCSP_BODY_MAX || !(grown = realloc(b->data, b->len + len)))
		return 0;
	memcpy(grown + b->len, data, len);
	b->data = grown;
	b->len += len;
	return len;
}

/* POSTs the DER request; the response body or NULL. */
static OCSP_RESPONSE *post(const char *uri, const unsigned char *der, int len,
			   long wait_ms)
{
	CURL *curl = curl_easy_init();
	struct curl_slist *headers = curl_slist_append(NULL,
		"Content-Type: application/ocsp-request");
	struct body b = { NULL, 0 };
	OCSP_RESPONSE *resp = NULL;
	CURLcode rc = CURLE_FAILED_INIT;

	if (curl && headers) {
		curl_easy_setopt(curl, CURLOPT_URL, uri);
		curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
		curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, der);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)len);
		curl_easy_setopt(curl, CURLOPT_FAILONERROR, 1L);
		curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, wait_ms);
		curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
		curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
		rc = curl_easy_perform(curl);
	}
	if (rc == CURLE_OK) {
		const unsigned char *p = b.data;
		resp = d2i_OCSP_RESPONSE(NULL, &p, (long)b.len);
	} else {
		DBG1(LOG_CFG, "ocsp request to %s failed: %s", uri, curl_easy_strerror(rc));
	}
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	free(b.data);
	return resp;
}

/* Signature by the issuer or a signer it delegated to, chained to the
 * trust store; the nonce must be echoed when the responder sends one. */
static OCSP_BASICRESP *checked_basic(OCSP_RESPONSE *resp, OCSP_REQUEST *req,
				     X509 *issuer, const struct cred_store *store,
				     char *why, size_t whylen)
{
	OCSP_BASICRESP *basic;
	STACK_OF(X509) *extra = sk_X509_new_null();
	int nonce;

	if (OCSP_response_status(resp) != OCSP_RESPONSE_STATUS_SUCCESSFUL ||
	    !(basic = OCSP_response_get1_basic(resp))) {
		snprintf(why, whylen, "ocsp response status %s",
			 OCSP_response_status_str(OCSP_response_status(resp)));
		sk_X509_free(extra);
		return NULL;
	}
	nonce = OCSP_check_nonce(req, basic);
	if (nonce == 0) {
		snprintf(why, whylen, "ocsp response nonce does not match");
	} else if (!extra || !sk_X509_push(extra, issuer) ||
		   OCSP_basic_verify(basic, extra, store->trust, 0) <= 0) {
		snprintf(why, whylen, "ocsp response signature verification failed");
	} else {
		sk_X509_free(extra);
		ERR_clear_error();
		if (nonce < 0)
			DBG1(LOG_CFG, "  ocsp response without nonce accepted");
		return basic;
	}
	sk_X509_free(extra);
	OCSP_BASICRESP_free(basic);
	ERR_clear_error();
	return NULL;
}

/* Who signed BASIC: a delegated signer the response carries, or ISSUER. */
static void signer_dn(OCSP_BASICRESP *basic, X509 *issuer, char *buf, size_t len)
{
	STACK_OF(X509) *extra = sk_X509_new_null();
	X509 *signer = NULL;

	if (!extra || !sk_X509_push(extra, issuer) ||
	    OCSP_resp_get0_signer(basic, &signer, extra) != 1)
		signer = issuer;
	dn_format(X509_get_subject_name(signer), buf, len);
	sk_X509_free(extra);
	ERR_clear_error();
}

/* The single response for id: status, dates; returns its expiry or 0. */
static time_t evaluate(OCSP_BASICRESP *basic, OCSP_CERTID *id,
		       struct revocation_result *out)
{
	int status, reason = 0;
	ASN1_GENERALIZEDTIME *revtime, *thisupd, *nextupd;
	char when[64];

	if (!OCSP_resp_find_status(basic, id, &status, &reason, &revtime,
				   &thisupd, &nextupd)) {
		snprintf(out->detail, sizeof(out->detail), "ocsp response lacks the certificate");
		return 0;
	}
	if (!OCSP_check_validity(thisupd, nextupd, OCSP_LEEWAY_S, -1)) {
		ERR_clear_error();
		snprintf(out->detail, sizeof(out->detail), "ocsp response is stale");
		return 0;
	}
	if (status == V_OCSP_CERTSTATUS_REVOKED) {
		time_format(asn1_time_to_unix(revtime), when, sizeof(when));
		DBG1(LOG_CFG, "certificate was revoked on %s, reason: %s", when,
		     crl_reason_name(reason < 0 ? 0 : reason));
		snprintf(out->detail, sizeof(out->detail),
			 "certificate was revoked on %s, reason: %s", when,
			 crl_reason_name(reason < 0 ? 0 : reason));
		out->status = REVOCATION_REVOKED;
	} else if (status == V_OCSP_CERTSTATUS_GOOD) {
		out->status = REVOCATION_GOOD;
		out->detail[0] = '\0';
	} else {
		snprintf(out->detail, sizeof(out->detail), "ocsp status unknown");
		return 0;
	}
	if (nextupd) {
		time_format(asn1_time_to_unix(nextupd), when, sizeof(when));
		DBG1(LOG_CFG, "  ocsp response is valid: until %s", when);
		return asn1_time_to_unix(nextupd);
	}
	return time(NULL) + OCSP_MAX_AGE_S;
}

static void ask_responder(struct ocsp_client *o, const struct cred_store *store,
			  OCSP_CERTID *id, X509 *issuer, const char *uri,
			  long wait_ms, struct revocation_result *out)
{
	OCSP_REQUEST *req = OCSP_REQUEST_new();
	OCSP_CERTID *req_id = OCSP_CERTID_dup(id);
	OCSP_RESPONSE *resp = NULL;
	OCSP_BASICRESP *basic = NULL;
	unsigned char *der = NULL;
	int len = 0;
	char signer[DN_MAX];
	time_t until;

	if (!req || !req_id || !OCSP_request_add0_id(req, req_id)) {
		OCSP_CERTID_free(req_id);
		goto done;
	}
	if (!OCSP_request_add1_nonce(req, NULL, -1) || (len = i2d_OCSP_REQUEST(req, &der)) <= 0)
		goto done;
	DBG1(LOG_CFG, "  requesting ocsp status from '%s' ...", uri);
	resp = post(uri, der, len, wait_ms);
	if (!resp) {
		snprintf(out->detail, sizeof(out->detail), "no ocsp response from '%s'", uri);
		goto done;
	}
	basic = checked_basic(resp, req, issuer, store, out->detail, sizeof(out->detail));
	if (!basic) {
		DBG1(LOG_CFG, "  %s", out->detail);
		goto done;
	}
	signer_dn(basic, issuer, signer, sizeof(signer));
	DBG1(LOG_CFG, "  ocsp response correctly signed by \"%s\"", signer);
	until = evaluate(basic, id, out);
	if (until)
		cache_store(o, id, out, until);
done:
	count(o, out->status != REVOCATION_UNKNOWN);
	OCSP_BASICRESP_free(basic);
	OCSP_RESPONSE_free(resp);
	OCSP_REQUEST_free(req);
	OPENSSL_free(der);
	ERR_clear_error();
}

void ocsp_check(struct ocsp_client *o, struct crl_fetcher *waiters,
		const struct cred_store *store, X509 *cert, X509 *issuer,
		char **uris, size_t n_uris, long wait_ms,
		struct revocation_result *out)
{
	OCSP_CERTID *id = OCSP_cert_to_id(NULL, cert, issuer);

	out->status = REVOCATION_UNKNOWN;
	out->had_uri = n_uris > 0;
	snprintf(out->detail, sizeof(out->detail), "no ocsp status available");
	if (!o || !id || n_uris == 0 || cache_lookup(o, id, out)) {
		OCSP_CERTID_free(id);
		return;
	}
	if (!crl_fetcher_wait_begin(waiters)) {
		DBG1(LOG_CFG, "  not asking ocsp responders: too many requests wait");
		OCSP_CERTID_free(id);
		return;
	}
	for (size_t i = 0; i < n_uris && out->status == REVOCATION_UNKNOWN; i++)
		ask_responder(o, store, id, issuer, uris[i], wait_ms, out);
	crl_fetcher_wait_end(waiters);
	OCSP_CERTID_free(id);
}
