/* cygnet-pool: virtual IP pools and their leases, persisted. */
#include "service.h"

static struct pool_service pool;

static const struct service_def pool_def = {
	.name = "pool",
	.binary = "cygnet-pool",
	.summary = "virtual IP address pools and leases for cygnet-ike",
	.svc = &pool,
	.configure = pool_service_configure,
	.start = pool_service_start,
	.stop = pool_service_stop,
	.fill_status = pool_service_fill_status,
	.methods = pool_methods,
	.n_methods = POOL_N_METHODS,
};

int main(int argc, char **argv)
{
	int rc = daemon_main(argc, argv, &pool_def);

	pool_service_close(&pool);
	return rc;
}
