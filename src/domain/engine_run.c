/* engine_run.c — engine runs as jobs: start, watch, cancel, the worker's handler, and the
 * draft writer shared with the demo seed (see engine_run.h). */
#include "domain/engine_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "base/metrics.h"
#include "domain/dates.h"
#include "domain/dbjson.h"
#include "engine/engine_solve.h"
#include "queue/queue.h"

#define M_SOLVE "radsched_engine_solve_seconds"
#define M_RATIO "radsched_engine_constraints_satisfied_ratio"
#define M_RUNS "radsched_engine_runs_total"
#define PROGRESS_MAX 200
#define SEED_MAX ((uint64_t)1 << 53) /* seeds stay exact in JSON numbers */

#define RUN_JSON                                                                                                 \
	"jsonb_build_object('id', r.id, 'periodId', r.period_id, 'status', r.status,"                              \
	" 'cancelRequested', r.cancel_requested, 'seed', r.seed, 'timeLimitSeconds', (r.time_limit_ms / 1000.0)::float8," \
	" 'parameters', r.parameters, 'configVersion', r.config_number, 'requestedBy', r.requested_by,"            \
	" 'createdAt', api_instant(r.created_at), 'startedAt', api_instant(r.started_at),"                          \
	" 'finishedAt', api_instant(r.finished_at), 'timings', r.timings, 'objective', r.objective,"                \
	" 'objectiveTerms', r.objective_terms, 'hardViolations', r.hard_violations,"                                \
	" 'constraintsSatisfied', (SELECT jsonb_object_agg(x.k, x.v -> 'satisfiedPct') FROM jsonb_each(r.constraints) x(k, v)),"\
	" 'constraints', r.constraints, 'progress', r.progress, 'diagnostics', r.diagnostics,"                     \
	" 'assignmentCount', r.assignment_count)"

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void metrics_once(void)
{
	metrics_declare(M_SOLVE, METRIC_HISTOGRAM, "Scheduling engine solve time by kind (run, dry_run, seed).");
	metrics_declare(M_RATIO, METRIC_GAUGE,
			"Share of rule instances the latest engine run satisfies, by rule family (1 = all).");
	metrics_declare(M_RUNS, METRIC_COUNTER, "Engine runs finished, by status.");
}

/* ---- runs: start, get, list, cancel ---------------------------------------------------------- */

static uint64_t seed_of(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h % SEED_MAX;
}

enum err engine_run_get(struct db *db, struct arena *a, const char *id, json_t **out, struct errinfo *ei)
{
	return DBJSON_ONE(db, a, out, ei, "engine run", "SELECT " RUN_JSON " AS j FROM engine_runs r WHERE r.id = $1::uuid",
			  id);
}

enum err engine_run_list(struct db *db, struct arena *a, const char *period_id, int limit, json_t **out,
			 struct errinfo *ei)
{
	*out = NULL;
	struct db_res *r;
	enum err e = DB_EXEC(db, a, &r, ei, "SELECT 1 FROM periods WHERE id = $1::uuid", period_id);
	if (e || db_res_rows(r) != 1)
		return e ? e : err_set(ei, ERR_NOT_FOUND, "id", "period not found");
	return DBJSON_ONE(db, a, out, ei, "engine runs",
			  "SELECT coalesce(jsonb_agg(j ORDER BY c DESC, id DESC), '[]'::jsonb) AS j FROM (SELECT " RUN_JSON
			  " AS j, r.created_at AS c, r.id FROM engine_runs r WHERE r.period_id = $1::uuid"
			  " ORDER BY r.created_at DESC, r.id DESC LIMIT $2::int) x",
			  period_id, arena_sprintf(a, "%d", limit));
}

