/* The EAP-TLS peer side shared by the authority tests (eap_peer.h) and the
 * bench: an OpenSSL client on memory BIOs inside the EAP-TLS framing,
 * answering the server's requests.  No test framework in here: errors
 * are returned, the callers assert or count them. */
#ifndef TEST_AUTHORITY_EAP_TLS_PEER_H
#define TEST_AUTHORITY_EAP_TLS_PEER_H

#include <openssl/ssl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "authority/eap_tls.h"

struct eap_peer {
	SSL_CTX *ctx;
	SSL *ssl;
	BIO *rbio, *wbio;
	struct eap_tls_frag frag;
	bool got_commitment;
	uint8_t msk[64], emsk[64];
	bool failed;		/* the TLS handshake failed on our side */
	char why[256];		/* why the last request could not be answered */
};

/* Takes CTX (its certificates and trust set by the caller). */
static inline void eap_peer_start(struct eap_peer *p, SSL_CTX *ctx, size_t fragment_size)
{
	memset(p, 0, sizeof(*p));
	p->ctx = ctx;
	p->ssl = SSL_new(ctx);
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

/* Answers one server packet: the response length, 0 for Success/Failure
 * (which end the conversation), -1 with p->why for a request we cannot
 * take. */
static inline long eap_peer_respond(struct eap_peer *p, const uint8_t *req, size_t len,
				    uint8_t *out, size_t cap)
{
	struct eap_tls_msg msg;

	if (len == 4 && (req[0] == EAP_CODE_SUCCESS || req[0] == EAP_CODE_FAILURE))
		return 0;
	if (eap_tls_parse(req, len, EAP_CODE_REQUEST, &msg, p->why, sizeof(p->why)) < 0)
		return -1;
	if (msg.flags & EAP_TLS_FLAG_START) {
		eap_peer_run_tls(p);
	} else {
		switch (eap_tls_receive(&p->frag, &msg, p->why, sizeof(p->why))) {
		case EAP_TLS_RX_ERROR:
			return -1;
		case EAP_TLS_RX_DONE:
			eap_peer_run_tls(p);
			break;
		default:
			break;	/* MORE: ACK; ACK: next fragment */
		}
	}
	return (long)eap_tls_next_packet(&p->frag, EAP_CODE_RESPONSE, msg.identifier, 0,
					 out, cap);
}

#endif
