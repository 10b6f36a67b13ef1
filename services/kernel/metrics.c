/* Status and metrics: owned SAs and policies (counted from the kernel's
 * tables), operations, netlink errors by errno, events. */
#include <stdio.h>
#include <string.h>

#include "kernel/service.h"

static const char *const op_names[KERNEL_OP_COUNT] = {
	[KERNEL_OP_ALLOC_SPI] = "alloc_spi",
	[KERNEL_OP_ADD_SA] = "add_sa",
	[KERNEL_OP_UPDATE_SA] = "update_sa",
	[KERNEL_OP_DEL_SA] = "del_sa",
	[KERNEL_OP_QUERY_SA] = "query_sa",
	[KERNEL_OP_ADD_POLICY] = "add_policy",
	[KERNEL_OP_DEL_POLICY] = "del_policy",
	[KERNEL_OP_BYPASS] = "install_bypass",
	[KERNEL_OP_RECONCILE] = "reconcile",
};

static void errno_metric(void *arg, int errnum, uint64_t count)
{
	struct status_builder *b = arg;
	const char *name = errnum ? strerrorname_np(errnum) : NULL;
	char label[32];

	snprintf(label, sizeof(label), "%s", name ? name : "other");
	status_counter(b, "kernel_netlink_errors_total",
		       "netlink requests the kernel refused, by errno",
		       (double)count, "errno", label);
}

static void table_metrics(struct kernel_service *svc,
			  struct status_builder *b)
{
	struct owner o;
	struct sa_table sas = { 0 };
	struct policy_table policies = { 0 };
	struct nl_error err;

	kernel_service_owner(svc, &o);
	if (adopt_sas(svc->nl, &o, &sas, &err) == 0)
		status_gauge(b, "kernel_sas", "owned SAs in the kernel",
			     (double)sas.n, NULL, NULL);
	if (adopt_policies(svc->nl, &o, &policies, &err) == 0)
		status_gauge(b, "kernel_policies",
			     "owned policies in the kernel",
			     (double)policies.n, NULL, NULL);
	sa_table_free(&sas);
	policy_table_free(&policies);
}

void kernel_service_fill_status(void *ctx, struct status_builder *b)
{
	struct kernel_service *svc = ctx;

	if (svc->degraded[0])
		status_set_state(b, "degraded");
	if (svc->nl)
		table_metrics(svc, b);
	for (int op = 0; op < KERNEL_OP_COUNT; op++) {
		status_counter(b, "kernel_operations_total",
			       "kernel operations that succeeded",
			       (double)atomic_load(&svc->ops_ok[op]), "op",
			       op_names[op]);
		status_counter(b, "kernel_operations_failed_total",
			       "kernel operations that failed",
			       (double)atomic_load(&svc->ops_failed[op]),
			       "op", op_names[op]);
	}
	nl_errors_foreach(errno_metric, b);
	status_counter(b, "kernel_events_total", "XFRM events published",
		       (double)atomic_load(&svc->events_soft), "type",
		       "soft_expire");
	status_counter(b, "kernel_events_total", "XFRM events published",
		       (double)atomic_load(&svc->events_hard), "type",
		       "hard_expire");
	status_counter(b, "kernel_events_total", "XFRM events published",
		       (double)atomic_load(&svc->events_acquire), "type",
		       "acquire");
}
