#include "domain/schedule_rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "domain/dates.h"
#include "domain/dbjson.h"

#define WINDOW_MAX 40 /* days either side read for run and succession rules */

struct neighbour {
	long day;
	const char *code;
};

struct check {
	struct db *db;
	struct arena *a;
	const json_t *cfg;
	const struct rules_edit *ed;
	struct problems *pr;
	struct errinfo *ei;
	const json_t *person;
	const char *who; /* "Dr. Name" */
	const json_t *shift;
	const char *code;
	long day;
	struct neighbour *nb;
	int nnb;
};

static bool has_str(const json_t *arr, const char *s, bool nocase)
{
	for (size_t i = 0; s && i < json_array_size(arr); i++) {
		const char *v = json_string_value(json_array_get(arr, i));
		if (v && (nocase ? !strcasecmp(v, s) : !strcmp(v, s)))
			return true;
	}
	return false;
}

static const char *day_text(struct arena *a, long day)
{
	char *s = arena_alloc(a, 11);
	date_format(day, s);
	return s;
}

const json_t *rules_shift_type(const json_t *config, const char *code)
{
	const json_t *types = json_object_get(config, "shiftTypes");
	for (size_t i = 0; code && i < json_array_size(types); i++) {
		const json_t *t = json_array_get(types, i);
		const char *c = json_string_value(json_object_get(t, "code"));
		if (c && !strcmp(c, code))
			return t;
	}
	return NULL;
}

static const char *fellow_policy(const json_t *cfg, const char *code)
{
	const json_t *f = json_object_get(json_object_get(cfg, "eligibility"), "fellows");
	const json_t *ov = json_object_get(f, "overrides");
	for (size_t i = 0; i < json_array_size(ov); i++) {
		const json_t *o = json_array_get(ov, i);
		if (has_str(json_object_get(o, "shiftTypes"), code, false)) {
			const char *p = json_string_value(json_object_get(o, "policy"));
			return p ? p : "withAttending";
		}
	}
	const char *d = json_string_value(json_object_get(f, "default"));
	return d ? d : "withAttending";
}

/* Eligibility as docs/config.md describes it: lists naming the shift type govern it, else
 * lists naming its subspecialty, else the default (everyone, or by subspecialty). */
static void check_eligibility(struct check *c)
{
	const json_t *elig = json_object_get(c->cfg, "eligibility");
	const json_t *lists = json_object_get(elig, "lists");
	const char *sub = json_string_value(json_object_get(c->shift, "subspecialty"));
	const char *email = json_string_value(json_object_get(c->person, "email"));
	bool governed = false, member = false;
	const char *list_name = NULL;
	for (int pass = 0; pass < 2 && !governed; pass++) {
		for (size_t i = 0; i < json_array_size(lists); i++) {
			const json_t *l = json_array_get(lists, i);
			bool hits = pass == 0 ? has_str(json_object_get(l, "shiftTypes"), c->code, false)
					      : has_str(json_object_get(l, "subspecialties"), sub, false);
			if (!hits)
				continue;
			governed = true;
			if (!list_name)
				list_name = json_string_value(json_object_get(l, "name"));
			member = member || has_str(json_object_get(l, "people"), email, true);
		}
	}
	if (governed && !member) {
		problems_add(c->pr, "/userId", "NOT_ELIGIBLE", "%s is not on the eligibility list \"%s\" for %s", c->who,
			     list_name ? list_name : "?", c->code);
		return;
	}
	if (!governed) {
		const char *dflt = json_string_value(json_object_get(elig, "default"));
		bool everyone = dflt && !strcmp(dflt, "everyone");
		if (!everyone && sub && !has_str(json_object_get(c->person, "subspecialties"), sub, false)) {
			problems_add(c->pr, "/userId", "NOT_ELIGIBLE", "%s does not have the subspecialty %s that %s needs", c->who,
				     sub, c->code);
			return;
		}
	}
	if (!json_is_true(json_object_get(c->person, "fellow")))
		return;
	const char *pol = fellow_policy(c->cfg, c->code);
	if (!strcmp(pol, "never"))
		problems_add(c->pr, "/userId", "NOT_ELIGIBLE", "%s is a fellow and fellows never work %s", c->who, c->code);
}

