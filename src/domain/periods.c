#include "domain/periods.h"

#include <stdio.h>
#include <string.h>

#include "domain/dates.h"

#define PERIOD_JSON                                                                                               \
	"jsonb_build_object('id', p.id, 'name', p.name, 'startDate', p.start_date, 'endDate', p.end_date,"        \
	" 'status', p.status, 'configVersion', p.config_number,"                                                   \
	" 'assignmentCount', (SELECT count(*) FROM assignments a WHERE a.period_id = p.id),"                        \
	" 'publication', pub.j, 'unpublishedChanges', pub.hash IS DISTINCT FROM content_hash(period_snapshot(p.id)),"\
	" 'createdAt', api_instant(p.created_at), 'updatedAt', api_instant(p.updated_at))"
#define PERIOD_FROM                                                                                               \
	" FROM periods p LEFT JOIN LATERAL (SELECT x.content_hash AS hash, jsonb_build_object('number', x.number,"  \
	" 'contentHash', x.content_hash, 'publishedAt', api_instant(x.published_at), 'publishedBy', x.published_by)" \
	" AS j FROM publications x WHERE x.period_id = p.id ORDER BY x.number DESC LIMIT 1) pub ON true"

enum err period_get(struct db *db, struct arena *a, const char *id, json_t **out, struct errinfo *ei)
{
	return DBJSON_ONE(db, a, out, ei, "period", "SELECT " PERIOD_JSON " AS j" PERIOD_FROM " WHERE p.id = $1::uuid", id);
}

enum err period_list(struct db *db, struct arena *a, const struct period_filter *f, int limit, const char *cursor_key,
		     struct dbjson_page *out, struct errinfo *ei)
{
	/* key: start date and id, newest first */
	return DBJSON_PAGE(db, a, limit, out, ei,
			   "SELECT " PERIOD_JSON " AS j, p.start_date || '|' || p.id AS k" PERIOD_FROM
			   " WHERE ($1::text IS NULL OR (p.start_date, p.id) < (split_part($1, '|', 1)::date,"
			   " split_part($1, '|', 2)::uuid)) AND ($2::text IS NULL OR p.status = $2)"
			   " AND ($3::date IS NULL OR p.end_date >= $3::date) AND ($4::date IS NULL OR p.start_date <= $4::date)"
			   " ORDER BY p.start_date DESC, p.id DESC LIMIT $5::int",
			   cursor_key, f->status, f->from, f->to, dbjson_limit_param(a, limit));
}

/* Range checks shared by create and update. */
static void range_check(const char *sd, const char *ed, struct problems *pr)
{
	long s, e;
	if (!date_parse(sd, &s) || !date_parse(ed, &e))
		return; /* the caller's schema has already said so */
	if (e < s)
		problems_add(pr, "/endDate", "date_order", "endDate (%s) is before startDate (%s)", ed, sd);
	else if (e - s + 1 > PERIOD_MAX_DAYS)
		problems_add(pr, "/endDate", "too_long", "a period is at most %d days (this one is %ld)", PERIOD_MAX_DAYS,
			     e - s + 1);
}

static enum err overlap_check(struct db *db, struct arena *a, const char *id, const char *sd, const char *ed,
			      struct problems *pr, struct errinfo *ei)
{
	struct db_res *r;
	enum err e = DB_EXEC(db, a, &r, ei,
			     "SELECT id, name, start_date, end_date FROM periods WHERE ($1::uuid IS NULL OR id <> $1::uuid)"
			     " AND start_date <= $3::date AND end_date >= $2::date ORDER BY start_date LIMIT 5",
			     id, sd, ed);
	for (int i = 0; !e && i < db_res_rows(r); i++)
		problems_add(pr, "/startDate", "PERIOD_OVERLAP", "overlaps period \"%s\" (%s to %s, id %s)",
			     db_res_val(r, i, "name"), db_res_val(r, i, "start_date"), db_res_val(r, i, "end_date"),
			     db_res_val(r, i, "id"));
	return e ? e : problems_result(pr, ERR_CONFLICT, ei);
}

