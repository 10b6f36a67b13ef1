/* cygnetctl --status: one line per service with its state, uptime and a
 * few of its own metrics; exits 1 when any service is down. */
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "types.pb-c.h"

#define KEY_METRICS 3

static void format_uptime(char *buf, size_t len, uint64_t s)
{
	if (s >= 86400)
		snprintf(buf, len, "%llud%02lluh", (unsigned long long)s / 86400,
			 (unsigned long long)(s % 86400) / 3600);
	else if (s >= 3600)
		snprintf(buf, len, "%lluh%02llum", (unsigned long long)s / 3600,
			 (unsigned long long)(s % 3600) / 60);
	else if (s >= 60)
		snprintf(buf, len, "%llum%02llus", (unsigned long long)s / 60,
			 (unsigned long long)s % 60);
	else
		snprintf(buf, len, "%llus", (unsigned long long)s);
}

/* The service's own metrics are named after it ("pool_leases_online");
 * the daemon's common ones (rpc_, config_, uptime_) are not. */
static bool own_metric(const Cygnet__Status *st, const Cygnet__Metric *m,
		       Cygnet__Metric__Kind kind)
{
	size_t n = strlen(st->service);

	return m->kind == kind && strncmp(m->name, st->service, n) == 0 &&
	       m->name[n] == '_';
}

static void print_metric(FILE *out, const Cygnet__Status *st,
			 const Cygnet__Metric *m)
{
	fprintf(out, " %s", m->name + strlen(st->service) + 1);
	if (m->n_labels > 0)
		fprintf(out, "{%s}", m->labels[0]->value);
	fprintf(out, "=%g", m->value);
}

/* Gauges first (they say what the service holds now), then counters. */
static void print_key_metrics(FILE *out, const Cygnet__Status *st)
{
	static const Cygnet__Metric__Kind order[] = {
		CYGNET__METRIC__KIND__GAUGE, CYGNET__METRIC__KIND__COUNTER,
	};
	int printed = 0;
	size_t k, i;

	for (k = 0; k < 2; k++)
		for (i = 0; i < st->n_metrics && printed < KEY_METRICS; i++)
			if (own_metric(st, st->metrics[i], order[k])) {
				print_metric(out, st, st->metrics[i]);
				printed++;
			}
}

/* A service that does not answer is down. */
static bool print_row(FILE *out, const char *service,
		      const struct rpc_result *r)
{
	const Cygnet__Status *st = (const Cygnet__Status *)r->reply;
	char uptime[32];

	if (r->status != CYGNET__RPC_STATUS__RPC_OK) {
		fprintf(out, "%-10s %-9s %-8s %-8s %s\n", service, "down", "-",
			"-", r->error);
		return false;
	}
	format_uptime(uptime, sizeof(uptime), st->uptime_s);
	fprintf(out, "%-10s %-9s %-8s %-8u", service, st->state, uptime,
		st->pid);
	print_key_metrics(out, st);
	fputc('\n', out);
	return true;
}

int ctl_cmd_status(struct ctl *ctl)
{
	if (ctl_no_args(ctl))
		return 1;
	fprintf(ctl->out, "%-10s %-9s %-8s %-8s %s\n", "service", "state",
		"uptime", "pid", "metrics");
	return ctl_each_service(ctl, CYGNET__COMMON_METHOD__METHOD_STATUS,
				&cygnet__status__descriptor, print_row);
}
