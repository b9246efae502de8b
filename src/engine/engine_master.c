/* engine_master.c — column-generation masters (see engine_master.h). */
#include "engine/engine_master.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <Cbc_C_Interface.h>

static uint64_t row_hash(int p, const int16_t *r, int H)
{
	uint64_t h = 1469598103934665603ull ^ ((uint64_t)p * 0x9E3779B97F4A7C15ull);
	for (int d = 0; d < H; d++)
		h = (h ^ (uint64_t)(uint16_t)r[d]) * 1099511628211ull;
	return h | 1;
}

void engine_master_alloc(struct engine_master *sb, const struct engine_static *st)
{
	memset(sb, 0, sizeof *sb);
	sb->people = xmalloc(sizeof *sb->people * (size_t)st->P);
	sb->local = xmalloc(sizeof *sb->local * (size_t)st->P);
	for (int p = 0; p < st->P; p++)
		sb->local[p] = -1;
	sb->row_of = xmalloc(sizeof *sb->row_of * (size_t)st->H * (size_t)st->S);
	sb->row_cell = xmalloc(sizeof *sb->row_cell * (size_t)st->H * (size_t)st->S);
	sb->nfixed = xmalloc(sizeof *sb->nfixed * (size_t)st->H * (size_t)st->S);
	sb->allow = xmalloc(sizeof *sb->allow * (size_t)st->P * (size_t)st->H);
	memcpy(sb->allow, st->dom, sizeof *sb->allow * (size_t)st->P * (size_t)st->H);
}

void engine_master_release(struct engine_master *sb)
{
	if (sb->lp)
		Clp_deleteModel(sb->lp);
	free(sb->people);
	free(sb->local);
	free(sb->row_of);
	free(sb->row_cell);
	free(sb->nfixed);
	free(sb->col_person);
	free(sb->col_cells);
	free(sb->col_cost);
	free(sb->hkey);
	free(sb->hval);
	free(sb->qstart);
	free(sb->qidx);
	free(sb->qval);
	free(sb->qobj);
	free(sb->qlo);
	free(sb->qup);
	free(sb->allow);
	free(sb->lo);
	free(sb->up);
}

double engine_master_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void engine_master_pool_put(struct engine_colgen *cg, int p, const int16_t *r)
{
	const int H = cg->st->H;
	struct engine_pool *pl = &cg->pool[p];
	uint64_t h = row_hash(p, r, H);
	for (int i = 0; i < pl->n; i++)
		if (pl->hash[i] == h && memcmp(pl->cells + (size_t)i * (size_t)H, r, sizeof *r * (size_t)H) == 0)
			return;
	if (!pl->cells) {
		pl->cells = xmalloc(sizeof *pl->cells * (size_t)POOL_CAP * (size_t)H);
		pl->hash = xmalloc(sizeof *pl->hash * POOL_CAP);
	}
	int i = pl->n < POOL_CAP ? pl->n++ : pl->next;
	if (pl->n == POOL_CAP && i == pl->next)
		pl->next = (pl->next + 1) % POOL_CAP;
	memcpy(pl->cells + (size_t)i * (size_t)H, r, sizeof *r * (size_t)H);
	pl->hash[i] = h;
}

/* ---- masters ---------------------------------------------------------------------- */

static void hash_grow(struct engine_master *sb)
{
	size_t ncap = sb->hcap ? sb->hcap * 2 : 4096;
	uint64_t *k = xcalloc(ncap, sizeof *k);
	int32_t *v = xmalloc(sizeof *v * ncap);
	for (size_t i = 0; i < sb->hcap; i++)
		if (sb->hkey[i]) {
			size_t j = sb->hkey[i] & (ncap - 1);
			while (k[j])
				j = (j + 1) & (ncap - 1);
			k[j] = sb->hkey[i];
			v[j] = sb->hval[i];
		}
	free(sb->hkey);
	free(sb->hval);
	sb->hkey = k;
	sb->hval = v;
	sb->hcap = ncap;
}

