/* queue.h — the durable job queue in PostgreSQL (table jobs, migration 0001).
 * Enqueue inside the caller's transaction so a job exists iff the business change
 * committed. Workers claim with FOR UPDATE SKIP LOCKED, wake on LISTEN radsched_jobs
 * (poll fallback), extend their lease by heartbeat, and complete/fail guarded by the
 * lease token, so a worker whose job was rescued after its lease ran out cannot
 * overwrite the rescued job. Failures retry with exponential backoff and jitter until
 * max_attempts, then the job is `discarded` with its last error kept. */
#ifndef RS_QUEUE_QUEUE_H
#define RS_QUEUE_QUEUE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "db/db.h"

struct queue_opts {
	const char *unique_key; /* NULL: none; else a second enqueue while unfinished is a no-op */
	int priority;           /* higher first */
	int64_t delay_ms;       /* run_at = now + delay */
	int max_attempts;       /* 0 = default 20 */
};

/* Enqueue kind/payload_json in db's current transaction (tenant from its context).
 * *job_id = 0 when the unique key already has an unfinished job. job_id may be NULL. */
enum err queue_enqueue(struct db *db, const char *kind, const char *payload_json, const struct queue_opts *opts,
		       int64_t *job_id, struct errinfo *ei) RS_MUST_CHECK;

/* What a handler gets. It runs its own transactions with db_with_tx(job->pool, &job->ctx, …),
 * job->ctx carrying the job's tenant and actor SYSTEM. */
struct queue_job {
	int64_t id;
	const char *kind;
	const char *payload;   /* JSON text */
	const char *tenant_id; /* NULL for platform jobs */
	int attempt, max_attempts;
	struct db_pool *pool;
	struct db_ctx ctx;
	struct arena *arena;   /* freed after the handler returns */
	volatile int *stopping; /* set when the worker is shutting down: long handlers may stop early */
	struct errinfo err;    /* handler's error detail (kept as last_error) */
	void *app;             /* the application context given to queue_worker_new */
};

/* A handler returns ERR_OK (completed), ERR_UPSTREAM_PERM / ERR_INVALID (discard now),
 * anything else (retry with backoff). */
typedef enum err (*queue_handler_fn)(struct queue_job *job);

struct queue_worker_config {
	const char *conninfo;     /* runtime role */
	int concurrency;          /* worker threads */
	int lease_seconds;        /* default 30; heartbeat every lease/3 */
	int poll_ms;              /* fallback poll, default 1000 */
	int backoff_base_ms;      /* first retry delay, default 1000; doubles each attempt, ±25% jitter, max 1 h */
	const char *worker_id;    /* default host:pid */
	void *app;
};

struct queue_worker;

enum err queue_worker_new(const struct queue_worker_config *cfg, struct queue_worker **out, struct errinfo *ei) RS_MUST_CHECK;
/* Register before start. Unknown kinds are left for other workers. */
void queue_worker_handle(struct queue_worker *w, const char *kind, queue_handler_fn fn);
/* A cron entry: every interval_seconds (slots aligned to the epoch), enqueue kind with payload,
 * exactly once per slot across all workers. */
void queue_worker_cron(struct queue_worker *w, const char *name, int interval_seconds, const char *kind,
		       const char *payload_json);
enum err queue_worker_start(struct queue_worker *w, struct errinfo *ei) RS_MUST_CHECK;
/* Graceful: stop claiming; running jobs get grace_ms to finish, then are released. */
void queue_worker_stop(struct queue_worker *w, int grace_ms);
void queue_worker_free(struct queue_worker *w);
/* Exponential backoff with jitter for attempt n (1-based). Exposed for tests. */
int64_t queue_backoff_ms(int base_ms, int attempt);

#endif
