/* CHILD_SAs (RFC 7296 1.3, 2.9, 2.17): the ESP proposal, traffic
 * selector narrowing and the keys, as held on their IKE_SA. */
#ifndef CYGNET_IKE_CHILD_SA_H
#define CYGNET_IKE_CHILD_SA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ike/proposal.h"
#include "ike/ts.h"

#define CHILD_SA_MAX 4
#define CHILD_TS_MAX 8
#define CHILD_KEYMAT_MAX 256

struct child_sa {
	char name[64];
	uint32_t unique_id;
	uint32_t reqid;
	uint32_t spi_in;		/* ours, host order */
	uint32_t spi_out;		/* the peer's */
	struct proposal proposal;
	bool tunnel;
	bool encap;			/* ESP in UDP */
	/* We sent the request that created it: the first half of KEYMAT
	 * is then our outbound key, TSi are our selectors (RFC 7296 2.17,
	 * 2.9). */
	bool initiated;
	size_t n_local_ts;
	struct ts local_ts[CHILD_TS_MAX];
	size_t n_remote_ts;
	struct ts remote_ts[CHILD_TS_MAX];
	bool sa_in, sa_out, policies;	/* what the kernel holds */
	time_t installed;		/* CLOCK_MONOTONIC seconds */
	long rekey_time;
	long life_time;
	/* Kept to install the SAs again when the kernel lost them
	 * (kernel_desired.c, persist.c). */
	uint8_t keymat[CHILD_KEYMAT_MAX];
	size_t keymat_len;
};

/* Narrows configured selectors against the peer's (RFC 7296 2.9): each
 * pair of the same family yields its intersection (addresses,
 * protocol, ports).  A "dynamic" configured selector stands for the
 * hosts in dyn (one address each, 4 or 16 octets).  Returns how many
 * selectors are in out. */
size_t ts_narrow(const struct ts *configured, size_t n_configured,
		 const struct ts *peer, size_t n_peer,
		 const uint8_t (*dyn)[16], const size_t *dyn_len, size_t n_dyn,
		 struct ts *out, size_t max);

/* A host selector for an address of len 4 or 16. */
void ts_host(const uint8_t *addr, size_t len, struct ts *out);

/* "0.0.0.0/0 ::/0" */
void ts_list_format(const struct ts *ts, size_t n, char *buf, size_t len);

/* "with SPIs c2ff4c5f_i c8c90536_o and TS 0.0.0.0/0 ::/0 ===
 * 198.51.100.65/32" for charon's established/closing lines. */
void child_describe(const struct child_sa *child, char *buf, size_t len);

/* Octets of KEYMAT the ESP proposal needs (both directions), 0 if
 * unsupported. */
size_t child_keymat_len(const struct proposal *p);


#endif
