/* engine_run_explain.c — the dry run (feasibility with reasons a chief understands), the
 * explanation of one assignment, and one person's tallies against their FTE share. All work
 * on a period loaded by engine_run_load(); none touches the database. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/metrics.h"
#include "domain/dates.h"
#include "domain/engine_run.h"
#include "engine/engine_diagnose.h"
#include "engine/engine_solve.h"

static const char *day_text(struct arena *a, long day)
{
	char *s = arena_alloc(a, 11);
	date_format(day, s);
	return s;
}

static const char *kind_name(enum engine_diag_kind k)
{
	switch (k) {
	case ENGINE_DIAG_LOCK: return "lock";
	case ENGINE_DIAG_PERSON: return "person";
	case ENGINE_DIAG_COVER: return "coverage";
	case ENGINE_DIAG_DAY: return "day";
	case ENGINE_DIAG_SEARCH: return "search";
	}
	return "other";
}

/* ---- dry run ----------------------------------------------------------------------------- */

enum err engine_run_dry_run(const struct sched_loaded *l, const char *from, const char *to, int time_limit_ms,
			    struct arena *a, json_t **out, struct errinfo *ei)
{
	*out = NULL;
	struct sched_input in = l->in;
	long f = in.first, t = in.last;
	if ((from && !date_parse(from, &f)) || (to && !date_parse(to, &t)))
		return err_set(ei, ERR_INVALID, from && !date_parse(from, &f) ? "/from" : "/to", "not a date (YYYY-MM-DD)");
	if (f < in.first || t > in.last || t < f)
		return err_set(ei, ERR_INVALID, "/from", "the window must lie within the period (%s to %s)",
			       day_text(a, in.first), day_text(a, in.last));
	in.first = f;
	in.last = t;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct sched_model *sm;
	enum err e = sched_model_build(&in, a, &sm, ei);
	if (e)
		return e;
	double limit = (time_limit_ms > 0 ? time_limit_ms : ENGINE_DRY_RUN_DEFAULT_MS) / 1000.0;
	struct engine_diagnosis dg;
	if ((e = engine_diagnose(sm->m, limit, a, &dg, ei)))
		return e;
	/* the engine's verdict covers the rules it holds as hard rules; the department's rules
	 * that it holds as weighted terms (the weekend window, multi-type maximums …) are checked
	 * on its witness, and if the witness breaks one, the rest of the time goes to a search */
	struct sched_check ck = {0};
	bool rules_ok = true, draft_ok = false;
	if (dg.verdict == ENGINE_FEASIBLE) {
		sched_check_roster(sm, &dg.witness, a, &ck);
		if (ck.total_violations && l->ncurrent > 0 && in.first == l->in.first && in.last == l->in.last) {
			/* the period's draft may itself be the proof */
			struct engine_roster cur;
			struct engine_eval ev;
			struct sched_check cc;
			sched_roster_from(sm, l->current, l->ncurrent, a, &cur);
			sched_check_roster(sm, &cur, a, &cc);
			if (cc.total_violations == 0 && engine_eval_roster(sm->m, &cur, a, &ev, ei) == ERR_OK && ev.nhard == 0) {
				ck = cc;
				draft_ok = true;
			}
		}
		if (ck.total_violations) {
			clock_gettime(CLOCK_MONOTONIC, &t1);
			double left = limit - ((double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9);
			struct engine_solve_opts o = {.time_limit = left > 0.1 ? left : 0.1, .seed = 1, .start = &dg.witness};
			struct engine_solve_result res;
			if ((e = engine_solve(sm->m, &o, a, &res, ei)))
				return e;
			sched_check_roster(sm, &res.roster, a, &ck);
			rules_ok = ck.total_violations == 0;
			if (!rules_ok)
				dg.verdict = ENGINE_UNKNOWN;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
	metrics_declare("radsched_engine_solve_seconds", METRIC_HISTOGRAM,
			"Scheduling engine solve time by kind (run, dry_run, seed).");
	metrics_observe("radsched_engine_solve_seconds", "kind=\"dry_run\"", secs);
	json_t *problems = json_array();
	for (int i = 0; i < dg.nitems; i++) {
		const struct engine_diag_item *it = &dg.items[i];
		json_t *p = json_pack("{s:s, s:s}", "kind", kind_name(it->kind), "text", it->text);
		if (it->day >= 0 && it->day < sm->m->ndays)
			json_object_set_new(p, "day", json_string(sm->m->days[it->day].label));
		if (it->shift >= 0 && it->shift < sm->m->nshifts)
			json_object_set_new(p, "shiftCode", json_string(sm->m->shifts[it->shift].code));
		if (it->person >= 0 && it->person < sm->m->npeople)
			json_object_set_new(p, "userId", json_string(l->in.people[sm->person_of[it->person]].id));
		if (it->kind == ENGINE_DIAG_COVER || it->kind == ENGINE_DIAG_DAY || it->kind == ENGINE_DIAG_SEARCH) {
			json_object_set_new(p, "need", json_integer(it->need));
			json_object_set_new(p, "have", json_integer(it->have));
		}
		json_array_append_new(problems, p);
	}
	for (int i = 0; !rules_ok && i < ck.nlisted; i++)
		json_array_append_new(problems, json_pack("{s:s, s:s, s:s}", "kind", "rule", "family",
							  sched_family_name(ck.listed[i].family), "text", ck.listed[i].text));
	json_t *notes = json_array();
	for (int i = 0; i < sm->notes_n; i++)
		json_array_append_new(notes, json_string(sm->notes[i]));
	const char *summary;
	if (dg.verdict == ENGINE_FEASIBLE)
		summary = draft_ok ? "A schedule meeting every hard rule exists: the period's current draft."
				   : "A schedule meeting every hard rule exists.";
	else if (dg.verdict == ENGINE_INFEASIBLE)
		summary = arena_sprintf(a, "No schedule can meet every hard rule: %d problem%s found.", dg.nitems,
					dg.nitems == 1 ? "" : "s");
	else
		summary = arena_sprintf(a, "No schedule meeting every hard rule was found within %.1f s, and none was "
					   "proven impossible; the best attempt fell short as listed.",
					limit);
	if (dg.verdict == ENGINE_UNKNOWN && !rules_ok && dg.nitems == 0)
		summary = arena_sprintf(a, "Every shift can be staffed, but within %.1f s no schedule was found that also "
					   "keeps every rule listed; a full run may still find one.",
					limit);
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:o, s:o}", "periodId", l->period_id, "from", day_text(a, f),
			      "to", day_text(a, t), "verdict", engine_verdict_name(dg.verdict), "elapsedMs",
			      (json_int_t)(secs * 1000), "summary", summary, "problems", problems, "notes", notes);
	json_object_set_new(o, "feasible", dg.verdict == ENGINE_FEASIBLE     ? json_true()
					   : dg.verdict == ENGINE_INFEASIBLE ? json_false()
									     : json_null());
	*out = o;
	return ERR_OK;
}

/* ---- shared: the period's roster as it is now ------------------------------------------ */

struct current {
	struct sched_model *sm;
	struct engine_roster r;
};

static enum err current_build(const struct sched_loaded *l, struct arena *a, struct current *c, struct errinfo *ei)
{
	enum err e = sched_model_build(&l->in, a, &c->sm, ei);
	if (!e)
		sched_roster_from(c->sm, l->current, l->ncurrent, a, &c->r);
	return e;
}

/* Days person (engine index p) works a shift of base set `set` in the period. */
static int count_days(const struct current *c, int p, uint64_t set)
{
	const struct sched_model *sm = c->sm;
	int n = 0;
	for (int d = sm->lookback; d < sm->m->ndays; d++) {
		int v = c->r.cell[p * sm->m->ndays + d];
		if (v >= 0 && sm->type[v].kind != SCHED_T_HISTORY && (sm->type[v].base & set))
			n++;
	}
	return n;
}

static double centi(int x) { return x < 0 ? 0 : round(x) / 100.0; }

static json_t *class_standing(const struct current *c, int p, int k)
{
	const struct sched_model *sm = c->sm;
	int P = sm->m->npeople;
	const struct sched_class *cl = &sm->cls[k];
	int due = sm->due_centi[k * P + p];
	if (due < 0)
		return NULL;
	int n = count_days(c, p, cl->base);
	int ytd = sm->ytd_count[k * P + p];
	int ydue = sm->ytd_due_centi[k * P + p];
	double dev = (double)(ytd + n) - centi(ydue);
	const char *standing = fabs(dev) < 0.5   ? "at their fair share"
			       : dev > 0 ? "above their fair share"
					 : "below their fair share";
	return json_pack("{s:s, s:s, s:f, s:{s:i, s:f}, s:{s:i, s:f}, s:f, s:s}", "id", cl->id ? cl->id : "", "name",
			 cl->name ? cl->name : "", "weight", cl->weight, "period", "count", n, "due", centi(due), "yearToDate",
			 "count", ytd + n, "due", centi(ydue), "deviation", round(dev * 100) / 100, "standing", standing);
}

/* Why p may work base b, in words. */
static const char *why_eligible(const struct sched_loaded *l, const struct sched_model *sm, int person, int b,
				struct arena *a)
{
	const struct sched_person *sp = &l->in.people[person];
	const struct sched_shift *s = &sm->base[b];
	const json_t *elig = json_object_get(l->config, "eligibility");
	const json_t *lists = json_object_get(elig, "lists");
	for (int pass = 0; pass < 2; pass++) {
		const char *found = NULL;
		bool governed = false;
		for (size_t i = 0; i < json_array_size(lists); i++) {
			const json_t *li = json_array_get(lists, i);
			const json_t *arr = json_object_get(li, pass == 0 ? "shiftTypes" : "subspecialties");
			const char *key = pass == 0 ? s->code : s->subspecialty;
			bool hits = false;
			for (size_t k = 0; key && k < json_array_size(arr); k++)
				hits |= !strcmp(json_string_value(json_array_get(arr, k)) ? json_string_value(json_array_get(arr, k)) : "", key);
			if (!hits)
				continue;
			governed = true;
			const json_t *people = json_object_get(li, "people");
			for (size_t k = 0; k < json_array_size(people); k++) {
				const char *em = json_string_value(json_array_get(people, k));
				if (em && sp->email && !strcasecmp(em, sp->email) && !found)
					found = json_string_value(json_object_get(li, "name"));
			}
		}
		if (governed)
			return found ? arena_sprintf(a, "on the eligibility list \"%s\"", found)
				     : arena_sprintf(a, "not on the eligibility lists for %s", s->code);
	}
	if (!s->subspecialty)
		return arena_sprintf(a, "%s is a general shift type", s->code);
	const char *dflt = json_string_value(json_object_get(elig, "default"));
	if (dflt && !strcmp(dflt, "everyone"))
		return "eligibility default: everyone";
	for (int k = 0; k < sp->nsubs; k++)
		if (!strcmp(sp->subs[k], s->subspecialty))
			return arena_sprintf(a, "reads %s, the subspecialty of %s", s->subspecialty, s->code);
	return arena_sprintf(a, "does not read %s", s->subspecialty);
}

/* What engine person q is doing on engine day d, in words (for "who else could"). */
static const char *status_on(const struct current *c, int q, int d, int b, struct arena *a)
{
	const struct sched_model *sm = c->sm;
	const struct engine_model *m = sm->m;
	int v = c->r.cell[q * m->ndays + d];
	if (v >= 0 && sm->type[v].kind != SCHED_T_HISTORY) {
		char codes[200] = "";
		for (int x = 0; x < sm->nbase; x++)
			if (sm->type[v].base & ((uint64_t)1 << x))
				snprintf(codes + strlen(codes), sizeof codes - strlen(codes), "%s%s", codes[0] ? "+" : "",
					 sm->base[x].code);
		return arena_sprintf(a, "works %s that day", codes);
	}
	if (m->day_off[q * m->ndays + d])
		return m->off_reasons[m->day_off[q * m->ndays + d]];
	if (d > 0) {
		int pv = c->r.cell[q * m->ndays + d - 1];
		if (pv >= 0 && (m->shifts[pv].forbidden_next & ((engine_mask)1 << b)))
			return arena_sprintf(a, "resting after %s the day before", m->shifts[pv].code);
	}
	return "free that day";
}

enum err engine_run_explain(const struct sched_loaded *l, const char *assignment_id, struct arena *a, json_t **out,
			    struct errinfo *ei)
{
	*out = NULL;
	const struct sched_assign *as = NULL;
	for (int i = 0; i < l->ncurrent; i++)
		if (l->current[i].id && !strcmp(l->current[i].id, assignment_id))
			as = &l->current[i];
	if (!as)
		return err_set(ei, ERR_NOT_FOUND, "id", "assignment not found");
	struct current c;
	enum err e = current_build(l, a, &c, ei);
	if (e)
		return e;
	const struct sched_model *sm = c.sm;
	const struct engine_model *m = sm->m;
	const struct sched_person *sp = &l->in.people[as->person];
	int b = sched_base_find(sm, as->shift_code);
	int p = sm->engine_of[as->person];
	int d = sched_day_of(sm, as->day);
	const char *day = day_text(a, as->day);
	json_t *o = json_object();
	json_object_set_new(o, "assignment",
			    json_pack("{s:s, s:s, s:s, s:s, s:b}", "id", as->id, "day", day, "shiftCode", as->shift_code, "userId",
				      sp->id, "locked", as->locked));
	json_t *subs = json_array();
	for (int k = 0; k < sp->nsubs; k++)
		json_array_append_new(subs, json_string(sp->subs[k]));
	json_object_set_new(o, "person",
			    json_pack("{s:s, s:s, s:f, s:b, s:o}", "id", sp->id, "name", sched_person_label(sp), "fte", sp->fte,
				      "fellow", sp->fellow, "subspecialties", subs));
	if (b < 0 || d < 0) {
		json_object_set_new(o, "summary", json_string("This shift type is not in the department's current "
								  "configuration: there is nothing to explain."));
		*out = o;
		return ERR_OK;
	}
	int el = sched_eligibility(sm, as->person, b);
	const char *because = why_eligible(l, sm, as->person, b, a);
	json_t *eligibility = json_pack("{s:b, s:b, s:s}", "eligible", el != 0, "countsTowardsHeadcount", el == 1, "because",
					because);
	if (el == 2)
		json_object_set_new(eligibility, "fellow", json_string("a fellow: works it only beside an attending"));
	json_object_set_new(o, "eligibility", eligibility);
	/* the day */
	int need = sm->count[d * sm->nbase + b], have = 0;
	for (int q = 0; q < m->npeople; q++) {
		int v = c.r.cell[q * m->ndays + d];
		if (v >= 0 && sm->type[v].kind != SCHED_T_HISTORY && sm->type[v].kind != SCHED_T_FELLOW &&
		    (sm->type[v].base & ((uint64_t)1 << b)))
			have++;
	}
	json_t *dj = json_pack("{s:s, s:i, s:i}", "day", day, "headcount", need, "assigned", have);
	if (sm->day_name[d])
		json_object_set_new(dj, "name", json_string(sm->day_name[d]));
	json_object_set_new(dj, "holiday", json_boolean(sm->holiday[d]));
	json_object_set_new(o, "day", dj);
	/* fairness standing in each class this shift type belongs to */
	json_t *fair = json_array();
	for (int k = 0; p >= 0 && k < sm->nclass; k++)
		if (sm->cls[k].base & ((uint64_t)1 << b)) {
			json_t *s = class_standing(&c, p, k);
			if (s)
				json_array_append_new(fair, s);
		}
	json_object_set_new(o, "fairness", fair);
	/* wishes and time off around the day */
	json_t *prefs = json_array();
	for (int i = 0; i < l->in.noff; i++) {
		const struct sched_timeoff *to = &l->in.off[i];
		if (to->person == as->person && as->day >= to->from && as->day <= to->to)
			json_array_append_new(prefs, json_pack("{s:s, s:s, s:s, s:s}", "kind", to->kind ? to->kind : "other", "status",
							       to->approved ? "approved" : "requested", "from",
							       day_text(a, to->from), "to", day_text(a, to->to)));
	}
	json_object_set_new(o, "timeOff", prefs);
	/* rules this person's schedule breaks now */
	struct sched_check ck;
	sched_check_roster(sm, &c.r, a, &ck);
	json_t *rules = json_array();
	const char *label = sched_person_label(sp);
	for (int i = 0; i < ck.nlisted; i++)
		if (ck.listed[i].person == as->person)
			json_array_append_new(rules, json_pack("{s:s, s:s}", "family", sched_family_name(ck.listed[i].family),
							       "text", ck.listed[i].text));
	json_object_set_new(o, "ruleViolations", rules);
	/* who else may work it, and what they do that day */
	json_t *alts = json_array();
	int free_n = 0;
	for (int q = 0; q < m->npeople; q++) {
		int who = sm->person_of[q];
		if (q == p || sched_eligibility(sm, who, b) != 1)
			continue;
		const char *st = status_on(&c, q, d, b, a);
		free_n += !strcmp(st, "free that day");
		json_t *alt = json_pack("{s:s, s:s, s:s}", "userId", l->in.people[who].id, "name",
					sched_person_label(&l->in.people[who]), "status", st);
		for (int k = 0; k < sm->nclass; k++)
			if (sm->cls[k].base & ((uint64_t)1 << b)) {
				json_t *s = class_standing(&c, q, k);
				if (s) {
					json_object_set(alt, "fairness", s);
					json_decref(s);
					break;
				}
			}
		json_array_append_new(alts, alt);
	}
	json_object_set_new(o, "alternatives", alts);
	const char *standing = "";
	if (json_array_size(fair) > 0) {
		const json_t *f0 = json_array_get(fair, 0);
		standing = arena_sprintf(a, "; for %s they have %lld this period (fair share %.1f) and %lld this year (fair share %.1f): %s",
					 json_string_value(json_object_get(f0, "name")),
					 (long long)json_integer_value(json_object_get(json_object_get(f0, "period"), "count")),
					 json_number_value(json_object_get(json_object_get(f0, "period"), "due")),
					 (long long)json_integer_value(json_object_get(json_object_get(f0, "yearToDate"), "count")),
					 json_number_value(json_object_get(json_object_get(f0, "yearToDate"), "due")),
					 json_string_value(json_object_get(f0, "standing")));
	}
	json_object_set_new(o, "summary",
			    json_string(arena_sprintf(a, "%s works %s on %s%s: %s%s; %d of %d needed are assigned; %d other eligible %s free%s.",
						      label, as->shift_code, day, as->locked ? " (locked)" : "",
						      el ? because : "NOT eligible", el == 2 ? " (fellow, beside an attending)" : "",
						      have, need, free_n, free_n == 1 ? "person was" : "people were", standing)));
	*out = o;
	return ERR_OK;
}

/* ---- tallies ------------------------------------------------------------------------------- */

enum err engine_run_tallies(const struct sched_loaded *l, const char *user_id, struct arena *a, json_t **out,
			    struct errinfo *ei)
{
	*out = NULL;
	int person = engine_run_person_index(l, user_id);
	if (person < 0)
		return err_set(ei, ERR_NOT_FOUND, "id", "person not found");
	struct current c;
	enum err e = current_build(l, a, &c, ei);
	if (e)
		return e;
	const struct sched_model *sm = c.sm;
	const struct engine_model *m = sm->m;
	const struct sched_person *sp = &l->in.people[person];
	int p = sm->engine_of[person];
	json_t *o = json_object();
	json_object_set_new(o, "person", json_pack("{s:s, s:s, s:f, s:b, s:b}", "id", sp->id, "name", sched_person_label(sp),
						   "fte", sp->fte, "fellow", sp->fellow, "scheduled", p >= 0));
	json_object_set_new(o, "period", json_pack("{s:s, s:s, s:s, s:s}", "id", l->period_id, "name", l->period_name,
						   "startDate", day_text(a, l->in.first), "endDate", day_text(a, l->in.last)));
	/* per shift type: count and points, from the period's assignments */
	json_t *types = json_array();
	int total = 0, weekends = 0, nights = 0, holidays = 0;
	double points = 0;
	int *per = arena_alloc(a, sizeof(int) * (size_t)(sm->nbase + 1));
	long last_we = -100;
	for (int i = 0; i < l->ncurrent; i++) {
		const struct sched_assign *as = &l->current[i];
		int b = sched_base_find(sm, as->shift_code);
		if (as->person != person || b < 0)
			continue;
		per[b]++;
		total++;
		points += sm->base[b].points;
		nights += sm->base[b].night;
		int d = sched_day_of(sm, as->day);
		holidays += d >= 0 && sm->holiday[d];
		int wd = date_weekday(as->day);
		if (wd >= 5) {
			long we = wd == 5 ? as->day : as->day - 1;
			if (we != last_we)
				weekends++;
			last_we = we;
		}
	}
	for (int b = 0; b < sm->nbase; b++)
		if (per[b])
			json_array_append_new(types, json_pack("{s:s, s:i, s:f}", "code", sm->base[b].code, "count", per[b],
							       "points", per[b] * sm->base[b].points));
	json_t *tot = json_pack("{s:i, s:f, s:i, s:i, s:i}", "shifts", total, "points", points, "weekends", weekends, "nights",
				nights, "holidays", holidays);
	/* FTE share of the department's load, as the engine balances it */
	if (p >= 0) {
		int k = m->nfair - 1; /* the load term is added last */
		double due = k >= 0 ? centi(m->fair[k].target_centi[p]) : 0;
		json_object_set_new(tot, "due", json_real(round(due * 100) / 100));
		json_object_set_new(tot, "deviation", json_real(round((count_days(&c, p, ~(uint64_t)0) - due) * 100) / 100));
	}
	json_object_set_new(o, "total", tot);
	json_object_set_new(o, "shiftTypes", types);
	json_t *classes = json_array();
	for (int k = 0; p >= 0 && k < sm->nclass; k++) {
		json_t *s = class_standing(&c, p, k);
		if (s)
			json_array_append_new(classes, s);
	}
	json_object_set_new(o, "classes", classes);
	*out = o;
	return ERR_OK;
}
