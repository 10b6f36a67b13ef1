/* IKE_LIST_SAS: the SA table as IkeSaList, with the CHILD_SAs' counters
 * asked from the kernel service (KERNEL_QUERY_SA). */
#ifndef CYGNET_IKE_SA_LIST_H
#define CYGNET_IKE_SA_LIST_H

#include "ike.pb-c.h"
#include "ike/service.h"

/* Allocated; free with sa_list_free.  NULL when out of memory. */
Cygnet__IkeSaList *sa_list_build(struct ike_service *svc);
void sa_list_free(Cygnet__IkeSaList *list);

/* swanctl's form of a proposal: "AES_CBC-256/HMAC_SHA2_256_128/..." */
void proposal_format_swanctl(const struct proposal *p, char *buf, size_t len);

#endif
