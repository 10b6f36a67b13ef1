#include "live.h"

#include <stdlib.h>

#include "log.h"

int live_from_proto(const Cygnet__VirtualIpList *list, struct live_vip **out)
{
	struct live_vip *live = calloc(list->n_ips ? list->n_ips : 1,
				       sizeof(*live));
	size_t n = 0;

	if (!live)
		return -1;
	for (size_t i = 0; i < list->n_ips; i++) {
		const Cygnet__VirtualIp *vip = list->ips[i];

		if (!vip->address || !vip->identity || !vip->identity[0] ||
		    !ipaddr_from_bytes(vip->address->ip.data,
				       vip->address->ip.len, &live[n].addr)) {
			DBG1(LOG_APP, "malformed virtual IP in a live list, "
			     "ignored");
			continue;
		}
		live[n++].identity = vip->identity;
	}
	*out = live;
	return (int)n;
}
