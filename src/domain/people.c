#include "domain/people.h"

#include <stdio.h>
#include <string.h>

#include "base/buf.h"

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
