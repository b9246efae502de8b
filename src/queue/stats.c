#include <stdio.h>

#include "base/log.h"
#include "base/metrics.h"
#include "queue/queue_stats.h"

static void collect(void *arg)
{
	struct db_pool *pool = arg;
	struct db *db = db_pool_get(pool);
	struct arena *a = arena_new(0);
	struct db_res *r;
	struct errinfo ei = {0};
	if (DB_EXEC0(db, a, &r, &ei, "SELECT kind, state, n FROM queue_stats()") == ERR_OK) {
		metrics_gauge_clear("radsched_jobs");
		for (int i = 0; i < db_res_rows(r); i++) {
			char k[100], labels[200];
			metrics_label_escape(k, sizeof k, db_res_val(r, i, "kind"));
			snprintf(labels, sizeof labels, "kind=\"%s\",state=\"%s\"", k, db_res_val(r, i, "state"));
			metrics_gauge_set("radsched_jobs", labels, (double)db_res_ll(r, i, "n", 0));
		}
	} else {
		log_warn("job metrics unavailable: %s", ei.message);
	}
	arena_free(a);
	db_pool_put(pool, db);
}

void queue_metrics_register(struct db_pool *pool)
{
	metrics_declare("radsched_jobs", METRIC_GAUGE, "Jobs by kind and state.");
	metrics_declare("radsched_job_duration_seconds", METRIC_HISTOGRAM, "Job run time by kind and outcome.");
	metrics_add_collector(collect, pool);
}
