#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.pb-c.h"
#include "log.h"
#include "kernel/convert.h"
#include "kernel/policy.h"
#include "kernel/sa.h"
#include "kernel/service.h"
#include "kernel/state.h"

#define REQID_MIN_DEFAULT 1
#define REQID_MAX_DEFAULT 0x7fffffff
#define ROUTING_TABLE_DEFAULT 220	/* charon's */
#define ROUTING_PRIO_DEFAULT 220

static const struct conf_schema kernel_schema[] = {
	{ .name = "reqid_min" },
	{ .name = "reqid_max" },
	{ .name = "bypass_ports" },
	{ .name = "flush_on_stop" },
	{ .name = "routing_table" },
	{ .name = "routing_table_prio" },
	{ .include = conf_schema_service },
	{ 0 },
};

int kernel_service_init(struct kernel_service *svc)
{
	memset(svc, 0, sizeof(*svc));
	if (pthread_mutex_init(&svc->lock, NULL))
		return -1;
	svc->cfg.owner.reqid_min = REQID_MIN_DEFAULT;
	svc->cfg.owner.reqid_max = REQID_MAX_DEFAULT;
	svc->cfg.routing_table = ROUTING_TABLE_DEFAULT;
	svc->cfg.routing_table_prio = ROUTING_PRIO_DEFAULT;
	return 0;
}

void kernel_service_cleanup(struct kernel_service *svc)
{
	/* closed only here: RPC handlers may still run during stop() */
	nl_close(svc->nl);
	svc->nl = NULL;
	pthread_mutex_destroy(&svc->lock);
}

void kernel_service_owner(struct kernel_service *svc, struct owner *out)
{
	pthread_mutex_lock(&svc->lock);
	*out = svc->cfg.owner;
	pthread_mutex_unlock(&svc->lock);
}

void kernel_service_count(struct kernel_service *svc, enum kernel_op op,
			  bool ok)
{
	if (ok)
		atomic_fetch_add(&svc->ops_ok[op], 1);
	else
		atomic_fetch_add(&svc->ops_failed[op], 1);
}

static int read_reqids(const struct conf_section *sec, struct owner *o,
		       char *err, size_t errlen)
{
	long min, max;

	if (conf_get_int(sec, "reqid_min", REQID_MIN_DEFAULT, &min) < 0 ||
	    conf_get_int(sec, "reqid_max", REQID_MAX_DEFAULT, &max) < 0) {
		snprintf(err, errlen, "invalid reqid_min/reqid_max");
		return -1;
	}
	if (min < 1 || max > 0xffffffffL || min > max) {
		snprintf(err, errlen, "reqid range %ld-%ld invalid (1 to "
			 "4294967295, min <= max)", min, max);
		return -1;
	}
	o->reqid_min = (uint32_t)min;
	o->reqid_max = (uint32_t)max;
	return 0;
}

static int read_ports(const struct conf_section *sec, struct owner *o,
		      char *err, size_t errlen)
{
	char *items[OWNER_BYPASS_MAX + 1];
	size_t n;
	int rc = 0;

	if (!conf_has(sec, "bypass_ports")) {
		o->bypass_ports[0] = 500;
		o->bypass_ports[1] = 4500;
		o->n_bypass = 2;
		return 0;
	}
	n = conf_get_list(sec, "bypass_ports", items, OWNER_BYPASS_MAX + 1);
	if (n > OWNER_BYPASS_MAX) {
		snprintf(err, errlen, "more than %d bypass_ports",
			 OWNER_BYPASS_MAX);
		rc = -1;
	}
	o->n_bypass = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		char *end;
		long port = strtol(items[i], &end, 10);

		if (*end || port < 1 || port > 65535) {
			snprintf(err, errlen, "bypass port '%s' invalid",
				 items[i]);
			rc = -1;
			break;
		}
		o->bypass_ports[o->n_bypass++] = (uint16_t)port;
	}
	conf_list_free(items, n);
	return rc;
}

static int read_routing(const struct conf_section *sec,
			struct kernel_config *cfg, char *err, size_t errlen)
{
	long table, prio;

