/* KE (RFC 7296 3.4) and Nonce (3.9) payloads. */
#include "ike/message.h"
#include "ike/payload.h"

#define KE_HEADER_LEN 4

int payload_ke_validate(const uint8_t *body, size_t len)
{
	return len > KE_HEADER_LEN && get16(body) != 0 ? 0 : -1;
}

void payload_ke_parse(const uint8_t *body, size_t len, struct ke_payload *ke)
{
	ke->group = get16(body);
	ke->data = body + KE_HEADER_LEN;
	ke->len = len - KE_HEADER_LEN;
}

void payload_ke_write(struct msg_builder *b, uint16_t group,
		      const uint8_t *data, size_t len)
{
	builder_begin(b, PL_KE, false);
	wbuf_put16(&b->w, group);
	wbuf_put16(&b->w, 0);
	wbuf_put(&b->w, data, len);
	builder_end(b);
}

int payload_nonce_validate(const uint8_t *body, size_t len)
{
	(void)body;
	return len >= NONCE_MIN && len <= NONCE_MAX ? 0 : -1;
}

void payload_nonce_write(struct msg_builder *b, const uint8_t *nonce,
			 size_t len)
{
	builder_begin(b, PL_NONCE, false);
	wbuf_put(&b->w, nonce, len);
	builder_end(b);
}
