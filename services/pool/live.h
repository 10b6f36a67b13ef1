/* The IKE service's list of live virtual IPs as the reconciler takes it. */
#ifndef POOL_LIVE_H
#define POOL_LIVE_H

#include "ike.pb-c.h"
#include "leases.h"

/* *out (malloc'd) points into list, so list must outlive it.  Entries
 * without a well-formed address or identity are logged and skipped.
 * Returns the count, or -1 when out of memory. */
int live_from_proto(const Cygnet__VirtualIpList *list, struct live_vip **out);

#endif
