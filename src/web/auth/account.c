/* The signed-in person (RAD and up):
 *   GET  /api/v1/me                          {email, name, role, tenant, ...}
 *   GET  /account                            profile, sessions, API tokens
 *   POST /account/sessions/{id}/revoke       end one of my sessions
 *   POST /account/sign-out-everywhere        end all of them (this one too)
 *   POST /account/tokens                     new API token (name, scope): shown once
 *   POST /account/tokens/{id}/revoke
 *   GET/POST /api/v1/tokens, DELETE /api/v1/tokens/{id}   the same for scripts
 * API tokens are made only from a signed-in browser session, never by another token. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strutil.h"
#include "json/json_parse.h"
#include "web/auth/auth.h"
#include "web/auth/auth_invite.h"
#include "web/auth/auth_session.h"
#include "web/auth/auth_tokens.h"
#include "web/page.h"
#include "web/principal.h"
#include "web/roles.h"
#include "web/routes.h"

static struct db_pool *pool_of(struct http_request *req) { return ((struct platform *)req->app)->pool; }

static enum err me(struct http_request *req, struct http_response *res)
{
	const struct principal *p = web_principal(req);
	json_t *j = json_pack("{s:s, s:s, s:s, s:b, s:s, s:s, s:s, s:s}", "email", p->email, "name", p->name, "role",
			      role_name(p->role), "is_fellow", p->is_fellow, "tenant", p->tenant_slug, "tenant_id",
			      p->tenant_id, "user_id", p->user_id, "via", p->via == VIA_SESSION ? "session" : "api_token");
	if (p->via == VIA_SESSION) /* for scripts in our pages: send it back as X-CSRF-Token */
		json_object_set_new(j, "csrf", json_string(p->csrf));
	char *text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	http_respond_json(res, 200, text);
	free(text);
	return ERR_OK;
}

struct account_data {
	const char *user_id, *session_id;
	json_t *sessions, *tokens;
};

static enum err account_tx(struct db *db, void *arg, struct errinfo *ei)
{
	struct account_data *d = arg;
	struct arena *a = arena_new(0);
	struct db_res *r;
	enum err e = DB_EXEC(db, a, &r, ei,
			     "SELECT coalesce(jsonb_agg(jsonb_build_object('id', s.id, 'method', s.method,"
			     "  'created', to_char(s.created_at AT TIME ZONE t.timezone, 'YYYY-MM-DD HH24:MI'),"
			     "  'last_used', to_char(s.last_used_at AT TIME ZONE t.timezone, 'YYYY-MM-DD HH24:MI'),"
			     "  'user_agent', s.user_agent, 'ip', s.ip, 'current', s.id = $2::uuid) ORDER BY s.created_at DESC), '[]')::text AS j"
			     " FROM auth_sessions s JOIN tenants t ON t.id = s.tenant_id"
			     " WHERE s.tenant_id = app_tenant() AND s.user_id = $1 AND s.revoked_at IS NULL AND s.expires_at > now()",
			     d->user_id, d->session_id && *d->session_id ? d->session_id : NULL);
	if (!e) {
		json_error_t je;
		d->sessions = json_loads(db_res_val(r, 0, "j"), 0, &je);
		e = auth_api_tokens_list(db, a, d->user_id, &d->tokens, ei);
	}
	arena_free(a);
	return e;
}

static enum err render_account(struct http_request *req, struct http_response *res, int status, const char *notice,
			       const char *error, const char *new_token)
{
	const struct principal *p = web_principal(req);
	struct account_data d = {.user_id = p->user_id, .session_id = p->session_id};
	struct errinfo ei = {0};
	struct db_ctx ctx = web_db_ctx(req);
	enum err e = db_with_tx(pool_of(req), &ctx, account_tx, &d, &ei);
	if (e || !d.sessions) {
		json_decref(d.sessions);
		json_decref(d.tokens);
		return err_set(&req->err, e ? e : ERR_INTERNAL, "", "%s", e ? ei.message : "session list");
	}
	size_t i;
	json_t *t;
	json_array_foreach(d.tokens, i, t)
	{
		json_t *sc = json_object_get(t, "scopes");
		char buf[32] = "";
		size_t k;
		json_t *s;
		json_array_foreach(sc, k, s) snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", k ? ", " : "",
						      json_string_value(s));
		json_object_set_new(t, "scope_text", json_string(buf));
		json_object_set_new(t, "live", json_boolean(json_is_null(json_object_get(t, "revoked_at"))));
	}
	json_t *data = json_pack("{s:s, s:s, s:o, s:b, s:o, s:b}", "title", "Your account", "role_label",
				 auth_role_label(role_name(p->role), p->is_fellow), "sessions", d.sessions, "has_tokens",
				 json_array_size(d.tokens) > 0, "tokens", d.tokens, "via_session", p->via == VIA_SESSION);
	if (notice)
		json_object_set_new(data, "notice", json_string(notice));
	if (error)
		json_object_set_new(data, "error", json_string(error));
	if (new_token)
		json_object_set_new(data, "new_token", json_string(new_token));
	e = web_page(req, res, status, "account", data);
	json_decref(data);
	return e;
}

