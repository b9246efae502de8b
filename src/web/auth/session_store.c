/* Sessions and refresh tokens in PostgreSQL (migration 0004). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "base/strutil.h"
#include "web/auth/auth.h"
#include "web/auth/auth_session.h"

#define STR_(x) #x
#define STR(x) STR_(x)

enum err auth_tx_act_as(struct db *db, struct arena *a, const char *user_id, struct errinfo *ei)
{
	return DB_EXEC(db, a, NULL, ei, "SELECT set_config('app.user_id', $1, true), set_config('app.actor', 'USER', true)",
		       user_id);
}

/* A fresh refresh token into out->refresh; its hash into hash. */
static enum err new_refresh(struct auth_issued *out, char hash[CRYPTO_SHA256_HEX_SIZE], struct errinfo *ei)
{
	if (crypto_random_token(out->refresh, sizeof out->refresh, CRYPTO_TOKEN_BYTES))
		return err_set(ei, ERR_INTERNAL, "", "cannot make a refresh token");
	crypto_token_hash(out->refresh, hash);
	return ERR_OK;
}

enum err auth_session_create(struct db *db, struct arena *a, const char *user_id, const char *method, const char *ua,
			     const char *ip, struct auth_issued *out, struct errinfo *ei)
{
	char hash[CRYPTO_SHA256_HEX_SIZE];
	enum err e = new_refresh(out, hash, ei);
	struct db_res *r;
	if (!e)
		e = DB_EXEC(db, a, &r, ei,
			    "WITH s AS (INSERT INTO auth_sessions (tenant_id, user_id, method, expires_at, user_agent, ip)"
			    "  VALUES (app_tenant(), $1, $2, now() + make_interval(secs => " STR(AUTH_SESSION_MAX_S) "), $3, $4)"
			    "  RETURNING tenant_id, id, expires_at)"
			    " INSERT INTO auth_refresh_tokens (tenant_id, session_id, token_hash, expires_at)"
			    " SELECT s.tenant_id, s.id, $5, least(now() + make_interval(secs => " STR(AUTH_REFRESH_IDLE_S) "),"
			    "   s.expires_at) FROM s RETURNING tenant_id::text, session_id::text",
			    user_id, method, ua ? ua : "", ip ? ip : "", hash);
	if (e)
		return e;
	snprintf(out->tenant_id, sizeof out->tenant_id, "%s", db_res_val(r, 0, "tenant_id"));
	snprintf(out->session_id, sizeof out->session_id, "%s", db_res_val(r, 0, "session_id"));
	snprintf(out->user_id, sizeof out->user_id, "%s", user_id);
	return DB_EXEC(db, a, NULL, ei,
		       "SELECT audit_event('sign_in', 'users', $1, jsonb_build_object('method', $2::text, 'session_id', $3::text,"
		       " 'ip', $4::text))",
		       user_id, method, out->session_id, ip ? ip : "");
}

enum err auth_access_token_make(const struct platform *pf, const struct auth_issued *t, struct arena *a, char **out,
				struct errinfo *ei)
{
	json_t *c = json_pack("{s:s, s:s, s:s, s:s, s:I}", "iss", "radsched", "sub", t->user_id, "tid", t->tenant_id, "sid",
			      t->session_id, "iat", (json_int_t)time(NULL));
	enum err e = auth_signed_make(pf, "session", c, AUTH_ACCESS_TTL_S, a, out, ei);
	json_decref(c);
	return e;
}

enum err auth_session_cookies_set(struct http_response *res, const struct platform *pf, const struct auth_issued *t,
				  struct errinfo *ei)
{
	char *access;
	enum err e = auth_access_token_make(pf, t, res->req->arena, &access, ei);
	if (!e)
		e = auth_cookie_set(res, pf, AUTH_COOKIE_ACCESS, access, AUTH_ACCESS_TTL_S);
	if (!e)
		e = auth_cookie_set(res, pf, AUTH_COOKIE_REFRESH, t->refresh, AUTH_SESSION_MAX_S);
	return e;
}

/* ---- rotation ------------------------------------------------------------------------- */

struct rotate {
	const char *hash;
	enum auth_rotate outcome;
	struct auth_issued *out;
};

