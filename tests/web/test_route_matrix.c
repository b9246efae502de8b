/* The role × route matrix: every registered route, for every role, through the real
 * authorization hook (web_authorize); CSRF on cookie mutations; and docs/security.md's
 * generated matrix equal to the router (RADSCHED_UPDATE_DOCS=1 rewrites it). No database:
 * principals are given, and anonymous requests carry no credentials. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "check_main.h"
#include "domain/platform.h"
#include "http/response.h"
#include "web/app.h"
#include "web/auth/auth_routes.h"
#include "web/authorize.h"
#include "web/principal.h"
#include "web/roles.h"

static struct platform pf;
static struct web_app *app;

static void setup(void)
{
	pf = (struct platform){.share_dir = test_root(), .base_url = "https://radsched.test",
			       .secret = "test-secret-0123456789abcdef0123456789abcdef", .secure_cookies = true};
	struct errinfo ei = {0};
	ck_assert_msg(web_app_new(&pf, &app, &ei) == ERR_OK, "web_app_new: %s", ei.message);
}

static void teardown(void) { web_app_free(app); }

/* The route's pattern with every {param} filled in. */
static const char *concrete(struct arena *a, const char *pattern)
{
	char out[1024];
	size_t n = 0;
	for (const char *p = pattern; *p && n < sizeof out - 64;) {
		if (*p == '{') {
			const char *end = strchr(p, '}');
			n += (size_t)snprintf(out + n, sizeof out - n, "%s", p[1] == '*' ? "x/y.css" : "00000000-0000-4000-8000-000000000001");
			p = end + 1;
		} else {
			out[n++] = *p++;
		}
	}
	out[n] = 0;
	return arena_strdup(a, out);
}

/* Authorize one request for route as principal p (NULL = anonymous, no credentials). */
static int authorize(const struct http_route *route, struct principal *p, const char *csrf_header, const char *origin)
{
	struct arena *a = arena_new(0);
	struct http_request *req = http_request_new(a);
	ck_assert_int_eq(http_request_set_target(req, route->method, concrete(a, route->pattern)), ERR_OK);
	if (csrf_header)
		ck_assert_int_eq(http_request_add_header(req, "X-CSRF-Token", csrf_header), ERR_OK);
	if (origin)
		ck_assert_int_eq(http_request_add_header(req, "Origin", origin), ERR_OK);
	req->route = route;
	req->app = &pf;
	if (p) {
		req->principal = p;
		req->role = p->role;
	}
	int st = web_authorize(req, route);
	arena_free(a);
	return st;
}

static bool mutation(const char *m) { return strcmp(m, "GET") && strcmp(m, "HEAD") && strcmp(m, "OPTIONS"); }

START_TEST(every_route_for_every_role)
{
	size_t n;
	const struct http_route *routes = http_router_routes(web_app_router(app), &n);
	ck_assert_uint_gt(n, 20);
	int checked = 0;
	for (size_t i = 0; i < n; i++) {
		const struct http_route *r = &routes[i];
		ck_assert_msg(r->min_role >= ROLE_PUBLIC && r->min_role <= ROLE_SUPER_ADMIN, "%s %s: role %d", r->method,
			      r->pattern, r->min_role);
		int anon = authorize(r, NULL, NULL, NULL);
		ck_assert_msg(anon == (r->min_role == ROLE_PUBLIC ? 0 : 401), "%s %s anonymous: %d", r->method, r->pattern, anon);
		for (int role = ROLE_RAD; role <= ROLE_SUPER_ADMIN; role++) {
			struct principal p = {.role = role, .via = VIA_API_TOKEN};
			snprintf(p.user_id, sizeof p.user_id, "00000000-0000-4000-8000-00000000000%d", role);
			int want = role >= r->min_role ? 0 : 403;
			int got = authorize(r, &p, NULL, NULL);
			ck_assert_msg(got == want, "%s %s as %s (token): %d, matrix says %d", r->method, r->pattern, role_name(role),
				      got, want);
			/* the same person with a browser session: mutations need the CSRF token */
			struct principal s = p;
			s.via = VIA_SESSION;
			snprintf(s.csrf, sizeof s.csrf, "csrf-of-this-session");
			bool guarded = r->min_role != ROLE_PUBLIC && mutation(r->method) && want == 0;
			got = authorize(r, &s, NULL, NULL);
			ck_assert_msg(got == (guarded ? 403 : want), "%s %s as %s (session, no CSRF): %d", r->method, r->pattern,
				      role_name(role), got);
			got = authorize(r, &s, "wrong-token", NULL);
			ck_assert_msg(got == (guarded ? 403 : want), "%s %s as %s (session, wrong CSRF): %d", r->method, r->pattern,
				      role_name(role), got);
			got = authorize(r, &s, "csrf-of-this-session", NULL);
			ck_assert_msg(got == want, "%s %s as %s (session, CSRF): %d", r->method, r->pattern, role_name(role), got);
			got = authorize(r, &s, "csrf-of-this-session", "https://evil.example");
			ck_assert_msg(got == (guarded ? 403 : want), "%s %s as %s (session, foreign Origin): %d", r->method,
				      r->pattern, role_name(role), got);
			checked++;
		}
	}
	ck_assert_int_ge(checked, 4 * 20);
}
END_TEST

