/* Trust decisions: a peer's certificate chain against the CA store
 * (OpenSSL X509_STORE: validity, signatures, basic constraints, path
 * length, CA key usage), required EKU, the connection's cacerts,
 * revocation under the connection's policy and the IKE identity. */
#ifndef AUTHORITY_VERIFY_H
#define AUTHORITY_VERIFY_H

#include <openssl/x509.h>

#include "authority.pb-c.h"
#include "authority/crl.h"
#include "authority/ocsp.h"
#include "authority/store.h"

#define TRUST_PATH_MAX 10

struct verify_params {
	X509 *cert;			/* end entity */
	STACK_OF(X509) *untrusted;	/* intermediates the peer sent, may be NULL */
	const Cygnet__Identity *identity;	/* NULL: not checked */
	Cygnet__RevocationPolicy revocation;
	char **cacerts;
	size_t n_cacerts;
	const char *required_eku;	/* NULL or "": none */
	long wait_ms;			/* for CRL and OCSP fetches */
	struct ocsp_client *ocsp;	/* NULL: CRLs only */
};

struct verify_result {
	Cygnet__CertStatus status;
	char reason[256];
	char subject[DN_MAX];
	char path[TRUST_PATH_MAX][DN_MAX];
	size_t n_path;
};

void verify_cert(struct crl_fetcher *crl, const struct cred_store *store,
		 const struct verify_params *params, struct verify_result *result);

#endif
