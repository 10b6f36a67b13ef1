/* Status as JSON (GET /status) and as Prometheus text exposition format
 * 0.0.4 (GET /metrics). */
#include "status.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

static const char *metric_type(const Cygnet__Metric *m)
{
	return m->kind == CYGNET__METRIC__KIND__COUNTER ? "counter" : "gauge";
}

/* Runs write into a growing memory buffer: the text, or NULL (and nothing
 * leaked) when memory ran out. */
static char *render(const Cygnet__Status *status,
		    void (*write)(FILE *out, const Cygnet__Status *status))
{
	char *buf = NULL;
	size_t len;
	bool failed;
	FILE *out = open_memstream(&buf, &len);

	if (!out)
		return NULL;
	write(out, status);
	failed = ferror(out);
	/* buf is only valid once the stream is closed. */
	if (fclose(out) != 0 || failed) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void json_metric(struct json_writer *w, const Cygnet__Metric *m)
{
	size_t i;

	json_object_begin(w);
	json_key(w, "name");
	json_string(w, m->name);
	json_key(w, "type");
	json_string(w, metric_type(m));
	json_key(w, "help");
	json_string(w, m->help);
	json_key(w, "value");
	json_number(w, m->value);
	json_key(w, "labels");
	json_object_begin(w);
	for (i = 0; i < m->n_labels; i++) {
		json_key(w, m->labels[i]->name);
		json_string(w, m->labels[i]->value);
	}
	json_object_end(w);
	json_object_end(w);
}

static void json_status(FILE *out, const Cygnet__Status *status)
{
	struct json_writer w;
	size_t i;

	json_init(&w, out);
	json_object_begin(&w);
	json_key(&w, "service");
	json_string(&w, status->service);
	json_key(&w, "version");
	json_string(&w, status->version);
	json_key(&w, "pid");
	json_uint(&w, status->pid);
	json_key(&w, "uptime");
	json_uint(&w, status->uptime_s);
	json_key(&w, "state");
	json_string(&w, status->state);
	json_key(&w, "metrics");
	json_array_begin(&w);
	for (i = 0; i < status->n_metrics; i++)
		json_metric(&w, status->metrics[i]);
	json_array_end(&w);
	json_object_end(&w);
	fputc('\n', out);
}

char *status_to_json(const Cygnet__Status *status)
{
	return render(status, json_status);
}

/* Metric and label names may only hold [a-zA-Z0-9_:] (no ':' in label
 * names) and must not start with a digit; anything else becomes '_'. */
static void prom_write_name(FILE *out, const char *name, bool colon_ok)
{
	const char *p;

	if (*name >= '0' && *name <= '9')
		fputc('_', out);
	for (p = name; *p; p++) {
		bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			  (*p >= '0' && *p <= '9') || *p == '_' ||
			  (colon_ok && *p == ':');
		fputc(ok ? *p : '_', out);
	}
}

/* HELP text escapes backslash and newline; label values also '"'. */
static void prom_write_escaped(FILE *out, const char *s, bool quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", out);
		else if (*s == '\n')
			fputs("\\n", out);
		else if (quote && *s == '"')
			fputs("\\\"", out);
		else
			fputc(*s, out);
	}
}

static void prom_write_value(FILE *out, double v)
{
	if (isnan(v))
		fputs("NaN", out);
	else if (isinf(v))
		fputs(v > 0 ? "+Inf" : "-Inf", out);
	else if (v == floor(v) && fabs(v) < 9007199254740992.0)
		fprintf(out, "%.0f", v);
	else
		fprintf(out, "%.17g", v);
}

static void prom_sample(FILE *out, const Cygnet__Metric *m)
{
	size_t i;

	fputs("cygnet_", out);
	prom_write_name(out, m->name, true);
	if (m->n_labels > 0) {
		fputc('{', out);
		for (i = 0; i < m->n_labels; i++) {
			if (i > 0)
				fputc(',', out);
			prom_write_name(out, m->labels[i]->name, false);
			fputs("=\"", out);
			prom_write_escaped(out, m->labels[i]->value, true);
			fputc('"', out);
		}
		fputc('}', out);
	}
	fputc(' ', out);
	prom_write_value(out, m->value);
	fputc('\n', out);
}

static bool seen_before(const Cygnet__Status *status, size_t index)
{
	size_t i;

	for (i = 0; i < index; i++)
		if (strcmp(status->metrics[i]->name,
			   status->metrics[index]->name) == 0)
			return true;
	return false;
}

/* The format wants all samples of one name together under a single
 * HELP/TYPE pair; services may report a name's samples in any order.
 * HELP and TYPE come from the first sample of the name. */
static void prom_family(FILE *out, const Cygnet__Status *status, size_t first)
{
	const Cygnet__Metric *m = status->metrics[first];
	size_t i;

	fputs("# HELP cygnet_", out);
	prom_write_name(out, m->name, true);
	fputc(' ', out);
	prom_write_escaped(out, m->help, false);
	fputs("\n# TYPE cygnet_", out);
	prom_write_name(out, m->name, true);
	fprintf(out, " %s\n", metric_type(m));
	for (i = first; i < status->n_metrics; i++)
		if (strcmp(status->metrics[i]->name, m->name) == 0)
			prom_sample(out, status->metrics[i]);
}

static void prom_status(FILE *out, const Cygnet__Status *status)
{
	size_t i;

	for (i = 0; i < status->n_metrics; i++)
		if (!seen_before(status, i))
			prom_family(out, status, i);
}

char *status_to_prometheus(const Cygnet__Status *status)
{
	return render(status, prom_status);
}
