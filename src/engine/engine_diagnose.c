/* engine_diagnose.c — dry-run feasibility diagnostics (see engine_diagnose.h). */
#include "engine/engine_diagnose.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "engine/engine_eval.h"
#include "engine/engine_search.h"
#include "engine/engine_solve.h"

#define BIG ((int64_t)1 << 50)
#define MAX_NAMES 12

/* One rule relaxed for everybody, to name the rule that blocks a person. */
enum relax { RX_NONE, RX_WEEKENDS, RX_MAXMIN, RX_COUNTS, RX_MAXCONSEC, RX_MINRUNS, RX_SUCCESSION, RX_MINMIN, RX__COUNT };

struct diag {
	const struct engine_model *m;
	struct arena *a;
	struct engine_static st[RX__COUNT];
	bool built[RX__COUNT];
	struct engine_rowdp *dp;
	int64_t *cost;
	int16_t *row, *out;
	struct engine_diagnosis *res;
	double t0, limit;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

const char *engine_verdict_name(enum engine_verdict v)
{
	return v == ENGINE_FEASIBLE ? "feasible" : v == ENGINE_INFEASIBLE ? "infeasible" : "unknown";
}

static const struct engine_static *relaxed(struct diag *g, enum relax r)
{
	if (g->built[r])
		return &g->st[r];
	const struct engine_model *m = g->m;
	struct engine_model *c = arena_alloc(g->a, sizeof *c);
	*c = *m;
	c->people = arena_alloc(g->a, sizeof *c->people * (size_t)m->npeople);
	memcpy(c->people, m->people, sizeof *c->people * (size_t)m->npeople);
	c->shifts = arena_alloc(g->a, sizeof *c->shifts * (size_t)m->nshifts);
	memcpy(c->shifts, m->shifts, sizeof *c->shifts * (size_t)m->nshifts);
	for (int p = 0; p < m->npeople; p++) {
		struct engine_person *pp = &c->people[p];
		switch (r) {
		case RX_WEEKENDS: pp->max_weekends = ENGINE_NO_LIMIT; break;
		case RX_MAXMIN: pp->max_minutes = ENGINE_NO_LIMIT; break;
		case RX_MINMIN: pp->min_minutes = 0; break;
		case RX_MAXCONSEC: pp->max_consec = 0; break;
		case RX_MINRUNS: pp->min_consec = pp->min_consec_off = 0; break;
		case RX_COUNTS:
			for (int s = 0; s < m->nshifts; s++)
				if (pp->max_count[s] > 0)
					pp->max_count[s] = ENGINE_NO_LIMIT;
			break;
		default: break;
		}
	}
	if (r == RX_SUCCESSION)
		for (int s = 0; s < m->nshifts; s++)
			c->shifts[s].forbidden_next = 0;
	engine_static_init(&g->st[r], c, g->a);
	g->built[r] = true;
	return &g->st[r];
}

/* Can person p meet their own rules (relaxation r) with day fd forced to value fv (fd < 0:
 * nothing forced)? unit_minutes: maximise minutes instead, result in *minutes. Returns 1
 * yes, 0 no, -1 could not tell (state space too large). */
static int can_row(struct diag *g, enum relax r, int p, int fd, int fv, long *minutes)
{
	const struct engine_static *st = relaxed(g, r);
	const struct engine_model *m = st->m;
	int H = st->H, V = st->V;
	for (int d = 0; d < H; d++)
		for (int v = -1; v < st->S; v++) {
			int64_t c = minutes && v >= 0 ? -(int64_t)m->shifts[v].minutes : 0;
			if (d == fd && v != fv)
				c = BIG;
			g->cost[(size_t)d * (size_t)V + (size_t)(v + 1)] = c;
		}
	for (int d = 0; d < H; d++)
		g->row[d] = ENGINE_OFF;
	int64_t best;
	int ok = engine_rowdp_solve(g->dp, st, p, g->row, 0, H - 1, g->cost, NULL, g->out, &best);
	if (ok != 1)
		return ok;
	if (best >= BIG / 2)
		return 0;
	if (minutes)
		*minutes = (long)-best;
	return 1;
}

static struct engine_diag_item *add_item(struct diag *g, enum engine_diag_kind kind, int day, int shift, int person)
{
	struct engine_diagnosis *r = g->res;
	if (r->nitems >= ENGINE_DIAG_MAX_ITEMS)
		return NULL;
	struct engine_diag_item *it = &r->items[r->nitems++];
	memset(it, 0, sizeof *it);
	it->kind = kind;
	it->day = day;
	it->shift = shift;
	it->person = person;
	return it;
}

static void appendf(char *s, size_t n, const char *fmt, ...) RS_PRINTF(3, 4);
static void appendf(char *s, size_t n, const char *fmt, ...)
{
	size_t l = strlen(s);
	if (l + 1 >= n)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s + l, n - l, fmt, ap);
	va_end(ap);
}

