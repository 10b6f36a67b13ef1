#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "selector.h"

#define PRIO_BASE 200000u

static size_t addr_bytes(uint16_t family)
{
	return family == AF_INET6 ? 16 : 4;
}

uint8_t selector_common_prefix(const uint8_t *a, const uint8_t *b,
			       size_t bytes)
{
	uint8_t bits = 0;

	for (size_t i = 0; i < bytes; i++) {
		uint8_t diff = a[i] ^ b[i];
		if (!diff) {
			bits += 8;
			continue;
		}
		for (uint8_t mask = 0x80; !(diff & mask); mask >>= 1)
			bits++;
		break;
	}
	return bits;
}

/* Network address and prefix of the subnet covering ts's range. */
static void ts_subnet(const struct knl_ts *ts, xfrm_address_t *net,
		      uint8_t *prefix)
{
	size_t bytes = addr_bytes(ts->family);
	uint8_t *out = (uint8_t *)net;

	*prefix = selector_common_prefix(ts->from, ts->to, bytes);
	memset(net, 0, sizeof(*net));
	for (size_t i = 0; i < bytes; i++) {
		int keep = *prefix - (int)i * 8;
		uint8_t mask = keep >= 8 ? 0xff
				: keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));
		out[i] = ts->from[i] & mask;
	}
}

/* Port and mask (network order) covering from..to: a single port is
 * exact, a range keeps the bits the two ends share. */
static void ts_ports(uint16_t from, uint16_t to, __be16 *port, __be16 *mask)
{
	uint16_t m = 0;

	if (from == to) {
		*port = htons(from);
		*mask = 0xffff;
		return;
	}
	for (int bit = 15; bit >= 0; bit--) {
		uint16_t b = (uint16_t)(1u << bit);
		if ((from & b) != (to & b))
			break;
		m |= b;
	}
	*port = htons(from & m);
	*mask = htons(m);
}

static bool is_icmp(uint8_t proto)
{
	return proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6;
}

void selector_from_ts(struct xfrm_selector *sel, const struct knl_ts *src,
		      const struct knl_ts *dst)
{
	memset(sel, 0, sizeof(*sel));
	sel->family = src->family;
	/* one side may say "any protocol": the other one restricts */
	sel->proto = src->proto > dst->proto ? src->proto : dst->proto;
	ts_subnet(src, &sel->saddr, &sel->prefixlen_s);
	ts_subnet(dst, &sel->daddr, &sel->prefixlen_d);
	ts_ports(src->from_port, src->to_port, &sel->sport, &sel->sport_mask);
	ts_ports(dst->from_port, dst->to_port, &sel->dport, &sel->dport_mask);
	if (is_icmp(sel->proto) && (sel->sport || sel->dport)) {
		/* the kernel wants the ICMP type in sport, the code in dport */
		uint16_t tc = ntohs(sel->sport) > ntohs(sel->dport)
				      ? ntohs(sel->sport) : ntohs(sel->dport);
		sel->sport = htons(tc >> 8);
		sel->sport_mask = sel->sport ? 0xffff : 0;
		sel->dport = htons(tc & 0xff);
		sel->dport_mask = sel->dport ? 0xffff : 0;
	}
}

void selector_to_ts(const struct xfrm_selector *sel, bool src,
		    struct knl_ts *ts)
{
	const uint8_t *addr = src ? (const uint8_t *)&sel->saddr
				  : (const uint8_t *)&sel->daddr;
	uint8_t prefix = src ? sel->prefixlen_s : sel->prefixlen_d;
	uint16_t port = ntohs(src ? sel->sport : sel->dport);
	uint16_t mask = ntohs(src ? sel->sport_mask : sel->dport_mask);
	size_t bytes = addr_bytes(sel->family);

	memset(ts, 0, sizeof(*ts));
	ts->family = sel->family;
	ts->proto = sel->proto;
	if (prefix > bytes * 8)
		prefix = (uint8_t)(bytes * 8);
	for (size_t i = 0; i < bytes; i++) {
		int keep = prefix - (int)i * 8;
		uint8_t m = keep >= 8 ? 0xff
			    : keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));
		ts->from[i] = addr[i] & m;
		ts->to[i] = (uint8_t)(addr[i] | ~m);
	}
	if (is_icmp(sel->proto)) {
		uint16_t tc = (uint16_t)(ntohs(sel->sport) << 8 |
					 (ntohs(sel->dport) & 0xff));
		ts->from_port = ts->to_port = tc;
		if (!sel->sport_mask && !sel->dport_mask) {
			ts->from_port = 0;
			ts->to_port = 0xffff;
		}
		return;
	}
	ts->from_port = port & mask;
	ts->to_port = (uint16_t)((port & mask) | (uint16_t)~mask);
}

static uint32_t mask_bits(__be16 mask)
{
	uint16_t m = ntohs(mask);
	uint32_t bits = 0;

	while (bits < 16 && (m & (0x8000 >> bits)))
		bits++;
	return bits;
}

uint32_t selector_priority(const struct xfrm_selector *sel,
			   enum selector_prio_kind kind)
{
	uint32_t prio = kind == SELECTOR_PRIO_DEFAULT ? 2 * PRIO_BASE
						      : PRIO_BASE;

	prio -= (uint32_t)(sel->prefixlen_s + sel->prefixlen_d) * 512;
	prio -= sel->proto ? 256 : 0;
	prio -= (mask_bits(sel->sport_mask) + mask_bits(sel->dport_mask)) * 4;
	/* strongSwan also subtracts 1 for everything but routed (trap)
	 * policies, which we never install */
	prio -= 1;
	return prio;
}
