/* Names and address text for log lines and listings. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "knl.h"

const char *knl_dir_name(uint8_t dir)
{
	switch (dir) {
	case XFRM_POLICY_IN:
		return "in";
	case XFRM_POLICY_OUT:
		return "out";
	case XFRM_POLICY_FWD:
		return "fwd";
	default:
		return "?";
	}
}

const char *knl_mode_name(uint8_t mode)
{
	switch (mode) {
	case XFRM_MODE_TUNNEL:
		return "TUNNEL";
	case XFRM_MODE_TRANSPORT:
		return "TRANSPORT";
	default:
		return "?";
	}
}

void knl_format_addr(const struct knl_addr *addr, char *buf, size_t len)
{
	if (!inet_ntop(addr->family, addr->ip, buf, len))
		snprintf(buf, len, "(family %u)", addr->family);
}

void knl_format_selector_side(const struct xfrm_selector *sel, bool src,
			      char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];
	const void *raw = src ? (const void *)&sel->saddr
			      : (const void *)&sel->daddr;

	if (!inet_ntop(sel->family, raw, ip, sizeof(ip)))
		snprintf(ip, sizeof(ip), "(family %u)", sel->family);
	snprintf(buf, len, "%s/%u", ip, src ? sel->prefixlen_s
					    : sel->prefixlen_d);
}

void knl_format_policy(const struct knl_policy *p, char *buf, size_t len)
{
	char src[64], dst[64];

	knl_format_selector_side(&p->sel, true, src, sizeof(src));
	knl_format_selector_side(&p->sel, false, dst, sizeof(dst));
	snprintf(buf, len, "%s === %s %s", src, dst, knl_dir_name(p->dir));
}