enum err engine_run_start(struct db *db, struct arena *a, const struct engine_run_in *in, json_t **out,
			  struct errinfo *ei)
{
	*out = NULL;
	int ms = in->time_limit_ms ? in->time_limit_ms : ENGINE_RUN_DEFAULT_MS;
	if (ms < 100 || ms > ENGINE_RUN_MAX_MS)
		return err_set(ei, ERR_INVALID, "/timeLimitSeconds", "the time limit must be between 0.1 and %d seconds",
			       ENGINE_RUN_MAX_MS / 1000);
	int threads = in->threads ? in->threads : 1;
	if (threads < 1 || threads > 4)
		return err_set(ei, ERR_INVALID, "/threads", "threads must be between 1 and 4");
	if (in->seed_set && in->seed >= SEED_MAX)
		return err_set(ei, ERR_INVALID, "/seed", "the seed must be between 0 and 2^53-1");
	struct db_res *r;
	/* the period row serialises starts of the same period */
	enum err e = DB_EXEC(db, a, &r, ei, "SELECT id FROM periods WHERE id = $1::uuid FOR NO KEY UPDATE", in->period_id);
	if (e || db_res_rows(r) != 1)
		return e ? e : err_set(ei, ERR_NOT_FOUND, "id", "period not found");
	int number = 0;
	e = DB_EXEC0(db, a, &r, ei, "SELECT config_version FROM tenants WHERE id = app_tenant()");
	if (!e && db_res_rows(r) == 1)
		number = (int)db_res_ll(r, 0, "config_version", 0);
	if (e)
		return e;
	if (number <= 0)
		return err_set(ei, ERR_CONFLICT, "", "the department has no configuration yet: save one first");
	/* a run whose job ended without finishing it (its worker died for good) is failed now */
	e = DB_EXEC(db, a, NULL, ei,
		    "UPDATE engine_runs r SET status = 'failed', finished_at = now(),"
		    " diagnostics = r.diagnostics || jsonb_build_object('error', 'its job ended without finishing the run')"
		    " WHERE r.period_id = $1::uuid AND r.status IN ('queued', 'running') AND NOT EXISTS (SELECT 1 FROM jobs j"
		    " WHERE j.id = r.job_id AND j.state IN ('available', 'running', 'retryable'))",
		    in->period_id);
	if (!e)
		e = DB_EXEC(db, a, &r, ei,
			    "SELECT id, status FROM engine_runs WHERE period_id = $1::uuid AND status IN ('queued', 'running')",
			    in->period_id);
	if (e)
		return e;
	if (db_res_rows(r) > 0)
		return err_set(ei, ERR_CONFLICT, "", "run %s of this period is still %s: watch it or cancel it first",
			       db_res_val(r, 0, "id"), db_res_val(r, 0, "status"));
	uint64_t seed = in->seed_set ? in->seed : seed_of(in->period_id);
	char params[64];
	snprintf(params, sizeof params, "{\"threads\": %d}", threads);
	e = DB_EXEC(db, a, &r, ei,
		    "INSERT INTO engine_runs (tenant_id, period_id, seed, time_limit_ms, parameters, config_number, requested_by)"
		    " VALUES (app_tenant(), $1::uuid, $2::bigint, $3::int, $4::jsonb, $5::int, app_user()) RETURNING id",
		    in->period_id, arena_sprintf(a, "%llu", (unsigned long long)seed), arena_sprintf(a, "%d", ms), params,
		    arena_sprintf(a, "%d", number));
	if (e == ERR_CONFLICT)
		return err_set(ei, ERR_CONFLICT, "", "another run of this period has just been started");
	if (e)
		return e;
	const char *id = arena_strdup(a, db_res_val(r, 0, "id"));
	int64_t job = 0;
	char *payload = arena_sprintf(a, "{\"runId\":\"%s\"}", id);
	struct queue_opts qo = {.max_attempts = 1, .priority = 1};
	if ((e = queue_enqueue(db, ENGINE_RUN_JOB, payload, &qo, &job, ei)))
		return e;
	e = DB_EXEC(db, a, NULL, ei, "UPDATE engine_runs SET job_id = $2::bigint WHERE id = $1::uuid", id,
		    arena_sprintf(a, "%lld", (long long)job));
	return e ? e : engine_run_get(db, a, id, out, ei);
}

