/* engine_run.h — the scheduling engine in the product: runs as jobs, dry runs, explanations.
 *
 * A run (table engine_runs, migration 0008) solves one period: it is queued by
 * engine_run_start() in the caller's transaction (job "engine.run"), then a worker loads the
 * period's inputs (schedule_model.h), solves in short slices with warm start so that a
 * cancel request is seen within a slice and the best objective over time is recorded, checks
 * the result against the department's rules, and writes it as the period's draft in one
 * transaction: every unlocked assignment of the period is replaced, locked ones are kept.
 * A run cancelled (or failed) before that transaction writes nothing: the previous draft
 * stays as it was. At most one run per period is queued or running at a time.
 *
 * A run as the API shows it:
 *   {id, periodId, status (queued|running|succeeded|failed|cancelled), cancelRequested, seed,
 *    timeLimitSeconds, parameters, configVersion, requestedBy, createdAt, startedAt,
 *    finishedAt, timings {loadMs, buildMs, solveMs, checkMs, writeMs, totalMs, timeToBestMs},
 *    objective, objectiveTerms {…}, hardViolations, constraintsSatisfied {family: percent},
 *    constraints {family: {instances, violations}}, progress [{seconds, objective,
 *    hardViolations}], diagnostics {notes [...], violations [...], error?}, assignmentCount}
 * See docs/engine.md "In the product" for the endpoints and the mapping. */
#ifndef RS_DOMAIN_ENGINE_RUN_H
#define RS_DOMAIN_ENGINE_RUN_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"
#include "domain/schedule_model.h"

#define ENGINE_RUN_JOB "engine.run"
#define ENGINE_RUN_DEFAULT_MS 5000
#define ENGINE_RUN_MAX_MS 300000
#define ENGINE_DRY_RUN_DEFAULT_MS 2000
#define ENGINE_DRY_RUN_MAX_MS 10000

struct queue_job;

/* ---- inputs from the database (engine_run_load.c) ----------------------------------------- */

struct sched_loaded {
	struct sched_input in;
	const char *period_id, *period_name, *period_status;
	const char *timezone;
	int config_number;
	json_t *config;                /* released with the arena */
	const char *locked_fingerprint;/* changes whenever a locked assignment of the period does */
	struct sched_assign *current;  /* the period's assignments now (locked or not) */
	int ncurrent;
};

/* Everything the model needs for period_id, read in db's transaction. ERR_NOT_FOUND (period),
 * ERR_CONFLICT (the department has no configuration yet). */
enum err engine_run_load(struct db *db, struct arena *a, const char *period_id, struct sched_loaded *out,
			 struct errinfo *ei) RS_MUST_CHECK;
/* Index of a user id in out->in.people, or -1. */
int engine_run_person_index(const struct sched_loaded *l, const char *user_id);

/* ---- runs (engine_run.c) ------------------------------------------------------------------ */

struct engine_run_in {
	const char *period_id;
	bool seed_set;
	uint64_t seed;        /* default: derived from the period id (same period, same seed) */
	int time_limit_ms;    /* 0 = ENGINE_RUN_DEFAULT_MS; 100..ENGINE_RUN_MAX_MS */
	int threads;          /* 0 = 1; at most 4 */
};

/* Queue a run in db's transaction. ERR_NOT_FOUND (period), ERR_CONFLICT (no config, or a run
 * of the period is already queued or running: ei names it), ERR_INVALID (limits). */
enum err engine_run_start(struct db *db, struct arena *a, const struct engine_run_in *in, json_t **out,
			  struct errinfo *ei) RS_MUST_CHECK;
enum err engine_run_get(struct db *db, struct arena *a, const char *id, json_t **out, struct errinfo *ei) RS_MUST_CHECK;
/* Runs of a period, newest first. ERR_NOT_FOUND when the period does not exist. */
enum err engine_run_list(struct db *db, struct arena *a, const char *period_id, int limit, json_t **out,
			 struct errinfo *ei) RS_MUST_CHECK;
/* Ask a run to stop. A queued run is cancelled at once; a running one stops at its next
 * slice and writes nothing. ERR_CONFLICT when it has already finished. */
enum err engine_run_cancel(struct db *db, struct arena *a, const char *id, json_t **out,
			   struct errinfo *ei) RS_MUST_CHECK;
/* The job handler (register as ENGINE_RUN_JOB). */
enum err engine_run_job(struct queue_job *job);

/* Solve a loaded period and write the result as its draft, in the caller's transaction, with
 * no run row: for the demo seed. Deterministic: slices of work_limit megaticks of engine work (seed
 * fixed), until the schedule keeps every rule of the department or after 6 slices.
 * *hard gets the violations of the department's rules left (0 = none), *seconds the solve time. */
enum err engine_run_solve_into_draft(struct db *db, struct arena *a, const struct sched_loaded *l, uint64_t seed,
				     int64_t work_limit, int *hard, double *seconds, struct errinfo *ei) RS_MUST_CHECK;

/* ---- dry run, explanations, tallies (engine_run_explain.c) -------------------------------- */

/* Does a schedule meeting every hard rule exist for the loaded period (or the window
 * [from, to] of it when both are set)? Runs the engine's diagnosis for about time_limit_ms
 * (no database work: call it outside the transaction). out: {periodId, from, to, verdict,
 * feasible, elapsedMs, summary, problems [{kind, day, shiftCode, userId, need, have,
 * text}], notes}. ERR_INVALID for a window outside the period. */
enum err engine_run_dry_run(const struct sched_loaded *l, const char *from, const char *to, int time_limit_ms,
			    struct arena *a, json_t **out, struct errinfo *ei) RS_MUST_CHECK;
/* Why this person works this assignment: eligibility, the day's headcount, fairness standing,
 * time-off wishes, rules the person's schedule breaks, and who else could have worked it.
 * ERR_NOT_FOUND when the assignment is not in l->current. */
enum err engine_run_explain(const struct sched_loaded *l, const char *assignment_id, struct arena *a, json_t **out,
			    struct errinfo *ei) RS_MUST_CHECK;
/* A person's tallies in the loaded period against their FTE share, per equivalence class and
 * shift type, with year to date. ERR_NOT_FOUND for a person not in the department. */
enum err engine_run_tallies(const struct sched_loaded *l, const char *user_id, struct arena *a, json_t **out,
			    struct errinfo *ei) RS_MUST_CHECK;

#endif
