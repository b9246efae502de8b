/* engine_colgen.c — uses of the column-generation masters (see engine_colgen.h): the
 * whole model's master (root bound, dives, restricted master IP) and sub-problems. */
#include "engine/engine_colgen.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_master.h"

#define DIVE_TAIL 0.3  /* dives stop pricing a node once its LP is this close to its bound */
#define BIG_MASTER_ROWS 250
#define DIVE_MIP_NODES 500

struct engine_colgen *engine_colgen_new(const struct engine_static *st)
{
	struct engine_colgen *cg = xcalloc(1, sizeof *cg);
	const int P = st->P, H = st->H, S = st->S;
	cg->st = st;
	cg->pool = xcalloc((size_t)P, sizeof *cg->pool);
	cg->dp = engine_rowdp_new();
	cg->cost = xmalloc(sizeof *cg->cost * (size_t)H * (size_t)st->V);
	cg->row = xmalloc(sizeof *cg->row * (size_t)H);
	cg->out = xmalloc(sizeof *cg->out * (size_t)H);
	cg->idx = xmalloc(sizeof *cg->idx * ((size_t)H * (size_t)S + 1));
	cg->val = xmalloc(sizeof *cg->val * ((size_t)H * (size_t)S + 1));
	engine_master_alloc(&cg->full, st);
	engine_master_alloc(&cg->tmp, st);
	cg->dfix = xcalloc((size_t)P, sizeof *cg->dfix);
	return cg;
}

void engine_colgen_free(struct engine_colgen *cg)
{
	if (!cg)
		return;
	for (int p = 0; p < cg->st->P; p++) {
		free(cg->pool[p].cells);
		free(cg->pool[p].hash);
	}
	free(cg->pool);
	engine_rowdp_free(cg->dp);
	free(cg->cost);
	free(cg->row);
	free(cg->out);
	free(cg->idx);
	free(cg->val);
	engine_master_release(&cg->full);
	engine_master_release(&cg->tmp);
	free(cg->dfix);
	free(cg);
}

int64_t engine_colgen_work(const struct engine_colgen *cg) { return cg->work; }

void engine_colgen_deadline(struct engine_colgen *cg, double t) { cg->deadline = t; }

/* ---- full master and dives -------------------------------------------------------- */

void engine_colgen_seed(struct engine_colgen *cg, const int16_t *cells)
{
	const struct engine_static *st = cg->st;
	const int P = st->P, H = st->H;
	if (!cg->have_full) {
		int *all = xmalloc(sizeof *all * (size_t)P);
		for (int p = 0; p < P; p++)
			all[p] = p;
		engine_master_open(cg, &cg->full, cells, all, P, 0, st->H - 1);
		free(all);
		cg->have_full = true;
	}
	for (int p = 0; p < P; p++) {
		const int16_t *r = cells + (size_t)p * (size_t)H;
		if (engine_row_feasible(st, p, r)) {
			engine_master_pool_put(cg, p, r);
			(void)engine_master_col_add(cg, &cg->full, p, r);
		}
	}
}

bool engine_colgen_root(struct engine_colgen *cg, int max_rounds)
{
	struct engine_master *sb = &cg->full;
	double nb;
	bool conv = engine_master_generate(cg, sb, max_rounds, HUGE_VAL, &nb);
	if (conv && Clp_objectiveValue(sb->lp) > nb)
		nb = Clp_objectiveValue(sb->lp) - 1e-6;
	if (nb > sb->bound)
		sb->bound = nb;
	return conv;
}

double engine_colgen_bound(const struct engine_colgen *cg)
{
	return cg->have_full && !cg->full.hard ? cg->full.bound : -HUGE_VAL;
}

/* Push the node's restrictions into the column bounds. */
/* ---- dives ------------------------------------------------------------------------ */