/* Column index of row r for local person i, or -1. */
static int col_find(const struct engine_master *sb, int H, int i, const int16_t *r, uint64_t h)
{
	if (!sb->hcap)
		return -1;
	for (size_t j = h & (sb->hcap - 1); sb->hkey[j]; j = (j + 1) & (sb->hcap - 1))
		if (sb->hkey[j] == h) {
			int c = sb->hval[j];
			if (sb->col_person[c] == i &&
			    memcmp(sb->col_cells + (size_t)c * (size_t)H, r, sizeof *r * (size_t)H) == 0)
				return c;
		}
	return -1;
}

/* Does row r of person p respect the current node's restrictions? */
static bool col_allowed(const struct engine_master *sb, const struct engine_static *st, int p, const int16_t *r)
{
	const uint64_t *al = sb->allow + (size_t)p * (size_t)st->H;
	for (int d = 0; d < st->H; d++)
		if (!(al[d] >> (r[d] + 1) & 1))
			return false;
	return true;
}

/* Add row r of person p (in K) as a column unless present; returns true when added. */
bool engine_master_col_add(struct engine_colgen *cg, struct engine_master *sb, int p, const int16_t *r)
{
	const struct engine_static *st = cg->st;
	const struct engine_model *m = st->m;
	const int H = st->H, S = st->S;
	int li = sb->local[p];
	uint64_t h = row_hash(p, r, H);
	if (col_find(sb, H, li, r, h) >= 0)
		return false;
	if (2 * ((size_t)sb->ncols + 1) > sb->hcap)
		hash_grow(sb);
	size_t j = h & (sb->hcap - 1);
	while (sb->hkey[j])
		j = (j + 1) & (sb->hcap - 1);
	sb->hkey[j] = h;
	sb->hval[j] = sb->ncols;
	if (sb->ncols == sb->capcols) {
		sb->capcols = sb->capcols ? sb->capcols * 2 : 1024;
		sb->col_person = xrealloc(sb->col_person, sizeof *sb->col_person * (size_t)sb->capcols);
		sb->col_cells = xrealloc(sb->col_cells, sizeof *sb->col_cells * (size_t)sb->capcols * (size_t)H);
		sb->col_cost = xrealloc(sb->col_cost, sizeof *sb->col_cost * (size_t)sb->capcols);
	}
	int c = sb->ncols++;
	sb->col_person[c] = li;
	memcpy(sb->col_cells + (size_t)c * (size_t)H, r, sizeof *r * (size_t)H);
	sb->col_cost[c] = (double)engine_row_cost(st, p, r);
	int n = 0;
	cg->idx[n] = li;
	cg->val[n++] = 1;
	for (int d = 0; d < H; d++)
		if (r[d] >= 0)
			for (engine_mask parts = m->shifts[r[d]].parts; parts; parts &= parts - 1) {
				int row = sb->row_of[d * S + __builtin_ctzll(parts)];
				if (row >= 0) {
					cg->idx[n] = sb->k + row;
					cg->val[n++] = 1;
				}
			}
	if (sb->qn + 1 >= sb->qcap) {
		sb->qcap = (sb->qcap + 1) * 2;
		sb->qstart = xrealloc(sb->qstart, sizeof *sb->qstart * (size_t)(sb->qcap + 1));
		sb->qobj = xrealloc(sb->qobj, sizeof *sb->qobj * (size_t)sb->qcap);
		sb->qlo = xrealloc(sb->qlo, sizeof *sb->qlo * (size_t)sb->qcap);
		sb->qup = xrealloc(sb->qup, sizeof *sb->qup * (size_t)sb->qcap);
	}
	if (sb->qnnz + (size_t)n > sb->qcapnz) {
		sb->qcapnz = (sb->qcapnz + (size_t)n) * 2;
		sb->qidx = xrealloc(sb->qidx, sizeof *sb->qidx * sb->qcapnz);
		sb->qval = xrealloc(sb->qval, sizeof *sb->qval * sb->qcapnz);
	}
	sb->qstart[sb->qn] = (CoinBigIndex)sb->qnnz;
	sb->qobj[sb->qn] = sb->col_cost[c];
	sb->qlo[sb->qn] = 0;
	sb->qup[sb->qn] = col_allowed(sb, cg->st, p, r) ? 1 : 0;
	sb->qn++;
	memcpy(sb->qidx + sb->qnnz, cg->idx, sizeof *cg->idx * (size_t)n);
	memcpy(sb->qval + sb->qnnz, cg->val, sizeof *cg->val * (size_t)n);
	sb->qnnz += (size_t)n;
	return true;
}

