/* Revocation by OCSP (RFC 6960): a request with a nonce POSTed by libcurl
 * to the responders the certificate names (authorityInfoAccess) or the
 * authority's ocsp_uris, the signed response checked against the trust
 * store (the issuer itself or a delegated OCSP signer), and the answer
 * cached until its nextUpdate.
 *
 * The request runs on the RPC worker that verifies, bounded by the
 * revocation wait, and only while a waiter slot of the CRL fetcher is
 * free (the same rule keeps half the workers free of network waits); when
 * none is, OCSP is skipped and the CRLs decide. */
#ifndef AUTHORITY_OCSP_H
#define AUTHORITY_OCSP_H

#include <openssl/x509.h>
#include <stdint.h>

#include "authority/crl.h"
#include "authority/store.h"

struct ocsp_client;

struct ocsp_client *ocsp_client_new(void);
void ocsp_client_free(struct ocsp_client *o);
/* Responses that gave a status, and requests that did not. */
void ocsp_client_stats(struct ocsp_client *o, uint64_t *ok, uint64_t *failed);

/* The OCSP status of cert (issued by issuer) from uris; REVOCATION_UNKNOWN
 * when no responder gave a usable answer. */
void ocsp_check(struct ocsp_client *o, struct crl_fetcher *waiters,
		const struct cred_store *store, X509 *cert, X509 *issuer,
		char **uris, size_t n_uris, long wait_ms,
		struct revocation_result *out);

#endif
