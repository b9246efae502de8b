/* radsched bench-queue --jobs N [--concurrency W] — queue throughput: enqueue N no-op jobs,
 * run W worker threads until all are completed, print `jobs=N seconds=S jobs_per_second=R`.
 * Used by scripts/bench.sh next to pgbench running the same claim SQL raw. */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/strutil.h"
#include "cmd/argflags.h"
#include "cmd/commands.h"
#include "cmd/runtime.h"
#include "queue/queue.h"

static enum err noop(struct queue_job *job)
{
	(void)job;
	return ERR_OK;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int cmd_bench_queue(int argc, char **argv)
{
	const char *jobs_s = "50000";
	if (take_value(&argc, argv, "--jobs", &jobs_s) < 0) {
		fprintf(stderr, "radsched: --jobs: needs a value\n");
		return 2;
	}
	int64_t njobs;
	if (!str_to_i64(jobs_s, 1, 10000000, &njobs)) {
		fprintf(stderr, "radsched: --jobs: expected 1..10000000 (got '%s')\n", jobs_s);
		return 2;
	}
	struct runtime rt = {0};
	int rc = options_parse(argc - 1, argv + 1,
			       (1ull << OPT_DATABASE_URL) | (1ull << OPT_MIGRATE_URL) | (1ull << OPT_MIGRATE_ROLE) |
				       (1ull << OPT_DATA_DIR) | (1ull << OPT_SHARE_DIR) | (1ull << OPT_CONCURRENCY) |
				       (1ull << OPT_LOG_LEVEL) | (1ull << OPT_SECRET),
			       &rt.opts);
	if (rc || (rc = runtime_open(&rt, RUNTIME_DB_MIGRATE, true)))
		return rc;
	log_set_level(LOG_WARN);
	struct db *db = db_pool_get(rt.pool);
	struct errinfo ei = {0};
	char n[32];
	snprintf(n, sizeof n, "%lld", (long long)njobs);
	struct arena *a = arena_new(0);
	enum err e = db_begin(db, &(struct db_ctx){0}, &ei);
	if (!e)
		e = DB_EXEC(db, a, NULL, &ei, "SELECT queue_enqueue('bench.noop', '{}', NULL, 0, 0, 5, NULL) FROM generate_series(1, $1::int)", n);
	if (!e)
		e = db_commit(db, &ei);
	if (e) {
		fprintf(stderr, "radsched: bench-queue: %s\n", ei.message);
		return 1;
	}
	struct queue_worker *w;
	struct queue_worker_config wc = {.conninfo = rt.app_conninfo, .concurrency = opt_int(&rt.opts, OPT_CONCURRENCY), .poll_ms = 50};
	if (queue_worker_new(&wc, &w, &ei))
		return 2;
	queue_worker_handle(w, "bench.noop", noop);
	double t0 = now_s();
	if (queue_worker_start(w, &ei)) {
		fprintf(stderr, "radsched: bench-queue: %s\n", ei.message);
		return 1;
	}
	for (;;) {
		struct db_res *r;
		usleep(20 * 1000);
		if (DB_EXEC0(db, a, &r, &ei, "SELECT count(*) AS n FROM queue_stats() WHERE kind = 'bench.noop' AND state <> 'completed'") ||
		    !db_res_rows(r) || db_res_ll(r, 0, "n", 1) == 0)
			break;
	}
	double dt = now_s() - t0;
	queue_worker_stop(w, 1000);
	queue_worker_free(w);
	printf("jobs=%lld workers=%d seconds=%.3f jobs_per_second=%.0f\n", (long long)njobs, wc.concurrency, dt, njobs / dt);
	arena_free(a);
	db_pool_put(rt.pool, db);
	runtime_close(&rt);
	return 0;
}
