/* Access administration for automation (ADMIN, JSON):
 *   GET    /api/v1/invitations              open invitations
 *   POST   /api/v1/invitations              {email, name?, role?, is_fellow?} → 201 (Idempotency-Key)
 *   DELETE /api/v1/invitations/{id}         withdraw → 204
 *   PATCH  /api/v1/people/{id}/access       {role?, is_fellow?, active?} → 200 person */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strutil.h"
#include "json/json_parse.h"
#include "web/api.h"
#include "web/auth/auth.h"
#include "web/auth/auth_invite.h"
#include "web/auth/auth_people.h"
#include "web/principal.h"
#include "web/roles.h"
#include "web/routes.h"

/* The request's JSON object body; every key must be in allowed (else ERR_UNKNOWN_FIELD). */
static enum err body_object(struct http_request *req, const char *const *allowed, json_t **out)
{
	*out = NULL;
	if (!http_request_is_content_type(req, "application/json"))
		return err_set(&req->err, ERR_UNSUPPORTED, "", "send the body as application/json");
	struct json_caps caps = {.max_bytes = 16384, .max_depth = 4};
	enum err e = json_parse_strict(req->body, req->body_len, &caps, out, &req->err);
	if (e)
		return e;
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return err_set(&req->err, ERR_INVALID, "", "the body must be a JSON object");
	}
	const char *k;
	json_t *v;
	json_object_foreach(*out, k, v)
	{
		bool ok = false;
		for (size_t i = 0; allowed[i]; i++)
			ok |= !strcmp(k, allowed[i]);
		if (!ok) {
			const char *ptr = arena_sprintf(req->arena, "/%s", k); /* k dies with the object */
			http_field_error_add(req, ptr, "unknown_field", "unknown field");
			json_decref(*out);
			*out = NULL;
			return err_set(&req->err, ERR_UNKNOWN_FIELD, ptr, "unknown field %s", ptr + 1);
		}
	}
	return ERR_OK;
}

/* Optional string / boolean members with type errors named by pointer. */
static enum err opt_str(struct http_request *req, json_t *o, const char *k, const char **out)
{
	json_t *v = json_object_get(o, k);
	*out = NULL;
	if (!v || json_is_null(v))
		return ERR_OK;
	if (!json_is_string(v))
		return err_set(&req->err, ERR_INVALID, arena_sprintf(req->arena, "/%s", k), "%s must be a string", k);
	*out = arena_strdup(req->arena, json_string_value(v));
	return ERR_OK;
}

static enum err opt_bool(struct http_request *req, json_t *o, const char *k, int *out)
{
	json_t *v = json_object_get(o, k);
	*out = -1;
	if (!v || json_is_null(v))
		return ERR_OK;
	if (!json_is_boolean(v))
		return err_set(&req->err, ERR_INVALID, arena_sprintf(req->arena, "/%s", k), "%s must be true or false", k);
	*out = json_is_true(v);
	return ERR_OK;
}

static enum err list_tx(struct db *db, void *arg, struct errinfo *ei)
{
	struct arena *a = arena_new(0);
	enum err e = auth_invites_list(db, a, arg, ei);
	arena_free(a);
	return e;
}

static enum err invitations_list(struct http_request *req, struct http_response *res)
{
	json_t *list = NULL;
	struct db_ctx ctx = web_db_ctx(req);
	enum err e = db_with_tx(((struct platform *)req->app)->pool, &ctx, list_tx, &list, &req->err);
	if (e)
		return e;
	json_t *doc = json_pack("{s:o}", "invitations", list);
	char *text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	http_respond_json(res, 200, text);
	free(text);
	return ERR_OK;
}

static enum err create_fn(struct db *db, struct http_request *req, void *arg, struct api_out *out)
{
	char id[37];
	enum err e = auth_invite_create(req->app, db, req->arena, arg, id, &req->err);
	if (e)
		return e;
	out->status = 201;
	out->body = json_pack("{s:s, s:s}", "id", id, "status", "sent");
	out->location = arena_sprintf(req->arena, "/api/v1/invitations/%s", id);
	return ERR_OK;
}

