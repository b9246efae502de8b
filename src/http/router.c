#include "http/router.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/log.h"
#include "http/problem.h"

enum seg_kind { SEG_WILD = 0, SEG_PARAM = 1, SEG_LIT = 2 }; /* value = specificity */

struct seg {
	enum seg_kind kind;
	char *text; /* literal text or param name */
};

struct compiled {
	struct seg *segs;
	size_t n;
};

struct http_router {
	struct http_route *routes; /* public copies, strings owned */
	struct compiled *comp;
	size_t n, cap;
	void *app;
	http_authorize_fn authorize;
	http_deny_fn deny;
};

static const char *const methods[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
#define NMETHODS (sizeof methods / sizeof methods[0])

struct http_router *http_router_new(void *app, http_authorize_fn authorize)
{
	struct http_router *r = xcalloc(1, sizeof *r);
	r->app = app;
	r->authorize = authorize;
	return r;
}

void http_router_free(struct http_router *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		free((char *)r->routes[i].method);
		free((char *)r->routes[i].pattern);
		free((char *)r->routes[i].name);
		for (size_t j = 0; j < r->comp[i].n; j++)
			free(r->comp[i].segs[j].text);
		free(r->comp[i].segs);
	}
	free(r->routes);
	free(r->comp);
	free(r);
}

void http_router_set_deny(struct http_router *r, http_deny_fn deny) { r->deny = deny; }

static bool param_name_ok(const char *s, size_t n)
{
	if (n == 0 || !((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

static bool literal_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= 0x20 || c == 0x7f || c == '{' || c == '}' || c == '%' || c == '?' || c == '#')
			return false;
	}
	return true;
}

static void compiled_free(struct compiled *c)
{
	for (size_t j = 0; j < c->n; j++)
		free(c->segs[j].text);
	free(c->segs);
}

static enum err compile(const char *pattern, struct compiled *out, struct errinfo *ei)
{
	memset(out, 0, sizeof *out);
	if (!pattern || pattern[0] != '/')
		return err_set(ei, ERR_INVALID, "pattern", "route pattern must start with '/'");
	size_t nseg = 1, nparams = 0;
	for (const char *p = pattern + 1; *p; p++)
		nseg += *p == '/';
	out->segs = xcalloc(nseg, sizeof *out->segs);
	const char *p = pattern + 1;
	for (size_t i = 0; i < nseg; i++) {
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		struct seg *s = &out->segs[out->n++];
		if (len >= 2 && p[0] == '{' && p[len - 1] == '}') {
			bool wild = p[1] == '*';
			const char *name = p + 1 + wild;
			size_t nlen = len - 2 - wild;
			if (!param_name_ok(name, nlen))
				goto bad;
			if (wild && i != nseg - 1) {
				compiled_free(out);
				return err_set(ei, ERR_INVALID, "pattern", "%s: {*wildcard} must be the last segment", pattern);
			}
			s->kind = wild ? SEG_WILD : SEG_PARAM;
			s->text = xcalloc(1, nlen + 1);
			memcpy(s->text, name, nlen);
			for (size_t j = 0; j + 1 < out->n; j++)
				if (out->segs[j].kind != SEG_LIT && !strcmp(out->segs[j].text, s->text)) {
					RS_IGNORE(err_set(ei, ERR_INVALID, "pattern", "%s: parameter {%s} appears twice",
							  pattern, s->text));
					compiled_free(out);
					return ERR_INVALID;
				}
			if (++nparams > HTTP_PARAMS_MAX) {
				compiled_free(out);
				return err_set(ei, ERR_INVALID, "pattern", "%s: more than %d parameters", pattern, HTTP_PARAMS_MAX);
			}
		} else {
			if (!literal_ok(p, len))
				goto bad;
			s->kind = SEG_LIT;
			s->text = xcalloc(1, len + 1);
			memcpy(s->text, p, len);
		}
		p += len + (end ? 1 : 0);
	}
	return ERR_OK;
bad:
	compiled_free(out);
	return err_set(ei, ERR_INVALID, "pattern", "%s: malformed segment (literal text without {}%%?# or "
			   "{name} / {*name} with name [a-z_][a-z0-9_]*)", pattern);
}

/* Same shape: literals equal, params in the same places (names may differ). */
static bool same_shape(const struct compiled *a, const struct compiled *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		if (a->segs[i].kind != b->segs[i].kind)
			return false;
		if (a->segs[i].kind == SEG_LIT && strcmp(a->segs[i].text, b->segs[i].text))
			return false;
	}
	return true;
}