void engine_master_flush(struct engine_master *sb)
{
	if (!sb->qn)
		return;
	sb->qstart[sb->qn] = (CoinBigIndex)sb->qnnz;
	int first = Clp_getNumCols(sb->lp);
	Clp_addColumns(sb->lp, sb->qn, sb->qlo, sb->qup, sb->qobj, sb->qstart, sb->qidx, sb->qval);
	/* Clp leaves the new columns' values uninitialised: make them nonbasic at zero */
	double *xs = Clp_primalColumnSolution(sb->lp);
	for (int j = first; j < first + sb->qn; j++) {
		xs[j] = 0;
		Clp_setColumnStatus(sb->lp, j, 3);
	}
	sb->qn = 0;
	sb->qnnz = 0;
}

/* Set up a master for people (everyone else fixed as in cells). */
void engine_master_open(struct engine_colgen *cg, struct engine_master *sb, const int16_t *cells, const int *people, int k, int a,
		     int b)
{
	const struct engine_static *st = cg->st;
	const struct engine_model *m = st->m;
	const int P = st->P, H = st->H, S = st->S;
	sb->k = k;
	sb->a = a;
	sb->b = b;
	sb->ctx = cells;
	memcpy(sb->people, people, sizeof *people * (size_t)k);
	for (int i = 0; i < k; i++)
		sb->local[people[i]] = i;
	memcpy(sb->allow, st->dom, sizeof *sb->allow * (size_t)P * (size_t)H);
	/* rows the free people can touch, and everyone else's coverage */
	int *nf = sb->nfixed;
	memset(nf, 0, sizeof *nf * (size_t)H * (size_t)S);
	for (int i = 0; i < H * S; i++)
		sb->row_of[i] = -1;
	for (int p = 0; p < P; p++) {
		const int16_t *r = cells + (size_t)p * (size_t)H;
		if (sb->local[p] >= 0) {
			const uint64_t *dom = st->dom + (size_t)p * (size_t)H;
			for (int d = a; d <= b; d++)
				for (uint64_t vs = dom[d] & ~(uint64_t)1; vs; vs &= vs - 1)
					for (engine_mask parts = m->shifts[__builtin_ctzll(vs) - 1].parts; parts;
					     parts &= parts - 1)
						sb->row_of[d * S + __builtin_ctzll(parts)] = 0;
			continue;
		}
		for (int d = a; d <= b; d++)
			if (r[d] >= 0)
				for (engine_mask parts = m->shifts[r[d]].parts; parts; parts &= parts - 1)
					nf[d * S + __builtin_ctzll(parts)]++;
	}
	sb->nrows = 0;
	sb->hard = false;
	for (int i = 0; i < H * S; i++) {
		if (sb->row_of[i] < 0)
			continue;
		sb->row_of[i] = sb->nrows;
		sb->row_cell[sb->nrows] = i;
		nf[sb->nrows] = nf[i]; /* compacting in place: nrows <= i */
		sb->nrows++;
		sb->hard |= m->cover[i].hard_min > 0;
	}
	/* the LP: convexity rows, cover rows with three slacks each, and one artificial per
	 * convexity row so that the LP stays feasible under any branching */
	int nr = k + sb->nrows, ns = 3 * sb->nrows + k;
	double *rhs = xmalloc(sizeof *rhs * (size_t)nr);
	for (int i = 0; i < k; i++)
		rhs[i] = 1;
	for (int j = 0; j < sb->nrows; j++)
		rhs[k + j] = m->cover[sb->row_cell[j]].req - sb->nfixed[j];
	CoinBigIndex *start = xmalloc(sizeof *start * (size_t)(ns + 1));
	int *index = xmalloc(sizeof *index * (size_t)(ns + 1));
	double *value = xmalloc(sizeof *value * (size_t)(ns + 1)), *lo = xmalloc(sizeof *lo * (size_t)(ns + 1)),
	       *up = xmalloc(sizeof *up * (size_t)(ns + 1)), *obj = xmalloc(sizeof *obj * (size_t)(ns + 1));
	for (int j = 0; j < sb->nrows; j++) {
		const struct engine_cover *c = &m->cover[sb->row_cell[j]];
		int hm = c->hard_min < c->req ? c->hard_min : c->req;
		for (int t = 0; t < 3; t++) {
			int q = 3 * j + t;
			start[q] = q;
			index[q] = k + j;
			value[q] = t == 2 ? -1 : 1;
			lo[q] = 0;
			up[q] = t == 0 ? (double)(c->req - hm) : t == 1 ? (hm > 0 ? 1e30 : 0) : 1e30;
			obj[q] = t == 0 ? c->w_under : t == 1 ? c->w_under + LP_HARD : c->w_over;
		}
	}
	for (int i = 0; i < k; i++) {
		int q = 3 * sb->nrows + i;
		start[q] = q;
		index[q] = i;
		value[q] = 1;
		lo[q] = 0;
		up[q] = 1e30;
		obj[q] = ARTIFICIAL;
	}
	start[ns] = ns;
	sb->lp = Clp_newModel();
	Clp_setLogLevel(sb->lp, 0);
	Clp_loadProblem(sb->lp, ns, nr, start, index, value, lo, up, obj, rhs, rhs);
	sb->nslack = ns;
	sb->ncols = 0;
	sb->qn = 0;
	sb->qnnz = 0;
	if (sb->hcap)
		memset(sb->hkey, 0, sizeof *sb->hkey * sb->hcap);
	sb->bound = -HUGE_VAL;
	sb->tail = 0;
	sb->bounds_changed = false;
	free(start);
	free(index);
	free(value);
	free(lo);
	free(up);
	free(obj);
	free(rhs);
}

