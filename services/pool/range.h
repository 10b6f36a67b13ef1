/* The addresses of one pool, from its addrs value: a CIDR subnet
 * ("10.10.1.64/26", as charon: network and broadcast address are not
 * handed out) or a range ("10.3.0.1-10.3.0.50", every address). */
#ifndef POOL_RANGE_H
#define POOL_RANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

/* The largest pool: 2^32 addresses.  A larger CIDR subnet (an IPv6 /64)
 * is limited to its first 2^32 addresses as charon limits its pools; a
 * larger explicit range is an error. */
#define POOL_HOST_BITS_MAX 32
#define POOL_SIZE_MAX (UINT64_C(1) << POOL_HOST_BITS_MAX)

struct pool_range {
	struct ipaddr base;	/* as configured: subnet address or range start */
	struct ipaddr first;	/* first address handed out */
	uint64_t size;		/* addresses handed out, 1 .. POOL_SIZE_MAX */
	int limited_prefix;	/* prefix a too large subnet was cut to, or -1 */
};

/* Returns 0, or -1 with the reason in err ("invalid addrs value: ...",
 * "empty range", "range too large"). */
int pool_range_parse(const char *text, struct pool_range *out, char *err,
		     size_t errlen);

/* Offset of addr in the range; false when addr is outside. */
bool pool_range_offset(const struct pool_range *range,
		       const struct ipaddr *addr, uint64_t *offset);
/* Address at offset (offset < size). */
void pool_range_addr(const struct pool_range *range, uint64_t offset,
		     struct ipaddr *out);
bool pool_range_overlap(const struct pool_range *a,
			const struct pool_range *b);
/* The last address handed out. */
void pool_range_last(const struct pool_range *range, struct ipaddr *out);

#endif
