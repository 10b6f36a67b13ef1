/* ESP SAs: XFRM_MSG_NEWSA / UPDSA / DELSA / GETSA. */
#ifndef CYGNET_KERNEL_SA_H
#define CYGNET_KERNEL_SA_H

#include "knl.h"
#include "netlink.h"

/* Encodes sa into buf (NL_BUFSIZE bytes) as NEWSA, or UPDSA when update
 * is set; the caller wipes buf (it holds the keys). */
struct nlmsghdr *sa_build(void *buf, const struct knl_sa *sa, bool update);

/* Installs sa; the message buffer is wiped before returning. */
int sa_install(struct nl_sock *nl, const struct knl_sa *sa, bool update,
	       struct nl_error *err);
int sa_delete(struct nl_sock *nl, const struct knl_sa_id *id,
	      struct nl_error *err);
/* Reads one SA back (XFRM_MSG_GETSA), keys not copied. */
int sa_query(struct nl_sock *nl, const struct knl_sa_id *id,
	     struct knl_sa_info *out, struct nl_error *err);

/* The xfrm_usersa_id for id (used by DELSA and GETSA). */
struct nlmsghdr *sa_build_id(void *buf, uint16_t type,
			     const struct knl_sa_id *id);

#endif
