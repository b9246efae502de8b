/* Our cookies: names (prefixed on https), paths and lifetimes in one place. */
#include <string.h>

#include "web/auth/auth.h"

struct cookie_spec {
	const char *secure_name, *plain_name, *path;
};

/* The refresh token is sent only to /auth (refresh, sign-out); the others to the site. */
static const struct cookie_spec specs[] = {
	[AUTH_COOKIE_ACCESS] = {"__Host-rs_session", "rs_session", "/"},
	[AUTH_COOKIE_REFRESH] = {"__Secure-rs_refresh", "rs_refresh", "/auth"},
	[AUTH_COOKIE_OIDC] = {"__Secure-rs_oidc", "rs_oidc", "/auth/oidc"},
	[AUTH_COOKIE_PENDING] = {"__Secure-rs_pending", "rs_pending", "/auth/oidc"},
};

const char *auth_cookie_name(const struct platform *pf, enum auth_cookie c)
{
	return pf->secure_cookies ? specs[c].secure_name : specs[c].plain_name;
}

enum err auth_cookie_set(struct http_response *res, const struct platform *pf, enum auth_cookie c, const char *value,
			 long long max_age)
{
	struct http_cookie_attrs at = {.path = specs[c].path, .max_age = max_age, .same_site = HTTP_SAMESITE_LAX,
				       .not_secure = !pf->secure_cookies};
	return http_set_cookie(res, auth_cookie_name(pf, c), max_age < 0 ? "" : value, &at);
}

void auth_cookies_clear(struct http_response *res, const struct platform *pf)
{
	/* constant names and empty values: cannot be refused */
	RS_IGNORE(auth_cookie_set(res, pf, AUTH_COOKIE_ACCESS, "", -1));
	RS_IGNORE(auth_cookie_set(res, pf, AUTH_COOKIE_REFRESH, "", -1));
}
