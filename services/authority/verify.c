#include "authority/verify.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "authority/keysel.h"
#include "authority/x509name.h"
#include "log.h"

#define URIS_MAX 16

static void fail(struct verify_result *r, Cygnet__CertStatus status,
		 const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void fail(struct verify_result *r, Cygnet__CertStatus status,
		 const char *fmt, ...)
{
	va_list ap;

	r->status = status;
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
	DBG1(LOG_CFG, "certificate \"%s\" rejected: %s", r->subject, r->reason);
}

static Cygnet__CertStatus status_of_error(int err)
{
	switch (err) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
		return CYGNET__CERT_STATUS__CERT_EXPIRED;
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return CYGNET__CERT_STATUS__CERT_NOT_YET_VALID;
	case X509_V_ERR_INVALID_CA:
	case X509_V_ERR_PATH_LENGTH_EXCEEDED:
	case X509_V_ERR_KEYUSAGE_NO_CERTSIGN:
	case X509_V_ERR_INVALID_PURPOSE:
	case X509_V_ERR_INVALID_EXTENSION:
	case X509_V_ERR_INVALID_NON_CA:
		return CYGNET__CERT_STATUS__CERT_CONSTRAINT_VIOLATED;
	default:
		return CYGNET__CERT_STATUS__CERT_UNTRUSTED_CHAIN;
	}
}

static int run_verify(const struct cred_store *store, const struct verify_params *p,
		      unsigned long flags, STACK_OF(X509) **chain, X509 **at)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int err = X509_V_ERR_OUT_OF_MEM;

	*chain = NULL;
	*at = NULL;
	if (!ctx || !X509_STORE_CTX_init(ctx, store->trust, p->cert, p->untrusted)) {
		X509_STORE_CTX_free(ctx);
		return err;
	}
	X509_STORE_CTX_set_flags(ctx, flags);
	if (X509_verify_cert(ctx) == 1) {
		*chain = X509_STORE_CTX_get1_chain(ctx);
		err = X509_V_OK;
	} else {
		err = X509_STORE_CTX_get_error(ctx);
		*at = X509_STORE_CTX_get_current_cert(ctx);
		if (*at)
			X509_up_ref(*at);
	}
	X509_STORE_CTX_free(ctx);
	return err;
}

/* Path validation up to a self-signed root; failing that, CA certificates
 * in x509ca/ that are intermediates serve as trust anchors too, as in
 * strongSwan.  Returns the chain or NULL. */
static STACK_OF(X509) *build_chain(const struct cred_store *store,
				   const struct verify_params *p,
				   struct verify_result *r)
{
	STACK_OF(X509) *chain;
	X509 *at;
	char where[DN_MAX] = "";
	int err = run_verify(store, p, 0, &chain, &at);

	if (err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
	    err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT) {
		X509_free(at);
		err = run_verify(store, p, X509_V_FLAG_PARTIAL_CHAIN, &chain, &at);
	}
	if (err != X509_V_OK) {
		if (at)
			dn_format(X509_get_subject_name(at), where, sizeof(where));
		fail(r, status_of_error(err), "%s (\"%s\")",
		     X509_verify_cert_error_string(err), where[0] ? where : r->subject);
	}
	X509_free(at);
	ERR_clear_error();
	return chain;
}

static void record_path(STACK_OF(X509) *chain, struct verify_result *r)
{
	int n = sk_X509_num(chain);

	for (int i = 0; i < n && r->n_path < TRUST_PATH_MAX; i++) {
		dn_format(X509_get_subject_name(sk_X509_value(chain, i)),
			  r->path[r->n_path], sizeof(r->path[0]));
		r->n_path++;
	}
}

/* charon's words for the issuer it walks to next: a root, an intermediate
 * loaded here, or one only the peer sent. */
static void log_issuer(const struct cred_store *store, STACK_OF(X509) *chain, int i)
{
	X509 *issuer = sk_X509_value(chain, i);
	char dn[DN_MAX];

	dn_format(X509_get_subject_name(issuer), dn, sizeof(dn));
	if (i == sk_X509_num(chain) - 1)
		DBG1(LOG_CFG, "  using trusted ca certificate \"%s\"", dn);
	else if (store_find_cert_by_x509(store, issuer))
		DBG1(LOG_CFG, "  using trusted intermediate ca certificate \"%s\"", dn);
	else
		DBG1(LOG_CFG, "  using untrusted intermediate certificate \"%s\"", dn);
}

