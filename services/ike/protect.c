#include "ike/protect.h"

#include <stdlib.h>

#include "log.h"

#define IPV4_HEADER 20
#define IPV6_HEADER 40
#define SKF_HEADER_LEN 8
#define SK_HEADER_LEN 4
#define UDP_HEADER 8

static struct frag_overhead overhead(const struct sk_keys *k,
				     const struct protect_params *p)
{
	return (struct frag_overhead){
		.ip_header = p->ipv6 ? IPV6_HEADER : IPV4_HEADER,
		.marker = p->natt ? 4 : 0,
		.iv_len = sk_iv_len(k),
		.icv_len = sk_icv_len(k),
		.block_size = sk_block_size(k),
	};
}

/* One SK or SKF message around len octets of chain. */
static size_t seal(const struct sk_keys *k, const struct ike_header *hdr,
		   uint8_t type, uint8_t inner, uint16_t number, uint16_t total,
		   const uint8_t *chain, size_t len, uint8_t *buf, size_t cap)
{
	struct msg_builder b;

	builder_init(&b, buf, cap, hdr);
	builder_begin_encrypted(&b, type, inner);
	if (type == PL_SKF) {
		wbuf_put16(&b.w, number);
		wbuf_put16(&b.w, total);
	}
	if (b.w.overflow)
		return 0;
	return sk_encrypt(k, buf, cap, IKE_HEADER_LEN,
			  type == PL_SKF ? SKF_HEADER_LEN : SK_HEADER_LEN,
			  chain, len);
}

static size_t fragments(const struct sk_keys *k, const struct ike_header *hdr,
			uint8_t first, const uint8_t *chain, size_t len,
			const struct protect_params *p, protect_emit_fn emit,
			void *arg, uint8_t *buf, size_t cap)
{
	struct frag_overhead o = overhead(k, p);
	size_t room = fragment_capacity(p->fragment_size, &o);
	size_t n = fragment_count(len, room, p->max_fragments);

	if (n == 0) {
		DBG1(LOG_ENC, "message of %zu bytes needs too many fragments", len);
		return 0;
	}
	DBG1(LOG_ENC, "splitting IKE message (%zu bytes) into %zu fragments",
	     IKE_HEADER_LEN + len, n);
	for (size_t i = 0; i < n; i++) {
		size_t off = i * room, part = len - off < room ? len - off : room;
		size_t out = seal(k, hdr, PL_SKF, i == 0 ? first : PL_NONE,
				  (uint16_t)(i + 1), (uint16_t)n, chain + off, part,
				  buf, cap);

		if (out == 0 || emit(arg, buf, out) < 0)
			return 0;
	}
	return n;
}

size_t protect_message(const struct sk_keys *keys, const struct ike_header *hdr,
		       uint8_t first, const uint8_t *chain, size_t len,
		       const struct protect_params *p, protect_emit_fn emit,
		       void *arg)
{
	struct frag_overhead o = overhead(keys, p);
	size_t cap = IKE_HEADER_LEN + SKF_HEADER_LEN + len + o.iv_len +
		     o.icv_len + o.block_size + 1;
	uint8_t *buf = malloc(cap);
	size_t out, sent = 0;

	if (!buf)
		return 0;
	out = seal(keys, hdr, PL_SK, first, 0, 0, chain, len, buf, cap);
	if (out && (!p->fragmentation ||
		    out + o.ip_header + UDP_HEADER + o.marker <= p->fragment_size))
		sent = emit(arg, buf, out) == 0 ? 1 : 0;
	else if (out)
		sent = fragments(keys, hdr, first, chain, len, p, emit, arg, buf, cap);
	free(buf);
	return sent;
}
