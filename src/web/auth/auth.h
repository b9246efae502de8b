/* auth.h — sign-in and access (docs/security.md), the pieces shared by the files of web/auth:
 * lifetimes, cookies, purpose keys, signed short-lived values, the CSRF token, request
 * helpers (Origin check, safe `next`, client IP / user agent) and auth pages.
 * Sessions: session_store.c (SQL), session.c (web/session.h), session_routes.c (refresh,
 * sign-out), deny.c (pages refused by the router). Sign-in methods: magic_link.c +
 * magic_routes.c, oidc_client.c + oidc_routes.c, invite.c + invite_routes.c; identity.c
 * decides who may enter which tenant. People admin: people_access.c, people_routes.c,
 * people_api.c; account and API tokens: account.c, api_tokens.c. route_matrix.c prints the
 * permission matrix; prune_job.c is the housekeeping job. */
#ifndef RS_WEB_AUTH_AUTH_H
#define RS_WEB_AUTH_AUTH_H

#include <jansson.h>
#include <stdbool.h>

#include "domain/platform.h"
#include "http/request.h"
#include "http/response.h"
#include "web/auth/auth_text.h"

#define AUTH_ACCESS_TTL_S (15 * 60)             /* signed access token (cookie) */
#define AUTH_REFRESH_IDLE_S (14 * 24 * 3600)    /* a refresh token unused this long expires */
#define AUTH_SESSION_MAX_S (30 * 24 * 3600)     /* a session ends this long after sign-in */
#define AUTH_MAGIC_TTL_S (15 * 60)              /* magic links */
#define AUTH_INVITE_TTL_S (7 * 24 * 3600)       /* invitations */
#define AUTH_OIDC_STATE_TTL_S (10 * 60)         /* between /auth/oidc/start and the callback */
#define AUTH_PENDING_TTL_S (5 * 60)             /* choosing a department after OIDC */

/* Rate limits of magic-link requests (fixed windows, shared by replicas). */
#define AUTH_MAGIC_PER_ADDRESS 5
#define AUTH_MAGIC_PER_IP 50
#define AUTH_MAGIC_WINDOW_S (15 * 60)

enum auth_cookie { AUTH_COOKIE_ACCESS, AUTH_COOKIE_REFRESH, AUTH_COOKIE_OIDC, AUTH_COOKIE_PENDING };

/* The cookie's name: __Host-/__Secure- prefixed when the base URL is https. */
const char *auth_cookie_name(const struct platform *pf, enum auth_cookie c);
/* Set (max_age > 0) or delete (max_age < 0) one of our cookies with the right Path,
 * HttpOnly, Secure (https base URL), SameSite=Lax. */
enum err auth_cookie_set(struct http_response *res, const struct platform *pf, enum auth_cookie c, const char *value,
			 long long max_age) RS_MUST_CHECK;
/* Delete access and refresh cookies (sign-out, failed refresh). Never fails. */
void auth_cookies_clear(struct http_response *res, const struct platform *pf);

/* The purpose key ("session", "csrf", "oidc-state", "oidc-pending") derived from the
 * master secret. ERR_INTERNAL when the platform has no usable secret. */
enum err auth_key(const struct platform *pf, const char *purpose, unsigned char out[32]) RS_MUST_CHECK;

/* A signed, expiring value (HS256 JWT under the purpose key): claims gets "exp" = now +
 * ttl_s. The text lives in a. */
enum err auth_signed_make(const struct platform *pf, const char *purpose, json_t *claims, int ttl_s,
			  struct arena *a, char **out, struct errinfo *ei) RS_MUST_CHECK;
/* Verify text made by auth_signed_make for the same purpose; *claims (caller decrefs).
 * ERR_UNAUTHORIZED when forged, for another purpose, or expired. */
enum err auth_signed_read(const struct platform *pf, const char *purpose, const char *text, json_t **claims,
			  struct errinfo *ei) RS_MUST_CHECK;

/* The CSRF token of a session: base64url HMAC(csrf key, session id), 43 chars + NUL. */
enum err auth_csrf_token(const struct platform *pf, const char *session_id, char out[64]) RS_MUST_CHECK;

/* false when the request names another origin (Origin, else Referer) than the base URL:
 * a cross-site form post. Requests naming none (non-browser clients) pass. */
bool auth_same_origin(const struct platform *pf, const struct http_request *req);

/* Client address (req->remote_addr) and a printable, bounded user agent (arena). */
const char *auth_client_ip(const struct http_request *req);
const char *auth_user_agent(struct http_request *req);


/* Render templates/pages/auth_message with a heading, text and an optional link; the
 * answer for refusals and expired links (status 4xx) as well as confirmations. */
enum err auth_page_message(struct http_request *req, struct http_response *res, int status, const char *title,
			   const char *message, const char *link_href, const char *link_label) RS_MUST_CHECK;

/* Inside a transaction begun without a person (sign-in, refresh): from now on the audit
 * trail names user_id as the acting USER. */
enum err auth_tx_act_as(struct db *db, struct arena *a, const char *user_id, struct errinfo *ei) RS_MUST_CHECK;


#endif
