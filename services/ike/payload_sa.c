/* SA payload (RFC 7296 3.3): proposals of transforms with attributes. */
#include "ike/message.h"
#include "ike/payload.h"

#include <string.h>

#define PROPOSAL_HEADER_LEN 8
#define TRANSFORM_HEADER_LEN 8
#define MORE_PROPOSALS 2
#define MORE_TRANSFORMS 3
#define ATTR_TV 0x8000
#define ATTR_KEY_LENGTH 14

static int attrs_validate(const uint8_t *p, size_t len)
{
	size_t off = 0;

	while (off < len) {
		uint16_t type;

		if (len - off < 4)
			return -1;
		type = get16(p + off);
		if (type & ATTR_TV) {
			off += 4;
			continue;
		}
		if (get16(p + off + 2) > len - off - 4)
			return -1;
		off += 4 + get16(p + off + 2);
	}
	return 0;
}

static int transforms_validate(const uint8_t *p, size_t len, unsigned count)
{
	size_t off = 0;

	for (unsigned i = 0; i < count; i++) {
		uint16_t tlen;
		uint8_t more = i + 1 < count ? MORE_TRANSFORMS : 0;

		if (len - off < TRANSFORM_HEADER_LEN || p[off] != more)
			return -1;
		tlen = get16(p + off + 2);
		if (tlen < TRANSFORM_HEADER_LEN || tlen > len - off)
			return -1;
		if (attrs_validate(p + off + TRANSFORM_HEADER_LEN,
				   tlen - TRANSFORM_HEADER_LEN) < 0)
			return -1;
		off += tlen;
	}
	return off == len ? 0 : -1;
}

static bool spi_size_valid(uint8_t protocol, uint8_t spi_size)
{
	switch (protocol) {
	case PROTO_IKE:
		return spi_size == 0 || spi_size == 8;
	case PROTO_AH:
	case PROTO_ESP:
		return spi_size == 4;
	default:
		return false;
	}
}

int payload_sa_validate(const uint8_t *body, size_t len)
{
	size_t off = 0;

	if (len == 0)
		return -1;
	while (off < len) {
		const uint8_t *p = body + off;
		uint16_t plen;
		size_t hdr;

		if (len - off < PROPOSAL_HEADER_LEN)
			return -1;
		plen = get16(p + 2);
		if (plen < PROPOSAL_HEADER_LEN || plen > len - off)
			return -1;
		if (p[0] != (off + plen < len ? MORE_PROPOSALS : 0))
			return -1;
		if (!spi_size_valid(p[5], p[6]))
			return -1;
		hdr = PROPOSAL_HEADER_LEN + p[6];
		if (hdr > plen || transforms_validate(p + hdr, plen - hdr, p[7]) < 0)
			return -1;
		off += plen;
	}
	return 0;
}

/* Only the key length attribute is known; a transform with another
 * attribute must be ignored (RFC 7296 3.3.6), reported as false. */
static bool transform_key_length(const uint8_t *attrs, size_t len,
				 uint16_t *key_length)
{
	size_t off = 0;

	*key_length = 0;
	while (off < len) {
		uint16_t type = get16(attrs + off);

		if (type != (ATTR_TV | ATTR_KEY_LENGTH))
			return false;
		*key_length = get16(attrs + off + 2);
		off += 4;
	}
	return true;
}

static void parse_proposal(const uint8_t *p, size_t plen, struct proposal *out)
{
	size_t off = PROPOSAL_HEADER_LEN + p[6];

	memset(out, 0, sizeof(*out));
	out->number = p[4];
	out->protocol = p[5];
	out->spi_size = p[6];
	memcpy(out->spi, p + PROPOSAL_HEADER_LEN, p[6]);
	while (off < plen) {
		const uint8_t *t = p + off;
		uint16_t tlen = get16(t + 2), key_length;

		if (transform_key_length(t + TRANSFORM_HEADER_LEN,
					 tlen - TRANSFORM_HEADER_LEN, &key_length))
			proposal_add(out, t[4], get16(t + 6), key_length);
		off += tlen;
	}
}

size_t payload_sa_parse(const uint8_t *body, size_t len, struct proposal *out,
			size_t max)
{
	size_t off = 0, n = 0;

	while (off < len && n < max) {
		uint16_t plen = get16(body + off + 2);

		parse_proposal(body + off, plen, &out[n++]);
		off += plen;
	}
	return n;
}

static void write_transform(struct wbuf *w, const struct transform *t,
			    bool last)
{
	wbuf_put8(w, last ? 0 : MORE_TRANSFORMS);
	wbuf_put8(w, 0);
	wbuf_put16(w, t->key_length ? TRANSFORM_HEADER_LEN + 4 : TRANSFORM_HEADER_LEN);
	wbuf_put8(w, t->type);
	wbuf_put8(w, 0);
	wbuf_put16(w, t->id);
	if (t->key_length) {
		wbuf_put16(w, ATTR_TV | ATTR_KEY_LENGTH);
		wbuf_put16(w, t->key_length);
	}
}

static void write_proposal(struct wbuf *w, const struct proposal *p,
			   uint8_t number, bool last)
{
	size_t start = w->len;

	wbuf_put8(w, last ? 0 : MORE_PROPOSALS);
	wbuf_put8(w, 0);
	wbuf_put16(w, 0);
	wbuf_put8(w, p->number ? p->number : number);
	wbuf_put8(w, p->protocol);
	wbuf_put8(w, p->spi_size);
	wbuf_put8(w, (uint8_t)p->count);
	wbuf_put(w, p->spi, p->spi_size);
	for (size_t i = 0; i < p->count; i++)
		write_transform(w, &p->transforms[i], i + 1 == p->count);
	wbuf_set16(w, start + 2, (uint16_t)(w->len - start));
}

void payload_sa_write(struct msg_builder *b, const struct proposal *props,
		      size_t n)
{
	builder_begin(b, PL_SA, false);
	for (size_t i = 0; i < n; i++)
		write_proposal(&b->w, &props[i], (uint8_t)(i + 1), i + 1 == n);
	builder_end(b);
}
