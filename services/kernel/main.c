/* cygnet-kernel: SPIs, SAs and policies via XFRM netlink; the only
 * Cygnet process with CAP_NET_ADMIN. */
#include <stdio.h>
#include <stdlib.h>

#include "daemon.h"
#include "kernel/service.h"

int main(int argc, char **argv)
{
	static struct kernel_service svc;
	struct service_def def = {
		.name = "kernel",
		.binary = "cygnet-kernel",
		.summary = "XFRM (IPsec SA and policy) service of the Cygnet "
			   "VPN gateway",
		.svc = &svc,
		.configure = kernel_service_configure,
		.start = kernel_service_start,
		.stop = kernel_service_stop,
		.fill_status = kernel_service_fill_status,
		.methods = kernel_methods,
		.n_methods = kernel_n_methods,
	};
	int rc;

	if (kernel_service_init(&svc) < 0) {
		fprintf(stderr, "cygnet-kernel: out of memory\n");
		return EXIT_FAILURE;
	}
	rc = daemon_main(argc, argv, &def);
	kernel_service_cleanup(&svc);
	return rc;
}
