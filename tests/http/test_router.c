/* Router: matching, params, specificity, 404/405 + Allow, HEAD via GET, authorize hook,
 * handler errors as problems, deny-by-default registration, the routes iterator. */
#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "http/problem.h"
#include "http/router.h"
#include "check_main.h"

enum { ROLE_PUBLIC = 1, ROLE_RAD, ROLE_ADMIN };

static int handler_calls;

static enum err h_text(struct http_request *req, struct http_response *res)
{
	handler_calls++;
	http_respond_text(res, 200, req->route->name);
	return http_set_header(res, "X-Handler", req->route->pattern);
}

static enum err h_params(struct http_request *req, struct http_response *res)
{
	handler_calls++;
	const char *id = http_param(req, "id");
	const char *rest = http_param(req, "rest");
	http_respond_text(res, 200, arena_sprintf(req->arena, "id=%s rest=%s", id ? id : "-", rest ? rest : "-"));
	return ERR_OK;
}

static enum err h_fail(struct http_request *req, struct http_response *res)
{
	(void)res;
	http_field_error_add(req, "/name", "required", "name is required");
	http_field_error_add(req, "/start", "bad_date", "start must be YYYY-MM-DD");
	return err_set(&req->err, ERR_INVALID, "/name", "2 fields are invalid");
}

static enum err h_silent(struct http_request *req, struct http_response *res)
{
	(void)req;
	(void)res;
	return ERR_OK;
}

/* role from a test header; public routes need nothing */
static int authorize(struct http_request *req, const struct http_route *route)
{
	const char *r = http_header_get(req, "X-Role");
	req->role = r ? r[0] - '0' : 0;
	if (route->min_role == ROLE_PUBLIC)
		return 0;
	if (!r)
		return 401;
	return req->role >= route->min_role ? 0 : 403;
}

static struct http_router *make_router(void)
{
	static int app_marker;
	struct http_router *r = http_router_new(&app_marker, authorize);
	const struct http_route routes[] = {
		{.method = "GET", .pattern = "/", .min_role = ROLE_PUBLIC, .handler = h_text},
		{.method = "GET", .pattern = "/api/v1/periods", .min_role = ROLE_RAD, .handler = h_text},
		{.method = "POST", .pattern = "/api/v1/periods", .min_role = ROLE_ADMIN, .handler = h_fail},
		{.method = "GET", .pattern = "/api/v1/periods/{id}", .min_role = ROLE_RAD, .handler = h_params},
		{.method = "DELETE", .pattern = "/api/v1/periods/{id}", .min_role = ROLE_ADMIN, .handler = h_params},
		{.method = "GET", .pattern = "/api/v1/periods/current", .min_role = ROLE_RAD, .handler = h_text,
		 .name = "periods_current"},
		{.method = "GET", .pattern = "/api/v1/periods/{id}/assignments", .min_role = ROLE_RAD, .handler = h_params},
		{.method = "GET", .pattern = "/static/{*rest}", .min_role = ROLE_PUBLIC, .handler = h_params},
		{.method = "GET", .pattern = "/static/special.css", .min_role = ROLE_PUBLIC, .handler = h_text},
		{.method = "GET", .pattern = "/silent", .min_role = ROLE_PUBLIC, .handler = h_silent},
	};
	struct errinfo ei = {0};
	ck_assert_int_eq(http_router_add_all(r, routes, sizeof routes / sizeof routes[0], &ei), ERR_OK);
	return r;
}

struct call {
	struct arena *a;
	struct http_request *req;
	struct http_response res;
};

static void call(struct call *c, const struct http_router *r, const char *method, const char *target,
		 const char *role)
{
	c->a = arena_new(0);
	c->req = http_request_new(c->a);
	snprintf(c->req->request_id, sizeof c->req->request_id, "rid-1");
	ck_assert_int_eq(http_request_set_target(c->req, method, target), ERR_OK);
	if (role)
		ck_assert_int_eq(http_request_add_header(c->req, "x-role", role), ERR_OK);
	http_response_init(&c->res, c->req);
	handler_calls = 0;
	http_router_dispatch(r, c->req, &c->res);
}

static const char *body(const struct call *c) { return c->res.body; }