static const char *pname(const struct engine_model *m, int p) { return m->people[p].label; }
static const char *sname(const struct engine_model *m, int s) { return m->shifts[s].label; }

static size_t cell(const struct engine_model *m, int p, int d) { return (size_t)p * (size_t)m->ndays + (size_t)d; }

static void check_locks(struct diag *g)
{
	const struct engine_model *m = g->m;
	for (int p = 0; p < m->npeople; p++)
		for (int d = 0; d < m->ndays; d++) {
			int l = m->lock[cell(m, p, d)];
			if (l < 0)
				continue;
			struct engine_diag_item *it = NULL;
			if (m->day_off[cell(m, p, d)]) {
				if ((it = add_item(g, ENGINE_DIAG_LOCK, d, l, p)))
					snprintf(it->text, sizeof it->text, "%s is locked to %s on %s but is %s", pname(m, p),
						 sname(m, l), m->days[d].label, m->off_reasons[m->day_off[cell(m, p, d)]]);
			} else if (!(m->people[p].eligible >> l & 1) || m->people[p].max_count[l] == 0) {
				if ((it = add_item(g, ENGINE_DIAG_LOCK, d, l, p)))
					snprintf(it->text, sizeof it->text, "%s is locked to %s on %s but may not work %s",
						 pname(m, p), sname(m, l), m->days[d].label, sname(m, l));
			}
		}
}

static const char *person_rule_words(const struct engine_model *m, int p, enum relax r, char *buf, size_t n)
{
	const struct engine_person *pp = &m->people[p];
	switch (r) {
	case RX_WEEKENDS: snprintf(buf, n, "its locked shifts need more than %d weekends", pp->max_weekends); break;
	case RX_MAXMIN: snprintf(buf, n, "its locked shifts exceed the maximum of %d minutes", pp->max_minutes); break;
	case RX_COUNTS: snprintf(buf, n, "its locked shifts exceed a per-shift maximum"); break;
	case RX_MAXCONSEC: snprintf(buf, n, "its locked shifts make more than %d days in a row", pp->max_consec); break;
	case RX_MINRUNS:
		snprintf(buf, n, "days off and locks leave runs shorter than %d working / %d off days", pp->min_consec,
			 pp->min_consec_off);
		break;
	case RX_SUCCESSION: snprintf(buf, n, "its locked shifts follow each other without the required rest"); break;
	default: snprintf(buf, n, "several of its rules cannot hold together"); break;
	}
	return buf;
}

/* Each person alone: is there any row meeting their own rules? */
static void check_people(struct diag *g, uint8_t *person_bad)
{
	const struct engine_model *m = g->m;
	for (int p = 0; p < m->npeople; p++) {
		if (can_row(g, RX_NONE, p, -1, 0, NULL) != 0)
			continue;
		person_bad[p] = 1;
		struct engine_diag_item *it = add_item(g, ENGINE_DIAG_PERSON, -1, -1, p);
		if (!it)
			return;
		long most = 0;
		if (can_row(g, RX_MINMIN, p, -1, 0, &most) == 1 && most < m->people[p].min_minutes) {
			snprintf(it->text, sizeof it->text,
				 "%s can work at most %ld minutes (days off, locks and limits) but needs at least %d",
				 pname(m, p), most, m->people[p].min_minutes);
			continue;
		}
		enum relax r = RX_WEEKENDS;
		while (r < RX_MINMIN && can_row(g, r, p, -1, 0, NULL) != 1)
			r++;
		char words[300];
		snprintf(it->text, sizeof it->text, "%s cannot be scheduled: %s", pname(m, p),
			 person_rule_words(m, p, r, words, sizeof words));
	}
}

/* Why person p cannot work shift s on day d; empty when they can. Returns 1 when they
 * can, 0 when not (reason filled), -1 unknown (too large to tell: counted as can). */
