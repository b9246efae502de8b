/* engine_moves.c — the search moves on one worker's roster (see engine_search.h). */
#include <stdlib.h>
#include <string.h>

#include "engine/engine_search.h"

#define LONG_HORIZON 84  /* beyond this, rows are built window by window */
#define BUILD_WINDOW 28
#define REPAIR_WEIGHT ((int64_t)1 << 36) /* per minute: more minutes first */

void engine_worker_init(struct engine_worker *w, const struct engine_static *st, uint64_t seed)
{
	memset(w, 0, sizeof *w);
	w->st = st;
	engine_state_init(&w->cur, st);
	w->dp = engine_rowdp_new();
	w->rng = seed;
	w->cost = xmalloc(sizeof *w->cost * (size_t)st->H * (size_t)st->V);
	w->win = xmalloc(sizeof *w->win * (size_t)st->H);
	w->saved = xmalloc(sizeof *w->saved * (size_t)st->H * (size_t)st->P);
	w->tmp = xmalloc(sizeof *w->tmp * (size_t)st->H);
	w->perm = xmalloc(sizeof *w->perm * (size_t)st->P);
}

void engine_worker_fini(struct engine_worker *w)
{
	engine_state_fini(&w->cur);
	engine_rowdp_free(w->dp);
	free(w->cost);
	free(w->win);
	free(w->saved);
	free(w->tmp);
	free(w->perm);
	memset(w, 0, sizeof *w);
}

void engine_window_costs(struct engine_worker *w, int p, int a, int b)
{
	const struct engine_static *st = w->st;
	const struct engine_model *m = st->m;
	const int V = st->V, S = st->S;
	const int16_t *row = w->cur.cell + (size_t)p * (size_t)st->H;
	const int32_t *ri = st->req_idx + (size_t)p * (size_t)st->H;
	const uint64_t *dom = st->dom + (size_t)p * (size_t)st->H;
	for (int d = a; d <= b; d++) {
		int64_t *c = w->cost + (size_t)(d - a) * (size_t)V;
		const int32_t *rq = ri[d] >= 0 ? st->req_cost + (size_t)ri[d] * (size_t)V : NULL;
		engine_mask own = row[d] >= 0 ? m->shifts[row[d]].parts : 0;
		c[0] = rq ? rq[0] : 0;
		for (uint64_t vs = dom[d] & ~(uint64_t)1; vs; vs &= vs - 1) {
			int v = __builtin_ctzll(vs) - 1;
			int64_t x = rq ? rq[v + 1] : 0;
			for (engine_mask parts = m->shifts[v].parts; parts; parts &= parts - 1) {
				int t = __builtin_ctzll(parts);
				int i = d * S + t;
				int n = w->cur.n[i] - (int)(own >> t & 1);
				x += engine_cover_cost(&m->cover[i], n + 1) - engine_cover_cost(&m->cover[i], n);
			}
			c[v + 1] = x;
		}
	}
}

/* Write a window into the state; returns the objective change. */
static int64_t apply_window(struct engine_worker *w, int p, int a, int b, const int16_t *vals)
{
	int64_t before = engine_state_total(&w->cur);
	for (int d = a; d <= b; d++)
		engine_state_set(&w->cur, p, d, vals[d - a]);
	engine_state_row_refresh(&w->cur, p);
	return engine_state_total(&w->cur) - before;
}

int64_t engine_move_row(struct engine_worker *w, int p, int a, int b, int64_t accept)
{
	const struct engine_static *st = w->st;
	int16_t *row = w->cur.cell + (size_t)p * (size_t)st->H;
	engine_window_costs(w, p, a, b);
	int64_t best;
	if (engine_rowdp_solve(w->dp, st, p, row, a, b, w->cost, &w->rng, w->win, &best) != 1)
		return ENGINE_INF;
	if (memcmp(row + a, w->win, sizeof *row * (size_t)(b - a + 1)) == 0)
		return ENGINE_INF;
	int16_t *old = w->saved;
	memcpy(old, row + a, sizeof *row * (size_t)(b - a + 1));
	int64_t delta = apply_window(w, p, a, b, w->win);
	if (delta > accept) {
		apply_window(w, p, a, b, old);
		return ENGINE_INF;
	}
	return delta;
}

