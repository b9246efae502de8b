/* Single sign-on routes (OpenID Connect authorization code flow with PKCE):
 *   GET  /auth/oidc/start      state, nonce and PKCE verifier into a signed cookie; 303 to the issuer
 *   GET  /auth/oidc/callback   check state, redeem the code, verify the ID token, sign in
 *                              (or let the person choose among several departments)
 *   POST /auth/oidc/choose     the department chosen; signed pending identity from the callback */
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "crypto/crypto_hash.h"
#include "crypto/crypto_pkce.h"
#include "crypto/crypto_random.h"
#include "web/auth/auth.h"
#include "web/auth/auth_identity.h"
#include "web/auth/auth_oidc.h"
#include "web/page.h"
#include "web/roles.h"
#include "web/routes.h"

static enum err sso_failed(struct http_request *req, struct http_response *res, int status, const char *why)
{
	return auth_page_message(req, res, status, "Sign-in failed", why, "/login", "Back to sign-in");
}

static enum err oidc_start(struct http_request *req, struct http_response *res)
{
	struct platform *pf = req->app;
	if (!auth_oidc_configured(pf))
		return auth_page_message(req, res, 404, "Single sign-on is off",
					 "This radsched has no single sign-on configured. Sign in with an email link.", "/login",
					 "Back to sign-in");
	char state[CRYPTO_TOKEN_SIZE(32)], nonce[CRYPTO_TOKEN_SIZE(32)], verifier[CRYPTO_PKCE_VERIFIER_SIZE],
		challenge[CRYPTO_PKCE_CHALLENGE_SIZE];
	if (crypto_random_token(state, sizeof state, 32) || crypto_random_token(nonce, sizeof nonce, 32))
		return err_set(&req->err, ERR_INTERNAL, "", "cannot make random values");
	crypto_pkce_verifier_new(verifier);
	if (crypto_pkce_challenge_s256(verifier, challenge))
		return err_set(&req->err, ERR_INTERNAL, "", "cannot make the PKCE challenge");
	const char *tenant = http_query_get(req, "tenant");
	if (tenant && (strlen(tenant) > 63 || strspn(tenant, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(tenant)))
		tenant = NULL;
	json_t *c = json_pack("{s:s, s:s, s:s, s:s, s:s}", "st", state, "n", nonce, "v", verifier, "nx",
			      auth_next_path(http_query_get(req, "next")), "t", tenant ? tenant : "");
	char *cookie, *url;
	struct errinfo ei = {0};
	enum err e = auth_signed_make(pf, "oidc-state", c, AUTH_OIDC_STATE_TTL_S, req->arena, &cookie, &ei);
	json_decref(c);
	if (!e)
		e = auth_oidc_authorize_url(pf, req->arena, state, nonce, challenge, &url, &ei);
	if (e == ERR_UPSTREAM) {
		log_kv(LOG_WARN, "OIDC start failed", "error", ei.message, NULL);
		return sso_failed(req, res, 502, "The sign-in provider cannot be reached right now. Try again in a minute, or "
						 "sign in with an email link.");
	}
	if (e)
		return err_set(&req->err, e, "", "%s", ei.message);
	if ((e = auth_cookie_set(res, pf, AUTH_COOKIE_OIDC, cookie, AUTH_OIDC_STATE_TTL_S)))
		return e;
	return http_respond_redirect(res, url);
}

/* Sign into one tenant and answer with the cookies, or with the refusal page. */
static enum err sign_in(struct http_request *req, struct http_response *res, const char *tenant_id,
			const struct auth_oidc_identity *id, const char *next)
{
	struct platform *pf = req->app;
	struct auth_signin s = {.email = id->email, .display_name = id->name[0] ? id->name : NULL, .method = "oidc",
				.domain_vouched = id->domain_vouched, .ua = auth_user_agent(req), .ip = auth_client_ip(req)};
	struct errinfo ei = {0};
	enum err e = auth_signin_run(pf, tenant_id, req->request_id, &s, &ei);
	if (e == ERR_FORBIDDEN)
		return auth_page_message(req, res, 403, "Sign-in refused", ei.message, "/login", "Back to sign-in");
	if (e)
		return err_set(&req->err, e, "", "%s", ei.message);
	if ((e = auth_session_cookies_set(res, pf, &s.issued, &req->err)))
		return e;
	return http_respond_redirect(res, next);
}

/* No department takes this identity: say why, as precisely as we know. */
static enum err refuse(struct http_request *req, struct http_response *res, const struct auth_candidate *c, size_t n,
		       const char *email, bool vouched)
{
	for (size_t i = 0; i < n; i++) {
		bool enrol;
		enum auth_refusal r = auth_admission(&c[i].m, vouched, &enrol);
		if (r == AUTH_REFUSE_NOT_MEMBER && c[i].m.domain_allowed && !vouched)
			return auth_page_message(req, res, 403, "Sign-in refused",
						 arena_sprintf(req->arena,
							       "%s enrols %s addresses through its organisation's accounts only. "
							       "Sign in with your work account, use an email link, or ask an "
							       "administrator for an invitation.",
							       c[i].name, c[i].allowed_domains),
						 "/login", "Back to sign-in");
		if (r != AUTH_ADMIT)
			return auth_page_message(req, res, 403, "Sign-in refused",
						 auth_refusal_message(req->arena, r, c[i].name, c[i].allowed_domains), "/login",
						 "Back to sign-in");
	}
	return auth_page_message(req, res, 403, "No department for this address",
				 arena_sprintf(req->arena,
					       "%s is not a member of any department on radsched. Ask your department's "
					       "administrator for an invitation.",
					       email),
				 "/login", "Back to sign-in");
}

static enum err oidc_callback(struct http_request *req, struct http_response *res)
{
	struct platform *pf = req->app;
	if (!auth_oidc_configured(pf))
		return sso_failed(req, res, 404, "Single sign-on is not configured here.");
	/* the state cookie is single use whatever happens next */
	RS_IGNORE(auth_cookie_set(res, pf, AUTH_COOKIE_OIDC, "", -1)); /* constant name: cannot fail */
	json_t *st = NULL;
	struct errinfo ei = {0};
	const char *state = http_query_get(req, "state");
	if (auth_signed_read(pf, "oidc-state", http_cookie_get(req, auth_cookie_name(pf, AUTH_COOKIE_OIDC)), &st, &ei)) {
		json_decref(st);
		return sso_failed(req, res, 400, "The sign-in took too long or was started in another browser. Start again.");
	}
	const char *want = json_string_value(json_object_get(st, "st"));
	const char *nonce = json_string_value(json_object_get(st, "n"));
	const char *verifier = json_string_value(json_object_get(st, "v"));
	const char *next = auth_next_path(json_string_value(json_object_get(st, "nx")));
	const char *tenant = json_string_value(json_object_get(st, "t"));
	enum err e = ERR_OK;
	if (!want || !nonce || !verifier || !state || !crypto_ct_equal(state, strlen(state), want, strlen(want))) {
		json_decref(st);
		return sso_failed(req, res, 400, "The sign-in answer does not belong to this browser's sign-in. Start again.");
	}
	next = arena_strdup(req->arena, next);
	tenant = arena_strdup(req->arena, tenant ? tenant : "");
	const char *perr = http_query_get(req, "error");
	if (perr) {
		json_decref(st);
		log_kv(LOG_INFO, "OIDC: the issuer refused", "error", perr, NULL);
		return sso_failed(req, res, 401, !strcmp(perr, "access_denied")
							 ? "The sign-in was cancelled at the provider."
							 : "The sign-in provider refused the sign-in. Try again, or use an email link.");
	}
	struct auth_oidc_identity id;
	e = auth_oidc_redeem(pf, req->arena, http_query_get(req, "code"), verifier, nonce, &id, &ei);
	json_decref(st);
	if (e) {
		log_kv(LOG_WARN, "OIDC: sign-in rejected", "reason", err_name(e), "claim", ei.path, "error", ei.message, NULL);
		return e == ERR_UNAUTHORIZED
			       ? sso_failed(req, res, 401, "The identity provider's answer could not be verified, so nobody "
							   "was signed in. Try again, or use an email link.")
			       : sso_failed(req, res, 502, "The sign-in provider cannot be reached right now. Try again in a "
							   "minute, or sign in with an email link.");
	}
	struct auth_candidate *c;
	size_t n;
	if ((e = auth_candidates_find(pf, req->arena, id.email, req->request_id, &c, &n, &ei)))
		return err_set(&req->err, e, "", "%s", ei.message);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (!*tenant || !strcmp(c[i].slug, tenant))
			c[k++] = c[i];
	n = k;
	size_t ok[AUTH_CANDIDATES_MAX], nok = 0;
	for (size_t i = 0; i < n; i++) {
		bool enrol;
		if (auth_admission(&c[i].m, id.domain_vouched, &enrol) == AUTH_ADMIT)
			ok[nok++] = i;
	}
	if (nok == 0)
		return refuse(req, res, c, n, id.email, id.domain_vouched);
	if (nok == 1)
		return sign_in(req, res, c[ok[0]].tenant_id, &id, next);
	/* several departments: the person chooses; the identity waits in a signed cookie */
	json_t *ids = json_array(), *list = json_array();
	for (size_t i = 0; i < nok; i++) {
		json_array_append_new(ids, json_string(c[ok[i]].tenant_id));
		json_array_append_new(list, json_pack("{s:s, s:s}", "id", c[ok[i]].tenant_id, "name", c[ok[i]].name));
	}
	json_t *pend = json_pack("{s:s, s:s, s:b, s:o, s:s}", "e", id.email, "nm", id.name, "dv", id.domain_vouched, "ts", ids,
				 "nx", next);
	char *cookie;
	e = auth_signed_make(pf, "oidc-pending", pend, AUTH_PENDING_TTL_S, req->arena, &cookie, &req->err);
	json_decref(pend);
	if (!e)
		e = auth_cookie_set(res, pf, AUTH_COOKIE_PENDING, cookie, AUTH_PENDING_TTL_S);
	if (e) {
		json_decref(list);
		return e;
	}
	json_t *d = json_pack("{s:s, s:s, s:o}", "title", "Choose a department", "email", id.email, "departments", list);
	e = web_page(req, res, 200, "oidc_choose", d);
	json_decref(d);
	return e;
}

static enum err oidc_choose(struct http_request *req, struct http_response *res)
{
	struct platform *pf = req->app;
	if (!auth_same_origin(pf, req))
		return sso_failed(req, res, 403, "This form was sent from another site, so it was ignored.");
	json_t *p = NULL;
	struct errinfo ei = {0};
	if (auth_signed_read(pf, "oidc-pending", http_cookie_get(req, auth_cookie_name(pf, AUTH_COOKIE_PENDING)), &p, &ei)) {
		json_decref(p);
		return sso_failed(req, res, 400, "Choosing took too long. Sign in again.");
	}
	const char *tenant = http_form_get(req, "tenant");
	bool listed = false;
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(p, "ts"), i, t)
	listed |= tenant && json_is_string(t) && !strcmp(json_string_value(t), tenant);
	const char *email = json_string_value(json_object_get(p, "e"));
	if (!listed || !email) {
		json_decref(p);
		return sso_failed(req, res, 400, "Choose one of the departments offered.");
	}
	struct auth_oidc_identity id = {.domain_vouched = json_is_true(json_object_get(p, "dv"))};
	snprintf(id.email, sizeof id.email, "%s", email);
	const char *nm = json_string_value(json_object_get(p, "nm"));
	snprintf(id.name, sizeof id.name, "%s", nm ? nm : "");
	const char *next = arena_strdup(req->arena, auth_next_path(json_string_value(json_object_get(p, "nx"))));
	tenant = arena_strdup(req->arena, tenant);
	json_decref(p);
	RS_IGNORE(auth_cookie_set(res, pf, AUTH_COOKIE_PENDING, "", -1)); /* constant name: cannot fail */
	return sign_in(req, res, tenant, &id, next);
}

static const struct http_route routes[] = {
	{.method = "GET", .pattern = "/auth/oidc/start", .min_role = ROLE_PUBLIC, .handler = oidc_start},
	{.method = "GET", .pattern = "/auth/oidc/callback", .min_role = ROLE_PUBLIC, .handler = oidc_callback},
	{.method = "POST", .pattern = "/auth/oidc/choose", .min_role = ROLE_PUBLIC, .handler = oidc_choose},
};

WEB_ROUTES(auth_oidc, routes)
