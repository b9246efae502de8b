/* Request parsing (path, query, form, cookies), request ids and traceparent, response
 * headers and cookies, security headers, static-name fingerprints. */
#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "http/request.h"
#include "http/response.h"
#include "http/static.h"
#include "http/trace.h"
#include "check_main.h"

static struct http_request *req_new(struct arena *a, const char *target, enum err want)
{
	struct http_request *req = http_request_new(a);
	ck_assert_int_eq(http_request_set_target(req, "GET", target), want);
	return req;
}

START_TEST(path_and_query_are_decoded)
{
	struct arena *a = arena_new(0);
	struct http_request *req = req_new(a, "/a%20b/%C3%A9?x=1&name=J%C3%B6rg+M&flag&&x=2&e=", ERR_OK);
	ck_assert_str_eq(req->path, "/a b/é");
	ck_assert_str_eq(req->raw_path, "/a%20b/%C3%A9");
	ck_assert_str_eq(req->query, "x=1&name=J%C3%B6rg+M&flag&&x=2&e=");
	ck_assert_str_eq(http_query_get(req, "x"), "1");
	ck_assert_str_eq(http_query_get(req, "name"), "Jörg M");
	ck_assert_str_eq(http_query_get(req, "flag"), "");
	ck_assert_str_eq(http_query_get(req, "e"), "");
	ck_assert_ptr_null(http_query_get(req, "X"));
	ck_assert_uint_eq(req->n_query, 5);
	arena_free(a);
}
END_TEST

START_TEST(bad_encoding_is_malformed)
{
	const char *bad[] = {"/a%zz", "/a%2", "/a%00b", "/a%ff", "/ok?q=%C3", "/ok?q=%", "/ok?a%00=1", "*", "http://x/"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct arena *a = arena_new(0);
		struct http_request *req = req_new(a, bad[i], ERR_MALFORMED);
		ck_assert_int_eq(req->err.code, ERR_MALFORMED);
		ck_assert(req->err.message[0]);
		arena_free(a);
	}
	struct arena *a = arena_new(0);
	char many[HTTP_QUERY_MAX * 4 + 16] = "/?";
	for (int i = 0; i <= HTTP_QUERY_MAX; i++)
		strcat(many, "a=1&");
	req_new(a, many, ERR_TOO_LARGE);
	arena_free(a);
}
END_TEST

START_TEST(headers_are_case_insensitive_and_cookies_parsed)
{
	struct arena *a = arena_new(0);
	struct http_request *req = req_new(a, "/", ERR_OK);
	ck_assert_int_eq(http_request_add_header(req, "Content-Type", "Application/JSON; charset=utf-8"), ERR_OK);
	ck_assert_int_eq(http_request_add_header(req, "cookie", "sid=abc123; theme=\"dark\";  bad name=x; =novalue; lang=en-CA; sid=second"), ERR_OK);
	ck_assert_str_eq(http_header_get(req, "content-type"), "Application/JSON; charset=utf-8");
	ck_assert(http_request_is_content_type(req, "application/json"));
	ck_assert(!http_request_is_content_type(req, "application/js"));
	ck_assert_str_eq(http_cookie_get(req, "sid"), "abc123");
	ck_assert_str_eq(http_cookie_get(req, "theme"), "dark");
	ck_assert_str_eq(http_cookie_get(req, "lang"), "en-CA");
	ck_assert_ptr_null(http_cookie_get(req, "bad name"));
	ck_assert_ptr_null(http_cookie_get(req, "SID"));
	arena_free(a);
}
END_TEST

START_TEST(form_bodies_are_parsed_and_capped)
{
	struct arena *a = arena_new(0);
	struct http_request *req = req_new(a, "/", ERR_OK);
	ck_assert_int_eq(http_request_add_header(req, "Content-Type", "application/x-www-form-urlencoded"), ERR_OK);
	const char *body = "email=a%40b.example&note=two+words%21&csrf=t0k";
	ck_assert_int_eq(http_request_set_body(req, body, strlen(body)), ERR_OK);
	ck_assert_str_eq(http_form_get(req, "email"), "a@b.example");
	ck_assert_str_eq(http_form_get(req, "note"), "two words!");
	ck_assert_str_eq(http_form_get(req, "csrf"), "t0k");
	arena_free(a);

	a = arena_new(0);
	req = req_new(a, "/", ERR_OK);
	ck_assert_int_eq(http_request_add_header(req, "Content-Type", "application/x-www-form-urlencoded"), ERR_OK);
	ck_assert_int_eq(http_request_set_body(req, "a=%G1", 5), ERR_MALFORMED);
	arena_free(a);

	a = arena_new(0); /* a JSON body is left to the handler */
	req = req_new(a, "/", ERR_OK);
	ck_assert_int_eq(http_request_add_header(req, "Content-Type", "application/json"), ERR_OK);
	ck_assert_int_eq(http_request_set_body(req, "{\"a\":%zz}", 9), ERR_OK);
	ck_assert_uint_eq(req->n_form, 0);
	arena_free(a);
}
END_TEST