int64_t engine_move_swap(struct engine_worker *w, int p, int q, int a, int b, int64_t accept)
{
	const struct engine_static *st = w->st;
	const int H = st->H;
	int16_t *rp = w->cur.cell + (size_t)p * (size_t)H, *rq = w->cur.cell + (size_t)q * (size_t)H;
	int same = 1;
	for (int d = a; d <= b; d++) {
		int16_t t = rp[d];
		rp[d] = rq[d];
		rq[d] = t;
		same &= rp[d] == rq[d];
	}
	if (same)
		return ENGINE_INF;
	if (!engine_row_feasible(st, p, rp) || !engine_row_feasible(st, q, rq))
		goto undo;
	int64_t cp = engine_row_cost(st, p, rp), cq = engine_row_cost(st, q, rq);
	int64_t delta = cp + cq - w->cur.rowc[p] - w->cur.rowc[q];
	if (delta > accept)
		goto undo;
	w->cur.row_sum += delta;
	w->cur.rowc[p] = cp;
	w->cur.rowc[q] = cq;
	return delta;
undo:
	for (int d = a; d <= b; d++) {
		int16_t t = rp[d];
		rp[d] = rq[d];
		rq[d] = t;
	}
	return ENGINE_INF;
}

/* Build a (cleared) row window by window, asking each prefix for its pro-rata share of
 * the totals so that the last window can still meet them. */
static int rebuild_row_windowed(struct engine_worker *w, int p)
{
	const struct engine_static *st = w->st;
	const int H = st->H;
	int16_t *row = w->cur.cell + (size_t)p * (size_t)H;
	struct engine_rowlim full, lim;
	engine_rowlim_of(st, p, &full);
	int maxlen = 0;
	for (int s = 0; s < st->S; s++)
		if (st->m->shifts[s].minutes > maxlen)
			maxlen = st->m->shifts[s].minutes;
	for (int a = 0; a < H;) {
		int b = a + BUILD_WINDOW - 1;
		if (b >= H - 1 - BUILD_WINDOW / 2)
			b = H - 1;
		double f = (double)(b + 1) / H;
		int r = 0;
		for (int relax = 0; relax < 3 && r != 1; relax++) {
			lim = full;
			if (b < H - 1 && relax < 2) {
				lim.min_minutes = relax ? 0 : (int)(full.min_minutes * f);
				if (full.max_minutes < ENGINE_NO_LIMIT && full.max_minutes * f + 2 * maxlen < full.max_minutes)
					lim.max_minutes = (int)(full.max_minutes * f) + 2 * maxlen;
				if (full.max_weekends < ENGINE_NO_LIMIT && (int)(full.max_weekends * f) + 1 < full.max_weekends)
					lim.max_weekends = (int)(full.max_weekends * f) + 1;
				for (int s = 0; s < st->S; s++)
					if (full.max_count[s] < H && (int)(full.max_count[s] * f) + 1 < full.max_count[s])
						lim.max_count[s] = (int)(full.max_count[s] * f) + 1;
			}
			engine_window_costs(w, p, a, b);
			int64_t best;
			r = engine_rowdp_solve_limited(w->dp, st, p, row, a, b, w->cost, &w->rng, &lim, w->win, &best);
		}
		if (r == 1)
			apply_window(w, p, a, b, w->win);
		a = b + 1;
	}
	return engine_row_feasible(st, p, row) ? 1 : 0;
}

/* A row short of its minimum minutes: re-optimise overlapping windows to put in as many
 * minutes as the other rules allow (then the usual costs), until the row is feasible. */
