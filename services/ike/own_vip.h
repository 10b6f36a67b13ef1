/* Virtual IPs we request as the initiator (vips = in the connection):
 * the CFG_REQUEST of IKE_AUTH, the addresses of the CFG_REPLY put on our
 * interface through the kernel service, our "dynamic" traffic selectors
 * with them, and their removal when the IKE_SA goes. */
#ifndef CYGNET_IKE_OWN_VIP_H
#define CYGNET_IKE_OWN_VIP_H

#include <stddef.h>
#include <stdint.h>

#include "ike/message.h"
#include "ike/peer_cfg.h"
#include "ike/service.h"

/* CP(CFG_REQUEST) when cfg has vips =, nothing otherwise. */
void own_vip_write_request(struct msg_builder *b, const struct peer_cfg *cfg);

/* Installs the addresses of msg's CFG_REPLY on our interface and records
 * them on sa (charon's "installing new virtual IP x"), if the IKE_AUTH
 * in flight asked for virtual IPs.  Returns how many sa holds. */
size_t own_vip_take_reply(struct ike_service *svc, struct ike_sa *sa,
			  const struct ike_message *msg);

/* Our "dynamic" addresses into dyn (room for IKE_SA_MAX_VIPS): the
 * virtual IPs we hold, else our IKE address.  Returns how many. */
size_t own_vip_dynamic(const struct ike_sa *sa, uint8_t (*dyn)[16],
		       size_t *dyn_len);

/* Our selectors to offer while the IKE_AUTH in flight requests virtual
 * IPs: "dynamic" as the whole range of each requested family (charon
 * proposes %any, the responder narrows to the address it assigns).
 * Returns how many, 0 when we request none. */
size_t own_vip_offer_ts(const struct ike_sa *sa, const struct peer_child *cfg,
			struct ts *out, size_t max);

/* Removes our virtual IPs from the interface (the IKE_SA is gone). */
void own_vip_remove_all(struct ike_service *svc, struct ike_sa *sa);

#endif
