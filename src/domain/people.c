#include "domain/people.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "domain/dates.h"
#include "json/json_value.h"

static const char *str_field(const json_t *p, const char *k) { return json_string_value(json_object_get(p, k)); }

enum err person_from_json(const json_t *p, struct arena *a, struct person_in *out, struct errinfo *ei)
{
	memset(out, 0, sizeof *out);
	if (!json_is_object(p))
		return err_set(ei, ERR_INVALID, "", "a person must be an object");
	out->email = str_field(p, "email");
	out->name = str_field(p, "name");
	if (!out->email || !out->name)
		return err_set(ei, ERR_INVALID, out->email ? "/name" : "/email", "email and name are required");
	out->short_name = str_field(p, "shortName") ? str_field(p, "shortName") : "";
	out->role = str_field(p, "role") ? str_field(p, "role") : "RAD";
	json_t *fte = json_object_get(p, "fte");
	out->fte = fte ? json_number_value(fte) : 1.0;
	json_t *sch = json_object_get(p, "schedulable");
	out->schedulable = !sch || json_is_true(sch);
	if (!(out->fte >= 0 && out->fte <= 1) || (out->schedulable && out->fte == 0))
		return err_set(ei, ERR_INVALID, "/fte", "%s: fte must be in (0, 1] (0 only for people who are never scheduled)",
			       out->email);
	out->is_fellow = json_is_true(json_object_get(p, "fellow"));
	json_t *act = json_object_get(p, "active");
	out->active = !act || json_is_true(act);
	struct buf b;
	buf_init(&b, 4096);
	enum err e = buf_putc(&b, '{');
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(p, "subspecialties"), i, s)
	{
		const char *v = json_string_value(s);
		if (!v || strpbrk(v, "{},\"\\ ")) {
			buf_fini(&b);
			return err_set(ei, ERR_INVALID, "/subspecialties", "%s: subspecialty codes are plain words", out->email);
		}
		if (!e)
			e = buf_printf(&b, "%s%s", i ? "," : "", v);
	}
	if (!e)
		e = buf_putc(&b, '}');
	out->subspecialties = arena_strndup(a, b.data, b.len);
	buf_fini(&b);
	if (e)
		return err_set(ei, e, "/subspecialties", "too many subspecialties");
	out->start_date = str_field(p, "startDate");
	out->end_date = str_field(p, "endDate");
	return ERR_OK;
}

enum err person_create(struct db *db, struct arena *a, const struct person_in *in, char id_out[37], struct errinfo *ei)
{
	char fte[32];
	snprintf(fte, sizeof fte, "%.3f", in->fte);
	struct db_res *r;
	enum err e = DB_EXEC(db, a, &r, ei,
			     "INSERT INTO users (tenant_id, email, name, short_name, role, fte, is_fellow, active,"
			     " subspecialties, start_date, end_date, schedulable)"
			     " VALUES (app_tenant(), $1, $2, $3, $4, $5::numeric, $6::boolean, $7::boolean, $8::text[],"
			     " $9::date, $10::date, $11::boolean) RETURNING id",
			     in->email, in->name, in->short_name, in->role, fte, in->is_fellow ? "true" : "false",
			     in->active ? "true" : "false", in->subspecialties, in->start_date, in->end_date,
			     in->schedulable ? "true" : "false");
	if (!e)
		snprintf(id_out, 37, "%s", db_res_val(r, 0, "id"));
	return e;
}

/* ---- the API's view ---------------------------------------------------------------------- */

#define PERSON_JSON                                                                                        \
	"jsonb_build_object('id', u.id, 'email', u.email, 'name', u.name, 'shortName', u.short_name,"      \
	" 'role', u.role, 'fte', u.fte, 'fellow', u.is_fellow, 'schedulable', u.schedulable,"              \
	" 'subspecialties', to_jsonb(u.subspecialties), 'startDate', u.start_date, 'endDate', u.end_date," \
	" 'active', u.active, 'deactivatedAt', api_instant(u.deactivated_at),"                            \
	" 'createdAt', api_instant(u.created_at), 'updatedAt', api_instant(u.updated_at))"

enum err people_get(struct db *db, struct arena *a, const char *id, json_t **out, struct errinfo *ei)
{
	return DBJSON_ONE(db, a, out, ei, "person", "SELECT " PERSON_JSON " AS j FROM users u WHERE u.id = $1::uuid", id);
}

enum err people_list(struct db *db, struct arena *a, const struct people_filter *f, int limit, const char *cursor_key,
		     struct dbjson_page *out, struct errinfo *ei)
{
	return DBJSON_PAGE(db, a, limit, out, ei,
			   "SELECT " PERSON_JSON " AS j, lower(u.email) AS k FROM users u"
			   " WHERE ($1::text IS NULL OR lower(u.email) > $1) AND ($2::boolean IS NULL OR u.active = $2::boolean)"
			   " AND ($3::text IS NULL OR u.role = $3) ORDER BY lower(u.email) LIMIT $4::int",
			   cursor_key, f->active, f->role, dbjson_limit_param(a, limit));
}

