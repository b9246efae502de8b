/* schedule_model_config.c — the config read into struct sched_model: shift types, equivalence
 * classes, the rules' numbers (max consecutive days, rest after a run, weekends, maxShifts,
 * week start), the headcount of a day, forbidden successions (and overlaps across midnight),
 * the look-back they need, and calendar units. JSON in, plain fields out; nothing here
 * touches the engine model. */
#include <stdio.h>
#include <string.h>

#include "domain/dates.h"
#include "domain/schedule_model_internal.h"

static const char *const wd_keys[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

bool sm_has_str(const json_t *arr, const char *s)
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

enum err sm_read_shifts(struct sched_model *sm, struct arena *a, struct errinfo *ei)
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
			if (sm_has_str(days, wd_keys[w]))
				s->days |= 1u << w;
		s->points = json_number_value(json_object_get(j, "points"));
	}
	return ERR_OK;
}

uint64_t sm_base_mask(const struct sched_model *sm, const json_t *codes)
{
	uint64_t m = 0;
	for (size_t i = 0; i < json_array_size(codes); i++) {
		int b = sched_base_find(sm, json_string_value(json_array_get(codes, i)));
		if (b >= 0)
			m |= (uint64_t)1 << b;
	}
	return m;
}

void sm_read_classes(struct sched_model *sm, struct arena *a)
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
		c->base = sm_base_mask(sm, json_object_get(j, "shiftTypes"));
		c->weight = 1;
		for (size_t k = 0; k < json_array_size(bal); k++) {
			const json_t *b = json_array_get(bal, k);
			const char *id = json_string_value(json_object_get(b, "equivalence"));
			if (id && c->id && !strcmp(id, c->id))
				c->weight = json_number_value(json_object_get(b, "weight"));
		}
	}
}

void sm_read_rules(struct sched_model *sm, struct arena *a)
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
		sm->cap[i] = (struct sched_cap){.base = sm_base_mask(sm, json_object_get(j, "shiftTypes")),
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

/* Headcount of base b on date day (0 when the day is closed to it); *name and *holiday,
 * when given, get the day's override name and holiday flag. */
int sm_day_count(const struct sched_model *sm, long day, int b, const char **name, bool *holiday)
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
bool sm_succession(const struct sched_model *sm, int a, int b, int *span)
{
	const json_t *fs = json_object_get(json_object_get(sm->in->config, "rules"), "forbiddenSuccessions");
	bool hit = false;
	*span = 0;
	for (size_t i = 0; i < json_array_size(fs); i++) {
		const json_t *r = json_array_get(fs, i);
		if (!sm_has_str(json_object_get(r, "after"), sm->base[a].code) ||
		    !sm_has_str(json_object_get(r, "forbid"), sm->base[b].code))
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

bool sm_forbids_next(const struct sched_model *sm, uint64_t from, uint64_t to)
{
	for (int a = 0; a < sm->nbase; a++) {
		if (!(from & ((uint64_t)1 << a)))
			continue;
		for (int b = 0; b < sm->nbase; b++) {
			int span;
			if ((to & ((uint64_t)1 << b)) && (sm_succession(sm, a, b, &span) || overlap_next(sm, a, b)))
				return true;
		}
	}
	return false;
}

int sm_lookback_days(struct sched_model *sm)
{
	int L = 0;
	for (int a = 0; a < sm->nbase; a++)
		for (int b = 0; b < sm->nbase; b++) {
			int span = 0;
			if (sm_succession(sm, a, b, &span) && span > L)
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

/* The engine's run limit: maxConsecutiveWorkingDays, shortened so that restAfterRun can never
 * apply (conservative) when that leaves runs of at least 3 days. */
int sm_engine_max_consec(struct sched_model *sm, struct arena *a)
{
	int mc = sm->max_consec;
	if (sm->rest_min_off >= 2 && sm->rest_min_run >= 2) {
		if (sm->rest_min_run - 1 >= 3 && (mc == 0 || sm->rest_min_run - 1 < mc)) {
			mc = sm->rest_min_run - 1;
			sm_note(sm, a, "rules.restAfterRun (%d days off after %d in a row) is held by keeping runs to %d days",
			        sm->rest_min_off, sm->rest_min_run, mc);
		} else if (mc == 0 || sm->rest_min_run <= mc) {
			sm_note(sm, a, "rules.restAfterRun is only checked after solving, not enforced while solving");
		}
	}
	sm->engine_max_consec = mc;
	return mc;
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
