/* Encrypted (RFC 7296 3.14) and Encrypted Fragment (RFC 7383 2.5)
 * payloads: their framing only; sk.c checks the lengths the
 * negotiated algorithms require and decrypts. */
#include "ike/message.h"
#include "ike/payload.h"

#define SKF_HEADER_LEN 4

int payload_sk_validate(const uint8_t *body, size_t len)
{
	(void)body;
	return len > 0 ? 0 : -1;
}

int payload_skf_validate(const uint8_t *body, size_t len)
{
	uint16_t number, total;

	if (len <= SKF_HEADER_LEN)
		return -1;
	number = get16(body);
	total = get16(body + 2);
	return number >= 1 && total >= 1 && number <= total ? 0 : -1;
}

void payload_skf_parse(const uint8_t *body, size_t len, struct skf_payload *f)
{
	f->number = get16(body);
	f->total = get16(body + 2);
	f->data = body + SKF_HEADER_LEN;
	f->len = len - SKF_HEADER_LEN;
}