void engine_colgen_dive_begin(struct engine_colgen *cg, int64_t incumbent, const int16_t *inc_cells, double seconds,
			      uint64_t *rng)
{
	const struct engine_static *st = cg->st;
	struct engine_master *sb = &cg->full;
	cg->dive_active = cg->have_full;
	if (!cg->dive_active)
		return;
	cg->dive_incumbent = incumbent;
	cg->dive_inc_cells = inc_cells;
	cg->dive_seconds = seconds;
	/* after the first, every other dive stops partway and lets Cbc finish (it needs an
	 * incumbent to start from) */
	cg->dive_mip_at = inc_cells && cg->dives >= 2 && !(cg->dives & 1)
				  ? (int)(sb->k * (0.3 + 0.4 * engine_rng_unit(rng))) + 1
				  : 0;
	/* on a big master the first dive fixes boldly (a good schedule soon: its steps are
	 * dear), later dives and small masters more carefully */
	if (cg->dives++ == 0 && sb->k + sb->nrows > BIG_MASTER_ROWS)
		cg->dive_threshold = 0.4 + 0.1 * engine_rng_unit(rng);
	else
		cg->dive_threshold = 0.75 + 0.24 * engine_rng_unit(rng);
	cg->dive_noise = 0.1 * engine_rng_unit(rng);
	cg->dive_depth = 0;
	sb->tail = DIVE_TAIL;
	memset(cg->dfix, 0, sizeof *cg->dfix * (size_t)st->P);
	memcpy(sb->allow, st->dom, sizeof *sb->allow * (size_t)st->P * (size_t)st->H);
	engine_master_bounds(sb, st);
}

static void dive_finish(struct engine_colgen *cg)
{
	cg->dive_active = false;
	cg->full.tail = 0;
	memcpy(cg->full.allow, cg->st->dom, sizeof *cg->full.allow * (size_t)cg->st->P * (size_t)cg->st->H);
	engine_master_bounds(&cg->full, cg->st);
}

bool engine_colgen_diving(const struct engine_colgen *cg) { return cg->dive_active; }

int engine_colgen_dive_step(struct engine_colgen *cg, uint64_t *rng, int16_t *out)
{
	const struct engine_static *st = cg->st;
	const int H = st->H;
	struct engine_master *sb = &cg->full;
	if (!cg->dive_active)
		return 2;
	double nb;
	bool conv = engine_master_generate(cg, sb, 1, HUGE_VAL, &nb);
	if (!sb->lp_ok) {
		dive_finish(cg);
		return 2;
	}
	if (!conv)
		return 0; /* keep pricing this node */
	const double *x = Clp_getColSolution(sb->lp);
	/* columns priced after the last solve are not in x yet */
	const int nlp = Clp_getNumCols(sb->lp) - sb->nslack;
	bool infeasible = false;
	for (int i = 0; i < sb->k; i++)
		infeasible |= x[3 * sb->nrows + i] > 1e-6;
	if (infeasible || (conv && !sb->hard && ceil(nb - 1e-6) >= (double)cg->dive_incumbent)) {
		dive_finish(cg);
		return 2;
	}
	cg->dive_depth++;
	int nfixed = 0;
	for (int i = 0; i < sb->k; i++)
		nfixed += cg->dfix[i];
	if (cg->dive_mip_at > 0 && nfixed >= cg->dive_mip_at && cg->dive_inc_cells) {
		/* hand the rest of the dive to Cbc: the free people's columns were priced under
		 * these fixings, so the restricted master is small and to the point */
		memcpy(out, cg->dive_inc_cells, sizeof *out * (size_t)st->P * (size_t)H);
		int64_t after = engine_master_ip(cg, sb, out, cg->dive_incumbent, DIVE_MIP_NODES, true, cg->dive_seconds);
		dive_finish(cg);
		return after < cg->dive_incumbent ? 1 : 2;
	}
	int *chosen = xmalloc(sizeof *chosen * (size_t)sb->k);
	double *bestx = xcalloc((size_t)sb->k, sizeof *bestx);
	for (int i = 0; i < sb->k; i++)
		chosen[i] = -1;
	for (int c = 0; c < nlp; c++) {
		int i = sb->col_person[c];
		double l = x[sb->nslack + c];
		if (l > bestx[i]) {
			bestx[i] = l;
			chosen[i] = c;
		}
	}
	int integral = 0, nfix = 0, bi = -1;
	double bs = -1;
	for (int i = 0; i < sb->k; i++) {
		if (chosen[i] < 0)
			continue;
		if (bestx[i] > 1 - 1e-6)
			integral++;
		if (cg->dfix[i])
			continue;
		if (bestx[i] >= cg->dive_threshold) {
			cg->dfix[i] = true;
			nfix++;
			continue;
		}
		double score = bestx[i] + cg->dive_noise * engine_rng_unit(rng);
		if (score > bs) {
			bs = score;
			bi = i;
		}
	}
	int result = 0;
	if (integral == sb->k) {
		for (int i = 0; i < sb->k; i++)
			memcpy(out + (size_t)sb->people[i] * (size_t)H, sb->col_cells + (size_t)chosen[i] * (size_t)H,
			       sizeof *out * (size_t)H);
		result = 1;
	} else if (nfix == 0 && bi < 0) {
		result = 2;
	} else {
		if (nfix == 0)
			cg->dfix[bi] = true;
		/* a fixed person keeps the row of its chosen column */
		for (int i = 0; i < sb->k; i++)
			if (cg->dfix[i] && chosen[i] >= 0) {
				const int16_t *r = sb->col_cells + (size_t)chosen[i] * (size_t)H;
				uint64_t *al = sb->allow + (size_t)sb->people[i] * (size_t)H;
				for (int d = 0; d < H; d++)
					al[d] = (uint64_t)1 << (r[d] + 1);
			}
		engine_master_bounds(sb, st);
	}
	free(chosen);
	free(bestx);
	if (result)
		dive_finish(cg);
	return result;
}

