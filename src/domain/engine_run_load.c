/* engine_run_load.c — a period's scheduling inputs from the database (RLS: the caller's
 * tenant only): the period, the current config, the people, time off, the period's
 * assignments, and assignments of other periods around it (history). */
#include <stdlib.h>
#include <string.h>

#include "domain/config_store.h"
#include "domain/dates.h"
#include "domain/engine_run.h"

static void decref_json(void *p) { json_decref(p); }

static long day_or(const char *s, long dflt)
{
	long d;
	return s && date_parse(s, &d) ? d : dflt;
}

int engine_run_person_index(const struct sched_loaded *l, const char *user_id)
{
	for (int i = 0; user_id && i < l->in.npeople; i++)
		if (!strcmp(l->in.people[i].id, user_id))
			return i;
	return -1;
}

static enum err load_people(struct db *db, struct arena *a, struct sched_loaded *l, struct errinfo *ei)
{
	struct db_res *r;
	enum err e = DB_EXEC0(db, a, &r, ei,
			      "SELECT id, email, name, short_name, fte::float8 AS fte, is_fellow, active, schedulable,"
			      " array_to_json(subspecialties)::text AS subs, start_date, end_date"
			      " FROM users ORDER BY lower(email), id");
	if (e)
		return e;
	int n = db_res_rows(r);
	struct sched_person *p = arena_alloc(a, sizeof *p * (size_t)(n + 1));
	for (int i = 0; i < n; i++) {
		p[i].id = db_res_val(r, i, "id");
		p[i].email = db_res_val(r, i, "email");
		p[i].name = db_res_val(r, i, "name");
		p[i].short_name = db_res_val(r, i, "short_name");
		p[i].fte = strtod(db_res_val(r, i, "fte"), NULL);
		p[i].fellow = db_res_bool(r, i, "is_fellow");
		p[i].active = db_res_bool(r, i, "active");
		p[i].schedulable = db_res_bool(r, i, "schedulable");
		p[i].start_day = day_or(db_res_val(r, i, "start_date"), SCHED_NO_DAY);
		p[i].end_day = day_or(db_res_val(r, i, "end_date"), SCHED_NO_DAY);
		json_t *subs = json_loads(db_res_val(r, i, "subs"), 0, NULL);
		size_t k = json_array_size(subs);
		p[i].subs = arena_alloc(a, sizeof(char *) * (k + 1));
		for (size_t j = 0; j < k; j++)
			p[i].subs[j] = arena_strdup(a, json_string_value(json_array_get(subs, j)));
		p[i].nsubs = (int)k;
		json_decref(subs);
	}
	l->in.people = p;
	l->in.npeople = n;
	return ERR_OK;
}

static void read_assignments(const struct db_res *r, struct arena *a, const struct sched_loaded *l,
			     struct sched_assign **out, int *nout)
{
	int n = db_res_rows(r), k = 0;
	struct sched_assign *v = arena_alloc(a, sizeof *v * (size_t)(n + 1));
	for (int i = 0; i < n; i++) {
		int p = engine_run_person_index(l, db_res_val(r, i, "user_id"));
		long day;
		if (p < 0 || !date_parse(db_res_val(r, i, "day"), &day))
			continue;
		v[k++] = (struct sched_assign){.person = p, .day = day, .shift_code = db_res_val(r, i, "shift_code"),
					       .id = db_res_val(r, i, "id"), .locked = db_res_bool(r, i, "locked")};
	}
	*out = v;
	*nout = k;
}