	if (conf_get_int(sec, "routing_table", ROUTING_TABLE_DEFAULT,
			 &table) < 0 ||
	    conf_get_int(sec, "routing_table_prio", ROUTING_PRIO_DEFAULT,
			 &prio) < 0 ||
	    table < 1 || table > 0xfffffffeL || prio < 0 ||
	    prio > 0xffffffffL) {
		snprintf(err, errlen, "invalid routing_table/routing_table_prio");
		return -1;
	}
	cfg->routing_table = (uint32_t)table;
	cfg->routing_table_prio = (uint32_t)prio;
	return 0;
}

int kernel_service_configure(void *ctx, const struct conf *conf, bool reload,
			     char *err, size_t errlen)
{
	struct kernel_service *svc = ctx;
	const struct conf_section *sec =
		conf_section_find(conf_root(conf), "cygnet.kernel");
	struct kernel_config cfg = { 0 };

	settings_warn_unknown(conf, "kernel", kernel_schema);
	if (read_reqids(sec, &cfg.owner, err, errlen) < 0 ||
	    read_ports(sec, &cfg.owner, err, errlen) < 0 ||
	    read_routing(sec, &cfg, err, errlen) < 0 ||
	    conf_get_bool(sec, "flush_on_stop", false, &cfg.flush_on_stop) < 0) {
		if (!err[0])
			snprintf(err, errlen, "invalid flush_on_stop");
		return -1;
	}
	pthread_mutex_lock(&svc->lock);
	svc->cfg = cfg;
	pthread_mutex_unlock(&svc->lock);
	if (reload && svc->nl) {
		struct nl_error nerr;

		if (kernel_service_bypass(svc, cfg.owner.bypass_ports,
					  cfg.owner.n_bypass, &nerr) < 0)
			DBG1(LOG_KNL, "installing bypass policies failed: %s",
			     nerr.text);
	}
	return 0;
}

static void add_bypass_port(struct owner *o, uint16_t port)
{
	for (size_t i = 0; i < o->n_bypass; i++)
		if (o->bypass_ports[i] == port)
			return;
	if (o->n_bypass < OWNER_BYPASS_MAX)
		o->bypass_ports[o->n_bypass++] = port;
}

int kernel_service_bypass(struct kernel_service *svc, const uint16_t *ports,
			  size_t n, struct nl_error *err)
{
	struct knl_policy pass[4];

	for (size_t i = 0; i < n; i++) {
		policy_bypass(ports[i], pass);
		for (size_t k = 0; k < 4; k++) {
			if (policy_install(svc->nl, &pass[k], err) < 0) {
				kernel_service_count(svc, KERNEL_OP_BYPASS,
						     false);
				return -1;
			}
		}
		pthread_mutex_lock(&svc->lock);
		add_bypass_port(&svc->cfg.owner, ports[i]);
		pthread_mutex_unlock(&svc->lock);
		DBG2(LOG_KNL, "installed bypass policies for UDP port %u",
		     ports[i]);
	}
	kernel_service_count(svc, KERNEL_OP_BYPASS, true);
	return 0;
}

static void publish_expire(void *arg, const struct knl_expire *ev)
{
	struct kernel_service *svc = arg;
	struct owner o;
	Cygnet__KernelExpire msg = CYGNET__KERNEL_EXPIRE__INIT;
	Cygnet__SaId id = CYGNET__SA_ID__INIT;
	Cygnet__Address dst, src;

	kernel_service_owner(svc, &o);
	if (!owner_sa(&o, &ev->sa))
		return;
	atomic_fetch_add(ev->hard ? &svc->events_hard : &svc->events_soft, 1);
	DBG1(LOG_KNL, "SA %08x with reqid {%u} reached its %s lifetime",
	     ev->sa.sa.spi, ev->sa.sa.reqid, ev->hard ? "hard" : "soft");
	convert_addr_out(&ev->sa.sa.dst, &dst);
	convert_addr_out(&ev->sa.sa.src, &src);
	id.dst = &dst;
	id.spi = ev->sa.sa.spi;
	id.protocol = ev->sa.sa.proto;
	msg.sa = &id;
	msg.reqid = ev->sa.sa.reqid;
	msg.hard = ev->hard;
	msg.src = &src;
	if (svc->events)
		events_publish(svc->events, "kernel.expire", &msg.base);
}