void engine_colgen_enrich(struct engine_colgen *cg, int rounds, double noise, uint64_t *rng)
{
	if (!cg->have_full)
		return;
	struct engine_master *sb = &cg->full;
	engine_master_solve(cg, sb);
	if (!sb->lp_ok)
		return;
	const int nr = sb->k + sb->nrows;
	double *y = xmalloc(sizeof *y * (size_t)nr), *pi = xmalloc(sizeof *pi * (size_t)nr);
	memcpy(y, Clp_dualRowSolution(sb->lp), sizeof *y * (size_t)nr);
	/* the LP is degenerate: many rows of a person price at (nearly) zero, and an
	 * optimal roster is made of such rows; pricing returns one of them, so draw many,
	 * breaking ties at random and shaking the duals a little */
	cg->tie_rng = rng;
	for (int r = 0; r < rounds; r++) {
		for (int i = 0; i < nr; i++)
			pi[i] = y[i] + noise * r / rounds * (2 * engine_rng_unit(rng) - 1);
		for (int i = 0; i < sb->k; i++) {
			int p = sb->people[i];
			if (engine_master_price(cg, sb, p, pi) == HUGE_VAL)
				continue;
			engine_master_pool_put(cg, p, cg->out);
			(void)engine_master_col_add(cg, sb, p, cg->out);
		}
	}
	cg->tie_rng = NULL;
	free(y);
	free(pi);
}

int64_t engine_colgen_master_ip(struct engine_colgen *cg, int16_t *cells, int nodes, double seconds)
{
	if (!cg->have_full)
		return ENGINE_INF;
	struct engine_master *sb = &cg->full;
	engine_colgen_seed(cg, cells);
	int64_t before = engine_master_cost(cg, sb, cells);
	return engine_master_ip(cg, sb, cells, before, nodes, true, seconds);
}

void engine_colgen_improve(struct engine_colgen *cg, int16_t *cells, const int *people, int k, int a, int b,
			   int max_rounds, int ip_nodes, double seconds, struct engine_subresult *res)
{
	const int H = cg->st->H;
	struct engine_master *sb = &cg->tmp;
	memset(res, 0, sizeof *res);
	engine_master_open(cg, sb, cells, people, k, a, b);
	for (int i = 0; i < k; i++) {
		int p = people[i];
		const struct engine_pool *pl = &cg->pool[p];
		const int16_t *cur = cells + (size_t)p * (size_t)H;
		(void)engine_master_col_add(cg, sb, p, cur);
		/* pool rows that agree with the fixed days */
		for (int j = 0; j < pl->n; j++) {
			const int16_t *r = pl->cells + (size_t)j * (size_t)H;
			if (memcmp(r, cur, sizeof *r * (size_t)a) == 0 &&
			    memcmp(r + b + 1, cur + b + 1, sizeof *r * (size_t)(H - 1 - b)) == 0)
				(void)engine_master_col_add(cg, sb, p, r);
		}
	}
	res->before = res->after = engine_master_cost(cg, sb, cells);
	double nb;
	double stop = sb->hard ? HUGE_VAL : (double)res->before - 1 + 1e-6;
	res->converged = engine_master_generate(cg, sb, max_rounds, stop, &nb);
	if (res->converged && !sb->hard && Clp_objectiveValue(sb->lp) > nb)
		nb = Clp_objectiveValue(sb->lp) - 1e-6;
	res->bound = nb;
	bool room = sb->hard || ceil(nb - 1e-6) < (double)res->before;
	if (room && ip_nodes > 0)
		res->after = engine_master_ip(cg, sb, cells, res->before, ip_nodes, false, seconds);
	engine_master_close(sb);
}