static enum err check_attending(struct check *c)
{
	if (!json_is_true(json_object_get(c->person, "fellow")) || strcmp(fellow_policy(c->cfg, c->code), "withAttending"))
		return ERR_OK;
	struct db_res *r;
	enum err e = DB_EXEC(c->db, c->a, &r, c->ei,
			     "SELECT count(*) AS n FROM assignments a JOIN users u ON u.tenant_id = a.tenant_id AND u.id = a.user_id"
			     " WHERE a.day = $1::date AND a.shift_code = $2 AND NOT u.is_fellow AND u.id <> $3::uuid"
			     " AND ($4::uuid IS NULL OR a.id <> $4::uuid)",
			     c->ed->day, c->code, c->ed->user_id, c->ed->exclude_id);
	if (!e && db_res_ll(r, 0, "n", 0) == 0)
		problems_add(c->pr, "/userId", "FELLOW_NEEDS_ATTENDING",
			     "%s is a fellow: %s on %s needs an attending on the same shift first", c->who, c->code, c->ed->day);
	return e;
}

/* The shift runs on its weekdays, unless a date override of coverage says otherwise: a
 * positive count staffs it that day (weekend call on a Friday holiday), a zero count or
 * "otherShifts": "closed" closes it. */
static void check_calendar(struct check *c)
{
	static const char *const keys[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
	int wd = date_weekday(c->day);
	bool runs = has_str(json_object_get(c->shift, "days"), keys[wd], false);
	const json_t *ov = json_object_get(json_object_get(c->cfg, "coverage"), "overrides");
	for (size_t i = 0; i < json_array_size(ov); i++) {
		const json_t *o = json_array_get(ov, i);
		const char *d = json_string_value(json_object_get(o, "date"));
		if (!d || strcmp(d, c->ed->day))
			continue;
		const json_t *cnt = json_object_get(json_object_get(o, "counts"), c->code);
		const char *other = json_string_value(json_object_get(o, "otherShifts"));
		const char *name = json_string_value(json_object_get(o, "name"));
		if (cnt && json_integer_value(cnt) > 0) {
			runs = true;
		} else if (cnt || (other && !strcmp(other, "closed"))) {
			problems_add(c->pr, "/day", "DAY_CLOSED", "%s is closed on %s (%s)", c->code, c->ed->day, name ? name : "");
			return;
		}
	}
	if (!runs)
		problems_add(c->pr, "/shiftCode", "SHIFT_NOT_RUN", "%s does not run on %ss (%s)", c->code, keys[wd], c->ed->day);
}

static void check_employment(struct check *c)
{
	if (json_is_false(json_object_get(c->person, "schedulable")))
		problems_add(c->pr, "/userId", "NOT_SCHEDULABLE", "%s does not take shifts (not schedulable)", c->who);
	long s, e;
	const char *sd = json_string_value(json_object_get(c->person, "startDate"));
	const char *ed = json_string_value(json_object_get(c->person, "endDate"));
	if (sd && date_parse(sd, &s) && c->day < s)
		problems_add(c->pr, "/userId", "OUTSIDE_EMPLOYMENT", "%s starts on %s, after %s", c->who, sd, c->ed->day);
	if (ed && date_parse(ed, &e) && c->day > e)
		problems_add(c->pr, "/userId", "OUTSIDE_EMPLOYMENT", "%s left on %s, before %s", c->who, ed, c->ed->day);
}

static enum err check_time_off(struct check *c)
{
	struct db_res *r;
	enum err e = DB_EXEC(c->db, c->a, &r, c->ei,
			     "SELECT kind, start_date, end_date FROM vacation_requests WHERE user_id = $1::uuid"
			     " AND status = 'approved' AND $2::date BETWEEN start_date AND end_date ORDER BY start_date LIMIT 1",
			     c->ed->user_id, c->ed->day);
	if (!e && db_res_rows(r) == 1)
		problems_add(c->pr, "/userId", "TIME_OFF", "%s has approved time off (%s, %s to %s)", c->who,
			     db_res_val(r, 0, "kind"), db_res_val(r, 0, "start_date"), db_res_val(r, 0, "end_date"));
	return e;
}

static bool same_day_allowed(const json_t *cfg, const char *x, const char *y)
{
	const json_t *groups = json_object_get(json_object_get(cfg, "rules"), "sameDayAllowed");
	for (size_t i = 0; i < json_array_size(groups); i++) {
		const json_t *g = json_object_get(json_array_get(groups, i), "shiftTypes");
		if (has_str(g, x, false) && has_str(g, y, false))
			return true;
	}
	return false;
}

static void check_neighbours(struct check *c)
{
	const json_t *rules = json_object_get(c->cfg, "rules");
	/* one compatible shift per day */
	for (int i = 0; i < c->nnb; i++)
		if (c->nb[i].day == c->day && !same_day_allowed(c->cfg, c->nb[i].code, c->code))
			problems_add(c->pr, "/userId", "ONE_SHIFT_PER_DAY",
				     "%s already works %s on %s, and %s and %s are not allowed on the same day", c->who,
				     c->nb[i].code, c->ed->day, c->nb[i].code, c->code);
	/* forbidden successions, both ways */
	const json_t *fs = json_object_get(rules, "forbiddenSuccessions");
	for (size_t k = 0; k < json_array_size(fs); k++) {
		const json_t *r = json_array_get(fs, k);
		const json_t *after = json_object_get(r, "after"), *forbid = json_object_get(r, "forbid");
		long span = json_is_integer(json_object_get(r, "days")) ? (long)json_integer_value(json_object_get(r, "days")) : 1;
		for (int i = 0; i < c->nnb; i++) {
			long gap = c->day - c->nb[i].day;
			if (gap >= 1 && gap <= span && has_str(after, c->nb[i].code, false) && has_str(forbid, c->code, false))
				problems_add(c->pr, "/userId", "FORBIDDEN_SUCCESSION",
					     "%s works %s on %s: %s may not follow it within %ld day(s) (/rules/forbiddenSuccessions/%zu)",
					     c->who, c->nb[i].code, day_text(c->a, c->nb[i].day), c->code, span, k);
			if (-gap >= 1 && -gap <= span && has_str(after, c->code, false) && has_str(forbid, c->nb[i].code, false))
				problems_add(c->pr, "/userId", "FORBIDDEN_SUCCESSION",
					     "%s works %s on %s, which may not follow %s within %ld day(s) (/rules/forbiddenSuccessions/%zu)",
					     c->who, c->nb[i].code, day_text(c->a, c->nb[i].day), c->code, span, k);
		}
	}
	/* runs of worked days */
	const json_t *mc = json_object_get(rules, "maxConsecutiveWorkingDays");
	if (json_is_integer(mc)) {
		long max = (long)json_integer_value(mc);
		long first = c->day, last = c->day;
		for (bool grew = true; grew;) {
			grew = false;
			for (int i = 0; i < c->nnb; i++) {
				if (c->nb[i].day == first - 1) {
					first--;
					grew = true;
				} else if (c->nb[i].day == last + 1) {
					last++;
					grew = true;
				}
			}
		}
		if (last - first + 1 > max)
			problems_add(c->pr, "/userId", "MAX_CONSECUTIVE_DAYS",
				     "%s would work %ld days in a row (%s to %s); the most is %ld", c->who, last - first + 1,
				     day_text(c->a, first), day_text(c->a, last), max);
	}
}

static bool works_on(const struct check *c, long day)
{
	if (day == c->day)
		return true;
	for (int i = 0; i < c->nnb; i++)
		if (c->nb[i].day == day)
			return true;
	return false;
}

/* The maximal run of worked days through `day` (which must be worked). */
static void run_around(const struct check *c, long day, long *first, long *last)
{
	*first = *last = day;
	while (works_on(c, *first - 1) && day - *first < WINDOW_MAX)
		(*first)--;
	while (works_on(c, *last + 1) && *last - day < WINDOW_MAX)
		(*last)++;
}

/* rules.restAfterRun: after a run of at least minRunDays worked days, minDaysOff days off. */
static void check_rest_after_run(struct check *c)
{
	const json_t *rr = json_object_get(json_object_get(c->cfg, "rules"), "restAfterRun");
	const json_t *jrun = json_object_get(rr, "minRunDays"), *joff = json_object_get(rr, "minDaysOff");
	if (!json_is_integer(jrun) || !json_is_integer(joff))
		return;
	long min_run = (long)json_integer_value(jrun), min_off = (long)json_integer_value(joff);
	long first, last;
	run_around(c, c->day, &first, &last);
	/* this run is long: the days after it must be off */
	if (last - first + 1 >= min_run)
		for (long d = last + 2; d <= last + min_off; d++)
			if (works_on(c, d)) {
				problems_add(c->pr, "/userId", "REST_AFTER_RUN",
					     "%s would work %ld days in a row (%s to %s) and then %s: at least %ld days off are "
					     "needed after a run of %ld (/rules/restAfterRun)",
					     c->who, last - first + 1, day_text(c->a, first), day_text(c->a, last),
					     day_text(c->a, d), min_off, min_run);
				return;
			}
	/* a long run just before this one: the gap must be long enough */
	for (long gap_end = first - 1, d = first - 2; d >= first - 1 - min_off; d--) {
		if (!works_on(c, d))
			continue;
		long pf, pl;
		run_around(c, d, &pf, &pl);
		if (pl - pf + 1 >= min_run && gap_end - pl < min_off)
			problems_add(c->pr, "/userId", "REST_AFTER_RUN",
				     "%s works %ld days in a row (%s to %s) and needs %ld days off before %s (/rules/restAfterRun)",
				     c->who, pl - pf + 1, day_text(c->a, pf), day_text(c->a, pl), min_off, day_text(c->a, c->day));
		break;
	}
}

/* rules.weekends: at most `max` worked weekends in any `periodWeeks` consecutive weekends. */
static enum err check_weekends(struct check *c)
{
	const json_t *wk = json_object_get(json_object_get(c->cfg, "rules"), "weekends");
	const json_t *jmax = json_object_get(wk, "max"), *jpw = json_object_get(wk, "periodWeeks");
	int wd = date_weekday(c->day);
	if (!json_is_integer(jmax) || (wd != 5 && wd != 6))
		return ERR_OK;
	long max = (long)json_integer_value(jmax);
	long pw = json_is_integer(jpw) ? (long)json_integer_value(jpw) : 4;
	if (pw < 1 || pw > 52)
		return ERR_OK;
	long sat = c->day - (wd - 5); /* Saturday of the edited weekend */
	struct db_res *r;
	enum err e = DB_EXEC(c->db, c->a, &r, c->ei,
			     "SELECT DISTINCT (day - ((extract(isodow FROM day)::int - 6)))::text AS sat FROM assignments"
			     " WHERE user_id = $1::uuid AND extract(isodow FROM day) IN (6, 7)"
			     " AND day BETWEEN $2::date AND $3::date AND ($4::uuid IS NULL OR id <> $4::uuid)",
			     c->ed->user_id, day_text(c->a, sat - 7 * (pw - 1)), day_text(c->a, sat + 7 * (pw - 1) + 1),
			     c->ed->exclude_id);
	if (e)
		return e;
	long worked[104];
	int n = 0;
	for (int i = 0; i < db_res_rows(r) && n < 104; i++) {
		long d;
		if (date_parse(db_res_val(r, i, "sat"), &d) && d != sat)
			worked[n++] = d;
	}
	for (long start = sat - 7 * (pw - 1); start <= sat; start += 7) {
		long cnt = 1; /* the edited weekend */
		for (int i = 0; i < n; i++)
			if (worked[i] >= start && worked[i] <= start + 7 * (pw - 1))
				cnt++;
		if (cnt > max) {
			problems_add(c->pr, "/userId", "MAX_WEEKENDS",
				     "%s would work %ld of the %ld weekends from %s; the most is %ld (/rules/weekends)", c->who,
				     cnt, pw, day_text(c->a, start), max);
			break;
		}
	}
	return ERR_OK;
}

/* The window of rule maxShifts `per` around the edited day. */
static bool count_window(struct check *c, const char *per, long *from, long *to)
{
	int y, m, d;
	date_ymd(c->day, &y, &m, &d);
	if (!strcmp(per, "week")) {
		const char *ws = json_string_value(json_object_get(json_object_get(c->cfg, "department"), "weekStart"));
		int start = date_weekday_from_key(ws);
		start = start < 0 ? 0 : start;
		*from = c->day - (date_weekday(c->day) - start + 7) % 7;
		*to = *from + 6;
	} else if (!strcmp(per, "month")) {
		*from = date_from_ymd(y, m, 1);
		*to = (m == 12 ? date_from_ymd(y + 1, 1, 1) : date_from_ymd(y, m + 1, 1)) - 1;
	} else if (!strcmp(per, "year")) {
		*from = date_from_ymd(y, 1, 1);
		*to = date_from_ymd(y + 1, 1, 1) - 1;
	} else {
		return false; /* period: counted by period id */
	}
	return true;
}

static enum err check_max_shifts(struct check *c)
{
	const json_t *ms = json_object_get(json_object_get(c->cfg, "rules"), "maxShifts");
	for (size_t k = 0; k < json_array_size(ms); k++) {
		const json_t *r = json_array_get(ms, k);
		const json_t *types = json_object_get(r, "shiftTypes");
		const char *per = json_string_value(json_object_get(r, "per"));
		if (!has_str(types, c->code, false) || !per || !json_is_integer(json_object_get(r, "max")))
			continue;
		long max = (long)json_integer_value(json_object_get(r, "max"));
		long from = 0, to = 0;
		bool by_days = count_window(c, per, &from, &to);
		char *codes = json_dumps(types, JSON_COMPACT);
		struct db_res *res;
		enum err e = DB_EXEC(c->db, c->a, &res, c->ei,
				     "SELECT count(*) AS n FROM assignments WHERE user_id = $1::uuid"
				     " AND shift_code IN (SELECT jsonb_array_elements_text($2::jsonb))"
				     " AND ($3::uuid IS NULL OR id <> $3::uuid)"
				     " AND CASE WHEN $4::boolean THEN day BETWEEN $5::date AND $6::date ELSE period_id = $7::uuid END",
				     c->ed->user_id, codes, c->ed->exclude_id, by_days ? "true" : "false",
				     day_text(c->a, from), day_text(c->a, to), c->ed->period_id);
		free(codes);
		if (e)
			return e;
		long n = (long)db_res_ll(res, 0, "n", 0);
		if (n + 1 > max)
			problems_add(c->pr, "/userId", "MAX_SHIFTS",
				     "%s already has %ld of %s this %s%s%s; the most is %ld (/rules/maxShifts/%zu)", c->who, n,
				     json_array_size(types) == 1 ? c->code : "these shift types", per, by_days ? " from " : "",
				     by_days ? arena_sprintf(c->a, "%s to %s", day_text(c->a, from), day_text(c->a, to)) : "", max, k);
	}
	return ERR_OK;
}

static enum err check_overlap(struct check *c, const char *tz)
{
	const char *kind = json_string_value(json_object_get(c->shift, "kind"));
	if (!kind || strcmp(kind, "timed"))
		return ERR_OK;
	struct db_res *r;
	enum err e = DB_EXEC(c->db, c->a, &r, c->ei,
			     "SELECT a.shift_code, a.day FROM assignments a,"
			     " shift_instants($2::date, $3::time, $4::time, $5) si WHERE a.user_id = $1::uuid AND NOT a.all_day"
			     " AND a.start_at < si.end_at AND a.end_at > si.start_at AND ($6::uuid IS NULL OR a.id <> $6::uuid)"
			     " AND a.day <> $2::date ORDER BY a.day LIMIT 5",
			     c->ed->user_id, c->ed->day, json_string_value(json_object_get(c->shift, "start")),
			     json_string_value(json_object_get(c->shift, "end")), tz, c->ed->exclude_id);
	for (int i = 0; !e && i < db_res_rows(r); i++)
		problems_add(c->pr, "/userId", "OVERLAPPING_SHIFTS", "%s works %s on %s, which overlaps %s on %s in time", c->who,
			     db_res_val(r, i, "shift_code"), db_res_val(r, i, "day"), c->code, c->ed->day);
	return e;
}

enum err rules_check_edit(struct db *db, struct arena *a, const json_t *config, const struct rules_edit *ed,
			  struct problems *pr, struct errinfo *ei)
{
	struct check c = {.db = db, .a = a, .cfg = config, .ed = ed, .pr = pr, .ei = ei, .code = ed->shift_code};
	if (!date_parse(ed->day, &c.day))
		return err_set(ei, ERR_INVALID, "/day", "day must be a date YYYY-MM-DD");
	c.shift = rules_shift_type(config, ed->shift_code);
	if (!c.shift)
		return err_set(ei, ERR_INVALID, "/shiftCode", "%s is not a shift type of the current configuration",
			       ed->shift_code);
	struct db_res *r;
	enum err e = DB_EXEC(db, a, &r, ei, "SELECT start_date, end_date FROM periods WHERE id = $1::uuid", ed->period_id);
	if (e)
		return e;
	if (db_res_rows(r) != 1)
		return err_set(ei, ERR_NOT_FOUND, "", "period not found");
	long ps, pe;
	if (date_parse(db_res_val(r, 0, "start_date"), &ps) && date_parse(db_res_val(r, 0, "end_date"), &pe) &&
	    (c.day < ps || c.day > pe))
		return err_set(ei, ERR_INVALID, "/day", "%s is outside the period (%s to %s)", ed->day,
			       db_res_val(r, 0, "start_date"), db_res_val(r, 0, "end_date"));
	json_t *person;
	e = DBJSON_ONE(db, a, &person, ei, "person",
		       "SELECT jsonb_build_object('email', u.email, 'name', u.name, 'fellow', u.is_fellow,"
		       " 'schedulable', u.schedulable, 'active', u.active, 'startDate', u.start_date, 'endDate', u.end_date,"
		       " 'subspecialties', to_jsonb(u.subspecialties)) AS j FROM users u WHERE u.id = $1::uuid FOR NO KEY UPDATE",
		       ed->user_id);
	if (e == ERR_NOT_FOUND)
		return err_set(ei, ERR_INVALID, "/userId", "there is nobody with id %s in this department", ed->user_id);
	if (e)
		return e;
	arena_defer(a, (void (*)(void *))json_decref, person);
	c.person = person;
	c.who = arena_sprintf(a, "%s", json_string_value(json_object_get(person, "name")));
	if (!json_is_true(json_object_get(person, "active")))
		return err_set(ei, ERR_INVALID, "/userId", "%s is deactivated and cannot be scheduled", c.who);

	/* the person's shifts around the day (all periods) */
	const json_t *rules = json_object_get(config, "rules");
	long w = 2;
	if (json_is_integer(json_object_get(rules, "maxConsecutiveWorkingDays")))
		w = (long)json_integer_value(json_object_get(rules, "maxConsecutiveWorkingDays")) + 1;
	const json_t *fs = json_object_get(rules, "forbiddenSuccessions");
	for (size_t k = 0; k < json_array_size(fs); k++) {
		const json_t *d = json_object_get(json_array_get(fs, k), "days");
		if (json_is_integer(d) && json_integer_value(d) + 1 > w)
			w = (long)json_integer_value(d) + 1;
	}
	const json_t *rr = json_object_get(rules, "restAfterRun");
	if (json_is_integer(json_object_get(rr, "minRunDays")) && json_is_integer(json_object_get(rr, "minDaysOff"))) {
		long need = (long)(json_integer_value(json_object_get(rr, "minRunDays")) +
				   json_integer_value(json_object_get(rr, "minDaysOff"))) + 1;
		w = need > w ? need : w;
	}
	w = w > WINDOW_MAX ? WINDOW_MAX : w;
	e = DB_EXEC(db, a, &r, ei,
		    "SELECT day, shift_code FROM assignments WHERE user_id = $1::uuid AND day BETWEEN $2::date AND $3::date"
		    " AND ($4::uuid IS NULL OR id <> $4::uuid) ORDER BY day",
		    ed->user_id, day_text(a, c.day - w), day_text(a, c.day + w), ed->exclude_id);
	if (e)
		return e;
	c.nnb = db_res_rows(r);
	c.nb = arena_alloc(a, (size_t)(c.nnb + 1) * sizeof *c.nb);
	for (int i = 0; i < c.nnb; i++) {
		(void)date_parse(db_res_val(r, i, "day"), &c.nb[i].day); /* a date from PostgreSQL */
		c.nb[i].code = db_res_val(r, i, "shift_code");
		if (c.nb[i].day == c.day && !strcmp(c.nb[i].code, c.code))
			return err_set(ei, ERR_CONFLICT, "/userId", "%s already works %s on %s", c.who, c.code, ed->day);
	}

	const char *tz = json_string_value(json_object_get(config, "timezone"));
	check_employment(&c);
	check_eligibility(&c);
	check_calendar(&c);
	check_neighbours(&c);
	check_rest_after_run(&c);
	if ((e = check_weekends(&c)) || (e = check_attending(&c)) || (e = check_time_off(&c)) || (e = check_overlap(&c, tz ? tz : "UTC")))
		return e;
	return check_max_shifts(&c);
}
