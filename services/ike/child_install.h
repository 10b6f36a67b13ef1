/* A CHILD_SA's state in the kernel, through the kernel service: the
 * inbound SPI (ALLOC_SPI), the SAs (UPDATE_SA inbound, ADD_SA
 * outbound), the policies, and their removal. */
#ifndef CYGNET_IKE_CHILD_INSTALL_H
#define CYGNET_IKE_CHILD_INSTALL_H

#include <stddef.h>
#include <stdint.h>

#include "ike/child_sa.h"
#include "ike/service.h"

/* Our inbound SPI into child->spi_in.  Returns 0, -1 (logged). */
int child_alloc_spi(struct ike_service *svc, const struct ike_sa *sa,
		    struct child_sa *child);

/* Both SAs and the policies; keymat is the CHILD_SA's KEYMAT (RFC 7296
 * 2.17, initiator-to-responder keys first).  On failure what was
 * installed is removed again.  Returns 0, -1 (logged). */
int child_install(struct ike_service *svc, const struct ike_sa *sa,
		  struct child_sa *child, const uint8_t *keymat, size_t len);

/* Removes what the kernel holds for the child (logged). */
void child_uninstall(struct ike_service *svc, const struct ike_sa *sa,
		     struct child_sa *child);
void child_uninstall_all(struct ike_service *svc, struct ike_sa *sa);

/* The CHILD_SA whose outbound SPI is spi: closed and removed from the
 * IKE_SA; *our_spi gets its inbound SPI.  Returns 0, -1 if none. */
int child_delete_by_peer_spi(struct ike_service *svc, struct ike_sa *sa,
			     uint32_t spi, uint32_t *our_spi);

/* charon's "closing CHILD_SA x{1} with SPIs ... and TS ...". */
void child_log_closing(const struct child_sa *child);

/* Our DELETE of the CHILD_SA was answered: closed and removed from
 * the IKE_SA ("CHILD_SA closed").  Returns 0, -1 if none. */
int child_remove_by_id(struct ike_service *svc, struct ike_sa *sa,
		       uint32_t unique_id);

#endif
