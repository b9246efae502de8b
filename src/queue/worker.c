#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/ids.h"
#include "base/log.h"
#include "base/metrics.h"
#include "queue/queue.h"

#define MAX_HANDLERS 64
#define MAX_CRONS 32
#define MAX_THREADS 64

struct handler {
	char kind[48];
	queue_handler_fn fn;
};

struct cron_entry {
	char name[64], kind[48];
	char *payload;
	int interval;
};

struct slot { /* what one worker thread is running, for heartbeats and release */
	int64_t id;
	char token[37];
	int busy;
};

struct thread_arg {
	struct queue_worker *w;
	int index;
};

struct queue_worker {
	struct queue_worker_config cfg;
	char worker_id[128];
	struct handler handlers[MAX_HANDLERS];
	int nhandlers;
	struct cron_entry crons[MAX_CRONS];
	int ncrons;
	char kinds[MAX_HANDLERS * 50 + 4]; /* text[] literal of handled kinds */
	struct db_pool *pool;
	pthread_t threads[MAX_THREADS], listener, maint;
	struct thread_arg args[MAX_THREADS];
	struct slot slots[MAX_THREADS];
	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned long wake_seq;
	volatile int stopping;
	int started;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int64_t queue_backoff_ms(int base_ms, int attempt)
{
	if (base_ms <= 0)
		base_ms = 1000;
	double d = base_ms;
	for (int i = 1; i < attempt && d < 3600e3; i++)
		d *= 2;
	if (d > 3600e3)
		d = 3600e3;
	unsigned r;
	ids_random_bytes(&r, sizeof r);
	double jitter = 0.75 + 0.5 * (r / 4294967295.0);
	return (int64_t)(d * jitter);
}

enum err queue_worker_new(const struct queue_worker_config *cfg, struct queue_worker **out, struct errinfo *ei)
{
	struct queue_worker *w = xcalloc(1, sizeof *w);
	w->cfg = *cfg;
	if (w->cfg.concurrency < 1)
		w->cfg.concurrency = 1;
	if (w->cfg.concurrency > MAX_THREADS)
		return free(w), err_set(ei, ERR_INVALID, "--concurrency", "concurrency must be 1..%d", MAX_THREADS);
	if (w->cfg.lease_seconds <= 0)
		w->cfg.lease_seconds = 30;
	if (w->cfg.poll_ms <= 0)
		w->cfg.poll_ms = 1000;
	if (w->cfg.backoff_base_ms <= 0)
		w->cfg.backoff_base_ms = 1000;
	if (cfg->worker_id && *cfg->worker_id) {
		snprintf(w->worker_id, sizeof w->worker_id, "%s", cfg->worker_id);
	} else {
		char host[64] = "host", rnd[9];
		gethostname(host, sizeof host - 1);
		ids_hex(rnd, 4);
		snprintf(w->worker_id, sizeof w->worker_id, "%s:%d:%s", host, (int)getpid(), rnd);
	}
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	metrics_declare("radsched_job_duration_seconds", METRIC_HISTOGRAM, "Job run time by kind and outcome.");
	*out = w;
	return ERR_OK;
}

void queue_worker_handle(struct queue_worker *w, const char *kind, queue_handler_fn fn)
{
	if (w->nhandlers == MAX_HANDLERS || strlen(kind) >= sizeof w->handlers[0].kind)
		abort(); /* programming error */
	snprintf(w->handlers[w->nhandlers].kind, sizeof w->handlers[0].kind, "%s", kind);
	w->handlers[w->nhandlers++].fn = fn;
}

void queue_worker_cron(struct queue_worker *w, const char *name, int interval_seconds, const char *kind,
		       const char *payload_json)
{
	if (w->ncrons == MAX_CRONS || interval_seconds < 1)
		abort();
	struct cron_entry *c = &w->crons[w->ncrons++];
	snprintf(c->name, sizeof c->name, "%s", name);
	snprintf(c->kind, sizeof c->kind, "%s", kind);
	c->payload = xstrdup(payload_json ? payload_json : "{}");
	c->interval = interval_seconds;
}

static queue_handler_fn find_handler(struct queue_worker *w, const char *kind)
{
	for (int i = 0; i < w->nhandlers; i++)
		if (!strcmp(w->handlers[i].kind, kind))
			return w->handlers[i].fn;
	return NULL;
}

static void wake_all(struct queue_worker *w)
{
	pthread_mutex_lock(&w->mu);
	w->wake_seq++;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

static void wait_for_work(struct queue_worker *w, unsigned long seen)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += w->cfg.poll_ms / 1000;
	ts.tv_nsec += (long)(w->cfg.poll_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&w->mu);
	while (!w->stopping && w->wake_seq == seen)
		if (pthread_cond_timedwait(&w->cv, &w->mu, &ts))
			break;
	pthread_mutex_unlock(&w->mu);
}

/* traceparent "00-<32>-<16>-<2>": continue the trace with a new span */
static void set_trace(const char *tp)
{
	struct log_ctx *lc = log_ctx_get();
	if (tp && strlen(tp) == 55 && tp[2] == '-' && tp[35] == '-')
		snprintf(lc->trace_id, sizeof lc->trace_id, "%.32s", tp + 3);
	else
		ids_hex(lc->trace_id, 16);
	ids_hex(lc->span_id, 8);
}

static void run_job(struct queue_worker *w, struct db *db, struct db_res *r, int slot_index)
{
	struct queue_job job = {0};
	job.arena = arena_new(0);
	job.id = db_res_ll(r, 0, "id", 0);
	job.kind = arena_strdup(job.arena, db_res_val(r, 0, "kind"));
	job.payload = arena_strdup(job.arena, db_res_val(r, 0, "payload"));
	job.tenant_id = arena_strdup(job.arena, db_res_val(r, 0, "tenant_id"));
	job.attempt = (int)db_res_ll(r, 0, "attempt", 1);
	job.max_attempts = (int)db_res_ll(r, 0, "max_attempts", 20);
	job.pool = w->pool;
	job.ctx = (struct db_ctx){.tenant_id = job.tenant_id, .actor = DB_ACTOR_SYSTEM,
				  .request_id = arena_strdup(job.arena, db_res_val(r, 0, "request_id"))};
	job.stopping = &w->stopping;
	job.app = w->cfg.app;
	const char *token = arena_strdup(job.arena, db_res_val(r, 0, "lease_token"));
	char idtxt[32];
	snprintf(idtxt, sizeof idtxt, "%lld", (long long)job.id);

	pthread_mutex_lock(&w->mu);
	w->slots[slot_index] = (struct slot){.id = job.id, .busy = 1};
	snprintf(w->slots[slot_index].token, sizeof w->slots[slot_index].token, "%s", token);
	pthread_mutex_unlock(&w->mu);

	struct log_ctx *lc = log_ctx_get();
	log_ctx_clear();
	set_trace(db_res_val(r, 0, "traceparent"));
	snprintf(lc->job_id, sizeof lc->job_id, "%s", idtxt);
	snprintf(lc->job_kind, sizeof lc->job_kind, "%s", job.kind);
	snprintf(lc->tenant_id, sizeof lc->tenant_id, "%s", job.tenant_id ? job.tenant_id : "");
	if (job.ctx.request_id)
		snprintf(lc->request_id, sizeof lc->request_id, "%s", job.ctx.request_id);
	lc->attempt = job.attempt;

	double t0 = now_s();
	queue_handler_fn fn = find_handler(w, job.kind);
	enum err e = fn ? fn(&job) : err_set(&job.err, ERR_INTERNAL, "", "no handler for job kind %s", job.kind);
	double dt = now_s() - t0;

	struct errinfo ei = {0};
	const char *outcome;
	struct arena *a = arena_new(0);
	struct db_res *res;
	if (e == ERR_OK) {
		enum err ce = DB_EXEC(db, a, &res, &ei, "SELECT queue_complete($1::bigint, $2::uuid) AS ok", idtxt, token);
		if (ce)
			log_kv(LOG_ERROR, "job completion not recorded", "error", ei.message, NULL);
		else if (!db_res_bool(res, 0, "ok"))
			log_warn("job finished after its lease was lost; the rescued job keeps its state");
		outcome = "completed";
	} else {
		int permanent = e == ERR_UPSTREAM_PERM || e == ERR_INVALID;
		char delay[32], msg[700];
		snprintf(delay, sizeof delay, "%lld", (long long)queue_backoff_ms(w->cfg.backoff_base_ms, job.attempt));
		snprintf(msg, sizeof msg, "%s: %s", err_name(e), job.err.message[0] ? job.err.message : "(no detail)");
		enum err fe = DB_EXEC(db, a, &res, &ei, "SELECT queue_fail($1::bigint, $2::uuid, $3, $4::bigint, $5::boolean) AS state",
				      idtxt, token, msg, delay, permanent ? "true" : "false");
		const char *st = fe ? NULL : db_res_val(res, 0, "state");
		outcome = st && !strcmp(st, "discarded") ? "discarded" : "failed";
		log_kv(LOG_WARN, "job failed", "error", msg, "next", st ? st : "lease lost", "retry_in_ms",
		       st && !strcmp(st, "retryable") ? delay : "", NULL);
	}
	char kind_esc[100], labels[200];
	metrics_label_escape(kind_esc, sizeof kind_esc, job.kind);
	snprintf(labels, sizeof labels, "kind=\"%s\",outcome=\"%s\"", kind_esc, outcome);
	metrics_observe("radsched_job_duration_seconds", labels, dt);
	arena_free(a);

	pthread_mutex_lock(&w->mu);
	w->slots[slot_index].busy = 0;
	pthread_mutex_unlock(&w->mu);
	log_ctx_clear();
	arena_free(job.arena);
}

static void *worker_main(void *p)
{
	struct thread_arg *ta = p;
	struct queue_worker *w = ta->w;
	struct db *db = NULL;
	char lease[16];
	snprintf(lease, sizeof lease, "%d", w->cfg.lease_seconds);
	while (!w->stopping) {
		if (!db || !db_ok(db)) {
			struct errinfo ei = {0};
			db_close(db);
			db = NULL;
			if (db_connect(w->cfg.conninfo, &db, &ei)) {
				log_warn("worker cannot reach the database: %s", ei.message);
				wait_for_work(w, w->wake_seq);
				continue;
			}
		}
		pthread_mutex_lock(&w->mu);
		unsigned long seen = w->wake_seq;
		pthread_mutex_unlock(&w->mu);
		struct arena *a = arena_new(0);
		struct db_res *r = NULL;
		struct errinfo ei = {0};
		enum err e = DB_EXEC(db, a, &r, &ei, "SELECT * FROM queue_claim($1, $2::text[], 1, $3::int)", w->worker_id,
				     w->kinds, lease);
		if (e)
			log_warn("job claim failed: %s", ei.message);
		if (!e && db_res_rows(r) == 1)
			run_job(w, db, r, ta->index);
		else
			wait_for_work(w, seen);
		arena_free(a);
	}
	db_close(db);
	return NULL;
}

static void *listener_main(void *p)
{
	struct queue_worker *w = p;
	struct db *db = NULL;
	while (!w->stopping) {
		struct errinfo ei = {0};
		if (!db || !db_ok(db)) {
			db_close(db);
			db = NULL;
			if (db_connect(w->cfg.conninfo, &db, &ei) || db_exec_script(db, "LISTEN radsched_jobs", &ei)) {
				usleep(500 * 1000);
				continue;
			}
		}
		bool got = false;
		if (db_wait_notify(db, 250, &got, NULL, 0, &ei)) {
			db_close(db);
			db = NULL;
			continue;
		}
		if (got)
			wake_all(w);
	}
	db_close(db);
	return NULL;
}

static void fire_crons(struct queue_worker *w, struct db *db, struct arena *a)
{
	time_t now = time(NULL);
	for (int i = 0; i < w->ncrons; i++) {
		struct cron_entry *c = &w->crons[i];
		char slot[32];
		snprintf(slot, sizeof slot, "%lld", (long long)(now - now % c->interval));
		struct errinfo ei = {0};
		if (DB_EXEC(db, a, NULL, &ei, "SELECT queue_cron_fire($1, to_timestamp($2::bigint), $3, $4::jsonb)", c->name,
			    slot, c->kind, c->payload))
			log_warn("cron %s not fired: %s", c->name, ei.message);
	}
}

/* heartbeats, lease extension, rescue of dead workers' jobs, cron */
static void *maint_main(void *p)
{
	struct queue_worker *w = p;
	struct db *db = NULL;
	double last_beat = 0, last_rescue = 0, last_cron = 0;
	char host[64] = "host", pid[16], conc[16], lease[16];
	gethostname(host, sizeof host - 1);
	snprintf(pid, sizeof pid, "%d", (int)getpid());
	snprintf(conc, sizeof conc, "%d", w->cfg.concurrency);
	snprintf(lease, sizeof lease, "%d", w->cfg.lease_seconds);
	while (!w->stopping) {
		struct errinfo ei = {0};
		if (!db || !db_ok(db)) {
			db_close(db);
			db = NULL;
			if (db_connect(w->cfg.conninfo, &db, &ei)) {
				usleep(500 * 1000);
				continue;
			}
		}
		struct arena *a = arena_new(0);
		double t = now_s();
		if (t - last_beat >= w->cfg.lease_seconds / 3.0) {
			last_beat = t;
			RS_IGNORE(DB_EXEC(db, a, NULL, &ei, "SELECT worker_heartbeat($1, $2, $3::int, $4::int)", w->worker_id,
					  host, pid, conc)); /* a missed beat only delays readiness */
			struct slot snap[MAX_THREADS];
			pthread_mutex_lock(&w->mu);
			memcpy(snap, w->slots, sizeof snap);
			pthread_mutex_unlock(&w->mu);
			for (int i = 0; i < w->cfg.concurrency; i++) {
				if (!snap[i].busy)
					continue;
				char id[32];
				snprintf(id, sizeof id, "%lld", (long long)snap[i].id);
				RS_IGNORE(DB_EXEC(db, a, NULL, &ei, "SELECT queue_heartbeat($1::bigint, $2::uuid, $3::int)", id,
						  snap[i].token, lease)); /* lease loss is detected at completion */
			}
		}
		if (t - last_rescue >= 2.0) {
			last_rescue = t;
			struct db_res *r;
			if (DB_EXEC0(db, a, &r, &ei, "SELECT queue_rescue() AS n") == ERR_OK && db_res_ll(r, 0, "n", 0) > 0) {
				log_kv(LOG_WARN, "rescued jobs whose worker stopped heartbeating", "count", db_res_val(r, 0, "n"), NULL);
				wake_all(w);
			}
		}
		if (w->ncrons && t - last_cron >= 1.0) {
			last_cron = t;
			fire_crons(w, db, a);
		}
		arena_free(a);
		usleep(200 * 1000);
	}
	db_close(db);
	return NULL;
}

enum err queue_worker_start(struct queue_worker *w, struct errinfo *ei)
{
	size_t o = 0;
	o += (size_t)snprintf(w->kinds + o, sizeof w->kinds - o, "{");
	for (int i = 0; i < w->nhandlers; i++)
		o += (size_t)snprintf(w->kinds + o, sizeof w->kinds - o, "%s%s", i ? "," : "", w->handlers[i].kind);
	snprintf(w->kinds + o, sizeof w->kinds - o, "}");
	enum err e = db_pool_new(w->cfg.conninfo, w->cfg.concurrency + 1, &w->pool, ei);
	if (e)
		return e;
	for (int i = 0; i < w->cfg.concurrency; i++) {
		w->args[i] = (struct thread_arg){.w = w, .index = i};
		pthread_create(&w->threads[i], NULL, worker_main, &w->args[i]);
	}
	pthread_create(&w->listener, NULL, listener_main, w);
	pthread_create(&w->maint, NULL, maint_main, w);
	w->started = 1;
	log_kv(LOG_INFO, "worker started", "worker", w->worker_id, NULL);
	return ERR_OK;
}

void queue_worker_stop(struct queue_worker *w, int grace_ms)
{
	if (!w->started)
		return;
	w->stopping = 1;
	wake_all(w);
	double deadline = now_s() + grace_ms / 1000.0;
	for (;;) {
		int busy = 0;
		pthread_mutex_lock(&w->mu);
		for (int i = 0; i < w->cfg.concurrency; i++)
			busy += w->slots[i].busy;
		pthread_mutex_unlock(&w->mu);
		if (!busy || now_s() >= deadline)
			break;
		usleep(20 * 1000);
	}
	/* jobs still running past the grace period go back to the queue for another worker */
	struct db *db;
	struct errinfo ei = {0};
	if (db_connect(w->cfg.conninfo, &db, &ei) == ERR_OK) {
		struct arena *a = arena_new(0);
		pthread_mutex_lock(&w->mu);
		for (int i = 0; i < w->cfg.concurrency; i++) {
			if (!w->slots[i].busy)
				continue;
			char id[32];
			snprintf(id, sizeof id, "%lld", (long long)w->slots[i].id);
			RS_IGNORE(DB_EXEC(db, a, NULL, &ei, "SELECT queue_release($1::bigint, $2::uuid)", id, w->slots[i].token));
			log_kv(LOG_WARN, "job released at shutdown", "job_id", id, NULL);
		}
		pthread_mutex_unlock(&w->mu);
		arena_free(a);
		db_close(db);
	}
	for (int i = 0; i < w->cfg.concurrency; i++)
		pthread_join(w->threads[i], NULL);
	pthread_join(w->listener, NULL);
	pthread_join(w->maint, NULL);
	w->started = 0;
	log_kv(LOG_INFO, "worker stopped", "worker", w->worker_id, NULL);
}

void queue_worker_free(struct queue_worker *w)
{
	if (!w)
		return;
	for (int i = 0; i < w->ncrons; i++)
		free(w->crons[i].payload);
	db_pool_free(w->pool);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w);
}