enum err engine_run_cancel(struct db *db, struct arena *a, const char *id, json_t **out, struct errinfo *ei)
{
	*out = NULL;
	struct db_res *r;
	enum err e = DB_EXEC(db, a, &r, ei, "SELECT status FROM engine_runs WHERE id = $1::uuid FOR UPDATE", id);
	if (e || db_res_rows(r) != 1)
		return e ? e : err_set(ei, ERR_NOT_FOUND, "id", "engine run not found");
	const char *st = db_res_val(r, 0, "status");
	if (strcmp(st, "queued") && strcmp(st, "running"))
		return err_set(ei, ERR_CONFLICT, "/status", "the run has already finished (%s)", st);
	e = DB_EXEC(db, a, NULL, ei,
		    "UPDATE engine_runs SET cancel_requested = true,"
		    " status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END,"
		    " finished_at = CASE WHEN status = 'queued' THEN now() ELSE finished_at END,"
		    " diagnostics = CASE WHEN status = 'queued' THEN diagnostics || '{\"cancelled\": \"before it started\"}'"
		    " ELSE diagnostics END WHERE id = $1::uuid",
		    id);
	return e ? e : engine_run_get(db, a, id, out, ei);
}

/* ---- solving --------------------------------------------------------------------------------- */

struct solve_ctl {
	const struct sched_model *sm;
	double time_limit;
	int64_t work_limit;
	uint64_t seed;
	int threads;
	int max_slices;       /* work limit: slices of work_limit megaticks each (deterministic); 0 = 1 */
	double time_cap;      /* with a work limit: seconds one slice may take at most; 0 = none */
	/* called after each slice with the best so far; false stops the search */
	bool (*tick)(void *arg, double t, const struct solve_ctl *c);
	void *arg;
	/* out */
	struct engine_roster best;
	struct engine_eval eval;
	double elapsed, time_to_best;
	int64_t steps;
	bool have, stopped;
};

static bool better(const struct engine_eval *x, const struct engine_eval *y)
{
	return x->nhard < y->nhard || (x->nhard == y->nhard && x->objective < y->objective);
}

/* Solve in slices with warm start: of the time limit (the last one ends at the limit), or of
 * work_limit megaticks each, at most max_slices of them (deterministic: no clock involved). */
static enum err solve(struct solve_ctl *c, struct arena *a, struct errinfo *ei)
{
	const struct engine_model *m = c->sm->m;
	engine_roster_init(&c->best, m, a);
	double t0 = mono();
	double slice = c->time_limit / 8;
	slice = slice < 0.25 ? 0.25 : slice > 1.0 ? 1.0 : slice;
	for (int k = 0;; k++) {
		double left = c->time_limit - (mono() - t0);
		if (!c->work_limit && left <= 0.02)
			break;
		struct arena *sa = arena_new(0);
		struct engine_solve_opts o = {.seed = c->seed + (uint64_t)k, .threads = c->threads,
					      .start = c->have ? &c->best : NULL};
		if (c->work_limit) {
			o.work_limit = c->work_limit;
			/* a safety cap: the work limit decides (deterministic) unless the machine is
			 * far slower than expected */
			o.time_limit = c->time_cap > 0 ? c->time_cap : 0;
		} else {
			o.time_limit = left < slice * 1.5 ? left : slice;
		}
		struct engine_solve_result res;
		double ts = mono();
		enum err e = engine_solve(m, &o, sa, &res, ei);
		if (e) {
			arena_free(sa);
			return e;
		}
		c->steps += res.steps;
		if (!c->have || better(&res.eval, &c->eval)) {
			engine_roster_copy(&c->best, &res.roster);
			c->eval = res.eval;
			c->time_to_best = ts - t0 + res.time_to_best;
			c->have = true;
		}
		arena_free(sa);
		if (c->tick && !c->tick(c->arg, mono() - t0, c)) {
			c->stopped = true;
			break;
		}
		if (c->work_limit && k + 1 >= (c->max_slices > 0 ? c->max_slices : 1))
			break;
	}
	c->elapsed = mono() - t0;
	return ERR_OK;
}

/* ---- the draft ------------------------------------------------------------------------------- */

