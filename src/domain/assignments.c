#include "domain/assignments.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/config_store.h"
#include "domain/schedule_rules.h"

#define ASSIGNMENT_JSON                                                                                           \
	"jsonb_build_object('id', a.id, 'periodId', a.period_id, 'day', a.day, 'shiftCode', a.shift_code,"        \
	" 'userId', a.user_id, 'source', a.source, 'locked', a.locked, 'allDay', a.all_day,"                       \
	" 'startAt', api_instant(a.start_at), 'endAt', api_instant(a.end_at),"                                     \
	" 'startLocal', to_char(a.start_at AT TIME ZONE t.timezone, 'YYYY-MM-DD\"T\"HH24:MI'),"                    \
	" 'endLocal', to_char(a.end_at AT TIME ZONE t.timezone, 'YYYY-MM-DD\"T\"HH24:MI'),"                        \
	" 'durationMinutes', (extract(epoch FROM a.end_at - a.start_at) / 60)::int,"                              \
	" 'overrideReason', a.override_reason, 'createdAt', api_instant(a.created_at),"                            \
	" 'updatedAt', api_instant(a.updated_at))"
#define ASSIGNMENT_FROM " FROM assignments a JOIN tenants t ON t.id = a.tenant_id"

enum err assignment_get(struct db *db, struct arena *a, const char *id, json_t **out, struct errinfo *ei)
{
	return DBJSON_ONE(db, a, out, ei, "assignment",
			  "SELECT " ASSIGNMENT_JSON " AS j" ASSIGNMENT_FROM " WHERE a.id = $1::uuid", id);
}

enum err assignment_list(struct db *db, struct arena *a, const char *period_id, const struct assignment_filter *f,
			 int limit, const char *cursor_key, struct dbjson_page *out, struct errinfo *ei)
{
	struct db_res *r;
	enum err e = DB_EXEC(db, a, &r, ei, "SELECT 1 FROM periods WHERE id = $1::uuid", period_id);
	if (!e && db_res_rows(r) != 1)
		e = err_set(ei, ERR_NOT_FOUND, "", "period not found");
	if (e)
		return e;
	return DBJSON_PAGE(db, a, limit, out, ei,
			   "SELECT " ASSIGNMENT_JSON " AS j, a.day || '|' || a.shift_code || '|' || a.id AS k" ASSIGNMENT_FROM
			   " WHERE a.period_id = $1::uuid AND ($2::uuid IS NULL OR a.user_id = $2::uuid)"
			   " AND ($3::date IS NULL OR a.day >= $3::date) AND ($4::date IS NULL OR a.day <= $4::date)"
			   " AND ($5::text IS NULL OR (a.day, a.shift_code, a.id) > (split_part($5, '|', 1)::date,"
			   " split_part($5, '|', 2), split_part($5, '|', 3)::uuid))"
			   " ORDER BY a.day, a.shift_code, a.id LIMIT $6::int",
			   period_id, f->user_id, f->from, f->to, cursor_key, dbjson_limit_param(a, limit));
}

/* The current config, or ERR_CONFLICT when the tenant has none. *doc is freed with a. */
static enum err current_config(struct db *db, struct arena *a, json_t **doc, struct errinfo *ei)
{
	int number;
	enum err e = config_store_current(db, a, &number, doc, ei);
	if (!e && !*doc)
		e = err_set(ei, ERR_CONFLICT, "", "the department has no configuration yet: save one first");
	if (!e)
		arena_defer(a, (void (*)(void *))json_decref, *doc);
	return e;
}

/* The current config for an edit that resolves instants from it: the share lock on the
 * tenant keeps a config save (which re-times assignments) from slipping in between. */
static enum err config_for_times(struct db *db, struct arena *a, json_t **doc, struct errinfo *ei)
{
	enum err e = DB_EXEC0(db, a, NULL, ei, "SELECT 1 FROM tenants WHERE id = app_tenant() FOR SHARE");
	return e ? e : current_config(db, a, doc, ei);
}

static enum err check_with(struct db *db, struct arena *a, const json_t *cfg, const struct assignment_in *in,
			   const char *exclude_id, struct problems *pr, struct errinfo *ei)
{
	struct rules_edit ed = {.period_id = in->period_id, .day = in->day, .shift_code = in->shift_code,
				.user_id = in->user_id, .exclude_id = exclude_id};
	return rules_check_edit(db, a, cfg, &ed, pr, ei);
}

enum err assignment_check(struct db *db, struct arena *a, const struct assignment_in *in, const char *exclude_id,
			  struct problems *pr, struct errinfo *ei)
{
	json_t *cfg;
	enum err e = current_config(db, a, &cfg, ei);
	return e ? e : check_with(db, a, cfg, in, exclude_id, pr, ei);
}