void engine_master_close(struct engine_master *sb)
{
	for (int i = 0; i < sb->k; i++)
		sb->local[sb->people[i]] = -1;
	sb->k = 0;
	if (sb->lp)
		Clp_deleteModel(sb->lp);
	sb->lp = NULL;
}

/* Cost of row r of person p minus the cover prices pi it collects. */
double engine_master_col_value(struct engine_colgen *cg, const struct engine_master *sb, int p, const int16_t *r, const double *pi)
{
	const struct engine_static *st = cg->st;
	const struct engine_model *m = st->m;
	const int H = st->H, S = st->S;
	double x = (double)engine_row_cost(st, p, r);
	for (int d = 0; d < H; d++)
		if (r[d] >= 0)
			for (engine_mask parts = m->shifts[r[d]].parts; parts; parts &= parts - 1) {
				int row = sb->row_of[d * S + __builtin_ctzll(parts)];
				if (row >= 0)
					x -= pi[sb->k + row];
			}
	return x;
}

/* Best row of person p under cover prices pi (in cg->out); returns its cost minus the
 * prices it collects, or +inf when the person has no feasible row. */
double engine_master_price(struct engine_colgen *cg, const struct engine_master *sb, int p, const double *pi)
{
	const struct engine_static *st = cg->st;
	const struct engine_model *m = st->m;
	const int H = st->H, S = st->S, V = st->V;
	const int32_t *ri = st->req_idx + (size_t)p * (size_t)H;
	const uint64_t *al = sb->allow + (size_t)p * (size_t)H;
	const int a = sb->a, b = sb->b;
	memcpy(cg->row, sb->ctx + (size_t)p * (size_t)H, sizeof *cg->row * (size_t)H);
	for (int d = a; d <= b; d++) {
		const int32_t *rq = ri[d] >= 0 ? st->req_cost + (size_t)ri[d] * (size_t)V : NULL;
		int64_t *c = cg->cost + (size_t)(d - a) * (size_t)V;
		for (int v = -1; v < S; v++) {
			double x = rq ? rq[v + 1] : 0;
			if (v >= 0)
				for (engine_mask parts = m->shifts[v].parts; parts; parts &= parts - 1) {
					int row = sb->row_of[d * S + __builtin_ctzll(parts)];
					if (row >= 0)
						x -= pi[sb->k + row];
				}
			c[v + 1] = (al[d] >> (v + 1) & 1) ? llround(x * SCALE) : FORBID;
		}
	}
	int64_t best;
	int64_t w0 = engine_rowdp_work(cg->dp);
	int ok = engine_rowdp_solve(cg->dp, st, p, cg->row, a, b, cg->cost, cg->tie_rng, cg->out, &best);
	cg->work += engine_rowdp_work(cg->dp) - w0;
	if (ok != 1 || best >= FORBID / 2)
		return HUGE_VAL;
	/* the full row: context with the window put in */
	memmove(cg->out + a, cg->out, sizeof *cg->out * (size_t)(b - a + 1));
	memcpy(cg->out, cg->row, sizeof *cg->out * (size_t)a);
	memcpy(cg->out + b + 1, cg->row + b + 1, sizeof *cg->out * (size_t)(H - 1 - b));
	return engine_master_col_value(cg, sb, p, cg->out, pi);
}

