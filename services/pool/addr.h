/* IP addresses as big-endian byte strings (4 or 16 bytes) and the
 * arithmetic the pools need: an address is a pool's first address plus
 * an offset, so no pool ever holds a table of its addresses. */
#ifndef POOL_ADDR_H
#define POOL_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IPADDR_STRLEN 46	/* INET6_ADDRSTRLEN */

struct ipaddr {
	uint8_t len;		/* 4 (IPv4) or 16 (IPv6) */
	uint8_t b[16];
};

/* Parses a numeric IPv4 or IPv6 address; false when it is not one. */
bool ipaddr_parse(const char *text, struct ipaddr *out);
/* From wire bytes: false unless len is 4 or 16. */
bool ipaddr_from_bytes(const uint8_t *bytes, size_t len, struct ipaddr *out);
/* "10.10.1.66", "2a02:168:4407:1::2"; buf of IPADDR_STRLEN. */
const char *ipaddr_format(const struct ipaddr *addr, char *buf, size_t size);

bool ipaddr_is_any(const struct ipaddr *addr);
bool ipaddr_equal(const struct ipaddr *a, const struct ipaddr *b);
/* memcmp order within one family; -1/0/1. */
int ipaddr_cmp(const struct ipaddr *a, const struct ipaddr *b);

/* out = base + offset; false when it runs past the end of the family's
 * address space. */
bool ipaddr_add(const struct ipaddr *base, uint64_t offset,
		struct ipaddr *out);
/* *offset = addr - base when base <= addr and the difference fits in
 * 64 bits; false otherwise (also for different families). */
bool ipaddr_sub(const struct ipaddr *addr, const struct ipaddr *base,
		uint64_t *offset);

/* The lowest host_bits bits of addr as a number (host_bits <= 64). */
uint64_t ipaddr_host_part(const struct ipaddr *addr, unsigned host_bits);

#endif
