#include "authority/crl.h"

#include <curl/curl.h>
#include <errno.h>
#include <limits.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "authority/certinfo.h"
#include "authority/x509name.h"
#include "log.h"

#define CRL_BODY_MAX (16 * 1024 * 1024)
#define REFRESH_MIN_S 60

enum entry_state { ENTRY_IDLE, ENTRY_QUEUED, ENTRY_FETCHING };

struct crl_entry {
	struct crl_entry *next;
	char *uri;
	X509_CRL *crl;		/* the last good one, NULL if none */
	enum entry_state state;
	time_t failed_at;	/* last failed fetch, 0 after a success */
	time_t fetched_at;	/* last successful fetch */
	CURL *easy;
	unsigned char *body;
	size_t body_len;
	bool body_too_large;
};

struct crl_fetcher {
	pthread_mutex_t lock;
	pthread_cond_t done;	/* broadcast whenever a fetch ends */
	pthread_t thread;
	bool thread_running;
	bool stop;
	CURLM *multi;
	struct crl_entry *entries;
	char cache_dir[PATH_MAX];
	long timeout_s;
	int max_waiters;
	int waiters;
	uint64_t fetch_ok;
	uint64_t fetch_failed;
};

static void cache_path(const struct crl_fetcher *f, const char *uri, char *out,
		       size_t len)
{
	unsigned char hash[SHA_DIGEST_LENGTH];
	char hex[2 * SHA_DIGEST_LENGTH + 1];

	SHA1((const unsigned char *)uri, strlen(uri), hash);
	for (size_t i = 0; i < sizeof(hash); i++)
		snprintf(hex + 2 * i, 3, "%02x", hash[i]);
	if (snprintf(out, len, "%s/%s.crl", f->cache_dir, hex) >= (int)len)
		out[0] = '\0';
}

X509_CRL *crl_parse(const unsigned char *data, size_t len)
{
	const unsigned char *p = data;
	X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)len);

	if (!crl) {
		BIO *bio = BIO_new_mem_buf(data, (int)len);
		crl = bio ? PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL) : NULL;
		BIO_free(bio);
	}
	ERR_clear_error();
	return crl;
}

static void cache_load(const struct crl_fetcher *f, struct crl_entry *e)
{
	char path[PATH_MAX];
	FILE *file;
	unsigned char *data;
	long len;

	if (!f->cache_dir[0])
		return;
	cache_path(f, e->uri, path, sizeof(path));
	file = path[0] ? fopen(path, "rb") : NULL;
	if (!file)
		return;
	if (fseek(file, 0, SEEK_END) == 0 && (len = ftell(file)) > 0 &&
	    len < CRL_BODY_MAX && fseek(file, 0, SEEK_SET) == 0 &&
	    (data = malloc((size_t)len))) {
		if (fread(data, 1, (size_t)len, file) == (size_t)len)
			e->crl = crl_parse(data, (size_t)len);
		free(data);
	}
	fclose(file);
	if (e->crl)
		DBG2(LOG_CFG, "  loaded cached crl for '%s' from '%s'", e->uri, path);
}

static void cache_store(const struct crl_fetcher *f, const struct crl_entry *e)
{
	char path[PATH_MAX];
	char tmp[PATH_MAX + 8];
	unsigned char *der = NULL;
	int len = i2d_X509_CRL(e->crl, &der);
	FILE *file;

	if (!f->cache_dir[0] || len <= 0) {
		OPENSSL_free(der);
		return;
	}
	cache_path(f, e->uri, path, sizeof(path));
	if (!path[0] || snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		OPENSSL_free(der);
		return;
	}
	file = fopen(tmp, "wb");
	if (file && fwrite(der, 1, (size_t)len, file) == (size_t)len &&
	    fclose(file) == 0) {
		if (rename(tmp, path) < 0)
			DBG1(LOG_CFG, "caching crl in '%s' failed: %s", path, strerror(errno));
	} else {
		if (file)
			fclose(file);
		unlink(tmp);
		DBG1(LOG_CFG, "writing crl cache '%s' failed", tmp);
	}
	OPENSSL_free(der);
}

