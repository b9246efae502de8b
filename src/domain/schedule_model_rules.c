/* schedule_model_rules.c — rule families the engine holds as people's limits and spread
 * terms: rules.weekends (days off and a horizon maximum per person, plus the soft window),
 * rules.maxShifts (hard per-type maximums, soft terms for sets and several units), and the
 * spreading goals (weekends in a row, nights in a week). */
#include <stdio.h>
#include <string.h>

#include "domain/schedule_model_internal.h"

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
 * the rest is the soft window term of sm_set_spreads(), and sched_check_roster() checks it exactly. */
enum err sm_set_weekends(struct builder *bd, int p, struct errinfo *ei)
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

/* Per-person allowance of cap cp in the single unit around the period (its maximum less what
 * history already used), or cp->max when the period spans several units (*single false). */
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

enum err sm_set_caps(struct builder *bd, struct errinfo *ei)
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
			if (sm_popcount(mine) > 1 && A < soft_max)
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
			sm_note(sm, bd->a,
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

enum err sm_set_spreads(struct builder *bd, struct errinfo *ei)
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