static const json_t *shift_json(const json_t *cfg, const char *code)
{
	const json_t *st = json_object_get(cfg, "shiftTypes");
	for (size_t i = 0; i < json_array_size(st); i++) {
		const char *c = json_string_value(json_object_get(json_array_get(st, i), "code"));
		if (c && !strcmp(c, code))
			return json_array_get(st, i);
	}
	return NULL;
}

/* Replace the period's unlocked assignments with the roster's cells (locked ones stay). */
static enum err write_draft(struct db *db, struct arena *a, const struct sched_loaded *l, const struct sched_model *sm,
			    const struct engine_roster *r, int *count, struct errinfo *ei)
{
	struct sched_cell *cells;
	int n = sched_roster_cells(sm, r, a, &cells);
	json_t *rows = json_array(), *defs = json_array();
	for (int i = 0; i < n; i++) {
		char ds[11];
		date_format(cells[i].day, ds);
		json_array_append_new(rows, json_pack("{s:s, s:s, s:s}", "d", ds, "c", sm->base[cells[i].base].code, "u",
						      l->in.people[cells[i].person].id));
	}
	for (int b = 0; b < sm->nbase; b++) {
		const json_t *st = shift_json(l->config, sm->base[b].code);
		bool all_day = !sm->base[b].timed;
		json_t *d = json_pack("{s:s, s:b}", "c", sm->base[b].code, "a", all_day);
		if (!all_day) {
			json_object_set(d, "st", json_object_get(st, "start"));
			json_object_set(d, "en", json_object_get(st, "end"));
		}
		json_array_append_new(defs, d);
	}
	char *rows_text = json_dumps(rows, JSON_COMPACT), *defs_text = json_dumps(defs, JSON_COMPACT);
	json_decref(rows);
	json_decref(defs);
	enum err e = DB_EXEC(db, a, NULL, ei, "DELETE FROM assignments WHERE period_id = $1::uuid AND NOT locked", l->period_id);
	struct db_res *res = NULL;
	if (!e)
		e = DB_EXEC(db, a, &res, ei,
			    "INSERT INTO assignments (tenant_id, period_id, day, shift_code, user_id, source, locked, all_day,"
			    " start_at, end_at)"
			    " SELECT app_tenant(), $1::uuid, x.d, x.c, x.u, 'engine', false, s.a,"
			    " CASE WHEN s.a THEN NULL ELSE si.start_at END, CASE WHEN s.a THEN NULL ELSE si.end_at END"
			    " FROM jsonb_to_recordset($2::jsonb) AS x(d date, c text, u uuid)"
			    " JOIN jsonb_to_recordset($3::jsonb) AS s(c text, a boolean, st time, en time) ON s.c = x.c"
			    " CROSS JOIN LATERAL shift_instants(x.d, coalesce(s.st, '00:00'), coalesce(s.en, '00:00'), $4) si"
			    " ON CONFLICT (tenant_id, period_id, day, shift_code, user_id) DO NOTHING",
			    l->period_id, rows_text, defs_text, l->timezone ? l->timezone : "UTC");
	free(rows_text);
	free(defs_text);
	if (!e && count) {
		struct db_res *c;
		e = DB_EXEC(db, a, &c, ei, "SELECT count(*) AS n FROM assignments WHERE period_id = $1::uuid", l->period_id);
		if (!e)
			*count = (int)db_res_ll(c, 0, "n", 0);
	}
	return e;
}

/* The work limit decides (deterministic); the cap is only a safety net for a machine many
 * times slower than expected (an instrumented build on a loaded CI runner is 3-5x slower
 * and must still give the same draft), so that dev start-up cannot hang on the seed. */
#define SEED_SLICE_SECONDS 15.0
#define SEED_SLICES 6

struct seed_check {
	const struct sched_model *sm;
	struct arena *a;
	int violations;
};

/* Go on while the best schedule breaks a rule of the department (work slices: deterministic). */
static bool seed_tick(void *arg, double t, const struct solve_ctl *c)
{
	(void)t;
	struct seed_check *sc = arg;
	struct sched_check ck;
	sched_check_roster(sc->sm, &c->best, sc->a, &ck);
	sc->violations = ck.total_violations;
	return ck.total_violations > 0;
}

