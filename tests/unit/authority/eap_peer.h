/* An EAP-TLS peer for the tests: an OpenSSL client on memory BIOs inside
 * the same EAP-TLS framing, answering the server's requests. */
#ifndef TEST_AUTHORITY_EAP_PEER_H
#define TEST_AUTHORITY_EAP_PEER_H

#include <openssl/ssl.h>

#include "authority/eap_tls.h"

struct eap_peer {
	SSL_CTX *ctx;
	SSL *ssl;
	BIO *rbio, *wbio;
	struct eap_tls_frag frag;
	bool got_commitment;
	uint8_t msk[64], emsk[64];
	bool failed;
};

/* version 0 lets OpenSSL choose. */
static inline void eap_peer_init(struct eap_peer *p, const char *cert, const char *key,
				 const char *chain, const char *ca, int version,
				 size_t fragment_size)
{
	char path[512];

	memset(p, 0, sizeof(*p));
	p->ctx = SSL_CTX_new(TLS_client_method());
	ck_assert_ptr_nonnull(p->ctx);
	if (version) {
		SSL_CTX_set_min_proto_version(p->ctx, version);
		SSL_CTX_set_max_proto_version(p->ctx, version);
	}
	if (cert) {
		pki_path(path, sizeof(path), cert);
		ck_assert_int_eq(SSL_CTX_use_certificate_file(p->ctx, path, SSL_FILETYPE_PEM), 1);
		pki_path(path, sizeof(path), key);
		ck_assert_int_eq(SSL_CTX_use_PrivateKey_file(p->ctx, path, SSL_FILETYPE_PEM), 1);
	}
	if (chain) {
		X509 *x = pki_cert(chain);
		SSL_CTX_add1_chain_cert(p->ctx, x);
		X509_free(x);
	}
	pki_path(path, sizeof(path), ca);
	ck_assert_int_eq(SSL_CTX_load_verify_locations(p->ctx, path, NULL), 1);
	SSL_CTX_set_verify(p->ctx, SSL_VERIFY_PEER, NULL);
	p->ssl = SSL_new(p->ctx);
	p->rbio = BIO_new(BIO_s_mem());
	p->wbio = BIO_new(BIO_s_mem());
	SSL_set_bio(p->ssl, p->rbio, p->wbio);
	SSL_set_connect_state(p->ssl);
	eap_tls_frag_init(&p->frag, fragment_size, 65536);
}

static inline void eap_peer_free(struct eap_peer *p)
{
	SSL_free(p->ssl);
	SSL_CTX_free(p->ctx);
	eap_tls_frag_free(&p->frag);
}

static inline void eap_peer_run_tls(struct eap_peer *p)
{
	uint8_t buf[16384];
	int n;

	if (p->frag.in_len)
		BIO_write(p->rbio, p->frag.in, (int)p->frag.in_len);
	eap_tls_consumed(&p->frag);
	if (SSL_do_handshake(p->ssl) == 1) {
		/* TLS 1.3: the server's commitment message (RFC 9190 2.5) or
		 * its alert */
		n = SSL_read(p->ssl, buf, sizeof(buf));
		if (n == 1 && buf[0] == 0)
			p->got_commitment = true;
		else if (n <= 0 && SSL_get_error(p->ssl, n) != SSL_ERROR_WANT_READ)
			p->failed = true;
	} else {
		int err = SSL_get_error(p->ssl, -1);
		if (err != SSL_ERROR_WANT_READ)
			p->failed = true;
	}
	while ((n = BIO_read(p->wbio, buf, sizeof(buf))) > 0)
		eap_tls_queue(&p->frag, buf, (size_t)n);
}

/* Answers one server packet; returns the response length (0 for
 * Success/Failure, which end the conversation). */
static inline size_t eap_peer_answer(struct eap_peer *p, const uint8_t *req, size_t len,
				     uint8_t *out, size_t cap)
{
	struct eap_tls_msg msg;
	char why[256];

	if (len == 4 && (req[0] == EAP_CODE_SUCCESS || req[0] == EAP_CODE_FAILURE))
		return 0;
	ck_assert_msg(eap_tls_parse(req, len, EAP_CODE_REQUEST, &msg, why, sizeof(why)) == 0,
		      "%s", why);
	ck_assert_uint_le(len, 0xffff);
	if (msg.flags & EAP_TLS_FLAG_START) {
		eap_peer_run_tls(p);
	} else {
		switch (eap_tls_receive(&p->frag, &msg, why, sizeof(why))) {
		case EAP_TLS_RX_ERROR:
			ck_abort_msg("%s", why);
			break;
		case EAP_TLS_RX_DONE:
			eap_peer_run_tls(p);
			break;
		default:
			break;	/* MORE: ACK; ACK: next fragment */
		}
	}
	return eap_tls_next_packet(&p->frag, EAP_CODE_RESPONSE, msg.identifier, 0,
				   out, cap);
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
