/* Sign-in pages and magic links:
 *   GET  /login             the sign-in page (single sign-on button when configured, email form)
 *   GET  /login/sent        "check your email" (what every magic-link request leads to)
 *   POST /auth/magic-link   ask for a link (field email; optional tenant, next): always 303 /login/sent
 *   GET  /auth/magic        the emailed link: a confirmation page, consumes nothing
 *   POST /auth/magic        the confirmation button: consume, sign in, 303 with the cookies */
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "web/auth/auth.h"
#include "web/auth/auth_magic.h"
#include "web/auth/auth_oidc.h"
#include "web/page.h"
#include "web/principal.h"
#include "web/roles.h"
#include "web/routes.h"

static bool slug_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n < 2 || n > 63)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || (s[i] == '-' && i)))
			return false;
	return true;
}

/* Messages for /login?error=CODE (never reflected text). */
static const char *error_text(const char *code)
{
	static const char *const map[][2] = {
		{"expired", "Your session has ended. Sign in again."},
		{"oidc", "Single sign-on did not complete. Try again, or use an email link."},
		{"state", "The sign-in took too long or was started in another window. Start again."},
	};
	for (size_t i = 0; code && i < sizeof map / sizeof map[0]; i++)
		if (!strcmp(code, map[i][0]))
			return map[i][1];
	return NULL;
}

/* The sign-in page, optionally with the email field's error (422 on a bad address). */
static enum err login_render(struct http_request *req, struct http_response *res, int status, const char *tenant,
			     const char *next, const char *email, const char *field_error)
{
	struct platform *pf = req->app;
	json_t *d = json_pack("{s:s, s:s}", "title", "Sign in", "next", next);
	if (tenant && slug_ok(tenant)) {
		struct db *db = db_pool_get(pf->pool);
		struct db_res *r;
		struct errinfo ei = {0};
		if (DB_EXEC(db, req->arena, &r, &ei, "SELECT name FROM tenant_by_slug($1)", tenant) == ERR_OK && db_res_rows(r) == 1)
			json_object_set_new(d, "tenant", json_pack("{s:s, s:s}", "slug", tenant, "name", db_res_val(r, 0, "name")));
		db_pool_put(pf->pool, db);
	}
	if (auth_oidc_configured(pf)) {
		struct buf b;
		buf_init(&b, 2048);
		enum err e = buf_puts(&b, "/auth/oidc/start?next=");
		if (!e)
			e = auth_url_encode(&b, next);
		if (!e && json_object_get(d, "tenant"))
			e = buf_printf(&b, "&tenant=%s", tenant);
		if (!e)
			json_object_set_new(d, "oidc", json_pack("{s:s, s:s}", "href", b.data, "label", auth_oidc_button_label(pf)));
		buf_fini(&b);
	}
	const char *err = error_text(http_query_get(req, "error"));
	if (err)
		json_object_set_new(d, "error", json_string(err));
	if (http_query_get(req, "signed_out"))
		json_object_set_new(d, "notice", json_string("You are signed out."));
	if (email)
		json_object_set_new(d, "email", json_string(email));
	if (field_error)
		json_object_set_new(d, "email_error", json_string(field_error));
	enum err e = web_page(req, res, status, "login", d);
	json_decref(d);
	return e;
}

static enum err login(struct http_request *req, struct http_response *res)
{
	return login_render(req, res, 200, http_query_get(req, "tenant"), auth_next_path(http_query_get(req, "next")), NULL,
			    NULL);
}

static enum err login_sent(struct http_request *req, struct http_response *res)
{
	return auth_page_message(req, res, 200, "Check your email",
				 "If this address can sign in, an email with a sign-in link is on its way. The link works "
				 "once and for 15 minutes. Nothing arrived after a few minutes? Check your spam folder, then "
				 "ask your department's administrator.",
				 "/login", "Back to sign-in");
}

static enum err refuse_cross_site(struct http_request *req, struct http_response *res)
{
	struct platform *pf = req->app;
	return auth_page_message(req, res, 403, "Request refused",
				 arena_sprintf(req->arena,
					       "This form was sent from another site, so it was ignored. Open radsched at %s "
					       "and try again.",
					       pf->base_url),
				 "/login", "Sign in");
}

