/* metrics.h — process-wide Prometheus metrics (counters, gauges, histograms).
 * Series are keyed by name + a label string already in Prometheus form, e.g.
 *   metrics_counter_add("radsched_emails_total", "template=\"invite\",stream=\"system\"", 1);
 * Declare each family once (metrics_declare) so /metrics prints HELP and TYPE.
 * Label values must be escaped by the caller with metrics_label_escape(). Thread-safe. */
#ifndef RS_BASE_METRICS_H
#define RS_BASE_METRICS_H

#include <stddef.h>

#include "base/buf.h"

enum metric_type { METRIC_COUNTER, METRIC_GAUGE, METRIC_HISTOGRAM };

void metrics_declare(const char *name, enum metric_type type, const char *help);
void metrics_counter_add(const char *name, const char *labels, double v);
void metrics_gauge_set(const char *name, const char *labels, double v);
/* Histogram with the default latency buckets (5 ms … 60 s). */
void metrics_observe(const char *name, const char *labels, double v);
/* Gauges whose value is computed at scrape time (e.g. jobs by state from the database). */
typedef void (*metrics_collector_fn)(void *arg);
void metrics_add_collector(metrics_collector_fn fn, void *arg);
/* Drop every series of a gauge family (a collector does this before re-setting it). */
void metrics_gauge_clear(const char *name);
enum err metrics_render(struct buf *out) RS_MUST_CHECK;
/* Escape \ " and newline for a label value into out (size outsz). */
void metrics_label_escape(char *out, size_t outsz, const char *value);
/* Read one series' current value (counter/gauge) or count (histogram); 0 when absent. For tests. */
double metrics_value(const char *name, const char *labels);

#endif