static size_t write_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct crl_entry *e = arg;
	size_t len = size * nmemb;
	unsigned char *body;

	if (e->body_len + len > CRL_BODY_MAX) {
		e->body_too_large = true;
		return 0;
	}
	body = realloc(e->body, e->body_len + len);
	if (!body)
		return 0;
	memcpy(body + e->body_len, data, len);
	e->body = body;
	e->body_len += len;
	return len;
}

/* Called with the lock held, on the fetch thread. */
static void start_fetch(struct crl_fetcher *f, struct crl_entry *e)
{
	e->easy = curl_easy_init();
	e->body = NULL;
	e->body_len = 0;
	e->body_too_large = false;
	if (!e->easy) {
		e->state = ENTRY_IDLE;
		e->failed_at = time(NULL);
		return;
	}
	curl_easy_setopt(e->easy, CURLOPT_URL, e->uri);
	curl_easy_setopt(e->easy, CURLOPT_PROTOCOLS_STR, "http,https,file");
	curl_easy_setopt(e->easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e->easy, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(e->easy, CURLOPT_MAXREDIRS, 3L);
	curl_easy_setopt(e->easy, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(e->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e->easy, CURLOPT_TIMEOUT, f->timeout_s);
	curl_easy_setopt(e->easy, CURLOPT_WRITEFUNCTION, write_body);
	curl_easy_setopt(e->easy, CURLOPT_WRITEDATA, e);
	curl_easy_setopt(e->easy, CURLOPT_PRIVATE, e);
	e->state = ENTRY_FETCHING;
	curl_multi_add_handle(f->multi, e->easy);
	DBG1(LOG_CFG, "  fetching crl from '%s' ...", e->uri);
}

static void finish_fetch(struct crl_fetcher *f, struct crl_entry *e,
			 CURLcode result)
{
	X509_CRL *crl = NULL;

	curl_multi_remove_handle(f->multi, e->easy);
	curl_easy_cleanup(e->easy);
	e->easy = NULL;
	if (result == CURLE_OK)
		crl = crl_parse(e->body, e->body_len);
	pthread_mutex_lock(&f->lock);
	if (crl) {
		X509_CRL_free(e->crl);
		e->crl = crl;
		e->failed_at = 0;
		e->fetched_at = time(NULL);
		f->fetch_ok++;
		cache_store(f, e);
	} else {
		e->failed_at = time(NULL);
		f->fetch_failed++;
		DBG1(LOG_CFG, "  fetching crl from '%s' failed: %s", e->uri,
		     result != CURLE_OK ? curl_easy_strerror(result) :
		     e->body_too_large ? "too large" : "not a crl");
	}
	e->state = ENTRY_IDLE;
	free(e->body);
	e->body = NULL;
	pthread_cond_broadcast(&f->done);
	pthread_mutex_unlock(&f->lock);
}

static bool due_for_refresh(const struct crl_entry *e, time_t now)
{
	const ASN1_TIME *next_asn1 = e->crl ? X509_CRL_get0_nextUpdate(e->crl) : NULL;
	time_t next, last, margin;

	if (!next_asn1 || e->state != ENTRY_IDLE)
		return false;
	if (e->failed_at && now - e->failed_at < FETCH_RETRY_S)
		return false;
	/* a server still handing out the old CRL is asked once a minute */
	if (now - e->fetched_at < REFRESH_MIN_S)
		return false;
	next = asn1_time_to_unix(next_asn1);
	last = asn1_time_to_unix(X509_CRL_get0_lastUpdate(e->crl));
	margin = (next - last) / 10;
	if (margin < REFRESH_MIN_S)
		margin = REFRESH_MIN_S;
	return now >= next - margin;
}

/* Queued entries start; CRLs close to their nextUpdate are refetched. */
static void schedule(struct crl_fetcher *f)
{
	time_t now = time(NULL);

	for (struct crl_entry *e = f->entries; e; e = e->next) {
		if (due_for_refresh(e, now))
			e->state = ENTRY_QUEUED;
		if (e->state == ENTRY_QUEUED)
			start_fetch(f, e);
	}
}

static void collect_done(struct crl_fetcher *f)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(f->multi, &left))) {
		struct crl_entry *e = NULL;
		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&e);
		if (e)
			finish_fetch(f, e, msg->data.result);
	}
}

