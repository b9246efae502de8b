/* Session routes:
 *   POST /auth/refresh   rotate the refresh token (cookie): new access + refresh cookies, 200 JSON
 *   GET  /auth/refresh   the same for a page whose access token ran out: 303 back to ?next
 *   POST /auth/logout    end this session, clear the cookies, 303 to the sign-in page
 * A refresh token presented a second time ends its whole session (reuse detection). */
#include <string.h>

#include "base/log.h"
#include "http/problem.h"
#include "web/auth/auth.h"
#include "web/auth/auth_session.h"
#include "web/principal.h"
#include "web/roles.h"
#include "web/routes.h"

/* Rotate; on success the new cookies are set. */
static enum err rotate(struct http_request *req, struct http_response *res, enum auth_rotate *outcome)
{
	struct platform *pf = req->app;
	struct auth_issued t;
	struct errinfo ei = {0};
	enum err e = auth_refresh_rotate(pf, http_cookie_get(req, auth_cookie_name(pf, AUTH_COOKIE_REFRESH)),
					 req->request_id, outcome, &t, &ei);
	if (e)
		return err_set(&req->err, e, "", "%s", ei.message);
	if (*outcome == AUTH_ROTATED)
		return auth_session_cookies_set(res, pf, &t, &req->err);
	auth_cookies_clear(res, pf);
	return ERR_OK;
}

static enum err refresh_post(struct http_request *req, struct http_response *res)
{
	if (!auth_same_origin(req->app, req))
		return err_set(&req->err, ERR_FORBIDDEN, "", "cross-site request refused");
	enum auth_rotate o;
	enum err e = rotate(req, res, &o);
	if (e)
		return e;
	if (o != AUTH_ROTATED) {
		RS_IGNORE(err_set(&req->err, ERR_UNAUTHORIZED, "",
				  o == AUTH_ROTATE_REUSED ? "this refresh token was already used: the session has been ended "
							    "for safety; sign in again"
							  : "no valid refresh token: sign in again"));
		http_respond_problem(res, ERR_UNAUTHORIZED, NULL);
		return ERR_OK;
	}
	http_respond_json(res, 200, arena_sprintf(req->arena, "{\"status\":\"refreshed\",\"expires_in\":%d}", AUTH_ACCESS_TTL_S));
	return ERR_OK;
}

static enum err refresh_get(struct http_request *req, struct http_response *res)
{
	const char *next = auth_next_path(http_query_get(req, "next"));
	enum auth_rotate o;
	enum err e = rotate(req, res, &o);
	if (e)
		return e;
	if (o == AUTH_ROTATED)
		return http_respond_redirect(res, next);
	struct buf b;
	buf_init(&b, 4096);
	e = buf_puts(&b, "/login?error=expired&next=");
	if (!e)
		e = auth_url_encode(&b, next);
	const char *loc = e ? "/login?error=expired" : arena_strndup(req->arena, b.data, b.len);
	buf_fini(&b);
	return http_respond_redirect(res, loc);
}

static enum err logout(struct http_request *req, struct http_response *res)
{
	struct platform *pf = req->app;
	if (!auth_same_origin(pf, req))
		return auth_page_message(req, res, 403, "Request refused",
					 "This sign-out was sent from another site, so it was ignored.", "/", "Home");
	const struct principal *p = web_principal(req);
	struct errinfo ei = {0};
	enum err e = auth_session_end_presented(pf, http_cookie_get(req, auth_cookie_name(pf, AUTH_COOKIE_REFRESH)),
						p && p->via == VIA_SESSION ? p->tenant_id : NULL,
						p && p->via == VIA_SESSION ? p->session_id : NULL, req->request_id, &ei);
	if (e)
		return err_set(&req->err, e, "", "%s", ei.message);
	auth_cookies_clear(res, pf);
	return http_respond_redirect(res, "/login?signed_out=1");
}

static const struct http_route routes[] = {
	{.method = "POST", .pattern = "/auth/refresh", .min_role = ROLE_PUBLIC, .handler = refresh_post},
	{.method = "GET", .pattern = "/auth/refresh", .min_role = ROLE_PUBLIC, .handler = refresh_get},
	{.method = "POST", .pattern = "/auth/logout", .min_role = ROLE_PUBLIC, .handler = logout},
};

WEB_ROUTES(auth_session, routes)