START_TEST(matches_literal_and_params)
{
	struct http_router *r = make_router();
	struct call c;
	call(&c, r, "GET", "/api/v1/periods/42/assignments", "2");
	ck_assert_int_eq(c.res.status, 200);
	ck_assert_str_eq(body(&c), "id=42 rest=-");
	ck_assert_str_eq(http_router_label(c.req), "/api/v1/periods/{id}/assignments");
	arena_free(c.a);

	call(&c, r, "GET", "/api/v1/periods/a%20b%2Fc", "2"); /* params are decoded per segment */
	ck_assert_int_eq(c.res.status, 200);
	ck_assert_str_eq(body(&c), "id=a b/c rest=-");
	ck_assert_ptr_nonnull(c.req->app);
	arena_free(c.a);

	call(&c, r, "GET", "/", NULL);
	ck_assert_int_eq(c.res.status, 200);
	ck_assert_str_eq(body(&c), "/");
	arena_free(c.a);
	http_router_free(r);
}
END_TEST

START_TEST(most_specific_route_wins)
{
	struct http_router *r = make_router();
	struct call c;
	call(&c, r, "GET", "/api/v1/periods/current", "2");
	ck_assert_str_eq(body(&c), "periods_current");
	ck_assert_str_eq(http_router_label(c.req), "periods_current");
	arena_free(c.a);
	call(&c, r, "GET", "/static/special.css", NULL);
	ck_assert_str_eq(body(&c), "/static/special.css");
	arena_free(c.a);
	call(&c, r, "GET", "/static/css/app.css", NULL);
	ck_assert_str_eq(body(&c), "id=- rest=css/app.css");
	arena_free(c.a);
	http_router_free(r);
}
END_TEST

START_TEST(unknown_path_is_404_problem)
{
	struct http_router *r = make_router();
	struct call c;
	const char *paths[] = {"/nope", "/api/v1/periods/", "/api/v1/periods//assignments", "/api/v1/periods/1/x"};
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		call(&c, r, "GET", paths[i], "3");
		ck_assert_int_eq(c.res.status, 404);
		ck_assert_int_eq(handler_calls, 0);
		ck_assert_str_eq(http_response_header_get(&c.res, "Content-Type"), "application/problem+json");
		ck_assert_ptr_nonnull(strstr(body(&c), "\"type\":\"https://radsched.dev/problems/not_found\""));
		ck_assert_ptr_nonnull(strstr(body(&c), "\"request_id\":\"rid-1\""));
		ck_assert_str_eq(http_router_label(c.req), "unmatched");
		arena_free(c.a);
	}
	http_router_free(r);
}
END_TEST

START_TEST(wrong_method_is_405_with_allow)
{
	struct http_router *r = make_router();
	struct call c;
	call(&c, r, "PUT", "/api/v1/periods/7", "3");
	ck_assert_int_eq(c.res.status, 405);
	ck_assert_str_eq(http_response_header_get(&c.res, "Allow"), "GET, HEAD, DELETE");
	ck_assert_ptr_nonnull(strstr(body(&c), "method_not_allowed"));
	arena_free(c.a);
	call(&c, r, "PATCH", "/api/v1/periods", "3");
	ck_assert_int_eq(c.res.status, 405);
	ck_assert_str_eq(http_response_header_get(&c.res, "Allow"), "GET, HEAD, POST");
	arena_free(c.a);
	http_router_free(r);
}
END_TEST

START_TEST(head_uses_get_handler_without_body)
{
	struct http_router *r = make_router();
	struct call g, h;
	call(&g, r, "GET", "/api/v1/periods", "2");
	call(&h, r, "HEAD", "/api/v1/periods", "2");
	ck_assert_int_eq(h.res.status, 200);
	ck_assert(h.res.omit_body);
	ck_assert(!g.res.omit_body);
	ck_assert_uint_eq(h.res.body_len, g.res.body_len); /* Content-Length as for GET */
	ck_assert_str_eq(http_response_header_get(&h.res, "X-Handler"), "/api/v1/periods");
	arena_free(g.a);
	arena_free(h.a);
	http_router_free(r);
}
END_TEST