static int why_not(struct diag *g, int p, int d, int s, char *why, size_t n)
{
	const struct engine_model *m = g->m;
	why[0] = 0;
	size_t c = cell(m, p, d);
	if (m->day_off[c]) {
		snprintf(why, n, "%s", m->off_reasons[m->day_off[c]]);
		return 0;
	}
	int l = m->lock[c];
	if (l == ENGINE_OFF) {
		snprintf(why, n, "locked off");
		return 0;
	}
	if (l >= 0 && l != s) {
		snprintf(why, n, "locked to %s", sname(m, l));
		return 0;
	}
	if (d > 0) {
		int lp = m->lock[cell(m, p, d - 1)];
		if (lp >= 0 && (m->shifts[lp].forbidden_next >> s & 1)) {
			snprintf(why, n, "resting after %s", sname(m, lp));
			return 0;
		}
	}
	if (d + 1 < m->ndays) {
		int ln = m->lock[cell(m, p, d + 1)];
		if (ln >= 0 && (m->shifts[s].forbidden_next >> ln & 1)) {
			snprintf(why, n, "locked to %s the next day", sname(m, ln));
			return 0;
		}
	}
	if (now() - g->t0 > g->limit * 0.6)
		return -1;
	int ok = can_row(g, RX_NONE, p, d, s, NULL);
	if (ok != 0)
		return ok;
	const struct engine_person *pp = &m->people[p];
	enum relax r = RX_WEEKENDS;
	while (r < RX__COUNT && can_row(g, r, p, d, s, NULL) != 1)
		r++;
	switch (r) {
	case RX_WEEKENDS: snprintf(why, n, "at max weekends (%d)", pp->max_weekends); break;
	case RX_MAXMIN: snprintf(why, n, "at max hours (%d minutes)", pp->max_minutes); break;
	case RX_COUNTS: snprintf(why, n, "at max %s shifts (%d)", sname(m, s), pp->max_count[s]); break;
	case RX_MAXCONSEC: snprintf(why, n, "would work more than %d days in a row", pp->max_consec); break;
	case RX_MINRUNS: snprintf(why, n, "would break minimum runs of days"); break;
	case RX_SUCCESSION: snprintf(why, n, "needs rest next to locked shifts"); break;
	case RX_MINMIN: snprintf(why, n, "could not reach minimum hours"); break;
	default: snprintf(why, n, "blocked by several rules together"); break;
	}
	return 0;
}

/* Shift types whose work fills cover row s. */
static engine_mask fillers(const struct engine_model *m, int s)
{
	engine_mask f = 0;
	for (int t = 0; t < m->nshifts; t++)
		if (m->shifts[t].parts >> s & 1)
			f |= (engine_mask)1 << t;
	return f;
}

static bool eligible_for(const struct engine_model *m, int p, int t)
{
	return (m->people[p].eligible >> t & 1) && m->people[p].max_count[t] > 0;
}

/* Explain who can and cannot fill (d, s): returns how many could, writes the sentence
 * tail ("3 eligible; Dr A on vacation, …") into text. When explain_all is false, stops
 * counting once `need` people are found. */
static int explain_cover(struct diag *g, int d, int s, int need, bool explain_all, const uint8_t *person_bad,
			 char *text, size_t n)
{
	const struct engine_model *m = g->m;
	engine_mask fill = fillers(m, s);
	int eligible = 0, have = 0, named = 0, unnamed = 0;
	char reasons[2000] = "";
	for (int p = 0; p < m->npeople; p++) {
		int t0 = -1;
		for (int t = 0; t < m->nshifts; t++)
			if ((fill >> t & 1) && eligible_for(m, p, t) && t0 < 0)
				t0 = t;
		if (t0 < 0)
			continue;
		eligible++;
		if (!explain_all && have >= need)
			continue;
		char why[200] = "";
		int can = 0;
		if (person_bad[p]) {
			snprintf(why, sizeof why, "cannot be scheduled at all");
		} else {
			for (int t = 0; t < m->nshifts && can != 1; t++) {
				if (!(fill >> t & 1) || !eligible_for(m, p, t))
					continue;
				char w[200];
				int r = why_not(g, p, d, t, w, sizeof w);
				if (r != 0)
					can = 1;
				else if (!why[0])
					snprintf(why, sizeof why, "%s", w);
			}
		}
		if (can) {
			have++;
			continue;
		}
		if (named < MAX_NAMES) {
			appendf(reasons, sizeof reasons, "%s%s %s", named ? ", " : "", pname(m, p), why);
			named++;
		} else {
			unnamed++;
		}
	}
	snprintf(text, n, "%d eligible", eligible);
	if (named)
		appendf(text, n, "; %s", reasons);
	if (unnamed)
		appendf(text, n, " and %d more unavailable", unnamed);
	return have;
}

static void check_cover(struct diag *g, const uint8_t *person_bad)
{
	const struct engine_model *m = g->m;
	for (int d = 0; d < m->ndays; d++)
		for (int s = 0; s < m->nshifts; s++) {
			int need = m->cover[d * m->nshifts + s].hard_min;
			if (need <= 0)
				continue;
			char tail[560];
			int have = explain_cover(g, d, s, need, false, person_bad, tail, sizeof tail);
			if (have >= need)
				continue;
			have = explain_cover(g, d, s, need, true, person_bad, tail, sizeof tail);
			struct engine_diag_item *it = add_item(g, ENGINE_DIAG_COVER, d, s, -1);
			if (!it)
				return;
			it->need = need;
			it->have = have;
			snprintf(it->text, sizeof it->text, "%s %s needs %d; %s", m->days[d].label, m->shifts[s].code, need,
				 tail);
		}
}

