/* Invitation acceptance:
 *   GET  /invite/accept   the emailed link: who invites whom to what, and a button (consumes nothing)
 *   POST /invite/accept   accept: join with the invited role, signed in, 303 / */
#include <string.h>

#include "web/auth/auth.h"
#include "web/auth/auth_invite.h"
#include "web/page.h"
#include "web/roles.h"
#include "web/routes.h"

static enum err gone(struct http_request *req, struct http_response *res, enum auth_invite_state st)
{
	switch (st) {
	case AUTH_INVITE_ACCEPTED:
		return auth_page_message(req, res, 410, "Invitation already accepted",
					 "This invitation has already been accepted. Sign in with the invited address.", "/login",
					 "Sign in");
	case AUTH_INVITE_REVOKED:
		return auth_page_message(req, res, 410, "Invitation withdrawn",
					 "This invitation was withdrawn or replaced by a newer one. Use the latest invitation "
					 "email, or ask the administrator to invite you again.",
					 "/login", "Sign in");
	case AUTH_INVITE_EXPIRED:
		return auth_page_message(req, res, 410, "Invitation expired",
					 "This invitation has expired. Ask the administrator to invite you again.", "/login",
					 "Sign in");
	default:
		return auth_page_message(req, res, 404, "Invitation not valid",
					 "This invitation link is not valid. Check that the whole link was copied.", "/login",
					 "Sign in");
	}
}

static enum err accept_page(struct http_request *req, struct http_response *res)
{
	const char *token = http_query_get(req, "token");
	struct auth_invite_view v;
	struct errinfo ei = {0};
	enum err e = auth_invite_peek(req->app, token, &v, &ei);
	if (e)
		return err_set(&req->err, e, "", "%s", ei.message);
	if (v.state != AUTH_INVITE_OPEN)
		return gone(req, res, v.state);
	json_t *d = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "title", "Accept the invitation", "token", token,
			      "tenant_name", v.tenant_name, "email", v.email, "name", v.name, "inviter_name", v.inviter_name,
			      "role_label", auth_role_label(v.role, v.is_fellow));
	e = web_page(req, res, 200, "invite_accept", d);
	json_decref(d);
	return e;
}

static enum err accept(struct http_request *req, struct http_response *res)
{
	struct platform *pf = req->app;
	if (!auth_same_origin(pf, req))
		return auth_page_message(req, res, 403, "Request refused",
					 "This form was sent from another site, so it was ignored.", "/login", "Sign in");
	enum auth_invite_state st;
	struct auth_signin s = {.ua = auth_user_agent(req), .ip = auth_client_ip(req)};
	struct errinfo ei = {0};
	enum err e = auth_invite_accept(pf, http_form_get(req, "token"), req->request_id, &st, &s, &ei);
	if (e == ERR_NOT_FOUND)
		return gone(req, res, st);
	if (e == ERR_FORBIDDEN)
		return auth_page_message(req, res, 403, "Invitation refused", ei.message, "/login", "Sign in");
	if (e)
		return err_set(&req->err, e, "", "%s", ei.message);
	if ((e = auth_session_cookies_set(res, pf, &s.issued, &req->err)))
		return e;
	return http_respond_redirect(res, "/");
}

static const struct http_route routes[] = {
	{.method = "GET", .pattern = "/invite/accept", .min_role = ROLE_PUBLIC, .handler = accept_page},
	{.method = "POST", .pattern = "/invite/accept", .min_role = ROLE_PUBLIC, .handler = accept},
};

WEB_ROUTES(auth_invite, routes)
