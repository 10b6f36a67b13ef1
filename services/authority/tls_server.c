#include "authority/tls_server.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authority/eap_tls.h"
#include "authority/verify.h"
#include "authority/x509name.h"
#include "log.h"

struct tls_server {
	SSL_CTX *ctx;
	SSL *ssl;
	BIO *rbio;		/* peer -> us, owned by ssl */
	BIO *wbio;		/* us -> peer, owned by ssl */
	struct tls_server_params params;
	bool done;
	bool negotiated;	/* the suite choice was logged */
	char reason[320];
	char peer_subject[DN_MAX];
	X509 *peer;
};

/* The chain callback: our own verification (chain, revocation, cacerts)
 * instead of OpenSSL's, so EAP-TLS clients are judged like IKE peers. */
static int verify_client(X509_STORE_CTX *ctx, void *arg)
{
	struct tls_server *t = arg;
	struct verify_params p = { 0 };
	struct verify_result r;
	X509 *cert = X509_STORE_CTX_get0_cert(ctx);

	dn_format(X509_get_subject_name(cert), t->peer_subject, sizeof(t->peer_subject));
	DBG1(LOG_TLS, "received TLS peer certificate '%s'", t->peer_subject);
	p.cert = cert;
	p.untrusted = X509_STORE_CTX_get0_untrusted(ctx);
	p.revocation = t->params.revocation;
	p.cacerts = t->params.cacerts;
	p.n_cacerts = t->params.n_cacerts;
	p.wait_ms = t->params.revocation_wait_ms;
	p.ocsp = t->params.ocsp;
	verify_cert(t->params.crl, t->params.store, &p, &r);
	if (r.status == CYGNET__CERT_STATUS__CERT_TRUSTED) {
		X509_free(t->peer);
		t->peer = cert;
		X509_up_ref(cert);
		return 1;
	}
	snprintf(t->reason, sizeof(t->reason), "peer certificate rejected: %s", r.reason);
	X509_STORE_CTX_set_error(ctx,
		r.status == CYGNET__CERT_STATUS__CERT_REVOKED ? X509_V_ERR_CERT_REVOKED :
		r.status == CYGNET__CERT_STATUS__CERT_EXPIRED ? X509_V_ERR_CERT_HAS_EXPIRED :
		X509_V_ERR_CERT_REJECTED);
	return 0;
}

/* The CAs we accept, for the CertificateRequest. */
static void set_client_cas(struct tls_server *t)
{
	STACK_OF(X509_NAME) *names = sk_X509_NAME_new_null();
	const struct cred_store *store = t->params.store;

	for (size_t i = 0; names && i < store->n_certs; i++) {
		const struct cred_cert *c = &store->certs[i];
		bool wanted = c->ca && t->params.n_cacerts == 0;
		for (size_t k = 0; c->ca && k < t->params.n_cacerts; k++) {
			if (store_find_cert_by_name(store, t->params.cacerts[k]) == c)
				wanted = true;
		}
		if (!wanted)
			continue;
		X509_NAME *dup = X509_NAME_dup(X509_get_subject_name(c->x509));
		if (!dup || !sk_X509_NAME_push(names, dup))
			X509_NAME_free(dup);
	}
	SSL_CTX_set_client_CA_list(t->ctx, names);
}

