/* An IKE_SA at rest (proto/ike_state.proto): what persist.c writes to
 * the state directory and reads back after a restart.  The one place
 * that turns the record into a struct ike_sa, checking every length
 * and count first. */
#ifndef CYGNET_IKE_IKE_STATE_H
#define CYGNET_IKE_IKE_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "ike/sa_table.h"

#define IKE_STATE_VERSION 1

/* The record of sa, packed into an allocated buffer (free() it after
 * wiping: it holds the keys); NULL when out of memory. */
uint8_t *ike_state_pack(const struct ike_sa *sa, size_t *len);

/* Fills out (zeroed by the caller) from a record: the SA's fields, its
 * CHILD_SAs and virtual IPs, the cached response (allocated; free with
 * ike_state_clear).  Times come back on CLOCK_MONOTONIC.  Returns 0, or
 * -1 with the reason in why. */
int ike_state_unpack(const uint8_t *buf, size_t len, struct ike_sa *out,
		     char *why, size_t whylen);

/* Frees what ike_state_unpack allocated and wipes the keys. */
void ike_state_clear(struct ike_sa *sa);

#endif
