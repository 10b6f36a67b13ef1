/* Our INFORMATIONAL requests (RFC 7296 1.4): DELETE of an IKE_SA or a
 * CHILD_SA, and liveness checks (DPD), answered in response.c. */
#ifndef CYGNET_IKE_DELETE_H
#define CYGNET_IKE_DELETE_H

#include <stdint.h>

#include "ike/service.h"

enum info_kind {
	INFO_NONE,
	INFO_DELETE_IKE,
	INFO_DELETE_CHILD,
	INFO_DPD,
};

/* Deletes IKE_SA unique_id actively: a DELETE to the peer, the SA
 * removed (CHILD_SAs, leases, like exchange_sa_gone) once answered or
 * after the last retransmit; an SA not yet established just goes.
 * Callable from any thread.  Returns 0 when under way, 1 when the SA is
 * busy now (a worker runs or a request of ours is outstanding: try
 * again later), -1 when there is no such SA. */
int ike_sa_delete(struct ike_service *svc, uint64_t unique_id);

/* The same for CHILD_SA child_id of IKE_SA ike_id (its IKE_SA stays). */
int child_sa_delete(struct ike_service *svc, uint64_t ike_id,
		    uint32_t child_id);

/* The peer installed a CHILD_SA we could not: a DELETE for it by our
 * SPI spi_in (nothing of ours is left to remove).  The SA must be
 * owned; returns as ike_sa_delete. */
int child_sa_delete_refused(struct ike_service *svc, struct ike_sa *sa,
			    uint32_t spi_in);

/* Our DELETE of CHILD_SA child of sa (owned), whose close the caller
 * logged (replaced by our rekeying, expired, redundant after a rekey
 * collision); removed once answered.  Returns as ike_sa_delete. */
int child_sa_send_delete(struct ike_service *svc, struct ike_sa *sa,
			 const struct child_sa *child);

/* The same for callers that own sa (its worker, the packet thread's
 * timers, a thread that claimed it busy). */
int ike_sa_delete_owned(struct ike_service *svc, struct ike_sa *sa);

/* charon's "deleting IKE_SA x[1] between A[id]...B[id]". */
void ike_sa_log_deleting(const struct ike_sa *sa);

/* An empty INFORMATIONAL request (DPD, "sending DPD request"); the SA
 * must be owned.  Returns 0, -1. */
int ike_sa_send_dpd(struct ike_service *svc, struct ike_sa *sa);

#endif
