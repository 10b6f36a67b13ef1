#include "addr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

bool ipaddr_parse(const char *text, struct ipaddr *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, text, out->b) == 1) {
		out->len = 4;
		return true;
	}
	if (inet_pton(AF_INET6, text, out->b) == 1) {
		out->len = 16;
		return true;
	}
	return false;
}

bool ipaddr_from_bytes(const uint8_t *bytes, size_t len, struct ipaddr *out)
{
	memset(out, 0, sizeof(*out));
	if (len != 4 && len != 16)
		return false;
	out->len = (uint8_t)len;
	memcpy(out->b, bytes, len);
	return true;
}

const char *ipaddr_format(const struct ipaddr *addr, char *buf, size_t size)
{
	int family = addr->len == 4 ? AF_INET : AF_INET6;

	if (!inet_ntop(family, addr->b, buf, size))
		snprintf(buf, size, "%s", "(invalid)");
	return buf;
}

bool ipaddr_is_any(const struct ipaddr *addr)
{
	for (unsigned i = 0; i < addr->len; i++) {
		if (addr->b[i])
			return false;
	}
	return true;
}

bool ipaddr_equal(const struct ipaddr *a, const struct ipaddr *b)
{
	return a->len == b->len && memcmp(a->b, b->b, a->len) == 0;
}

int ipaddr_cmp(const struct ipaddr *a, const struct ipaddr *b)
{
	int c;

	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	c = memcmp(a->b, b->b, a->len);
	return (c > 0) - (c < 0);
}

bool ipaddr_add(const struct ipaddr *base, uint64_t offset,
		struct ipaddr *out)
{
	unsigned carry = 0;

	*out = *base;
	for (int i = base->len - 1; i >= 0; i--) {
		unsigned sum = out->b[i] + (unsigned)(offset & 0xff) + carry;

		out->b[i] = (uint8_t)sum;
		carry = sum >> 8;
		offset >>= 8;
	}
	return offset == 0 && carry == 0;
}

bool ipaddr_sub(const struct ipaddr *addr, const struct ipaddr *base,
		uint64_t *offset)
{
	unsigned borrow = 0;
	uint8_t diff[16];

	if (addr->len != base->len || ipaddr_cmp(addr, base) < 0)
		return false;
	for (int i = addr->len - 1; i >= 0; i--) {
		int d = addr->b[i] - base->b[i] - (int)borrow;

		borrow = d < 0;
		diff[i] = (uint8_t)(d + (borrow ? 256 : 0));
	}
	/* the difference must fit in the last eight bytes */
	for (int i = 0; i < addr->len - 8; i++) {
		if (diff[i])
			return false;
	}
	*offset = 0;
	for (int i = addr->len > 8 ? addr->len - 8 : 0; i < addr->len; i++)
		*offset = (*offset << 8) | diff[i];
	return true;
}

uint64_t ipaddr_host_part(const struct ipaddr *addr, unsigned host_bits)
{
	uint64_t low = 0;
	int start = addr->len > 8 ? addr->len - 8 : 0;

	for (int i = start; i < addr->len; i++)
		low = (low << 8) | addr->b[i];
	if (host_bits >= 64)
		return low;
	return low & ((UINT64_C(1) << host_bits) - 1);
}
