/* router.h — routes by method and path pattern, deny by default.
 * Patterns: "/api/v1/periods/{id}/assignments" — literal segments, {name} segments (one
 * decoded segment, at most HTTP_PARAM_LEN_MAX bytes) and a final {*name} wildcard (the
 * decoded rest, '/'-joined; static files). The most specific route wins, segment by
 * segment: literal > {param} > {*wildcard}.
 * Dispatch: no pattern matches → 404 problem; a pattern matches but not the method → 405
 * problem with Allow; HEAD uses the GET route (headers, no body); then the app's
 * authorize hook (401/403 problems), then the handler. Routes are registered before the
 * server starts and never change afterwards (the table is read concurrently). */
#ifndef RS_HTTP_ROUTER_H
#define RS_HTTP_ROUTER_H

#include <stddef.h>

#include "base/err.h"
#include "http/request.h"
#include "http/response.h"

/* A handler answers through res, or returns an error (detail in req->err via err_set) and
 * leaves res alone: the router then writes the problem for it. */
typedef enum err (*http_handler_fn)(struct http_request *req, struct http_response *res);

/* Called before every handler. Authenticates (sets req->principal, req->role), compares
 * with route->min_role and returns 0 (go on), 401 or 403. Anything else is treated as 403. */
typedef int (*http_authorize_fn)(struct http_request *req, const struct http_route *route);

/* Optional: writes the answer for a refused request instead of the default 401/403
 * problem (e.g. redirect an HTML page to the login form). status is 401 or 403. */
typedef void (*http_deny_fn)(struct http_request *req, struct http_response *res, int status);

/* min_role value that means "not declared": registration refuses it. Application roles
 * must therefore be non-zero (e.g. enum role { ROLE_PUBLIC = 1, ROLE_RAD, ... }). */
#define HTTP_ROLE_UNDECLARED 0

struct http_route {
	const char *method;      /* GET HEAD POST PUT PATCH DELETE OPTIONS */
	const char *pattern;     /* see above */
	int min_role;            /* interpreted by the authorize hook; must be non-zero */
	http_handler_fn handler;
	const char *name;        /* metrics `route` label; NULL = the pattern */
	void *data;              /* per-route handler context (e.g. struct http_static *) */
	unsigned flags;          /* HTTP_ROUTE_* */
};

/* The request log line shows the pattern instead of the path (secret tokens in paths,
 * e.g. ICS feed URLs). */
#define HTTP_ROUTE_REDACT_PATH 1u

struct http_router;

/* app is copied into req->app for every request. authorize NULL = every route is refused
 * with 403 (deny by default). */
struct http_router *http_router_new(void *app, http_authorize_fn authorize);
void http_router_free(struct http_router *r);
void http_router_set_deny(struct http_router *r, http_deny_fn deny);

/* Register a copy of *route (strings copied). ERR_INVALID (message in *ei) when min_role is
 * HTTP_ROLE_UNDECLARED, handler is NULL, the method is unknown, the pattern is malformed
 * (must start with '/', {name} = [a-z_][a-z0-9_]*, unique names, {*name} last, at most
 * HTTP_PARAMS_MAX params) or the same method already has an equivalent pattern. */
enum err http_router_add(struct http_router *r, const struct http_route *route, struct errinfo *ei) RS_MUST_CHECK;
/* Register n routes; stops at the first refusal. */
enum err http_router_add_all(struct http_router *r, const struct http_route *routes, size_t n,
			     struct errinfo *ei) RS_MUST_CHECK;

/* Every registered route, in registration order (for the role × route test matrix).
 * Valid until the next http_router_add. */
const struct http_route *http_router_routes(const struct http_router *r, size_t *count);

enum http_match { HTTP_MATCH_OK, HTTP_MATCH_NOT_FOUND, HTTP_MATCH_METHOD };

/* Match req->method and req->raw_path: on OK sets req->route, req->params and req->app. */
enum http_match http_router_match(const struct http_router *r, struct http_request *req);

/* "GET, HEAD, POST" for the methods registered on patterns matching raw_path (arena
 * string; "" when none). */
const char *http_router_allow(const struct http_router *r, struct http_request *req);

/* Route, authorize and run the handler; always leaves a complete answer in res (problems
 * for 404/405/401/403, for handler errors, and 500 for a handler that answered nothing).
 * Matches again only when req->route is NULL. */
void http_router_dispatch(const struct http_router *r, struct http_request *req, struct http_response *res);

/* Metrics label of the request's route: the route name, or "unmatched". */
const char *http_router_label(const struct http_request *req);

#endif