void engine_master_solve(struct engine_colgen *cg, struct engine_master *sb)
{
	engine_master_flush(sb);
	/* after new bounds the old basis stays dual feasible; after new columns, primal */
	if (sb->bounds_changed)
		Clp_dual(sb->lp, 0);
	else
		Clp_primal(sb->lp, 0);
	sb->bounds_changed = false;
	if (Clp_status(sb->lp) != 0)
		Clp_primal(sb->lp, 0);
	if (Clp_status(sb->lp) != 0)
		Clp_initialSolve(sb->lp);
	sb->lp_ok = Clp_status(sb->lp) == 0;
	cg->work += (int64_t)Clp_numberIterations(sb->lp) * (sb->k + sb->nrows + Clp_getNumCols(sb->lp) / 4) * LP_TICK +
		    (int64_t)(sb->k + sb->nrows) * LP_TICK;
}

/* Drop columns that are far from useful (nonbasic at zero with the largest reduced
 * costs) once the master holds many more than its rows: pivots get cheaper; pricing
 * brings a column back if it is needed again. Only right after a solve. */
static void purge(struct engine_colgen *cg, struct engine_master *sb)
{
	const int H = cg->st->H;
	int keep = 3 * (sb->k + sb->nrows);
	if (keep < 1000)
		keep = 1000;
	if (sb->ncols <= 2 * keep)
		return;
	const double *rc = Clp_getReducedCost(sb->lp);
	const double *x = Clp_getColSolution(sb->lp);
	double *key = xmalloc(sizeof *key * (size_t)sb->ncols);
	int ndrop = 0;
	for (int c = 0; c < sb->ncols; c++) {
		int j = sb->nslack + c;
		int status = Clp_getColumnStatus(sb->lp, j);
		bool droppable = status != 1 && x[j] < 1e-9 && rc[j] > 1e-6;
		key[c] = droppable ? rc[j] : -1;
		ndrop += droppable;
	}
	/* threshold: the (ncols - keep)-th largest droppable reduced cost */
	int want = sb->ncols - keep < ndrop ? sb->ncols - keep : ndrop;
	double *tmp = xmalloc(sizeof *tmp * (size_t)(ndrop + 1));
	int n = 0;
	for (int c = 0; c < sb->ncols; c++)
		if (key[c] >= 0)
			tmp[n++] = key[c];
	/* nth largest by partial selection */
	double thr = 0;
	if (want > 0) {
		int lo = 0, hi = n - 1, kth = want - 1; /* index in descending order */
		while (lo < hi) {
			double pivot = tmp[(lo + hi) / 2];
			int i = lo, j = hi;
			while (i <= j) {
				while (tmp[i] > pivot)
					i++;
				while (tmp[j] < pivot)
					j--;
				if (i <= j) {
					double t = tmp[i];
					tmp[i] = tmp[j];
					tmp[j] = t;
					i++;
					j--;
				}
			}
			if (kth <= j)
				hi = j;
			else if (kth >= i)
				lo = i;
			else
				break;
		}
		thr = tmp[kth];
	}
	free(tmp);
	int *which = xmalloc(sizeof *which * (size_t)(want + 1));
	int nw = 0, to = 0;
	for (int c = 0; c < sb->ncols; c++) {
		if (nw < want && key[c] >= thr && key[c] >= 0) {
			which[nw++] = sb->nslack + c;
			continue;
		}
		if (to != c) {
			sb->col_person[to] = sb->col_person[c];
			sb->col_cost[to] = sb->col_cost[c];
			memcpy(sb->col_cells + (size_t)to * (size_t)H, sb->col_cells + (size_t)c * (size_t)H,
			       sizeof *sb->col_cells * (size_t)H);
		}
		to++;
	}
	free(key);
	if (nw) {
		Clp_deleteColumns(sb->lp, nw, which);
		sb->ncols = to;
		memset(sb->hkey, 0, sizeof *sb->hkey * sb->hcap);
		for (int c = 0; c < sb->ncols; c++) {
			uint64_t h = row_hash(sb->people[sb->col_person[c]], sb->col_cells + (size_t)c * (size_t)H, H);
			size_t j = h & (sb->hcap - 1);
			while (sb->hkey[j])
				j = (j + 1) & (sb->hcap - 1);
			sb->hkey[j] = h;
			sb->hval[j] = c;
		}
	}
	free(which);
}

