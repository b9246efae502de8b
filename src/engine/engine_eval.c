/* engine_eval.c — independent evaluator. Deliberately simple: one pass per rule, no
 * caching, no shared code with the solver. */
#include "engine/engine_eval.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void add_violation(struct engine_eval *ev, enum engine_rule rule, int person, int day, int shift, int value,
			  int limit)
{
	if (ev->nlisted < ENGINE_EVAL_LISTED)
		ev->hard[ev->nlisted++] = (struct engine_violation){rule, person, day, shift, value, limit};
	ev->nhard++;
}

static bool works(int v) { return v >= 0; }

/* Cell value with out-of-range values read as off. */
static int cell_at(const struct engine_model *m, const struct engine_roster *r, int p, int d)
{
	int v = r->cell[(size_t)p * (size_t)m->ndays + (size_t)d];
	return (v >= 0 && v < m->nshifts) ? v : ENGINE_OFF;
}

static void check_cells(const struct engine_model *m, const struct engine_roster *r, int p, struct engine_eval *ev)
{
	const struct engine_person *pp = &m->people[p];
	for (int d = 0; d < m->ndays; d++) {
		size_t i = (size_t)p * (size_t)m->ndays + (size_t)d;
		int raw = r->cell[i];
		if (raw != ENGINE_OFF && (raw < 0 || raw >= m->nshifts)) {
			add_violation(ev, ENGINE_RULE_BAD_CELL, p, d, -1, raw, 0);
			continue;
		}
		if (works(raw) && !(pp->eligible & ((engine_mask)1 << raw)))
			add_violation(ev, ENGINE_RULE_ELIGIBILITY, p, d, raw, 1, 0);
		if (works(raw) && m->day_off[i])
			add_violation(ev, ENGINE_RULE_DAY_OFF, p, d, raw, 1, 0);
		if (m->lock[i] != ENGINE_UNLOCKED && m->lock[i] != raw)
			add_violation(ev, ENGINE_RULE_LOCKED, p, d, m->lock[i], raw, m->lock[i]);
		if (d + 1 < m->ndays) {
			int next = cell_at(m, r, p, d + 1);
			if (works(raw) && works(next) && (m->shifts[raw].forbidden_next & ((engine_mask)1 << next)))
				add_violation(ev, ENGINE_RULE_SUCCESSION, p, d, raw, next, 0);
		}
	}
}

static void check_totals(const struct engine_model *m, const struct engine_roster *r, int p, struct engine_eval *ev)
{
	const struct engine_person *pp = &m->people[p];
	int count[ENGINE_MAX_SHIFTS] = {0};
	long minutes = 0;
	for (int d = 0; d < m->ndays; d++) {
		int v = cell_at(m, r, p, d);
		if (works(v)) {
			count[v]++;
			minutes += m->shifts[v].minutes;
		}
	}
	for (int s = 0; s < m->nshifts; s++)
		if ((pp->eligible & ((engine_mask)1 << s)) && count[s] > pp->max_count[s])
			add_violation(ev, ENGINE_RULE_MAX_COUNT, p, -1, s, count[s], pp->max_count[s]);
	if (minutes > pp->max_minutes)
		add_violation(ev, ENGINE_RULE_MAX_MINUTES, p, -1, -1, (int)minutes, pp->max_minutes);
	if (minutes < pp->min_minutes)
		add_violation(ev, ENGINE_RULE_MIN_MINUTES, p, -1, -1, (int)minutes, pp->min_minutes);
	int weekends = 0;
	for (int w = 0; w < m->nweekends; w++) {
		bool worked = false;
		for (int d = 0; d < m->ndays; d++)
			if (m->weekend_of[d] == w && works(cell_at(m, r, p, d)))
				worked = true;
		weekends += worked;
	}
	if (weekends > pp->max_weekends)
		add_violation(ev, ENGINE_RULE_MAX_WEEKENDS, p, -1, -1, weekends, pp->max_weekends);
}

/* Maximal runs of worked days and of days off; runs touching day 0 or the last day are
 * exempt from the minimums (not from the maximum). */
