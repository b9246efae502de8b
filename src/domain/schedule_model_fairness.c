/* schedule_model_fairness.c — the fairness terms: per equivalence class, targets in proportion
 * to FTE among who may work it alone, for the period and for the department year to date
 * (fairness.balance, periodWeight, yearToDateWeight, scaleByFte); and the load term over all
 * work. Also fills the model's due_centi / ytd_count / ytd_due_centi for the run's tallies. */
#include <math.h>
#include <string.h>

#include "domain/dates.h"
#include "domain/schedule_model_internal.h"

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

/* Total headcount the period asks for in the base shift types of mask base (the demand a
 * class's fairness targets share out). */
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

enum err sm_set_fairness(struct builder *bd, struct errinfo *ei)
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
		sm_note(sm, bd->a, "fairness.toleranceShifts is not modelled: every deviation from a fair share costs");
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