static enum err account(struct http_request *req, struct http_response *res)
{
	const char *done = http_query_get(req, "done");
	const char *notice = done && !strcmp(done, "session") ? "Session ended." : done && !strcmp(done, "token") ? "Token revoked." : NULL;
	return render_account(req, res, 200, notice, NULL, NULL);
}

struct end_arg {
	const char *user_id, *session_id;
	bool all, ended;
};

static enum err end_tx(struct db *db, void *arg, struct errinfo *ei)
{
	struct end_arg *ea = arg;
	struct arena *a = arena_new(0);
	enum err e = ea->all ? auth_sessions_end_all(db, a, ea->user_id, "logout_everywhere", ei)
			     : auth_session_end(db, a, ea->user_id, ea->session_id, "revoked", &ea->ended, ei);
	arena_free(a);
	return e;
}

static enum err session_revoke(struct http_request *req, struct http_response *res)
{
	const struct principal *p = web_principal(req);
	struct end_arg ea = {.user_id = p->user_id, .session_id = http_param(req, "id")};
	if (!str_is_uuid(ea.session_id))
		return render_account(req, res, 404, NULL, "No such session.", NULL);
	struct db_ctx ctx = web_db_ctx(req);
	enum err e = db_with_tx(pool_of(req), &ctx, end_tx, &ea, &req->err);
	if (e)
		return e;
	if (!ea.ended)
		return render_account(req, res, 404, NULL, "That session has already ended.", NULL);
	if (!strcmp(ea.session_id, p->session_id))
		auth_cookies_clear(res, req->app);
	return http_respond_redirect(res, !strcmp(ea.session_id, p->session_id) ? "/login?signed_out=1" : "/account?done=session");
}

static enum err sign_out_everywhere(struct http_request *req, struct http_response *res)
{
	const struct principal *p = web_principal(req);
	struct end_arg ea = {.user_id = p->user_id, .all = true};
	struct db_ctx ctx = web_db_ctx(req);
	enum err e = db_with_tx(pool_of(req), &ctx, end_tx, &ea, &req->err);
	if (e)
		return e;
	if (p->via == VIA_SESSION)
		auth_cookies_clear(res, req->app);
	if (p->via != VIA_SESSION) {
		http_respond_empty(res, 204);
		return ERR_OK;
	}
	return http_respond_redirect(res, "/login?signed_out=1");
}

/* ---- API tokens -------------------------------------------------------------------- */

struct token_arg {
	const char *user_id, *name, *scope, *id;
	char token[AUTH_API_TOKEN_SIZE], new_id[37];
	bool revoked;
	json_t *list;
};

static enum err token_create_tx(struct db *db, void *arg, struct errinfo *ei)
{
	struct token_arg *t = arg;
	struct arena *a = arena_new(0);
	enum err e = auth_api_token_create(db, a, t->user_id, t->name, t->scope, t->token, t->new_id, ei);
	arena_free(a);
	return e;
}

static enum err token_revoke_tx(struct db *db, void *arg, struct errinfo *ei)
{
	struct token_arg *t = arg;
	struct arena *a = arena_new(0);
	enum err e = auth_api_token_revoke(db, a, t->user_id, t->id, &t->revoked, ei);
	arena_free(a);
	return e;
}

static enum err token_list_tx(struct db *db, void *arg, struct errinfo *ei)
{
	struct token_arg *t = arg;
	struct arena *a = arena_new(0);
	enum err e = auth_api_tokens_list(db, a, t->user_id, &t->list, ei);
	arena_free(a);
	return e;
}

static enum err only_sessions(struct http_request *req)
{
	return err_set(&req->err, ERR_FORBIDDEN, "", "API tokens are made from a signed-in browser session, not with "
						     "another token");
}

static enum err token_create_form(struct http_request *req, struct http_response *res)
{
	const struct principal *p = web_principal(req);
	if (p->via != VIA_SESSION)
		return only_sessions(req);
	const char *scope = http_form_get(req, "scope");
	struct token_arg t = {.user_id = p->user_id, .name = http_form_get(req, "name"), .scope = scope ? scope : "api"};
	struct errinfo ei = {0};
	struct db_ctx ctx = web_db_ctx(req);
	enum err e = db_with_tx(pool_of(req), &ctx, token_create_tx, &t, &ei);
	if (e == ERR_INVALID)
		return render_account(req, res, 422, NULL, ei.message, NULL);
	if (e)
		return err_set(&req->err, e, "", "%s", ei.message);
	e = render_account(req, res, 201, "Token created. Copy it now: it is shown only once.", NULL, t.token);
	memset(t.token, 0, sizeof t.token);
	return e;
}

