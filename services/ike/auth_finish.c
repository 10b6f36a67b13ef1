/* IKE_AUTH after authentication: the IKE_SA's lifetimes, virtual IPs
 * (CP), the CHILD_SA, then AUTH_LIFETIME and MOBIKE as charon orders
 * them. */
#include <stdlib.h>

#include "ike/child_create.h"
#include "ike/cp.h"
#include "ike/ike_auth.h"
#include "ike/lifetime.h"
#include "ike/mobike.h"
#include "log.h"
#include "ike/wire.h"

/* Leases for the CFG_REQUEST's addresses; returns how many, or -1 when
 * one was requested and none could be assigned. */
static int acquire(struct ike_request *req, const struct peer_cfg *cfg,
		   const char *lease_id, const struct payload *p,
		   struct lease *leases)
{
	struct cp_payload *cp = malloc(sizeof(*cp));
	struct cp_wanted wanted;
	size_t n = 0;

	if (!cp)
		return -1;
	payload_cp_parse(p->body, p->len, cp);
	cp_requested(cp, &wanted);
	free(cp);
	for (size_t i = 0; i < wanted.n; i++)
		if (lease_acquire(req->svc, req->sa, cfg, lease_id,
				  wanted.addr[i], wanted.len[i], &leases[n]) == 0)
			n++;
	return wanted.n && n == 0 ? -1 : (int)n;
}

/* RFC 4478: the seconds until the peer has to reauthenticate. */
static void write_auth_lifetime(struct msg_builder *b, long reauth)
{
	uint8_t value[4];
	struct wbuf w;

	if (reauth <= 0)
		return;
	wbuf_init(&w, value, sizeof(value));
	wbuf_put32(&w, (uint32_t)reauth);
	payload_notify_write(b, &(struct notify_payload){
		.type = N_AUTH_LIFETIME, .data = value, .len = sizeof(value) });
}

int ike_auth_finish(struct ike_request *req, const struct peer_cfg *cfg,
		    const struct auth_request *r, const char *lease_id,
		    struct msg_builder *b)
{
	struct lease *leases = calloc(CP_VIPS_MAX, sizeof(*leases));
	struct ike_times times;
	uint16_t child_failed = 0;
	int n = 0;

	lifetime_start(req->svc, req->sa, cfg->name, &times);
	if (!leases)
		return 0;
	if (r->cp)
		n = acquire(req, cfg, lease_id, r->cp, leases);
	if (n < 0) {
		DBG1(LOG_IKE, "no virtual IP found, sending INTERNAL_ADDRESS_FAILURE");
		DBG1(LOG_IKE, "configuration payload negotiation failed, no "
		     "CHILD_SA built");
	} else {
		if (n > 0)
			cp_write_reply(b, leases, (size_t)n);
		if (r->sa && r->tsi && r->tsr && cfg->has_child)
			child_failed = child_create(req->svc, req->sa, cfg, r,
						    leases, (size_t)n, b);
	}
	write_auth_lifetime(b, times.reauth);
	if (r->mobike && mobike_enabled(req->svc, cfg->name))
		mobike_write_supported(b, &req->sa->local);
	/* Error notifies come last in charon's order. */
	if (n < 0)
		exchange_write_notify(b, N_INTERNAL_ADDRESS_FAILURE);
	if (child_failed)
		exchange_write_notify(b, child_failed);
	free(leases);
	return 0;
}
