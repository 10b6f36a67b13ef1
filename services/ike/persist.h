/* IKE_SAs survive a restart of cygnet-ike (even SIGKILL): each
 * established SA is written to its own file in the state directory
 * (cygnet { ike { state_dir = /var/lib/cygnet/ike } }) whenever it
 * changes, and read back at start before the leases and the kernel
 * state are reconciled, so both keep what the SAs still use.
 *
 * A file per SA, written to a temp file and renamed over the old one:
 * an exchange rewrites only its own SA's few hundred octets, and a
 * reader sees the old or the new record, never a torn one.  No fsync:
 * the goal is surviving the process, not the machine.  The files hold
 * the SAs' keys and are protected by their mode (0600, directory 0700)
 * and owner only. */
#ifndef CYGNET_IKE_PERSIST_H
#define CYGNET_IKE_PERSIST_H

#include "conf.h"

struct ike_service;
struct ike_sa;

#define PERSIST_DEFAULT_DIR "/var/lib/cygnet/ike"

/* Reads the state directory, restores the SAs found there into the SA
 * table, reconciles leases and kernel state with them and starts
 * re-sending both whenever the pool or kernel service comes back
 * (resync.c).  Without a usable directory the service runs without
 * persistence (logged). */
void persist_start(struct ike_service *svc, const struct conf *conf);
void persist_stop(struct ike_service *svc);

/* The parts of persist_start: the state directory (made 0700 if
 * missing; -1 logged when unusable) and the SAs in it put into the SA
 * table (records that do not parse are renamed *.bad, logged); returns
 * how many were restored. */
int persist_open(struct ike_service *svc, const struct conf *conf);
size_t persist_restore(struct ike_service *svc);
void persist_close(struct ike_service *svc);

/* Writes an established SA's record (logged on failure); the caller is
 * the SA's worker. */
void persist_sa_save(struct ike_service *svc, const struct ike_sa *sa);
/* Removes the SA's record. */
void persist_sa_remove(struct ike_service *svc, const struct ike_sa *sa);
/* IKE_SA rekeying: the new SA's record replaces the old one's (the old
 * SA handed its CHILD_SAs and virtual IPs over). */
void persist_sa_replaced(struct ike_service *svc, const struct ike_sa *new_sa,
			 const struct ike_sa *old_sa);

#endif