static void check_runs(const struct engine_model *m, const struct engine_roster *r, int p, struct engine_eval *ev)
{
	const struct engine_person *pp = &m->people[p];
	int h = m->ndays;
	int start = 0;
	while (start < h) {
		bool w = works(cell_at(m, r, p, start));
		int end = start;
		while (end + 1 < h && works(cell_at(m, r, p, end + 1)) == w)
			end++;
		int len = end - start + 1;
		bool inner = start > 0 && end < h - 1;
		if (w && pp->max_consec > 0 && len > pp->max_consec)
			add_violation(ev, ENGINE_RULE_MAX_CONSEC, p, start, -1, len, pp->max_consec);
		if (w && inner && len < pp->min_consec)
			add_violation(ev, ENGINE_RULE_MIN_CONSEC, p, start, -1, len, pp->min_consec);
		if (!w && inner && len < pp->min_consec_off)
			add_violation(ev, ENGINE_RULE_MIN_CONSEC_OFF, p, start, -1, len, pp->min_consec_off);
		start = end + 1;
	}
}

static void eval_cover(const struct engine_model *m, const struct engine_roster *r, struct engine_eval *ev)
{
	for (int d = 0; d < m->ndays; d++)
		for (int s = 0; s < m->nshifts; s++) {
			int n = 0;
			for (int p = 0; p < m->npeople; p++) {
				int v = cell_at(m, r, p, d);
				if (works(v) && (m->shifts[v].parts & ((engine_mask)1 << s)))
					n++;
			}
			const struct engine_cover *c = &m->cover[d * m->nshifts + s];
			if (n < c->req)
				ev->term[ENGINE_TERM_COVER_UNDER] += (int64_t)c->w_under * (c->req - n);
			if (n > c->req)
				ev->term[ENGINE_TERM_COVER_OVER] += (int64_t)c->w_over * (n - c->req);
			if (n < c->hard_min)
				add_violation(ev, ENGINE_RULE_COVER_MIN, -1, d, s, n, c->hard_min);
		}
}

static void eval_requests(const struct engine_model *m, const struct engine_roster *r, struct engine_eval *ev)
{
	for (int i = 0; i < m->nrequests; i++) {
		const struct engine_request *q = &m->requests[i];
		int v = cell_at(m, r, q->person, q->day);
		bool match = q->shift == ENGINE_ANY ? works(v) : v == q->shift;
		if (q->on && !match)
			ev->term[ENGINE_TERM_ON_REQUESTS] += q->weight;
		if (!q->on && match)
			ev->term[ENGINE_TERM_OFF_REQUESTS] += q->weight;
	}
}

static bool is_weekend_day(const struct engine_model *m, int d) { return m->days[d].weekday >= 5; }

static void eval_fairness(const struct engine_model *m, const struct engine_roster *r, struct engine_eval *ev)
{
	for (int i = 0; i < m->nfair; i++) {
		const struct engine_fair *f = &m->fair[i];
		for (int p = 0; p < m->npeople; p++) {
			if (f->target_centi[p] < 0)
				continue;
			int count = 0;
			for (int d = 0; d < m->ndays; d++) {
				int v = cell_at(m, r, p, d);
				if (works(v) && (f->shifts & ((engine_mask)1 << v)) &&
				    (!f->weekend_only || is_weekend_day(m, d)))
					count++;
			}
			ev->term[ENGINE_TERM_FAIRNESS] += (int64_t)f->weight * llabs(100LL * count - f->target_centi[p]);
		}
	}
}

static void eval_spread(const struct engine_model *m, const struct engine_roster *r, struct arena *a,
			struct engine_eval *ev)
{
	int *mark = arena_alloc(a, sizeof(int) * (size_t)(m->ndays + m->nweekends + 1));
	for (int i = 0; i < m->nspread; i++) {
		const struct engine_spread *s = &m->spread[i];
		for (int p = 0; p < m->npeople; p++) {
			int len;
			if (s->kind == ENGINE_SPREAD_SHIFTS) {
				len = m->ndays;
				for (int d = 0; d < len; d++) {
					int v = cell_at(m, r, p, d);
					mark[d] = works(v) && (s->shifts & ((engine_mask)1 << v));
				}
			} else {
				len = m->nweekends;
				for (int w = 0; w < len; w++)
					mark[w] = 0;
				for (int d = 0; d < m->ndays; d++)
					if (m->weekend_of[d] >= 0 && works(cell_at(m, r, p, d)))
						mark[m->weekend_of[d]] = 1;
			}
			for (int w0 = 0; w0 + s->window <= len; w0++) {
				int count = 0;
				for (int k = w0; k < w0 + s->window; k++)
					count += mark[k];
				if (count > s->max)
					ev->term[ENGINE_TERM_SPREAD] += (int64_t)s->weight * (count - s->max);
			}
		}
	}
}