enum err engine_run_load(struct db *db, struct arena *a, const char *period_id, struct sched_loaded *out,
			 struct errinfo *ei)
{
	memset(out, 0, sizeof *out);
	struct db_res *r;
	enum err e = DB_EXEC(db, a, &r, ei,
			     "SELECT p.id, p.name, p.status, p.start_date, p.end_date, t.timezone FROM periods p"
			     " JOIN tenants t ON t.id = p.tenant_id WHERE p.id = $1::uuid",
			     period_id);
	if (e)
		return e == ERR_INVALID ? err_set(ei, ERR_NOT_FOUND, "id", "period not found") : e;
	if (db_res_rows(r) != 1)
		return err_set(ei, ERR_NOT_FOUND, "id", "period not found");
	out->period_id = db_res_val(r, 0, "id");
	out->period_name = db_res_val(r, 0, "name");
	out->period_status = db_res_val(r, 0, "status");
	out->timezone = db_res_val(r, 0, "timezone");
	const char *sd = db_res_val(r, 0, "start_date"), *ed = db_res_val(r, 0, "end_date");
	if (!date_parse(sd, &out->in.first) || !date_parse(ed, &out->in.last))
		return err_set(ei, ERR_INTERNAL, "", "period %s has unreadable dates", period_id);
	if ((e = config_store_current(db, a, &out->config_number, &out->config, ei)))
		return e;
	if (!out->config)
		return err_set(ei, ERR_CONFLICT, "", "the department has no configuration yet: save one first");
	arena_defer(a, decref_json, out->config);
	out->in.config = out->config;
	const char *tz = json_string_value(json_object_get(out->config, "timezone"));
	if (tz)
		out->timezone = tz;
	if ((e = load_people(db, a, out, ei)))
		return e;
	/* time off overlapping the period: approved (days off) and requested (wishes) */
	e = DB_EXEC(db, a, &r, ei,
		    "SELECT user_id, start_date, end_date, kind, status FROM vacation_requests"
		    " WHERE status IN ('approved', 'requested') AND start_date <= $2::date AND end_date >= $1::date"
		    " ORDER BY start_date, id",
		    sd, ed);
	if (e)
		return e;
	int n = db_res_rows(r), k = 0;
	out->in.off = arena_alloc(a, sizeof *out->in.off * (size_t)(n + 1));
	for (int i = 0; i < n; i++) {
		int p = engine_run_person_index(out, db_res_val(r, i, "user_id"));
		if (p < 0)
			continue;
		out->in.off[k++] = (struct sched_timeoff){
			.person = p, .from = day_or(db_res_val(r, i, "start_date"), 0), .to = day_or(db_res_val(r, i, "end_date"), 0),
			.kind = db_res_val(r, i, "kind"), .approved = !strcmp(db_res_val(r, i, "status"), "approved")};
	}
	out->in.noff = k;
	/* the period's assignments; the locked ones are kept by every run */
	e = DB_EXEC(db, a, &r, ei,
		    "SELECT id, user_id, day, shift_code, locked FROM assignments WHERE period_id = $1::uuid"
		    " ORDER BY day, shift_code, user_id",
		    period_id);
	if (e)
		return e;
	read_assignments(r, a, out, &out->current, &out->ncurrent);
	out->in.fixed = arena_alloc(a, sizeof *out->in.fixed * (size_t)(out->ncurrent + 1));
	for (int i = 0; i < out->ncurrent; i++)
		if (out->current[i].locked)
			out->in.fixed[out->in.nfixed++] = out->current[i];
	/* history: other periods' assignments from the look-back (at most 63 days) or the start
	 * of the year (calendar or the department's, whichever is earlier) to the end of the
	 * last day's calendar year */
	int y, m, d;
	date_ymd(out->in.first, &y, &m, &d);
	const json_t *ysj = json_object_get(json_object_get(out->config, "vacationPolicy"), "yearStartMonth");
	int ysm = json_is_integer(ysj) ? (int)json_integer_value(ysj) : 1;
	if (ysm < 1 || ysm > 12)
		ysm = 1;
	long from = date_from_ymd(m >= ysm ? y : y - 1, ysm, 1);
	if (date_from_ymd(y, 1, 1) < from)
		from = date_from_ymd(y, 1, 1);
	if (out->in.first - 70 < from)
		from = out->in.first - 70;
	date_ymd(out->in.last, &y, &m, &d);
	long to = date_from_ymd(y + 1, 1, 1) - 1;
	char fs[11], ts[11];
	date_format(from, fs);
	date_format(to, ts);
	e = DB_EXEC(db, a, &r, ei,
		    "SELECT id, user_id, day, shift_code, locked FROM assignments WHERE period_id <> $1::uuid"
		    " AND day BETWEEN $2::date AND $3::date ORDER BY day, shift_code, user_id",
		    period_id, fs, ts);
	if (e)
		return e;
	read_assignments(r, a, out, &out->in.history, &out->in.nhistory);
	e = DB_EXEC(db, a, &r, ei,
		    "SELECT coalesce(md5(string_agg(id::text || user_id::text || day::text || shift_code, ',' ORDER BY id)), '')"
		    " AS f FROM assignments WHERE period_id = $1::uuid AND locked",
		    period_id);
	if (!e)
		out->locked_fingerprint = db_res_val(r, 0, "f");
	return e;
}
