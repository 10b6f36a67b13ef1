/* CERT (RFC 7296 3.6), CERTREQ (3.7) and AUTH (3.8) payloads. */
#include "ike/message.h"
#include "ike/payload.h"

#define AUTH_HEADER_LEN 4

int payload_cert_validate(const uint8_t *body, size_t len)
{
	(void)body;
	return len > 1 ? 0 : -1;
}

void payload_cert_parse(const uint8_t *body, size_t len,
			struct cert_payload *cert)
{
	cert->encoding = body[0];
	cert->data = body + 1;
	cert->len = len - 1;
}

void payload_cert_write(struct msg_builder *b, uint8_t payload_type,
			const struct cert_payload *cert)
{
	builder_begin(b, payload_type, false);
	wbuf_put8(&b->w, cert->encoding);
	wbuf_put(&b->w, cert->data, cert->len);
	builder_end(b);
}

/* X.509 requests are a list of SHA-1 key hashes; an empty list is
 * allowed (any CA). */
int payload_certreq_validate(const uint8_t *body, size_t len)
{
	if (len < 1)
		return -1;
	if (body[0] == CERT_X509_SIGNATURE && (len - 1) % CERTREQ_HASH_LEN)
		return -1;
	return 0;
}

void payload_certreq_write(struct msg_builder *b, const uint8_t *hashes,
			   size_t n_hashes)
{
	builder_begin(b, PL_CERTREQ, false);
	wbuf_put8(&b->w, CERT_X509_SIGNATURE);
	wbuf_put(&b->w, hashes, n_hashes * CERTREQ_HASH_LEN);
	builder_end(b);
}

int payload_auth_validate(const uint8_t *body, size_t len)
{
	(void)body;
	return len > AUTH_HEADER_LEN ? 0 : -1;
}

void payload_auth_parse(const uint8_t *body, size_t len,
			struct auth_payload *auth)
{
	auth->method = body[0];
	auth->data = body + AUTH_HEADER_LEN;
	auth->len = len - AUTH_HEADER_LEN;
}

void payload_auth_write(struct msg_builder *b, const struct auth_payload *auth)
{
	builder_begin(b, PL_AUTH, false);
	wbuf_put8(&b->w, auth->method);
	wbuf_put8(&b->w, 0);
	wbuf_put16(&b->w, 0);
	wbuf_put(&b->w, auth->data, auth->len);
	builder_end(b);
}
