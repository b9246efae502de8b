/* schedule_model.c — the entry point: sched_model_build() runs the steps of the mapping in
 * order (tenant config + roster + time off + locks + history → engine model; see
 * schedule_model.h for the mapping and schedule_model_internal.h for which file does what),
 * and lays out the days. Also the model's small accessors and the notes on approximations. */
#include <stdarg.h>
#include <string.h>

#include "domain/dates.h"
#include "domain/schedule_model_internal.h"

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

void sm_note(struct sched_model *sm, struct arena *a, const char *fmt, ...)
{
	if (sm->notes_n >= (int)(sizeof sm->notes / sizeof sm->notes[0]))
		return;
	va_list ap;
	va_start(ap, fmt);
	sm->notes[sm->notes_n++] = arena_vsprintf(a, fmt, ap);
	va_end(ap);
}

enum err sched_model_build(const struct sched_input *in, struct arena *a, struct sched_model **out,
			   struct errinfo *ei)
{
	*out = NULL;
	struct sched_model *sm = arena_alloc(a, sizeof *sm);
	sm->in = in;
	if (in->last < in->first)
		return err_set(ei, ERR_INVALID, "/endDate", "the period ends before it starts");
	enum err e = sm_read_shifts(sm, a, ei);
	if (e)
		return e;
	sm_read_classes(sm, a);
	sm_read_rules(sm, a);
	int P = 0;
	if ((e = sm_people_index(sm, a, &P, ei)))
		return e;
	sm->nperiod = (int)(in->last - in->first + 1);
	sm->lookback = sm_lookback_days(sm);
	int H = sm->nperiod + sm->lookback;
	if (H > ENGINE_MAX_DAYS)
		return err_set(ei, ERR_INVALID, "/endDate", "a period of %d days is longer than the engine schedules", sm->nperiod);

	struct builder bd = {.sm = sm, .a = a};
	/* base types, fellow variants, combinations */
	for (int b = 0; b < sm->nbase; b++)
		(void)sm_add_type(&bd, SCHED_T_BASE, (uint64_t)1 << b, ei);
	bd.elig = arena_alloc(a, sizeof(int) * (size_t)(P * sm->nbase));
	for (int p = 0; p < P; p++)
		for (int b = 0; b < sm->nbase; b++)
			bd.elig[p * sm->nbase + b] = sched_eligibility(sm, sm->person_of[p], b);
	for (int b = 0; b < sm->nbase; b++)
		for (int p = 0; p < P; p++)
			if (bd.elig[p * sm->nbase + b] == 2) {
				if (sm_add_type(&bd, SCHED_T_FELLOW, (uint64_t)1 << b, ei) < 0)
					return ERR_INVALID;
				break;
			}
	if ((e = sm_build_combos(&bd, ei)))
		return e;
	/* the look-back needs the working types first (history types forbid some of them) */
	sm_history_sets(&bd, P);
	if ((e = sm_history_types(&bd, P, sm_engine_max_consec(sm, a), ei)))
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
			int n = sm_day_count(sm, day, b, &sm->day_name[d], &sm->holiday[d]);
			sm->count[d * sm->nbase + b] = n < 0 ? 0 : n;
			sm->runs[d * sm->nbase + b] = n > 0;
		}
	}
	sm_set_shifts(&bd);
	sm_set_cover(&bd);
	for (int p = 0; p < P; p++)
		for (int t = 0; t < ENGINE_MAX_SHIFTS; t++)
			m->people[p].max_count[t] = ENGINE_NO_LIMIT;
	if ((e = sm_set_people(&bd, ei)) || (e = sm_set_caps(&bd, ei)) || (e = sm_set_fairness(&bd, ei)) ||
	    (e = sm_set_spreads(&bd, ei)))
		return e;
	for (int b = 0; b < sm->nbase; b++) {
		int span = 0;
		for (int c = 0; c < sm->nbase; c++)
			if (sm_succession(sm, b, c, &span) && span > 1) {
				sm_note(sm, a, "forbidden successions over %d days are enforced for the next day only; later days are checked after solving",
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
