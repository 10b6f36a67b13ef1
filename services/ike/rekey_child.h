/* The end of a CHILD_SA rekeying as the responder: the replacement keeps
 * the old CHILD_SA's reqid (create_child.c) and takes over once the
 * peer deletes the old one. */
#ifndef CYGNET_IKE_REKEY_CHILD_H
#define CYGNET_IKE_REKEY_CHILD_H

#include "ike/sa_table.h"

/* The peer deletes old: if another CHILD_SA of sa replaced it, logs
 * charon's "rekeyed CHILD_SA ... with ...". */
void rekey_child_concluded(const struct ike_sa *sa, const struct child_sa *old);

#endif
