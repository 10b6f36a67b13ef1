/* daemon_main: the start-up and shut-down order every service shares. */
#include <fcntl.h>
#include <nng/nng.h>
#include <stdio.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "daemon_internal.h"
#include "log.h"

const struct service_settings *daemon_settings(const struct daemon *d)
{
	return &d->settings;
}

const struct conf *daemon_conf(const struct daemon *d)
{
	return d->conf;
}

struct events_pub *daemon_events(struct daemon *d)
{
	return d->events;
}

static int load_config(struct daemon *d, char *err, size_t errlen)
{
	const struct service_def *def = d->def;
	struct conf_error cerr;

	d->conf = conf_load_file(d->config_path, &cerr);
	if (!d->conf) {
		snprintf(err, errlen, "%s", cerr.text);
		return -1;
	}
	if (settings_load(d->conf, def->name, &d->settings, err, errlen) != 0)
		return -1;
	settings_apply_log_levels(d->conf, def->name);
	conf_warn_unknown(conf_root(d->conf), conf_schema_top, "");
	return def->configure(def->svc, d->conf, false, err, errlen);
}

static int open_events(struct daemon *d, char *err, size_t errlen)
{
	const struct service_settings *s = &d->settings;
	const char *url = s->events_url;

	d->events = events_pub_open(url, daemon_endpoint_tls(s, url), err,
				    errlen);
	if (!d->events)
		return -1;
	DBG1(LOG_DMN, "events published on %s", url);
	return 0;
}

static int open_status(struct daemon *d, char *err, size_t errlen)
{
	const char *addr = d->settings.status_addr;

	d->http = status_http_start(addr, d->def->name, daemon_fill_status, d,
				    err, errlen);
	if (!d->http)
		return -1;
	DBG1(LOG_DMN, "status on http://%s/status and http://%s/metrics",
	     addr, addr);
	return 0;
}

/* Everything up to READY=1; *started tells whether the service's start()
 * succeeded, so that its stop() is due at the end. */
static int start(struct daemon *d, bool *started, char *err, size_t errlen)
{
	const struct service_def *def = d->def;

	*started = false;
	if (load_config(d, err, errlen) != 0 ||
	    daemon_rpc_start(d, err, errlen) != 0 ||
	    open_events(d, err, errlen) != 0)
		return -1;
	if (def->start && def->start(def->svc, d, err, errlen) != 0)
		return -1;
	*started = true;
	return open_status(d, err, errlen);
}

static void shutdown_all(struct daemon *d, bool started)
{
	const struct service_def *def = d->def;

	atomic_store(&d->stopping, true);
	daemon_reload_cancel(d);
	status_http_stop(d->http);
	if (started && def->stop)
		def->stop(def->svc);
	daemon_rpc_stop(d);
	if (d->events)
		events_pub_close(d->events);
	if (d->conf)
		conf_free(d->conf);
}

static int init_process(struct daemon *d)
{
	d->signal_fd = daemon_signals_open();
	if (d->signal_fd < 0) {
		perror("signalfd");
		return -1;
	}
	if (pipe2(d->wake_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
		perror("pipe");
		close(d->signal_fd);
		return -1;
	}
	pthread_mutex_init(&d->lock, NULL);
	pthread_cond_init(&d->reloaded, NULL);
	clock_gettime(CLOCK_MONOTONIC, &d->started);
	return 0;
}

static void fini_process(struct daemon *d)
{
	pthread_cond_destroy(&d->reloaded);
	pthread_mutex_destroy(&d->lock);
	close(d->wake_pipe[0]);
	close(d->wake_pipe[1]);
	close(d->signal_fd);
	/* Lets nng finish its reaping, so leak checkers see a clean exit. */
	nng_fini();
}

int daemon_main(int argc, char **argv, const struct service_def *def)
{
	struct daemon d = { .def = def };
	bool started = false;
	char err[512] = "the service refused its config";
	int rc;

	rc = daemon_parse_args(argc, argv, def, &d.config_path);
	if (rc != 0)
		return rc > 0 ? 0 : 1;
	/* Signals are blocked before nng starts any thread. */
	if (init_process(&d) != 0)
		return 1;

	DBG1(LOG_DMN, "Starting Cygnet %s service (%s %s)", def->name,
	     def->binary, CYGNET_VERSION);
	rc = start(&d, &started, err, sizeof(err));
	if (rc == 0) {
		sd_notify(0, "READY=1");
		DBG1(LOG_DMN, "%s ready", def->binary);
		daemon_loop(&d);
		sd_notify(0, "STOPPING=1");
	} else {
		DBG1(LOG_DMN, "%s failed to start: %s", def->binary, err);
	}
	shutdown_all(&d, started);
	DBG1(LOG_DMN, "%s stopped", def->binary);
	fini_process(&d);
	return rc == 0 ? 0 : 1;
}
