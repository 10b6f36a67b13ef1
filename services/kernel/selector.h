/* Traffic selector <-> XFRM selector.  XFRM selects by prefix and port
 * mask, IKEv2 by ranges: a range becomes the smallest prefix that covers
 * it (as strongSwan does), a port range the common high bits. */
#ifndef CYGNET_KERNEL_SELECTOR_H
#define CYGNET_KERNEL_SELECTOR_H

#include "knl.h"

/* src and dst must have the same family. */
void selector_from_ts(struct xfrm_selector *sel, const struct knl_ts *src,
		      const struct knl_ts *dst);
void selector_to_ts(const struct xfrm_selector *sel, bool src,
		    struct knl_ts *ts);
/* The length of the longest common prefix of two addresses. */
uint8_t selector_common_prefix(const uint8_t *a, const uint8_t *b,
			       size_t bytes);

/* Priority as strongSwan's kernel-netlink computes it: a base per kind,
 * minus 512 per selector prefix bit, 256 for a protocol and 4 per port
 * mask bit, so that more specific policies win (lower value first). */
enum selector_prio_kind {
	SELECTOR_PRIO_PASS,	/* bypass policies */
	SELECTOR_PRIO_DEFAULT,	/* IPsec policies of a CHILD_SA */
};
uint32_t selector_priority(const struct xfrm_selector *sel,
			   enum selector_prio_kind kind);

#endif
