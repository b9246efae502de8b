/* schedule_model_check.c — a roster checked against the department's own rules, exactly as
 * the config states them (whatever the engine held as hard rules or as soft terms), with the
 * look-back days taken from the real history. One family per kind of rule; "satisfied %" of
 * a family is the share of its instances (cells, people, locks …) without a violation. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "domain/dates.h"
#include "domain/schedule_model_internal.h"

static const char *const family_names[SCHED_F__COUNT] = {
	"coverage", "eligibility", "onePerDay", "timeOff", "locked",
	"successions", "maxConsecutive", "restAfterRun", "weekends", "maxShifts",
};

const char *sched_family_name(enum sched_family f)
{
	return f >= 0 && f < SCHED_F__COUNT ? family_names[f] : "unknown";
}

double sched_check_ratio(const struct sched_check *c, enum sched_family f)
{
	if (c->instances[f] <= 0)
		return 1.0;
	double r = 1.0 - (double)c->violations[f] / (double)c->instances[f];
	return r < 0 ? 0 : r;
}

/* person: index into the input's people, or -1 */
static void violation(struct sched_check *c, enum sched_family f, int person, const char *fmt, ...) RS_PRINTF(4, 5);
static void violation(struct sched_check *c, enum sched_family f, int person, const char *fmt, ...)
{
	c->violations[f]++;
	c->total_violations++;
	if (c->nlisted >= SCHED_CHECK_LISTED)
		return;
	va_list ap;
	va_start(ap, fmt);
	c->listed[c->nlisted].family = f;
	c->listed[c->nlisted].person = person;
	vsnprintf(c->listed[c->nlisted].text, sizeof c->listed[c->nlisted].text, fmt, ap);
	va_end(ap);
	c->nlisted++;
}

/* Within rules.forbiddenSuccessions: may b follow a after gap days? */
static bool forbidden_after(const struct sched_model *sm, int a, int b, int gap)
{
	const json_t *fs = json_object_get(json_object_get(sm->in->config, "rules"), "forbiddenSuccessions");
	for (size_t i = 0; i < json_array_size(fs); i++) {
		const json_t *r = json_array_get(fs, i);
		const json_t *d = json_object_get(r, "days");
		int span = json_is_integer(d) ? (int)json_integer_value(d) : 1;
		if (gap <= span && sm_has_str(json_object_get(r, "after"), sm->base[a].code) &&
		    sm_has_str(json_object_get(r, "forbid"), sm->base[b].code))
			return true;
	}
	const struct sched_shift *x = &sm->base[a], *y = &sm->base[b];
	return gap == 1 && x->timed && y->timed && x->night && y->start < x->end;
}

static bool same_day_ok(const struct sched_model *sm, uint64_t set)
{
	if (sm_popcount(set) <= 1)
		return true;
	const json_t *g = json_object_get(json_object_get(sm->in->config, "rules"), "sameDayAllowed");
	for (size_t i = 0; i < json_array_size(g); i++) {
		const json_t *codes = json_object_get(json_array_get(g, i), "shiftTypes");
		uint64_t m = 0;
		for (size_t k = 0; k < json_array_size(codes); k++) {
			int b = sched_base_find(sm, json_string_value(json_array_get(codes, k)));
			if (b >= 0)
				m |= (uint64_t)1 << b;
		}
		if ((set & ~m) == 0)
			return true;
	}
	return false;
}

static const char *codes_of(const struct sched_model *sm, uint64_t set, struct arena *a)
{
	char buf[400] = "";
	for (int b = 0; b < sm->nbase; b++)
		if (set & ((uint64_t)1 << b))
			snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", buf[0] ? "+" : "", sm->base[b].code);
	return arena_strdup(a, buf);
}

