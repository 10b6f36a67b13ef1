/* Desired-state reconciliation: the IKE service lists every SA and
 * policy it wants; owned entries that are missing get installed, owned
 * entries nobody wants get removed, everything else stays untouched (a
 * working tunnel is never taken down and put back). */
#ifndef CYGNET_KERNEL_STATE_H
#define CYGNET_KERNEL_STATE_H

#include "adopt.h"
#include "knl.h"
#include "netlink.h"

#define STATE_ERRORS_MAX 16

struct state_result {
	unsigned sas_added;
	unsigned sas_removed;
	unsigned sas_kept;
	unsigned policies_added;
	unsigned policies_removed;
	unsigned policies_kept;
	char errors[STATE_ERRORS_MAX][384];
	size_t n_errors;
	size_t errors_dropped;
};

struct state_desired {
	const struct knl_sa *sas;
	size_t n_sas;
	const struct knl_policy *policies;	/* expanded, bypass included */
	size_t n_policies;
	bool drop_larval;	/* flush: larval SAs go too */
};

/* Returns 0 when the tables could be read (item failures are listed in
 * res), -1 with err when a dump failed. */
int state_reconcile(struct nl_sock *nl, const struct owner *o,
		    const struct state_desired *want, struct state_result *res,
		    struct nl_error *err);

#endif
