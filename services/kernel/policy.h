/* IPsec and bypass policies: XFRM_MSG_UPDPOLICY / DELPOLICY. */
#ifndef CYGNET_KERNEL_POLICY_H
#define CYGNET_KERNEL_POLICY_H

#include "knl.h"
#include "netlink.h"

/* The policies of one CHILD_SA (see PolicyConfig in kernel.proto). */
struct policy_set {
	struct knl_addr local;
	struct knl_addr remote;
	const struct knl_ts *local_ts;
	size_t n_local;
	const struct knl_ts *remote_ts;
	size_t n_remote;
	uint32_t reqid;
	uint8_t mode;
	uint8_t proto;
	uint32_t priority;	/* 0: computed */
	struct knl_mark mark;
	uint32_t if_id;
};

/* Most policies one set expands to (3 per TS pair). */
size_t policy_expand_max(const struct policy_set *set);
/* Fills out (policy_expand_max entries) with out, in and fwd policies for
 * each local x remote pair of the same family; returns how many. */
size_t policy_expand(const struct policy_set *set, struct knl_policy *out);

/* The four pass policies of a local UDP port: out (sport) and in (dport)
 * for IPv4 and IPv6.  Returns 4. */
size_t policy_bypass(uint16_t port, struct knl_policy out[4]);
/* Whether p has the exact shape policy_bypass gives one of ports. */
bool policy_is_bypass(const struct knl_policy *p, const uint16_t *ports,
		      size_t n_ports);

/* Whether a and b name the same kernel policy (selector, dir, mark). */
bool policy_same_slot(const struct knl_policy *a, const struct knl_policy *b);
/* Whether the kernel's policy a does what b asks (slot, priority, tmpl). */
bool policy_equal(const struct knl_policy *a, const struct knl_policy *b);

struct nlmsghdr *policy_build(void *buf, const struct knl_policy *p);
/* xfrm_userpolicy_id of p's slot as DELPOLICY or GETPOLICY. */
struct nlmsghdr *policy_build_id(void *buf, uint16_t type,
				 const struct knl_policy *p);

/* Adds or replaces (UPDPOLICY) / deletes one policy. */
int policy_install(struct nl_sock *nl, const struct knl_policy *p,
		   struct nl_error *err);
int policy_delete(struct nl_sock *nl, const struct knl_policy *p,
		  struct nl_error *err);
/* Reads the policy in p's slot back (XFRM_MSG_GETPOLICY). */
int policy_query(struct nl_sock *nl, const struct knl_policy *p,
		 struct knl_policy *out, struct nl_error *err);

#endif