static bool chain_has_ca(const struct cred_store *store, STACK_OF(X509) *chain,
			 const char *name)
{
	const struct cred_cert *wanted = store_find_cert_by_name(store, name);

	for (int i = 1; wanted && i < sk_X509_num(chain); i++) {
		if (X509_cmp(sk_X509_value(chain, i), wanted->x509) == 0)
			return true;
	}
	return false;
}

static bool cacerts_allowed(const struct cred_store *store, STACK_OF(X509) *chain,
			    const struct verify_params *p)
{
	for (size_t i = 0; i < p->n_cacerts; i++) {
		if (chain_has_ca(store, chain, p->cacerts[i]))
			return true;
	}
	return p->n_cacerts == 0;
}

static bool has_eku(X509 *cert, const char *eku)
{
	EXTENDED_KEY_USAGE *usages;
	ASN1_OBJECT *wanted;
	bool found = false;

	if (strcmp(eku, "serverAuth") == 0)
		wanted = OBJ_nid2obj(NID_server_auth);
	else if (strcmp(eku, "clientAuth") == 0)
		wanted = OBJ_nid2obj(NID_client_auth);
	else
		wanted = OBJ_txt2obj(eku, 1);
	usages = X509_get_ext_d2i(cert, NID_ext_key_usage, NULL, NULL);
	for (int i = 0; wanted && usages && !found && i < sk_ASN1_OBJECT_num(usages); i++)
		found = OBJ_cmp(sk_ASN1_OBJECT_value(usages, i), wanted) == 0;
	EXTENDED_KEY_USAGE_free(usages);
	ASN1_OBJECT_free(wanted);
	return found;
}

static size_t add_uris(char **uris, size_t n, char *const *extra, size_t n_extra)
{
	for (size_t i = 0; i < n_extra && n < URIS_MAX; i++) {
		char *copy = strdup(extra[i]);
		if (copy)
			uris[n++] = copy;
	}
	return n;
}

/* A certificate may only send us to http(s); file:// and the like are
 * for the operator's authorities { crl_uris }. */
static size_t keep_http(char **uris, size_t n)
{
	size_t kept = 0;

	for (size_t i = 0; i < n; i++) {
		if (strncasecmp(uris[i], "http://", 7) == 0 ||
		    strncasecmp(uris[i], "https://", 8) == 0)
			uris[kept++] = uris[i];
		else
			free(uris[i]);
	}
	return kept;
}

static size_t crl_uris(const struct cred_store *store, X509 *cert, X509 *issuer,
		       char **uris)
{
	size_t n = keep_http(uris, cert_crl_uris(cert, uris, URIS_MAX));
	const struct cred_authority *auth = store_find_authority(store, issuer);

	return auth ? add_uris(uris, n, auth->crl_uris, auth->n_crl_uris) : n;
}

static size_t ocsp_uris(const struct cred_store *store, X509 *cert, X509 *issuer,
			char **uris)
{
	size_t n = keep_http(uris, cert_ocsp_uris(cert, uris, URIS_MAX));
	const struct cred_authority *auth = store_find_authority(store, issuer);

	return auth ? add_uris(uris, n, auth->ocsp_uris, auth->n_ocsp_uris) : n;
}

/* OCSP first when a responder is named, then CRLs (RFC 6960 and strongSwan
 * order); had_uri covers both. */
static void revocation_status(struct crl_fetcher *crl, const struct cred_store *store,
			      X509 *cert, X509 *issuer, const struct verify_params *p,
			      struct revocation_result *rev)
{
	char *uris[URIS_MAX];
	size_t n = ocsp_uris(store, cert, issuer, uris);
	bool ocsp_uri = n > 0;

