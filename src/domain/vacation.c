#include "domain/vacation.h"

#include <stdio.h>
#include <string.h>

#include "domain/config_store.h"
#include "domain/dates.h"

#define VACATION_JSON                                                                                         \
	"jsonb_build_object('id', v.id, 'userId', v.user_id, 'startDate', v.start_date, 'endDate', v.end_date,"\
	" 'kind', v.kind, 'status', v.status, 'round', v.round, 'rank', v.rank, 'note', v.note,"                \
	" 'decisionNote', v.decision_note, 'decidedBy', v.decided_by, 'decidedAt', api_instant(v.decided_at),"   \
	" 'createdAt', api_instant(v.created_at), 'updatedAt', api_instant(v.updated_at))"

enum err vacation_get(struct db *db, struct arena *a, const char *id, json_t **out, struct errinfo *ei)
{
	return DBJSON_ONE(db, a, out, ei, "vacation request",
			  "SELECT " VACATION_JSON " AS j FROM vacation_requests v WHERE v.id = $1::uuid", id);
}

enum err vacation_list(struct db *db, struct arena *a, const struct vacation_filter *f, int limit,
		       const char *cursor_key, struct dbjson_page *out, struct errinfo *ei)
{
	return DBJSON_PAGE(db, a, limit, out, ei,
			   "SELECT " VACATION_JSON " AS j, v.start_date || '|' || v.id AS k FROM vacation_requests v"
			   " WHERE ($1::uuid IS NULL OR v.user_id = $1::uuid) AND ($2::text IS NULL OR v.status = $2)"
			   " AND ($3::date IS NULL OR v.end_date >= $3::date) AND ($4::date IS NULL OR v.start_date <= $4::date)"
			   " AND ($5::text IS NULL OR (v.start_date, v.id) > (split_part($5, '|', 1)::date,"
			   " split_part($5, '|', 2)::uuid)) ORDER BY v.start_date, v.id LIMIT $6::int",
			   f->user_id, f->status, f->from, f->to, cursor_key, dbjson_limit_param(a, limit));
}

enum err vacation_time_off(struct db *db, struct arena *a, const char *from, const char *to, const char *user_id,
			   json_t **out, struct errinfo *ei)
{
	return DBJSON_ONE(db, a, out, ei, "time off",
			  "SELECT coalesce(jsonb_agg(jsonb_build_object('id', v.id, 'userId', v.user_id, 'startDate', v.start_date,"
			  " 'endDate', v.end_date, 'kind', v.kind) ORDER BY v.start_date, v.user_id), '[]'::jsonb) AS j"
			  " FROM vacation_requests v WHERE v.status = 'approved' AND v.end_date >= $1::date"
			  " AND v.start_date <= $2::date AND ($3::uuid IS NULL OR v.user_id = $3::uuid)",
			  from, to, user_id);
}

static void blackout_check(struct db *db, struct arena *a, long s, long e, struct problems *pr)
{
	int number;
	json_t *cfg = NULL;
	struct errinfo ignored = {0};
	if (config_store_current(db, a, &number, &cfg, &ignored) != ERR_OK || !cfg)
		return; /* no config: no blackout dates */
	const json_t *bl = json_object_get(json_object_get(cfg, "vacationPolicy"), "blackoutDates");
	for (size_t i = 0; i < json_array_size(bl); i++) {
		const json_t *b = json_array_get(bl, i);
		const char *f = json_string_value(json_object_get(b, "from"));
		const char *t = json_string_value(json_object_get(b, "to"));
		const char *why = json_string_value(json_object_get(b, "reason"));
		long bf, bt;
		if (date_parse(f, &bf) && date_parse(t, &bt) && bf <= e && s <= bt)
			problems_add(pr, "/startDate", "BLACKOUT", "%s to %s is closed for time off: %s", f, t, why ? why : "");
	}
	json_decref(cfg);
}