static void *fetch_thread(void *arg)
{
	struct crl_fetcher *f = arg;
	int running;

	pthread_mutex_lock(&f->lock);
	while (!f->stop) {
		schedule(f);
		pthread_mutex_unlock(&f->lock);
		curl_multi_perform(f->multi, &running);
		collect_done(f);
		curl_multi_poll(f->multi, NULL, 0, 1000, NULL);
		curl_multi_perform(f->multi, &running);
		collect_done(f);
		pthread_mutex_lock(&f->lock);
	}
	pthread_mutex_unlock(&f->lock);
	return NULL;
}

struct crl_fetcher *crl_fetcher_new(const char *cache_dir, long fetch_timeout_s,
				    int workers, char *err, size_t errlen)
{
	struct crl_fetcher *f = calloc(1, sizeof(*f));
	pthread_condattr_t attr;

	if (!f) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	pthread_mutex_init(&f->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&f->done, &attr);
	pthread_condattr_destroy(&attr);
	snprintf(f->cache_dir, sizeof(f->cache_dir), "%s", cache_dir);
	if (f->cache_dir[0] && mkdir(f->cache_dir, 0750) < 0 && errno != EEXIST) {
		DBG1(LOG_CFG, "crl cache directory '%s' unusable: %s, caching in "
		     "memory only", f->cache_dir, strerror(errno));
		f->cache_dir[0] = '\0';
	}
	f->timeout_s = fetch_timeout_s;
	f->max_waiters = workers / 2 > 0 ? workers / 2 : 1;
	f->multi = curl_multi_init();
	if (!f->multi || pthread_create(&f->thread, NULL, fetch_thread, f) != 0) {
		snprintf(err, errlen, "cannot start the crl fetcher");
		crl_fetcher_free(f);
		return NULL;
	}
	f->thread_running = true;
	return f;
}

void crl_fetcher_stop(struct crl_fetcher *f)
{
	if (!f || !f->thread_running)
		return;
	pthread_mutex_lock(&f->lock);
	f->stop = true;
	pthread_cond_broadcast(&f->done);
	pthread_mutex_unlock(&f->lock);
	curl_multi_wakeup(f->multi);
	pthread_join(f->thread, NULL);
	f->thread_running = false;
}

void crl_fetcher_free(struct crl_fetcher *f)
{
	struct crl_entry *next;

	if (!f)
		return;
	crl_fetcher_stop(f);
	for (struct crl_entry *e = f->entries; e; e = next) {
		next = e->next;
		if (e->easy) {
			curl_multi_remove_handle(f->multi, e->easy);
			curl_easy_cleanup(e->easy);
		}
		X509_CRL_free(e->crl);
		free(e->body);
		free(e->uri);
		free(e);
	}
	if (f->multi)
		curl_multi_cleanup(f->multi);
	pthread_cond_destroy(&f->done);
	pthread_mutex_destroy(&f->lock);
	free(f);
}

void crl_fetcher_stats(struct crl_fetcher *f, struct crl_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (!f)
		return;
	pthread_mutex_lock(&f->lock);
	for (struct crl_entry *e = f->entries; e; e = e->next)
		out->cached += e->crl != NULL;
	out->fetch_ok = f->fetch_ok;
	out->fetch_failed = f->fetch_failed;
	pthread_mutex_unlock(&f->lock);
}

