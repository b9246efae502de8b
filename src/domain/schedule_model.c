/* schedule_model.c — tenant config + roster + time off + locks + history → engine model
 * (see schedule_model.h for the mapping). The checker is in schedule_model_check.c. */
#include "domain/schedule_model.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "domain/config/config_check.h"
#include "domain/dates.h"

#define W_OVER 5        /* one person beyond the headcount */
#define W_PENDING 300   /* a day of a pending time-off request worked */
#define W_LOAD 5        /* load balance, per hundredth… ×100 per shift */
#define W_SPREAD_WE 40  /* two weekends in a row */
#define W_SPREAD_NIGHT 20
#define FAIR_SCALE 10.0 /* config weights (0.5, 3) → engine integers */

static const char *const wd_keys[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

static bool has_str(const json_t *arr, const char *s)
{
	for (size_t i = 0; s && i < json_array_size(arr); i++) {
		const char *v = json_string_value(json_array_get(arr, i));
		if (v && !strcmp(v, s))
			return true;
	}
	return false;
}

static int hhmm(const char *s)
{
	int h, m;
	if (!s || sscanf(s, "%d:%d", &h, &m) != 2)
		return 0;
	return h * 60 + m;
}

static int popcount(uint64_t x) { return __builtin_popcountll(x); }

int sched_base_find(const struct sched_model *sm, const char *code)
{
	for (int b = 0; code && b < sm->nbase; b++)
		if (!strcmp(sm->base[b].code, code))
			return b;
	return -1;
}

int sched_day_of(const struct sched_model *sm, long day)
{
	long d = day - (sm->in->first - sm->lookback);
	return d >= 0 && d < sm->m->ndays ? (int)d : -1;
}

const char *sched_day_label(const struct sched_model *sm, int d) { return sm->m->days[d].label; }

const char *sched_person_label(const struct sched_person *p)
{
	if (p->name && *p->name)
		return p->name;
	if (p->short_name && *p->short_name)
		return p->short_name;
	return p->email ? p->email : "?";
}

static void note(struct sched_model *sm, struct arena *a, const char *fmt, ...) RS_PRINTF(3, 4);
static void note(struct sched_model *sm, struct arena *a, const char *fmt, ...)
{
	if (sm->notes_n >= (int)(sizeof sm->notes / sizeof sm->notes[0]))
		return;
	va_list ap;
	va_start(ap, fmt);
	sm->notes[sm->notes_n++] = arena_vsprintf(a, fmt, ap);
	va_end(ap);
}

/* ---- config tables ------------------------------------------------------------------- */

static enum err read_shifts(struct sched_model *sm, struct arena *a, struct errinfo *ei)
{
	const json_t *st = json_object_get(sm->in->config, "shiftTypes");
	size_t n = json_array_size(st);
	if (n == 0)
		return err_set(ei, ERR_INVALID, "/shiftTypes", "the configuration has no shift types");
	if (n > SCHED_MAX_BASE)
		return err_set(ei, ERR_INVALID, "/shiftTypes", "the engine schedules at most %d shift types (this config has %zu)",
			       SCHED_MAX_BASE, n);
	sm->nbase = (int)n;
	sm->base = arena_alloc(a, sizeof *sm->base * n);
	for (size_t i = 0; i < n; i++) {
		const json_t *j = json_array_get(st, i);
		struct sched_shift *s = &sm->base[i];
		s->code = json_string_value(json_object_get(j, "code"));
		s->name = json_string_value(json_object_get(j, "name"));
		if (!s->code)
			return err_set(ei, ERR_INVALID, "/shiftTypes", "shift type %zu has no code", i);
		if (!s->name)
			s->name = s->code;
		s->subspecialty = json_string_value(json_object_get(j, "subspecialty"));
		const char *kind = json_string_value(json_object_get(j, "kind"));
		s->timed = kind && !strcmp(kind, "timed");
		if (s->timed) {
			s->start = hhmm(json_string_value(json_object_get(j, "start")));
			s->end = hhmm(json_string_value(json_object_get(j, "end")));
			s->night = s->end <= s->start;
		}
		const json_t *days = json_object_get(j, "days");
		for (int w = 0; w < 7; w++)
			if (has_str(days, wd_keys[w]))
				s->days |= 1u << w;
		s->points = json_number_value(json_object_get(j, "points"));
	}
	return ERR_OK;
}

static uint64_t base_mask(const struct sched_model *sm, const json_t *codes)
{
	uint64_t m = 0;
	for (size_t i = 0; i < json_array_size(codes); i++) {
		int b = sched_base_find(sm, json_string_value(json_array_get(codes, i)));
		if (b >= 0)
			m |= (uint64_t)1 << b;
	}
	return m;
}

static void read_classes(struct sched_model *sm, struct arena *a)
{
	const json_t *eq = json_object_get(sm->in->config, "equivalences");
	const json_t *bal = json_object_get(json_object_get(sm->in->config, "fairness"), "balance");
	sm->nclass = (int)json_array_size(eq);
	sm->cls = arena_alloc(a, sizeof *sm->cls * (size_t)(sm->nclass + 1));
	for (int i = 0; i < sm->nclass; i++) {
		const json_t *j = json_array_get(eq, (size_t)i);
		struct sched_class *c = &sm->cls[i];
		c->id = json_string_value(json_object_get(j, "id"));
		c->name = json_string_value(json_object_get(j, "name"));
		if (!c->name)
			c->name = c->id;
		c->base = base_mask(sm, json_object_get(j, "shiftTypes"));
		c->weight = 1;
		for (size_t k = 0; k < json_array_size(bal); k++) {
			const json_t *b = json_array_get(bal, k);
			const char *id = json_string_value(json_object_get(b, "equivalence"));
			if (id && c->id && !strcmp(id, c->id))
				c->weight = json_number_value(json_object_get(b, "weight"));
		}
	}
}

/* Headcount of base b on date day; *closed when nobody may work it. */
static int day_count(const struct sched_model *sm, long day, int b, const char **name, bool *holiday)
{
	const json_t *cov = json_object_get(sm->in->config, "coverage");
	const json_t *ov = json_object_get(cov, "overrides");
	char ds[11];
	date_format(day, ds);
	const struct sched_shift *s = &sm->base[b];
	for (size_t i = 0; i < json_array_size(ov); i++) {
		const json_t *o = json_array_get(ov, i);
		const char *d = json_string_value(json_object_get(o, "date"));
		if (!d || strcmp(d, ds))
			continue;
		if (name)
			*name = json_string_value(json_object_get(o, "name"));
		if (holiday)
			*holiday = json_is_true(json_object_get(o, "holiday"));
		const json_t *c = json_object_get(json_object_get(o, "counts"), s->code);
		if (c)
			return (int)json_integer_value(c);
		const char *other = json_string_value(json_object_get(o, "otherShifts"));
		if (other && !strcmp(other, "closed"))
			return 0;
		break;
	}
	int w = date_weekday(day);
	if (!(s->days & (1u << w)))
		return 0;
	const json_t *reqs = json_object_get(cov, "requirements");
	for (size_t i = 0; i < json_array_size(reqs); i++) {
		const json_t *r = json_array_get(reqs, i);
		const char *code = json_string_value(json_object_get(r, "shiftType"));
		if (!code || strcmp(code, s->code))
			continue;
		const json_t *pw = json_object_get(json_object_get(r, "perWeekday"), wd_keys[w]);
		return (int)json_integer_value(pw ? pw : json_object_get(r, "count"));
	}
	return 0;
}

/* rule "after a, b within `days`" from rules.forbiddenSuccessions; *span = most days. */
static bool succession(const struct sched_model *sm, int a, int b, int *span)
{
	const json_t *fs = json_object_get(json_object_get(sm->in->config, "rules"), "forbiddenSuccessions");
	bool hit = false;
	*span = 0;
	for (size_t i = 0; i < json_array_size(fs); i++) {
		const json_t *r = json_array_get(fs, i);
		if (!has_str(json_object_get(r, "after"), sm->base[a].code) ||
		    !has_str(json_object_get(r, "forbid"), sm->base[b].code))
			continue;
		const json_t *d = json_object_get(r, "days");
		int n = json_is_integer(d) ? (int)json_integer_value(d) : 1;
		if (n > *span)
			*span = n;
		hit = true;
	}
	return hit;
}

/* a on day d and b on day d+1 overlap in time (a crosses midnight past b's start). */
static bool overlap_next(const struct sched_model *sm, int a, int b)
{
	const struct sched_shift *x = &sm->base[a], *y = &sm->base[b];
	return x->timed && y->timed && x->night && y->start < x->end;
}

static bool forbids_next(const struct sched_model *sm, uint64_t from, uint64_t to)
{
	for (int a = 0; a < sm->nbase; a++) {
		if (!(from & ((uint64_t)1 << a)))
			continue;
		for (int b = 0; b < sm->nbase; b++) {
			int span;
			if ((to & ((uint64_t)1 << b)) && (succession(sm, a, b, &span) || overlap_next(sm, a, b)))
				return true;
		}
	}
	return false;
}

/* ---- eligibility --------------------------------------------------------------------- */

int sched_eligibility(const struct sched_model *sm, int person, int b)
{
	const struct sched_person *p = &sm->in->people[person];
	struct cfg_ctx c = {.doc = sm->in->config};
	struct config_person cp = {.id = p->id, .email = p->email, .name = p->name, .fte = p->fte,
				   .active = p->active, .fellow = p->fellow, .schedulable = p->schedulable,
				   .subspecialties = p->subs, .n_subspecialties = (size_t)p->nsubs};
	struct cfg_shift cs = {.code = sm->base[b].code, .subspecialty = sm->base[b].subspecialty};
	bool alone = false;
	if (!cfg_person_eligible(&c, &cp, &cs, &alone))
		return 0;
	return alone ? 1 : 2;
}

/* ---- types --------------------------------------------------------------------------- */

struct builder {
	struct sched_model *sm;
	struct arena *a;
	int ntypes;
	struct sched_type types[ENGINE_MAX_SHIFTS];
	int *elig;                  /* [P * nbase]: eligibility() */
	int16_t *hist_cell;         /* [P * L]: history type index or ENGINE_OFF */
	uint64_t *hist_set;         /* [P * L]: base types worked then */
};

static int add_type(struct builder *bd, enum sched_type_kind k, uint64_t base, struct errinfo *ei)
{
	for (int t = 0; t < bd->ntypes; t++)
		if (bd->types[t].kind == k && bd->types[t].base == base)
			return t;
	if (bd->ntypes >= ENGINE_MAX_SHIFTS) {
		err_set(ei, ERR_INVALID, "/rules/sameDayAllowed",
			"the engine schedules at most %d kinds of working day (shift types, combinations of "
			"rules.sameDayAllowed and fellow variants); this configuration needs more",
			ENGINE_MAX_SHIFTS);
		return -1;
	}
	bd->types[bd->ntypes] = (struct sched_type){.kind = k, .base = base};
	return bd->ntypes++;
}

static enum err build_combos(struct builder *bd, struct errinfo *ei)
{
	struct sched_model *sm = bd->sm;
	const json_t *sda = json_object_get(json_object_get(sm->in->config, "rules"), "sameDayAllowed");
	for (size_t i = 0; i < json_array_size(sda); i++) {
		uint64_t set = base_mask(sm, json_object_get(json_array_get(sda, i), "shiftTypes"));
		int k = popcount(set);
		if (k < 2)
			continue;
		if (k > 6) {
			note(sm, bd->a, "rules.sameDayAllowed entry %zu has %d shift types: only pairs of it are scheduled", i, k);
			for (int x = 0; x < sm->nbase; x++)
				for (int y = x + 1; y < sm->nbase; y++) {
					uint64_t pair = ((uint64_t)1 << x) | ((uint64_t)1 << y);
					if ((set & pair) == pair && add_type(bd, SCHED_T_COMBO, pair, ei) < 0)
						return ERR_INVALID;
				}
			continue;
		}
		/* every sub-combination of two or more members */
		int idx[6], n = 0;
		for (int b = 0; b < sm->nbase; b++)
			if (set & ((uint64_t)1 << b))
				idx[n++] = b;
		for (unsigned sub = 1; sub < (1u << n); sub++) {
			if (popcount(sub) < 2)
				continue;
			uint64_t m = 0;
			for (int j = 0; j < n; j++)
				if (sub & (1u << j))
					m |= (uint64_t)1 << idx[j];
			if (add_type(bd, SCHED_T_COMBO, m, ei) < 0)
				return ERR_INVALID;
		}
	}
	return ERR_OK;
}

/* ---- look-back ----------------------------------------------------------------------- */

static int lookback_days(struct sched_model *sm)
{
	int L = 0;
	for (int a = 0; a < sm->nbase; a++)
		for (int b = 0; b < sm->nbase; b++) {
			int span = 0;
			if (succession(sm, a, b, &span) && span > L)
				L = span;
			if (overlap_next(sm, a, b) && L < 1)
				L = 1;
		}
	if (sm->max_consec > L)
		L = sm->max_consec;
	if (sm->rest_min_run + sm->rest_min_off > L)
		L = sm->rest_min_run + sm->rest_min_off;
	if (sm->weekend_max > 0 && 7 * sm->weekend_weeks - 6 > L)
		L = 7 * sm->weekend_weeks - 6;
	return L > SCHED_MAX_LOOKBACK ? SCHED_MAX_LOOKBACK : L;
}

static void read_rules(struct sched_model *sm, struct arena *a)
{
	const json_t *r = json_object_get(sm->in->config, "rules");
	const json_t *mc = json_object_get(r, "maxConsecutiveWorkingDays");
	sm->max_consec = json_is_integer(mc) ? (int)json_integer_value(mc) : 0;
	const json_t *rr = json_object_get(r, "restAfterRun");
	if (rr) {
		sm->rest_min_run = (int)json_integer_value(json_object_get(rr, "minRunDays"));
		sm->rest_min_off = (int)json_integer_value(json_object_get(rr, "minDaysOff"));
	}
	const json_t *we = json_object_get(r, "weekends");
	if (we) {
		sm->weekend_max = (int)json_integer_value(json_object_get(we, "max"));
		sm->weekend_weeks = (int)json_integer_value(json_object_get(we, "periodWeeks"));
		if (sm->weekend_weeks < 1)
			sm->weekend_max = sm->weekend_weeks = 0;
	}
	const json_t *ms = json_object_get(r, "maxShifts");
	sm->ncap = (int)json_array_size(ms);
	sm->cap = arena_alloc(a, sizeof *sm->cap * (size_t)(sm->ncap + 1));
	for (int i = 0; i < sm->ncap; i++) {
		const json_t *j = json_array_get(ms, (size_t)i);
		sm->cap[i] = (struct sched_cap){.base = base_mask(sm, json_object_get(j, "shiftTypes")),
						.max = (int)json_integer_value(json_object_get(j, "max")),
						.per = json_string_value(json_object_get(j, "per")),
						.rule_index = i};
		if (!sm->cap[i].per)
			sm->cap[i].per = "period";
	}
	int ws = date_weekday_from_key(
		json_string_value(json_object_get(json_object_get(sm->in->config, "department"), "weekStart")));
	sm->week_start = ws < 0 ? 0 : ws;
}

/* The calendar unit (week, month, year) around day; false for "period". */
bool sched_unit_of(const struct sched_model *sm, const char *per, long day, long *from, long *to)
{
	int y, m, d;
	date_ymd(day, &y, &m, &d);
	if (!strcmp(per, "week")) {
		*from = day - (date_weekday(day) - sm->week_start + 7) % 7;
		*to = *from + 6;
	} else if (!strcmp(per, "month")) {
		*from = date_from_ymd(y, m, 1);
		*to = (m == 12 ? date_from_ymd(y + 1, 1, 1) : date_from_ymd(y, m + 1, 1)) - 1;
	} else if (!strcmp(per, "year")) {
		*from = date_from_ymd(y, 1, 1);
		*to = date_from_ymd(y + 1, 1, 1) - 1;
	} else {
		return false;
	}
	return true;
}

/* Start of the department's year (vacationPolicy.yearStartMonth) containing day. */
static long year_start(const struct sched_model *sm, long day)
{
	const json_t *v = json_object_get(json_object_get(sm->in->config, "vacationPolicy"), "yearStartMonth");
	int ysm = json_is_integer(v) ? (int)json_integer_value(v) : 1;
	if (ysm < 1 || ysm > 12)
		ysm = 1;
	int y, m, d;
	date_ymd(day, &y, &m, &d);
	return date_from_ymd(m >= ysm ? y : y - 1, ysm, 1);
}

static const char *off_words(const char *kind)
{
	if (!kind || !strcmp(kind, "vacation"))
		return "on vacation";
	if (!strcmp(kind, "conference"))
		return "at a conference";
	if (!strcmp(kind, "leave"))
		return "on leave";
	return "off";
}

/* The engine's run limit: maxConsecutiveWorkingDays, shortened so that restAfterRun can never
 * apply (conservative) when that leaves runs of at least 3 days. */
static int engine_max_consec(struct sched_model *sm, struct arena *a)
{
	int mc = sm->max_consec;
	if (sm->rest_min_off >= 2 && sm->rest_min_run >= 2) {
		if (sm->rest_min_run - 1 >= 3 && (mc == 0 || sm->rest_min_run - 1 < mc)) {
			mc = sm->rest_min_run - 1;
			note(sm, a, "rules.restAfterRun (%d days off after %d in a row) is held by keeping runs to %d days",
			     sm->rest_min_off, sm->rest_min_run, mc);
		} else if (mc == 0 || sm->rest_min_run <= mc) {
			note(sm, a, "rules.restAfterRun is only checked after solving, not enforced while solving");
		}
	}
	sm->engine_max_consec = mc;
	return mc;
}

/* ---- the build ----------------------------------------------------------------------- */

static enum err people_index(struct sched_model *sm, struct arena *a, int *np, struct errinfo *ei)
{
	const struct sched_input *in = sm->in;
	sm->engine_of = arena_alloc(a, sizeof(int) * (size_t)(in->npeople + 1));
	sm->person_of = arena_alloc(a, sizeof(int) * (size_t)(in->npeople + 1));
	int n = 0;
	for (int i = 0; i < in->npeople; i++) {
		const struct sched_person *p = &in->people[i];
		bool employed = (p->end_day == SCHED_NO_DAY || p->end_day >= in->first) &&
				(p->start_day == SCHED_NO_DAY || p->start_day <= in->last);
		if (p->active && p->schedulable && p->fte > 0 && employed) {
			sm->engine_of[i] = n;
			sm->person_of[n++] = i;
		} else {
			sm->engine_of[i] = -1;
		}
	}
	if (n == 0)
		return err_set(ei, ERR_NOT_FOUND, "/people", "nobody in the department can be scheduled in this period");
	if (n > ENGINE_MAX_PEOPLE)
		return err_set(ei, ERR_INVALID, "/people", "more than %d people", ENGINE_MAX_PEOPLE);
	*np = n;
	return ERR_OK;
}

/* Base types worked by engine person p on each look-back day, from the history. */
static void history_sets(struct builder *bd, int P)
{
	struct sched_model *sm = bd->sm;
	const struct sched_input *in = sm->in;
	int L = sm->lookback;
	bd->hist_set = arena_alloc(bd->a, sizeof(uint64_t) * (size_t)(P * (L ? L : 1)));
	for (int i = 0; i < in->nhistory; i++) {
		const struct sched_assign *h = &in->history[i];
		long d = h->day - (in->first - L);
		if (d < 0 || d >= L || h->person < 0 || h->person >= in->npeople)
			continue;
		int p = sm->engine_of[h->person], b = sched_base_find(sm, h->shift_code);
		if (p >= 0 && b >= 0)
			bd->hist_set[p * L + d] |= (uint64_t)1 << b;
	}
}

static enum err history_types(struct builder *bd, int P, int mc, struct errinfo *ei)
{
	struct sched_model *sm = bd->sm;
	int L = sm->lookback;
	bd->hist_cell = arena_alloc(bd->a, sizeof(int16_t) * (size_t)(P * (L ? L : 1)));
	int nwork = bd->ntypes; /* types a history cell can forbid */
	/* one history type per distinct "what it forbids the next day" */
	uint64_t fmask[ENGINE_MAX_SHIFTS];
	for (int p = 0; p < P; p++)
		for (int d = 0; d < L; d++) {
			uint64_t set = bd->hist_set[p * L + d];
			if (!set) {
				bd->hist_cell[p * L + d] = ENGINE_OFF;
				continue;
			}
			uint64_t fm = 0;
			for (int t = 0; t < nwork; t++)
				if (forbids_next(sm, set, bd->types[t].base))
					fm |= (uint64_t)1 << t;
			int found = -1;
			for (int t = nwork; t < bd->ntypes; t++)
				if (fmask[t] == fm)
					found = t;
			if (found < 0) {
				/* the type's base set is the first set seen with this mask: only its
				 * successions matter, and they are equal for the whole class */
				found = add_type(bd, SCHED_T_HISTORY, set, ei);
				if (found < 0)
					return ERR_INVALID;
				fmask[found] = fm;
			}
			bd->hist_cell[p * L + d] = (int16_t)found;
		}
	/* keep the look-back within the engine's run limits, most recent days first */
	for (int p = 0; mc > 0 && p < P; p++) {
		int run = 0;
		for (int d = L - 1; d >= 0; d--) {
			if (bd->hist_cell[p * L + d] == ENGINE_OFF) {
				run = 0;
			} else if (run == mc) {
				bd->hist_cell[p * L + d] = ENGINE_OFF;
				run = 0;
			} else {
				run++;
			}
		}
	}
	return ERR_OK;
}

static int engine_type_of(const struct builder *bd, enum sched_type_kind k, uint64_t set)
{
	for (int t = 0; t < bd->ntypes; t++)
		if (bd->types[t].kind == k && bd->types[t].base == set)
			return t;
	return -1;
}

/* Closest engine type for a set of base types worked one day by p (locks). */
static int type_for_set(const struct builder *bd, int p, uint64_t set)
{
	const struct sched_model *sm = bd->sm;
	bool fellow_only = true;
	for (int b = 0; b < sm->nbase; b++)
		if ((set & ((uint64_t)1 << b)) && bd->elig[p * sm->nbase + b] != 2)
			fellow_only = false;
	int t = engine_type_of(bd, fellow_only && popcount(set) == 1 ? SCHED_T_FELLOW : SCHED_T_BASE, set);
	if (t < 0 && popcount(set) > 1)
		t = engine_type_of(bd, SCHED_T_COMBO, set);
	if (t >= 0)
		return t;
	int best = -1, bestn = 0;
	for (int u = 0; u < bd->ntypes; u++) {
		if (bd->types[u].kind == SCHED_T_HISTORY || (bd->types[u].base & ~set))
			continue;
		int n = popcount(bd->types[u].base & set);
		if (n > bestn)
			best = u, bestn = n;
	}
	return best;
}

static void set_cover(struct builder *bd)
{
	struct sched_model *sm = bd->sm;
	struct engine_model *m = sm->m;
	int S = m->nshifts, L = sm->lookback;
	for (int d = L; d < m->ndays; d++)
		for (int t = 0; t < S; t++) {
			struct engine_cover *c = &m->cover[d * S + t];
			const struct sched_type *ty = &sm->type[t];
			if (ty->kind == SCHED_T_BASE) {
				int b = __builtin_ctzll(ty->base);
				int n = sm->count[d * sm->nbase + b];
				if (n > 0)
					*c = (struct engine_cover){.req = n, .hard_min = n, .w_under = 1000, .w_over = W_OVER};
				else
					*c = (struct engine_cover){.w_over = SCHED_W_RULE};
			} else if (ty->kind == SCHED_T_FELLOW) {
				int b = __builtin_ctzll(ty->base);
				c->w_over = sm->count[d * sm->nbase + b] > 0 ? 0 : SCHED_W_RULE;
			} else if (ty->kind == SCHED_T_HISTORY) {
				c->w_over = SCHED_W_RULE;
			}
		}
}

/* Per-person allowance of cap k in the single unit around the period, or INT_MAX-ish when the
 * period spans several units (*single false). */
static int cap_allowance(const struct sched_model *sm, const struct sched_cap *cp, int person, bool *single)
{
	const struct sched_input *in = sm->in;
	long f1, t1, f2, t2;
	if (!sched_unit_of(sm, cp->per, in->first, &f1, &t1)) {
		*single = true;
		return cp->max;
	}
	(void)sched_unit_of(sm, cp->per, in->last, &f2, &t2);
	if (f1 != f2) {
		*single = false;
		return cp->max;
	}
	*single = true;
	int used = 0;
	for (int i = 0; i < in->nhistory; i++) {
		const struct sched_assign *h = &in->history[i];
		if (h->person != person || h->day < f1 || h->day > t1 || (h->day >= in->first && h->day <= in->last))
			continue;
		int b = sched_base_find(sm, h->shift_code);
		if (b >= 0 && (cp->base & ((uint64_t)1 << b)))
			used++;
	}
	return used >= cp->max ? 0 : cp->max - used;
}

static enum err set_caps(struct builder *bd, struct errinfo *ei)
{
	struct sched_model *sm = bd->sm;
	struct engine_model *m = sm->m;
	for (int k = 0; k < sm->ncap; k++) {
		const struct sched_cap *cp = &sm->cap[k];
		engine_mask types = 0;
		for (int t = 0; t < m->nshifts; t++)
			if (sm->type[t].kind != SCHED_T_HISTORY && (sm->type[t].base & cp->base))
				types |= (engine_mask)1 << t;
		if (!types)
			continue;
		int soft_max = ENGINE_NO_LIMIT;
		bool single = true;
		for (int p = 0; p < m->npeople; p++) {
			int A = cap_allowance(sm, cp, sm->person_of[p], &single);
			engine_mask mine = types & m->people[p].eligible;
			int hard = A;
			if (!single) {
				long days = m->ndays - sm->lookback;
				int unit = !strcmp(cp->per, "week") ? 7 : !strcmp(cp->per, "month") ? 28 : 365;
				hard = (int)(A * ((days + unit - 1) / unit + 1));
			}
			for (int t = 0; t < m->nshifts; t++)
				if ((mine & ((engine_mask)1 << t)) && m->people[p].max_count[t] > hard)
					m->people[p].max_count[t] = hard;
			if (popcount(mine) > 1 && A < soft_max)
				soft_max = A;
		}
		if (single && soft_max == ENGINE_NO_LIMIT)
			continue; /* every person has one engine type: held exactly as hard rules */
		struct engine_spread sp = {.kind = ENGINE_SPREAD_SHIFTS, .shifts = types, .weight = SCHED_W_RULE};
		if (single) {
			sp.window = m->ndays;
			sp.max = soft_max;
		} else {
			int unit = !strcmp(cp->per, "week") ? 7 : !strcmp(cp->per, "month") ? 31 : 366;
			sp.window = unit < m->ndays ? unit : m->ndays;
			sp.max = cp->max;
			note(sm, bd->a,
			     "rules.maxShifts/%d (%d per %s) is held over every %d consecutive days, since the period spans "
			     "several %ss",
			     cp->rule_index, cp->max, cp->per, sp.window, cp->per);
		}
		enum err e = engine_model_add_spread(m, &sp, ei);
		if (e)
			return e;
	}
	return ERR_OK;
}

/* FTE share of a class (or of all work when cls < 0) for each engine person. */
static double class_demand(const struct sched_model *sm, uint64_t base)
{
	double D = 0;
	for (int d = sm->lookback; d < sm->m->ndays; d++)
		for (int b = 0; b < sm->nbase; b++)
			if (base & ((uint64_t)1 << b))
				D += sm->count[d * sm->nbase + b];
	return D;
}

static bool in_class_attending(const struct builder *bd, int p, uint64_t base)
{
	for (int b = 0; b < bd->sm->nbase; b++)
		if ((base & ((uint64_t)1 << b)) && bd->elig[p * bd->sm->nbase + b] == 1)
			return true;
	return false;
}

static enum err set_fairness(struct builder *bd, struct errinfo *ei)
{
	struct sched_model *sm = bd->sm;
	struct engine_model *m = sm->m;
	const struct sched_input *in = sm->in;
	int P = m->npeople;
	const json_t *fair = json_object_get(in->config, "fairness");
	bool by_fte = !json_is_false(json_object_get(fair, "scaleByFte"));
	double wp = json_is_number(json_object_get(fair, "periodWeight")) ? json_number_value(json_object_get(fair, "periodWeight")) : 1;
	double wy = json_is_number(json_object_get(fair, "yearToDateWeight"))
			    ? json_number_value(json_object_get(fair, "yearToDateWeight"))
			    : 0;
	long ys = year_start(sm, in->first);
	int C = sm->nclass;
	sm->due_centi = arena_alloc(bd->a, sizeof(int) * (size_t)((C + 1) * P));
	sm->ytd_count = arena_alloc(bd->a, sizeof(int) * (size_t)((C + 1) * P));
	sm->ytd_due_centi = arena_alloc(bd->a, sizeof(int) * (size_t)((C + 1) * P));
	int *target = arena_alloc(bd->a, sizeof(int) * (size_t)P);
	int cap_centi = 100 * m->ndays;
	for (int c = 0; c < C; c++) {
		const struct sched_class *cl = &sm->cls[c];
		engine_mask mask = 0;
		for (int t = 0; t < m->nshifts; t++)
			if (sm->type[t].kind != SCHED_T_HISTORY && (sm->type[t].base & cl->base))
				mask |= (engine_mask)1 << t;
		double D = class_demand(sm, cl->base), F = 0;
		int ytd_total = 0;
		int *ytd = &sm->ytd_count[c * P];
		for (int p = 0; p < P; p++)
			if (in_class_attending(bd, p, cl->base))
				F += by_fte ? m->people[p].fte : 1;
		for (int i = 0; i < in->nhistory; i++) {
			const struct sched_assign *h = &in->history[i];
			if (h->day < ys || h->day >= in->first || h->person < 0)
				continue;
			int p = sm->engine_of[h->person], b = sched_base_find(sm, h->shift_code);
			if (p >= 0 && b >= 0 && (cl->base & ((uint64_t)1 << b)) && in_class_attending(bd, p, cl->base)) {
				ytd[p]++;
				ytd_total++;
			}
		}
		for (int p = 0; p < P; p++) {
			bool member = in_class_attending(bd, p, cl->base) && F > 0;
			double share = member ? (by_fte ? m->people[p].fte : 1) / F : 0;
			int due = member ? (int)lround(100.0 * D * share) : -1;
			int ydue = member ? (int)lround(100.0 * (ytd_total + D) * share) : -1;
			sm->due_centi[c * P + p] = due;
			sm->ytd_due_centi[c * P + p] = ydue;
		}
		if (!mask || D <= 0)
			continue;
		int w = (int)lround(FAIR_SCALE * cl->weight * wp);
		if (w > 0) {
			for (int p = 0; p < P; p++)
				target[p] = sm->due_centi[c * P + p] > cap_centi ? cap_centi : sm->due_centi[c * P + p];
			struct engine_fair f = {.shifts = mask, .weight = w, .target_centi = target};
			enum err e = engine_model_add_fair(m, &f, ei);
			if (e)
				return e;
		}
		w = (int)lround(FAIR_SCALE * cl->weight * wy);
		if (w > 0 && ytd_total > 0) {
			for (int p = 0; p < P; p++) {
				int ydue = sm->ytd_due_centi[c * P + p];
				int t = ydue < 0 ? -1 : ydue - 100 * ytd[p];
				target[p] = t < 0 && ydue >= 0 ? 0 : t > cap_centi ? cap_centi : t;
			}
			struct engine_fair f = {.shifts = mask, .weight = w, .target_centi = target};
			enum err e = engine_model_add_fair(m, &f, ei);
			if (e)
				return e;
		}
	}
	if (json_is_number(json_object_get(fair, "toleranceShifts")) && json_number_value(json_object_get(fair, "toleranceShifts")) > 0)
		note(sm, bd->a, "fairness.toleranceShifts is not modelled: every deviation from a fair share costs");
	/* load: each shift type's headcount shared among who may work it, in proportion to FTE */
	engine_mask all = 0;
	for (int t = 0; t < m->nshifts; t++)
		if (sm->type[t].kind != SCHED_T_HISTORY)
			all |= (engine_mask)1 << t;
	double *load = arena_alloc(bd->a, sizeof(double) * (size_t)P);
	for (int b = 0; b < sm->nbase; b++) {
		double D = class_demand(sm, (uint64_t)1 << b), F = 0;
		for (int p = 0; p < P; p++)
			if (bd->elig[p * sm->nbase + b] == 1)
				F += m->people[p].fte;
		for (int p = 0; p < P && F > 0; p++) {
			int el = bd->elig[p * sm->nbase + b];
			/* a fellow is shared in as one more person: they never reduce anyone's need */
			if (el == 1)
				load[p] += D * m->people[p].fte / F;
			else if (el == 2)
				load[p] += D * m->people[p].fte / (F + m->people[p].fte);
		}
	}
	for (int p = 0; p < P; p++) {
		int t = (int)lround(100.0 * load[p]);
		target[p] = t > cap_centi ? cap_centi : t;
	}
	int wl = (int)lround(W_LOAD * (wp > 0 ? wp : 1));
	struct engine_fair f = {.shifts = all, .weight = wl, .target_centi = target};
	return engine_model_add_fair(m, &f, ei);
}

static enum err set_spreads(struct builder *bd, struct errinfo *ei)
{
	struct sched_model *sm = bd->sm;
	struct engine_model *m = sm->m;
	enum err e = ERR_OK;
	if (sm->weekend_max > 0) {
		int window = sm->weekend_weeks;
		struct engine_spread s = {.kind = ENGINE_SPREAD_WEEKENDS, .window = window, .max = sm->weekend_max,
					  .weight = SCHED_W_RULE};
		if (window > m->ndays)
			s.window = m->ndays;
		e = engine_model_add_spread(m, &s, ei);
	}
	if (!e && m->ndays >= 14 && (sm->weekend_max == 0 || sm->weekend_max > 1)) {
		struct engine_spread s = {.kind = ENGINE_SPREAD_WEEKENDS, .window = 2, .max = 1, .weight = W_SPREAD_WE};
		e = engine_model_add_spread(m, &s, ei);
	}
	engine_mask nights = 0;
	for (int t = 0; t < m->nshifts; t++) {
		if (sm->type[t].kind == SCHED_T_HISTORY)
			continue;
		for (int b = 0; b < sm->nbase; b++)
			if ((sm->type[t].base & ((uint64_t)1 << b)) && sm->base[b].night)
				nights |= (engine_mask)1 << t;
	}
	if (!e && nights && m->ndays >= 7) {
		struct engine_spread s = {.kind = ENGINE_SPREAD_SHIFTS, .shifts = nights, .window = 7, .max = 2,
					  .weight = W_SPREAD_NIGHT};
		e = engine_model_add_spread(m, &s, ei);
	}
	return e;
}

static int reason_index(struct engine_model *m, const char *why, int *idx, struct errinfo *ei)
{
	for (int r = 1; r < m->noff_reasons; r++)
		if (!strcmp(m->off_reasons[r], why)) {
			*idx = r;
			return ERR_OK;
		}
	return engine_model_add_off_reason(m, why, idx, ei);
}

/* rules.weekends for engine person p ("at most max weekends in any periodWeeks weeks"), as
 * far as the engine can hold it exactly:
 *  - a period weekend whose every window already holds max worked weekends of the look-back
 *    is a day off ("at the most weekends");
 *  - worked weekends over the horizon ≤ history + what the tightest window allows (exact
 *    when the period has at most periodWeeks weekends, else the most any arrangement
 *    could have);
 * the rest is the soft window term of set_spreads(), and sched_check() checks it exactly. */
static enum err set_weekends(struct builder *bd, int p, struct errinfo *ei)
{
	struct sched_model *sm = bd->sm;
	struct engine_model *m = sm->m;
	int L = sm->lookback, H = m->ndays, P4 = sm->weekend_weeks, max = sm->weekend_max;
	int *we_of = arena_alloc(bd->a, sizeof(int) * (size_t)H);
	int nw = 0;
	for (int d = 0; d < H; d++) {
		int wd = m->days[d].weekday;
		we_of[d] = wd == 5 ? nw++ : wd == 6 ? (d > 0 && m->days[d - 1].weekday == 5 ? we_of[d - 1] : nw++) : -1;
	}
	bool *hist = arena_alloc(bd->a, sizeof(bool) * (size_t)(nw + 1));
	int first_period = -1, nhist = 0;
	for (int d = 0; d < H; d++) {
		int w = we_of[d];
		if (w < 0)
			continue;
		if (d < L && bd->hist_cell[p * L + d] != ENGINE_OFF && !hist[w]) {
			hist[w] = true;
			nhist++;
		}
		if (d >= L && first_period < 0)
			first_period = w;
	}
	if (first_period < 0)
		return ERR_OK; /* no weekend in the period */
	int wp = nw - first_period;
	char words[80];
	snprintf(words, sizeof words, "at the most weekends (%d in %d weeks)", max, P4);
	for (int w = first_period; w < nw; w++) {
		if (hist[w])
			continue;
		bool blocked = false;
		for (int s0 = w - P4 + 1; s0 <= w && !blocked; s0++) {
			int n = 0;
			for (int k = s0; k < s0 + P4; k++)
				n += k >= 0 && k < nw && hist[k];
			blocked = n >= max;
		}
		if (!blocked)
			continue;
		int idx;
		enum err e = reason_index(m, words, &idx, ei);
		if (e)
			return e;
		for (int d = L; d < H; d++)
			if (we_of[d] == w && !m->day_off[p * H + d])
				m->day_off[p * H + d] = (uint8_t)idx;
	}
	int cap;
	if (wp <= P4) {
		int n = 0;
		for (int k = nw - P4; k < first_period; k++)
			n += k >= 0 && hist[k];
		cap = max - n;
	} else {
		cap = max * (wp / P4) + (wp % P4 < max ? wp % P4 : max);
	}
	m->people[p].max_weekends = nhist + (cap > 0 ? cap : 0);
	return ERR_OK;
}

static enum err set_people(struct builder *bd, struct errinfo *ei)
{
	struct sched_model *sm = bd->sm;
	struct engine_model *m = sm->m;
	const struct sched_input *in = sm->in;
	int P = m->npeople, L = sm->lookback, B = sm->nbase;
	int max_consec = sm->engine_max_consec;
	for (int p = 0; p < P; p++) {
		const struct sched_person *sp = &in->people[sm->person_of[p]];
		struct engine_person *ep = &m->people[p];
		ep->code = sp->id ? sp->id : sp->email;
		ep->label = sched_person_label(sp);
		ep->fte = sp->fte;
		ep->max_consec = max_consec;
		engine_mask el = 0;
		for (int t = 0; t < bd->ntypes; t++) {
			const struct sched_type *ty = &bd->types[t];
			bool ok = true;
			if (ty->kind == SCHED_T_HISTORY) {
				ok = false;
				for (int d = 0; d < L; d++)
					ok |= bd->hist_cell[p * L + d] == t;
			} else {
				for (int b = 0; b < B && ok; b++)
					if (ty->base & ((uint64_t)1 << b))
						ok = bd->elig[p * B + b] == (ty->kind == SCHED_T_FELLOW ? 2 : 1);
			}
			if (ok)
				el |= (engine_mask)1 << t;
		}
		ep->eligible = el;
		/* look-back: locked to what was worked */
		for (int d = 0; d < L; d++)
			m->lock[p * m->ndays + d] = bd->hist_cell[p * L + d];
		/* days off: employment and approved time off */
		for (int d = L; d < m->ndays; d++) {
			long day = in->first + (d - L);
			const char *why = NULL;
			if (sp->start_day != SCHED_NO_DAY && day < sp->start_day)
				why = "not yet started";
			else if (sp->end_day != SCHED_NO_DAY && day > sp->end_day)
				why = "no longer with the department";
			for (int i = 0; !why && i < in->noff; i++) {
				const struct sched_timeoff *o = &in->off[i];
				if (o->approved && o->person == sm->person_of[p] && day >= o->from && day <= o->to)
					why = off_words(o->kind);
			}
			if (!why)
				continue;
			int idx = -1;
			for (int r = 1; r < m->noff_reasons; r++)
				if (!strcmp(m->off_reasons[r], why))
					idx = r;
			if (idx < 0) {
				enum err e = engine_model_add_off_reason(m, why, &idx, ei);
				if (e)
					return e;
			}
			m->day_off[p * m->ndays + d] = (uint8_t)idx;
		}
		if (sm->weekend_max > 0) {
			enum err e = set_weekends(bd, p, ei);
			if (e)
				return e;
		}
	}
	/* pending time-off requests: wishes for days off */
	for (int i = 0; i < in->noff; i++) {
		const struct sched_timeoff *o = &in->off[i];
		int p = o->person >= 0 && o->person < in->npeople ? sm->engine_of[o->person] : -1;
		if (o->approved || p < 0)
			continue;
		for (long day = o->from < in->first ? in->first : o->from; day <= o->to && day <= in->last; day++) {
			struct engine_request r = {.person = p, .day = sched_day_of(sm, day), .shift = ENGINE_ANY,
						   .weight = W_PENDING, .on = false};
			enum err e = engine_model_add_request(m, &r, ei);
			if (e)
				return e;
		}
	}
	/* locked assignments of the period */
	uint64_t *lock_set = arena_alloc(bd->a, sizeof(uint64_t) * (size_t)(P * m->ndays));
	for (int i = 0; i < in->nfixed; i++) {
		const struct sched_assign *f = &in->fixed[i];
		int p = f->person >= 0 && f->person < in->npeople ? sm->engine_of[f->person] : -1;
		int d = sched_day_of(sm, f->day), b = sched_base_find(sm, f->shift_code);
		if (p < 0 || d < L || b < 0) {
			note(sm, bd->a, "a locked %s on %s could not be kept (the person or shift type is not scheduled)",
			     f->shift_code ? f->shift_code : "?", sched_day_label(sm, d < 0 ? L : d));
			continue;
		}
		lock_set[p * m->ndays + d] |= (uint64_t)1 << b;
	}
	for (int p = 0; p < P; p++)
		for (int d = L; d < m->ndays; d++) {
			uint64_t set = lock_set[p * m->ndays + d];
			if (!set)
				continue;
			int t = type_for_set(bd, p, set);
			if (t < 0) {
				note(sm, bd->a, "%s's locked shifts on %s match no shift type this person may work together",
				     m->people[p].label, sched_day_label(sm, d));
				/* keep what exists as a base type so the evaluator names the conflict */
				t = engine_type_of(bd, SCHED_T_BASE, set & -set);
			}
			if (t >= 0)
				m->lock[p * m->ndays + d] = (int16_t)t;
			if (t >= 0 && bd->types[t].base != set)
				note(sm, bd->a, "%s's locked shifts on %s cannot all be kept on one day; %s is kept",
				     m->people[p].label, sched_day_label(sm, d), m->shifts[t].code);
		}
	return ERR_OK;
}

enum err sched_model_build(const struct sched_input *in, struct arena *a, struct sched_model **out,
			   struct errinfo *ei)
{
	*out = NULL;
	struct sched_model *sm = arena_alloc(a, sizeof *sm);
	sm->in = in;
	if (in->last < in->first)
		return err_set(ei, ERR_INVALID, "/endDate", "the period ends before it starts");
	enum err e = read_shifts(sm, a, ei);
	if (e)
		return e;
	read_classes(sm, a);
	read_rules(sm, a);
	int P = 0;
	if ((e = people_index(sm, a, &P, ei)))
		return e;
	sm->nperiod = (int)(in->last - in->first + 1);
	sm->lookback = lookback_days(sm);
	int H = sm->nperiod + sm->lookback;
	if (H > ENGINE_MAX_DAYS)
		return err_set(ei, ERR_INVALID, "/endDate", "a period of %d days is longer than the engine schedules", sm->nperiod);

	struct builder bd = {.sm = sm, .a = a};
	/* base types, fellow variants, combinations */
	for (int b = 0; b < sm->nbase; b++)
		(void)add_type(&bd, SCHED_T_BASE, (uint64_t)1 << b, ei);
	bd.elig = arena_alloc(a, sizeof(int) * (size_t)(P * sm->nbase));
	for (int p = 0; p < P; p++)
		for (int b = 0; b < sm->nbase; b++)
			bd.elig[p * sm->nbase + b] = sched_eligibility(sm, sm->person_of[p], b);
	for (int b = 0; b < sm->nbase; b++)
		for (int p = 0; p < P; p++)
			if (bd.elig[p * sm->nbase + b] == 2) {
				if (add_type(&bd, SCHED_T_FELLOW, (uint64_t)1 << b, ei) < 0)
					return ERR_INVALID;
				break;
			}
	if ((e = build_combos(&bd, ei)))
		return e;
	/* the look-back needs the working types first (history types forbid some of them) */
	history_sets(&bd, P);
	if ((e = history_types(&bd, P, engine_max_consec(sm, a), ei)))
		return e;

	struct engine_model *m;
	if ((e = engine_model_new(a, H, bd.ntypes, P, &m, ei)))
		return e;
	sm->m = m;
	sm->type = arena_alloc(a, sizeof *sm->type * (size_t)bd.ntypes);
	memcpy(sm->type, bd.types, sizeof *sm->type * (size_t)bd.ntypes);
	/* days */
	sm->count = arena_alloc(a, sizeof(int) * (size_t)(H * sm->nbase));
	sm->runs = arena_alloc(a, sizeof(bool) * (size_t)(H * sm->nbase));
	sm->day_name = arena_alloc(a, sizeof(char *) * (size_t)H);
	sm->holiday = arena_alloc(a, sizeof(bool) * (size_t)H);
	for (int d = 0; d < H; d++) {
		long day = in->first - sm->lookback + d;
		char *lbl = arena_alloc(a, 11);
		date_format(day, lbl);
		m->days[d].label = lbl;
		m->days[d].weekday = date_weekday(day);
		if (d < sm->lookback)
			continue;
		for (int b = 0; b < sm->nbase; b++) {
			int n = day_count(sm, day, b, &sm->day_name[d], &sm->holiday[d]);
			sm->count[d * sm->nbase + b] = n < 0 ? 0 : n;
			sm->runs[d * sm->nbase + b] = n > 0;
		}
	}
	/* shift types */
	for (int t = 0; t < bd.ntypes; t++) {
		struct engine_shift *es = &m->shifts[t];
		const struct sched_type *ty = &bd.types[t];
		char code[200] = "";
		int minutes = 0;
		for (int b = 0; b < sm->nbase; b++)
			if (ty->base & ((uint64_t)1 << b)) {
				snprintf(code + strlen(code), sizeof code - strlen(code), "%s%s", code[0] ? "+" : "",
					 sm->base[b].code);
				if (sm->base[b].timed) {
					int len = sm->base[b].end - sm->base[b].start;
					minutes += len <= 0 ? len + 1440 : len;
				}
			}
		switch (ty->kind) {
		case SCHED_T_BASE: es->code = sm->base[__builtin_ctzll(ty->base)].code; break;
		case SCHED_T_COMBO: es->code = arena_strdup(a, code); break;
		case SCHED_T_FELLOW: es->code = arena_sprintf(a, "%s (fellow)", code); break;
		case SCHED_T_HISTORY: es->code = arena_sprintf(a, "history#%d:%s", t, code); break;
		}
		/* labels are what sentences show: a history cell reads as what was worked */
		es->label = ty->kind == SCHED_T_HISTORY ? arena_strdup(a, code) : es->code;
		es->minutes = minutes > 2880 ? 2880 : minutes;
		es->parts = ty->kind == SCHED_T_COMBO ? (engine_mask)ty->base : (engine_mask)1 << t;
		if (ty->kind == SCHED_T_COMBO) {
			/* parts are cover rows: the base types' indices equal their bits */
			es->parts = (engine_mask)ty->base;
		}
		engine_mask fn = 0;
		for (int u = 0; u < bd.ntypes; u++)
			if (bd.types[u].kind != SCHED_T_HISTORY && forbids_next(sm, ty->base, bd.types[u].base))
				fn |= (engine_mask)1 << u;
		es->forbidden_next = fn;
	}
	set_cover(&bd);
	for (int p = 0; p < P; p++)
		for (int t = 0; t < ENGINE_MAX_SHIFTS; t++)
			m->people[p].max_count[t] = ENGINE_NO_LIMIT;
	if ((e = set_people(&bd, ei)) || (e = set_caps(&bd, ei)) || (e = set_fairness(&bd, ei)) ||
	    (e = set_spreads(&bd, ei)))
		return e;
	for (int b = 0; b < sm->nbase; b++) {
		int span = 0;
		for (int c = 0; c < sm->nbase; c++)
			if (succession(sm, b, c, &span) && span > 1) {
				note(sm, a, "forbidden successions over %d days are enforced for the next day only; later days are checked after solving",
				     span);
				b = sm->nbase;
				break;
			}
	}
	if ((e = engine_model_finalize(m, ei)))
		return e;
	*out = sm;
	return ERR_OK;
}

/* ---- roster ↔ assignments ------------------------------------------------------------ */

int sched_roster_cells(const struct sched_model *sm, const struct engine_roster *r, struct arena *a,
		       struct sched_cell **out)
{
	const struct engine_model *m = sm->m;
	int n = 0;
	for (int p = 0; p < m->npeople; p++)
		for (int d = sm->lookback; d < m->ndays; d++) {
			int v = r->cell[p * m->ndays + d];
			if (v >= 0 && v < m->nshifts && sm->type[v].kind != SCHED_T_HISTORY)
				n += popcount(sm->type[v].base);
		}
	struct sched_cell *c = arena_alloc(a, sizeof *c * (size_t)(n + 1));
	int k = 0;
	for (int p = 0; p < m->npeople; p++)
		for (int d = sm->lookback; d < m->ndays; d++) {
			int v = r->cell[p * m->ndays + d];
			if (v < 0 || v >= m->nshifts || sm->type[v].kind == SCHED_T_HISTORY)
				continue;
			for (int b = 0; b < sm->nbase; b++)
				if (sm->type[v].base & ((uint64_t)1 << b))
					c[k++] = (struct sched_cell){.person = sm->person_of[p], .day = sm->in->first + (d - sm->lookback),
								     .base = b, .fellow_variant = sm->type[v].kind == SCHED_T_FELLOW,
								     .locked = m->lock[p * m->ndays + d] == v};
		}
	*out = c;
	return k;
}

void sched_roster_from(const struct sched_model *sm, const struct sched_assign *v, int n, struct arena *a,
		       struct engine_roster *out)
{
	const struct engine_model *m = sm->m;
	engine_roster_init(out, m, a);
	uint64_t *set = arena_alloc(a, sizeof(uint64_t) * (size_t)(m->npeople * m->ndays));
	for (int i = 0; i < n; i++) {
		int p = v[i].person >= 0 && v[i].person < sm->in->npeople ? sm->engine_of[v[i].person] : -1;
		int d = sched_day_of(sm, v[i].day), b = sched_base_find(sm, v[i].shift_code);
		if (p >= 0 && d >= sm->lookback && b >= 0)
			set[p * m->ndays + d] |= (uint64_t)1 << b;
	}
	for (int p = 0; p < m->npeople; p++)
		for (int d = 0; d < m->ndays; d++) {
			if (d < sm->lookback) {
				out->cell[p * m->ndays + d] = m->lock[p * m->ndays + d];
				continue;
			}
			uint64_t s = set[p * m->ndays + d];
			if (!s)
				continue;
			int best = -1, bestn = 0;
			for (int t = 0; t < m->nshifts; t++) {
				const struct sched_type *ty = &sm->type[t];
				if (ty->kind == SCHED_T_HISTORY || (ty->base & ~s))
					continue;
				bool ok = (m->people[p].eligible >> t) & 1;
				int k = popcount(ty->base) * 2 + ok;
				if (k > bestn)
					best = t, bestn = k;
			}
			if (best >= 0)
				out->cell[p * m->ndays + d] = (int16_t)best;
		}
}
