/* The cygnet-ike service state behind its service_def: the connection
 * model (swapped whole on reload) and the IKE_SA table. */
#ifndef CYGNET_IKE_SERVICE_H
#define CYGNET_IKE_SERVICE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "conf.h"
#include "rpc.h"
#include "status.h"
#include "ike/config.h"
#include "ike/sa_table.h"

struct ike_service {
	pthread_rwlock_t config_lock;
	struct ike_config *config;
	struct sa_table *sas;
};

int ike_service_init(struct ike_service *svc);
void ike_service_cleanup(struct ike_service *svc);

int ike_service_configure(void *svc, const struct conf *conf, bool reload,
			  char *err, size_t errlen);
void ike_service_fill_status(void *svc, struct status_builder *b);

extern const struct rpc_method ike_methods[];
extern const size_t ike_n_methods;

#endif
