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
	if (ctl_no_args(ctl))
		return 1;
	return ctl_each_service(ctl, CYGNET__COMMON_METHOD__METHOD_RELOAD,
				&cygnet__reload_result__descriptor,
				print_result);
}
