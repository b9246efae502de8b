/* engine_search.h — solver internals shared by engine_state.c, engine_rowdp.c,
 * engine_moves.c and engine_solve.c. Not a public API: the product calls engine_solve.h.
 *
 * Values: a cell holds ENGINE_OFF (-1) or a shift s; value index v+1 (0 = off) is used for
 * masks and cost tables. The search keeps every row feasible for the person's hard rules;
 * cover (soft or hard-minimum) is the only coupling between rows. */
#ifndef RS_ENGINE_SEARCH_H
#define RS_ENGINE_SEARCH_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/engine_model.h"

#define ENGINE_INF ((int64_t)1 << 60)
/* Search weight of one person missing under a cover hard minimum: dominates every soft term. */
#define ENGINE_HARD_WEIGHT ((int64_t)1000000000)

/* Immutable data derived from the model, shared by all workers. */
struct engine_static {
	const struct engine_model *m;
	int P, H, S, V;        /* V = S + 1 values per cell */
	uint64_t *dom;         /* [p*H+d]: allowed values, bit v+1 */
	int32_t *req_idx;      /* [p*H+d]: block of V costs in req_cost, or -1 */
	int32_t *req_cost;     /* request cost of each value */
	int *shift_cls;        /* [S]: class of equal forbidden_next masks */
	int ncls;
	engine_mask cls_fnext[ENGINE_MAX_SHIFTS];
	bool soft_terms;       /* fairness or spread terms present */
	int64_t req_total;     /* Σ request weights (for bounds) */
};

/* Worker state: one roster with its cover counts and cached costs. */
struct engine_state {
	const struct engine_static *st;
	int16_t *cell;         /* [p*H+d] */
	int32_t *n;            /* [d*S+s] people on cover row (d, s) */
	int64_t *rowc;         /* [p] person-separable soft cost (requests, fairness, spread) */
	int64_t cover_cost;    /* Σ cover costs incl. hard-minimum penalty */
	int64_t row_sum;       /* Σ rowc */
};

static inline int64_t engine_state_total(const struct engine_state *s) { return s->cover_cost + s->row_sum; }

/* Cost of cover row (d, s) holding n people (search weights). */
static inline int64_t engine_cover_cost(const struct engine_cover *c, int n)
{
	int64_t x = 0;
	if (n < c->req)
		x += (int64_t)c->w_under * (c->req - n);
	else
		x += (int64_t)c->w_over * (n - c->req);
	if (n < c->hard_min)
		x += ENGINE_HARD_WEIGHT * (c->hard_min - n);
	return x;
}

void engine_static_init(struct engine_static *st, const struct engine_model *m, struct arena *a);
void engine_static_fini(struct engine_static *st);

void engine_state_init(struct engine_state *s, const struct engine_static *st);
void engine_state_fini(struct engine_state *s);
/* Load a roster (cells copied) and recompute counts and costs from scratch. */
void engine_state_load(struct engine_state *s, const int16_t *cells);
void engine_state_copy(struct engine_state *dst, const struct engine_state *src);
/* Change one cell, keeping counts and cover cost (not rowc) up to date. */
void engine_state_set(struct engine_state *s, int p, int d, int v);
/* Person-separable soft cost of a whole row. */
int64_t engine_row_cost(const struct engine_static *st, int p, const int16_t *row);
/* Recompute rowc[p] and row_sum after a row changed. */
void engine_state_row_refresh(struct engine_state *s, int p);
/* True when the row satisfies every hard rule of person p (everything but cover). */
bool engine_row_feasible(const struct engine_static *st, int p, const int16_t *row);
/* Recompute everything from scratch and compare (debug aid); true when consistent. */
bool engine_state_check(const struct engine_state *s);

/* Exact best row for one person by dynamic programming (engine_rowdp.c). */
struct engine_rowdp;
struct engine_rowdp *engine_rowdp_new(void);
void engine_rowdp_free(struct engine_rowdp *w);
/* Re-optimise days [a, b] of person p's row; days outside keep row[] and constrain the
 * window (successions, runs, totals). cost[(d-a)*V + v+1] is the cost of value v on day d.
 * rng (may be NULL) breaks ties. Writes the window into out[0..b-a] and its cost to *best.
 * Returns 1 when a feasible window exists, 0 when none, -1 when the state space exceeds
 * the workspace cap (use a shorter window). */
int engine_rowdp_solve(struct engine_rowdp *w, const struct engine_static *st, int p, const int16_t *row, int a,
		       int b, const int64_t *cost, uint64_t *rng, int16_t *out, int64_t *best);
/* Totals a row must respect: the person's own, or tighter ones (building a long row
 * window by window with pro-rata targets). */
struct engine_rowlim {
	int min_minutes, max_minutes, max_weekends;
	int max_count[ENGINE_MAX_SHIFTS];
};
void engine_rowlim_of(const struct engine_static *st, int p, struct engine_rowlim *lim);
int engine_rowdp_solve_limited(struct engine_rowdp *w, const struct engine_static *st, int p, const int16_t *row,
			       int a, int b, const int64_t *cost, uint64_t *rng, const struct engine_rowlim *lim,
			       int16_t *out, int64_t *best);
/* Transitions tried by this workspace so far (a deterministic measure of work done). */
int64_t engine_rowdp_work(const struct engine_rowdp *w);

/* One search worker: a current roster plus scratch space (engine_moves.c). */
struct engine_worker {
	const struct engine_static *st;
	struct engine_state cur;
	struct engine_rowdp *dp;
	uint64_t rng;
	int64_t *cost;     /* [H*V] value costs of a window */
	int16_t *win;      /* [H] window produced by the DP */
	int16_t *saved;    /* [P*H] rows kept for undo */
	int16_t *tmp;      /* [H] scratch row for repairs */
	int *perm;         /* [P] scratch permutation */
	int64_t steps;
};

void engine_worker_init(struct engine_worker *w, const struct engine_static *st, uint64_t seed);
void engine_worker_fini(struct engine_worker *w);
/* Value costs of days [a,b] for person p given everyone else's cells (requests + cover). */
void engine_window_costs(struct engine_worker *w, int p, int a, int b);
/* Re-optimise days [a,b] of p's row by DP; keep the result when the objective change is
 * <= accept (requests and cover are optimal by construction; soft terms are checked).
 * Returns the change applied, or ENGINE_INF when nothing changed. */
int64_t engine_move_row(struct engine_worker *w, int p, int a, int b, int64_t accept);
/* Swap days [a,b] between p and q (cover unchanged) when both rows stay feasible and the
 * change is <= accept. Returns the change applied or ENGINE_INF. */
int64_t engine_move_swap(struct engine_worker *w, int p, int q, int a, int b, int64_t accept);
/* Clear the rows of people[0..k-1] and rebuild them one by one (then once more) by DP;
 * keep when the change is <= accept, else restore. Returns the change or ENGINE_INF. */
int64_t engine_move_rebuild(struct engine_worker *w, const int *people, int k, int64_t accept);
/* Build every unlocked row from scratch in a random order (construction). Rows with no
 * feasible pattern are left off except locked cells; returns how many. */
int engine_construct(struct engine_worker *w);

/* Small deterministic generator (splitmix64 / xorshift). */
static inline uint64_t engine_rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}
static inline int engine_rng_int(uint64_t *s, int n) { return (int)((engine_rng_next(s) >> 33) % (uint64_t)n); }
static inline double engine_rng_unit(uint64_t *s) { return (double)(engine_rng_next(s) >> 11) * 0x1.0p-53; }

#endif
