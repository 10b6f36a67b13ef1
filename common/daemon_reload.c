/* Reloading the configuration on SIGHUP or METHOD_RELOAD: the new file
 * replaces the old one only when it parses and the service accepts it. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "daemon_internal.h"
#include "log.h"

static void reload_failed(struct daemon *d, struct daemon_reload_result *r,
			  const char *why)
{
	atomic_fetch_add(&d->reloads_failed, 1);
	r->ok = false;
	snprintf(r->message, sizeof(r->message), "%s", why);
	DBG1(LOG_CFG, "reload failed, keeping old config: %s", why);
}

/* Endpoints are bound once at start; a changed one would silently not
 * apply, so say so. */
static void warn_endpoint_changes(const struct service_settings *old,
				  const struct service_settings *new)
{
	if (strcmp(old->rpc_url, new->rpc_url) != 0 ||
	    strcmp(old->events_url, new->events_url) != 0 ||
	    strcmp(old->status_addr, new->status_addr) != 0 ||
	    old->workers != new->workers)
		DBG1(LOG_CFG, "endpoint changes for %s take effect after a "
		     "restart", old->name);
}

void daemon_reload(struct daemon *d, struct daemon_reload_result *r)
{
	const struct service_def *def = d->def;
	struct service_settings settings;
	struct conf_error cerr;
	struct conf *conf;
	char err[sizeof(r->message)] = "the service refused the new config";

	sd_notify(0, "RELOADING=1");
	conf = conf_load_file(d->config_path, &cerr);
	if (!conf) {
		reload_failed(d, r, cerr.text);
		goto out;
	}
	if (settings_load(conf, def->name, &settings, err, sizeof(err)) != 0 ||
	    def->configure(def->svc, conf, true, err, sizeof(err)) != 0) {
		conf_free(conf);
		reload_failed(d, r, err);
		goto out;
	}
	warn_endpoint_changes(&d->settings, &settings);
	conf_warn_unknown(conf_root(conf), conf_schema_top, "");
	conf_free(d->conf);
	d->conf = conf;
	settings_apply_log_levels(conf, def->name);
	atomic_fetch_add(&d->reloads_ok, 1);
	r->ok = true;
	snprintf(r->message, sizeof(r->message), "reloaded '%s'",
		 d->config_path);
	DBG1(LOG_CFG, "reloaded configuration from '%s'", d->config_path);
out:
	sd_notify(0, "READY=1");
}

void daemon_reload_pending(struct daemon *d)
{
	struct daemon_reload_result result;
	uint64_t target;

	pthread_mutex_lock(&d->lock);
	target = d->reload_requested;
	pthread_mutex_unlock(&d->lock);
	if (target == d->reload_done)
		return;

	daemon_reload(d, &result);

	pthread_mutex_lock(&d->lock);
	d->reload_done = target;
	d->last_reload = result;
	pthread_cond_broadcast(&d->reloaded);
	pthread_mutex_unlock(&d->lock);
}

void daemon_reload_cancel(struct daemon *d)
{
	pthread_mutex_lock(&d->lock);
	pthread_cond_broadcast(&d->reloaded);
	pthread_mutex_unlock(&d->lock);
}

void daemon_reload_wait(struct daemon *d, struct daemon_reload_result *r)
{
	uint64_t ticket;

	pthread_mutex_lock(&d->lock);
	ticket = ++d->reload_requested;
	daemon_wake(d, DAEMON_WAKE_RELOAD);
	while (d->reload_done < ticket && !atomic_load(&d->stopping))
		pthread_cond_wait(&d->reloaded, &d->lock);
	if (d->reload_done >= ticket) {
		*r = d->last_reload;
	} else {
		r->ok = false;
		snprintf(r->message, sizeof(r->message), "%s is stopping",
			 d->def->binary);
	}
	pthread_mutex_unlock(&d->lock);
}
