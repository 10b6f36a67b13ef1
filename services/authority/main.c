/* cygnet-authority: certificates, private keys, trust decisions, AUTH
 * signatures and EAP-TLS for the IKE service. */
#include "authority/authority.h"
#include "daemon.h"

static struct authority authority;

int main(int argc, char **argv)
{
	const struct service_def def = {
		.name = "authority",
		.binary = "cygnet-authority",
		.summary = "certificates, private keys, trust decisions and EAP-TLS",
		.svc = &authority,
		.configure = authority_configure,
		.start = authority_start,
		.stop = authority_stop,
		.fill_status = authority_fill_status,
		.methods = authority_methods,
		.n_methods = authority_n_methods,
	};
	int rc;

	authority_init(&authority);
	rc = daemon_main(argc, argv, &def);
	authority_destroy(&authority);
	return rc;
}