static bool method_known(const char *m)
{
	for (size_t i = 0; m && i < NMETHODS; i++)
		if (!strcmp(m, methods[i]))
			return true;
	return false;
}

enum err http_router_add(struct http_router *r, const struct http_route *route, struct errinfo *ei)
{
	const char *pat = route && route->pattern ? route->pattern : "(null)";
	if (!route || !route->handler)
		return err_set(ei, ERR_INVALID, "handler", "route %s has no handler", pat);
	if (route->min_role == HTTP_ROLE_UNDECLARED)
		return err_set(ei, ERR_INVALID, "min_role", "route %s %s declares no min_role (deny by default)",
			       route->method ? route->method : "?", pat);
	if (!method_known(route->method))
		return err_set(ei, ERR_INVALID, "method", "route %s: unknown method %s", pat,
			       route->method ? route->method : "(null)");
	struct compiled c;
	enum err e = compile(route->pattern, &c, ei);
	if (e)
		return e;
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->routes[i].method, route->method) && same_shape(&r->comp[i], &c)) {
			compiled_free(&c);
			return err_set(ei, ERR_INVALID, "pattern", "route %s %s duplicates %s", route->method, pat,
				       r->routes[i].pattern);
		}
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->routes = xrealloc(r->routes, r->cap * sizeof *r->routes);
		r->comp = xrealloc(r->comp, r->cap * sizeof *r->comp);
	}
	struct http_route *dst = &r->routes[r->n];
	*dst = *route;
	dst->method = xstrdup(route->method);
	dst->pattern = xstrdup(route->pattern);
	dst->name = xstrdup(route->name ? route->name : route->pattern);
	r->comp[r->n++] = c;
	return ERR_OK;
}

enum err http_router_add_all(struct http_router *r, const struct http_route *routes, size_t n,
			     struct errinfo *ei)
{
	for (size_t i = 0; i < n; i++) {
		enum err e = http_router_add(r, &routes[i], ei);
		if (e)
			return e;
	}
	return ERR_OK;
}

const struct http_route *http_router_routes(const struct http_router *r, size_t *count)
{
	*count = r->n;
	return r->routes;
}

/* The decoded segments of a raw path ("/a/b" → "a","b"; "/" → ""). */
struct segs {
	char **s;
	size_t n;
};

static bool split(struct arena *a, const char *raw, struct segs *out)
{
	size_t n = 1;
	for (const char *p = raw + 1; *p; p++)
		n += *p == '/';
	out->s = arena_alloc(a, n * sizeof *out->s);
	out->n = 0;
	const char *p = raw + 1;
	for (size_t i = 0; i < n; i++) {
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (http_pct_decode(a, p, len, false, &out->s[out->n++], NULL, NULL))
			return false;
		p += len + (end ? 1 : 0);
	}
	return true;
}

/* Does c match the path? When req is given, store the params into it. */
static bool match_path(const struct compiled *c, const struct segs *sg, struct http_request *req)
{
	if (req)
		req->n_params = 0;
	for (size_t i = 0; i < c->n; i++) {
		const struct seg *s = &c->segs[i];
		if (s->kind == SEG_WILD) {
			if (i >= sg->n)
				return false;
			if (req) {
				struct buf b;
				buf_init(&b, 0);
				for (size_t j = i; j < sg->n; j++)
					if (buf_puts(&b, j > i ? "/" : "") || buf_puts(&b, sg->s[j]))
						break; /* uncapped buffer: cannot fail */
				req->params[req->n_params].name = s->text;
				req->params[req->n_params++].value = arena_strndup(req->arena, b.data, b.len);
				buf_fini(&b);
			}
			return true;
		}
		if (i >= sg->n)
			return false;
		if (s->kind == SEG_LIT) {
			if (strcmp(s->text, sg->s[i]))
				return false;
		} else {
			size_t len = strlen(sg->s[i]);
			if (len == 0 || len > HTTP_PARAM_LEN_MAX)
				return false;
			if (req) {
				req->params[req->n_params].name = s->text;
				req->params[req->n_params++].value = sg->s[i];
			}
		}
	}
	return c->n == sg->n;
}

/* > 0 when a is more specific than b. */
static int specificity_cmp(const struct compiled *a, const struct compiled *b)
{
	size_t n = a->n > b->n ? a->n : b->n;
	for (size_t i = 0; i < n; i++) {
		int ka = i < a->n ? (int)a->segs[i].kind : SEG_WILD;
		int kb = i < b->n ? (int)b->segs[i].kind : SEG_WILD;
		if (ka != kb)
			return ka - kb;
	}
	return 0;
}

