/* cygnetctl --terminate --ike NAME | --ike-id N [--child NAME |
 * --child-id N] [--timeout S], as swanctl --terminate: our DELETE,
 * "terminate completed successfully" once the peer confirmed. */
#include <stdio.h>

#include "ctl.h"
#include "ike.pb-c.h"

int ctl_cmd_terminate(struct ctl *ctl)
{
	Cygnet__TerminateRequest req = CYGNET__TERMINATE_REQUEST__INIT;
	struct ctl_sa_options o;

	if (ctl_sa_options_parse(ctl, "terminate", true, &o) < 0)
		return 1;
	if (!*o.ike && !o.ike_id && !*o.child && !o.child_id) {
		fprintf(stderr, "terminate failed: missing terminate selector\n");
		return 1;
	}
	req.ike = (char *)o.ike;
	req.ike_id = o.ike_id;
	req.child = (char *)o.child;
	req.child_id = o.child_id;
	req.timeout_ms = o.timeout_s * 1000;
	return ctl_sa_call(ctl, "terminate", CYGNET__IKE_METHOD__IKE_TERMINATE,
			   &req.base, &cygnet__terminate_reply__descriptor,
			   o.timeout_s);
}