START_TEST(sign_in_routes_and_admin_routes_have_the_documented_roles)
{
	static const struct {
		const char *method, *pattern;
		int role;
	} want[] = {
		{"POST", "/auth/magic-link", ROLE_PUBLIC},   {"GET", "/auth/magic", ROLE_PUBLIC},
		{"POST", "/auth/magic", ROLE_PUBLIC},	     {"POST", "/auth/logout", ROLE_PUBLIC},
		{"GET", "/api/v1/me", ROLE_RAD},	     {"GET", "/account", ROLE_RAD},
		{"GET", "/admin/people", ROLE_ADMIN},	     {"POST", "/admin/people/invite", ROLE_ADMIN},
		{"POST", "/admin/people/{id}/role", ROLE_ADMIN}, {"POST", "/admin/people/{id}/deactivate", ROLE_ADMIN},
		{"POST", "/api/v1/invitations", ROLE_ADMIN}, {"PATCH", "/api/v1/people/{id}/access", ROLE_ADMIN},
	};
	size_t n;
	const struct http_route *routes = http_router_routes(web_app_router(app), &n);
	for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
		bool found = false;
		for (size_t i = 0; i < n; i++)
			if (!strcmp(routes[i].method, want[k].method) && !strcmp(routes[i].pattern, want[k].pattern)) {
				found = true;
				ck_assert_msg(routes[i].min_role == want[k].role, "%s %s: %s", want[k].method, want[k].pattern,
					      role_name(routes[i].min_role));
			}
		ck_assert_msg(found, "%s %s is not registered", want[k].method, want[k].pattern);
	}
	/* nothing under /api/ or /admin/ is public (deny by default holds) */
	for (size_t i = 0; i < n; i++)
		if (!strncmp(routes[i].pattern, "/api/", 5) || !strncmp(routes[i].pattern, "/admin/", 7))
			ck_assert_msg(routes[i].min_role > ROLE_PUBLIC, "%s %s is public", routes[i].method, routes[i].pattern);
}
END_TEST

/* The deny hook (web_auth_deny, installed with http_router_set_deny): pages go through
 * /auth/refresh or get an HTML refusal; API and bearer requests keep the problem. */
START_TEST(deny_hook_sends_pages_through_refresh)
{
	struct arena *a = arena_new(0);
	struct http_request *req = http_request_new(a);
	ck_assert_int_eq(http_request_set_target(req, "GET", "/admin/people?tab=2"), ERR_OK);
	req->app = &pf;
	struct http_response res;
	http_response_init(&res, req);
	web_auth_deny(req, &res, 401);
	ck_assert_int_eq(res.status, 303);
	ck_assert_str_eq(http_response_header_get(&res, "Location"), "/auth/refresh?next=%2Fadmin%2Fpeople%3Ftab%3D2");

	req = http_request_new(a);
	ck_assert_int_eq(http_request_set_target(req, "GET", "/admin/people"), ERR_OK);
	req->app = &pf;
	http_response_init(&res, req);
	web_auth_deny(req, &res, 403);
	ck_assert_int_eq(res.status, 403);
	ck_assert_ptr_nonnull(strstr(res.body, "Not for your role"));

	const char *api[][2] = {{"GET", "/api/v1/me"}, {"POST", "/admin/people/invite"}};
	for (int i = 0; i < 2; i++) {
		req = http_request_new(a);
		ck_assert_int_eq(http_request_set_target(req, api[i][0], api[i][1]), ERR_OK);
		req->app = &pf;
		http_response_init(&res, req);
		web_auth_deny(req, &res, 401);
		ck_assert_int_eq(res.status, 0); /* the router writes the problem */
	}
	req = http_request_new(a);
	ck_assert_int_eq(http_request_set_target(req, "GET", "/account"), ERR_OK);
	ck_assert_int_eq(http_request_add_header(req, "Authorization", "Bearer x"), ERR_OK);
	req->app = &pf;
	http_response_init(&res, req);
	web_auth_deny(req, &res, 401);
	ck_assert_int_eq(res.status, 0);
	arena_free(a);
}
END_TEST

#define BEGIN "<!-- route-matrix:begin -->\n"
#define END "<!-- route-matrix:end -->"

START_TEST(docs_matrix_is_the_router)
{
	struct buf md;
	buf_init(&md, 0);
	ck_assert_int_eq(web_route_matrix_markdown(web_app_router(app), &md), ERR_OK);
	char path[1200];
	snprintf(path, sizeof path, "%s/docs/security.md", test_root());
	size_t len;
	char *doc = test_read_file(path, &len);
	ck_assert_msg(doc != NULL, "cannot read %s", path);
	char *b = strstr(doc, BEGIN), *e = b ? strstr(b, END) : NULL;
	ck_assert_msg(b && e, "docs/security.md lacks the route-matrix markers");
	b += strlen(BEGIN);
	bool same = (size_t)(e - b) == md.len && !memcmp(b, md.data, md.len);
	const char *update = getenv("RADSCHED_UPDATE_DOCS");
	if (!same && update && !strcmp(update, "1")) {
		FILE *f = fopen(path, "wb");
		ck_assert_ptr_nonnull(f);
		fwrite(doc, 1, (size_t)(b - doc), f);
		fwrite(md.data, 1, md.len, f);
		fputs(e, f);
		fclose(f);
		same = true;
	}
	if (!same)
		fprintf(stderr, "expected matrix:\n%s", md.data);
	ck_assert_msg(same, "docs/security.md's permission matrix differs from the routes; regenerate it with "
			    "RADSCHED_UPDATE_DOCS=1 build/tests/web/test_route_matrix (expected table on stderr)");
	free(doc);
	buf_fini(&md);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("route_matrix");
	TCase *tc = tcase_create("matrix");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, every_route_for_every_role);
	tcase_add_test(tc, sign_in_routes_and_admin_routes_have_the_documented_roles);
	tcase_add_test(tc, deny_hook_sends_pages_through_refresh);
	tcase_add_test(tc, docs_matrix_is_the_router);
	suite_add_tcase(s, tc);
	return s;
}
