#include "range.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* Copies text[0..len) without surrounding blanks; false if too long. */
static bool copy_trimmed(const char *text, size_t len, char *buf,
			 size_t size)
{
	while (len && isspace((unsigned char)*text)) {
		text++;
		len--;
	}
	while (len && isspace((unsigned char)text[len - 1]))
		len--;
	if (len >= size)
		return false;
	memcpy(buf, text, len);
	buf[len] = '\0';
	return true;
}

static int parse_from_to(const char *text, const char *dash,
			 struct pool_range *out, char *err, size_t errlen)
{
	char from_text[IPADDR_STRLEN], to_text[IPADDR_STRLEN];
	struct ipaddr from, to;
	uint64_t span;

	if (!copy_trimmed(text, (size_t)(dash - text), from_text,
			  sizeof(from_text)) ||
	    !copy_trimmed(dash + 1, strlen(dash + 1), to_text,
			  sizeof(to_text)) ||
	    !ipaddr_parse(from_text, &from) || !ipaddr_parse(to_text, &to) ||
	    from.len != to.len) {
		snprintf(err, errlen, "invalid addrs value: %s", text);
		return -1;
	}
	if (ipaddr_cmp(&from, &to) > 0) {
		snprintf(err, errlen, "empty range: %s", text);
		return -1;
	}
	if (!ipaddr_sub(&to, &from, &span) || span >= POOL_SIZE_MAX) {
		snprintf(err, errlen,
			 "range too large: %s (at most 2^%d addresses)", text,
			 POOL_HOST_BITS_MAX);
		return -1;
	}
	out->base = from;
	out->first = from;
	out->size = span + 1;
	out->limited_prefix = -1;
	return 0;
}

static bool parse_prefix(const char *text, unsigned max, unsigned *prefix)
{
	unsigned value = 0;

	if (!*text || strlen(text) > 3)
		return false;
	for (; *text; text++) {
		if (!isdigit((unsigned char)*text))
			return false;
		value = value * 10 + (unsigned)(*text - '0');
	}
	*prefix = value;
	return value <= max;
}

/* charon's sizing of a subnet pool: skip the network address when the
 * base is one, start at the base otherwise, and skip the broadcast
 * address; /31 and /32 (/127, /128) hand out what they have. */
static int size_subnet(const char *text, unsigned host_bits,
		       struct pool_range *out, char *err, size_t errlen)
{
	uint64_t total = UINT64_C(1) << host_bits;
	uint64_t diff = ipaddr_host_part(&out->base, host_bits);

	out->first = out->base;
	if (total > 2) {
		if (diff == 0) {
			ipaddr_add(&out->base, 1, &out->first);
			diff = 1;
		}
		out->size = total - diff - 1;
	} else {
		out->size = total - diff;
	}
	if (out->size == 0) {
		snprintf(err, errlen, "empty range: %s", text);
		return -1;
	}
	return 0;
}

static int parse_subnet(const char *text, struct pool_range *out, char *err,
			size_t errlen)
{
	char addr_text[IPADDR_STRLEN];
	const char *slash = strchr(text, '/');
	unsigned bits, prefix;

	if (!copy_trimmed(text, slash ? (size_t)(slash - text) : strlen(text),
			  addr_text, sizeof(addr_text)) ||
	    !ipaddr_parse(addr_text, &out->base))
		goto invalid;
	bits = out->base.len * 8u;
	prefix = bits;
	if (slash && !parse_prefix(slash + 1, bits, &prefix))
		goto invalid;
	out->limited_prefix = -1;
	if (bits - prefix > POOL_HOST_BITS_MAX) {
		prefix = bits - POOL_HOST_BITS_MAX;
		out->limited_prefix = (int)prefix;
	}
	return size_subnet(text, bits - prefix, out, err, errlen);
invalid:
	snprintf(err, errlen, "invalid addrs value: %s", text);
	return -1;
}

int pool_range_parse(const char *text, struct pool_range *out, char *err,
		     size_t errlen)
{
	const char *dash = strchr(text, '-');

	memset(out, 0, sizeof(*out));
	if (dash)
		return parse_from_to(text, dash, out, err, errlen);
	return parse_subnet(text, out, err, errlen);
}

bool pool_range_offset(const struct pool_range *range,
		       const struct ipaddr *addr, uint64_t *offset)
{
	uint64_t off;

	if (!ipaddr_sub(addr, &range->first, &off) || off >= range->size)
		return false;
	*offset = off;
	return true;
}

void pool_range_addr(const struct pool_range *range, uint64_t offset,
		     struct ipaddr *out)
{
	ipaddr_add(&range->first, offset, out);
}

void pool_range_last(const struct pool_range *range, struct ipaddr *out)
{
	pool_range_addr(range, range->size - 1, out);
}

bool pool_range_overlap(const struct pool_range *a,
			const struct pool_range *b)
{
	struct ipaddr a_last, b_last;

	if (a->first.len != b->first.len)
		return false;
	pool_range_last(a, &a_last);
	pool_range_last(b, &b_last);
	return ipaddr_cmp(&a->first, &b_last) <= 0 &&
	       ipaddr_cmp(&b->first, &a_last) <= 0;
}
