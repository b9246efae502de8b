#include "base/metrics.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"

static const double buckets[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
#define NBUCKETS (sizeof buckets / sizeof buckets[0])

struct series {
	struct series *next;
	char *labels;
	double value; /* counter/gauge value, histogram sum */
	unsigned long long count, bucket[NBUCKETS];
};

struct family {
	struct family *next;
	char *name, *help;
	enum metric_type type;
	struct series *series;
};

struct collector {
	struct collector *next;
	metrics_collector_fn fn;
	void *arg;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct family *families;
static struct collector *collectors;

static struct family *family_get(const char *name, enum metric_type type)
{
	struct family *f;
	for (f = families; f; f = f->next)
		if (!strcmp(f->name, name))
			return f;
	f = xcalloc(1, sizeof *f);
	f->name = xstrdup(name);
	f->type = type;
	/* keep declaration order: append */
	struct family **pp = &families;
	while (*pp)
		pp = &(*pp)->next;
	*pp = f;
	return f;
}

static struct series *series_get(struct family *f, const char *labels)
{
	labels = labels ? labels : "";
	struct series *s;
	for (s = f->series; s; s = s->next)
		if (!strcmp(s->labels, labels))
			return s;
	s = xcalloc(1, sizeof *s);
	s->labels = xstrdup(labels);
	s->next = f->series;
	f->series = s;
	return s;
}

void metrics_declare(const char *name, enum metric_type type, const char *help)
{
	pthread_mutex_lock(&mu);
	struct family *f = family_get(name, type);
	f->type = type;
	if (!f->help)
		f->help = xstrdup(help);
	pthread_mutex_unlock(&mu);
}

void metrics_counter_add(const char *name, const char *labels, double v)
{
	pthread_mutex_lock(&mu);
	series_get(family_get(name, METRIC_COUNTER), labels)->value += v;
	pthread_mutex_unlock(&mu);
}

void metrics_gauge_set(const char *name, const char *labels, double v)
{
	pthread_mutex_lock(&mu);
	series_get(family_get(name, METRIC_GAUGE), labels)->value = v;
	pthread_mutex_unlock(&mu);
}

void metrics_gauge_clear(const char *name)
{
	pthread_mutex_lock(&mu);
	struct family *f = family_get(name, METRIC_GAUGE);
	while (f->series) {
		struct series *s = f->series;
		f->series = s->next;
		free(s->labels);
		free(s);
	}
	pthread_mutex_unlock(&mu);
}

void metrics_observe(const char *name, const char *labels, double v)
{
	pthread_mutex_lock(&mu);
	struct series *s = series_get(family_get(name, METRIC_HISTOGRAM), labels);
	s->value += v;
	s->count++;
	for (size_t i = 0; i < NBUCKETS; i++)
		if (v <= buckets[i])
			s->bucket[i]++;
	pthread_mutex_unlock(&mu);
}

void metrics_add_collector(metrics_collector_fn fn, void *arg)
{
	struct collector *c = xcalloc(1, sizeof *c);
	c->fn = fn;
	c->arg = arg;
	pthread_mutex_lock(&mu);
	c->next = collectors;
	collectors = c;
	pthread_mutex_unlock(&mu);
}

double metrics_value(const char *name, const char *labels)
{
	double v = 0;
	pthread_mutex_lock(&mu);
	for (struct family *f = families; f; f = f->next) {
		if (strcmp(f->name, name))
			continue;
		for (struct series *s = f->series; s; s = s->next)
			if (!strcmp(s->labels, labels ? labels : ""))
				v = f->type == METRIC_HISTOGRAM ? (double)s->count : s->value;
	}
	pthread_mutex_unlock(&mu);
	return v;
}

static enum err render_series(struct buf *out, const struct family *f, const struct series *s)
{
	enum err e = ERR_OK;
	const char *sep = *s->labels ? "," : "";
	if (f->type != METRIC_HISTOGRAM) {
		if (*s->labels)
			return buf_printf(out, "%s{%s} %.17g\n", f->name, s->labels, s->value);
		return buf_printf(out, "%s %.17g\n", f->name, s->value);
	}
	for (size_t i = 0; i < NBUCKETS && !e; i++)
		e = buf_printf(out, "%s_bucket{%s%sle=\"%g\"} %llu\n", f->name, s->labels, sep, buckets[i], s->bucket[i]);
	if (!e)
		e = buf_printf(out, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", f->name, s->labels, sep, s->count);
	if (!e)
		e = *s->labels ? buf_printf(out, "%s_sum{%s} %.17g\n%s_count{%s} %llu\n", f->name, s->labels, s->value,
					    f->name, s->labels, s->count)
			       : buf_printf(out, "%s_sum %.17g\n%s_count %llu\n", f->name, s->value, f->name, s->count);
	return e;
}

enum err metrics_render(struct buf *out)
{
	for (struct collector *c = collectors; c; c = c->next)
		c->fn(c->arg);
	static const char *const tn[] = {"counter", "gauge", "histogram"};
	enum err e = ERR_OK;
	pthread_mutex_lock(&mu);
	for (struct family *f = families; f && !e; f = f->next) {
		if (f->help)
			e = buf_printf(out, "# HELP %s %s\n", f->name, f->help);
		if (!e)
			e = buf_printf(out, "# TYPE %s %s\n", f->name, tn[f->type]);
		for (struct series *s = f->series; s && !e; s = s->next)
			e = render_series(out, f, s);
	}
	pthread_mutex_unlock(&mu);
	return e;
}

void metrics_label_escape(char *out, size_t outsz, const char *value)
{
	size_t o = 0;
	for (; *value && o + 2 < outsz; value++) {
		if (*value == '\\' || *value == '"') {
			out[o++] = '\\';
			out[o++] = *value;
		} else if (*value == '\n') {
			out[o++] = '\\';
			out[o++] = 'n';
		} else {
			out[o++] = *value;
		}
	}
	out[o] = 0;
}
