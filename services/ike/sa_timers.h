/* Timed work on IKE_SAs, driven by the packet thread's tick. */
#ifndef CYGNET_IKE_SA_TIMERS_H
#define CYGNET_IKE_SA_TIMERS_H

#include "ike/service.h"

/* charon's keep_alive default: a NAT keeps a UDP mapping at least this
 * long. */
#define NAT_KEEPALIVE_SECONDS 20

/* Retransmits (and giving up), DPD and NAT keep-alives of every SA no
 * worker uses; the packet thread calls it once a second. */
void sa_timers_tick(struct ike_service *svc);

#endif
