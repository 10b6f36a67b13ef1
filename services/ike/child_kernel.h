/* The kernel service's messages for one CHILD_SA: its two SAs and its
 * policies, built the same way when it is installed and when the whole
 * desired state is sent after a restart. */
#ifndef CYGNET_IKE_CHILD_KERNEL_H
#define CYGNET_IKE_CHILD_KERNEL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "ike/child_sa.h"
#include "ike/sa_table.h"
#include "kernel.pb-c.h"

#define CHILD_KERNEL_ESP 50

/* Points into the CHILD_SA, the KEYMAT given and its own buffers; lives
 * as long as the call it is built for. */
struct child_kernel_msgs {
	Cygnet__SaConfig sa[2];		/* inbound, outbound */
	Cygnet__Lifetime life;
	/* With the IKE ports (UDP encapsulation), and without for the
	 * policies. */
	Cygnet__Address local, remote, policy_local, policy_remote;
	uint8_t local_ip[16], remote_ip[16];
	Cygnet__PolicyConfig policy;
	Cygnet__TrafficSelector ts[2][CHILD_TS_MAX];
	Cygnet__TrafficSelector *tsp[2][CHILD_TS_MAX];
};

/* An Address copied from ss into ip (16 bytes), with the port. */
void child_kernel_address(const struct sockaddr_storage *ss, uint8_t *ip,
			  Cygnet__Address *a);

/* m->sa[] from KEYMAT (RFC 7296 2.17, initiator-to-responder keys
 * first; ours outbound when we initiated the CHILD_SA).  Returns -1 when
 * keymat is too short for the proposal's keys. */
int child_kernel_sas(const struct ike_sa *sa, const struct child_sa *child,
		     const uint8_t *keymat, size_t len,
		     struct child_kernel_msgs *m);

/* m->policy: the CHILD_SA's traffic selectors between the IKE_SA's
 * addresses. */
void child_kernel_policy(const struct ike_sa *sa, const struct child_sa *child,
			 struct child_kernel_msgs *m);

#endif
