/* The RPC method table of kernel.proto and what all methods share; the
 * methods themselves are in methods_sa.c, methods_policy.c and
 * methods_state.c. */
#include "kernel/methods.h"

bool methods_available(struct kernel_service *svc, struct rpc_reply *reply)
{
	if (svc->nl)
		return true;
	rpc_reply_error(reply, FAILED, "kernel service degraded: %s",
			svc->degraded);
	return false;
}

void methods_reply_empty(struct rpc_reply *reply)
{
	Cygnet__Empty empty = CYGNET__EMPTY__INIT;

	rpc_reply_message(reply, &empty.base);
}

const struct rpc_method kernel_methods[] = {
	{ CYGNET__KERNEL_METHOD__KERNEL_ALLOC_SPI, "kernel.alloc_spi",
	  &cygnet__alloc_spi_request__descriptor, methods_alloc_spi },
	{ CYGNET__KERNEL_METHOD__KERNEL_FREE_SPI, "kernel.free_spi",
	  &cygnet__sa_id__descriptor, methods_free_spi },
	{ CYGNET__KERNEL_METHOD__KERNEL_ADD_SA, "kernel.add_sa",
	  &cygnet__sa_config__descriptor, methods_add_sa },
	{ CYGNET__KERNEL_METHOD__KERNEL_UPDATE_SA, "kernel.update_sa",
	  &cygnet__sa_config__descriptor, methods_update_sa },
	{ CYGNET__KERNEL_METHOD__KERNEL_DEL_SA, "kernel.del_sa",
	  &cygnet__sa_id__descriptor, methods_del_sa },
	{ CYGNET__KERNEL_METHOD__KERNEL_QUERY_SA, "kernel.query_sa",
	  &cygnet__sa_id__descriptor, methods_query_sa },
	{ CYGNET__KERNEL_METHOD__KERNEL_ADD_POLICY, "kernel.add_policy",
	  &cygnet__policy_config__descriptor, methods_add_policy },
	{ CYGNET__KERNEL_METHOD__KERNEL_DEL_POLICY, "kernel.del_policy",
	  &cygnet__policy_config__descriptor, methods_del_policy },
	{ CYGNET__KERNEL_METHOD__KERNEL_INSTALL_BYPASS, "kernel.install_bypass",
	  &cygnet__bypass_request__descriptor, methods_install_bypass },
	{ CYGNET__KERNEL_METHOD__KERNEL_SET_DESIRED, "kernel.set_desired",
	  &cygnet__desired_state__descriptor, methods_set_desired },
	{ CYGNET__KERNEL_METHOD__KERNEL_LIST, "kernel.list",
	  &cygnet__empty__descriptor, methods_list },
	{ CYGNET__KERNEL_METHOD__KERNEL_ADD_VIP, "kernel.add_vip",
	  &cygnet__vip_request__descriptor, methods_add_vip },
	{ CYGNET__KERNEL_METHOD__KERNEL_DEL_VIP, "kernel.del_vip",
	  &cygnet__vip_request__descriptor, methods_del_vip },
	{ CYGNET__KERNEL_METHOD__KERNEL_ADD_ROUTE, "kernel.add_route",
	  &cygnet__route_request__descriptor, methods_add_route },
	{ CYGNET__KERNEL_METHOD__KERNEL_DEL_ROUTE, "kernel.del_route",
	  &cygnet__route_request__descriptor, methods_del_route },
};

const size_t kernel_n_methods = sizeof(kernel_methods) /
				sizeof(kernel_methods[0]);