enum err period_create(struct db *db, struct arena *a, const json_t *in, json_t **out, struct problems *pr,
		       struct errinfo *ei)
{
	*out = NULL;
	const char *name = json_string_value(json_object_get(in, "name"));
	const char *sd = json_string_value(json_object_get(in, "startDate"));
	const char *ed = json_string_value(json_object_get(in, "endDate"));
	range_check(sd, ed, pr);
	enum err e = problems_result(pr, ERR_INVALID, ei);
	/* serialise period writers of the tenant, so two overlapping creates cannot both pass */
	if (!e)
		e = DB_EXEC0(db, a, NULL, ei, "SELECT 1 FROM tenants WHERE id = app_tenant() FOR NO KEY UPDATE");
	if (!e)
		e = overlap_check(db, a, NULL, sd, ed, pr, ei);
	struct db_res *r;
	if (!e)
		e = DB_EXEC(db, a, &r, ei,
			    "INSERT INTO periods (tenant_id, name, start_date, end_date) VALUES (app_tenant(), $1, $2::date, $3::date)"
			    " RETURNING id",
			    name, sd, ed);
	return e ? e : period_get(db, a, db_res_val(r, 0, "id"), out, ei);
}

enum err period_update(struct db *db, struct arena *a, const char *id, const json_t *changes, json_t **out,
		       struct problems *pr, struct errinfo *ei)
{
	*out = NULL;
	struct db_res *r;
	enum err e = DB_EXEC0(db, a, NULL, ei, "SELECT 1 FROM tenants WHERE id = app_tenant() FOR NO KEY UPDATE");
	if (!e)
		e = DB_EXEC(db, a, &r, ei, "SELECT name, start_date, end_date FROM periods WHERE id = $1::uuid FOR UPDATE", id);
	if (e)
		return e;
	if (db_res_rows(r) != 1)
		return err_set(ei, ERR_NOT_FOUND, "", "period not found");
	const char *name = json_string_value(json_object_get(changes, "name"));
	const char *sd = json_string_value(json_object_get(changes, "startDate"));
	const char *ed = json_string_value(json_object_get(changes, "endDate"));
	name = name ? name : db_res_val(r, 0, "name");
	sd = sd ? sd : db_res_val(r, 0, "start_date");
	ed = ed ? ed : db_res_val(r, 0, "end_date");
	range_check(sd, ed, pr);
	if ((e = problems_result(pr, ERR_INVALID, ei)) || (e = overlap_check(db, a, id, sd, ed, pr, ei)))
		return e;
	e = DB_EXEC(db, a, &r, ei,
		    "SELECT count(*) AS n, min(day) AS first, max(day) AS last FROM assignments WHERE period_id = $1::uuid"
		    " AND (day < $2::date OR day > $3::date)",
		    id, sd, ed);
	if (!e && db_res_ll(r, 0, "n", 0) > 0) {
		problems_add(pr, json_object_get(changes, "startDate") ? "/startDate" : "/endDate", "ASSIGNMENTS_OUTSIDE",
			     "%lld assignment(s) (%s to %s) would fall outside %s to %s: move or delete them first",
			     db_res_ll(r, 0, "n", 0), db_res_val(r, 0, "first"), db_res_val(r, 0, "last"), sd, ed);
		return problems_result(pr, ERR_CONFLICT, ei);
	}
	if (!e)
		e = DB_EXEC(db, a, NULL, ei,
			    "UPDATE periods SET name = $2, start_date = $3::date, end_date = $4::date WHERE id = $1::uuid", id, name,
			    sd, ed);
	return e ? e : period_get(db, a, id, out, ei);
}

enum err period_delete(struct db *db, struct arena *a, const char *id, struct errinfo *ei)
{
	struct db_res *r;
	enum err e = DB_EXEC(db, a, &r, ei,
			     "SELECT p.id, (SELECT count(*) FROM publications x WHERE x.period_id = p.id) AS pubs"
			     " FROM periods p WHERE p.id = $1::uuid FOR UPDATE",
			     id);
	if (e)
		return e;
	if (db_res_rows(r) != 1)
		return err_set(ei, ERR_NOT_FOUND, "", "period not found");
	if (db_res_ll(r, 0, "pubs", 0) > 0)
		return err_set(ei, ERR_CONFLICT, "", "this period has been published %lld time(s): published periods are kept",
			       db_res_ll(r, 0, "pubs", 0));
	return DB_EXEC(db, a, NULL, ei, "DELETE FROM periods WHERE id = $1::uuid", id);
}
