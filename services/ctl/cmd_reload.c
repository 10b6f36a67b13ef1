/* cygnetctl --reload: every service re-reads the config file and says
 * whether it took the new one; exits 1 when any did not. */
#include <stdio.h>

#include "ctl.h"
#include "types.pb-c.h"

static bool print_result(FILE *out, const char *service,
			 const struct rpc_result *r)
{
	const Cygnet__ReloadResult *res =
		(const Cygnet__ReloadResult *)r->reply;

	if (r->status != CYGNET__RPC_STATUS__RPC_OK) {
		fprintf(out, "%-10s down: %s\n", service, r->error);
		return false;
	}
	if (!res->ok) {
		fprintf(out, "%-10s reload failed, keeping old config: %s\n",
			service, res->message);
		return false;
	}
	fprintf(out, "%-10s %s\n", service, res->message);
	return true;
}

int ctl_cmd_reload(struct ctl *ctl)
{
	Cygnet__Empty empty = CYGNET__EMPTY__INIT;
	struct rpc_result results[CTL_N_SERVICES];
	int failed = 0;
	int i;

	if (ctl_no_args(ctl))
		return 1;
	ctl_call_all(ctl, CYGNET__COMMON_METHOD__METHOD_RELOAD, &empty.base,
		     &cygnet__reload_result__descriptor, results);
	for (i = 0; i < CTL_N_SERVICES; i++) {
		if (!print_result(ctl->out, ctl_services[i], &results[i]))
			failed++;
		if (results[i].reply)
			protobuf_c_message_free_unpacked(results[i].reply,
							 NULL);
	}
	return failed ? 1 : 0;
}
