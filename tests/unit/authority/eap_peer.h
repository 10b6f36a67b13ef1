/* The EAP-TLS peer for the tests: eap_tls_peer.h's peer with its
 * credentials from the test PKI, asserting on every error. */
#ifndef TEST_AUTHORITY_EAP_PEER_H
#define TEST_AUTHORITY_EAP_PEER_H

#include "eap_tls_peer.h"

/* version 0 lets OpenSSL choose. */
static inline void eap_peer_init(struct eap_peer *p, const char *cert, const char *key,
				 const char *chain, const char *ca, int version,
				 size_t fragment_size)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	char path[512];

	ck_assert_ptr_nonnull(ctx);
	if (version) {
		SSL_CTX_set_min_proto_version(ctx, version);
		SSL_CTX_set_max_proto_version(ctx, version);
	}
	if (cert) {
		pki_path(path, sizeof(path), cert);
		ck_assert_int_eq(SSL_CTX_use_certificate_file(ctx, path, SSL_FILETYPE_PEM), 1);
		pki_path(path, sizeof(path), key);
		ck_assert_int_eq(SSL_CTX_use_PrivateKey_file(ctx, path, SSL_FILETYPE_PEM), 1);
	}
	if (chain) {
		X509 *x = pki_cert(chain);

		SSL_CTX_add1_chain_cert(ctx, x);
		X509_free(x);
	}
	pki_path(path, sizeof(path), ca);
	ck_assert_int_eq(SSL_CTX_load_verify_locations(ctx, path, NULL), 1);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	eap_peer_start(p, ctx, fragment_size);
}

/* Answers one server packet; returns the response length (0 for
 * Success/Failure, which end the conversation). */
static inline size_t eap_peer_answer(struct eap_peer *p, const uint8_t *req, size_t len,
				     uint8_t *out, size_t cap)
{
	long n = eap_peer_respond(p, req, len, out, cap);

	ck_assert_msg(n >= 0, "%s", p->why);
	ck_assert_uint_le(len, 0xffff);
	return (size_t)n;
}

/* RFC 5216 / RFC 9190 keys on the peer side. */
static inline void eap_peer_keys(struct eap_peer *p)
{
	static const uint8_t type = 13;
	uint8_t km[128];

	if (SSL_version(p->ssl) == TLS1_3_VERSION)
		ck_assert_int_eq(SSL_export_keying_material(p->ssl, km, 128,
			"EXPORTER_EAP_TLS_Key_Material", 29, &type, 1, 1), 1);
	else
		ck_assert_int_eq(SSL_export_keying_material(p->ssl, km, 128,
			"client EAP encryption", 21, NULL, 0, 0), 1);
	memcpy(p->msk, km, 64);
	memcpy(p->emsk, km + 64, 64);
}

#endif