	rev->status = REVOCATION_UNKNOWN;
	if (n)
		ocsp_check(p->ocsp, crl, store, cert, issuer, uris, n, p->wait_ms, rev);
	strings_free(uris, n);
	if (rev->status != REVOCATION_UNKNOWN)
		return;
	n = crl_uris(store, cert, issuer, uris);
	crl_check(crl, store, cert, issuer, uris, n, p->wait_ms, rev);
	strings_free(uris, n);
	rev->had_uri = rev->had_uri || ocsp_uri;
}

static bool policy_accepts(Cygnet__RevocationPolicy policy,
			   const struct revocation_result *rev)
{
	if (rev->status == REVOCATION_GOOD)
		return true;
	if (rev->status == REVOCATION_REVOKED)
		return false;
	if (policy == CYGNET__REVOCATION_POLICY__REVOCATION_STRICT)
		return false;
	if (policy == CYGNET__REVOCATION_POLICY__REVOCATION_IFURI)
		return !rev->had_uri;
	return true;
}

/* Walks the chain up as charon does: each issuer, then the status of the
 * certificate it issued, then the root. */
static bool check_revocation(struct crl_fetcher *crl, const struct cred_store *store,
			     STACK_OF(X509) *chain, const struct verify_params *p,
			     struct verify_result *r)
{
	int n = sk_X509_num(chain);

	for (int i = 0; i + 1 < n; i++) {
		X509 *cert = sk_X509_value(chain, i);
		X509 *issuer = sk_X509_value(chain, i + 1);
		struct revocation_result rev;
		char subject[DN_MAX];

		log_issuer(store, chain, i + 1);
		dn_format(X509_get_subject_name(cert), subject, sizeof(subject));
		DBG1(LOG_CFG, "checking certificate status of \"%s\"", subject);
		revocation_status(crl, store, cert, issuer, p, &rev);
		if (rev.status == REVOCATION_GOOD)
			DBG1(LOG_CFG, "certificate status is good");
		else if (rev.status == REVOCATION_UNKNOWN)
			DBG1(LOG_CFG, "certificate status is not available");
		if (!policy_accepts(p->revocation, &rev)) {
			fail(r, rev.status == REVOCATION_REVOKED ?
			     CYGNET__CERT_STATUS__CERT_REVOKED :
			     CYGNET__CERT_STATUS__CERT_REVOCATION_UNKNOWN,
			     "\"%s\": %s", subject, rev.detail);
			return false;
		}
	}
	if (n > 0 && X509_self_signed(sk_X509_value(chain, n - 1), 0) == 1)
		DBG1(LOG_CFG, "  reached self-signed root ca with a path length of %d",
		     n - 2 > 0 ? n - 2 : 0);
	return true;
}

static bool check_identity(const struct verify_params *p, struct verify_result *r)
{
	if (!p->identity || p->identity->type == 0)
		return true;
	if (identity_matches(p->cert, p->identity))
		return true;
	fail(r, CYGNET__CERT_STATUS__CERT_IDENTITY_MISMATCH,
	     "identity '%s' is neither the subject nor a subjectAltName",
	     p->identity->text ? p->identity->text : "");
	return false;
}

void verify_cert(struct crl_fetcher *crl, const struct cred_store *store,
		 const struct verify_params *p, struct verify_result *r)
{
	STACK_OF(X509) *chain;

	memset(r, 0, sizeof(*r));
	dn_format(X509_get_subject_name(p->cert), r->subject, sizeof(r->subject));
	DBG1(LOG_CFG, "  using certificate \"%s\"", r->subject);
	if (!check_identity(p, r))
		return;
	if (p->required_eku && p->required_eku[0] && !has_eku(p->cert, p->required_eku)) {
		fail(r, CYGNET__CERT_STATUS__CERT_CONSTRAINT_VIOLATED,
		     "extended key usage %s missing", p->required_eku);
		return;
	}
	chain = build_chain(store, p, r);
	if (!chain)
		return;
	record_path(chain, r);
	if (!cacerts_allowed(store, chain, p))
		fail(r, CYGNET__CERT_STATUS__CERT_CA_NOT_ALLOWED,
		     "trust path does not contain a CA the connection accepts");
	else if (check_revocation(crl, store, chain, p, r))
		r->status = CYGNET__CERT_STATUS__CERT_TRUSTED;
	sk_X509_pop_free(chain, X509_free);
}