/* A day's minimums against the people free that day (only when no shift fills two rows). */
static void check_days(struct diag *g)
{
	const struct engine_model *m = g->m;
	for (int s = 0; s < m->nshifts; s++)
		if (__builtin_popcountll(m->shifts[s].parts) != 1)
			return;
	for (int d = 0; d < m->ndays; d++) {
		int need = 0;
		engine_mask rows = 0;
		for (int s = 0; s < m->nshifts; s++)
			if (m->cover[d * m->nshifts + s].hard_min > 0) {
				need += m->cover[d * m->nshifts + s].hard_min;
				rows |= (engine_mask)1 << s;
			}
		if (need == 0)
			continue;
		int free_people = 0;
		for (int p = 0; p < m->npeople; p++) {
			size_t c = cell(m, p, d);
			if (m->day_off[c] || m->lock[c] == ENGINE_OFF)
				continue;
			bool any = false;
			for (int s = 0; s < m->nshifts; s++)
				if ((rows >> s & 1) && eligible_for(m, p, s) && (m->lock[c] < 0 || m->lock[c] == s))
					any = true;
			free_people += any;
		}
		if (free_people >= need)
			continue;
		struct engine_diag_item *it = add_item(g, ENGINE_DIAG_DAY, d, -1, -1);
		if (!it)
			return;
		it->need = need;
		it->have = free_people;
		snprintf(it->text, sizeof it->text, "%s needs %d people across its minimums but only %d can work that day",
			 m->days[d].label, need, free_people);
	}
}

/* The search found no schedule meeting every minimum: explain the rows it left short. */
static void explain_attempt(struct diag *g, const struct engine_eval *ev, const uint8_t *person_bad)
{
	const struct engine_model *m = g->m;
	for (int i = 0; i < ev->nlisted; i++) {
		const struct engine_violation *v = &ev->hard[i];
		struct engine_diag_item *it;
		if (v->rule != ENGINE_RULE_COVER_MIN) {
			if ((it = add_item(g, ENGINE_DIAG_SEARCH, v->day, v->shift, v->person)))
				engine_violation_describe(m, v, it->text, sizeof it->text);
			continue;
		}
		char tail[480];
		int have = explain_cover(g, v->day, v->shift, v->limit, true, person_bad, tail, sizeof tail);
		if (!(it = add_item(g, ENGINE_DIAG_SEARCH, v->day, v->shift, -1)))
			return;
		it->need = v->limit;
		it->have = have;
		snprintf(it->text, sizeof it->text, "%s %s needs %d; the best schedule found has %d; %s (%d could work it "
			 "alone but are needed elsewhere)", m->days[v->day].label, m->shifts[v->shift].code, v->limit,
			 v->value, tail, have);
	}
}

enum err engine_diagnose(const struct engine_model *m, double time_limit, struct arena *a,
			 struct engine_diagnosis *out, struct errinfo *ei)
{
	memset(out, 0, sizeof *out);
	if (!m->finalized)
		return err_set(ei, ERR_INTERNAL, "", "model not finalized");
	if (!(time_limit > 0))
		return err_set(ei, ERR_INVALID, "timeLimit", "time limit must be positive");
	struct diag g = {.m = m, .a = a, .res = out, .t0 = now(), .limit = time_limit};
	out->items = arena_alloc(a, sizeof *out->items * ENGINE_DIAG_MAX_ITEMS);
	g.dp = engine_rowdp_new();
	g.cost = arena_alloc(a, sizeof *g.cost * (size_t)m->ndays * (size_t)(m->nshifts + 1));
	g.row = arena_alloc(a, sizeof *g.row * (size_t)m->ndays);
	g.out = arena_alloc(a, sizeof *g.out * (size_t)m->ndays);
	uint8_t *person_bad = arena_alloc(a, (size_t)m->npeople);
	check_locks(&g);
	check_people(&g, person_bad);
	check_cover(&g, person_bad);
	check_days(&g);
	enum err e = ERR_OK;
	if (out->nitems > 0) {
		out->verdict = ENGINE_INFEASIBLE;
	} else {
		double left = time_limit - (now() - g.t0);
		struct engine_solve_opts o = {
			.time_limit = left > 0.2 ? left : 0.2, .seed = 1, .threads = 1, .stop_at_feasible = true};
		struct engine_solve_result *res = arena_alloc(a, sizeof *res);
		e = engine_solve(m, &o, a, res, ei);
		if (!e && res->feasible) {
			out->verdict = ENGINE_FEASIBLE;
			out->witness = res->roster;
		} else if (!e) {
			out->verdict = ENGINE_UNKNOWN;
			explain_attempt(&g, &res->eval, person_bad);
		}
	}
	engine_rowdp_free(g.dp);
	out->elapsed = now() - g.t0;
	return e;
}
