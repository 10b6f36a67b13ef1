/* Where each service listens, from cygnet { <svc> { } }, with defaults
 * that let all four services find each other with no config at all. */
#include "settings.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/un.h>

#include "log.h"

#define SETTINGS_RUNTIME_DIR "/run/cygnet"
#define SETTINGS_WORKERS_DEFAULT 4
#define SETTINGS_WORKERS_MAX 64
/* Longest path an AF_UNIX (nng ipc://) socket can have. */
#define IPC_PATH_MAX (sizeof(((struct sockaddr_un *)0)->sun_path) - 1)

static const struct {
	const char *name;
	int status_port;
} services[] = {
	{ "ike", 9101 },
	{ "authority", 9102 },
	{ "pool", 9103 },
	{ "kernel", 9104 },
};

int settings_default_status_port(const char *service)
{
	for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++) {
		if (strcmp(services[i].name, service) == 0)
			return services[i].status_port;
	}
	return -1;
}

/* Context for one settings_load: where messages go and which section
 * is read. */
struct loader {
	const struct conf_section *cygnet;	/* cygnet { } or NULL */
	const struct conf_section *svc;		/* cygnet.<svc> or NULL */
	const char *service;
	char *err;
	size_t errlen;
};

/* "FILE:LINE: cygnet.pool.rpc: message" */
static int fail(struct loader *l, const struct conf_section *sec,
		const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(struct loader *l, const struct conf_section *sec,
		const char *key, const char *fmt, ...)
{
	char msg[256], where[64] = "";
	struct conf_pos pos;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (sec && conf_key_pos(sec, key, &pos) == 0 && pos.file)
		snprintf(where, sizeof(where), "%s:%d: ", pos.file, pos.line);
	if (sec == l->svc)
		snprintf(l->err, l->errlen, "%scygnet.%s.%s: %s", where,
			 l->service, key, msg);
	else
		snprintf(l->err, l->errlen, "%scygnet.%s: %s", where, key, msg);
	return -1;
}

/* A string setting: the service's own section wins over cygnet { }. */
static const char *lookup(const struct loader *l, const char *key,
			  const struct conf_section **from)
{
	*from = l->svc;
	if (conf_has(l->svc, key))
		return conf_get(l->svc, key, NULL);
	*from = l->cygnet;
	return conf_get(l->cygnet, key, NULL);
}

static int copy_value(struct loader *l, const struct conf_section *sec,
		      const char *key, const char *value, char *dst,
		      size_t size)
{
	if (strlen(value) >= size)
		return fail(l, sec, key, "value too long (at most %zu "
			    "characters)", size - 1);
	memcpy(dst, value, strlen(value) + 1);
	return 0;
}

static int load_runtime_dir(struct loader *l, struct service_settings *out)
{
	const struct conf_section *from;
	const char *dir = lookup(l, "runtime_dir", &from);

	if (!dir)
		dir = SETTINGS_RUNTIME_DIR;
	else if (dir[0] != '/')
		return fail(l, from, "runtime_dir",
			    "'%s' is not an absolute path", dir);
	if (copy_value(l, from, "runtime_dir", dir, out->runtime_dir,
		       sizeof(out->runtime_dir)) < 0)
		return -1;
	/* "/tmp/x/" and "/tmp/x" name the same directory. */
	for (size_t len = strlen(out->runtime_dir);
	     len > 1 && out->runtime_dir[len - 1] == '/'; len--)
		out->runtime_dir[len - 1] = '\0';
	return 0;
}

/* host:port or [v6]:port with a port in 1..65535. */
static bool valid_host_port(const char *addr)
{
	const char *colon = strrchr(addr, ':');
	char *end;
	long port;

	if (!colon || colon == addr)
		return false;
	if (addr[0] == '[' && colon[-1] != ']')
		return false;
	port = strtol(colon + 1, &end, 10);
	return *end == '\0' && end != colon + 1 && port > 0 && port <= 65535;
}

static int check_url(struct loader *l, const char *key, const char *url)
{
	static const char *const net_schemes[] = { "tcp://", "tls+tcp://" };

	if (strncmp(url, "ipc://", 6) == 0) {
		if (url[6] == '\0')
			return fail(l, l->svc, key, "'%s' has no socket path",
				    url);
		/* Caught here rather than as a vague error from nng. */
		if (strlen(url + 6) > IPC_PATH_MAX)
			return fail(l, l->svc, key, "socket path of '%s' is "
				    "longer than %zu characters", url,
				    IPC_PATH_MAX);
		return 0;
	}
	for (size_t i = 0; i < 2; i++) {
		size_t len = strlen(net_schemes[i]);

		if (strncmp(url, net_schemes[i], len) != 0)
			continue;
		if (!valid_host_port(url + len))
			return fail(l, l->svc, key, "'%s' needs host:port "
				    "with a port 1..65535", url);
		return 0;
	}
	return fail(l, l->svc, key, "unsupported URL '%s' (use ipc://, "
		    "tcp:// or tls+tcp://)", url);
}

bool settings_url_next(const char **cursor, char *out, size_t size)
{
	const char *p = *cursor + strspn(*cursor, ", \t");
	size_t len = strcspn(p, ", \t");

	if (len == 0 || len >= size)
		return false;
	memcpy(out, p, len);
	out[len] = '\0';
	*cursor = p + len;
	return true;
}

/* Every URL of a list; the first error counts. */
static int check_urls(struct loader *l, const char *key, const char *urls)
{
	const char *cursor = urls;
	char url[SETTINGS_URL_MAX];
	size_t n = 0;

	while (settings_url_next(&cursor, url, sizeof(url))) {
		if (check_url(l, key, url) < 0)
			return -1;
		n++;
	}
	if (n == 0 || cursor[strspn(cursor, ", \t")] != '\0')
		return fail(l, l->svc, key, "'%s' is not a list of URLs", urls);
	return 0;
}

static int load_url(struct loader *l, const char *key, const char *suffix,
		    char *dst, size_t size, const char *runtime_dir)
{
	const char *url = conf_get(l->svc, key, NULL);

	const struct conf_section *from;

	if (!url) {
		size_t len = (size_t)snprintf(dst, size, "ipc://%s/%s.%s",
					      runtime_dir, l->service, suffix);

		if (len >= size || len - 6 > IPC_PATH_MAX) {
			lookup(l, "runtime_dir", &from);
			return fail(l, from, "runtime_dir", "too long for the "
				    "default %s endpoint", key);
		}
		return 0;
	}
	if (copy_value(l, l->svc, key, url, dst, size) < 0)
		return -1;
	return check_urls(l, key, url);
}

static int load_status(struct loader *l, struct service_settings *out)
{
	const char *addr = conf_get(l->svc, "status", NULL);

	if (!addr) {
		snprintf(out->status_addr, sizeof(out->status_addr),
			 "127.0.0.1:%d",
			 settings_default_status_port(l->service));
		return 0;
	}
	if (!valid_host_port(addr))
		return fail(l, l->svc, "status", "'%s' is not host:port with "
			    "a port 1..65535", addr);
	return copy_value(l, l->svc, "status", addr, out->status_addr,
			  sizeof(out->status_addr));
}

static int load_workers(struct loader *l, struct service_settings *out)
{
	long workers;

	if (conf_get_int(l->svc, "workers", SETTINGS_WORKERS_DEFAULT,
			 &workers) < 0)
		return fail(l, l->svc, "workers", "'%s' is not a number",
			    conf_get(l->svc, "workers", ""));
	if (workers < 1 || workers > SETTINGS_WORKERS_MAX)
		return fail(l, l->svc, "workers", "%ld is out of range 1..%d",
			    workers, SETTINGS_WORKERS_MAX);
	out->workers = (int)workers;
	return 0;
}

/* tls { } of the service, each file falling back to cygnet.tls { }. */
static int load_tls(struct loader *l, struct service_settings *out)
{
	static const char *const keys[] = { "tls.ca", "tls.cert", "tls.key" };
	char *const dsts[] = { out->tls.ca_file, out->tls.cert_file,
			       out->tls.key_file };

	for (size_t i = 0; i < 3; i++) {
		const struct conf_section *from;
		const char *file = lookup(l, keys[i], &from);

		if (file && copy_value(l, from, keys[i], file, dsts[i],
				       SETTINGS_URL_MAX) < 0)
			return -1;
	}
	return 0;
}

static bool uses_tls(const char *url)
{
	return strncmp(url, "tls+tcp://", 10) == 0;
}

static int check_tls(struct loader *l, const struct service_settings *out)
{
	const char *key = uses_tls(out->rpc_url) ? "rpc" : "events";

	if (!uses_tls(out->rpc_url) && !uses_tls(out->events_url))
		return 0;
	if (!out->tls.ca_file[0] || !out->tls.cert_file[0] ||
	    !out->tls.key_file[0])
		return fail(l, l->svc, key, "tls+tcp:// requires tls { ca, "
			    "cert, key } in cygnet.%s or cygnet",
			    l->service);
	return 0;
}

int settings_load(const struct conf *conf, const char *service,
		  struct service_settings *out, char *err, size_t errlen)
{
	struct loader l = { .service = service, .err = err,
			    .errlen = errlen };

	memset(out, 0, sizeof(*out));
	if (settings_default_status_port(service) < 0) {
		snprintf(err, errlen, "unknown service '%s'", service);
		return -1;
	}
	snprintf(out->name, sizeof(out->name), "%s", service);
	l.cygnet = conf_section_find(conf_root(conf), "cygnet");
	l.svc = conf_section_find(l.cygnet, service);

	if (load_runtime_dir(&l, out) < 0 ||
	    load_url(&l, "rpc", "rpc", out->rpc_url, sizeof(out->rpc_url),
		     out->runtime_dir) < 0 ||
	    load_url(&l, "events", "events", out->events_url,
		     sizeof(out->events_url), out->runtime_dir) < 0 ||
	    load_status(&l, out) < 0 || load_workers(&l, out) < 0 ||
	    load_tls(&l, out) < 0 || check_tls(&l, out) < 0)
		return -1;
	return 0;
}

static void apply_level(const struct conf_section *levels, const char *key,
			int subsys)
{
	long level;
	struct conf_pos pos = { 0 };

	if (conf_get_int(levels, key, LOG_LEVEL_DEFAULT, &level) != 0)
		return;
	if (level < LOG_LEVEL_SILENT || level > LOG_LEVEL_MAX) {
		conf_key_pos(levels, key, &pos);
		DBG1(LOG_CFG, "%s:%d: log level %ld for '%s' out of range "
		     "%d..%d", pos.file ? pos.file : "", pos.line, level, key,
		     LOG_LEVEL_SILENT, LOG_LEVEL_MAX);
		return;
	}
	if (subsys < 0)
		log_set_all_levels((int)level);
	else
		log_set_level(subsys, (int)level);
}

void settings_apply_log_levels(const struct conf *conf, const char *service)
{
	const struct conf_section *cygnet =
		conf_section_find(conf_root(conf), "cygnet");
	const struct conf_section *levels =
		conf_section_find(conf_section_find(cygnet, service),
				  "loglevel");

	/* Start over, so a reload that drops a setting drops its effect. */
	log_set_all_levels(LOG_LEVEL_DEFAULT);
	apply_level(levels, "default", -1);
	for (size_t i = 0; i < conf_key_count(levels); i++) {
		const char *key = conf_key_at(levels, i, NULL, NULL);
		int subsys = log_subsys_by_name(key);
		struct conf_pos pos;

		if (subsys >= 0) {
			apply_level(levels, key, subsys);
		} else if (strcmp(key, "default") != 0) {
			conf_key_pos(levels, key, &pos);
			DBG1(LOG_CFG, "%s:%d: unknown log subsystem '%s'",
			     pos.file ? pos.file : "", pos.line, key);
		}
	}
}

int settings_warn_unknown(const struct conf *conf, const char *service,
			  const struct conf_schema *schema)
{
	const struct conf_section *svc = conf_section_find(
		conf_section_find(conf_root(conf), "cygnet"), service);
	char where[64];

	snprintf(where, sizeof(where), "cygnet.%s", service);
	return conf_warn_unknown(svc, schema ? schema : conf_schema_service,
				 where);
}
