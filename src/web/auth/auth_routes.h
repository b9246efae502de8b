/* auth_routes.h — what web/auth offers the application around the route table:
 * the deny hook for pages, and the role × route permission matrix (docs/security.md is
 * generated from it; tests/web/test_route_matrix.c keeps the two equal). */
#ifndef RS_WEB_AUTH_ROUTES_H
#define RS_WEB_AUTH_ROUTES_H

#include "base/buf.h"
#include "http/router.h"

/* http_deny_fn for the router (http_router_set_deny in web/app.c): a page (GET/HEAD
 * outside /api/) refused with 401 is sent to /auth/refresh?next=PATH, which rotates the
 * refresh token and comes back, or on to the sign-in page; a page refused with 403 gets
 * an HTML explanation. API requests keep the problem+json answer. */
void web_auth_deny(struct http_request *req, struct http_response *res, int status);

/* The matrix as a Markdown table, one row per route sorted by path then method:
 * | Method | Path | Minimum role | PUBLIC | RAD | CHIEF | ADMIN | SUPER_ADMIN | */
enum err web_route_matrix_markdown(const struct http_router *r, struct buf *out) RS_MUST_CHECK;
/* The same as JSON: [{"method","path","min_role"}...]. */
enum err web_route_matrix_json(const struct http_router *r, struct buf *out) RS_MUST_CHECK;

#endif