static int repair_row(struct engine_worker *w, int p)
{
	const struct engine_static *st = w->st;
	const struct engine_model *m = st->m;
	const int H = st->H, V = st->V;
	int16_t *row = w->cur.cell + (size_t)p * (size_t)H;
	struct engine_rowlim lim;
	engine_rowlim_of(st, p, &lim);
	lim.min_minutes = 0;
	/* first the whole row with the maximum minutes relaxed (a cheap DP): the most minutes
	 * the other rules allow; kept when it also respects the maximum */
	{
		struct engine_rowlim open = lim;
		open.max_minutes = ENGINE_NO_LIMIT;
		for (int i = 0; i < H; i++)
			w->tmp[i] = row[i];
		engine_window_costs(w, p, 0, H - 1);
		for (int d = 0; d < H; d++)
			for (int v = 0; v < st->S; v++)
				w->cost[(size_t)d * (size_t)V + (size_t)(v + 1)] -= REPAIR_WEIGHT * m->shifts[v].minutes;
		int64_t best;
		if (engine_rowdp_solve_limited(w->dp, st, p, row, 0, H - 1, w->cost, &w->rng, &open, w->win, &best) == 1) {
			apply_window(w, p, 0, H - 1, w->win);
			if (engine_row_feasible(st, p, row))
				return 1;
			apply_window(w, p, 0, H - 1, w->tmp);
		}
	}
	const int L = H < BUILD_WINDOW * 2 ? H : BUILD_WINDOW * 2;
	for (int pass = 0; pass < 3; pass++)
		for (int a = 0; a < H; a += L / 2) {
			int b = a + L - 1 < H ? a + L - 1 : H - 1;
			engine_window_costs(w, p, a, b);
			for (int d = a; d <= b; d++)
				for (int v = 0; v < st->S; v++)
					w->cost[(size_t)(d - a) * (size_t)V + (size_t)(v + 1)] -= REPAIR_WEIGHT * m->shifts[v].minutes;
			int64_t best;
			if (engine_rowdp_solve_limited(w->dp, st, p, row, a, b, w->cost, &w->rng, &lim, w->win, &best) == 1)
				apply_window(w, p, a, b, w->win);
			if (engine_row_feasible(st, p, row))
				return 1;
			if (b == H - 1)
				break;
		}
	return 0;
}

/* Best row for p over the whole horizon given everyone else; written into the state.
 * Long horizons (or state spaces too large) are built window by window instead, which
 * is not exact and may fail where an exact row exists. */
static int rebuild_row(struct engine_worker *w, int p)
{
	const struct engine_static *st = w->st;
	int H = st->H;
	int16_t *row = w->cur.cell + (size_t)p * (size_t)H;
	int r = -1;
	if (H <= LONG_HORIZON) {
		engine_window_costs(w, p, 0, H - 1);
		int64_t best;
		r = engine_rowdp_solve(w->dp, st, p, row, 0, H - 1, w->cost, &w->rng, w->win, &best);
		if (r == 1)
			apply_window(w, p, 0, H - 1, w->win);
	}
	if (r == -1)
		r = rebuild_row_windowed(w, p);
	if (r != 1 && H > LONG_HORIZON)
		r = repair_row(w, p);
	return r;
}

static void clear_row(struct engine_worker *w, int p)
{
	const struct engine_static *st = w->st;
	const struct engine_model *m = st->m;
	for (int d = 0; d < st->H; d++) {
		int l = m->lock[(size_t)p * (size_t)st->H + (size_t)d];
		engine_state_set(&w->cur, p, d, l == ENGINE_UNLOCKED ? ENGINE_OFF : l);
	}
	engine_state_row_refresh(&w->cur, p);
}

int64_t engine_move_rebuild(struct engine_worker *w, const int *people, int k, int64_t accept)
{
	const struct engine_static *st = w->st;
	const int H = st->H;
	int64_t before = engine_state_total(&w->cur);
	for (int i = 0; i < k; i++) {
		memcpy(w->saved + (size_t)i * (size_t)H, w->cur.cell + (size_t)people[i] * (size_t)H,
		       sizeof *w->saved * (size_t)H);
		clear_row(w, people[i]);
	}
	bool ok = true;
	for (int pass = 0; pass < 2 && ok; pass++)
		for (int i = 0; i < k && ok; i++)
			ok = rebuild_row(w, people[i]) == 1;
	int64_t delta = engine_state_total(&w->cur) - before;
	if (ok && delta <= accept)
		return delta;
	for (int i = 0; i < k; i++) {
		int p = people[i];
		for (int d = 0; d < H; d++)
			engine_state_set(&w->cur, p, d, w->saved[(size_t)i * (size_t)H + (size_t)d]);
		engine_state_row_refresh(&w->cur, p);
	}
	return ENGINE_INF;
}

int engine_construct(struct engine_worker *w)
{
	const struct engine_static *st = w->st;
	int bad = 0;
	for (int p = 0; p < st->P; p++)
		w->perm[p] = p;
	for (int i = st->P - 1; i > 0; i--) {
		int j = engine_rng_int(&w->rng, i + 1);
		int t = w->perm[i];
		w->perm[i] = w->perm[j];
		w->perm[j] = t;
	}
	for (int i = 0; i < st->P; i++) {
		int p = w->perm[i];
		clear_row(w, p);
		if (rebuild_row(w, p) != 1)
			bad++;
	}
	return bad;
}