void sched_check_roster(const struct sched_model *sm, const struct engine_roster *r, struct arena *a,
			struct sched_check *out)
{
	memset(out, 0, sizeof *out);
	const struct engine_model *m = sm->m;
	const struct sched_input *in = sm->in;
	int P = m->npeople, H = m->ndays, L = sm->lookback, B = sm->nbase;
	/* what each person worked each engine day (look-back from the real history) */
	uint64_t *set = arena_alloc(a, sizeof(uint64_t) * (size_t)(P * H));
	bool *fel = arena_alloc(a, sizeof(bool) * (size_t)(P * H));
	for (int i = 0; i < in->nhistory; i++) {
		const struct sched_assign *h = &in->history[i];
		int d = sched_day_of(sm, h->day), b = sched_base_find(sm, h->shift_code);
		int p = h->person >= 0 && h->person < in->npeople ? sm->engine_of[h->person] : -1;
		if (p >= 0 && d >= 0 && d < L && b >= 0)
			set[p * H + d] |= (uint64_t)1 << b;
	}
	for (int p = 0; p < P; p++)
		for (int d = L; d < H; d++) {
			int v = r->cell[p * H + d];
			if (v >= 0 && v < m->nshifts && sm->type[v].kind != SCHED_T_HISTORY) {
				set[p * H + d] = sm->type[v].base;
				fel[p * H + d] = sm->type[v].kind == SCHED_T_FELLOW;
			}
		}
	/* coverage */
	for (int d = L; d < H; d++)
		for (int b = 0; b < B; b++) {
			int att = 0, all = 0;
			for (int p = 0; p < P; p++)
				if (set[p * H + d] & ((uint64_t)1 << b)) {
					all++;
					att += !fel[p * H + d];
				}
			int need = sm->count[d * B + b];
			if (need > 0) {
				out->instances[SCHED_F_COVERAGE]++;
				if (att < need)
					violation(out, SCHED_F_COVERAGE, -1, "%s %s has %d of the %d needed", m->days[d].label,
						  sm->base[b].code, att, need);
			} else if (all > 0) {
				out->instances[SCHED_F_COVERAGE]++;
				violation(out, SCHED_F_COVERAGE, -1, "%s %s is not staffed that day, but %d %s on it", m->days[d].label,
					  sm->base[b].code, all, all == 1 ? "person is" : "people are");
			}
		}
	for (int p = 0; p < P; p++) {
		const struct sched_person *sp = &in->people[sm->person_of[p]];
		const char *who = sched_person_label(sp);
		int run = 0, off_run = 0, long_run_end = -100, long_run_len = 0;
		for (int d = 0; d < H; d++) {
			uint64_t s = set[p * H + d];
			bool in_period = d >= L;
			const char *day = m->days[d].label;
			if (in_period && s) {
				/* eligibility, one per day, time off */
				for (int b = 0; b < B; b++) {
					if (!(s & ((uint64_t)1 << b)))
						continue;
					out->instances[SCHED_F_ELIGIBILITY]++;
					int el = sched_eligibility(sm, sm->person_of[p], b);
					if (fel[p * H + d]) {
						bool att = false;
						for (int q = 0; q < P && !att; q++)
							att = (set[q * H + d] & ((uint64_t)1 << b)) && !fel[q * H + d];
						if (el != 2)
							violation(out, SCHED_F_ELIGIBILITY, sm->person_of[p], "%s may not work %s (%s)", who, sm->base[b].code, day);
						else if (!att)
							violation(out, SCHED_F_ELIGIBILITY, sm->person_of[p], "%s (fellow) works %s on %s without an attending",
								  who, sm->base[b].code, day);
					} else if (el != 1) {
						violation(out, SCHED_F_ELIGIBILITY, sm->person_of[p], "%s may not work %s%s (%s)", who, sm->base[b].code,
							  el == 2 ? " alone" : "", day);
					}
				}
				out->instances[SCHED_F_ONE_PER_DAY]++;
				if (!same_day_ok(sm, s))
					violation(out, SCHED_F_ONE_PER_DAY, sm->person_of[p], "%s works %s on %s, which may not be combined", who,
						  codes_of(sm, s, a), day);
				out->instances[SCHED_F_SUCCESSION]++;
				for (int g = 1; g <= d && g <= 31; g++) {
					uint64_t prev = set[p * H + d - g];
					if (!prev)
						continue;
					for (int x = 0; x < B; x++)
						for (int y = 0; y < B; y++)
							if ((prev & ((uint64_t)1 << x)) && (s & ((uint64_t)1 << y)) &&
							    forbidden_after(sm, x, y, g)) {
								violation(out, SCHED_F_SUCCESSION, sm->person_of[p], "%s works %s on %s after %s on %s", who,
									  sm->base[y].code, day, sm->base[x].code, m->days[d - g].label);
								goto next_succ;
							}
				}
			next_succ:;
			}
			if (in_period && m->day_off[p * H + d]) {
				out->instances[SCHED_F_TIME_OFF]++;
				if (s)
					violation(out, SCHED_F_TIME_OFF, sm->person_of[p], "%s works %s on %s while %s", who, codes_of(sm, s, a), day,
						  m->off_reasons[m->day_off[p * H + d]]);
			}
			/* runs and rest */
			if (s) {
				if (run == 0 && long_run_len >= sm->rest_min_run && sm->rest_min_off >= 1 && off_run < sm->rest_min_off &&
				    d >= L) {
					violation(out, SCHED_F_REST, sm->person_of[p], "%s works again on %s after %d days in a row to %s with only %d day%s off (needs %d)",
						  who, day, long_run_len, m->days[long_run_end].label, off_run, off_run == 1 ? "" : "s",
						  sm->rest_min_off);
				}
				if (run == 0)
					long_run_len = 0;
				run++;
				off_run = 0;
			} else {
				if (run > 0) {
					if (sm->max_consec > 0 && run > sm->max_consec && d - 1 >= L)
						violation(out, SCHED_F_CONSECUTIVE, sm->person_of[p], "%s works %d days in a row to %s (max %d)", who, run,
							  m->days[d - 1].label, sm->max_consec);
					if (sm->rest_min_run > 0 && run >= sm->rest_min_run) {
						long_run_len = run;
						long_run_end = d - 1;
					} else {
						long_run_len = 0;
					}
				}
				run = 0;
				off_run++;
			}
		}
		if (run > 0 && sm->max_consec > 0 && run > sm->max_consec)
			violation(out, SCHED_F_CONSECUTIVE, sm->person_of[p], "%s works %d days in a row to %s (max %d)", who, run,
				  m->days[H - 1].label, sm->max_consec);
		out->instances[SCHED_F_CONSECUTIVE]++;
		if (sm->rest_min_run > 0)
			out->instances[SCHED_F_REST]++;
		/* weekends in any window of periodWeeks */
		if (sm->weekend_max > 0) {
			out->instances[SCHED_F_WEEKENDS]++;
			int nw = m->nweekends, first_period_we = -1;
			int *worked = arena_alloc(a, sizeof(int) * (size_t)(nw + 1));
			for (int d = 0; d < H; d++) {
				int w = m->weekend_of[d];
				if (w < 0)
					continue;
				if (set[p * H + d])
					worked[w] = 1;
				if (d >= L && first_period_we < 0)
					first_period_we = w;
			}
			for (int w0 = 0; first_period_we >= 0 && w0 < nw; w0++) {
				int w1 = w0 + sm->weekend_weeks - 1;
				if (w1 < first_period_we)
					continue;
				int n = 0;
				for (int w = w0; w <= w1 && w < nw; w++)
					n += worked[w];
				if (n > sm->weekend_max) {
					violation(out, SCHED_F_WEEKENDS, sm->person_of[p], "%s works %d weekends within %d weeks (max %d)", who, n,
						  sm->weekend_weeks, sm->weekend_max);
					break;
				}
			}
		}
		/* per-type maximums */
		for (int k = 0; k < sm->ncap; k++) {
			const struct sched_cap *cp = &sm->cap[k];
			long from = in->first;
			while (from <= in->last) {
				long uf, ut;
				if (!sched_unit_of(sm, cp->per, from, &uf, &ut)) {
					uf = in->first;
					ut = in->last;
				}
				out->instances[SCHED_F_MAX_SHIFTS]++;
				int n = 0, mine = 0;
				for (long day = uf > in->first ? uf : in->first; day <= ut && day <= in->last; day++) {
					int d = sched_day_of(sm, day);
					int c = sm_popcount(set[p * H + d] & cp->base);
					n += c;
					mine += c;
				}
				for (int i = 0; i < in->nhistory; i++) {
					const struct sched_assign *h = &in->history[i];
					if (h->person != sm->person_of[p] || h->day < uf || h->day > ut ||
					    (h->day >= in->first && h->day <= in->last))
						continue;
					int b = sched_base_find(sm, h->shift_code);
					if (b >= 0 && (cp->base & ((uint64_t)1 << b)))
						n++;
				}
				if (n > cp->max && mine > 0) {
					char f1[11], t1[11];
					date_format(uf, f1);
					date_format(ut, t1);
					violation(out, SCHED_F_MAX_SHIFTS, sm->person_of[p], "%s works %d of %s from %s to %s (max %d per %s)", who, n,
						  codes_of(sm, cp->base, a), f1, t1, cp->max, cp->per);
				}
				from = ut + 1;
			}
		}
	}
	/* locked assignments kept */
	for (int i = 0; i < in->nfixed; i++) {
		const struct sched_assign *f = &in->fixed[i];
		out->instances[SCHED_F_LOCKED]++;
		int p = f->person >= 0 && f->person < in->npeople ? sm->engine_of[f->person] : -1;
		int d = sched_day_of(sm, f->day), b = sched_base_find(sm, f->shift_code);
		if (p < 0 || d < L || b < 0 || !(set[p * H + d] & ((uint64_t)1 << b))) {
			char ds[11];
			date_format(f->day, ds);
			violation(out, SCHED_F_LOCKED, f->person, "the locked %s of %s on %s is not kept", f->shift_code ? f->shift_code : "?",
				  f->person >= 0 && f->person < in->npeople ? sched_person_label(&in->people[f->person]) : "?", ds);
		}
	}
}
