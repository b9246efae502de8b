/* schedule_model_types.c — the engine shift types of a department: one per config shift type,
 * one per compatible set of rules.sameDayAllowed, fellow variants, and history types for the
 * look-back cells (one per distinct "what it forbids the next day"); the engine shift table
 * built from them, and the cover rows (headcounts, closed days). */
#include <stdio.h>
#include <string.h>

#include "domain/schedule_model_internal.h"

int sm_add_type(struct builder *bd, enum sched_type_kind k, uint64_t base, struct errinfo *ei)
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

enum err sm_build_combos(struct builder *bd, struct errinfo *ei)
{
	struct sched_model *sm = bd->sm;
	const json_t *sda = json_object_get(json_object_get(sm->in->config, "rules"), "sameDayAllowed");
	for (size_t i = 0; i < json_array_size(sda); i++) {
		uint64_t set = sm_base_mask(sm, json_object_get(json_array_get(sda, i), "shiftTypes"));
		int k = sm_popcount(set);
		if (k < 2)
			continue;
		if (k > 6) {
			sm_note(sm, bd->a, "rules.sameDayAllowed entry %zu has %d shift types: only pairs of it are scheduled", i, k);
			for (int x = 0; x < sm->nbase; x++)
				for (int y = x + 1; y < sm->nbase; y++) {
					uint64_t pair = ((uint64_t)1 << x) | ((uint64_t)1 << y);
					if ((set & pair) == pair && sm_add_type(bd, SCHED_T_COMBO, pair, ei) < 0)
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
			if (sm_popcount(sub) < 2)
				continue;
			uint64_t m = 0;
			for (int j = 0; j < n; j++)
				if (sub & (1u << j))
					m |= (uint64_t)1 << idx[j];
			if (sm_add_type(bd, SCHED_T_COMBO, m, ei) < 0)
				return ERR_INVALID;
		}
	}
	return ERR_OK;
}

/* Base types worked by engine person p on each look-back day, from the history. */
void sm_history_sets(struct builder *bd, int P)
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

enum err sm_history_types(struct builder *bd, int P, int mc, struct errinfo *ei)
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
				if (sm_forbids_next(sm, set, bd->types[t].base))
					fm |= (uint64_t)1 << t;
			int found = -1;
			for (int t = nwork; t < bd->ntypes; t++)
				if (fmask[t] == fm)
					found = t;
			if (found < 0) {
				/* the type's base set is the first set seen with this mask: only its
				 * successions matter, and they are equal for the whole class */
				found = sm_add_type(bd, SCHED_T_HISTORY, set, ei);
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

int sm_engine_type_of(const struct builder *bd, enum sched_type_kind k, uint64_t set)
{
	for (int t = 0; t < bd->ntypes; t++)
		if (bd->types[t].kind == k && bd->types[t].base == set)
			return t;
	return -1;
}

/* Closest engine type for a set of base types worked one day by p (locks). */
int sm_type_for_set(const struct builder *bd, int p, uint64_t set)
{
	const struct sched_model *sm = bd->sm;
	bool fellow_only = true;
	for (int b = 0; b < sm->nbase; b++)
		if ((set & ((uint64_t)1 << b)) && bd->elig[p * sm->nbase + b] != 2)
			fellow_only = false;
	int t = sm_engine_type_of(bd, fellow_only && sm_popcount(set) == 1 ? SCHED_T_FELLOW : SCHED_T_BASE, set);
	if (t < 0 && sm_popcount(set) > 1)
		t = sm_engine_type_of(bd, SCHED_T_COMBO, set);
	if (t >= 0)
		return t;
	int best = -1, bestn = 0;
	for (int u = 0; u < bd->ntypes; u++) {
		if (bd->types[u].kind == SCHED_T_HISTORY || (bd->types[u].base & ~set))
			continue;
		int n = sm_popcount(bd->types[u].base & set);
		if (n > bestn)
			best = u, bestn = n;
	}
	return best;
}

/* The engine shift types (code, label, minutes, parts, forbidden_next) from bd->types. */
void sm_set_shifts(struct builder *bd)
{
	struct sched_model *sm = bd->sm;
	struct engine_model *m = sm->m;
	for (int t = 0; t < bd->ntypes; t++) {
		struct engine_shift *es = &m->shifts[t];
		const struct sched_type *ty = &bd->types[t];
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
		case SCHED_T_COMBO: es->code = arena_strdup(bd->a, code); break;
		case SCHED_T_FELLOW: es->code = arena_sprintf(bd->a, "%s (fellow)", code); break;
		case SCHED_T_HISTORY: es->code = arena_sprintf(bd->a, "history#%d:%s", t, code); break;
		}
		/* labels are what sentences show: a history cell reads as what was worked */
		es->label = ty->kind == SCHED_T_HISTORY ? arena_strdup(bd->a, code) : es->code;
		es->minutes = minutes > 2880 ? 2880 : minutes;
		es->parts = ty->kind == SCHED_T_COMBO ? (engine_mask)ty->base : (engine_mask)1 << t;
		if (ty->kind == SCHED_T_COMBO) {
			/* parts are cover rows: the base types' indices equal their bits */
			es->parts = (engine_mask)ty->base;
		}
		engine_mask fn = 0;
		for (int u = 0; u < bd->ntypes; u++)
			if (bd->types[u].kind != SCHED_T_HISTORY && sm_forbids_next(sm, ty->base, bd->types[u].base))
				fn |= (engine_mask)1 << u;
		es->forbidden_next = fn;
	}
}

void sm_set_cover(struct builder *bd)
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