/* Pricing rounds until no column prices out (true) or max_rounds pass. Fixed people are
 * not priced. *node_bound gets the best Lagrangian bound at this node (valid only with no
 * fixed person); the search stops early once it reaches `stop`. */
bool engine_master_generate(struct engine_colgen *cg, struct engine_master *sb, int max_rounds, double stop, double *node_bound)
{
	*node_bound = -HUGE_VAL;
	for (int round = 0; round < max_rounds; round++) {
		if (cg->deadline > 0 && engine_master_now() > cg->deadline)
			return false;
		engine_master_solve(cg, sb);
		if (!sb->lp_ok)
			return false;
		purge(cg, sb);
		const double *y = Clp_dualRowSolution(sb->lp);
		double sum = 0;
		int added = 0;
		bool all = true;
		for (int i = 0; i < sb->k; i++) {
			int p = sb->people[i];
			double v = engine_master_price(cg, sb, p, y);
			if (v == HUGE_VAL) {
				all = false;
				continue;
			}
			double rc = v - y[i];
			sum += rc < 0 ? rc : 0;
			if (rc < -RC_EPS) {
				engine_master_pool_put(cg, p, cg->out);
				added += engine_master_col_add(cg, sb, p, cg->out);
			}
		}
		double L = Clp_objectiveValue(sb->lp) + sum - (double)sb->k * cg->st->H / SCALE;
		if (all && L > *node_bound)
			*node_bound = L;
		if (!added || (all && sum > -sb->tail))
			return true; /* optimal, or within the tolerance of the bound */
		if (*node_bound >= stop)
			return false;
	}
	return false;
}

void engine_master_bounds(struct engine_master *sb, const struct engine_static *st)
{
	const int H = st->H;
	engine_master_flush(sb);
	int n = sb->nslack + sb->ncols;
	if (n > sb->capb) {
		sb->capb = n * 2;
		sb->lo = xrealloc(sb->lo, sizeof *sb->lo * (size_t)sb->capb);
		sb->up = xrealloc(sb->up, sizeof *sb->up * (size_t)sb->capb);
	}
	memcpy(sb->lo, Clp_getColLower(sb->lp), sizeof *sb->lo * (size_t)sb->nslack);
	memcpy(sb->up, Clp_getColUpper(sb->lp), sizeof *sb->up * (size_t)sb->nslack);
	for (int c = 0; c < sb->ncols; c++) {
		sb->lo[sb->nslack + c] = 0;
		sb->up[sb->nslack + c] =
			col_allowed(sb, st, sb->people[sb->col_person[c]], sb->col_cells + (size_t)c * (size_t)H) ? 1 : 0;
	}
	Clp_chgColumnLower(sb->lp, sb->lo);
	Clp_chgColumnUpper(sb->lp, sb->up);
	sb->bounds_changed = true;
}


/* Cover cost of the sub-problem's rows plus the free people's row costs. */
int64_t engine_master_cost(struct engine_colgen *cg, const struct engine_master *sb, const int16_t *cells)
{
	const struct engine_static *st = cg->st;
	const struct engine_model *m = st->m;
	const int H = st->H, S = st->S;
	int *n = xcalloc((size_t)sb->nrows + 1, sizeof *n);
	int64_t c = 0;
	for (int i = 0; i < sb->k; i++) {
		int p = sb->people[i];
		const int16_t *r = cells + (size_t)p * (size_t)H;
		c += engine_row_cost(st, p, r);
		for (int d = 0; d < H; d++)
			if (r[d] >= 0)
				for (engine_mask parts = m->shifts[r[d]].parts; parts; parts &= parts - 1) {
					int row = sb->row_of[d * S + __builtin_ctzll(parts)];
					if (row >= 0)
						n[row]++;
				}
	}
	for (int j = 0; j < sb->nrows; j++)
		c += engine_cover_cost(&m->cover[sb->row_cell[j]], sb->nfixed[j] + n[j]);
	free(n);
	return c;
}

