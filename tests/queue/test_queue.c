/* The durable queue, against a real PostgreSQL: exactly-once execution under 4 workers,
 * rescue after kill -9, retries with growing delays then discard, unique keys, lease
 * guard, cron slots firing once. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "check_main.h"
#include "queue/queue.h"
#include "testdb.h"

static struct testdb T;

static void setup(void)
{
	if (testdb_create("queue", &T))
		ck_abort_msg("cannot create test database");
	ck_assert_int_eq(testdb_super_exec(&T, "CREATE TABLE test_runs (job_id bigint NOT NULL, attempt int NOT NULL);"
					       "GRANT SELECT, INSERT ON test_runs TO radsched_app"),
			 0);
	log_set_level(LOG_ERROR);
}

static enum err record_run(struct db *db, void *arg, struct errinfo *ei)
{
	struct queue_job *job = arg;
	char id[32], att[16];
	snprintf(id, sizeof id, "%lld", (long long)job->id);
	snprintf(att, sizeof att, "%d", job->attempt);
	return DB_EXEC(db, job->arena, NULL, ei, "INSERT INTO test_runs (job_id, attempt) VALUES ($1::bigint, $2::int)", id, att);
}

static enum err h_record(struct queue_job *job) { return db_with_tx(job->pool, &job->ctx, record_run, job, &job->err); }

static enum err h_fail(struct queue_job *job) { return err_set(&job->err, ERR_UPSTREAM, "", "provider said 503"); }

/* first attempt: open a transaction, record, then hang before commit (the test kills us) */
static enum err h_slow_first(struct queue_job *job)
{
	if (job->attempt == 1) {
		struct db *db = db_pool_get(job->pool);
		struct errinfo ei = {0};
		if (db_begin(db, &job->ctx, &ei) == ERR_OK)
			RS_IGNORE(record_run(db, job, &ei));
		sleep(60);
		db_pool_put(job->pool, db);
	}
	return h_record(job);
}

static void enqueue_n(const char *kind, int n, const struct queue_opts *o)
{
	struct db *db;
	struct errinfo ei = {0};
	ck_assert_int_eq(db_connect(T.app, &db, &ei), ERR_OK);
	ck_assert_int_eq(db_begin(db, &(struct db_ctx){0}, &ei), ERR_OK);
	for (int i = 0; i < n; i++)
		ck_assert_int_eq(queue_enqueue(db, kind, "{\"n\":1}", o, NULL, &ei), ERR_OK);
	ck_assert_int_eq(db_commit(db, &ei), ERR_OK);
	db_close(db);
}

static struct queue_worker *start_worker(const char *kind, queue_handler_fn fn, int concurrency, int lease, int backoff)
{
	struct queue_worker *w;
	struct errinfo ei = {0};
	struct queue_worker_config cfg = {.conninfo = T.app, .concurrency = concurrency, .lease_seconds = lease,
					  .poll_ms = 20, .backoff_base_ms = backoff};
	ck_assert_int_eq(queue_worker_new(&cfg, &w, &ei), ERR_OK);
	queue_worker_handle(w, kind, fn);
	ck_assert_int_eq(queue_worker_start(w, &ei), ERR_OK);
	return w;
}

static long wait_count(const char *sql, long want, int seconds)
{
	long v = -1;
	for (int i = 0; i < seconds * 20; i++) {
		v = testdb_super_long(&T, sql);
		if (v == want)
			break;
		usleep(50 * 1000);
	}
	return v;
}

START_TEST(four_workers_run_2000_jobs_exactly_once)
{
	enqueue_n("bulk", 2000, NULL);
	struct queue_worker *w[4];
	for (int i = 0; i < 4; i++)
		w[i] = start_worker("bulk", h_record, 1, 30, 100);
	ck_assert_int_eq(wait_count("SELECT count(*) FROM jobs WHERE kind = 'bulk' AND state = 'completed'", 2000, 120), 2000);
	for (int i = 0; i < 4; i++) {
		queue_worker_stop(w[i], 1000);
		queue_worker_free(w[i]);
	}
	ck_assert_int_eq(testdb_super_long(&T, "SELECT count(*) FROM test_runs"), 2000);
	ck_assert_int_eq(testdb_super_long(&T, "SELECT count(DISTINCT job_id) FROM test_runs"), 2000);
	/* no job needed a second attempt: nothing was claimed twice */
	ck_assert_int_eq(testdb_super_long(&T, "SELECT count(*) FROM jobs WHERE attempt <> 1"), 0);
}
END_TEST