/* Lock held. */
static struct crl_entry *entry_get(struct crl_fetcher *f, const char *uri)
{
	struct crl_entry *e;

	for (e = f->entries; e; e = e->next) {
		if (strcmp(e->uri, uri) == 0)
			return e;
	}
	e = calloc(1, sizeof(*e));
	if (!e || !(e->uri = strdup(uri))) {
		free(e);
		return NULL;
	}
	cache_load(f, e);
	e->next = f->entries;
	f->entries = e;
	return e;
}

static bool crl_is_current(X509_CRL *crl, time_t now)
{
	const ASN1_TIME *next = X509_CRL_get0_nextUpdate(crl);

	return !next || asn1_time_to_unix(next) > now;
}

static struct timespec deadline_after(long ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

bool crl_fetcher_wait_begin(struct crl_fetcher *f)
{
	bool ok;

	if (!f)
		return true;
	pthread_mutex_lock(&f->lock);
	ok = f->waiters < f->max_waiters;
	if (ok)
		f->waiters++;
	pthread_mutex_unlock(&f->lock);
	return ok;
}

void crl_fetcher_wait_end(struct crl_fetcher *f)
{
	if (!f)
		return;
	pthread_mutex_lock(&f->lock);
	f->waiters--;
	pthread_mutex_unlock(&f->lock);
}

/* Lock held.  Waits for e's fetch unless too many workers wait already. */
static void wait_for_fetch(struct crl_fetcher *f, struct crl_entry *e, long wait_ms)
{
	struct timespec deadline = deadline_after(wait_ms);

	if (f->waiters >= f->max_waiters) {
		DBG1(LOG_CFG, "  not waiting for crl from '%s': %d requests wait "
		     "already", e->uri, f->waiters);
		return;
	}
	f->waiters++;
	while (e->state != ENTRY_IDLE && !f->stop) {
		if (pthread_cond_timedwait(&f->done, &f->lock, &deadline) == ETIMEDOUT)
			break;
	}
	f->waiters--;
}

/* The CRL at uri, fetched if needed: a new reference or NULL. */
static X509_CRL *crl_for_uri(struct crl_fetcher *f, const char *uri, long wait_ms)
{
	time_t now = time(NULL);
	X509_CRL *crl = NULL;
	struct crl_entry *e;

	pthread_mutex_lock(&f->lock);
	e = entry_get(f, uri);
	if (e && !(e->crl && crl_is_current(e->crl, now))) {
		bool retry_ok = !e->failed_at || now - e->failed_at >= FETCH_RETRY_S;
		if (e->state == ENTRY_IDLE && retry_ok) {
			e->state = ENTRY_QUEUED;
			curl_multi_wakeup(f->multi);
		}
		if (e->state != ENTRY_IDLE)
			wait_for_fetch(f, e, wait_ms);
	}
	if (e && e->crl && X509_CRL_up_ref(e->crl))
		crl = e->crl;
	pthread_mutex_unlock(&f->lock);
	return crl;
}

enum revocation_status crl_check_one(X509_CRL *crl, X509 *cert, X509 *issuer,
				     char *detail, size_t len)
{
	char issuer_dn[DN_MAX];
	char when[64];
	X509_REVOKED *rev = NULL;
	const ASN1_TIME *next = X509_CRL_get0_nextUpdate(crl);
	time_t now = time(NULL);

	dn_format(X509_get_subject_name(issuer), issuer_dn, sizeof(issuer_dn));
	if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(issuer)) != 0) {
		snprintf(detail, len, "crl not issued by \"%s\"", issuer_dn);
		return REVOCATION_UNKNOWN;
	}
	DBG1(LOG_CFG, "  using trusted certificate \"%s\"", issuer_dn);
	if (X509_CRL_verify(crl, X509_get0_pubkey(issuer)) != 1) {
		ERR_clear_error();
		DBG1(LOG_CFG, "crl response verification failed");
		snprintf(detail, len, "crl signature verification with \"%s\" failed",
			 issuer_dn);
		return REVOCATION_UNKNOWN;
	}
	DBG1(LOG_CFG, "  crl correctly signed by \"%s\"", issuer_dn);
	if (X509_CRL_get0_by_cert(crl, &rev, cert) == 1) {
		ASN1_ENUMERATED *reason = X509_REVOKED_get_ext_d2i(rev, NID_crl_reason,
								   NULL, NULL);
		int code = reason ? (int)ASN1_ENUMERATED_get(reason) : 0;
		ASN1_ENUMERATED_free(reason);
		time_format(asn1_time_to_unix(X509_REVOKED_get0_revocationDate(rev)),
			    when, sizeof(when));
		DBG1(LOG_CFG, "certificate was revoked on %s, reason: %s", when,
		     crl_reason_name(code));
		snprintf(detail, len, "certificate was revoked on %s, reason: %s",
			 when, crl_reason_name(code));
		return REVOCATION_REVOKED;
	}
	if (next) {
		time_format(asn1_time_to_unix(next), when, sizeof(when));
		if (asn1_time_to_unix(next) <= now) {
			DBG1(LOG_CFG, "  crl is stale: since %s", when);
			snprintf(detail, len, "crl is stale since %s", when);
			return REVOCATION_UNKNOWN;
		}
		DBG1(LOG_CFG, "  crl is valid: until %s", when);
	}
	return REVOCATION_GOOD;
}

