/* cygnet-ike's desired state goes back to the pool and kernel services
 * at start and each time one of them comes back (a restart seen as a
 * new connection of the RPC client): the leases of the live IKE_SAs
 * (lease_reconcile) and the kernel state of their CHILD_SAs
 * (kernel_desired_sync).  A failed sync is retried with back-off. */
#ifndef CYGNET_IKE_RESYNC_H
#define CYGNET_IKE_RESYNC_H

struct ike_service;

/* Syncs both once (before the packet thread runs: nothing changes the
 * SAs meanwhile), then watches the connections on a thread. */
void resync_start(struct ike_service *svc);
void resync_stop(struct ike_service *svc);

#endif
