/* auth_session.h — sessions as refresh-token families (table auth_sessions,
 * auth_refresh_tokens; docs/security.md "Sessions").
 * A sign-in creates a session and its first refresh token in the tenant's transaction.
 * The browser holds a signed access token (15 min, names tenant, person and session)
 * and the refresh token; every request checks the session row, so ending it (sign-out,
 * role change, deactivation, reuse of a refresh token) ends access at once. */
#ifndef RS_WEB_AUTH_SESSION_H
#define RS_WEB_AUTH_SESSION_H

#include <stdbool.h>

#include "crypto/crypto_random.h"
#include "db/db.h"
#include "domain/platform.h"
#include "http/response.h"

struct auth_issued {
	char tenant_id[37], user_id[37], session_id[37];
	char refresh[CRYPTO_TOKEN_SIZE(CRYPTO_TOKEN_BYTES)];
};

/* In db's tenant transaction: a session for user_id with its first refresh token, and the
 * audit event sign_in (method, session, ip). method: magic_link, oidc, invitation. */
enum err auth_session_create(struct db *db, struct arena *a, const char *user_id, const char *method, const char *ua,
			     const char *ip, struct auth_issued *out, struct errinfo *ei) RS_MUST_CHECK;

/* The signed access token of a session (HS256, key "session", AUTH_ACCESS_TTL_S). */
enum err auth_access_token_make(const struct platform *pf, const struct auth_issued *t, struct arena *a, char **out,
				struct errinfo *ei) RS_MUST_CHECK;

/* Both cookies for t (after the transaction committed). */
enum err auth_session_cookies_set(struct http_response *res, const struct platform *pf, const struct auth_issued *t,
				  struct errinfo *ei) RS_MUST_CHECK;

enum auth_rotate { AUTH_ROTATED = 1, AUTH_ROTATE_REUSED, AUTH_ROTATE_INVALID };

/* Use a presented refresh token: on AUTH_ROTATED *out holds the next refresh token of the
 * same session (the presented one is spent). A spent token presented again revokes the
 * whole session (AUTH_ROTATE_REUSED, committed). Unknown, expired or ended →
 * AUTH_ROTATE_INVALID. Errors are database failures only. */
enum err auth_refresh_rotate(const struct platform *pf, const char *token, const char *request_id,
			     enum auth_rotate *outcome, struct auth_issued *out, struct errinfo *ei) RS_MUST_CHECK;

/* End the session of a refresh token (spent or not) or of an access token's session id;
 * either may be NULL. Nothing to end is fine. */
enum err auth_session_end_presented(const struct platform *pf, const char *refresh, const char *tenant_id,
				    const char *session_id, const char *request_id, struct errinfo *ei) RS_MUST_CHECK;

/* In db's tenant transaction: end one session of user_id (false in *ended when there was
 * none open), or all of them. reason: logout, logout_everywhere, revoked. */
enum err auth_session_end(struct db *db, struct arena *a, const char *user_id, const char *session_id,
			  const char *reason, bool *ended, struct errinfo *ei) RS_MUST_CHECK;
enum err auth_sessions_end_all(struct db *db, struct arena *a, const char *user_id, const char *reason,
			       struct errinfo *ei) RS_MUST_CHECK;

#endif
