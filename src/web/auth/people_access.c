/* Role, fellow flag and activation changes with their guards (auth_people.h). */
#include <stdio.h>
#include <string.h>

#include "base/strutil.h"
#include "web/auth/auth_people.h"
#include "web/roles.h"

#define PERSON_JSON                                                                                         \
	"jsonb_build_object('id', u.id, 'email', u.email, 'name', u.name, 'role', u.role, 'is_fellow', u.is_fellow," \
	" 'active', u.active, 'last_sign_in', (SELECT max(s.created_at) FROM auth_sessions s"                    \
	"   WHERE s.tenant_id = u.tenant_id AND s.user_id = u.id),"                                             \
	" 'sessions', (SELECT count(*) FROM auth_sessions s WHERE s.tenant_id = u.tenant_id AND s.user_id = u.id" \
	"   AND s.revoked_at IS NULL AND s.expires_at > now()))"

static enum err person_json(struct db *db, struct arena *a, const char *id, json_t **out, struct errinfo *ei)
{
	struct db_res *r;
	enum err e = DB_EXEC(db, a, &r, ei, "SELECT " PERSON_JSON "::text AS j FROM users u WHERE u.tenant_id = app_tenant() AND u.id = $1",
			     id);
	if (e)
		return e;
	json_error_t je;
	*out = db_res_rows(r) ? json_loads(db_res_val(r, 0, "j"), 0, &je) : NULL;
	return *out ? ERR_OK : err_set(ei, ERR_NOT_FOUND, "", "no such person");
}

enum err auth_access_change(struct db *db, struct arena *a, const struct principal *actor, const char *person_id,
			    const struct auth_access_change *c, json_t **person, struct errinfo *ei)
{
	*person = NULL;
	if (!person_id || !str_is_uuid(person_id))
		return err_set(ei, ERR_NOT_FOUND, "", "no such person");
	int new_role = 0;
	if (c->role && !(new_role = role_from_name(c->role)))
		return err_set(ei, ERR_INVALID, "role", "the role must be RAD, CHIEF, ADMIN or SUPER_ADMIN");
	struct db_res *r;
	enum err e = DB_EXEC(db, a, &r, ei,
			     "SELECT role, active, is_fellow FROM users WHERE tenant_id = app_tenant() AND id = $1 FOR UPDATE",
			     person_id);
	if (e)
		return e;
	if (db_res_rows(r) != 1)
		return err_set(ei, ERR_NOT_FOUND, "", "no such person");
	int old_role = role_from_name(db_res_val(r, 0, "role"));
	bool was_active = db_res_bool(r, 0, "active");
	if (!strcmp(person_id, actor->user_id))
		return err_set(ei, ERR_FORBIDDEN, "", "you cannot change your own role or deactivate yourself; ask another "
						      "administrator");
	if ((old_role == ROLE_SUPER_ADMIN || new_role == ROLE_SUPER_ADMIN) && actor->role < ROLE_SUPER_ADMIN)
		return err_set(ei, ERR_FORBIDDEN, "role", "only a platform administrator (SUPER_ADMIN) grants or changes SUPER_ADMIN");
	bool stays_admin = (new_role ? new_role : old_role) >= ROLE_ADMIN && (c->active < 0 ? was_active : c->active == 1);
	if (old_role >= ROLE_ADMIN && was_active && !stays_admin) {
		e = DB_EXEC(db, a, &r, ei,
			    "SELECT count(*) AS n FROM users WHERE tenant_id = app_tenant() AND id <> $1 AND active"
			    " AND role IN ('ADMIN', 'SUPER_ADMIN')",
			    person_id);
		if (e)
			return e;
		if (db_res_ll(r, 0, "n", 0) == 0)
			return err_set(ei, ERR_CONFLICT, "", "the department needs at least one active administrator");
	}
	const char *fellow = c->is_fellow < 0 ? NULL : c->is_fellow ? "true" : "false";
	const char *active = c->active < 0 ? NULL : c->active ? "true" : "false";
	e = DB_EXEC(db, a, NULL, ei,
		    "UPDATE users SET role = coalesce($2, role), is_fellow = coalesce($3::boolean, is_fellow),"
		    " active = coalesce($4::boolean, active),"
		    " deactivated_at = CASE WHEN $4::boolean IS NULL THEN deactivated_at WHEN $4::boolean THEN NULL"
		    "   ELSE coalesce(deactivated_at, now()) END"
		    " WHERE tenant_id = app_tenant() AND id = $1",
		    person_id, c->role, fellow, active);
	if (!e && new_role && new_role != old_role)
		e = DB_EXEC(db, a, NULL, ei,
			    "SELECT audit_event('role_changed', 'users', $1, jsonb_build_object('from', $2::text, 'to', $3::text))",
			    person_id, role_name(old_role), role_name(new_role));
	if (!e && c->active >= 0 && (c->active == 1) != was_active)
		e = DB_EXEC(db, a, NULL, ei, "SELECT audit_event($2, 'users', $1, '{}'::jsonb)", person_id,
			    c->active ? "reactivated" : "deactivated");
	if (!e)
		e = person_json(db, a, person_id, person, ei);
	return e;
}

enum err auth_people_list(struct db *db, struct arena *a, json_t **out, struct errinfo *ei)
{
	struct db_res *r;
	*out = NULL;
	enum err e = DB_EXEC0(db, a, &r, ei,
			      "SELECT coalesce(jsonb_agg(" PERSON_JSON " ORDER BY u.active DESC, lower(u.name)), '[]')::text AS j"
			      " FROM users u WHERE u.tenant_id = app_tenant()");
	if (e)
		return e;
	json_error_t je;
	*out = json_loads(db_res_val(r, 0, "j"), 0, &je);
	return *out ? ERR_OK : err_set(ei, ERR_INTERNAL, "", "people list is not JSON");
}