/* POST /api/v1/invitations; honours Idempotency-Key (a replay sends no second email). */
static enum err invitations_create(struct http_request *req, struct http_response *res)
{
	static const char *const allowed[] = {"email", "name", "role", "is_fellow", NULL};
	json_t *o;
	enum err e = body_object(req, allowed, &o);
	if (e)
		return e;
	const char *email, *name, *role;
	int fellow = -1;
	if (!(e = opt_str(req, o, "email", &email)) && !(e = opt_str(req, o, "name", &name)) &&
	    !(e = opt_str(req, o, "role", &role)))
		e = opt_bool(req, o, "is_fellow", &fellow);
	json_decref(o);
	if (e)
		return e;
	if (!email)
		return err_set(&req->err, ERR_INVALID, "/email", "email is required");
	struct auth_invite_in in = {.email = email, .name = name, .role = role ? role : "RAD", .is_fellow = fellow == 1,
				    .inviter_id = web_principal(req)->user_id};
	e = api_tx(req, res, create_fn, &in, API_IDEMPOTENT);
	if (e && req->err.path[0] && req->err.path[0] != '/') {
		char p[256];
		snprintf(p, sizeof p, "/%s", req->err.path);
		snprintf(req->err.path, sizeof req->err.path, "%s", p);
	}
	return e;
}

struct revoke_arg {
	const char *id;
	bool revoked;
};

static enum err revoke_tx(struct db *db, void *arg, struct errinfo *ei)
{
	struct revoke_arg *r = arg;
	struct arena *a = arena_new(0);
	enum err e = auth_invite_revoke(db, a, r->id, &r->revoked, ei);
	arena_free(a);
	return e;
}

static enum err invitations_revoke(struct http_request *req, struct http_response *res)
{
	struct revoke_arg r = {.id = http_param(req, "id")};
	if (!str_is_uuid(r.id))
		return err_set(&req->err, ERR_NOT_FOUND, "", "no open invitation %s", r.id);
	struct db_ctx ctx = web_db_ctx(req);
	enum err e = db_with_tx(((struct platform *)req->app)->pool, &ctx, revoke_tx, &r, &req->err);
	if (e)
		return e;
	if (!r.revoked)
		return err_set(&req->err, ERR_NOT_FOUND, "", "no open invitation %s", r.id);
	http_respond_empty(res, 204);
	return ERR_OK;
}

struct access_arg {
	const struct principal *me;
	const char *id;
	struct auth_access_change c;
	json_t *person;
};

static enum err access_tx(struct db *db, void *arg, struct errinfo *ei)
{
	struct access_arg *aa = arg;
	struct arena *a = arena_new(0);
	json_decref(aa->person);
	aa->person = NULL;
	enum err e = auth_access_change(db, a, aa->me, aa->id, &aa->c, &aa->person, ei);
	arena_free(a);
	return e;
}

static enum err people_access(struct http_request *req, struct http_response *res)
{
	static const char *const allowed[] = {"role", "is_fellow", "active", NULL};
	json_t *o;
	enum err e = body_object(req, allowed, &o);
	if (e)
		return e;
	struct access_arg aa = {.me = web_principal(req), .id = http_param(req, "id")};
	if (!(e = opt_str(req, o, "role", &aa.c.role)) && !(e = opt_bool(req, o, "is_fellow", &aa.c.is_fellow)))
		e = opt_bool(req, o, "active", &aa.c.active);
	json_decref(o);
	if (e)
		return e;
	struct db_ctx ctx = web_db_ctx(req);
	e = db_with_tx(((struct platform *)req->app)->pool, &ctx, access_tx, &aa, &req->err);
	if (e) {
		json_decref(aa.person);
		if (!strcmp(req->err.path, "role"))
			snprintf(req->err.path, sizeof req->err.path, "/role");
		return e;
	}
	char *text = json_dumps(aa.person, JSON_COMPACT);
	json_decref(aa.person);
	http_respond_json(res, 200, text);
	free(text);
	return ERR_OK;
}

static const struct http_route routes[] = {
	{.method = "GET", .pattern = "/api/v1/invitations", .min_role = ROLE_ADMIN, .handler = invitations_list},
	{.method = "POST", .pattern = "/api/v1/invitations", .min_role = ROLE_ADMIN, .handler = invitations_create},
	{.method = "DELETE", .pattern = "/api/v1/invitations/{id}", .min_role = ROLE_ADMIN, .handler = invitations_revoke},
	{.method = "PATCH", .pattern = "/api/v1/people/{id}/access", .min_role = ROLE_ADMIN, .handler = people_access},
};

WEB_ROUTES(auth_people_api, routes)
