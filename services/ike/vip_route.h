/* Source routes for the virtual IPs we hold (charon's install_routes):
 * while a CHILD_SA of an IKE_SA with own virtual IPs holds its policies,
 * the kernel service keeps a route to each remote traffic selector with
 * our virtual IP of that family as the source, so traffic not bound to
 * the VIP takes the tunnel too.  A rekeyed CHILD_SA hands its policies,
 * and with them the routes, to its successor. */
#ifndef CYGNET_IKE_VIP_ROUTE_H
#define CYGNET_IKE_VIP_ROUTE_H

#include <stdint.h>

#include "ike/child_sa.h"
#include "ike/service.h"

/* The smallest subnet holding ts's range: its network into net (4 or 16
 * bytes) and prefix length.  Returns the address length. */
size_t vip_route_subnet(const struct ts *ts, uint8_t *net,
			uint8_t *prefixlen);

/* Routes for child's remote selectors, if sa holds own virtual IPs. */
void vip_route_install(struct ike_service *svc, const struct ike_sa *sa,
		       const struct child_sa *child);

/* Removes the routes of child (taken out of sa already) that no other
 * CHILD_SA of sa holding policies needs. */
void vip_route_remove(struct ike_service *svc, const struct ike_sa *sa,
		      const struct child_sa *child);

#endif
