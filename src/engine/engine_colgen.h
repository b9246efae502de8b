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
 *  - the full master (every person free), kept alive: root bound, then branch and price
 *    (depth first), whose integral nodes are returned for polishing by local search;
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

/* Add the rows of a roster to the full master (creating it on first use). */
void engine_colgen_seed(struct engine_colgen *cg, const int16_t *cells);
/* Price the full master for at most max_rounds rounds; true when its LP is optimal. The
 * best lower bound seen is kept (engine_colgen_bound). */
bool engine_colgen_root(struct engine_colgen *cg, int max_rounds);
double engine_colgen_bound(const struct engine_colgen *cg);
/* Branch and price from the root, depth first over cell decisions (the cell whose LP
 * value is nearest 1 is forced first, then forbidden), pruning nodes whose LP bound cannot
 * beat the incumbent. In small steps so callers can interleave other work: a step returns
 * 0 (go on), 1 (an integral node: roster in out, its cost in *value; the search goes on)
 * or 2 (the tree is exhausted or the search was not started). Exhausted means no schedule
 * beats the incumbent: it is optimal. */
void engine_colgen_bp_begin(struct engine_colgen *cg, int64_t incumbent);
void engine_colgen_bp_incumbent(struct engine_colgen *cg, int64_t incumbent);
int engine_colgen_bp_step(struct engine_colgen *cg, int16_t *out, int64_t *value);
bool engine_colgen_bp_active(const struct engine_colgen *cg);
bool engine_colgen_bp_exhausted(const struct engine_colgen *cg);
int64_t engine_colgen_bp_nodes(const struct engine_colgen *cg);

/* A dive from the root (the branch-and-price path, if any, is set aside meanwhile): fix
 * the people whose LP row is (nearly) decided, re-price, repeat. Steps return 0 (go on),
 * 1 (integral: roster in out, dive over) or 2 (dive over: cannot beat incumbent). */
void engine_colgen_dive_begin(struct engine_colgen *cg, int64_t incumbent, uint64_t *rng);
int engine_colgen_dive_step(struct engine_colgen *cg, uint64_t *rng, int16_t *out);
bool engine_colgen_diving(const struct engine_colgen *cg);

struct engine_subresult {
	int64_t before, after;  /* sub-problem cost of the given rows and of the rows returned */
	double bound;           /* Lagrangian lower bound on the sub-problem (-inf if none) */
	bool converged;
};

/* Re-optimise the rows of people[0..k-1] in cells (everyone else fixed): pricing for at
 * most max_rounds rounds, then, when the bound leaves room below `before`, Cbc over the
 * columns (at most ip_nodes nodes). Writes better rows into cells. */
void engine_colgen_improve(struct engine_colgen *cg, int16_t *cells, const int *people, int k, int max_rounds,
			   int ip_nodes, struct engine_subresult *res);

#endif