START_TEST(authorize_refuses_before_handler)
{
	struct http_router *r = make_router();
	struct call c;
	call(&c, r, "GET", "/api/v1/periods", NULL);
	ck_assert_int_eq(c.res.status, 401);
	ck_assert_int_eq(handler_calls, 0);
	ck_assert_ptr_nonnull(strstr(body(&c), "problems/unauthorized"));
	arena_free(c.a);
	call(&c, r, "DELETE", "/api/v1/periods/3", "2");
	ck_assert_int_eq(c.res.status, 403);
	ck_assert_int_eq(handler_calls, 0);
	ck_assert_ptr_nonnull(strstr(body(&c), "problems/forbidden"));
	arena_free(c.a);
	call(&c, r, "DELETE", "/api/v1/periods/3", "3");
	ck_assert_int_eq(c.res.status, 200);
	ck_assert_int_eq(c.req->role, 3);
	arena_free(c.a);

	/* no hook at all: deny by default */
	struct http_router *closed = http_router_new(NULL, NULL);
	struct http_route pub = {.method = "GET", .pattern = "/", .min_role = ROLE_PUBLIC, .handler = h_text};
	struct errinfo ei = {0};
	ck_assert_int_eq(http_router_add(closed, &pub, &ei), ERR_OK);
	call(&c, closed, "GET", "/", NULL);
	ck_assert_int_eq(c.res.status, 403);
	arena_free(c.a);
	http_router_free(closed);
	http_router_free(r);
}
END_TEST

static void deny_redirect(struct http_request *req, struct http_response *res, int status)
{
	(void)req;
	if (status == 401)
		RS_IGNORE(http_respond_redirect(res, "/login"));
}

START_TEST(deny_hook_can_redirect)
{
	struct http_router *r = make_router();
	http_router_set_deny(r, deny_redirect);
	struct call c;
	call(&c, r, "GET", "/api/v1/periods", NULL);
	ck_assert_int_eq(c.res.status, 303);
	ck_assert_str_eq(http_response_header_get(&c.res, "Location"), "/login");
	arena_free(c.a);
	call(&c, r, "DELETE", "/api/v1/periods/3", "2");
	ck_assert_int_eq(c.res.status, 403); /* hook left 403 alone: default problem */
	arena_free(c.a);
	http_router_free(r);
}
END_TEST

START_TEST(handler_error_becomes_problem)
{
	struct http_router *r = make_router();
	struct call c;
	call(&c, r, "POST", "/api/v1/periods", "3");
	ck_assert_int_eq(c.res.status, 422);
	const char *b = body(&c);
	ck_assert_ptr_nonnull(strstr(b, "\"type\":\"https://radsched.dev/problems/invalid\""));
	ck_assert_ptr_nonnull(strstr(b, "\"status\":422"));
	ck_assert_ptr_nonnull(strstr(b, "\"detail\":\"2 fields are invalid\""));
	ck_assert_ptr_nonnull(strstr(b, "\"instance\":\"/api/v1/periods\""));
	ck_assert_ptr_nonnull(strstr(b, "\"errors\":[{\"pointer\":\"/name\",\"code\":\"required\",\"detail\":\"name is required\"},"
					"{\"pointer\":\"/start\",\"code\":\"bad_date\""));
	arena_free(c.a);

	call(&c, r, "GET", "/silent", NULL); /* answered nothing: 500, no internals leaked */
	ck_assert_int_eq(c.res.status, 500);
	ck_assert_ptr_null(strstr(body(&c), "wrote no response"));
	ck_assert_ptr_nonnull(strstr(body(&c), "problems/internal"));
	arena_free(c.a);
	http_router_free(r);
}
END_TEST