START_TEST(request_ids)
{
	ck_assert(http_request_id_valid("abc-DEF_1.2"));
	ck_assert(http_request_id_valid("a"));
	char id64[65];
	memset(id64, 'x', 64);
	id64[64] = 0;
	ck_assert(http_request_id_valid(id64));
	char id65[66];
	memset(id65, 'x', 65);
	id65[65] = 0;
	ck_assert(!http_request_id_valid(id65));
	ck_assert(!http_request_id_valid(""));
	ck_assert(!http_request_id_valid(NULL));
	ck_assert(!http_request_id_valid("has space"));
	ck_assert(!http_request_id_valid("new\nline"));
	ck_assert(!http_request_id_valid("semi;colon"));
}
END_TEST

START_TEST(traceparent_strict_v00)
{
	char t[33], p[17];
	unsigned char f = 0;
	ck_assert(http_traceparent_parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", t, p, &f));
	ck_assert_str_eq(t, "4bf92f3577b34da6a3ce929d0e0e4736");
	ck_assert_str_eq(p, "00f067aa0ba902b7");
	ck_assert_int_eq(f, 1);
	const char *bad[] = {
		"00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", /* upper case */
		"00-00000000000000000000000000000000-00f067aa0ba902b7-01", /* zero trace */
		"00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", /* zero parent */
		"01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", /* version */
		"ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
		"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
		"00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
		"00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
		"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g",
		"",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(!http_traceparent_parse(bad[i], t, p, &f), "accepted %s", bad[i]);

	struct arena *a = arena_new(0);
	struct http_request *req = req_new(a, "/", ERR_OK);
	http_trace_begin(req, "client-id-1", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
	ck_assert_str_eq(req->request_id, "client-id-1");
	ck_assert_str_eq(req->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
	ck_assert_str_eq(req->parent_span_id, "00f067aa0ba902b7");
	ck_assert_uint_eq(strlen(req->span_id), 16);
	ck_assert_str_ne(req->span_id, "00f067aa0ba902b7");
	char out[56];
	http_traceparent_format(req, out);
	ck_assert(http_traceparent_parse(out, t, p, &f));
	ck_assert_str_eq(t, req->trace_id);
	ck_assert_str_eq(p, req->span_id);
	ck_assert_int_eq(f, 0);

	http_trace_begin(req, "bad id!", "garbage");
	ck_assert_uint_eq(strlen(req->request_id), 32);
	ck_assert(http_request_id_valid(req->request_id));
	ck_assert_str_ne(req->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
	ck_assert_str_eq(req->parent_span_id, "");
	arena_free(a);
}
END_TEST

START_TEST(response_headers_and_cookies)
{
	struct arena *a = arena_new(0);
	struct http_request *req = req_new(a, "/", ERR_OK);
	struct http_response res;
	http_response_init(&res, req);
	ck_assert_int_eq(http_set_header(&res, "X-A", "1"), ERR_OK);
	ck_assert_int_eq(http_set_header(&res, "x-a", "2"), ERR_OK);
	ck_assert_str_eq(http_response_header_get(&res, "X-A"), "2");
	ck_assert_int_eq(http_set_header(&res, "X-Bad", "a\r\nSet-Cookie: x=1"), ERR_INVALID);
	ck_assert_int_eq(http_set_header(&res, "Bad Name", "v"), ERR_INVALID);
	ck_assert_int_eq(http_set_header(&res, "Content-Length", "5"), ERR_INVALID);
	ck_assert_ptr_null(http_response_header_get(&res, "X-Bad"));

	ck_assert_int_eq(http_set_cookie(&res, "sid", "abc", NULL), ERR_OK);
	ck_assert_str_eq(http_response_header_get(&res, "Set-Cookie"), "sid=abc; Path=/; HttpOnly; Secure; SameSite=Lax");
	struct http_cookie_attrs del = {.max_age = -1, .same_site = HTTP_SAMESITE_STRICT, .path = "/app"};
	ck_assert_int_eq(http_set_cookie(&res, "old", "", &del), ERR_OK);
	ck_assert_int_eq(http_set_cookie(&res, "x", "a;b", NULL), ERR_INVALID);
	struct http_cookie_attrs none_insecure = {.same_site = HTTP_SAMESITE_NONE, .not_secure = true};
	ck_assert_int_eq(http_set_cookie(&res, "x", "1", &none_insecure), ERR_INVALID);
	int n = 0;
	for (struct http_header *h = res.headers; h; h = h->next)
		if (!strcmp(h->name, "Set-Cookie")) {
			n++;
			if (n == 2)
				ck_assert_str_eq(h->value, "old=; Path=/app; Max-Age=0; HttpOnly; Secure; SameSite=Strict");
		}
	ck_assert_int_eq(n, 2);

	ck_assert_int_eq(http_respond_redirect(&res, "/next?a=1"), ERR_OK);
	ck_assert_int_eq(res.status, 303);
	ck_assert_str_eq(http_response_header_get(&res, "Location"), "/next?a=1");
	ck_assert_int_eq(http_respond_redirect(&res, "/x\r\nEvil: 1"), ERR_INVALID);
	arena_free(a);
}
END_TEST

START_TEST(security_headers)
{
	struct arena *a = arena_new(0);
	struct http_request *req = req_new(a, "/", ERR_OK);
	struct http_response res;
	http_response_init(&res, req);
	http_respond_html(&res, 200, "<p>hi</p>");
	http_response_secure(&res, true);
	ck_assert_str_eq(http_response_header_get(&res, "X-Content-Type-Options"), "nosniff");
	ck_assert_str_eq(http_response_header_get(&res, "Referrer-Policy"), "same-origin");
	ck_assert_str_eq(http_response_header_get(&res, "X-Frame-Options"), "DENY");
	ck_assert_ptr_nonnull(strstr(http_response_header_get(&res, "Content-Security-Policy"), "default-src 'self'"));
	ck_assert_ptr_nonnull(strstr(http_response_header_get(&res, "Content-Security-Policy"), "frame-ancestors 'none'"));
	ck_assert_ptr_nonnull(http_response_header_get(&res, "Strict-Transport-Security"));
	ck_assert_str_eq(http_response_header_get(&res, "Cache-Control"), "no-store");

	http_response_init(&res, req);
	http_respond_json(&res, 200, "{}");
	ck_assert_int_eq(http_set_header(&res, "Cache-Control", "private, max-age=60"), ERR_OK);
	http_response_secure(&res, false);
	ck_assert_str_eq(http_response_header_get(&res, "Content-Security-Policy"), "default-src 'none'; frame-ancestors 'none'; sandbox");
	ck_assert_str_eq(http_response_header_get(&res, "Cache-Control"), "private, max-age=60");
	ck_assert_ptr_null(http_response_header_get(&res, "Strict-Transport-Security"));
	arena_free(a);
}
END_TEST

START_TEST(fingerprinted_names)
{
	ck_assert(http_static_is_fingerprinted("app.3f9a1c2e.css"));
	ck_assert(http_static_is_fingerprinted("logo-0a1b2c3d4e.svg"));
	ck_assert(!http_static_is_fingerprinted("app.css"));
	ck_assert(!http_static_is_fingerprinted("app.3f9a1c2.css"));
	ck_assert(!http_static_is_fingerprinted("app.3f9a1c2e"));
	ck_assert(!http_static_is_fingerprinted("deadbeefcafe.css"));
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("http_request");
	TCase *tc = tcase_create("request");
	tcase_add_test(tc, path_and_query_are_decoded);
	tcase_add_test(tc, bad_encoding_is_malformed);
	tcase_add_test(tc, headers_are_case_insensitive_and_cookies_parsed);
	tcase_add_test(tc, form_bodies_are_parsed_and_capped);
	tcase_add_test(tc, request_ids);
	tcase_add_test(tc, traceparent_strict_v00);
	tcase_add_test(tc, response_headers_and_cookies);
	tcase_add_test(tc, security_headers);
	tcase_add_test(tc, fingerprinted_names);
	suite_add_tcase(s, tc);
	return s;
}