static enum err token_revoke_form(struct http_request *req, struct http_response *res)
{
	struct token_arg t = {.user_id = web_principal(req)->user_id, .id = http_param(req, "id")};
	struct db_ctx ctx = web_db_ctx(req);
	enum err e = db_with_tx(pool_of(req), &ctx, token_revoke_tx, &t, &req->err);
	if (e)
		return e;
	if (!t.revoked)
		return render_account(req, res, 404, NULL, "No such live token.", NULL);
	return http_respond_redirect(res, "/account?done=token");
}

static enum err tokens_list(struct http_request *req, struct http_response *res)
{
	struct token_arg t = {.user_id = web_principal(req)->user_id};
	struct db_ctx ctx = web_db_ctx(req);
	enum err e = db_with_tx(pool_of(req), &ctx, token_list_tx, &t, &req->err);
	if (e)
		return e;
	json_t *doc = json_pack("{s:o}", "tokens", t.list);
	char *text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	http_respond_json(res, 200, text);
	free(text);
	return ERR_OK;
}

static enum err tokens_create(struct http_request *req, struct http_response *res)
{
	const struct principal *p = web_principal(req);
	if (p->via != VIA_SESSION)
		return only_sessions(req);
	if (!http_request_is_content_type(req, "application/json"))
		return err_set(&req->err, ERR_UNSUPPORTED, "", "send the body as application/json");
	json_t *o;
	enum err e = json_parse_strict(req->body, req->body_len, &(struct json_caps){16384, 4}, &o, &req->err);
	if (e)
		return e;
	const char *name = json_string_value(json_object_get(o, "name"));
	json_t *scopes = json_object_get(o, "scopes");
	struct buf sb;
	buf_init(&sb, 256);
	size_t i;
	json_t *s;
	bool bad = !json_is_object(o) || (scopes && !json_is_array(scopes)) || json_object_size(o) > 2 ||
		   (json_object_size(o) == 2 && !scopes) || !name;
	json_array_foreach(scopes, i, s) bad |= !json_is_string(s) || buf_printf(&sb, "%s%s", i ? "," : "", json_string_value(s));
	struct token_arg t = {.user_id = p->user_id, .name = name ? arena_strdup(req->arena, name) : NULL,
			      .scope = arena_strdup(req->arena, scopes ? sb.data ? sb.data : "" : "api")};
	buf_fini(&sb);
	json_decref(o);
	if (bad)
		return err_set(&req->err, ERR_INVALID, "", "send {\"name\": \"what it is for\", \"scopes\": [\"api\"]}");
	struct db_ctx ctx = web_db_ctx(req);
	if ((e = db_with_tx(pool_of(req), &ctx, token_create_tx, &t, &req->err))) {
		if (!strcmp(req->err.path, "name") || !strcmp(req->err.path, "scope"))
			snprintf(req->err.path, sizeof req->err.path, "%s", !strcmp(req->err.path, "name") ? "/name" : "/scopes");
		return e;
	}
	json_t *j = json_pack("{s:s, s:s, s:s}", "id", t.new_id, "name", t.name, "token", t.token);
	memset(t.token, 0, sizeof t.token);
	char *text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	http_respond_json(res, 201, text);
	memset(text, 0, strlen(text));
	free(text);
	return ERR_OK;
}

static enum err tokens_revoke(struct http_request *req, struct http_response *res)
{
	struct token_arg t = {.user_id = web_principal(req)->user_id, .id = http_param(req, "id")};
	struct db_ctx ctx = web_db_ctx(req);
	enum err e = db_with_tx(pool_of(req), &ctx, token_revoke_tx, &t, &req->err);
	if (e)
		return e;
	if (!t.revoked)
		return err_set(&req->err, ERR_NOT_FOUND, "", "no live token %s of yours", t.id);
	http_respond_empty(res, 204);
	return ERR_OK;
}

static const struct http_route routes[] = {
	{.method = "GET", .pattern = "/api/v1/me", .min_role = ROLE_RAD, .handler = me},
	{.method = "GET", .pattern = "/account", .min_role = ROLE_RAD, .handler = account},
	{.method = "POST", .pattern = "/account/sessions/{id}/revoke", .min_role = ROLE_RAD, .handler = session_revoke},
	{.method = "POST", .pattern = "/account/sign-out-everywhere", .min_role = ROLE_RAD, .handler = sign_out_everywhere},
	{.method = "POST", .pattern = "/account/tokens", .min_role = ROLE_RAD, .handler = token_create_form},
	{.method = "POST", .pattern = "/account/tokens/{id}/revoke", .min_role = ROLE_RAD, .handler = token_revoke_form},
	{.method = "GET", .pattern = "/api/v1/tokens", .min_role = ROLE_RAD, .handler = tokens_list},
	{.method = "POST", .pattern = "/api/v1/tokens", .min_role = ROLE_RAD, .handler = tokens_create},
	{.method = "DELETE", .pattern = "/api/v1/tokens/{id}", .min_role = ROLE_RAD, .handler = tokens_revoke},
};

WEB_ROUTES(auth_account, routes)
