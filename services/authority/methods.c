/* The RPC methods of proto/authority.proto. */
#include <openssl/err.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "authority/authority.h"
#include "authority/certinfo.h"
#include "authority/crl.h"
#include "authority/handlers.h"
#include "authority/keysel.h"
#include "log.h"

#define LIST_MAX 1024

struct cred_store *acquire_store(struct authority *a, struct rpc_reply *reply)
{
	struct cred_store *store = store_slot_get(&a->store);

	if (!store)
		rpc_reply_error(reply, CYGNET__RPC_STATUS__RPC_FAILED,
				"no credentials loaded");
	return store;
}

static bool subject_matches(const struct cred_cert *cert, const char *filter)
{
	return !filter || !filter[0] || strstr(cert->subject, filter);
}

static void handle_list_certs(void *ctx, const ProtobufCMessage *request,
			      struct rpc_reply *reply)
{
	const Cygnet__ListCertsRequest *req = (const Cygnet__ListCertsRequest *)request;
	struct cred_store *store = acquire_store(ctx, reply);
	Cygnet__CertList list = CYGNET__CERT_LIST__INIT;

	if (!store)
		return;
	list.certs = calloc(store->n_certs ? store->n_certs : 1, sizeof(*list.certs));
	for (size_t i = 0; list.certs && i < store->n_certs; i++) {
		if (!subject_matches(&store->certs[i], req->subject))
			continue;
		list.certs[list.n_certs] = certinfo_new(&store->certs[i]);
		if (list.certs[list.n_certs])
			list.n_certs++;
	}
	list.now = time(NULL);
	rpc_reply_message(reply, &list.base);
	for (size_t i = 0; i < list.n_certs; i++)
		certinfo_free(list.certs[i]);
	free(list.certs);
	store_unref(store);
}

static void handle_list_crls(void *ctx, const ProtobufCMessage *request,
			     struct rpc_reply *reply)
{
	struct authority *a = ctx;
	struct cred_store *store = acquire_store(a, reply);
	Cygnet__CrlList list = CYGNET__CRL_LIST__INIT;
	Cygnet__CrlInfo **crls;

	(void)request;
	if (!store)
		return;
	crls = calloc(LIST_MAX, sizeof(*crls));
	list.crls = crls;
	for (size_t i = 0; crls && i < store->n_crls && list.n_crls < LIST_MAX; i++) {
		crls[list.n_crls] = crlinfo_new(store->crls[i], NULL);
		if (crls[list.n_crls])
			list.n_crls++;
	}
	if (crls)
		list.n_crls += crl_fetcher_list(a->crl, crls + list.n_crls,
						LIST_MAX - list.n_crls);
	list.now = time(NULL);
	rpc_reply_message(reply, &list.base);
	for (size_t i = 0; i < list.n_crls; i++)
		crlinfo_free(crls[i]);
	free(crls);
	store_unref(store);
}

static void handle_certreq_keyids(void *ctx, const ProtobufCMessage *request,
				  struct rpc_reply *reply)
{
	struct cred_store *store = acquire_store(ctx, reply);
	Cygnet__CertreqKeyids out = CYGNET__CERTREQ_KEYIDS__INIT;
	size_t n = 0;

	(void)request;
	if (!store)
		return;
	out.keyids = calloc(store->n_certs + 1, sizeof(*out.keyids));
	out.subjects = calloc(store->n_certs + 1, sizeof(*out.subjects));
	for (size_t i = 0; out.keyids && out.subjects && i < store->n_certs; i++) {
		if (!store->certs[i].ca)
			continue;
		out.keyids[n].data = store->certs[i].keyid;
		out.keyids[n].len = KEYID_LEN;
		out.subjects[n] = store->certs[i].subject;
		n++;
	}
	out.n_keyids = out.n_subjects = n;
	rpc_reply_message(reply, &out.base);
	free(out.keyids);
	free(out.subjects);
	store_unref(store);
}

static void handle_lookup_ca(void *ctx, const ProtobufCMessage *request,
			     struct rpc_reply *reply)
{
	const Cygnet__LookupCaRequest *req = (const Cygnet__LookupCaRequest *)request;
	struct cred_store *store = acquire_store(ctx, reply);
	Cygnet__LookupCaReply out = CYGNET__LOOKUP_CA_REPLY__INIT;

	if (!store)
		return;
	out.subjects = calloc(req->n_keyids + 1, sizeof(*out.subjects));
	for (size_t i = 0; out.subjects && i < req->n_keyids; i++) {
		const struct cred_cert *ca = NULL;
		if (req->keyids[i].len == KEYID_LEN)
			ca = store_find_ca_by_keyid(store, req->keyids[i].data);
		if (ca)
			out.subjects[out.n_subjects++] = (char *)ca->subject;
		else
			out.unknown++;
	}
	rpc_reply_message(reply, &out.base);
	free(out.subjects);
	store_unref(store);
}