static int setup_ctx(struct tls_server *t, char *why, size_t whylen)
{
	const struct cred_cert *cert = t->params.server_cert;

	t->ctx = SSL_CTX_new(TLS_server_method());
	if (!t->ctx ||
	    !SSL_CTX_set_min_proto_version(t->ctx, TLS1_2_VERSION) ||
	    !SSL_CTX_set_max_proto_version(t->ctx, TLS1_3_VERSION) ||
	    SSL_CTX_use_certificate(t->ctx, cert->x509) != 1 ||
	    SSL_CTX_use_PrivateKey(t->ctx, cert->key) != 1 ||
	    !SSL_CTX_set1_chain_cert_store(t->ctx, t->params.store->trust)) {
		snprintf(why, whylen, "cannot set up TLS with '%s'", cert->subject);
		ERR_clear_error();
		return -1;
	}
	/* Intermediates go along; a chain that cannot be built is sent as is. */
	if (!SSL_CTX_build_cert_chain(t->ctx, SSL_BUILD_CHAIN_FLAG_NO_ROOT |
				      SSL_BUILD_CHAIN_FLAG_IGNORE_ERROR))
		ERR_clear_error();
	SSL_CTX_set_num_tickets(t->ctx, 0);
	SSL_CTX_set_options(t->ctx, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION);
	SSL_CTX_set_verify(t->ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	SSL_CTX_set_cert_verify_callback(t->ctx, verify_client, t);
	set_client_cas(t);
	return 0;
}

struct tls_server *tls_server_new(const struct tls_server_params *p,
				  char *why, size_t whylen)
{
	struct tls_server *t = calloc(1, sizeof(*t));

	if (!t) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	t->params = *p;
	store_ref(p->store);
	if (setup_ctx(t, why, whylen) < 0)
		goto fail;
	t->ssl = SSL_new(t->ctx);
	t->rbio = BIO_new(BIO_s_mem());
	t->wbio = BIO_new(BIO_s_mem());
	if (!t->ssl || !t->rbio || !t->wbio) {
		BIO_free(t->rbio);
		BIO_free(t->wbio);
		snprintf(why, whylen, "out of memory");
		goto fail;
	}
	SSL_set_bio(t->ssl, t->rbio, t->wbio);
	SSL_set_accept_state(t->ssl);
	return t;
fail:
	tls_server_free(t);
	return NULL;
}

void tls_server_free(struct tls_server *t)
{
	if (!t)
		return;
	SSL_free(t->ssl);
	SSL_CTX_free(t->ctx);
	X509_free(t->peer);
	store_unref(t->params.store);
	free(t);
}

static enum tls_step fail_handshake(struct tls_server *t, int err)
{
	unsigned long e = ERR_peek_last_error();

	if (!t->reason[0])
		snprintf(t->reason, sizeof(t->reason), "TLS handshake failed: %s",
			 e ? ERR_reason_error_string(e) :
			 err == SSL_ERROR_ZERO_RETURN ? "peer closed" : "protocol error");
	ERR_clear_error();
	DBG1(LOG_TLS, "%s", t->reason);
	return TLS_STEP_FAILED;
}

/* RFC 9190 2.5: one byte of application data commits to no further
 * handshake messages, so the peer knows the server is done. */
static enum tls_step finish_tls13(struct tls_server *t)
{
	static const uint8_t commitment = 0x00;

	if (SSL_version(t->ssl) == TLS1_3_VERSION &&
	    t->params.tls13_mode == EAP_TLS13_RFC9190 &&
	    SSL_write(t->ssl, &commitment, 1) != 1)
		return fail_handshake(t, SSL_ERROR_SSL);
	return TLS_STEP_DONE;
}

/* Logged as charon does once the ClientHello is processed, in its order:
 * OpenSSL has chosen the suite when it first asks for more input. */
static void log_negotiated(struct tls_server *t)
{
	const STACK_OF(X509_NAME) *cas = SSL_get_client_CA_list(t->ssl);
	char dn[DN_MAX];

	if (t->negotiated || !SSL_get_pending_cipher(t->ssl))
		return;
	t->negotiated = true;
	DBG1(LOG_TLS, "using key of type %s",
	     pkey_type_name(t->params.server_cert->key));
	DBG1(LOG_TLS, "negotiated %s using suite %s", tls_server_version(t),
	     tls_server_cipher(t));
	DBG1(LOG_TLS, "sending TLS server certificate '%s'",
	     t->params.server_cert->subject);
	for (int i = 0; i < sk_X509_NAME_num(cas); i++) {
		dn_format(sk_X509_NAME_value(cas, i), dn, sizeof(dn));
		DBG1(LOG_TLS, "sending TLS cert request for '%s'", dn);
	}
}

enum tls_step tls_server_input(struct tls_server *t, const uint8_t *data,
			       size_t len)
{
	int rc;

	if (t->done) {
		snprintf(t->reason, sizeof(t->reason), "TLS data after the handshake");
		return TLS_STEP_FAILED;
	}
	if (len && BIO_write(t->rbio, data, (int)len) != (int)len)
		return fail_handshake(t, SSL_ERROR_SSL);
	rc = SSL_do_handshake(t->ssl);
	log_negotiated(t);
	if (rc == 1) {
		t->done = true;
		return finish_tls13(t);
	}
	rc = SSL_get_error(t->ssl, rc);
	if (rc == SSL_ERROR_WANT_READ)
		return TLS_STEP_CONTINUE;
	return fail_handshake(t, rc);
}

size_t tls_server_output(struct tls_server *t, uint8_t **out)
{
	size_t pending = BIO_ctrl_pending(t->wbio);

	*out = NULL;
	if (!pending || !(*out = malloc(pending)))
		return 0;
	if (BIO_read(t->wbio, *out, (int)pending) != (int)pending) {
		free(*out);
		*out = NULL;
		return 0;
	}
	return pending;
}

const char *tls_server_reason(const struct tls_server *t)
{
	return t->reason[0] ? t->reason : "TLS handshake failed";
}

/* RFC 5216 2.3 for TLS 1.2; for TLS 1.3 the exporter of the mode. */
static int export_key_material(struct tls_server *t, uint8_t *km, size_t len)
{
	static const char label_rfc9190[] = "EXPORTER_EAP_TLS_Key_Material";
	static const char label_rfc5216[] = "client EAP encryption";
	static const uint8_t type_code = EAP_TYPE_TLS;	/* RFC 9190 2.3 context */

	if (SSL_version(t->ssl) == TLS1_3_VERSION &&
	    t->params.tls13_mode == EAP_TLS13_RFC9190)
		return SSL_export_keying_material(t->ssl, km, len, label_rfc9190,
						  sizeof(label_rfc9190) - 1,
						  &type_code, 1, 1);
	return SSL_export_keying_material(t->ssl, km, len, label_rfc5216,
					  sizeof(label_rfc5216) - 1, NULL, 0, 0);
}

int tls_server_keys(struct tls_server *t, uint8_t msk[EAP_TLS_KEY_LEN],
		    uint8_t emsk[EAP_TLS_KEY_LEN])
{
	uint8_t km[2 * EAP_TLS_KEY_LEN];

	if (!t->done || export_key_material(t, km, sizeof(km)) != 1)
		return -1;
	memcpy(msk, km, EAP_TLS_KEY_LEN);
	memcpy(emsk, km + EAP_TLS_KEY_LEN, EAP_TLS_KEY_LEN);
	OPENSSL_cleanse(km, sizeof(km));
	return 0;
}

const char *tls_server_peer_subject(const struct tls_server *t)
{
	return t->peer_subject;
}

size_t tls_server_peer_alt_names(const struct tls_server *t, char **out, size_t max)
{
	return t->peer ? cert_alt_names(t->peer, out, max) : 0;
}

const char *tls_server_version(const struct tls_server *t)
{
	return SSL_version(t->ssl) == TLS1_3_VERSION ? "TLS 1.3" : "TLS 1.2";
}

const char *tls_server_cipher(const struct tls_server *t)
{
	const SSL_CIPHER *cipher = t->done ? SSL_get_current_cipher(t->ssl) :
					     SSL_get_pending_cipher(t->ssl);

	return cipher ? SSL_CIPHER_standard_name(cipher) : "none";
}
