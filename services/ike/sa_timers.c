/* What happens on an IKE_SA without a message (the packet thread, once
 * a second): our retransmits and giving up, DPD after dpd_delay without
 * a message from the peer, NAT keep-alives when we are behind a NAT,
 * CHILD_SAs rekeyed or closed at their times. */
#include "ike/sa_timers.h"

#include <stdlib.h>
#include <string.h>

#include "ike/child_out.h"
#include "ike/create_child.h"
#include "ike/delete.h"
#include "ike/initiate.h"
#include "ike/request_out.h"
#include "log.h"

/* The peer did not answer our request: the SA ends; after a DPD with
 * dpd_action = restart the connection is initiated again. */
static void gave_up(struct ike_service *svc, struct ike_sa *sa)
{
	bool restart = sa->info_kind == INFO_DPD &&
		       sa->dpd_action == ACTION_RESTART;
	char conn[sizeof(sa->conn)], err[256];
	uint64_t id;

	if (sa->state == IKE_SA_CONNECTING && sa->initiator)
		DBG1(LOG_IKE, "establishing IKE_SA failed, peer not responding");
	memcpy(conn, sa->conn, sizeof(conn));
	request_answered(sa);
	initiating_abort(svc, sa);
	exchange_sa_gone(svc, sa);
	if (restart && initiate(svc, NULL, conn, &id, err, sizeof(err)) < 0)
		DBG1(LOG_IKE, "restarting '%s' failed: %s", conn, err);
}

static void keepalive(struct ike_service *svc, struct ike_sa *sa, time_t now)
{
	if (now - sa->last_keepalive < NAT_KEEPALIVE_SECONDS)
		return;
	sa->last_keepalive = now;
	ike_sockets_keepalive(&svc->sockets, &sa->local, &sa->remote);
}

static void tick_one(struct ike_service *svc, struct ike_sa *sa, time_t now,
		     uint64_t now_ms)
{
	if (request_tick(svc, sa, now_ms) < 0) {
		gave_up(svc, sa);
		return;
	}
	if (sa->state == IKE_SA_REKEYED)
		rekey_ike_expire(svc, sa, now);
	if (sa->state != IKE_SA_ESTABLISHED)
		return;
	if (sa->local_nat)
		keepalive(svc, sa, now);
	if (!request_pending(sa) && !sa->initiating)
		child_out_tick(svc, sa, now);
	if (sa->dpd_delay > 0 && !request_pending(sa) &&
	    now - sa->last_received >= sa->dpd_delay)
		ike_sa_send_dpd(svc, sa);
}

void sa_timers_tick(struct ike_service *svc)
{
	size_t n;
	struct ike_sa **all = sa_table_pointers(svc->sas, &n);
	time_t now = sa_table_now();
	uint64_t now_ms = request_now_ms();

	for (size_t i = 0; all && i < n; i++) {
		struct ike_sa *sa = all[i];
		bool idle = false;

		if (sa->state == IKE_SA_DELETING ||
		    !atomic_compare_exchange_strong(&sa->busy, &idle, true))
			continue;
		tick_one(svc, sa, now, now_ms);
		sa_release(svc, sa);
	}
	free(all);
}
