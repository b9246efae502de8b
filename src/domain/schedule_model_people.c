/* schedule_model_people.c — who is scheduled and what each person may work: the people the
 * engine sees (active, schedulable, FTE > 0, employed in the period), eligibility as
 * docs/config.md#eligibility, the look-back locked to what was worked, days off (employment,
 * approved time off; the weekend rule's come from schedule_model_rules.c), pending time-off
 * requests, and the period's locked assignments. */
#include <string.h>

#include "domain/config/config_check.h"
#include "domain/schedule_model_internal.h"

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

enum err sm_people_index(struct sched_model *sm, struct arena *a, int *np, struct errinfo *ei)
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

enum err sm_set_people(struct builder *bd, struct errinfo *ei)
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
			enum err e = sm_set_weekends(bd, p, ei);
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
			sm_note(sm, bd->a, "a locked %s on %s could not be kept (the person or shift type is not scheduled)",
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
			int t = sm_type_for_set(bd, p, set);
			if (t < 0) {
				sm_note(sm, bd->a, "%s's locked shifts on %s match no shift type this person may work together",
				        m->people[p].label, sched_day_label(sm, d));
				/* keep what exists as a base type so the evaluator names the conflict */
				t = sm_engine_type_of(bd, SCHED_T_BASE, set & -set);
			}
			if (t >= 0)
				m->lock[p * m->ndays + d] = (int16_t)t;
			if (t >= 0 && bd->types[t].base != set)
				sm_note(sm, bd->a, "%s's locked shifts on %s cannot all be kept on one day; %s is kept",
				        m->people[p].label, sched_day_label(sm, d), m->shifts[t].code);
		}
	return ERR_OK;
}
