/* cygnet-ike: IKEv2 with the peers; the other services do the rest. */
#include <stdio.h>
#include <stdlib.h>

#include "daemon.h"
#include "ike/service.h"

int main(int argc, char **argv)
{
	static struct ike_service svc;
	struct service_def def = {
		.name = "ike",
		.binary = "cygnet-ike",
		.summary = "IKEv2 keying daemon of the Cygnet VPN gateway",
		.svc = &svc,
		.configure = ike_service_configure,
		.start = ike_service_start,
		.stop = ike_service_stop,
		.fill_status = ike_service_fill_status,
		.methods = ike_methods,
		.n_methods = ike_n_methods,
	};
	int rc;

	if (ike_service_init(&svc) < 0) {
		fprintf(stderr, "cygnet-ike: out of memory\n");
		return EXIT_FAILURE;
	}
	rc = daemon_main(argc, argv, &def);
	ike_service_cleanup(&svc);
	return rc;
}