enum err engine_eval_roster(const struct engine_model *m, const struct engine_roster *r, struct arena *a,
			    struct engine_eval *out, struct errinfo *ei)
{
	memset(out, 0, sizeof *out);
	if (!m->finalized)
		return err_set(ei, ERR_INTERNAL, "", "model not finalized");
	if (r->npeople != m->npeople || r->ndays != m->ndays)
		return err_set(ei, ERR_INVALID, "", "roster is %dx%d, model is %dx%d", r->npeople, r->ndays, m->npeople,
			       m->ndays);
	for (int p = 0; p < m->npeople; p++) {
		check_cells(m, r, p, out);
		check_totals(m, r, p, out);
		check_runs(m, r, p, out);
	}
	eval_cover(m, r, out);
	eval_requests(m, r, out);
	eval_fairness(m, r, out);
	eval_spread(m, r, a, out);
	for (int t = 0; t < ENGINE_TERM__COUNT; t++)
		out->objective += out->term[t];
	return ERR_OK;
}

const char *engine_term_name(enum engine_term t)
{
	static const char *const n[ENGINE_TERM__COUNT] = {
		"cover_under", "cover_over", "on_requests", "off_requests", "fairness", "spread",
	};
	return (t >= 0 && t < ENGINE_TERM__COUNT) ? n[t] : "unknown";
}

const char *engine_rule_name(enum engine_rule r)
{
	static const char *const n[ENGINE_RULE__COUNT] = {
		"bad_cell", "eligibility", "day_off", "locked", "succession", "max_count", "max_minutes",
		"min_minutes", "max_consecutive", "min_consecutive", "min_consecutive_off", "max_weekends",
		"cover_minimum",
	};
	return (r >= 0 && r < ENGINE_RULE__COUNT) ? n[r] : "unknown";
}

static const char *shift_name(const struct engine_model *m, int s)
{
	return s >= 0 && s < m->nshifts ? m->shifts[s].label : s == ENGINE_OFF ? "off" : "?";
}

void engine_violation_describe(const struct engine_model *m, const struct engine_violation *v, char *out,
			       size_t outsz)
{
	const char *who = v->person >= 0 ? m->people[v->person].label : "";
	const char *day = v->day >= 0 ? m->days[v->day].label : "";
	switch (v->rule) {
	case ENGINE_RULE_BAD_CELL:
		snprintf(out, outsz, "%s on %s has an invalid cell value %d", who, day, v->value);
		break;
	case ENGINE_RULE_ELIGIBILITY:
		snprintf(out, outsz, "%s works %s on %s but is not eligible for it", who, shift_name(m, v->shift), day);
		break;
	case ENGINE_RULE_DAY_OFF:
		snprintf(out, outsz, "%s works %s on %s, a day off", who, shift_name(m, v->shift), day);
		break;
	case ENGINE_RULE_LOCKED:
		snprintf(out, outsz, "%s on %s has %s instead of the locked %s", who, day, shift_name(m, v->value),
			 shift_name(m, v->limit));
		break;
	case ENGINE_RULE_SUCCESSION:
		snprintf(out, outsz, "%s works %s on %s then %s the next day (not allowed)", who,
			 shift_name(m, v->shift), day, shift_name(m, v->value));
		break;
	case ENGINE_RULE_MAX_COUNT:
		snprintf(out, outsz, "%s works %d %s shifts (max %d)", who, v->value, shift_name(m, v->shift),
			 v->limit);
		break;
	case ENGINE_RULE_MAX_MINUTES:
		snprintf(out, outsz, "%s works %d minutes (max %d)", who, v->value, v->limit);
		break;
	case ENGINE_RULE_MIN_MINUTES:
		snprintf(out, outsz, "%s works %d minutes (min %d)", who, v->value, v->limit);
		break;
	case ENGINE_RULE_MAX_CONSEC:
		snprintf(out, outsz, "%s works %d days in a row from %s (max %d)", who, v->value, day, v->limit);
		break;
	case ENGINE_RULE_MIN_CONSEC:
		snprintf(out, outsz, "%s works only %d day(s) in a row from %s (min %d)", who, v->value, day, v->limit);
		break;
	case ENGINE_RULE_MIN_CONSEC_OFF:
		snprintf(out, outsz, "%s has only %d day(s) off in a row from %s (min %d)", who, v->value, day,
			 v->limit);
		break;
	case ENGINE_RULE_MAX_WEEKENDS:
		snprintf(out, outsz, "%s works %d weekends (max %d)", who, v->value, v->limit);
		break;
	case ENGINE_RULE_COVER_MIN:
		snprintf(out, outsz, "%s %s has %d people (needs at least %d)", day, shift_name(m, v->shift), v->value,
			 v->limit);
		break;
	default:
		snprintf(out, outsz, "unknown rule");
		break;
	}
}