START_TEST(registration_is_deny_by_default)
{
	struct http_router *r = http_router_new(NULL, authorize);
	struct errinfo ei = {0};
	struct http_route no_role = {.method = "GET", .pattern = "/x", .handler = h_text};
	ck_assert_int_eq(http_router_add(r, &no_role, &ei), ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(ei.message, "min_role"));
	const struct http_route bad[] = {
		{.method = "GET", .pattern = "/x", .min_role = ROLE_RAD},                   /* no handler */
		{.method = "FETCH", .pattern = "/x", .min_role = ROLE_RAD, .handler = h_text},
		{.method = "GET", .pattern = "x", .min_role = ROLE_RAD, .handler = h_text},
		{.method = "GET", .pattern = "/a/{*rest}/b", .min_role = ROLE_RAD, .handler = h_text},
		{.method = "GET", .pattern = "/a/{id}/{id}", .min_role = ROLE_RAD, .handler = h_text},
		{.method = "GET", .pattern = "/a/{Bad}", .min_role = ROLE_RAD, .handler = h_text},
		{.method = "GET", .pattern = "/a/b%20c", .min_role = ROLE_RAD, .handler = h_text},
		{.method = "GET", .pattern = "/a/{x", .min_role = ROLE_RAD, .handler = h_text},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(http_router_add(r, &bad[i], &ei) == ERR_INVALID, "route %zu accepted", i);
	struct http_route ok = {.method = "GET", .pattern = "/a/{id}", .min_role = ROLE_RAD, .handler = h_text};
	struct http_route dup = {.method = "GET", .pattern = "/a/{other}", .min_role = ROLE_RAD, .handler = h_text};
	ck_assert_int_eq(http_router_add(r, &ok, &ei), ERR_OK);
	ck_assert_int_eq(http_router_add(r, &dup, &ei), ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(ei.message, "duplicates"));
	size_t n;
	http_router_routes(r, &n);
	ck_assert_uint_eq(n, 1);
	http_router_free(r);
}
END_TEST

START_TEST(routes_iterator_walks_every_route)
{
	struct http_router *r = make_router();
	size_t n;
	const struct http_route *routes = http_router_routes(r, &n);
	ck_assert_uint_eq(n, 10);
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_ne(routes[i].min_role, HTTP_ROLE_UNDECLARED);
		ck_assert_ptr_nonnull(routes[i].name);
	}
	ck_assert_str_eq(routes[5].name, "periods_current");
	ck_assert_str_eq(routes[3].name, "/api/v1/periods/{id}");
	/* a role × route matrix: RAD (2) reaches no ADMIN route */
	for (size_t i = 0; i < n; i++) {
		if (routes[i].min_role != ROLE_ADMIN)
			continue;
		struct call c;
		const char *target = strcmp(routes[i].pattern, "/api/v1/periods/{id}") ? routes[i].pattern : "/api/v1/periods/1";
		call(&c, r, routes[i].method, target, "2");
		ck_assert_int_eq(c.res.status, 403);
		arena_free(c.a);
	}
	http_router_free(r);
}
END_TEST

START_TEST(problem_table_is_complete_and_stable)
{
	for (int e = ERR_INVALID; e < ERR__COUNT; e++) {
		int st = http_problem_status((enum err)e);
		ck_assert(st >= 400 && st <= 599);
		const char *type = http_problem_type((enum err)e);
		ck_assert(strncmp(type, HTTP_PROBLEM_BASE, strlen(HTTP_PROBLEM_BASE)) == 0);
		ck_assert_str_eq(type + strlen(HTTP_PROBLEM_BASE), err_name((enum err)e));
		ck_assert(http_problem_title((enum err)e)[0]);
	}
	ck_assert_int_eq(http_problem_status(ERR_MALFORMED), 400);
	ck_assert_int_eq(http_problem_status(ERR_UNKNOWN_FIELD), 400);
	ck_assert_int_eq(http_problem_status(ERR_TOO_LARGE), 413);
	ck_assert_int_eq(http_problem_status(ERR_NOT_FOUND), 404);
	ck_assert_int_eq(http_problem_status(ERR_METHOD), 405);
	ck_assert_int_eq(http_problem_status(ERR_OK), 500);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("http_router");
	TCase *tc = tcase_create("router");
	tcase_add_test(tc, matches_literal_and_params);
	tcase_add_test(tc, most_specific_route_wins);
	tcase_add_test(tc, unknown_path_is_404_problem);
	tcase_add_test(tc, wrong_method_is_405_with_allow);
	tcase_add_test(tc, head_uses_get_handler_without_body);
	tcase_add_test(tc, authorize_refuses_before_handler);
	tcase_add_test(tc, deny_hook_can_redirect);
	tcase_add_test(tc, handler_error_becomes_problem);
	tcase_add_test(tc, registration_is_deny_by_default);
	tcase_add_test(tc, routes_iterator_walks_every_route);
	tcase_add_test(tc, problem_table_is_complete_and_stable);
	suite_add_tcase(s, tc);
	return s;
}