/* Checks that span fields, on the person as it will be stored (p: merged JSON). */
static void person_check(const json_t *p, struct problems *pr)
{
	json_t *fte = json_object_get(p, "fte");
	bool sched = !json_is_false(json_object_get(p, "schedulable"));
	double v = fte ? json_number_value(fte) : 1.0;
	if (fte && !json_is_number(fte))
		problems_add(pr, "/fte", "type", "fte must be a number");
	else if (!(v >= 0 && v <= 1))
		problems_add(pr, "/fte", "range", "fte must be between 0 and 1");
	else if (sched && v <= 0)
		problems_add(pr, "/fte", "range", "fte must be above 0 for someone who is scheduled (set schedulable false)");
	else if (fabs(v * 1000 - round(v * 1000)) > 1e-6)
		problems_add(pr, "/fte", "precision", "fte has at most three decimals");
	long s, e;
	const char *sd = json_string_value(json_object_get(p, "startDate"));
	const char *ed = json_string_value(json_object_get(p, "endDate"));
	if (sd && ed && date_parse(sd, &s) && date_parse(ed, &e) && e < s)
		problems_add(pr, "/endDate", "date_order", "endDate (%s) is before startDate (%s)", ed, sd);
}

static enum err email_taken(enum err e, struct errinfo *ei, const json_t *p)
{
	if (e == ERR_CONFLICT)
		return err_set(ei, ERR_CONFLICT, "/email", "someone in this department already has the e-mail %s",
			       json_string_value(json_object_get(p, "email")));
	return e;
}

static const char *json_param(struct arena *a, const json_t *v)
{
	struct buf b;
	buf_init(&b, 0);
	enum err e = json_text_encode(v, JSON_ENC_COMPACT, &b);
	char *s = e ? NULL : arena_strndup(a, b.data, b.len);
	buf_fini(&b);
	return s;
}

#define PERSON_COLUMNS_FROM_P                                                                                   \
	"p->>'email', p->>'name', coalesce(p->>'shortName', ''), coalesce(p->>'role', 'RAD'),"                   \
	" coalesce((p->>'fte')::numeric, 1), coalesce((p->>'fellow')::boolean, false),"                          \
	" coalesce((p->>'schedulable')::boolean, true),"                                                          \
	" coalesce(ARRAY(SELECT jsonb_array_elements_text(coalesce(p->'subspecialties', '[]'))), '{}'),"         \
	" (p->>'startDate')::date, (p->>'endDate')::date, coalesce((p->>'active')::boolean, true)"

enum err people_create(struct db *db, struct arena *a, const json_t *in, json_t **out, struct problems *pr,
		       struct errinfo *ei)
{
	*out = NULL;
	person_check(in, pr);
	enum err e = problems_result(pr, ERR_INVALID, ei);
	if (e)
		return e;
	struct db_res *r;
	e = DB_EXEC(db, a, &r, ei,
		    "INSERT INTO users (tenant_id, email, name, short_name, role, fte, is_fellow, schedulable, subspecialties,"
		    " start_date, end_date, active) SELECT app_tenant(), " PERSON_COLUMNS_FROM_P
		    " FROM (SELECT $1::jsonb AS p) s RETURNING id",
		    json_param(a, in));
	if (e)
		return email_taken(e, ei, in);
	const char *id = db_res_val(r, 0, "id");
	if (!json_is_true(json_object_get(in, "active")) && json_object_get(in, "active"))
		e = DB_EXEC(db, a, NULL, ei, "UPDATE users SET deactivated_at = now() WHERE id = $1::uuid", id);
	return e ? e : people_get(db, a, id, out, ei);
}

enum err people_update(struct db *db, struct arena *a, const char *id, const json_t *changes, json_t **out,
		       struct problems *pr, struct errinfo *ei)
{
	*out = NULL;
	json_t *cur;
	enum err e = DBJSON_ONE(db, a, &cur, ei, "person",
				"SELECT " PERSON_JSON " AS j FROM users u WHERE u.id = $1::uuid FOR NO KEY UPDATE", id);
	if (e)
		return e;
	const char *k;
	json_t *v;
	JSON_OBJECT_EACH(changes, k, v)
	{
		json_object_set(cur, k, v);
	}
	if (json_is_null(json_object_get(cur, "shortName")))
		json_object_set_new(cur, "shortName", json_string(""));
	person_check(cur, pr);
	e = problems_result(pr, ERR_INVALID, ei);
	if (!e)
		e = DB_EXEC(db, a, NULL, ei,
			    "UPDATE users u SET (email, name, short_name, role, fte, is_fellow, schedulable, subspecialties,"
			    " start_date, end_date, active) = (SELECT " PERSON_COLUMNS_FROM_P " FROM (SELECT $2::jsonb AS p) s),"
			    " deactivated_at = CASE WHEN NOT ($2::jsonb->>'active')::boolean THEN coalesce(u.deactivated_at, now()) END"
			    " WHERE u.id = $1::uuid",
			    id, json_param(a, cur));
	e = email_taken(e, ei, cur);
	json_decref(cur);
	return e ? e : people_get(db, a, id, out, ei);
}

enum err people_deactivate(struct db *db, struct arena *a, const char *id, json_t **out, struct errinfo *ei)
{
	struct db_res *r;
	enum err e = DB_EXEC(db, a, &r, ei,
			     "UPDATE users SET active = false, deactivated_at = coalesce(deactivated_at, now())"
			     " WHERE id = $1::uuid AND active RETURNING id",
			     id);
	return e ? e : people_get(db, a, id, out, ei);
}
