/* web/session.h for radsched: the access-token cookie resolved into a principal (after
 * checking the session row), and the CSRF check of cookie-authenticated mutations. */
#include <stdio.h>
#include <string.h>

#include "base/strutil.h"
#include "crypto/crypto_hash.h"
#include "web/auth/auth.h"
#include "web/roles.h"
#include "web/session.h"

struct check {
	const char *session_id, *user_id;
	struct principal *out;
	bool found;
};

static enum err check_tx(struct db *db, void *arg, struct errinfo *ei)
{
	struct check *c = arg;
	struct arena *a = arena_new(0);
	struct db_res *r;
	enum err e = DB_EXEC(db, a, &r, ei,
			     "SELECT u.email, u.name, u.role, u.is_fellow, t.slug FROM auth_sessions s"
			     "  JOIN users u ON u.tenant_id = s.tenant_id AND u.id = s.user_id"
			     "  JOIN tenants t ON t.id = s.tenant_id"
			     " WHERE s.tenant_id = app_tenant() AND s.id = $1 AND s.user_id = $2 AND s.revoked_at IS NULL"
			     "   AND s.expires_at > now() AND u.active AND t.status <> 'suspended'",
			     c->session_id, c->user_id);
	if (!e && db_res_rows(r) == 1) {
		struct principal *p = c->out;
		snprintf(p->email, sizeof p->email, "%s", db_res_val(r, 0, "email"));
		snprintf(p->name, sizeof p->name, "%s", db_res_val(r, 0, "name"));
		snprintf(p->tenant_slug, sizeof p->tenant_slug, "%s", db_res_val(r, 0, "slug"));
		p->role = role_from_name(db_res_val(r, 0, "role"));
		p->is_fellow = db_res_bool(r, 0, "is_fellow");
		c->found = p->role != 0;
	}
	arena_free(a);
	return e;
}

static const char *claim_uuid(const json_t *claims, const char *name)
{
	const char *s = json_string_value(json_object_get(claims, name));
	return s && str_is_uuid(s) ? s : NULL;
}

enum err web_session_authenticate(struct platform *pf, struct http_request *req, struct principal *out)
{
	const char *tok = http_cookie_get(req, auth_cookie_name(pf, AUTH_COOKIE_ACCESS));
	if (!tok || !*tok)
		return err_set(&req->err, ERR_UNAUTHORIZED, "", "sign in to use %s", req->path);
	json_t *claims = NULL;
	struct errinfo local = {0};
	enum err e = auth_signed_read(pf, "session", tok, &claims, &local);
	if (e) {
		json_decref(claims);
		return err_set(&req->err, e == ERR_INTERNAL ? ERR_INTERNAL : ERR_UNAUTHORIZED, "",
			       "your session has expired: refresh it at /auth/refresh or sign in again");
	}
	const char *uid = claim_uuid(claims, "sub"), *tid = claim_uuid(claims, "tid"), *sid = claim_uuid(claims, "sid");
	if (!uid || !tid || !sid) {
		json_decref(claims);
		return err_set(&req->err, ERR_UNAUTHORIZED, "", "the session cookie is not ours; sign in again");
	}
	memset(out, 0, sizeof *out);
	snprintf(out->tenant_id, sizeof out->tenant_id, "%s", tid);
	snprintf(out->user_id, sizeof out->user_id, "%s", uid);
	snprintf(out->session_id, sizeof out->session_id, "%s", sid);
	json_decref(claims);
	struct check c = {.session_id = out->session_id, .user_id = out->user_id, .out = out};
	struct db_ctx ctx = {.tenant_id = out->tenant_id, .user_id = out->user_id, .actor = DB_ACTOR_USER,
			     .request_id = req->request_id};
	e = db_with_tx(pf->pool, &ctx, check_tx, &c, &local);
	if (e)
		return err_set(&req->err, ERR_DB, "", "cannot check the session: %s", local.message);
	if (!c.found)
		return err_set(&req->err, ERR_UNAUTHORIZED, "", "this session has ended; sign in again");
	if (auth_csrf_token(pf, out->session_id, out->csrf))
		return err_set(&req->err, ERR_INTERNAL, "", "no key for CSRF tokens");
	out->via = VIA_SESSION;
	return ERR_OK;
}

static bool safe_method(const char *m)
{
	return !strcmp(m, "GET") || !strcmp(m, "HEAD") || !strcmp(m, "OPTIONS");
}

enum err web_session_check_csrf(struct http_request *req)
{
	const struct principal *p = req->principal;
	if (!p || p->via != VIA_SESSION || safe_method(req->method))
		return ERR_OK;
	if (!auth_same_origin(req->app, req))
		return err_set(&req->err, ERR_FORBIDDEN, "", "cross-site request refused (Origin is not this site)");
	const char *t = http_header_get(req, "X-CSRF-Token");
	if (!t)
		t = http_form_get(req, "_csrf");
	if (!t || !crypto_ct_equal(t, strlen(t), p->csrf, strlen(p->csrf)))
		return err_set(&req->err, ERR_FORBIDDEN, "_csrf",
			       "missing or wrong CSRF token: reload the page and submit the form again (scripts send "
			       "X-CSRF-Token)");
	return ERR_OK;
}