/* Cbc over the master's columns; writes the chosen rows into cells when they cost less
 * than `before`. Returns the new sub-problem cost. */
int64_t engine_master_ip(struct engine_colgen *cg, struct engine_master *sb, int16_t *cells, int64_t before, int nodes, bool full,
			double seconds)
{
	const int H = cg->st->H;
	engine_master_flush(sb);
	int ncols = Clp_getNumCols(sb->lp), nrows = Clp_getNumRows(sb->lp);
	Cbc_Model *ip = Cbc_newModel();
	Cbc_loadProblem(ip, ncols, nrows, Clp_getVectorStarts(sb->lp), Clp_getIndices(sb->lp), Clp_getElements(sb->lp),
			Clp_getColLower(sb->lp), Clp_getColUpper(sb->lp), Clp_getObjCoefficients(sb->lp),
			Clp_getRowLower(sb->lp), Clp_getRowUpper(sb->lp));
	for (int j = sb->nslack; j < ncols; j++)
		Cbc_setInteger(ip, j);
	int *sidx = xmalloc(sizeof *sidx * (size_t)sb->k);
	double *sval = xmalloc(sizeof *sval * (size_t)sb->k);
	int ns = 0;
	for (int i = 0; i < sb->k; i++) {
		int p = sb->people[i];
		const int16_t *r = cells + (size_t)p * (size_t)H;
		int c = col_find(sb, H, i, r, row_hash(p, r, H));
		if (c >= 0) {
			sidx[ns] = sb->nslack + c;
			sval[ns++] = 1;
		}
	}
	if (ns == sb->k)
		Cbc_setMIPStartI(ip, ns, sidx, sval);
	free(sidx);
	free(sval);
	Cbc_setLogLevel(ip, 0);
	/* fixed seeds: Cbc otherwise carries random state from one solve to the next */
	Cbc_setParameter(ip, "randomCbcSeed", "1");
	Cbc_setParameter(ip, "randomSeed", "1");
	if (!full) {
		/* small masters: plain branch and bound is quicker than cuts and heuristics */
		Cbc_setParameter(ip, "cuts", "off");
		Cbc_setParameter(ip, "heuristicsOnOff", "off");
		Cbc_setParameter(ip, "preprocess", "off");
	}
	Cbc_setMaximumNodes(ip, nodes);
	Cbc_setMaximumSeconds(ip, seconds > 0 ? seconds : 1e6);
	Cbc_setAllowableGap(ip, 0.999);
	if (!sb->hard)
		Cbc_setCutoff(ip, (double)before - 0.5);
	Cbc_solve(ip);
	cg->work += ((int64_t)Cbc_getNodeCount(ip) * (nrows + ncols) + (int64_t)Cbc_getIterationCount(ip) * (nrows + ncols / 4)) *
		    LP_TICK;
	const double *x = Cbc_bestSolution(ip);
	int64_t after = before;
	if (x) {
		int16_t *save = xmalloc(sizeof *save * (size_t)sb->k * (size_t)H);
		for (int i = 0; i < sb->k; i++)
			memcpy(save + (size_t)i * (size_t)H, cells + (size_t)sb->people[i] * (size_t)H, sizeof *save * (size_t)H);
		int got = 0;
		for (int c = 0; c < sb->ncols; c++)
			if (x[sb->nslack + c] > 0.5) {
				int p = sb->people[sb->col_person[c]];
				memcpy(cells + (size_t)p * (size_t)H, sb->col_cells + (size_t)c * (size_t)H, sizeof *cells * (size_t)H);
				got++;
			}
		int64_t cc = got == sb->k ? engine_master_cost(cg, sb, cells) : before;
		if (got == sb->k && cc < before) {
			after = cc;
		} else {
			for (int i = 0; i < sb->k; i++)
				memcpy(cells + (size_t)sb->people[i] * (size_t)H, save + (size_t)i * (size_t)H,
				       sizeof *save * (size_t)H);
		}
		free(save);
	}
	Cbc_deleteModel(ip);
	return after;
}