#define CHAIN_MAX 8

/* The CA certificates between cert and its self-signed root, for the
 * peer that does not have them. */
static size_t intermediates(const struct cred_store *store, X509 *cert,
			    ProtobufCBinaryData *out, size_t max)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	STACK_OF(X509) *chain = NULL;
	size_t n = 0;

	if (ctx && X509_STORE_CTX_init(ctx, store->trust, cert, NULL) &&
	    X509_verify_cert(ctx) == 1)
		chain = X509_STORE_CTX_get1_chain(ctx);
	ERR_clear_error();
	X509_STORE_CTX_free(ctx);
	for (int i = 1; chain && i < sk_X509_num(chain) && n < max; i++) {
		X509 *ca = sk_X509_value(chain, i);
		unsigned char *der = NULL;
		int len;
		if (X509_self_signed(ca, 0) == 1 || (len = i2d_X509(ca, &der)) <= 0)
			continue;
		out[n].data = der;
		out[n].len = (size_t)len;
		n++;
	}
	sk_X509_pop_free(chain, X509_free);
	return n;
}

static void handle_local_cert(void *ctx, const ProtobufCMessage *request,
			      struct rpc_reply *reply)
{
	const Cygnet__LocalCertRequest *req = (const Cygnet__LocalCertRequest *)request;
	struct cred_store *store = acquire_store(ctx, reply);
	Cygnet__LocalCertReply out = CYGNET__LOCAL_CERT_REPLY__INIT;
	ProtobufCBinaryData chain[CHAIN_MAX];
	const struct cred_cert *cert;
	unsigned char *der = NULL;
	int len;
	char why[256];

	if (!store)
		return;
	cert = keysel_find(store, req->key, why, sizeof(why));
	if (!cert) {
		rpc_reply_error(reply, CYGNET__RPC_STATUS__RPC_FAILED, "%s", why);
		store_unref(store);
		return;
	}
	len = i2d_X509(cert->x509, &der);
	out.cert.data = der;
	out.cert.len = len > 0 ? (size_t)len : 0;
	out.subject = (char *)cert->subject;
	out.key_type = (char *)keysel_key_type(cert->key, why, sizeof(why));
	out.n_intermediates = intermediates(store, cert->x509, chain, CHAIN_MAX);
	out.intermediates = chain;
	rpc_reply_message(reply, &out.base);
	for (size_t i = 0; i < out.n_intermediates; i++)
		OPENSSL_free(chain[i].data);
	OPENSSL_free(der);
	store_unref(store);
}

const struct rpc_method authority_methods[] = {
	{ CYGNET__AUTHORITY_METHOD__AUTHORITY_SIGN, "authority.sign",
	  &cygnet__sign_request__descriptor, handle_sign },
	{ CYGNET__AUTHORITY_METHOD__AUTHORITY_VERIFY_CERT, "authority.verify_cert",
	  &cygnet__verify_cert_request__descriptor, handle_verify_cert },
	{ CYGNET__AUTHORITY_METHOD__AUTHORITY_VERIFY_AUTH, "authority.verify_auth",
	  &cygnet__verify_auth_request__descriptor, handle_verify_auth },
	{ CYGNET__AUTHORITY_METHOD__AUTHORITY_EAP_TLS_START, "authority.eap_tls_start",
	  &cygnet__eap_tls_start_request__descriptor, handle_eap_start },
	{ CYGNET__AUTHORITY_METHOD__AUTHORITY_EAP_TLS_PROCESS, "authority.eap_tls_process",
	  &cygnet__eap_tls_process_request__descriptor, handle_eap_process },
	{ CYGNET__AUTHORITY_METHOD__AUTHORITY_EAP_TLS_ABORT, "authority.eap_tls_abort",
	  &cygnet__eap_tls_abort_request__descriptor, handle_eap_abort },
	{ CYGNET__AUTHORITY_METHOD__AUTHORITY_CERTREQ_KEYIDS, "authority.certreq_keyids",
	  &cygnet__empty__descriptor, handle_certreq_keyids },
	{ CYGNET__AUTHORITY_METHOD__AUTHORITY_LOOKUP_CA, "authority.lookup_ca",
	  &cygnet__lookup_ca_request__descriptor, handle_lookup_ca },
	{ CYGNET__AUTHORITY_METHOD__AUTHORITY_LOCAL_CERT, "authority.local_cert",
	  &cygnet__local_cert_request__descriptor, handle_local_cert },
	{ CYGNET__AUTHORITY_METHOD__AUTHORITY_LIST_CERTS, "authority.list_certs",
	  &cygnet__list_certs_request__descriptor, handle_list_certs },
	{ CYGNET__AUTHORITY_METHOD__AUTHORITY_LIST_CRLS, "authority.list_crls",
	  &cygnet__empty__descriptor, handle_list_crls },
};

const size_t authority_n_methods = sizeof(authority_methods) / sizeof(authority_methods[0]);