static enum err magic_request(struct http_request *req, struct http_response *res)
{
	struct platform *pf = req->app;
	if (!auth_same_origin(pf, req))
		return refuse_cross_site(req, res);
	const char *raw = http_form_get(req, "email");
	const char *tenant = http_form_get(req, "tenant");
	const char *next = auth_next_path(http_form_get(req, "next"));
	char *email = auth_email_normalize(req->arena, raw);
	if (!email) {
		http_field_error_add(req, "email", raw && *raw ? "invalid" : "required", "enter one email address");
		return login_render(req, res, 422, tenant, next, raw && strlen(raw) <= AUTH_EMAIL_MAX ? raw : NULL,
				    raw && *raw ? "Enter one email address, like name@hospital.org."
					       : "Enter your email address.");
	}
	int sent = 0;
	struct errinfo ei = {0};
	enum err e = auth_magic_link_request(pf, req->arena, email, slug_ok(tenant) ? tenant : NULL, next,
					     auth_client_ip(req), auth_user_agent(req), req->request_id, &sent, &ei);
	if (e)
		return err_set(&req->err, e, "", "%s", ei.message);
	return http_respond_redirect(res, "/login/sent");
}

static enum err magic_link_gone(struct http_request *req, struct http_response *res, enum auth_magic_state st)
{
	if (st == AUTH_MAGIC_USED)
		return auth_page_message(req, res, 410, "Link already used",
					 "This sign-in link has already been used; each link works once. Ask for a new one.",
					 "/login", "Get a new link");
	if (st == AUTH_MAGIC_EXPIRED)
		return auth_page_message(req, res, 410, "Link expired",
					 "This sign-in link has expired (links work for 15 minutes). Ask for a new one.", "/login",
					 "Get a new link");
	return auth_page_message(req, res, 404, "Link not valid",
				 "This sign-in link is not valid. Check that the whole link was copied, or ask for a new one.",
				 "/login", "Get a new link");
}

static enum err magic_confirm_page(struct http_request *req, struct http_response *res)
{
	struct platform *pf = req->app;
	const char *token = http_query_get(req, "token");
	struct auth_magic_view v;
	struct errinfo ei = {0};
	enum err e = auth_magic_link_peek(pf, token, req->request_id, &v, &ei);
	if (e)
		return err_set(&req->err, e, "", "%s", ei.message);
	if (v.state != AUTH_MAGIC_VALID)
		return magic_link_gone(req, res, v.state);
	json_t *d = json_pack("{s:s, s:s, s:s, s:s}", "title", "Confirm sign-in", "token", token, "tenant_name", v.tenant_name,
			      "email", v.email);
	e = web_page(req, res, 200, "magic_confirm", d);
	json_decref(d);
	return e;
}

static enum err magic_confirm(struct http_request *req, struct http_response *res)
{
	struct platform *pf = req->app;
	if (!auth_same_origin(pf, req))
		return refuse_cross_site(req, res);
	enum auth_magic_state st;
	struct auth_signin s = {.ua = auth_user_agent(req), .ip = auth_client_ip(req)};
	char next[AUTH_NEXT_SIZE];
	struct errinfo ei = {0};
	enum err e = auth_magic_link_consume(pf, http_form_get(req, "token"), req->request_id, &st, &s, next, &ei);
	if (e == ERR_NOT_FOUND)
		return magic_link_gone(req, res, st);
	if (e == ERR_FORBIDDEN)
		return auth_page_message(req, res, 403, "Sign-in refused", ei.message, "/login", "Back to sign-in");
	if (e)
		return err_set(&req->err, e, "", "%s", ei.message);
	if ((e = auth_session_cookies_set(res, pf, &s.issued, &req->err)))
		return e;
	return http_respond_redirect(res, next);
}

static const struct http_route routes[] = {
	{.method = "GET", .pattern = "/login", .min_role = ROLE_PUBLIC, .handler = login},
	{.method = "GET", .pattern = "/login/sent", .min_role = ROLE_PUBLIC, .handler = login_sent},
	{.method = "POST", .pattern = "/auth/magic-link", .min_role = ROLE_PUBLIC, .handler = magic_request},
	{.method = "GET", .pattern = "/auth/magic", .min_role = ROLE_PUBLIC, .handler = magic_confirm_page},
	{.method = "POST", .pattern = "/auth/magic", .min_role = ROLE_PUBLIC, .handler = magic_confirm},
};

WEB_ROUTES(auth_magic, routes)