enum err vacation_create(struct db *db, struct arena *a, const char *user_id, const json_t *in, json_t **out,
			 struct problems *pr, struct errinfo *ei)
{
	*out = NULL;
	const char *sd = json_string_value(json_object_get(in, "startDate"));
	const char *ed = json_string_value(json_object_get(in, "endDate"));
	long s = 0, e = 0;
	if (!date_parse(sd, &s) || !date_parse(ed, &e))
		return err_set(ei, ERR_INVALID, "/startDate", "startDate and endDate are dates YYYY-MM-DD");
	if (e < s)
		problems_add(pr, "/endDate", "date_order", "endDate (%s) is before startDate (%s)", ed, sd);
	else if (e - s + 1 > VACATION_MAX_DAYS)
		problems_add(pr, "/endDate", "too_long", "one request covers at most %d days", VACATION_MAX_DAYS);
	else
		blackout_check(db, a, s, e, pr);
	struct db_res *r;
	enum err err = DB_EXEC(db, a, &r, ei, "SELECT name, active FROM users WHERE id = $1::uuid FOR NO KEY UPDATE", user_id);
	if (err)
		return err;
	if (db_res_rows(r) != 1)
		problems_add(pr, "/userId", "unknown_person", "there is nobody with id %s in this department", user_id);
	else if (!db_res_bool(r, 0, "active"))
		problems_add(pr, "/userId", "deactivated", "%s is deactivated", db_res_val(r, 0, "name"));
	if ((err = problems_result(pr, ERR_INVALID, ei)))
		return err;
	err = DB_EXEC(db, a, &r, ei,
		      "SELECT id, start_date, end_date, status FROM vacation_requests WHERE user_id = $1::uuid"
		      " AND status IN ('requested', 'approved') AND start_date <= $3::date AND end_date >= $2::date"
		      " ORDER BY start_date LIMIT 5",
		      user_id, sd, ed);
	for (int i = 0; !err && i < db_res_rows(r); i++)
		problems_add(pr, "/startDate", "OVERLAPS", "overlaps the %s request %s (%s to %s)", db_res_val(r, i, "status"),
			     db_res_val(r, i, "id"), db_res_val(r, i, "start_date"), db_res_val(r, i, "end_date"));
	if (err || (err = problems_result(pr, ERR_CONFLICT, ei)))
		return err;
	json_t *round = json_object_get(in, "round"), *rank = json_object_get(in, "rank");
	char rb[24], kb[24];
	snprintf(rb, sizeof rb, "%lld", (long long)json_integer_value(round));
	snprintf(kb, sizeof kb, "%lld", (long long)json_integer_value(rank));
	const char *kind = json_string_value(json_object_get(in, "kind"));
	const char *note = json_string_value(json_object_get(in, "note"));
	err = DB_EXEC(db, a, &r, ei,
		      "INSERT INTO vacation_requests (tenant_id, user_id, start_date, end_date, kind, round, rank, note)"
		      " VALUES (app_tenant(), $1::uuid, $2::date, $3::date, $4, $5::int, $6::int, $7) RETURNING id",
		      user_id, sd, ed, kind ? kind : "vacation", json_is_integer(round) ? rb : NULL,
		      json_is_integer(rank) ? kb : NULL, note ? note : "");
	return err ? err : vacation_get(db, a, db_res_val(r, 0, "id"), out, ei);
}

enum err vacation_decide(struct db *db, struct arena *a, const char *id, const char *status, const char *note,
			 json_t **out, struct errinfo *ei)
{
	*out = NULL;
	struct db_res *r;
	enum err e = DB_EXEC(db, a, &r, ei, "SELECT status FROM vacation_requests WHERE id = $1::uuid FOR UPDATE", id);
	if (e)
		return e;
	if (db_res_rows(r) != 1)
		return err_set(ei, ERR_NOT_FOUND, "", "vacation request not found");
	if (strcmp(db_res_val(r, 0, "status"), "requested"))
		return err_set(ei, ERR_CONFLICT, "/status", "this request is already %s", db_res_val(r, 0, "status"));
	e = DB_EXEC(db, a, NULL, ei,
		    "UPDATE vacation_requests SET status = $2, decision_note = coalesce($3, ''), decided_by = app_user(),"
		    " decided_at = now() WHERE id = $1::uuid",
		    id, status, note);
	if (!e)
		e = vacation_get(db, a, id, out, ei);
	if (e || strcmp(status, "approved"))
		return e;
	json_t *conflicts;
	e = DBJSON_ONE(db, a, &conflicts, ei, "conflicts",
		       "SELECT coalesce(jsonb_agg(jsonb_build_object('assignmentId', x.id, 'periodId', x.period_id,"
		       " 'day', x.day, 'shiftCode', x.shift_code) ORDER BY x.day, x.shift_code), '[]'::jsonb) AS j"
		       " FROM vacation_requests v JOIN assignments x ON x.user_id = v.user_id"
		       " AND x.day BETWEEN v.start_date AND v.end_date WHERE v.id = $1::uuid",
		       id);
	if (!e)
		json_object_set_new(*out, "conflicts", conflicts);
	return e;
}

enum err vacation_cancel(struct db *db, struct arena *a, const char *id, bool allow_approved, json_t **out,
			 struct errinfo *ei)
{
	*out = NULL;
	struct db_res *r;
	enum err e = DB_EXEC(db, a, &r, ei, "SELECT status FROM vacation_requests WHERE id = $1::uuid FOR UPDATE", id);
	if (e)
		return e;
	if (db_res_rows(r) != 1)
		return err_set(ei, ERR_NOT_FOUND, "", "vacation request not found");
	const char *st = db_res_val(r, 0, "status");
	if (strcmp(st, "requested") && !(allow_approved && !strcmp(st, "approved")))
		return err_set(ei, ERR_CONFLICT, "/status", "a %s request cannot be cancelled%s", st,
			       !strcmp(st, "approved") ? " by its requester: ask a chief" : "");
	e = DB_EXEC(db, a, NULL, ei, "UPDATE vacation_requests SET status = 'cancelled' WHERE id = $1::uuid", id);
	return e ? e : vacation_get(db, a, id, out, ei);
}