START_TEST(killed_worker_job_is_rescued_and_completed_once)
{
	enqueue_n("slow", 1, NULL);
	pid_t kid = fork();
	if (kid == 0) {
		struct queue_worker *w = start_worker("slow", h_slow_first, 1, 2, 100);
		sleep(120);
		(void)w;
		_exit(0);
	}
	ck_assert_int_eq(wait_count("SELECT count(*) FROM jobs WHERE kind = 'slow' AND state = 'running'", 1, 30), 1);
	usleep(300 * 1000); /* inside the handler's open transaction */
	kill(kid, SIGKILL);
	waitpid(kid, NULL, 0);
	struct queue_worker *w = start_worker("slow", h_slow_first, 1, 2, 100);
	ck_assert_int_eq(wait_count("SELECT count(*) FROM jobs WHERE kind = 'slow' AND state = 'completed'", 1, 30), 1);
	queue_worker_stop(w, 1000);
	queue_worker_free(w);
	ck_assert_int_eq(testdb_super_long(&T, "SELECT attempt FROM jobs WHERE kind = 'slow'"), 2);
	ck_assert_int_eq(testdb_super_long(&T, "SELECT count(*) FROM test_runs"), 1); /* the killed attempt never committed */
	ck_assert_int_eq(testdb_super_long(&T, "SELECT count(*) FROM jobs WHERE kind = 'slow'"
					       " AND errors->0->>'error' = 'lease expired'"),
			 1);
}
END_TEST

START_TEST(failing_job_retries_with_growing_delays_then_discards)
{
	enqueue_n("flaky", 1, &(struct queue_opts){.max_attempts = 4});
	struct queue_worker *w = start_worker("flaky", h_fail, 1, 30, 300);
	ck_assert_int_eq(wait_count("SELECT count(*) FROM jobs WHERE kind = 'flaky' AND state = 'discarded'", 1, 30), 1);
	queue_worker_stop(w, 1000);
	queue_worker_free(w);
	ck_assert_int_eq(testdb_super_long(&T, "SELECT jsonb_array_length(errors) FROM jobs WHERE kind = 'flaky'"), 4);
	ck_assert_int_eq(testdb_super_long(&T, "SELECT count(*) FROM jobs WHERE kind = 'flaky'"
					       " AND last_error = 'upstream: provider said 503' AND finished_at IS NOT NULL"),
			 1);
	/* gaps between attempts grow: 300 ms, 600 ms, 1200 ms (±25 % jitter) */
	long grows = testdb_super_long(&T,
		"WITH e AS (SELECT (x->>'at')::timestamptz AS at, row_number() OVER () AS i"
		"            FROM jobs, jsonb_array_elements(errors) x WHERE kind = 'flaky'),"
		" g AS (SELECT i, extract(epoch FROM at - lag(at) OVER (ORDER BY i)) AS gap FROM e)"
		" SELECT count(*) FROM (SELECT gap, lag(gap) OVER (ORDER BY i) AS prev FROM g WHERE gap IS NOT NULL) q"
		" WHERE prev IS NOT NULL AND gap > prev AND gap >= 0.2");
	ck_assert_int_eq(grows, 2);
}
END_TEST

START_TEST(unique_key_keeps_one_unfinished_job)
{
	struct queue_opts o = {.unique_key = "publish:period-42"};
	struct db *db;
	struct errinfo ei = {0};
	int64_t first = 0, second = -1;
	ck_assert_int_eq(db_connect(T.app, &db, &ei), ERR_OK);
	ck_assert_int_eq(db_begin(db, &(struct db_ctx){0}, &ei), ERR_OK);
	ck_assert_int_eq(queue_enqueue(db, "uniq", NULL, &o, &first, &ei), ERR_OK);
	ck_assert_int_eq(db_commit(db, &ei), ERR_OK);
	ck_assert_int_eq(db_begin(db, &(struct db_ctx){0}, &ei), ERR_OK);
	ck_assert_int_eq(queue_enqueue(db, "uniq", NULL, &o, &second, &ei), ERR_OK);
	ck_assert_int_eq(db_commit(db, &ei), ERR_OK);
	ck_assert_int_gt(first, 0);
	ck_assert_int_eq(second, 0);
	ck_assert_int_eq(testdb_super_long(&T, "SELECT count(*) FROM jobs WHERE kind = 'uniq'"), 1);
	/* once finished, the key is free again */
	struct queue_worker *w = start_worker("uniq", h_record, 1, 30, 100);
	ck_assert_int_eq(wait_count("SELECT count(*) FROM jobs WHERE kind = 'uniq' AND state = 'completed'", 1, 30), 1);
	queue_worker_stop(w, 1000);
	queue_worker_free(w);
	ck_assert_int_eq(db_begin(db, &(struct db_ctx){0}, &ei), ERR_OK);
	ck_assert_int_eq(queue_enqueue(db, "uniq", NULL, &o, &second, &ei), ERR_OK);
	ck_assert_int_eq(db_commit(db, &ei), ERR_OK);
	ck_assert_int_gt(second, first);
	db_close(db);
}
END_TEST

