/* engine_state.c — the solver's roster state: derived static data, cover counts, cached
 * costs, and the per-row hard-rule check used by every move. */
#include <stdlib.h>
#include <string.h>

#include "engine/engine_search.h"

static void build_requests(struct engine_static *st, struct arena *a)
{
	const struct engine_model *m = st->m;
	size_t cells = (size_t)st->P * (size_t)st->H;
	st->req_idx = arena_alloc(a, sizeof *st->req_idx * cells);
	for (size_t i = 0; i < cells; i++)
		st->req_idx[i] = -1;
	int nblk = 0;
	for (int i = 0; i < m->nrequests; i++) {
		size_t c = (size_t)m->requests[i].person * (size_t)st->H + (size_t)m->requests[i].day;
		if (st->req_idx[c] < 0)
			st->req_idx[c] = nblk++;
	}
	st->req_cost = arena_alloc(a, sizeof *st->req_cost * (size_t)(nblk ? nblk : 1) * (size_t)st->V);
	for (int i = 0; i < m->nrequests; i++) {
		const struct engine_request *q = &m->requests[i];
		int32_t *c = st->req_cost + (size_t)st->req_idx[(size_t)q->person * (size_t)st->H + (size_t)q->day] * (size_t)st->V;
		st->req_total += q->weight;
		for (int v = -1; v < st->S; v++) {
			bool match = q->shift == ENGINE_ANY ? v >= 0 : v == q->shift;
			if (q->on != match)
				c[v + 1] += q->weight;
		}
	}
}

void engine_static_init(struct engine_static *st, const struct engine_model *m, struct arena *a)
{
	memset(st, 0, sizeof *st);
	st->m = m;
	st->P = m->npeople;
	st->H = m->ndays;
	st->S = m->nshifts;
	st->V = m->nshifts + 1;
	size_t cells = (size_t)st->P * (size_t)st->H;
	st->dom = arena_alloc(a, sizeof *st->dom * cells);
	for (int p = 0; p < st->P; p++) {
		const struct engine_person *pp = &m->people[p];
		uint64_t work = 0;
		for (int s = 0; s < st->S; s++)
			if ((pp->eligible >> s & 1) && pp->max_count[s] > 0)
				work |= (uint64_t)1 << (s + 1);
		for (int d = 0; d < st->H; d++) {
			size_t i = (size_t)p * (size_t)st->H + (size_t)d;
			uint64_t dm = 1 | (m->day_off[i] ? 0 : work);
			int l = m->lock[i];
			if (l != ENGINE_UNLOCKED)
				dm = (uint64_t)1 << (l + 1); /* a lock wins; the evaluator reports conflicts */
			st->dom[i] = dm;
		}
	}
	build_requests(st, a);
	st->shift_cls = arena_alloc(a, sizeof *st->shift_cls * (size_t)st->S);
	for (int s = 0; s < st->S; s++) {
		int c = 0;
		while (c < st->ncls && st->cls_fnext[c] != m->shifts[s].forbidden_next)
			c++;
		if (c == st->ncls)
			st->cls_fnext[st->ncls++] = m->shifts[s].forbidden_next;
		st->shift_cls[s] = c;
	}
	st->soft_terms = m->nfair > 0 || m->nspread > 0;
}

void engine_static_fini(struct engine_static *st) { (void)st; }

static void recompute(struct engine_state *s);

void engine_state_init(struct engine_state *s, const struct engine_static *st)
{
	memset(s, 0, sizeof *s);
	s->st = st;
	size_t cells = (size_t)st->P * (size_t)st->H;
	s->cell = xcalloc(cells, sizeof *s->cell);
	s->n = xcalloc((size_t)st->H * (size_t)st->S, sizeof *s->n);
	s->rowc = xcalloc((size_t)st->P, sizeof *s->rowc);
	for (size_t i = 0; i < cells; i++)
		s->cell[i] = ENGINE_OFF;
	recompute(s);
}

void engine_state_fini(struct engine_state *s)
{
	free(s->cell);
	free(s->n);
	free(s->rowc);
	memset(s, 0, sizeof *s);
}

static void recompute(struct engine_state *s)
{
	const struct engine_static *st = s->st;
	const struct engine_model *m = st->m;
	memset(s->n, 0, sizeof *s->n * (size_t)st->H * (size_t)st->S);
	for (int p = 0; p < st->P; p++)
		for (int d = 0; d < st->H; d++) {
			int v = s->cell[(size_t)p * (size_t)st->H + (size_t)d];
			if (v < 0)
				continue;
			engine_mask parts = m->shifts[v].parts;
			for (int t = 0; t < st->S; t++)
				if (parts >> t & 1)
					s->n[d * st->S + t]++;
		}
	s->cover_cost = 0;
	for (int i = 0; i < st->H * st->S; i++)
		s->cover_cost += engine_cover_cost(&m->cover[i], s->n[i]);
	s->row_sum = 0;
	for (int p = 0; p < st->P; p++) {
		s->rowc[p] = engine_row_cost(st, p, s->cell + (size_t)p * (size_t)st->H);
		s->row_sum += s->rowc[p];
	}
}

void engine_state_load(struct engine_state *s, const int16_t *cells)
{
	memcpy(s->cell, cells, sizeof *s->cell * (size_t)s->st->P * (size_t)s->st->H);
	recompute(s);
}

void engine_state_copy(struct engine_state *dst, const struct engine_state *src)
{
	const struct engine_static *st = src->st;
	memcpy(dst->cell, src->cell, sizeof *dst->cell * (size_t)st->P * (size_t)st->H);
	memcpy(dst->n, src->n, sizeof *dst->n * (size_t)st->H * (size_t)st->S);
	memcpy(dst->rowc, src->rowc, sizeof *dst->rowc * (size_t)st->P);
	dst->cover_cost = src->cover_cost;
	dst->row_sum = src->row_sum;
}

