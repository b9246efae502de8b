/* The router's authorize hook: resolve who is calling (bearer API token, or a session
 * cookie through web/session.h), then compare with the route's minimum role. */
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "base/strutil.h"
#include "crypto/crypto_random.h"
#include "domain/platform.h"
#include "web/authorize.h"
#include "web/roles.h"
#include "web/session.h"

const struct principal *web_principal(const struct http_request *req) { return req->principal; }

struct db_ctx web_db_ctx(const struct http_request *req)
{
	const struct principal *p = req->principal;
	return (struct db_ctx){.tenant_id = p ? p->tenant_id : NULL, .user_id = p ? p->user_id : NULL,
			       .actor = p ? DB_ACTOR_USER : DB_ACTOR_SYSTEM, .request_id = req->request_id};
}

#define API_TOKEN_MAX 200

static enum err from_bearer(struct platform *pf, struct http_request *req, const char *token, struct principal *out)
{
	if (strlen(token) > API_TOKEN_MAX)
		return ERR_UNAUTHORIZED;
	char hash[CRYPTO_SHA256_HEX_SIZE];
	crypto_token_hash(token, hash);
	struct db *db = db_pool_get(pf->pool);
	struct db_res *r;
	enum err e = DB_EXEC(db, req->arena, &r, &req->err, "SELECT * FROM api_token_principal($1)", hash);
	db_pool_put(pf->pool, db);
	if (e)
		return e;
	if (db_res_rows(r) != 1)
		return ERR_UNAUTHORIZED;
	/* scopes: "api" for /api and pages, "mcp" for the MCP endpoint only */
	const char *scopes = db_res_val(r, 0, "scopes");
	bool mcp_route = str_starts_with(req->path, "/mcp");
	if (!scopes || !strstr(scopes, mcp_route ? "mcp" : "api"))
		return err_set(&req->err, ERR_FORBIDDEN, "", "this API token's scopes do not include %s",
			       mcp_route ? "mcp" : "api");
	snprintf(out->tenant_id, sizeof out->tenant_id, "%s", db_res_val(r, 0, "tenant_id"));
	snprintf(out->tenant_slug, sizeof out->tenant_slug, "%s", db_res_val(r, 0, "tenant_slug"));
	snprintf(out->user_id, sizeof out->user_id, "%s", db_res_val(r, 0, "user_id"));
	snprintf(out->email, sizeof out->email, "%s", db_res_val(r, 0, "email"));
	snprintf(out->name, sizeof out->name, "%s", db_res_val(r, 0, "name"));
	out->role = role_from_name(db_res_val(r, 0, "role"));
	out->is_fellow = db_res_bool(r, 0, "is_fellow");
	out->via = VIA_API_TOKEN;
	return ERR_OK;
}

enum err web_authenticate(struct http_request *req)
{
	struct platform *pf = req->app;
	if (req->principal)
		return ERR_OK;
	struct principal *p = arena_alloc(req->arena, sizeof *p);
	enum err e = ERR_UNAUTHORIZED;
	const char *authz = http_header_get(req, "Authorization");
	if (authz && !strncasecmp(authz, "Bearer ", 7))
		e = from_bearer(pf, req, authz + 7, p);
	else
		e = web_session_authenticate(pf, req, p);
	if (e == ERR_OK) {
		req->principal = p;
		req->role = p->role;
		struct log_ctx *lc = log_ctx_get();
		snprintf(lc->tenant_id, sizeof lc->tenant_id, "%s", p->tenant_id);
		snprintf(lc->user_id, sizeof lc->user_id, "%s", p->user_id);
	}
	return e;
}

int web_authorize(struct http_request *req, const struct http_route *route)
{
	if (route->min_role == ROLE_PUBLIC) {
		if (str_starts_with(req->path, "/static/"))
			return 0; /* files are the same for everyone: no session lookup */
		/* public pages still know who is signed in, when someone is */
		if (http_header_get(req, "Authorization") || http_header_get(req, "Cookie"))
			RS_IGNORE(web_authenticate(req)); /* anonymous is fine here */
		return 0;
	}
	enum err e = web_authenticate(req);
	if (e == ERR_DB || e == ERR_FORBIDDEN)
		return 403; /* fail closed (a database error is logged); wrong token scope */
	if (e)
		return 401;
	if (req->role < route->min_role)
		return 403;
	return web_session_check_csrf(req) == ERR_OK ? 0 : 403;
}