static void merge(struct revocation_result *out, enum revocation_status status,
		  const char *detail)
{
	if (out->status == REVOCATION_REVOKED)
		return;
	if (status == REVOCATION_REVOKED ||
	    (status == REVOCATION_GOOD && out->status == REVOCATION_UNKNOWN)) {
		out->status = status;
		snprintf(out->detail, sizeof(out->detail), "%s", detail);
	} else if (status == REVOCATION_UNKNOWN && out->status == REVOCATION_UNKNOWN &&
		   detail[0]) {
		snprintf(out->detail, sizeof(out->detail), "%s", detail);
	}
}

void crl_check(struct crl_fetcher *f, const struct cred_store *store,
	       X509 *cert, X509 *issuer, char **uris, size_t n_uris,
	       long wait_ms, struct revocation_result *out)
{
	char detail[256];

	out->status = REVOCATION_UNKNOWN;
	out->had_uri = n_uris > 0;
	snprintf(out->detail, sizeof(out->detail), "no crl available");
	for (size_t i = 0; i < store->n_crls; i++) {
		if (X509_NAME_cmp(X509_CRL_get_issuer(store->crls[i]),
				  X509_get_subject_name(issuer)) != 0)
			continue;
		detail[0] = '\0';
		merge(out, crl_check_one(store->crls[i], cert, issuer, detail,
					 sizeof(detail)), detail);
	}
	for (size_t i = 0; f && i < n_uris && out->status != REVOCATION_REVOKED; i++) {
		X509_CRL *crl = crl_for_uri(f, uris[i], wait_ms);
		if (!crl) {
			snprintf(detail, sizeof(detail), "crl from '%s' unavailable",
				 uris[i]);
			merge(out, REVOCATION_UNKNOWN, detail);
			continue;
		}
		detail[0] = '\0';
		merge(out, crl_check_one(crl, cert, issuer, detail, sizeof(detail)),
		      detail);
		X509_CRL_free(crl);
	}
}

size_t crl_fetcher_list(struct crl_fetcher *f, Cygnet__CrlInfo **out, size_t max)
{
	size_t n = 0;

	if (!f)
		return 0;
	pthread_mutex_lock(&f->lock);
	for (struct crl_entry *e = f->entries; e && n < max; e = e->next) {
		if (e->crl && (out[n] = crlinfo_new(e->crl, e->uri)))
			n++;
	}
	pthread_mutex_unlock(&f->lock);
	return n;
}
