#include "engine/engine_model.h"

#include <stdio.h>
#include <string.h>

enum err engine_model_new(struct arena *a, int ndays, int nshifts, int npeople, struct engine_model **out,
			  struct errinfo *ei)
{
	*out = NULL;
	if (ndays < 1 || ndays > ENGINE_MAX_DAYS)
		return err_set(ei, ERR_TOO_LARGE, "/days", "horizon of %d days is outside 1..%d", ndays,
			       ENGINE_MAX_DAYS);
	if (nshifts < 1 || nshifts > ENGINE_MAX_SHIFTS)
		return err_set(ei, ERR_TOO_LARGE, "/shifts", "%d shift types is outside 1..%d", nshifts,
			       ENGINE_MAX_SHIFTS);
	if (npeople < 1 || npeople > ENGINE_MAX_PEOPLE)
		return err_set(ei, ERR_TOO_LARGE, "/people", "%d people is outside 1..%d", npeople,
			       ENGINE_MAX_PEOPLE);
	struct engine_model *m = arena_alloc(a, sizeof *m);
	m->arena = a;
	m->ndays = ndays;
	m->nshifts = nshifts;
	m->npeople = npeople;
	m->days = arena_alloc(a, sizeof *m->days * (size_t)ndays);
	for (int d = 0; d < ndays; d++) {
		m->days[d].label = arena_sprintf(a, "day %d", d);
		m->days[d].weekday = d % 7;
	}
	m->shifts = arena_alloc(a, sizeof *m->shifts * (size_t)nshifts);
	for (int s = 0; s < nshifts; s++) {
		m->shifts[s].code = arena_sprintf(a, "S%d", s);
		m->shifts[s].parts = (engine_mask)1 << s;
	}
	engine_mask all = ((engine_mask)1 << nshifts) - 1;
	m->people = arena_alloc(a, sizeof *m->people * (size_t)npeople);
	for (int p = 0; p < npeople; p++) {
		struct engine_person *pp = &m->people[p];
		pp->code = arena_sprintf(a, "P%d", p);
		pp->fte = 1.0;
		pp->eligible = all;
		for (int s = 0; s < ENGINE_MAX_SHIFTS; s++)
			pp->max_count[s] = ENGINE_NO_LIMIT;
		pp->max_minutes = ENGINE_NO_LIMIT;
		pp->max_weekends = ENGINE_NO_LIMIT;
	}
	size_t cells = (size_t)npeople * (size_t)ndays;
	m->day_off = arena_alloc(a, cells);
	m->lock = arena_alloc(a, sizeof *m->lock * cells);
	for (size_t i = 0; i < cells; i++)
		m->lock[i] = ENGINE_UNLOCKED;
	m->off_reasons[1] = "on leave";
	m->noff_reasons = 2;
	m->cover = arena_alloc(a, sizeof *m->cover * (size_t)ndays * (size_t)nshifts);
	*out = m;
	return ERR_OK;
}

enum err engine_model_add_request(struct engine_model *m, const struct engine_request *r, struct errinfo *ei)
{
	if (m->nrequests >= ENGINE_MAX_REQUESTS)
		return err_set(ei, ERR_TOO_LARGE, "/requests", "more than %d requests", ENGINE_MAX_REQUESTS);
	if (m->nrequests == m->requests_cap) {
		int ncap = m->requests_cap ? m->requests_cap * 2 : 64;
		struct engine_request *n = arena_alloc(m->arena, sizeof *n * (size_t)ncap);
		if (m->nrequests)
			memcpy(n, m->requests, sizeof *n * (size_t)m->nrequests);
		m->requests = n;
		m->requests_cap = ncap;
	}
	m->requests[m->nrequests++] = *r;
	m->finalized = false;
	return ERR_OK;
}

enum err engine_model_add_off_reason(struct engine_model *m, const char *words, int *index, struct errinfo *ei)
{
	if (m->noff_reasons >= (int)(sizeof m->off_reasons / sizeof m->off_reasons[0]))
		return err_set(ei, ERR_TOO_LARGE, "/offReasons", "too many kinds of day off");
	*index = m->noff_reasons;
	m->off_reasons[m->noff_reasons++] = arena_strdup(m->arena, words);
	return ERR_OK;
}

enum err engine_model_add_fair(struct engine_model *m, const struct engine_fair *f, struct errinfo *ei)
{
	if (m->nfair + m->nspread >= ENGINE_MAX_TERMS)
		return err_set(ei, ERR_TOO_LARGE, "/fairness", "more than %d soft terms", ENGINE_MAX_TERMS);
	struct engine_fair *n = arena_alloc(m->arena, sizeof *n * (size_t)(m->nfair + 1));
	if (m->nfair)
		memcpy(n, m->fair, sizeof *n * (size_t)m->nfair);
	n[m->nfair] = *f;
	n[m->nfair].target_centi = arena_alloc(m->arena, sizeof(int) * (size_t)m->npeople);
	memcpy(n[m->nfair].target_centi, f->target_centi, sizeof(int) * (size_t)m->npeople);
	m->fair = n;
	m->nfair++;
	m->finalized = false;
	return ERR_OK;
}

