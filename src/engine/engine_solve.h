/* engine_solve.h — the anytime scheduling solver.
 *
 * engine_solve() builds a schedule for a finalized model and improves it until the time
 * limit or the work limit, then returns the best schedule found, checked by the independent
 * evaluator (engine_eval.h) with its objective broken down by term.
 *
 * Algorithm (docs/engine.md): every person's row is kept feasible for that person's hard
 * rules; cover is the only coupling. A local-search worker re-optimises rows or windows of
 * rows exactly by dynamic programming, swaps day blocks between two people and rebuilds a
 * few rows at a time; a column-generation worker solves the LP over whole rows (pricing =
 * the same DP), proves lower bounds, dives to integer schedules and re-optimises groups of
 * people exactly. Workers meet after fixed amounts of work (epochs) to share the best.
 *
 * Determinism: with one thread (the default), or with `deterministic` set, the search is a
 * function of (model, seed) measured in ticks of work: with work_limit set the same inputs
 * give the same schedule on any machine and thread count; with a time limit the same seed
 * follows the same trajectory and stops where the clock stops it. With several threads
 * and `deterministic` unset the workers do not wait for each other (faster; results may
 * vary). The solver stops early when the objective meets the proven lower bound. */
#ifndef RS_ENGINE_SOLVE_H
#define RS_ENGINE_SOLVE_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/engine_eval.h"
#include "engine/engine_model.h"

struct engine_solve_opts {
	double time_limit;                  /* seconds; <= 0 means no time limit (work_limit must be set) */
	int64_t work_limit;                 /* megaticks (about 5 ms of work each); 0 = none */
	uint64_t seed;
	int threads;                        /* workers; 0 or 1 = one */
	bool deterministic;                 /* threads > 1: still a function of (model, seed, work) */
	const struct engine_roster *start;  /* warm start (its infeasible rows are rebuilt); may be NULL */
	bool stop_at_feasible;              /* dry run: stop at the first schedule meeting every hard rule */
	/* Called after every meeting of the workers (about every 0.1 s of work, on one of
	 * the solver's threads) with the seconds elapsed and the best search objective so
	 * far (soft objective + 10^9 per person missing under a hard minimum); return false
	 * to stop (a cancelled run). One long solve with this beats many short ones: the
	 * column-generation bound and columns are rebuilt at every engine_solve() call. */
	bool (*progress)(void *arg, double elapsed, int64_t best);
	void *progress_arg;
	bool verbose;                       /* progress lines on stderr */
};

struct engine_solve_result {
	struct engine_roster roster;        /* allocated in the caller's arena */
	struct engine_eval eval;            /* independent evaluation of roster */
	bool feasible;                      /* eval.nhard == 0 */
	double elapsed;                     /* seconds */
	double time_to_best;                /* seconds until the returned roster was found */
	int64_t steps;                      /* local-search steps done (all workers) */
	int64_t ticks;                      /* work done, in ticks */
	double lower_bound;                 /* proven lower bound on the objective, -inf if none */
	bool proven_optimal;                /* objective == ceil(lower_bound) */
};

/* Solve m (finalized). ERR_INVALID for bad options; ERR_INTERNAL if the evaluator and the
 * solver disagree about the returned schedule (a bug). An infeasible model still returns
 * the least-violating schedule found, with feasible = false. */
enum err engine_solve(const struct engine_model *m, const struct engine_solve_opts *o, struct arena *a,
		      struct engine_solve_result *out, struct errinfo *ei) RS_MUST_CHECK;

#endif
