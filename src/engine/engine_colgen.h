/* engine_colgen.h — column generation over whole rows (engine_colgen.c). Internal to the
 * solver; the only user of COIN-OR (Clp for master LPs, Cbc for small integer masters).
 *
 * Master: choose one row (column) per person; cover rows hold Σ columns + under − over =
 * requirement, under/over priced exactly as the search prices cover. Pricing a person is
 * the exact row DP with the cover duals subtracted. The LP value plus each person's most
 * negative reduced cost is a lower bound (exact when the model has no fairness or spread
 * terms, which pricing ignores; callers check).
 *
 * Two uses:
 *  - the full master (every person free), kept alive: root bound, dives that fix the
 *    most decided people and re-price until the LP is integral, and Cbc over all the
 *    columns found (a restricted master); their rosters go to local search for polish;
 *  - sub-problems: k people free, everyone else fixed, solved by pricing then Cbc. */
#ifndef RS_ENGINE_COLGEN_H
#define RS_ENGINE_COLGEN_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/engine_search.h"

struct engine_colgen;

struct engine_colgen *engine_colgen_new(const struct engine_static *st);
void engine_colgen_free(struct engine_colgen *cg);
/* Work done so far (DP transitions + simplex pivots weighted by size): deterministic. */
int64_t engine_colgen_work(const struct engine_colgen *cg);
/* Stop pricing loops at t (CLOCK_MONOTONIC seconds; 0 = never): for time-limited runs. */
void engine_colgen_deadline(struct engine_colgen *cg, double t);

/* Add the rows of a roster to the full master (creating it on first use). */
void engine_colgen_seed(struct engine_colgen *cg, const int16_t *cells);
/* Price the full master for at most max_rounds rounds; true when its LP is optimal. The
 * best lower bound seen is kept (engine_colgen_bound). */
bool engine_colgen_root(struct engine_colgen *cg, int max_rounds);
double engine_colgen_bound(const struct engine_colgen *cg);
/* A dive from the root: fix the people whose LP row is (nearly) decided, re-price,
 * repeat; every other dive hands over to Cbc once a random share of people is fixed
 * (inc_cells: the incumbent's roster, kept unchanged during the dive; may be NULL).
 * Steps return 0 (go on), 1 (a roster in out, dive over) or 2 (dive over: nothing
 * better than incumbent). seconds bounds Cbc (<= 0: node limit only). */
void engine_colgen_dive_begin(struct engine_colgen *cg, int64_t incumbent, const int16_t *inc_cells, double seconds,
			      uint64_t *rng);
int engine_colgen_dive_step(struct engine_colgen *cg, uint64_t *rng, int16_t *out);
bool engine_colgen_diving(const struct engine_colgen *cg);

/* More columns for the integer master: price every person `rounds` times at the LP's
 * duals shaken by up to ±noise, keeping every row found (they are near-optimal in the
 * LP's eyes, and varied). */
void engine_colgen_enrich(struct engine_colgen *cg, int rounds, double noise, uint64_t *rng);
/* Cbc over every column of the full master, from the roster in cells (its rows are added);
 * writes a better roster into cells. Returns the new cost (the master's view). Cbc stops
 * after `nodes` nodes or `seconds` (<= 0: no time limit; a time limit makes the result
 * depend on the machine, so the solver passes one only when it has a deadline). */
int64_t engine_colgen_master_ip(struct engine_colgen *cg, int16_t *cells, int nodes, double seconds);

struct engine_subresult {
	int64_t before, after;  /* sub-problem cost of the given rows and of the rows returned */
	double bound;           /* Lagrangian lower bound on the sub-problem (-inf if none) */
	bool converged;
};

/* Re-optimise days [a, b] of the rows of people[0..k-1] in cells (everyone and every
 * other day fixed): pricing for at most max_rounds rounds, then, when the bound leaves
 * room below `before`, Cbc over the columns (at most ip_nodes nodes). Writes better rows
 * into cells. */
void engine_colgen_improve(struct engine_colgen *cg, int16_t *cells, const int *people, int k, int a, int b,
			   int max_rounds, int ip_nodes, double seconds, struct engine_subresult *res);

#endif