enum err engine_model_add_spread(struct engine_model *m, const struct engine_spread *s, struct errinfo *ei)
{
	if (m->nfair + m->nspread >= ENGINE_MAX_TERMS)
		return err_set(ei, ERR_TOO_LARGE, "/spread", "more than %d soft terms", ENGINE_MAX_TERMS);
	struct engine_spread *n = arena_alloc(m->arena, sizeof *n * (size_t)(m->nspread + 1));
	if (m->nspread)
		memcpy(n, m->spread, sizeof *n * (size_t)m->nspread);
	n[m->nspread++] = *s;
	m->spread = n;
	m->finalized = false;
	return ERR_OK;
}

static bool weight_ok(long long w) { return w >= 0 && w <= ENGINE_MAX_WEIGHT; }

static enum err check_people(const struct engine_model *m, struct errinfo *ei)
{
	engine_mask all = ((engine_mask)1 << m->nshifts) - 1;
	for (int p = 0; p < m->npeople; p++) {
		const struct engine_person *pp = &m->people[p];
		char path[64];
		snprintf(path, sizeof path, "/people/%d", p);
		if (!pp->code || !*pp->code)
			return err_set(ei, ERR_INVALID, path, "person %d has no code", p);
		if (pp->eligible & ~all)
			return err_set(ei, ERR_INVALID, path, "%s: eligible names an unknown shift type", pp->code);
		if (!(pp->fte >= 0 && pp->fte <= 2))
			return err_set(ei, ERR_INVALID, path, "%s: FTE must be within 0..2", pp->code);
		for (int s = 0; s < m->nshifts; s++)
			if (pp->max_count[s] < 0)
				return err_set(ei, ERR_INVALID, path, "%s: negative maximum for %s", pp->code,
					       m->shifts[s].code);
		if (pp->min_minutes < 0 || pp->max_minutes < 0 || pp->min_minutes > pp->max_minutes)
			return err_set(ei, ERR_INVALID, path, "%s: total minutes range [%d, %d] is empty", pp->code,
				       pp->min_minutes, pp->max_minutes);
		if (pp->max_consec < 0 || pp->min_consec < 0 || pp->min_consec_off < 0 || pp->max_weekends < 0)
			return err_set(ei, ERR_INVALID, path, "%s: negative consecutive or weekend limit", pp->code);
		if (pp->max_consec > 0 && pp->min_consec > pp->max_consec)
			return err_set(ei, ERR_INVALID, path, "%s: min consecutive %d exceeds max consecutive %d",
				       pp->code, pp->min_consec, pp->max_consec);
		if (pp->min_consec > m->ndays || pp->min_consec_off > m->ndays)
			return err_set(ei, ERR_INVALID, path, "%s: minimum run longer than the horizon", pp->code);
		for (int q = 0; q < p; q++)
			if (strcmp(m->people[q].code, pp->code) == 0)
				return err_set(ei, ERR_INVALID, path, "duplicate person code %s", pp->code);
	}
	return ERR_OK;
}

static enum err check_cells(const struct engine_model *m, struct errinfo *ei)
{
	for (int p = 0; p < m->npeople; p++)
		for (int d = 0; d < m->ndays; d++) {
			size_t i = (size_t)p * (size_t)m->ndays + (size_t)d;
			if (m->day_off[i] >= m->noff_reasons)
				return err_set(ei, ERR_INVALID, "/daysOff", "%s day %d: unknown day-off reason",
					       m->people[p].code, d);
			int l = m->lock[i];
			if (l != ENGINE_UNLOCKED && l != ENGINE_OFF && (l < 0 || l >= m->nshifts))
				return err_set(ei, ERR_INVALID, "/locked", "%s day %d: lock names no shift type",
					       m->people[p].code, d);
		}
	for (int i = 0; i < m->ndays * m->nshifts; i++) {
		const struct engine_cover *c = &m->cover[i];
		if (c->req < 0 || c->hard_min < 0 || c->req > ENGINE_MAX_PEOPLE || c->hard_min > ENGINE_MAX_PEOPLE ||
		    !weight_ok(c->w_under) || !weight_ok(c->w_over))
			return err_set(ei, ERR_INVALID, "/cover", "%s %s: cover numbers out of range",
				       m->days[i / m->nshifts].label, m->shifts[i % m->nshifts].code);
	}
	for (int i = 0; i < m->nrequests; i++) {
		const struct engine_request *r = &m->requests[i];
		if (r->person < 0 || r->person >= m->npeople || r->day < 0 || r->day >= m->ndays ||
		    (r->shift != ENGINE_ANY && (r->shift < 0 || r->shift >= m->nshifts)) || !weight_ok(r->weight))
			return err_set(ei, ERR_INVALID, "/requests", "request %d is out of range", i);
	}
	return ERR_OK;
}

