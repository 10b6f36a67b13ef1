/* SIGN, VERIFY_CERT and VERIFY_AUTH. */
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

#include "authority/handlers.h"
#include "authority/keysel.h"
#include "authority/sign.h"
#include "authority/verify.h"
#include "log.h"

void handle_sign(void *ctx, const ProtobufCMessage *request, struct rpc_reply *reply)
{
	const Cygnet__SignRequest *req = (const Cygnet__SignRequest *)request;
	struct authority *a = ctx;
	struct cred_store *store = acquire_store(a, reply);
	Cygnet__SignReply out = CYGNET__SIGN_REPLY__INIT;
	const struct cred_cert *cert;
	struct auth_signature sig;
	char why[256];
	char key_type[32];

	if (!store)
		return;
	cert = keysel_find(store, req->key, why, sizeof(why));
	if (!cert || sign_create(cert->key, req->auth_method, req->peer_hash_algorithms,
				 req->n_peer_hash_algorithms, req->octets.data,
				 req->octets.len, &sig, why, sizeof(why)) < 0) {
		atomic_fetch_add(&a->stats.signature_failures, 1);
		DBG1(LOG_CFG, "signing IKE AUTH octets failed: %s", why);
		rpc_reply_error(reply, CYGNET__RPC_STATUS__RPC_FAILED, "%s", why);
		store_unref(store);
		return;
	}
	atomic_fetch_add(&a->stats.signatures, 1);
	out.auth_method = sig.method;
	out.signature.data = sig.data;
	out.signature.len = sig.len;
	out.key_type = (char *)keysel_key_type(cert->key, key_type, sizeof(key_type));
	DBG2(LOG_CFG, "signed IKE AUTH octets of '%s' with %s", cert->subject, sig.scheme);
	rpc_reply_message(reply, &out.base);
	OPENSSL_free(sig.data);
	store_unref(store);
}

static X509 *parse_der_cert(const ProtobufCBinaryData *der)
{
	const unsigned char *p = der->data;
	X509 *x509 = der->len ? d2i_X509(NULL, &p, (long)der->len) : NULL;

	if (x509 && p != der->data + der->len) {
		X509_free(x509);
		return NULL;
	}
	return x509;
}

/* certs[0] is the end entity, the rest goes to *untrusted. */
static X509 *parse_chain(const Cygnet__VerifyCertRequest *req,
			 STACK_OF(X509) **untrusted)
{
	X509 *cert = req->n_certs ? parse_der_cert(&req->certs[0]) : NULL;

	*untrusted = sk_X509_new_null();
	if (!cert || !*untrusted)
		goto fail;
	for (size_t i = 1; i < req->n_certs; i++) {
		X509 *x = parse_der_cert(&req->certs[i]);
		if (!x || !sk_X509_push(*untrusted, x)) {
			X509_free(x);
			goto fail;
		}
	}
	return cert;
fail:
	X509_free(cert);
	sk_X509_pop_free(*untrusted, X509_free);
	*untrusted = NULL;
	return NULL;
}

static void count_verification(struct authority *a, Cygnet__CertStatus status)
{
	if (status == CYGNET__CERT_STATUS__CERT_TRUSTED)
		atomic_fetch_add(&a->stats.verify_ok, 1);
	else if ((size_t)status < sizeof(a->stats.verify_failed) /
		 sizeof(a->stats.verify_failed[0]))
		atomic_fetch_add(&a->stats.verify_failed[status], 1);
}

static void reply_verdict(struct rpc_reply *reply, const struct verify_result *r,
			  Cygnet__Identity *identity)
{
	Cygnet__VerifyCertReply out = CYGNET__VERIFY_CERT_REPLY__INIT;
	char *path[TRUST_PATH_MAX];

	out.trusted = r->status == CYGNET__CERT_STATUS__CERT_TRUSTED;
	out.status = r->status;
	out.reason = (char *)(out.trusted ? "trusted" : r->reason);
	out.subject = (char *)r->subject;
	for (size_t i = 0; i < r->n_path; i++)
		path[i] = (char *)r->path[i];
	out.trust_path = path;
	out.n_trust_path = r->n_path;
	if (out.trusted)
		out.identity = identity;
	rpc_reply_message(reply, &out.base);
}

void handle_verify_cert(void *ctx, const ProtobufCMessage *request,
			struct rpc_reply *reply)
{
	const Cygnet__VerifyCertRequest *req = (const Cygnet__VerifyCertRequest *)request;
	struct authority *a = ctx;
	struct cred_store *store = acquire_store(a, reply);
	struct verify_params params = { 0 };
	struct verify_result result;

	if (!store)
		return;
	params.cert = parse_chain(req, &params.untrusted);
	if (!params.cert) {
		memset(&result, 0, sizeof(result));
		result.status = CYGNET__CERT_STATUS__CERT_MALFORMED;
		snprintf(result.reason, sizeof(result.reason),
			 "certificate chain does not parse as DER X.509");
		DBG1(LOG_CFG, "received malformed peer certificate chain");
	} else {
		params.identity = req->identity;
		params.revocation = req->revocation;
		params.cacerts = req->cacerts;
		params.n_cacerts = req->n_cacerts;
		params.required_eku = req->required_eku;
		params.wait_ms = a->cfg.revocation_wait_ms;
		params.ocsp = a->ocsp;
		verify_cert(a->crl, store, &params, &result);
	}
	count_verification(a, result.status);
	reply_verdict(reply, &result, req->identity);
	X509_free(params.cert);
	sk_X509_pop_free(params.untrusted, X509_free);
	store_unref(store);
}

void handle_verify_auth(void *ctx, const ProtobufCMessage *request,
			struct rpc_reply *reply)
{
	const Cygnet__VerifyAuthRequest *req = (const Cygnet__VerifyAuthRequest *)request;
	struct authority *a = ctx;
	Cygnet__VerifyAuthReply out = CYGNET__VERIFY_AUTH_REPLY__INIT;
	X509 *cert = parse_der_cert(&req->cert);
	char scheme[48] = "";
	char why[256] = "certificate does not parse as DER X.509";
	EVP_PKEY *pub = cert ? X509_get0_pubkey(cert) : NULL;

	out.valid = pub && sign_verify(pub, req->auth_method, req->octets.data,
				       req->octets.len, req->signature.data,
				       req->signature.len, scheme, sizeof(scheme),
				       why, sizeof(why));
	atomic_fetch_add(out.valid ? &a->stats.auth_verify_ok :
				     &a->stats.auth_verify_failed, 1);
	out.reason = out.valid ? "signature valid" : why;
	out.scheme = scheme;
	if (!out.valid)
		DBG1(LOG_CFG, "verifying peer AUTH signature failed: %s", why);
	rpc_reply_message(reply, &out.base);
	X509_free(cert);
}
