/* engine_rowdp.c — exact re-optimisation of one person's row (or a window of it) by
 * dynamic programming over days.
 *
 * State after a day: what was worked (off, or the class of shifts sharing a forbidden-next
 * set), the length of the current run (work runs up to max_consec, off runs saturated at
 * min_consec_off, plus "touches day 0" for short work runs, which are exempt), and the
 * resources that can still bind inside the window: minutes (in units of the gcd of the
 * person's shift lengths), worked weekends, and counts of shift types whose maximum the
 * window could exceed. Resources that cannot bind are not tracked, so the state space is
 * usually small; the workspace cap turns pathological cases into "use a shorter window". */
#include <stdlib.h>
#include <string.h>

#include "engine/engine_search.h"

#define MAX_TRACE (8u << 20) /* states × window days kept for the trace back */
#define MAX_BIND 8            /* shift types whose counts are tracked */

struct engine_rowdp {
	int64_t *cur, *nxt;
	int32_t *act_cur, *act_nxt;
	size_t cap_states;
	int32_t *bp;
	int8_t *val;
	size_t cap_trace;
	int32_t *T;    /* run-state transition tables */
	size_t cap_t;
	int *need;     /* minute units needed after each window day */
	size_t cap_need;
	int64_t work;  /* state × value transitions tried, ever */
};

struct dims {
	int K, R, E, RW, RS, M, W, CC;
	int minc, minoff, maxc;
	bool m_exact;    /* minutes tracked exactly (a maximum binds) */
	bool w_track;    /* worked weekends tracked (0..W-1 allowed) */
	int m_need;      /* final minute units must reach this */
	int nb;
	int bind_of[ENGINE_MAX_SHIFTS]; /* shift → binding index or -1 */
	int b_stride[MAX_BIND], b_radix[MAX_BIND];
	int mlen[ENGINE_MAX_SHIFTS];     /* minutes / g */
	int cap[ENGINE_MAX_SHIFTS];      /* room left under each per-type maximum */
	uint64_t loose;                  /* types whose maximum could bind but is not tracked yet */
	uint64_t allow;                  /* values allowed in the window at all */
};

struct engine_rowdp *engine_rowdp_new(void) { return xcalloc(1, sizeof(struct engine_rowdp)); }

void engine_rowdp_free(struct engine_rowdp *w)
{
	if (!w)
		return;
	free(w->cur);
	free(w->nxt);
	free(w->act_cur);
	free(w->act_nxt);
	free(w->bp);
	free(w->val);
	free(w->T);
	free(w->need);
	free(w);
}

static void reserve(struct engine_rowdp *w, size_t ns, size_t trace)
{
	if (ns > w->cap_states) {
		free(w->cur);
		free(w->nxt);
		free(w->act_cur);
		free(w->act_nxt);
		w->cur = xmalloc(sizeof *w->cur * ns);
		w->nxt = xmalloc(sizeof *w->nxt * ns);
		w->act_cur = xmalloc(sizeof *w->act_cur * ns);
		w->act_nxt = xmalloc(sizeof *w->act_nxt * ns);
		for (size_t i = 0; i < ns; i++)
			w->cur[i] = w->nxt[i] = ENGINE_INF;
		w->cap_states = ns;
	}
	if (trace > w->cap_trace) {
		free(w->bp);
		free(w->val);
		w->bp = xmalloc(sizeof *w->bp * trace);
		w->val = xmalloc(sizeof *w->val * trace);
		w->cap_trace = trace;
	}
}