enum err engine_run_solve_into_draft(struct db *db, struct arena *a, const struct sched_loaded *l, uint64_t seed,
				     int64_t work_limit, int *hard, double *seconds, struct errinfo *ei)
{
	struct sched_model *sm;
	enum err e = sched_model_build(&l->in, a, &sm, ei);
	if (e)
		return e;
	struct seed_check sc = {.sm = sm, .a = a};
	struct solve_ctl c = {.sm = sm, .work_limit = work_limit > 0 ? work_limit : 0, .time_limit = work_limit > 0 ? 0 : 2,
			      .max_slices = SEED_SLICES, .time_cap = SEED_SLICE_SECONDS, .seed = seed, .threads = 1,
			      .tick = seed_tick, .arg = &sc};
	if ((e = solve(&c, a, ei)))
		return e;
	metrics_once();
	metrics_observe(M_SOLVE, "kind=\"seed\"", c.elapsed);
	if (hard)
		*hard = sc.violations;
	if (seconds)
		*seconds = c.elapsed;
	return write_draft(db, a, l, sm, &c.best, NULL, ei);
}

/* ---- the job --------------------------------------------------------------------------------- */

struct job_ctx {
	struct queue_job *job;
	const char *run_id, *period_id;
	double t0;
	/* read when claimed */
	const char *status;
	bool cancel;
	uint64_t seed;
	int time_limit_ms, threads;
	struct sched_loaded loaded;
	bool loaded_ok;
	/* progress */
	json_t *progress;
	double last_flush;
	bool cancel_seen;
	/* results */
	const char *final_status;
	json_t *timings, *terms, *constraints, *diagnostics;
	struct sched_model *sm;
	struct solve_ctl *ctl;
	int assignment_count;
	const char *error;
};

static enum err claim_tx(struct db *db, void *arg, struct errinfo *ei)
{
	struct job_ctx *c = arg;
	struct arena *a = c->job->arena;
	struct db_res *r;
	enum err e = DB_EXEC(db, a, &r, ei,
			     "SELECT status, cancel_requested, period_id, seed, time_limit_ms,"
			     " coalesce((parameters ->> 'threads')::int, 1) AS threads FROM engine_runs WHERE id = $1::uuid FOR UPDATE",
			     c->run_id);
	if (e)
		return e;
	if (db_res_rows(r) != 1) {
		c->status = "missing";
		return ERR_OK;
	}
	c->status = arena_strdup(a, db_res_val(r, 0, "status"));
	c->cancel = db_res_bool(r, 0, "cancel_requested");
	c->seed = strtoull(db_res_val(r, 0, "seed"), NULL, 10);
	c->time_limit_ms = (int)db_res_ll(r, 0, "time_limit_ms", ENGINE_RUN_DEFAULT_MS);
	c->threads = (int)db_res_ll(r, 0, "threads", 1);
	c->period_id = arena_strdup(a, db_res_val(r, 0, "period_id"));
	/* a job that was rescued after its worker died finds its run "running": start over */
	if (c->cancel || (strcmp(c->status, "queued") && strcmp(c->status, "running")))
		return ERR_OK;
	return DB_EXEC(db, a, NULL, ei,
		       "UPDATE engine_runs SET status = 'running', started_at = now(), progress = '[]' WHERE id = $1::uuid",
		       c->run_id);
}

static enum err load_tx(struct db *db, void *arg, struct errinfo *ei)
{
	struct job_ctx *c = arg;
	return engine_run_load(db, c->job->arena, c->period_id, &c->loaded, ei);
}

static enum err tick_tx(struct db *db, void *arg, struct errinfo *ei)
{
	struct job_ctx *c = arg;
	struct arena *a = c->job->arena;
	char *text = json_dumps(c->progress, JSON_COMPACT);
	struct db_res *r;
	enum err e = DB_EXEC(db, a, &r, ei,
			     "UPDATE engine_runs SET progress = $2::jsonb WHERE id = $1::uuid RETURNING cancel_requested", c->run_id,
			     text);
	free(text);
	if (!e && db_res_rows(r) == 1)
		c->cancel_seen = db_res_bool(r, 0, "cancel_requested");
	return e;
}