static void publish_acquire(void *arg, const struct knl_acquire *ev)
{
	struct kernel_service *svc = arg;
	struct owner o;
	Cygnet__KernelAcquire msg = CYGNET__KERNEL_ACQUIRE__INIT;
	Cygnet__TrafficSelector src, dst;

	kernel_service_owner(svc, &o);
	if (!owner_reqid(&o, ev->reqid))
		return;
	atomic_fetch_add(&svc->events_acquire, 1);
	DBG2(LOG_KNL, "acquire for reqid {%u}", ev->reqid);
	convert_ts_out(&ev->src_ts, &src);
	convert_ts_out(&ev->dst_ts, &dst);
	msg.reqid = ev->reqid;
	msg.src_ts = &src;
	msg.dst_ts = &dst;
	if (svc->events)
		events_publish(svc->events, "kernel.acquire", &msg.base);
}

static void set_degraded(struct kernel_service *svc, const char *what,
			 const struct nl_error *nerr)
{
	snprintf(svc->degraded, sizeof(svc->degraded), "%s: %s", what,
		 nerr->text);
	DBG1(LOG_KNL, "kernel interface unavailable, running degraded: %s",
	     svc->degraded);
}

/* Dumps the tables once: proves we may talk XFRM and logs what we adopt. */
static int adopt_existing(struct kernel_service *svc, struct nl_error *err)
{
	struct owner o;
	struct sa_table sas = { 0 };
	struct policy_table policies = { 0 };

	kernel_service_owner(svc, &o);
	if (adopt_sas(svc->nl, &o, &sas, err) < 0)
		return -1;
	if (adopt_policies(svc->nl, &o, &policies, err) < 0) {
		sa_table_free(&sas);
		return -1;
	}
	DBG1(LOG_KNL, "adopted %zu SAs and %zu policies with reqids "
	     "{%u}-{%u} from the kernel", sas.n, policies.n, o.reqid_min,
	     o.reqid_max);
	sa_table_free(&sas);
	policy_table_free(&policies);
	return 0;
}

int kernel_service_start(void *ctx, struct daemon *d, char *err,
			 size_t errlen)
{
	struct kernel_service *svc = ctx;
	struct monitor_ops ops = { publish_expire, publish_acquire, svc };
	struct nl_error nerr;
	struct owner o;

	(void)err;
	(void)errlen;
	svc->events = daemon_events(d);
	svc->nl = nl_open(0, &nerr);
	if (!svc->nl) {
		set_degraded(svc, "opening NETLINK_XFRM", &nerr);
		return 0;
	}
	kernel_service_owner(svc, &o);
	if (adopt_existing(svc, &nerr) < 0 ||
	    kernel_service_bypass(svc, o.bypass_ports, o.n_bypass, &nerr) < 0) {
		set_degraded(svc, "XFRM tables", &nerr);
		nl_close(svc->nl);
		svc->nl = NULL;
		return 0;
	}
	svc->monitor = monitor_start(&ops, &nerr);
	if (!svc->monitor)
		set_degraded(svc, "subscribing to XFRM expire/acquire events",
			     &nerr);
	return 0;
}

static void flush_owned(struct kernel_service *svc)
{
	struct state_desired none = { .drop_larval = true };
	struct state_result *res = calloc(1, sizeof(*res));
	struct nl_error nerr;
	struct owner o;

	if (!res)
		return;
	kernel_service_owner(svc, &o);
	if (state_reconcile(svc->nl, &o, &none, res, &nerr) < 0)
		DBG1(LOG_KNL, "flushing owned SAs and policies failed: %s",
		     nerr.text);
	free(res);
}

void kernel_service_stop(void *ctx)
{
	struct kernel_service *svc = ctx;
	bool flush;

	monitor_stop(svc->monitor);
	svc->monitor = NULL;
	pthread_mutex_lock(&svc->lock);
	flush = svc->cfg.flush_on_stop;
	pthread_mutex_unlock(&svc->lock);
	if (svc->nl && flush)
		flush_owned(svc);
	else if (svc->nl)
		DBG1(LOG_KNL, "leaving SAs and policies installed");
}
