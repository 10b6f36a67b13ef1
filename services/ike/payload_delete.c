/* Delete payload (RFC 7296 3.11). */
#include "ike/message.h"
#include "ike/payload.h"

#define DELETE_HEADER_LEN 4

int payload_delete_validate(const uint8_t *body, size_t len)
{
	uint8_t spi_size;
	uint16_t n;

	if (len < DELETE_HEADER_LEN)
		return -1;
	spi_size = body[1];
	n = get16(body + 2);
	switch (body[0]) {
	case PROTO_IKE:
		/* The IKE SA is named by the header's SPIs. */
		if (spi_size != 0 || n != 0)
			return -1;
		break;
	case PROTO_AH:
	case PROTO_ESP:
		if (spi_size != 4)
			return -1;
		break;
	default:
		return -1;
	}
	return len - DELETE_HEADER_LEN == (size_t)spi_size * n ? 0 : -1;
}

void payload_delete_parse(const uint8_t *body, size_t len,
			  struct delete_payload *d)
{
	(void)len;
	d->protocol = body[0];
	d->spi_size = body[1];
	d->n_spis = get16(body + 2);
	d->spis = body + DELETE_HEADER_LEN;
}

void payload_delete_write(struct msg_builder *b, const struct delete_payload *d)
{
	builder_begin(b, PL_DELETE, false);
	wbuf_put8(&b->w, d->protocol);
	wbuf_put8(&b->w, d->spi_size);
	wbuf_put16(&b->w, d->n_spis);
	wbuf_put(&b->w, d->spis, (size_t)d->spi_size * d->n_spis);
	builder_end(b);
}
