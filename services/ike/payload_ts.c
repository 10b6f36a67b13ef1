/* Traffic selector payloads TSi/TSr (RFC 7296 3.13). */
#include "ike/message.h"
#include "ike/payload.h"

#include <string.h>

#define TS_HEADER_LEN 4
#define SELECTOR_HEADER_LEN 8
#define SELECTOR_V4_LEN (SELECTOR_HEADER_LEN + 8)
#define SELECTOR_V6_LEN (SELECTOR_HEADER_LEN + 32)

static size_t selector_len(uint8_t type)
{
	switch (type) {
	case TS_IPV4_ADDR_RANGE:
		return SELECTOR_V4_LEN;
	case TS_IPV6_ADDR_RANGE:
		return SELECTOR_V6_LEN;
	default:
		return 0;
	}
}

int payload_ts_validate(const uint8_t *body, size_t len)
{
	size_t off = TS_HEADER_LEN;
	unsigned count;

	if (len < TS_HEADER_LEN || body[0] == 0)
		return -1;
	count = body[0];
	for (unsigned i = 0; i < count; i++) {
		uint16_t slen;
		size_t expected;

		if (len - off < SELECTOR_HEADER_LEN)
			return -1;
		slen = get16(body + off + 2);
		expected = selector_len(body[off]);
		if (slen < SELECTOR_HEADER_LEN || slen > len - off ||
		    (expected && slen != expected))
			return -1;
		off += slen;
	}
	return off == len ? 0 : -1;
}

static void parse_selector(const uint8_t *s, struct ts *ts)
{
	size_t alen;

	memset(ts, 0, sizeof(*ts));
	ts->type = s[0];
	ts->protocol = s[1];
	ts->start_port = get16(s + 4);
	ts->end_port = get16(s + 6);
	alen = ts_addr_len(ts);
	memcpy(ts->start, s + SELECTOR_HEADER_LEN, alen);
	memcpy(ts->end, s + SELECTOR_HEADER_LEN + alen, alen);
}

size_t payload_ts_parse(const uint8_t *body, size_t len, struct ts *out,
			size_t max)
{
	size_t off = TS_HEADER_LEN, n = 0;

	while (off < len) {
		uint16_t slen = get16(body + off + 2);

		if (selector_len(body[off]) && n < max)
			parse_selector(body + off, &out[n++]);
		off += slen;
	}
	return n;
}

static void write_selector(struct wbuf *w, const struct ts *ts)
{
	size_t alen = ts_addr_len(ts);

	wbuf_put8(w, ts->type);
	wbuf_put8(w, ts->protocol);
	wbuf_put16(w, (uint16_t)selector_len(ts->type));
	wbuf_put16(w, ts->start_port);
	wbuf_put16(w, ts->end_port);
	wbuf_put(w, ts->start, alen);
	wbuf_put(w, ts->end, alen);
}

void payload_ts_write(struct msg_builder *b, uint8_t payload_type,
		      const struct ts *ts, size_t n)
{
	builder_begin(b, payload_type, false);
	wbuf_put8(&b->w, (uint8_t)n);
	wbuf_put8(&b->w, 0);
	wbuf_put16(&b->w, 0);
	for (size_t i = 0; i < n; i++)
		write_selector(&b->w, &ts[i]);
	builder_end(b);
}