static void cover_add(struct engine_state *s, int d, int v, int delta)
{
	const struct engine_static *st = s->st;
	const struct engine_model *m = st->m;
	engine_mask parts = m->shifts[v].parts;
	while (parts) {
		int t = __builtin_ctzll(parts);
		parts &= parts - 1;
		int i = d * st->S + t;
		s->cover_cost -= engine_cover_cost(&m->cover[i], s->n[i]);
		s->n[i] += delta;
		s->cover_cost += engine_cover_cost(&m->cover[i], s->n[i]);
	}
}

void engine_state_set(struct engine_state *s, int p, int d, int v)
{
	int16_t *c = &s->cell[(size_t)p * (size_t)s->st->H + (size_t)d];
	if (*c == v)
		return;
	if (*c >= 0)
		cover_add(s, d, *c, -1);
	if (v >= 0)
		cover_add(s, d, v, +1);
	*c = (int16_t)v;
}

void engine_state_row_refresh(struct engine_state *s, int p)
{
	int64_t c = engine_row_cost(s->st, p, s->cell + (size_t)p * (size_t)s->st->H);
	s->row_sum += c - s->rowc[p];
	s->rowc[p] = c;
}

static int64_t fair_cost(const struct engine_model *m, int p, const int16_t *row)
{
	int64_t x = 0;
	for (int i = 0; i < m->nfair; i++) {
		const struct engine_fair *f = &m->fair[i];
		if (f->target_centi[p] < 0)
			continue;
		int count = 0;
		for (int d = 0; d < m->ndays; d++)
			if (row[d] >= 0 && (f->shifts >> row[d] & 1) && (!f->weekend_only || m->days[d].weekday >= 5))
				count++;
		int64_t dev = 100LL * count - f->target_centi[p];
		x += (int64_t)f->weight * (dev < 0 ? -dev : dev);
	}
	return x;
}

static int64_t spread_cost(const struct engine_model *m, const int16_t *row)
{
	int64_t x = 0;
	int mark[ENGINE_MAX_DAYS];
	for (int i = 0; i < m->nspread; i++) {
		const struct engine_spread *s = &m->spread[i];
		int len = 0;
		if (s->kind == ENGINE_SPREAD_SHIFTS) {
			len = m->ndays;
			for (int d = 0; d < len; d++)
				mark[d] = row[d] >= 0 && (s->shifts >> row[d] & 1);
		} else {
			len = m->nweekends;
			memset(mark, 0, sizeof(int) * (size_t)len);
			for (int d = 0; d < m->ndays; d++)
				if (m->weekend_of[d] >= 0 && row[d] >= 0)
					mark[m->weekend_of[d]] = 1;
		}
		int count = 0;
		for (int k = 0; k < len; k++) {
			count += mark[k];
			if (k >= s->window)
				count -= mark[k - s->window];
			if (k >= s->window - 1 && count > s->max)
				x += (int64_t)s->weight * (count - s->max);
		}
	}
	return x;
}

int64_t engine_row_cost(const struct engine_static *st, int p, const int16_t *row)
{
	int64_t x = 0;
	const int32_t *ri = st->req_idx + (size_t)p * (size_t)st->H;
	for (int d = 0; d < st->H; d++)
		if (ri[d] >= 0)
			x += st->req_cost[(size_t)ri[d] * (size_t)st->V + (size_t)(row[d] + 1)];
	if (st->soft_terms)
		x += fair_cost(st->m, p, row) + spread_cost(st->m, row);
	return x;
}

bool engine_row_feasible(const struct engine_static *st, int p, const int16_t *row)
{
	const struct engine_model *m = st->m;
	const struct engine_person *pp = &m->people[p];
	const uint64_t *dom = st->dom + (size_t)p * (size_t)st->H;
	int H = st->H;
	int count[ENGINE_MAX_SHIFTS] = {0};
	long minutes = 0;
	int weekends = 0, last_wk = -1;
	int run = 0, off = 0, run_start = 0, off_start = 0;
	for (int d = 0; d < H; d++) {
		int v = row[d];
		if (!(dom[d] >> (v + 1) & 1))
			return false;
		if (v >= 0) {
			if (d > 0 && row[d - 1] >= 0 && (m->shifts[row[d - 1]].forbidden_next >> v & 1))
				return false;
			if (++count[v] > pp->max_count[v])
				return false;
			minutes += m->shifts[v].minutes;
			int wk = m->weekend_of[d];
			if (wk >= 0 && wk != last_wk) {
				weekends++;
				last_wk = wk;
			}
			if (off > 0 && off_start > 0 && off < pp->min_consec_off)
				return false;
			off = 0;
			if (run == 0)
				run_start = d;
			run++;
			if (pp->max_consec > 0 && run > pp->max_consec)
				return false;
		} else {
			if (run > 0 && run_start > 0 && run < pp->min_consec)
				return false;
			run = 0;
			if (off == 0)
				off_start = d;
			off++;
		}
	}
	return minutes <= pp->max_minutes && minutes >= pp->min_minutes && weekends <= pp->max_weekends;
}

bool engine_state_check(const struct engine_state *s)
{
	struct engine_state t;
	engine_state_init(&t, s->st);
	engine_state_load(&t, s->cell);
	bool ok = t.cover_cost == s->cover_cost && t.row_sum == s->row_sum &&
		  memcmp(t.n, s->n, sizeof *t.n * (size_t)s->st->H * (size_t)s->st->S) == 0;
	engine_state_fini(&t);
	return ok;
}