static int gcd(int a, int b)
{
	while (b) {
		int t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/* Work-run part of the state: class c, run length r (1..R), exempt flag. */
static inline int rs_work(const struct dims *x, int c, int r, bool ex)
{
	return x->K + c * x->RW + ((ex && r < x->minc) ? x->R + r - 1 : r - 1);
}

struct context {
	int rs0;           /* run state before day a */
	int next_v;        /* value on day b+1, or ENGINE_UNLOCKED when b is the last day */
	int next_len;      /* run of the same kind starting at b+1 */
	bool next_end;     /* that run touches the last day */
	long minutes_out;
	int count_out[ENGINE_MAX_SHIFTS];
	int weekends_out;
	uint8_t out_worked[ENGINE_MAX_DAYS / 7 + 2];
};

/* Read the fixed days around the window. Returns false when they already break a rule
 * the window cannot repair (a run before the window that is too long). */
static bool read_context(const struct engine_static *st, const struct dims *x,
			 const int16_t *row, int a, int b, struct context *cx)
{
	const struct engine_model *m = st->m;
	int H = st->H;
	memset(cx, 0, sizeof *cx);
	for (int d = 0; d < H; d++) {
		if (d >= a && d <= b)
			continue;
		int v = row[d];
		if (v < 0)
			continue;
		cx->minutes_out += m->shifts[v].minutes;
		cx->count_out[v]++;
		if (m->weekend_of[d] >= 0)
			cx->out_worked[m->weekend_of[d]] = 1;
	}
	for (int k = 0; k < m->nweekends; k++)
		cx->weekends_out += cx->out_worked[k];
	if (a == 0) {
		cx->rs0 = x->K - 1; /* an off run touching day 0: exempt */
	} else {
		int v = row[a - 1], d = a - 1;
		bool w = v >= 0;
		while (d > 0 && (row[d - 1] >= 0) == w)
			d--;
		int len = a - d;
		bool touches0 = d == 0;
		if (!w) {
			cx->rs0 = touches0 ? x->K - 1 : (len < x->K ? len : x->K) - 1;
		} else {
			if (x->maxc > 0 && len > x->maxc)
				return false;
			int r = x->maxc > 0 ? len : (len < x->R ? len : x->R);
			cx->rs0 = rs_work(x, st->shift_cls[v], r, touches0);
		}
	}
	if (b == H - 1) {
		cx->next_v = ENGINE_UNLOCKED;
	} else {
		int v = row[b + 1], d = b + 1;
		bool w = v >= 0;
		while (d + 1 < H && (row[d + 1] >= 0) == w)
			d++;
		cx->next_v = v;
		cx->next_len = d - b;
		cx->next_end = d == H - 1;
	}
	return true;
}

/* Choose the state dimensions for this person and window. Returns 0 when the fixed part
 * already exceeds a resource (no window can be feasible), -1 when too many counts bind. */
static int make_dims(const struct engine_static *st, int p, int a, int b, const struct context *cx, struct dims *x,
		     uint64_t track, const struct engine_rowlim *pp)
{
	const struct engine_model *m = st->m;
	const uint64_t *dom = st->dom + (size_t)p * (size_t)st->H;
	int L = b - a + 1;
	x->allow = 0;
	for (int d = a; d <= b; d++)
		x->allow |= dom[d];
	/* per-type maximums */
	x->nb = 0;
	x->CC = 1;
	x->loose = 0;
	for (int s = 0; s < st->S; s++) {
		x->bind_of[s] = -1;
		if (!(x->allow >> (s + 1) & 1))
			continue;
		int cap = pp->max_count[s] - cx->count_out[s];
		int avail = 0;
		for (int d = a; d <= b; d++)
			avail += (int)(dom[d] >> (s + 1) & 1);
		if (cap <= 0) {
			x->allow &= ~((uint64_t)1 << (s + 1));
			continue;
		}
		x->cap[s] = cap;
		if (cap >= avail)
			continue;
		x->loose |= (uint64_t)1 << s;
		if (!(track >> s & 1))
			continue;
		if (x->nb == MAX_BIND || (long)x->CC * (cap + 1) > (1L << 20))
			return -1;
		x->bind_of[s] = x->nb;
		x->b_radix[x->nb] = cap + 1;
		x->b_stride[x->nb] = x->CC;
		x->CC *= cap + 1;
		x->nb++;
	}
	/* minutes, in units of the gcd of allowed shift lengths */
	int g = 0, maxlen = 0;
	for (int s = 0; s < st->S; s++)
		if (x->allow >> (s + 1) & 1) {
			g = gcd(g, m->shifts[s].minutes);
			if (m->shifts[s].minutes > maxlen)
				maxlen = m->shifts[s].minutes;
		}
	if (g == 0)
		g = 1;
	for (int s = 0; s < st->S; s++)
		x->mlen[s] = m->shifts[s].minutes / g;
	long room = (long)pp->max_minutes - cx->minutes_out;
	long need = (long)pp->min_minutes - cx->minutes_out;
	if (room < 0)
		return 0;
	long cap_units = (long)L * (maxlen / g);
	long need_units = need > 0 ? (need + g - 1) / g : 0;
	if (need_units > cap_units)
		return 0;
	x->m_need = (int)need_units;
	if (pp->max_minutes < ENGINE_NO_LIMIT && room / g < cap_units) {
		x->m_exact = true;
		x->M = (int)(room / g) + 1;
	} else {
		x->m_exact = false;
		x->M = x->m_need + 1;
	}
	/* weekends */
	x->W = 1;
	if (pp->max_weekends < ENGINE_NO_LIMIT) {
		int capw = pp->max_weekends - cx->weekends_out;
		if (capw < 0)
			return 0;
		int touch = 0, last = -1;
		for (int d = a; d <= b; d++) {
			int k = m->weekend_of[d];
			if (k >= 0 && k != last && !cx->out_worked[k]) {
				touch++;
				last = k;
			}
		}
		if (capw < touch) {
			x->W = capw + 1;
			x->w_track = true;
		}
	}
	return 1;
}

static void run_dims(const struct engine_static *st, const struct engine_person *pp, struct dims *x)
{
	x->minc = pp->min_consec > 1 ? pp->min_consec : 1;
	x->minoff = pp->min_consec_off > 1 ? pp->min_consec_off : 1;
	x->maxc = pp->max_consec > 0 ? pp->max_consec : 0;
	x->K = x->minoff;
	x->R = x->maxc > 0 ? x->maxc : x->minc;
	x->E = x->minc - 1;
	x->RW = x->R + x->E;
	x->RS = x->K + st->ncls * x->RW;
}

/* One DP pass with the given dimensions. */
static int dp_pass(struct engine_rowdp *w, const struct engine_static *st, int p, int a, int b, const int64_t *cost,
		   uint64_t *rng, int16_t *out, int64_t *best, const struct dims *xp, const struct context *cxp)
{
	const struct engine_model *m = st->m;
	const uint64_t *dom = st->dom + (size_t)p * (size_t)st->H;
	const struct dims x = *xp;
	const struct context cx = *cxp;
	size_t ns = (size_t)x.RS * (size_t)x.M * (size_t)x.W * (size_t)x.CC;
	int L = b - a + 1;
	if (ns > (1u << 24) || ns * (size_t)L > MAX_TRACE)
		return -1;
	reserve(w, ns, ns * (size_t)L);
	const int MW = x.M * x.W * x.CC, WC = x.W * x.CC, V = st->V;
	/* run-state transitions: T[rs*V + v+1] → next run state or -1; T0 for day 0 */
	size_t tsz = (size_t)x.RS * (size_t)V;
	if (tsz > w->cap_t) {
		free(w->T);
		w->T = xmalloc(sizeof *w->T * 2 * tsz);
		w->cap_t = tsz;
	}
	int32_t *T = w->T, *T0 = w->T + tsz;
	for (int rs = 0; rs < x.RS; rs++) {
		bool was_work = rs >= x.K;
		int cls = -1, r = 0;
		bool ex = false;
		if (was_work) {
			int j = rs - x.K, o = j % x.RW;
			cls = j / x.RW;
			r = o < x.R ? o + 1 : o - x.R + 1;
			ex = o >= x.R;
		}
		for (int v = -1; v < st->S; v++) {
			int nrs = -1, nrs0 = -1;
			if (v < 0) {
				if (was_work)
					nrs = (!ex && r < x.minc) ? -1 : 0;
				else
					nrs = rs + 1 < x.K ? rs + 1 : x.K - 1;
				nrs0 = nrs;
			} else if (was_work) {
				int nr = r + 1;
				if (!(st->cls_fnext[cls] >> v & 1) && !(x.maxc > 0 && nr > x.maxc)) {
					if (x.maxc == 0 && nr > x.R)
						nr = x.R;
					nrs = nrs0 = rs_work(&x, st->shift_cls[v], nr, ex);
				}
			} else if (rs + 1 >= x.minoff) {
				nrs = rs_work(&x, st->shift_cls[v], 1, false);
				nrs0 = rs_work(&x, st->shift_cls[v], 1, true);
			}
			T[(size_t)rs * (size_t)V + (size_t)(v + 1)] = nrs;
			T0[(size_t)rs * (size_t)V + (size_t)(v + 1)] = nrs0;
		}
	}
	/* minute units still reachable after each window day: prune states that cannot
	 * reach the minimum any more */
	if ((size_t)L + 1 > w->cap_need) {
		free(w->need);
		w->need = xmalloc(sizeof *w->need * ((size_t)L + 1));
		w->cap_need = (size_t)L + 1;
	}
	int *need = w->need;
	{
		int cap = 0;
		need[L - 1] = x.m_need;
		for (int i = L - 1; i > 0; i--) {
			int most = 0;
			for (uint64_t vs = dom[a + i] & x.allow & ~(uint64_t)1; vs; vs &= vs - 1)
				if (x.mlen[__builtin_ctzll(vs) - 1] > most)
					most = x.mlen[__builtin_ctzll(vs) - 1];
			cap += most;
			need[i - 1] = x.m_need - cap;
		}
	}
	int nact = 1;
	w->act_cur[0] = cx.rs0 * MW;
	w->cur[w->act_cur[0]] = 0;
	for (int d = a; d <= b; d++) {
		int i = d - a;
		int32_t *bp = w->bp + (size_t)i * ns;
		int8_t *val = w->val + (size_t)i * ns;
		const int64_t *cd = cost + (size_t)i * (size_t)V;
		const int32_t *Td = d == 0 ? T0 : T;
		uint64_t vals = dom[d] & x.allow;
		int wk = m->weekend_of[d];
		bool wk_new = x.w_track && wk >= 0 && !cx.out_worked[wk];
		bool wk_cont = d > a && wk >= 0 && m->weekend_of[d - 1] == wk;
		int mneed = need[i];
		int nnext = 0;
		w->work += (int64_t)nact * __builtin_popcountll(vals);
		for (int k = 0; k < nact; k++) {
			int xs = w->act_cur[k];
			int64_t c0 = w->cur[xs];
			w->cur[xs] = ENGINE_INF;
			int rs = xs / MW, res = xs - rs * MW;
			int mi = res / WC;
			bool was_work = rs >= x.K;
			const int32_t *Tr = Td + (size_t)rs * (size_t)V;
			for (uint64_t vs = vals; vs; vs &= vs - 1) {
				int v = __builtin_ctzll(vs) - 1;
				int nrs = Tr[v + 1];
				if (nrs < 0)
					continue;
				int nres = res;
				if (v < 0) {
					if (mi < mneed)
						continue;
				} else {
					int nmi = mi + x.mlen[v];
					if (nmi >= x.M) {
						if (x.m_exact)
							continue;
						nmi = x.M - 1;
					}
					if (nmi < mneed)
						continue;
					nres += (nmi - mi) * WC;
					if (wk_new && !(wk_cont && was_work)) {
						if ((res % WC) / x.CC + 1 >= x.W)
							continue;
						nres += x.CC;
					}
					int bi = x.bind_of[v];
					if (bi >= 0) {
						if (((res % x.CC) / x.b_stride[bi]) % x.b_radix[bi] + 1 >= x.b_radix[bi])
							continue;
						nres += x.b_stride[bi];
					}
				}
				int ys = nrs * MW + nres;
				int64_t c = c0 + cd[v + 1];
				int64_t old = w->nxt[ys];
				if (c < old || (c == old && rng && (engine_rng_next(rng) & 1))) {
					if (old == ENGINE_INF)
						w->act_nxt[nnext++] = ys;
					w->nxt[ys] = c;
					bp[ys] = xs;
					val[ys] = (int8_t)v;
				}
			}
		}
		int64_t *t = w->cur;
		w->cur = w->nxt;
		w->nxt = t;
		int32_t *ta = w->act_cur;
		w->act_cur = w->act_nxt;
		w->act_nxt = ta;
		nact = nnext;
		if (!nact)
			return 0;
	}
	/* final states: close the window against the fixed days after it */
	int bests = -1;
	int64_t bc = ENGINE_INF;
	for (int k = 0; k < nact; k++) {
		int xs = w->act_cur[k];
		int64_t c0 = w->cur[xs];
		w->cur[xs] = ENGINE_INF;
		int rs = xs / MW, rem = xs % MW;
		int mi = rem / WC;
		if (mi < x.m_need)
			continue;
		if (cx.next_v != ENGINE_UNLOCKED) {
			bool was_work = rs >= x.K;
			int r = 0, cls = -1;
			bool ex = false;
			if (was_work) {
				int j = rs - x.K, o = j % x.RW;
				cls = j / x.RW;
				r = o < x.R ? o + 1 : o - x.R + 1;
				ex = o >= x.R;
			}
			if (cx.next_v >= 0) {
				if (was_work) {
					if (st->cls_fnext[cls] >> cx.next_v & 1)
						continue;
					int comb = r + cx.next_len;
					if (x.maxc > 0 && comb > x.maxc)
						continue;
					if (!ex && !cx.next_end && comb < x.minc)
						continue;
				} else if (rs + 1 < x.minoff || (!cx.next_end && cx.next_len < x.minc)) {
					continue; /* off run ends at b; the run after b now stands alone */
				}
			} else {
				if (was_work) {
					if ((!ex && r < x.minc) || (!cx.next_end && cx.next_len < x.minoff))
						continue;
				} else if (!cx.next_end && rs + 1 + cx.next_len < x.minoff) {
					continue;
				}
			}
		}
		if (c0 < bc || (c0 == bc && rng && (engine_rng_next(rng) & 1))) {
			bc = c0;
			bests = xs;
		}
	}
	if (bests < 0)
		return 0;
	int ys = bests;
	for (int i = L - 1; i >= 0; i--) {
		out[i] = w->val[(size_t)i * ns + (size_t)ys];
		ys = w->bp[(size_t)i * ns + (size_t)ys];
	}
	*best = bc;
	return 1;
}

void engine_rowlim_of(const struct engine_static *st, int p, struct engine_rowlim *lim)
{
	const struct engine_person *pp = &st->m->people[p];
	lim->min_minutes = pp->min_minutes;
	lim->max_minutes = pp->max_minutes;
	lim->max_weekends = pp->max_weekends;
	memcpy(lim->max_count, pp->max_count, sizeof lim->max_count);
}

int engine_rowdp_solve(struct engine_rowdp *w, const struct engine_static *st, int p, const int16_t *row, int a,
		       int b, const int64_t *cost, uint64_t *rng, int16_t *out, int64_t *best)
{
	return engine_rowdp_solve_limited(w, st, p, row, a, b, cost, rng, NULL, out, best);
}

int engine_rowdp_solve_limited(struct engine_rowdp *w, const struct engine_static *st, int p, const int16_t *row,
			       int a, int b, const int64_t *cost, uint64_t *rng, const struct engine_rowlim *limp,
			       int16_t *out, int64_t *best)
{
	const struct engine_person *pp = &st->m->people[p];
	struct engine_rowlim own;
	if (!limp) {
		engine_rowlim_of(st, p, &own);
		limp = &own;
	}
	struct dims x;
	struct context cx;
	memset(&x, 0, sizeof x);
	run_dims(st, pp, &x);
	if (!read_context(st, &x, row, a, b, &cx))
		return 0;
	/* Per-type maximums are added as dimensions only once a solution breaks them. */
	uint64_t track = 0;
	for (;;) {
		int md = make_dims(st, p, a, b, &cx, &x, track, limp);
		if (md <= 0)
			return md;
		int r = dp_pass(w, st, p, a, b, cost, rng, out, best, &x, &cx);
		if (r != 1)
			return r;
		int count[ENGINE_MAX_SHIFTS] = {0};
		for (int i = 0; i <= b - a; i++)
			if (out[i] >= 0)
				count[out[i]]++;
		uint64_t broken = 0;
		for (uint64_t ls = x.loose & ~track; ls; ls &= ls - 1) {
			int s = __builtin_ctzll(ls);
			if (count[s] > x.cap[s])
				broken |= (uint64_t)1 << s;
		}
		if (!broken)
			return 1;
		track |= broken;
	}
}

int64_t engine_rowdp_work(const struct engine_rowdp *w) { return w->work; }