static enum err check_terms(const struct engine_model *m, struct errinfo *ei)
{
	for (int i = 0; i < m->nfair; i++) {
		const struct engine_fair *f = &m->fair[i];
		if (!weight_ok(f->weight) || !f->shifts)
			return err_set(ei, ERR_INVALID, "/fairness", "fairness term %d: bad weight or empty class", i);
		for (int p = 0; p < m->npeople; p++)
			if (f->target_centi[p] > 100 * m->ndays)
				return err_set(ei, ERR_INVALID, "/fairness", "fairness term %d: target beyond horizon", i);
	}
	for (int i = 0; i < m->nspread; i++) {
		const struct engine_spread *s = &m->spread[i];
		if (!weight_ok(s->weight) || s->window < 1 || s->window > m->ndays || s->max < 0 ||
		    (s->kind == ENGINE_SPREAD_SHIFTS && !s->shifts) ||
		    (s->kind != ENGINE_SPREAD_SHIFTS && s->kind != ENGINE_SPREAD_WEEKENDS))
			return err_set(ei, ERR_INVALID, "/spread", "spread term %d is out of range", i);
	}
	return ERR_OK;
}

enum err engine_model_finalize(struct engine_model *m, struct errinfo *ei)
{
	for (int d = 0; d < m->ndays; d++)
		if (!m->days[d].label || m->days[d].weekday < 0 || m->days[d].weekday > 6)
			return err_set(ei, ERR_INVALID, "/days", "day %d: bad label or weekday", d);
	for (int d = 1; d < m->ndays; d++)
		if (m->days[d].weekday != (m->days[d - 1].weekday + 1) % 7)
			return err_set(ei, ERR_INVALID, "/days", "day %d: days must be consecutive", d);
	engine_mask all = ((engine_mask)1 << m->nshifts) - 1;
	for (int s = 0; s < m->nshifts; s++) {
		struct engine_shift *sh = &m->shifts[s];
		if (!sh->code || !*sh->code)
			return err_set(ei, ERR_INVALID, "/shifts", "shift type %d has no code", s);
		if (!sh->label)
			sh->label = sh->code;
		if (sh->minutes < 0 || sh->minutes > 24 * 60 * 2)
			return err_set(ei, ERR_INVALID, "/shifts", "%s: minutes out of range", sh->code);
		if ((sh->forbidden_next & ~all) || (sh->parts & ~all) || !sh->parts)
			return err_set(ei, ERR_INVALID, "/shifts", "%s: forbidden-next or parts names an unknown shift",
				       sh->code);
		for (int t = 0; t < s; t++)
			if (strcmp(m->shifts[t].code, sh->code) == 0)
				return err_set(ei, ERR_INVALID, "/shifts", "duplicate shift code %s", sh->code);
	}
	enum err e = check_people(m, ei);
	if (!e)
		e = check_cells(m, ei);
	if (!e)
		e = check_terms(m, ei);
	if (e)
		return e;
	m->weekend_of = arena_alloc(m->arena, sizeof(int) * (size_t)m->ndays);
	int nw = 0;
	for (int d = 0; d < m->ndays; d++) {
		int wd = m->days[d].weekday;
		if (wd == 5)
			m->weekend_of[d] = nw++;
		else if (wd == 6)
			m->weekend_of[d] = (d > 0) ? m->weekend_of[d - 1] : nw++;
		else
			m->weekend_of[d] = -1;
	}
	m->nweekends = nw;
	m->finalized = true;
	return ERR_OK;
}

int engine_model_shift_find(const struct engine_model *m, const char *code)
{
	for (int s = 0; s < m->nshifts; s++)
		if (strcmp(m->shifts[s].code, code) == 0)
			return s;
	return -1;
}

int engine_model_person_find(const struct engine_model *m, const char *code)
{
	for (int p = 0; p < m->npeople; p++)
		if (strcmp(m->people[p].code, code) == 0)
			return p;
	return -1;
}

void engine_roster_init(struct engine_roster *r, const struct engine_model *m, struct arena *a)
{
	r->npeople = m->npeople;
	r->ndays = m->ndays;
	size_t n = (size_t)m->npeople * (size_t)m->ndays;
	r->cell = arena_alloc(a, sizeof *r->cell * n);
	for (size_t i = 0; i < n; i++)
		r->cell[i] = ENGINE_OFF;
}

void engine_roster_copy(struct engine_roster *dst, const struct engine_roster *src)
{
	memcpy(dst->cell, src->cell, sizeof *dst->cell * (size_t)src->npeople * (size_t)src->ndays);
}