static bool tick(void *arg, double t, const struct solve_ctl *ctl)
{
	struct job_ctx *c = arg;
	int64_t objective = ctl->eval.objective;
	int nhard = ctl->eval.nhard;
	size_t n = json_array_size(c->progress);
	const json_t *last = n ? json_array_get(c->progress, n - 1) : NULL;
	bool improved = !last || json_integer_value(json_object_get(last, "objective")) != objective ||
			json_integer_value(json_object_get(last, "hardViolations")) != nhard;
	if (n < PROGRESS_MAX || improved) {
		if (n >= PROGRESS_MAX)
			json_array_remove(c->progress, n / 2); /* thin out the middle, keep the ends */
		json_array_append_new(c->progress, json_pack("{s:f, s:I, s:i}", "seconds", (double)(long)(t * 1000) / 1000.0,
							     "objective", (json_int_t)objective, "hardViolations", nhard));
	}
	struct errinfo ei = {0};
	if (db_with_tx(c->job->pool, &c->job->ctx, tick_tx, c, &ei) != ERR_OK)
		log_kv(LOG_WARN, "engine run progress not saved", "engine_run_id", c->run_id, "error", ei.message, NULL);
	if (c->job->stopping && *c->job->stopping)
		return false;
	return !c->cancel_seen;
}

static json_t *constraints_json(const struct sched_check *ck)
{
	json_t *o = json_object();
	for (int f = 0; f < SCHED_F__COUNT; f++) {
		double pct = 100.0 * sched_check_ratio(ck, (enum sched_family)f);
		json_object_set_new(o, sched_family_name((enum sched_family)f),
				    json_pack("{s:i, s:i, s:f}", "instances", ck->instances[f], "violations", ck->violations[f],
					      "satisfiedPct", (double)(long)(pct * 100) / 100.0));
	}
	return o;
}