enum http_match http_router_match(const struct http_router *r, struct http_request *req)
{
	struct segs sg;
	req->route = NULL;
	req->n_params = 0;
	if (!req->raw_path || req->raw_path[0] != '/' || !split(req->arena, req->raw_path, &sg))
		return HTTP_MATCH_NOT_FOUND;
	bool head = !strcmp(req->method, "HEAD");
	size_t best = (size_t)-1;
	bool any = false;
	for (size_t i = 0; i < r->n; i++) {
		if (!match_path(&r->comp[i], &sg, NULL))
			continue;
		any = true;
		const char *m = r->routes[i].method;
		bool exact = !strcmp(m, req->method);
		if (!exact && !(head && !strcmp(m, "GET")))
			continue;
		if (best == (size_t)-1) {
			best = i;
			continue;
		}
		int cmp = specificity_cmp(&r->comp[i], &r->comp[best]);
		/* same shape: an explicit HEAD route beats GET serving HEAD */
		if (cmp > 0 || (cmp == 0 && exact))
			best = i;
	}
	if (best == (size_t)-1)
		return any ? HTTP_MATCH_METHOD : HTTP_MATCH_NOT_FOUND;
	match_path(&r->comp[best], &sg, req);
	req->route = &r->routes[best];
	req->app = r->app;
	return HTTP_MATCH_OK;
}

const char *http_router_allow(const struct http_router *r, struct http_request *req)
{
	struct segs sg;
	bool has[NMETHODS] = {0};
	if (req->raw_path && req->raw_path[0] == '/' && split(req->arena, req->raw_path, &sg))
		for (size_t i = 0; i < r->n; i++)
			if (match_path(&r->comp[i], &sg, NULL))
				for (size_t m = 0; m < NMETHODS; m++)
					if (!strcmp(r->routes[i].method, methods[m]))
						has[m] = true;
	has[1] |= has[0]; /* HEAD implied by GET */
	char out[64] = "";
	size_t len = 0;
	for (size_t m = 0; m < NMETHODS; m++)
		if (has[m])
			len += (size_t)snprintf(out + len, sizeof out - len, "%s%s", len ? ", " : "", methods[m]);
	return arena_strdup(req->arena, out);
}

const char *http_router_label(const struct http_request *req)
{
	return req->route ? req->route->name : "unmatched";
}

static void deny(const struct http_router *r, struct http_request *req, struct http_response *res, int st)
{
	if (st != 401)
		st = 403;
	if (r->deny) {
		r->deny(req, res, st);
		if (res->status)
			return;
	}
	/* keep a detail the authorize hook wrote ("session expired") */
	if (st == 401 && req->err.code != ERR_UNAUTHORIZED)
		RS_IGNORE(err_set(&req->err, ERR_UNAUTHORIZED, "", "sign in to use %s", req->path));
	if (st == 403 && req->err.code != ERR_FORBIDDEN)
		RS_IGNORE(err_set(&req->err, ERR_FORBIDDEN, "", "your role does not allow %s %s", req->method,
				  req->path));
	http_respond_problem(res, st == 401 ? ERR_UNAUTHORIZED : ERR_FORBIDDEN, NULL);
}

void http_router_dispatch(const struct http_router *r, struct http_request *req, struct http_response *res)
{
	if (!req->route) {
		enum http_match m = http_router_match(r, req);
		if (m == HTTP_MATCH_NOT_FOUND) {
			RS_IGNORE(err_set(&req->err, ERR_NOT_FOUND, "", "no resource at %s", req->path));
			http_respond_problem(res, ERR_NOT_FOUND, NULL);
			return;
		}
		if (m == HTTP_MATCH_METHOD) {
			const char *allow = http_router_allow(r, req);
			RS_IGNORE(err_set(&req->err, ERR_METHOD, "", "%s is not allowed here; allowed: %s", req->method, allow));
			http_respond_problem(res, ERR_METHOD, NULL);
			RS_IGNORE(http_set_header(res, "Allow", allow)); /* method tokens: valid */
			return;
		}
	}
	req->app = r->app;
	res->omit_body = !strcmp(req->method, "HEAD");
	int st = r->authorize ? r->authorize(req, req->route) : 403;
	if (st != 0) {
		deny(r, req, res, st);
		return;
	}
	enum err e = req->route->handler(req, res);
	if (e && !res->status) {
		http_respond_problem(res, e, NULL);
	} else if (!e && !res->status) {
		RS_IGNORE(err_set(&req->err, ERR_INTERNAL, "", "handler for %s %s wrote no response",
				  req->route->method, req->route->pattern));
		http_respond_problem(res, ERR_INTERNAL, NULL);
	}
	res->omit_body = !strcmp(req->method, "HEAD");
}
