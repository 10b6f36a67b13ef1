/* Ownership: what in the kernel's tables is ours.  SAs and IPsec
 * policies carry a reqid from our range; bypass policies have the exact
 * shape we install for the configured ports.  A restarted service adopts
 * its entries by dumping the tables and keeping what matches. */
#ifndef CYGNET_KERNEL_ADOPT_H
#define CYGNET_KERNEL_ADOPT_H

#include "knl.h"
#include "netlink.h"

#define OWNER_BYPASS_MAX 8

struct owner {
	uint32_t reqid_min;
	uint32_t reqid_max;
	uint16_t bypass_ports[OWNER_BYPASS_MAX];
	size_t n_bypass;
};

bool owner_reqid(const struct owner *o, uint32_t reqid);
bool owner_sa(const struct owner *o, const struct knl_sa_info *sa);
bool owner_policy(const struct owner *o, const struct knl_policy *p);

struct sa_table {
	struct knl_sa_info *v;
	size_t n;
	size_t cap;
};

struct policy_table {
	struct knl_policy *v;
	size_t n;
	size_t cap;
};

/* Dumps the kernel's SAs / policies, keeping the ones o owns.  The
 * tables are reset first; free them with the _free functions. */
int adopt_sas(struct nl_sock *nl, const struct owner *o,
	      struct sa_table *out, struct nl_error *err);
int adopt_policies(struct nl_sock *nl, const struct owner *o,
		   struct policy_table *out, struct nl_error *err);
void sa_table_free(struct sa_table *t);
void policy_table_free(struct policy_table *t);

#endif
