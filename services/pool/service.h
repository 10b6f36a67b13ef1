/* cygnet-pool as a daemon: its config (pools { } and cygnet.pool), the
 * RPC methods of proto/pool.proto, status metrics. */
#ifndef POOL_SERVICE_H
#define POOL_SERVICE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "daemon.h"
#include "ike_sync.h"
#include "leases.h"

#define POOL_DEFAULT_STATE_DIR "/var/lib/cygnet/pool"
#define POOL_DB_NAME "leases.db"

struct pool_service {
	struct leases *leases;
	struct ike_sync *sync;
	char state_dir[SETTINGS_URL_MAX];
	atomic_ulong acquired;
	atomic_ulong refused;
	atomic_ulong released;
};

int pool_service_configure(void *svc, const struct conf *conf, bool reload,
			   char *err, size_t errlen);
int pool_service_start(void *svc, struct daemon *d, char *err, size_t errlen);
void pool_service_stop(void *svc);
void pool_service_fill_status(void *ctx, struct status_builder *b);

/* After daemon_main returns: closes the lease store. */
void pool_service_close(struct pool_service *svc);

#define POOL_N_METHODS 4
extern const struct rpc_method pool_methods[POOL_N_METHODS];

#endif
