/* The first CHILD_SA of an IKE_SA, negotiated in IKE_AUTH. */
#ifndef CYGNET_IKE_CHILD_CREATE_H
#define CYGNET_IKE_CHILD_CREATE_H

#include "ike/cp.h"
#include "ike/ike_auth.h"

/* Appends SA, TSi, TSr, or the notify saying why not (NO_PROPOSAL_CHOSEN,
 * TS_UNACCEPTABLE); the IKE_SA stays either way. */
void child_create(struct ike_service *svc, struct ike_sa *sa,
		  const struct peer_cfg *cfg, const struct auth_request *r,
		  const struct lease *leases, size_t n_leases,
		  struct msg_builder *b);

#endif
