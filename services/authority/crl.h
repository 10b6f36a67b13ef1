/* Revocation by CRL: CRLs from the certificate's distribution points and
 * from authorities { crl_uris }, fetched by libcurl (http, https, file) on
 * a dedicated thread driving a curl multi handle, so a slow server never
 * holds up anything but the requests that need its CRL.  Fetched CRLs are
 * cached in memory and on disk and refreshed before their nextUpdate.
 *
 * Why waiting is bounded: RPC handlers run on a fixed pool of workers and
 * a verify that needs a CRL not yet cached waits for its fetch.  Every
 * wait ends after revocation_wait, a failed fetch is not retried for
 * FETCH_RETRY_S seconds, and at most half of the workers wait at any time;
 * beyond that a request is answered at once from what the cache holds
 * (the fetch goes on and serves later requests).  So a dead CRL server
 * can never occupy every worker. */
#ifndef AUTHORITY_CRL_H
#define AUTHORITY_CRL_H

#include <openssl/x509.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "authority.pb-c.h"
#include "authority/store.h"

#define FETCH_RETRY_S 30

struct crl_fetcher;

struct crl_stats {
	uint64_t cached;
	uint64_t fetch_ok;
	uint64_t fetch_failed;
};

/* cache_dir may be "" for no disk cache. */
struct crl_fetcher *crl_fetcher_new(const char *cache_dir, long fetch_timeout_s,
				    int workers, char *err, size_t errlen);
void crl_fetcher_stop(struct crl_fetcher *f);
void crl_fetcher_free(struct crl_fetcher *f);
void crl_fetcher_stats(struct crl_fetcher *f, struct crl_stats *out);

enum revocation_status {
	REVOCATION_GOOD,
	REVOCATION_REVOKED,
	REVOCATION_UNKNOWN,
};

struct revocation_result {
	enum revocation_status status;
	bool had_uri;		/* a CRL or OCSP URI was known */
	char detail[256];	/* why, for the verify reply */
};

/* The status of cert, issued by issuer, from the store's x509crl/ CRLs
 * and the CRLs at uris (fetched if needed, waiting at most wait_ms). */
void crl_check(struct crl_fetcher *f, const struct cred_store *store,
	       X509 *cert, X509 *issuer, char **uris, size_t n_uris,
	       long wait_ms, struct revocation_result *out);

/* A CRL in DER or PEM, or NULL. */
X509_CRL *crl_parse(const unsigned char *data, size_t len);

/* Checks one CRL against cert and issuer: issuer name, signature, dates. */
enum revocation_status crl_check_one(X509_CRL *crl, X509 *cert, X509 *issuer,
				     char *detail, size_t len);

/* A slot among the requests allowed to wait for the network (half the
 * workers); false when all are taken.  Always true for f == NULL. */
bool crl_fetcher_wait_begin(struct crl_fetcher *f);
void crl_fetcher_wait_end(struct crl_fetcher *f);

/* Every cached CRL, for --list-crls; returns how many were stored. */
size_t crl_fetcher_list(struct crl_fetcher *f, Cygnet__CrlInfo **out, size_t max);

#endif