static enum err rotate_tx(struct db *db, void *arg, struct errinfo *ei)
{
	struct rotate *ro = arg;
	struct arena *a = arena_new(0);
	struct db_res *r;
	enum err e = DB_EXEC(db, a, &r, ei,
			     "UPDATE auth_refresh_tokens SET used_at = now()"
			     " WHERE tenant_id = app_tenant() AND token_hash = $1 AND used_at IS NULL"
			     " RETURNING session_id::text, expires_at > now() AS live",
			     ro->hash);
	if (e)
		goto out;
	if (db_res_rows(r) == 0) {
		/* spent before: somebody holds a copy. End the family. */
		ro->outcome = AUTH_ROTATE_REUSED;
		e = DB_EXEC(db, a, &r, ei,
			    "UPDATE auth_sessions s SET revoked_at = now(), revoked_reason = 'refresh_reuse'"
			    "  FROM auth_refresh_tokens t"
			    " WHERE t.tenant_id = app_tenant() AND t.token_hash = $1 AND s.tenant_id = t.tenant_id"
			    "   AND s.id = t.session_id AND s.revoked_at IS NULL RETURNING s.id::text, s.user_id::text",
			    ro->hash);
		if (!e && db_res_rows(r) == 1) {
			log_kv(LOG_WARN, "refresh token reused: session revoked", "session_id", db_res_val(r, 0, "id"), NULL);
			e = DB_EXEC(db, a, NULL, ei,
				    "SELECT audit_event('session_revoked', 'auth_sessions', $1,"
				    " jsonb_build_object('reason', 'refresh_reuse', 'user_id', $2::text))",
				    db_res_val(r, 0, "id"), db_res_val(r, 0, "user_id"));
		}
		goto out;
	}
	ro->outcome = AUTH_ROTATE_INVALID;
	if (!db_res_bool(r, 0, "live"))
		goto out;
	const char *sid = arena_strdup(a, db_res_val(r, 0, "session_id"));
	e = DB_EXEC(db, a, &r, ei,
		    "SELECT s.user_id::text, s.tenant_id::text FROM auth_sessions s"
		    "  JOIN users u ON u.tenant_id = s.tenant_id AND u.id = s.user_id"
		    "  JOIN tenants t ON t.id = s.tenant_id"
		    " WHERE s.tenant_id = app_tenant() AND s.id = $1 AND s.revoked_at IS NULL AND s.expires_at > now()"
		    "   AND u.active AND t.status <> 'suspended' FOR UPDATE OF s",
		    sid);
	if (e || db_res_rows(r) != 1)
		goto out;
	struct auth_issued *o = ro->out;
	snprintf(o->user_id, sizeof o->user_id, "%s", db_res_val(r, 0, "user_id"));
	snprintf(o->tenant_id, sizeof o->tenant_id, "%s", db_res_val(r, 0, "tenant_id"));
	snprintf(o->session_id, sizeof o->session_id, "%s", sid);
	char hash[CRYPTO_SHA256_HEX_SIZE];
	if ((e = new_refresh(o, hash, ei)))
		goto out;
	e = DB_EXEC(db, a, NULL, ei,
		    "WITH s AS (UPDATE auth_sessions SET last_used_at = now() WHERE tenant_id = app_tenant() AND id = $1"
		    "  RETURNING tenant_id, id, expires_at)"
		    " INSERT INTO auth_refresh_tokens (tenant_id, session_id, token_hash, expires_at)"
		    " SELECT s.tenant_id, s.id, $2, least(now() + make_interval(secs => " STR(AUTH_REFRESH_IDLE_S) "),"
		    "   s.expires_at) FROM s",
		    sid, hash);
	if (!e)
		ro->outcome = AUTH_ROTATED;
out:
	arena_free(a);
	return e;
}

/* The tenant of a refresh token (no tenant set yet), "" when unknown. */
static enum err refresh_tenant(const struct platform *pf, const char *hash, char tenant[37], struct errinfo *ei)
{
	struct db *db = db_pool_get(pf->pool);
	struct arena *a = arena_new(0);
	struct db_res *r;
	tenant[0] = 0;
	enum err e = DB_EXEC(db, a, &r, ei, "SELECT auth_refresh_tenant($1)::text AS t", hash);
	if (!e && db_res_rows(r) == 1 && db_res_val(r, 0, "t"))
		snprintf(tenant, 37, "%s", db_res_val(r, 0, "t"));
	arena_free(a);
	db_pool_put(pf->pool, db);
	return e;
}

enum err auth_refresh_rotate(const struct platform *pf, const char *token, const char *request_id,
			     enum auth_rotate *outcome, struct auth_issued *out, struct errinfo *ei)
{
	*outcome = AUTH_ROTATE_INVALID;
	memset(out, 0, sizeof *out);
	if (!auth_token_shape_ok(token))
		return ERR_OK;
	char hash[CRYPTO_SHA256_HEX_SIZE], tenant[37];
	crypto_token_hash(token, hash);
	enum err e = refresh_tenant(pf, hash, tenant, ei);
	if (e || !tenant[0])
		return e;
	struct rotate ro = {.hash = hash, .outcome = AUTH_ROTATE_INVALID, .out = out};
	struct db_ctx ctx = {.tenant_id = tenant, .actor = DB_ACTOR_SYSTEM, .request_id = request_id};
	e = db_with_tx(pf->pool, &ctx, rotate_tx, &ro, ei);
	*outcome = e ? AUTH_ROTATE_INVALID : ro.outcome;
	return e;
}