START_TEST(late_worker_cannot_complete_a_rescued_job)
{
	enqueue_n("guard", 1, NULL);
	struct db *db;
	struct errinfo ei = {0};
	ck_assert_int_eq(db_connect(T.app, &db, &ei), ERR_OK);
	struct arena *a = arena_new(0);
	struct db_res *r;
	ck_assert_int_eq(DB_EXEC0(db, a, &r, &ei, "SELECT * FROM queue_claim('w1', '{guard}', 1, 30)"), ERR_OK);
	ck_assert_int_eq(db_res_rows(r), 1);
	const char *id = arena_strdup(a, db_res_val(r, 0, "id")), *token = arena_strdup(a, db_res_val(r, 0, "lease_token"));
	ck_assert_int_eq(testdb_super_exec(&T, "UPDATE jobs SET locked_until = now() - interval '1 s' WHERE kind = 'guard'"), 0);
	ck_assert_int_eq(DB_EXEC0(db, a, &r, &ei, "SELECT queue_rescue() AS n"), ERR_OK);
	ck_assert_int_eq(db_res_ll(r, 0, "n", 0), 1);
	ck_assert_int_eq(DB_EXEC(db, a, &r, &ei, "SELECT queue_complete($1::bigint, $2::uuid) AS ok", id, token), ERR_OK);
	ck_assert(!db_res_bool(r, 0, "ok"));
	ck_assert_int_eq(testdb_super_long(&T, "SELECT count(*) FROM jobs WHERE kind = 'guard' AND state = 'retryable'"), 1);
	arena_free(a);
	db_close(db);
}
END_TEST

START_TEST(cron_slot_fires_once_across_workers)
{
	struct queue_worker *w[3];
	struct errinfo ei = {0};
	for (int i = 0; i < 3; i++) {
		struct queue_worker_config cfg = {.conninfo = T.app, .concurrency = 1, .poll_ms = 20};
		ck_assert_int_eq(queue_worker_new(&cfg, &w[i], &ei), ERR_OK);
		queue_worker_handle(w[i], "tick", h_record);
		queue_worker_cron(w[i], "tick-every-second", 1, "tick", "{}");
		ck_assert_int_eq(queue_worker_start(w[i], &ei), ERR_OK);
	}
	sleep(3);
	for (int i = 0; i < 3; i++) {
		queue_worker_stop(w[i], 1000);
		queue_worker_free(w[i]);
	}
	long slots = testdb_super_long(&T, "SELECT count(*) FROM cron_slots WHERE name = 'tick-every-second'");
	ck_assert_int_ge(slots, 2);
	ck_assert_int_eq(testdb_super_long(&T, "SELECT count(*) FROM jobs WHERE kind = 'tick'"), slots);
}
END_TEST

START_TEST(backoff_grows_and_is_capped)
{
	for (int i = 0; i < 50; i++) {
		int64_t d1 = queue_backoff_ms(1000, 1), d2 = queue_backoff_ms(1000, 2), d30 = queue_backoff_ms(1000, 30);
		ck_assert(d1 >= 750 && d1 <= 1250);
		ck_assert(d2 >= 1500 && d2 <= 2500);
		ck_assert(d30 <= 3600 * 1250);
	}
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("queue");
	TCase *tc = tcase_create("queue");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_set_timeout(tc, 150);
	tcase_add_test(tc, four_workers_run_2000_jobs_exactly_once);
	tcase_add_test(tc, killed_worker_job_is_rescued_and_completed_once);
	tcase_add_test(tc, failing_job_retries_with_growing_delays_then_discards);
	tcase_add_test(tc, unique_key_keeps_one_unfinished_job);
	tcase_add_test(tc, late_worker_cannot_complete_a_rescued_job);
	tcase_add_test(tc, cron_slot_fires_once_across_workers);
	tcase_add_test(tc, backoff_grows_and_is_capped);
	suite_add_tcase(s, tc);
	return s;
}
