/* schedule_model_roster.c — an engine roster and the department's assignments, both ways:
 * the period's cells of a roster as one assignment per config shift type worked, and a roster
 * from assignments (the look-back from the model's locks). */
#include "domain/schedule_model_internal.h"

int sched_roster_cells(const struct sched_model *sm, const struct engine_roster *r, struct arena *a,
		       struct sched_cell **out)
{
	const struct engine_model *m = sm->m;
	int n = 0;
	for (int p = 0; p < m->npeople; p++)
		for (int d = sm->lookback; d < m->ndays; d++) {
			int v = r->cell[p * m->ndays + d];
			if (v >= 0 && v < m->nshifts && sm->type[v].kind != SCHED_T_HISTORY)
				n += sm_popcount(sm->type[v].base);
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
				int k = sm_popcount(ty->base) * 2 + ok;
				if (k > bestn)
					best = t, bestn = k;
			}
			if (best >= 0)
				out->cell[p * m->ndays + d] = (int16_t)best;
		}
}
