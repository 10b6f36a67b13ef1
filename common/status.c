/* Building a Status message from what a service reports in its fill
 * callback.  Every string in the message is the builder's own copy, so
 * a fill function may pass temporary buffers. */
#include "status.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct status_builder {
	Cygnet__Metric **metrics;
	size_t n_metrics;
	size_t capacity;
	char *state;
	unsigned long long uptime;
};

void status_set_state(struct status_builder *b, const char *state)
{
	char *copy = strdup(state);

	if (!copy)
		return;
	free(b->state);
	b->state = copy;
}

void status_set_uptime(struct status_builder *b, unsigned long long seconds)
{
	b->uptime = seconds;
}

static void metric_free(Cygnet__Metric *m)
{
	size_t i;

	for (i = 0; i < m->n_labels; i++) {
		free(m->labels[i]->name);
		free(m->labels[i]->value);
		free(m->labels[i]);
	}
	free(m->labels);
	free(m->name);
	free(m->help);
	free(m);
}

static Cygnet__MetricLabel *label_new(const char *name, const char *value)
{
	Cygnet__MetricLabel *label = malloc(sizeof(*label));

	if (!label)
		return NULL;
	cygnet__metric_label__init(label);
	label->name = strdup(name);
	label->value = strdup(value ? value : "");
	if (!label->name || !label->value) {
		free(label->name);
		free(label->value);
		free(label);
		return NULL;
	}
	return label;
}

static Cygnet__Metric *metric_new(const char *name, const char *help,
				  Cygnet__Metric__Kind kind, double value,
				  const char *label_name,
				  const char *label_value)
{
	Cygnet__Metric *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	cygnet__metric__init(m);
	m->name = strdup(name);
	m->help = strdup(help ? help : "");
	m->kind = kind;
	m->value = value;
	m->labels = NULL;
	if (!m->name || !m->help)
		goto fail;
	if (label_name) {
		m->labels = malloc(sizeof(*m->labels));
		if (!m->labels)
			goto fail;
		m->labels[0] = label_new(label_name, label_value);
		if (!m->labels[0])
			goto fail;
		m->n_labels = 1;
	}
	return m;
fail:
	metric_free(m);
	return NULL;
}

/* A metric that cannot be stored for lack of memory is left out: the
 * status page is then incomplete but still served. */
static void status_add(struct status_builder *b, const char *name,
		       const char *help, Cygnet__Metric__Kind kind,
		       double value, const char *label_name,
		       const char *label_value)
{
	Cygnet__Metric *m;
	Cygnet__Metric **grown;
	size_t capacity;

	if (b->n_metrics == b->capacity) {
		capacity = b->capacity ? b->capacity * 2 : 16;
		grown = realloc(b->metrics, capacity * sizeof(*grown));
		if (!grown)
			return;
		b->metrics = grown;
		b->capacity = capacity;
	}
	m = metric_new(name, help, kind, value, label_name, label_value);
	if (m)
		b->metrics[b->n_metrics++] = m;
}

void status_counter(struct status_builder *b, const char *name,
		    const char *help, double value, const char *label_name,
		    const char *label_value)
{
	status_add(b, name, help, CYGNET__METRIC__KIND__COUNTER, value,
		   label_name, label_value);
}

void status_gauge(struct status_builder *b, const char *name,
		  const char *help, double value, const char *label_name,
		  const char *label_value)
{
	status_add(b, name, help, CYGNET__METRIC__KIND__GAUGE, value,
		   label_name, label_value);
}

static void builder_release(struct status_builder *b)
{
	size_t i;

	for (i = 0; i < b->n_metrics; i++)
		metric_free(b->metrics[i]);
	free(b->metrics);
	free(b->state);
}

Cygnet__Status *status_build(const char *service, status_fill_fn fill,
			     void *ctx)
{
	struct status_builder b = { 0 };
	Cygnet__Status *status;

	status_set_state(&b, "running");
	if (fill)
		fill(ctx, &b);

	status = malloc(sizeof(*status));
	if (!status)
		goto fail;
	cygnet__status__init(status);
	status->service = strdup(service);
	status->version = strdup(CYGNET_VERSION);
	if (!status->service || !status->version || !b.state) {
		free(status->service);
		free(status->version);
		free(status);
		goto fail;
	}
	status->pid = (uint32_t)getpid();
	status->uptime_s = b.uptime;
	status->state = b.state;
	status->metrics = b.metrics;
	status->n_metrics = b.n_metrics;
	return status;
fail:
	builder_release(&b);
	return NULL;
}

void status_free(Cygnet__Status *status)
{
	size_t i;

	if (!status)
		return;
	for (i = 0; i < status->n_metrics; i++)
		metric_free(status->metrics[i]);
	free(status->metrics);
	free(status->service);
	free(status->version);
	free(status->state);
	free(status);
}