static enum err finish_tx(struct db *db, void *arg, struct errinfo *ei)
{
	struct job_ctx *c = arg;
	struct arena *a = c->job->arena;
	struct db_res *r;
	enum err e = DB_EXEC(db, a, &r, ei, "SELECT cancel_requested FROM engine_runs WHERE id = $1::uuid FOR UPDATE",
			     c->run_id);
	if (e)
		return e;
	bool cancel = db_res_rows(r) == 1 && db_res_bool(r, 0, "cancel_requested");
	if (!strcmp(c->final_status, "succeeded") && cancel)
		c->final_status = "cancelled";
	if (!strcmp(c->final_status, "succeeded")) {
		/* locks that changed while solving would be contradicted by the schedule */
		e = DB_EXEC(db, a, &r, ei,
			    "SELECT coalesce(md5(string_agg(id::text || user_id::text || day::text || shift_code, ',' ORDER BY id)), '')"
			    " AS f FROM assignments WHERE period_id = $1::uuid AND locked",
			    c->loaded.period_id);
		if (e)
			return e;
		if (strcmp(db_res_val(r, 0, "f"), c->loaded.locked_fingerprint)) {
			c->final_status = "failed";
			c->error = "locked assignments of the period changed while the engine ran: start the run again";
		}
	}
	if (!strcmp(c->final_status, "succeeded")) {
		/* a schedule solved under another config version (rules, shift times) is not written;
		 * the share lock keeps a config save out until this transaction ends */
		e = DB_EXEC0(db, a, &r, ei, "SELECT config_version FROM tenants WHERE id = app_tenant() FOR SHARE");
		if (e)
			return e;
		int now = (int)db_res_ll(r, 0, "config_version", 0);
		if (now != c->loaded.config_number) {
			c->final_status = "failed";
			c->error = arena_sprintf(a,
						 "the configuration changed (version %d to %d) while the engine ran: nothing was "
						 "written; start the run again",
						 c->loaded.config_number, now);
		}
	}
	if (!strcmp(c->final_status, "succeeded")) {
		double t = mono();
		if ((e = write_draft(db, a, &c->loaded, c->sm, &c->ctl->best, &c->assignment_count, ei)))
			return e;
		json_object_set_new(c->timings, "writeMs", json_integer((json_int_t)((mono() - t) * 1000)));
	}
	if (c->error)
		json_object_set_new(c->diagnostics, "error", json_string(c->error));
	json_object_set_new(c->timings, "totalMs", json_integer((json_int_t)((mono() - c->t0) * 1000)));
	if (!strcmp(c->final_status, "cancelled") && !json_object_get(c->diagnostics, "cancelled"))
		json_object_set_new(c->diagnostics, "cancelled", json_string("while solving: nothing was written"));
	char *timings = json_dumps(c->timings, JSON_COMPACT), *terms = c->terms ? json_dumps(c->terms, JSON_COMPACT) : NULL,
	     *cons = c->constraints ? json_dumps(c->constraints, JSON_COMPACT) : NULL,
	     *prog = json_dumps(c->progress, JSON_COMPACT), *diag = json_dumps(c->diagnostics, JSON_COMPACT);
	bool have = c->ctl && c->ctl->have;
	e = DB_EXEC(db, a, NULL, ei,
		    "UPDATE engine_runs SET status = $2, finished_at = now(), timings = $3::jsonb, objective = $4::bigint,"
		    " objective_terms = $5::jsonb, hard_violations = $6::int, constraints = $7::jsonb, progress = $8::jsonb,"
		    " diagnostics = $9::jsonb, assignment_count = $10::int, config_number = coalesce($11::int, config_number)"
		    " WHERE id = $1::uuid",
		    c->run_id, c->final_status, timings,
		    have ? arena_sprintf(a, "%lld", (long long)c->ctl->eval.objective) : NULL, terms,
		    c->constraints ? arena_sprintf(a, "%lld", (long long)json_integer_value(json_object_get(c->diagnostics, "hardViolations"))) : NULL,
		    cons, prog, diag,
		    !strcmp(c->final_status, "succeeded") ? arena_sprintf(a, "%d", c->assignment_count) : NULL,
		    c->loaded_ok ? arena_sprintf(a, "%d", c->loaded.config_number) : NULL);
	free(timings);
	free(terms);
	free(cons);
	free(prog);
	free(diag);
	return e;
}

static void free_json(void *p) { json_decref(p); }

static json_t *owned(struct arena *a, json_t *j)
{
	arena_defer(a, free_json, j);
	return j;
}

