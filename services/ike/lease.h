/* Virtual IP leases from the pool service (POOL_ACQUIRE/RELEASE),
 * recorded on the IKE_SA so they are released when it goes away and
 * listed by IKE_LIST_VIRTUAL_IPS. */
#ifndef CYGNET_IKE_LEASE_H
#define CYGNET_IKE_LEASE_H

#include <stddef.h>
#include <stdint.h>

#include "ike/payload.h"
#include "ike/peer_cfg.h"
#include "ike/service.h"

#define LEASE_ATTRS_MAX 16
#define LEASE_ATTR_VALUE_MAX 32

struct lease_attr {
	uint16_t type;
	uint8_t value[LEASE_ATTR_VALUE_MAX];
	size_t len;
};

/* What one POOL_ACQUIRE brought: the address (4 or 16 octets) and the
 * pool's attributes (DNS, NBNS ...). */
struct lease {
	uint8_t addr[16];
	size_t addr_len;
	size_t n_attrs;
	struct lease_attr attrs[LEASE_ATTRS_MAX];
};

/* Acquires an address of requested's family (requested all zero: any)
 * for identity from cfg's pools; logs charon's lines.  Returns 0, -1
 * when no address was found (logged). */
int lease_acquire(struct ike_service *svc, struct ike_sa *sa,
		  const struct peer_cfg *cfg, const char *identity,
		  const uint8_t *requested, size_t len, struct lease *out);

/* Tells the pool service which leases the IKE_SAs hold (POOL_RECONCILE
 * with their virtual IPs): after our restart, before peers are served,
 * the leases of SAs that were not restored go offline, and after the
 * pool service's restart the live ones are online again.  Returns 0, -1
 * when the pool service did not answer (logged; a pool service that is
 * not up yet asks IKE_LIST_VIRTUAL_IPS itself when it starts). */
int lease_reconcile(struct ike_service *svc);

/* Releases every virtual IP of the SA. */
void lease_release_all(struct ike_service *svc, struct ike_sa *sa);

#endif