/* After a check: refuse, or record the override. */
static enum err apply_override(struct db *db, struct arena *a, const char *id, const char *reason,
			       const struct problems *pr, json_t *out, struct errinfo *ei)
{
	json_t *rules = json_array();
	for (size_t i = 0; i < pr->n; i++)
		json_array_append_new(rules, json_pack("{s:s, s:s}", "code", pr->v[i].code, "detail", pr->v[i].message));
	json_t *details = json_pack("{s:s, s:O}", "reason", reason, "rules", rules);
	char *text = json_dumps(details, JSON_COMPACT);
	enum err e = DB_EXEC(db, a, NULL, ei, "SELECT audit_event('assignment.override', 'assignments', $1, $2::jsonb)", id,
			     text);
	free(text);
	json_decref(details);
	if (!e && out)
		json_object_set(out, "overridden", rules);
	json_decref(rules);
	return e;
}

enum err assignment_create(struct db *db, struct arena *a, const struct assignment_in *in, json_t **out,
			   struct problems *pr, struct errinfo *ei)
{
	*out = NULL;
	json_t *cfg;
	enum err e = config_for_times(db, a, &cfg, ei);
	if (!e)
		e = check_with(db, a, cfg, in, NULL, pr, ei);
	if (e)
		return e;
	if (pr->n && !in->override_reason)
		return problems_result(pr, ERR_CONFLICT, ei);
	const json_t *st = rules_shift_type(cfg, in->shift_code);
	const char *kind = json_string_value(json_object_get(st, "kind"));
	bool all_day = !kind || strcmp(kind, "timed");
	const char *tz = json_string_value(json_object_get(cfg, "timezone"));
	struct db_res *r;
	e = DB_EXEC(db, a, &r, ei,
		    "INSERT INTO assignments (tenant_id, period_id, day, shift_code, user_id, source, locked, all_day,"
		    " start_at, end_at, override_reason)"
		    " SELECT app_tenant(), $1::uuid, $2::date, $3, $4::uuid, $5, $6::boolean, $7::boolean, si.start_at, si.end_at, $11"
		    " FROM shift_instants($2::date, $8::time, $9::time, $10) si RETURNING id",
		    in->period_id, in->day, in->shift_code, in->user_id, in->source ? in->source : "manual",
		    in->locked ? "true" : "false", all_day ? "true" : "false",
		    all_day ? NULL : json_string_value(json_object_get(st, "start")),
		    all_day ? NULL : json_string_value(json_object_get(st, "end")), tz ? tz : "UTC",
		    pr->n ? in->override_reason : NULL);
	if (e == ERR_CONFLICT)
		return err_set(ei, ERR_CONFLICT, "/userId", "this person already works %s on %s", in->shift_code, in->day);
	if (e)
		return e;
	const char *id = arena_strdup(a, db_res_val(r, 0, "id"));
	if ((e = assignment_get(db, a, id, out, ei)))
		return e;
	if (pr->n)
		e = apply_override(db, a, id, in->override_reason, pr, *out, ei);
	return e;
}

enum err assignment_update(struct db *db, struct arena *a, const char *id, const char *user_id, int locked,
			   const char *override_reason, json_t **out, struct problems *pr, struct errinfo *ei)
{
	*out = NULL;
	struct db_res *r;
	enum err e = DB_EXEC(db, a, &r, ei,
			     "SELECT period_id, day, shift_code, user_id FROM assignments WHERE id = $1::uuid FOR UPDATE", id);
	if (e)
		return e;
	if (db_res_rows(r) != 1)
		return err_set(ei, ERR_NOT_FOUND, "", "assignment not found");
	bool reassign = user_id && strcmp(user_id, db_res_val(r, 0, "user_id"));
	if (reassign) {
		struct assignment_in in = {.period_id = db_res_val(r, 0, "period_id"), .day = db_res_val(r, 0, "day"),
					   .shift_code = db_res_val(r, 0, "shift_code"), .user_id = user_id};
		json_t *cfg;
		if ((e = current_config(db, a, &cfg, ei)) || (e = check_with(db, a, cfg, &in, id, pr, ei)))
			return e;
		if (pr->n && !override_reason)
			return problems_result(pr, ERR_CONFLICT, ei);
	}
	e = DB_EXEC(db, a, NULL, ei,
		    "UPDATE assignments SET user_id = coalesce($2::uuid, user_id),"
		    " locked = CASE WHEN $3::int < 0 THEN locked ELSE $3::int = 1 END,"
		    " source = CASE WHEN $4::boolean THEN 'manual' ELSE source END,"
		    " override_reason = CASE WHEN $4::boolean THEN $5 ELSE override_reason END WHERE id = $1::uuid",
		    id, reassign ? user_id : NULL, locked < 0 ? "-1" : locked ? "1" : "0", reassign ? "true" : "false",
		    reassign && pr->n ? override_reason : NULL);
	if (e == ERR_CONFLICT)
		return err_set(ei, ERR_CONFLICT, "/userId", "that person already works this shift on this day");
	if (!e)
		e = assignment_get(db, a, id, out, ei);
	if (!e && reassign && pr->n)
		e = apply_override(db, a, id, override_reason, pr, *out, ei);
	return e;
}

enum err assignment_delete(struct db *db, struct arena *a, const char *id, struct errinfo *ei)
{
	struct db_res *r;
	enum err e = DB_EXEC(db, a, &r, ei, "DELETE FROM assignments WHERE id = $1::uuid RETURNING id", id);
	if (!e && db_res_rows(r) != 1)
		e = err_set(ei, ERR_NOT_FOUND, "", "assignment not found");
	return e;
}
