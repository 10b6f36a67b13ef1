/* Bounds-checked big-endian reading and writing of IKE octets. */
#ifndef CYGNET_IKE_WIRE_H
#define CYGNET_IKE_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* An output buffer: writes past cap set overflow and are dropped, so a
 * generator checks once at the end. */
struct wbuf {
	uint8_t *data;
	size_t cap;
	size_t len;
	bool overflow;
};

static inline void wbuf_init(struct wbuf *w, uint8_t *data, size_t cap)
{
	w->data = data;
	w->cap = cap;
	w->len = 0;
	w->overflow = false;
}

static inline void wbuf_put(struct wbuf *w, const void *src, size_t n)
{
	if (w->overflow || n > w->cap - w->len) {
		w->overflow = true;
		return;
	}
	if (n)
		memcpy(w->data + w->len, src, n);
	w->len += n;
}

static inline void wbuf_put8(struct wbuf *w, uint8_t v)
{
	wbuf_put(w, &v, 1);
}

static inline void wbuf_put16(struct wbuf *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	wbuf_put(w, b, 2);
}

static inline void wbuf_put32(struct wbuf *w, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
			 (uint8_t)(v >> 8), (uint8_t)v };

	wbuf_put(w, b, 4);
}

/* Overwrites two octets already written (a length field). */
static inline void wbuf_set16(struct wbuf *w, size_t off, uint16_t v)
{
	if (!w->overflow && off + 2 <= w->len) {
		w->data[off] = (uint8_t)(v >> 8);
		w->data[off + 1] = (uint8_t)v;
	}
}

#endif
