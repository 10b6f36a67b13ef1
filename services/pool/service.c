#include "service.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"

/* cygnet { pool { state_dir = /var/lib/cygnet/pool } } besides the keys
 * every service has. */
static const struct conf_schema pool_settings_schema[] = {
	{ .name = "state_dir" },
	{ .include = conf_schema_service },
	{ 0 },
};

/* mkdir -p with mode for the missing parts. */
static int make_dirs(const char *path, mode_t mode, char *err, size_t errlen)
{
	char buf[SETTINGS_URL_MAX];
	char *slash;

	snprintf(buf, sizeof(buf), "%s", path);
	for (slash = strchr(buf + 1, '/'); ; slash = strchr(slash + 1, '/')) {
		if (slash)
			*slash = '\0';
		if (mkdir(buf, mode) != 0 && errno != EEXIST) {
			snprintf(err, errlen, "cannot create %s: %s", buf,
				 strerror(errno));
			return -1;
		}
		if (!slash)
			return 0;
		*slash = '/';
	}
}

static int open_leases(struct pool_service *svc, char *err, size_t errlen)
{
	char path[SETTINGS_URL_MAX + sizeof(POOL_DB_NAME) + 1];

	if (make_dirs(svc->state_dir, 0750, err, errlen) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", svc->state_dir, POOL_DB_NAME);
	svc->leases = leases_open(path, err, errlen);
	if (!svc->leases)
		return -1;
	DBG1(LOG_APP, "lease store %s opened", path);
	return 0;
}

static int read_state_dir(struct pool_service *svc, const struct conf *conf,
			  bool reload)
{
	const char *dir = conf_get(conf_root(conf), "cygnet.pool.state_dir",
				   POOL_DEFAULT_STATE_DIR);

	if (!reload) {
		snprintf(svc->state_dir, sizeof(svc->state_dir), "%s", dir);
		return 0;
	}
	if (strcmp(dir, svc->state_dir) != 0)
		DBG1(LOG_CFG, "state_dir change takes effect after a restart");
	return 0;
}

/* The store opens with the first configuration, before the RPC server
 * starts, so no call ever finds the service without its leases. */
int pool_service_configure(void *ctx, const struct conf *conf, bool reload,
			   char *err, size_t errlen)
{
	struct pool_service *svc = ctx;
	struct pool_defs defs;

	settings_warn_unknown(conf, "pool", pool_settings_schema);
	read_state_dir(svc, conf, reload);
	if (pool_conf_parse(conf_section_find(conf_root(conf), "pools"), &defs,
			    err, errlen) < 0)
		return -1;
	if (!svc->leases && open_leases(svc, err, errlen) < 0) {
		pool_defs_free(&defs);
		return -1;
	}
	if (leases_set_pools(svc->leases, &defs, err, errlen) < 0) {
		pool_defs_free(&defs);
		if (!reload) {
			leases_close(svc->leases);
			svc->leases = NULL;
		}
		return -1;
	}
	return 0;
}

int pool_service_start(void *ctx, struct daemon *d, char *err, size_t errlen)
{
	struct pool_service *svc = ctx;
	const struct service_settings *own = daemon_settings(d);
	const struct rpc_tls *tls;
	struct service_settings ike;

	if (settings_load(daemon_conf(d), "ike", &ike, err, errlen) != 0)
		return -1;
	tls = strncmp(ike.rpc_url, "tls+", 4) == 0 ? &own->tls : NULL;
	svc->sync = ike_sync_start(svc->leases, ike.rpc_url, tls, err, errlen);
	return svc->sync ? 0 : -1;
}

void pool_service_stop(void *ctx)
{
	struct pool_service *svc = ctx;

	ike_sync_stop(svc->sync);
	svc->sync = NULL;
}

void pool_service_close(struct pool_service *svc)
{
	ike_sync_stop(svc->sync);
	svc->sync = NULL;
	leases_close(svc->leases);
	svc->leases = NULL;
}