/* ---- ending sessions ---------------------------------------------------------------- */

struct end_presented {
	const char *hash, *session_id;
};

static enum err end_presented_tx(struct db *db, void *arg, struct errinfo *ei)
{
	struct end_presented *ep = arg;
	struct arena *a = arena_new(0);
	struct db_res *r;
	enum err e = ep->hash ? DB_EXEC(db, a, &r, ei,
					"UPDATE auth_sessions s SET revoked_at = now(), revoked_reason = 'logout'"
					"  FROM auth_refresh_tokens t"
					" WHERE t.tenant_id = app_tenant() AND t.token_hash = $1 AND s.tenant_id = t.tenant_id"
					"   AND s.id = t.session_id AND s.revoked_at IS NULL RETURNING s.id::text, s.user_id::text",
					ep->hash)
			      : DB_EXEC(db, a, &r, ei,
					"UPDATE auth_sessions SET revoked_at = now(), revoked_reason = 'logout'"
					" WHERE tenant_id = app_tenant() AND id = $1 AND revoked_at IS NULL"
					" RETURNING id::text, user_id::text",
					ep->session_id);
	if (!e && db_res_rows(r) == 1) {
		const char *uid = db_res_val(r, 0, "user_id");
		e = auth_tx_act_as(db, a, uid, ei);
		if (!e)
			e = DB_EXEC(db, a, NULL, ei,
				    "SELECT audit_event('sign_out', 'users', $1, jsonb_build_object('session_id', $2::text))", uid,
				    db_res_val(r, 0, "id"));
	}
	arena_free(a);
	return e;
}

enum err auth_session_end_presented(const struct platform *pf, const char *refresh, const char *tenant_id,
				    const char *session_id, const char *request_id, struct errinfo *ei)
{
	struct end_presented ep = {0};
	char hash[CRYPTO_SHA256_HEX_SIZE], tenant[37] = "";
	if (auth_token_shape_ok(refresh)) {
		crypto_token_hash(refresh, hash);
		enum err e = refresh_tenant(pf, hash, tenant, ei);
		if (e)
			return e;
		if (tenant[0])
			ep.hash = hash;
	}
	if (!ep.hash) {
		if (!tenant_id || !session_id || !str_is_uuid(tenant_id) || !str_is_uuid(session_id))
			return ERR_OK;
		snprintf(tenant, sizeof tenant, "%s", tenant_id);
		ep.session_id = session_id;
	}
	struct db_ctx ctx = {.tenant_id = tenant, .actor = DB_ACTOR_SYSTEM, .request_id = request_id};
	return db_with_tx(pf->pool, &ctx, end_presented_tx, &ep, ei);
}

enum err auth_session_end(struct db *db, struct arena *a, const char *user_id, const char *session_id,
			  const char *reason, bool *ended, struct errinfo *ei)
{
	struct db_res *r;
	*ended = false;
	enum err e = DB_EXEC(db, a, &r, ei,
			     "UPDATE auth_sessions SET revoked_at = now(), revoked_reason = $3"
			     " WHERE tenant_id = app_tenant() AND id = $1 AND user_id = $2 AND revoked_at IS NULL RETURNING id",
			     session_id, user_id, reason);
	if (e || db_res_rows(r) == 0)
		return e;
	*ended = true;
	return DB_EXEC(db, a, NULL, ei,
		       "SELECT audit_event('session_revoked', 'auth_sessions', $1, jsonb_build_object('reason', $2::text,"
		       " 'user_id', $3::text))",
		       session_id, reason, user_id);
}

enum err auth_sessions_end_all(struct db *db, struct arena *a, const char *user_id, const char *reason,
			       struct errinfo *ei)
{
	struct db_res *r;
	enum err e = DB_EXEC(db, a, &r, ei,
			     "UPDATE auth_sessions SET revoked_at = now(), revoked_reason = $2"
			     " WHERE tenant_id = app_tenant() AND user_id = $1 AND revoked_at IS NULL",
			     user_id, reason);
	if (e)
		return e;
	char n[24];
	snprintf(n, sizeof n, "%lld", db_res_affected(r));
	return DB_EXEC(db, a, NULL, ei,
		       "SELECT audit_event('sessions_revoked', 'users', $1, jsonb_build_object('reason', $2::text, 'count', $3::int))",
		       user_id, reason, n);
}
