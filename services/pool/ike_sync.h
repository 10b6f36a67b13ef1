/* Reconciliation with the IKE service after a start: ask it for the
 * virtual IPs its live IKE_SAs hold (IKE_LIST_VIRTUAL_IPS), retrying
 * with back-off while it is down, and put every lease it no longer holds
 * offline.  Runs once, on its own thread; acquires go on meanwhile. */
#ifndef POOL_IKE_SYNC_H
#define POOL_IKE_SYNC_H

#include <stddef.h>

#include "leases.h"
#include "settings.h"

struct ike_sync;

/* ike_url: the IKE service's endpoint; tls: ours, for tls+tcp:// urls. */
struct ike_sync *ike_sync_start(struct leases *leases, const char *ike_url,
				const struct rpc_tls *tls, char *err,
				size_t errlen);
/* Stops retrying; a call in flight is cut short. */
void ike_sync_stop(struct ike_sync *sync);

#endif
