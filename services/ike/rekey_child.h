/* The end of a CHILD_SA rekeying: the replacement keeps the old
 * CHILD_SA's reqid (create_child.c as the responder, child_out.c as the
 * initiator) and takes over once the old one is deleted. */
#ifndef CYGNET_IKE_REKEY_CHILD_H
#define CYGNET_IKE_REKEY_CHILD_H

#include "ike/sa_table.h"
#include "ike/service.h"

/* The replacement keeps the reqid, so the kernel's policies (updated
 * in place when it was installed) now belong to it: the old CHILD_SA
 * at index old, deleted later, takes only its SAs with it. */
void rekey_child_take_policies(struct ike_service *svc, struct ike_sa *sa,
			       size_t old, const struct child_sa *new_child);

/* The peer deletes old: if another CHILD_SA of sa replaced it, logs
 * charon's "rekeyed CHILD_SA ... with ...". */
void rekey_child_concluded(const struct ike_sa *sa, const struct child_sa *old);

#endif