enum err engine_run_job(struct queue_job *job)
{
	struct arena *a = job->arena;
	json_t *payload = json_loads(job->payload, 0, NULL);
	const char *id = json_string_value(json_object_get(payload, "runId"));
	struct job_ctx c = {.job = job, .run_id = id ? arena_strdup(a, id) : NULL};
	json_decref(payload);
	if (!c.run_id)
		return err_set(&job->err, ERR_INVALID, "/runId", "engine.run job without a runId");
	double t0 = mono();
	c.t0 = t0;
	enum err e = db_with_tx(job->pool, &job->ctx, claim_tx, &c, &job->err);
	if (e)
		return e;
	if (strcmp(c.status, "queued") && strcmp(c.status, "running"))
		return ERR_OK; /* cancelled before it started, or gone */
	struct errinfo lei = {0};
	c.loaded_ok = !c.cancel && db_with_tx(job->pool, &job->ctx, load_tx, &c, &lei) == ERR_OK;
	metrics_once();
	c.progress = owned(a, json_array());
	c.timings = owned(a, json_object());
	c.diagnostics = owned(a, json_object());
	c.final_status = "succeeded";
	json_object_set_new(c.timings, "loadMs", json_integer((json_int_t)((mono() - t0) * 1000)));
	log_kv(LOG_INFO, "engine run started", "engine_run_id", c.run_id, NULL);
	struct solve_ctl ctl = {0};
	c.ctl = &ctl;
	if (c.cancel) {
		c.final_status = "cancelled";
	} else if (!c.loaded_ok) {
		c.final_status = "failed";
		c.error = arena_strdup(a, lei.message);
	} else {
		double tb = mono();
		struct errinfo bei = {0};
		if (sched_model_build(&c.loaded.in, a, &c.sm, &bei)) {
			c.final_status = "failed";
			c.error = arena_strdup(a, bei.message);
		} else {
			json_object_set_new(c.timings, "buildMs", json_integer((json_int_t)((mono() - tb) * 1000)));
			ctl = (struct solve_ctl){.sm = c.sm, .time_limit = c.time_limit_ms / 1000.0, .seed = c.seed,
						 .threads = c.threads, .tick = tick, .arg = &c};
			struct errinfo sei = {0};
			if (solve(&ctl, a, &sei)) {
				c.final_status = "failed";
				c.error = arena_strdup(a, sei.message);
			} else {
				metrics_observe(M_SOLVE, "kind=\"run\"", ctl.elapsed);
				json_object_set_new(c.timings, "solveMs", json_integer((json_int_t)(ctl.elapsed * 1000)));
				json_object_set_new(c.timings, "timeToBestMs", json_integer((json_int_t)(ctl.time_to_best * 1000)));
				json_object_set_new(c.diagnostics, "steps", json_integer((json_int_t)ctl.steps));
				if (ctl.stopped && (c.cancel_seen || (job->stopping && *job->stopping))) {
					c.final_status = c.cancel_seen ? "cancelled" : "failed";
					if (!c.cancel_seen)
						c.error = "interrupted: the worker stopped before the run finished";
				}
				double tc = mono();
				struct sched_check ck;
				sched_check_roster(c.sm, &ctl.best, a, &ck);
				json_object_set_new(c.timings, "checkMs", json_integer((json_int_t)((mono() - tc) * 1000)));
				c.constraints = owned(a, constraints_json(&ck));
				c.terms = owned(a, json_object());
				for (int t = 0; t < ENGINE_TERM__COUNT; t++)
					json_object_set_new(c.terms, engine_term_name((enum engine_term)t),
							    json_integer((json_int_t)ctl.eval.term[t]));
				json_object_set_new(c.diagnostics, "hardViolations", json_integer(ck.total_violations));
				json_t *v = json_array();
				for (int i = 0; i < ck.nlisted; i++) {
					json_t *x = json_pack("{s:s, s:s}", "family", sched_family_name(ck.listed[i].family), "text",
							      ck.listed[i].text);
					if (ck.listed[i].person >= 0)
						json_object_set_new(x, "userId",
								    json_string(c.loaded.in.people[ck.listed[i].person].id));
					json_array_append_new(v, x);
				}
				json_object_set_new(c.diagnostics, "violations", v);
				for (int f = 0; f < SCHED_F__COUNT; f++) {
					char lab[64];
					snprintf(lab, sizeof lab, "family=\"%s\"", sched_family_name((enum sched_family)f));
					metrics_gauge_set(M_RATIO, lab, sched_check_ratio(&ck, (enum sched_family)f));
				}
			}
		}
		if (c.sm) {
			json_t *notes = json_array();
			for (int i = 0; i < c.sm->notes_n; i++)
				json_array_append_new(notes, json_string(c.sm->notes[i]));
			json_object_set_new(c.diagnostics, "notes", notes);
		}
	}
	struct errinfo fei = {0};
	e = db_with_tx(job->pool, &job->ctx, finish_tx, &c, &fei);
	if (e) {
		/* the draft was not written; record the failure on its own */
		c.final_status = "failed";
		c.error = arena_sprintf(a, "could not write the schedule: %s", fei.message);
		c.constraints = NULL;
		e = db_with_tx(job->pool, &job->ctx, finish_tx, &c, &job->err);
	}
	char lab[48];
	snprintf(lab, sizeof lab, "status=\"%s\"", c.final_status);
	metrics_counter_add(M_RUNS, lab, 1);
	log_kv(LOG_INFO, "engine run finished", "engine_run_id", c.run_id, "status", c.final_status, "error",
	       c.error ? c.error : "", NULL);
	return e;
}
