/* The kernel state cygnet-ike wants: every installed CHILD_SA's two SAs
 * (from the KEYMAT kept on it) and its
 * policies, sent as KERNEL_SET_DESIRED.  The kernel service adds what
 * is missing and removes owned state nobody lists: after our restart
 * that clears what lost SAs left, after the kernel service's restart
 * it puts back what went missing meanwhile. */
#ifndef CYGNET_IKE_KERNEL_DESIRED_H
#define CYGNET_IKE_KERNEL_DESIRED_H

#include <stddef.h>
#include <stdint.h>

struct child_sa;
struct ike_service;

/* Keeps a copy of the CHILD_SA's KEYMAT on it (child_install). */
void child_keep_keymat(struct child_sa *child, const uint8_t *keymat,
		       size_t len);

/* Returns 0, -1 when the kernel service did not answer (logged). */
int kernel_desired_sync(struct ike_service *svc);

#endif
