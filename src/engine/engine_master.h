/* engine_master.h — column-generation masters: the LP over whole rows, its columns,
 * pricing by the row DP, and integer solves (internal to engine_master.c and
 * engine_colgen.c; the only users of COIN-OR).
 *
 * A master for free people K and the cover rows they can touch (days a..b):
 *   min Σ cost(col)·λ + Σ_rows (w_under·u1 + (w_under + H)·u2 + w_over·o)
 *   Σ_{col of p} λ = 1                               (p ∈ K; an artificial keeps it feasible)
 *   Σ_{col covering r} λ + u1 + u2 − o = req_r − fixed_r
 *   0 ≤ u1 ≤ req_r − hard_min_r,  u2, o ≥ 0
 * prices every integer choice exactly like the search (H stands in for the hard-minimum
 * weight; bounds are only used when no row has a hard minimum). */
#ifndef RS_ENGINE_MASTER_H
#define RS_ENGINE_MASTER_H

#include <stdbool.h>
#include <stdint.h>

#include <Clp_C_Interface.h>

#include "engine/engine_colgen.h"
#include "engine/engine_search.h"

#define SCALE 1e6      /* dual prices → integer DP costs */
#define RC_EPS 1e-6
#define LP_HARD 1e5    /* LP stand-in for the hard-minimum weight */
#define POOL_CAP 200   /* sub-problem seed columns kept per person */
#define LP_TICK 40     /* work of one simplex pivot per row, in DP transitions */
#define ARTIFICIAL 1e8 /* cost of leaving a person without a row in the LP */
#define FORBID ((int64_t)1 << 52) /* DP cost of a value the node rules out */

/* Rows generated for one person, kept to seed later sub-problems (ring buffer). */
struct engine_pool {
	int n, next;
	int16_t *cells;
	uint64_t *hash;
};

struct engine_master {
	Clp_Simplex *lp;
	int k;
	int *people;       /* [k] */
	int *local;        /* [P]: index in people or -1 */
	int nrows;         /* cover rows in the LP (after the k convexity rows) */
	int *row_of;       /* [H*S] → LP cover row or -1 */
	int *row_cell;     /* [nrows] → d*S+s */
	int *nfixed;       /* [nrows] people outside K on that row */
	bool hard;         /* some row has a hard minimum */
	int nslack;
	/* columns */
	int ncols, capcols;
	int *col_person;   /* local index */
	int16_t *col_cells;
	double *col_cost;
	uint64_t *hkey;    /* dedupe: open addressing on row hash */
	int32_t *hval;
	size_t hcap;
	/* queued columns */
	int qn, qcap;
	size_t qnnz, qcapnz;
	CoinBigIndex *qstart;
	int *qidx;
	double *qval, *qobj, *qlo, *qup;
	/* branch and price */
	uint64_t *allow;   /* [P*H]: values the current node allows (subset of st->dom) */
	double *lo, *up;   /* column bounds for Clp */
	int capb;
	bool bounds_changed;
	double bound;      /* best Lagrangian bound (whole sub-problem, no fixings) */
	double tail;       /* stop pricing once the LP is within this of its bound */
	int a, b;          /* days the free people may change */
	const int16_t *ctx;/* their rows outside [a, b] */
	bool lp_ok;        /* the last solve ended optimal (Clp forgets after deleting columns) */
};

struct engine_colgen {
	const struct engine_static *st;
	struct engine_pool *pool;
	struct engine_rowdp *dp;
	int64_t *cost;
	int16_t *row, *out;
	int *idx;
	double *val;
	struct engine_master full, tmp;
	bool have_full;
	int64_t work;
	double deadline;   /* CLOCK_MONOTONIC seconds; 0 = none */
	uint64_t *tie_rng; /* when set, pricing breaks ties at random (varied optimal rows) */
	/* dive: fix whole people to their most used column, one batch at a time */
	bool dive_active;
	bool *dfix;
	int64_t dive_incumbent;
	double dive_threshold, dive_noise;
	int dive_depth, dives;
	int dive_mip_at;           /* fixed people at which Cbc takes over (0 = never) */
	const int16_t *dive_inc_cells;
	double dive_seconds;
};

/* Set up / release the arrays of a master (sized for the whole model). */
void engine_master_alloc(struct engine_master *sb, const struct engine_static *st);
void engine_master_release(struct engine_master *sb);
double engine_master_now(void);
/* Keep row r of person p in the person's pool (seeds later sub-problems). */
void engine_master_pool_put(struct engine_colgen *cg, int p, const int16_t *r);
/* Open a master for people[0..k-1] over days [a, b], everyone else fixed as in cells
 * (cells must stay unchanged while the master is open); close it. */
void engine_master_open(struct engine_colgen *cg, struct engine_master *sb, const int16_t *cells, const int *people,
			int k, int a, int b);
void engine_master_close(struct engine_master *sb);
/* Add row r (a whole row) of free person p as a column unless present; queued until the
 * next solve. Returns true when added. */
bool engine_master_col_add(struct engine_colgen *cg, struct engine_master *sb, int p, const int16_t *r);
void engine_master_flush(struct engine_master *sb);
/* Cost of row r minus the cover prices pi it collects. */
double engine_master_col_value(struct engine_colgen *cg, const struct engine_master *sb, int p, const int16_t *r,
			       const double *pi);
/* Best row of p under cover prices pi (left in cg->out); its value as above, or +inf. */
double engine_master_price(struct engine_colgen *cg, const struct engine_master *sb, int p, const double *pi);
/* Re-solve the LP (dual after new bounds, primal after new columns); sets sb->lp_ok. */
void engine_master_solve(struct engine_colgen *cg, struct engine_master *sb);
/* Pricing rounds until no column prices out or the LP is within sb->tail of its bound
 * (true), or max_rounds pass (false). *node_bound gets the best Lagrangian bound of the
 * current restrictions; stops early once it reaches `stop`. */
bool engine_master_generate(struct engine_colgen *cg, struct engine_master *sb, int max_rounds, double stop,
			    double *node_bound);
/* Push the allowed values (sb->allow) into the column bounds. */
void engine_master_bounds(struct engine_master *sb, const struct engine_static *st);
/* Cover cost of the master's rows plus the free people's row costs, for cells. */
int64_t engine_master_cost(struct engine_colgen *cg, const struct engine_master *sb, const int16_t *cells);
/* Cbc over the master's columns from the rows in cells; writes cheaper rows into cells
 * and returns their cost (else `before`). full: Cbc's cuts and heuristics on. */
int64_t engine_master_ip(struct engine_colgen *cg, struct engine_master *sb, int16_t *cells, int64_t before, int nodes,
			 bool full, double seconds);

#endif
