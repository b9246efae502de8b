/* test_http_client.c — src/http/client.c against a local server (the echo, blob and fault
 * endpoints of tests/fakes/postmark.mjs): headers both ways, statuses are not errors, body
 * cap, timeout, refused connection, bad requests, Retry-After, URL redaction, threads.
 * (It belongs in tests/http/; it lives here until that folder has an owner for it.) */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/arena.h"
#include "check_main.h"
#include "fake_proc.h"
#include "http/client.h"

static struct fake_proc srv;

static void srv_setup(void)
{
	char *argv[] = {"node", fake_path("tests/fakes/postmark.mjs"), NULL};
	ck_assert_msg(fake_proc_start(&srv, argv, NULL), "could not start tests/fakes/postmark.mjs (node)");
}

static void srv_teardown(void) { fake_proc_stop(&srv); }

static char *url_of(struct arena *a, const char *path) { return arena_sprintf(a, "http://127.0.0.1:%d%s", srv.port, path); }

START_TEST(headers_both_ways_and_status_is_not_an_error)
{
	struct arena *a = arena_new(0);
	struct http_client_header h[] = {{"X-Test", "one two"}, {"Accept", "application/json"}};
	struct http_client_request req = {.method = "POST", .url = url_of(a, "/__fake/echo?status=503&retry_after=12"),
				   .headers = h, .nheaders = 2, .body = "{\"a\":1}", .body_len = 7};
	struct http_client_response resp;
	struct errinfo ei = {0};
	ck_assert_msg(http_client_do(a, &req, &resp, &ei) == ERR_OK, "%s", ei.message);
	ck_assert_int_eq(resp.status, 503);
	ck_assert_ptr_nonnull(strstr(resp.body, "\"x-test\":\"one two\""));
	ck_assert_ptr_nonnull(strstr(resp.body, "\"body\":\"{\\\"a\\\":1}\""));
	ck_assert_ptr_null(strstr(resp.body, "\"expect\""));
	ck_assert_str_eq(http_client_header(&resp, "content-type"), "application/json");
	ck_assert_str_eq(http_client_header(&resp, "RETRY-AFTER"), "12");
	ck_assert_int_eq(http_client_retry_after(&resp, time(NULL)), 12);
	ck_assert_ptr_null(http_client_header(&resp, "X-Absent"));
	ck_assert(resp.elapsed_s > 0);
	arena_free(a);
}
END_TEST

START_TEST(all_methods)
{
	struct arena *a = arena_new(0);
	const char *methods[] = {"GET", "DELETE", "PUT", "PATCH"};
	for (size_t i = 0; i < 4; i++) {
		struct http_client_request req = {.method = methods[i], .url = url_of(a, "/__fake/echo"),
					   .body = i >= 2 ? "x" : NULL, .body_len = i >= 2 ? 1 : 0};
		struct http_client_response resp;
		ck_assert_int_eq(http_client_do(a, &req, &resp, NULL), ERR_OK);
		char want[64];
		snprintf(want, sizeof want, "\"method\":\"%s\"", methods[i]);
		ck_assert_msg(strstr(resp.body, want), "%s: %s", methods[i], resp.body);
	}
	struct http_client_request head = {.method = "HEAD", .url = url_of(a, "/__fake/echo")};
	struct http_client_response resp;
	ck_assert_int_eq(http_client_do(a, &head, &resp, NULL), ERR_OK);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_uint_eq(resp.body_len, 0);
	arena_free(a);
}
END_TEST

START_TEST(body_cap)
{
	struct arena *a = arena_new(0);
	struct http_client_request req = {.method = "GET", .url = url_of(a, "/__fake/blob?bytes=5000"), .body_max = 4096};
	struct http_client_response resp;
	struct errinfo ei = {0};
	ck_assert_int_eq(http_client_do(a, &req, &resp, &ei), ERR_TOO_LARGE);
	ck_assert_ptr_null(resp.body);
	req.body_max = 5000;
	ck_assert_int_eq(http_client_do(a, &req, &resp, &ei), ERR_OK);
	ck_assert_uint_eq(resp.body_len, 5000);
	arena_free(a);
}
END_TEST

START_TEST(timeout_and_refused)
{
	struct arena *a = arena_new(0);
	fake_call(a, srv.port, "POST", "/__fake/reset", "{}");
	fake_call(a, srv.port, "POST", "/__fake/fault", "{\"hang\":true}");
	struct http_client_header h[] = {{"Accept", "application/json"}, {"Content-Type", "application/json"},
				  {"X-Postmark-Server-Token", "test-token"}};
	struct http_client_request req = {.method = "POST", .url = url_of(a, "/email"), .headers = h, .nheaders = 3,
				   .body = "{}", .body_len = 2, .timeout_ms = 500};
	struct http_client_response resp;
	struct errinfo ei = {0};
	ck_assert_int_eq(http_client_do(a, &req, &resp, &ei), ERR_TIMEOUT);
	ck_assert_ptr_nonnull(strstr(ei.message, "127.0.0.1"));
	/* nothing listens on port 1 */
	struct http_client_request refused = {.method = "GET", .url = "http://127.0.0.1:1/x?token=secret"};
	ck_assert_int_eq(http_client_do(a, &refused, &resp, &ei), ERR_UPSTREAM);
	ck_assert_ptr_null(strstr(ei.message, "secret")); /* query strings stay out of messages */
	/* TLS to a plain HTTP server fails in the handshake, never silently */
	struct http_client_request tls = {.method = "GET", .url = arena_sprintf(a, "https://127.0.0.1:%d/__fake/echo", srv.port),
				   .timeout_ms = 3000};
	ck_assert_int_eq(http_client_do(a, &tls, &resp, &ei), ERR_UPSTREAM);
	arena_free(a);
}
END_TEST

START_TEST(bad_requests_refused)
{
	struct arena *a = arena_new(0);
	struct http_client_response resp;
	struct errinfo ei = {0};
	struct http_client_header crlf[] = {{"X-A", "v\r\nX-Injected: 1"}};
	struct http_client_request req = {.method = "GET", .url = url_of(a, "/__fake/echo"), .headers = crlf, .nheaders = 1};
	ck_assert_int_eq(http_client_do(a, &req, &resp, &ei), ERR_INVALID);
	struct http_client_header colon[] = {{"X:A", "v"}};
	req.headers = colon;
	ck_assert_int_eq(http_client_do(a, &req, &resp, &ei), ERR_INVALID);
	struct http_client_request ftp = {.method = "GET", .url = "ftp://127.0.0.1/x"};
	ck_assert_int_eq(http_client_do(a, &ftp, &resp, &ei), ERR_INVALID);
	struct http_client_request file = {.method = "GET", .url = "file:///etc/passwd"};
	ck_assert_int_eq(http_client_do(a, &file, &resp, &ei), ERR_INVALID);
	struct http_client_request space = {.method = "GET", .url = "http://127.0.0.1/a b"};
	ck_assert_int_eq(http_client_do(a, &space, &resp, &ei), ERR_INVALID);
	arena_free(a);
}
END_TEST

START_TEST(retry_after_forms)
{
	struct http_client_header h[1] = {{"Retry-After", NULL}};
	struct http_client_response r = {.headers = h, .nheaders = 1};
	time_t now = 1700000000; /* Tue, 14 Nov 2023 22:13:20 GMT */
	h[0].value = "120";
	ck_assert_int_eq(http_client_retry_after(&r, now), 120);
	h[0].value = "0";
	ck_assert_int_eq(http_client_retry_after(&r, now), 0);
	h[0].value = "99999999";
	ck_assert_int_eq(http_client_retry_after(&r, now), 86400);
	h[0].value = "Tue, 14 Nov 2023 22:14:20 GMT";
	ck_assert_int_eq(http_client_retry_after(&r, now), 60);
	h[0].value = "Tue, 14 Nov 2023 22:00:00 GMT"; /* in the past */
	ck_assert_int_eq(http_client_retry_after(&r, now), 0);
	h[0].value = "12abc";
	ck_assert_int_eq(http_client_retry_after(&r, now), -1);
	h[0].value = "soon";
	ck_assert_int_eq(http_client_retry_after(&r, now), -1);
	r.nheaders = 0;
	ck_assert_int_eq(http_client_retry_after(&r, now), -1);
}
END_TEST

START_TEST(url_redaction)
{
	char out[128];
	http_url_redact(out, sizeof out, "https://user:pw@api.example.test:8443/v1/x?key=secret#frag");
	ck_assert_str_eq(out, "https://api.example.test:8443/v1/x");
	http_url_redact(out, sizeof out, "smtp://mailer:s3cret@relay.test:587");
	ck_assert_str_eq(out, "smtp://relay.test:587");
	http_url_redact(out, sizeof out, "http://h/p@q");
	ck_assert_str_eq(out, "http://h/p@q");
	http_url_redact(out, 8, "https://long.example.test/");
	ck_assert_str_eq(out, "https:/");
}
END_TEST

static void *hammer(void *arg)
{
	int *failures = arg;
	for (int i = 0; i < 10; i++) {
		struct arena *a = arena_new(0);
		struct http_client_request req = {.method = "GET", .url = url_of(a, "/__fake/blob?bytes=1000")};
		struct http_client_response resp;
		if (http_client_do(a, &req, &resp, NULL) != ERR_OK || resp.status != 200 || resp.body_len != 1000)
			__atomic_add_fetch(failures, 1, __ATOMIC_RELAXED);
		arena_free(a);
	}
	return NULL;
}

START_TEST(many_threads)
{
	pthread_t t[8];
	int failures = 0;
	for (int i = 0; i < 8; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, hammer, &failures), 0);
	for (int i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	ck_assert_int_eq(failures, 0);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("http_client");
	TCase *tc = tcase_create("client");
	tcase_set_timeout(tc, 30);
	tcase_add_unchecked_fixture(tc, srv_setup, srv_teardown);
	tcase_add_test(tc, headers_both_ways_and_status_is_not_an_error);
	tcase_add_test(tc, all_methods);
	tcase_add_test(tc, body_cap);
	tcase_add_test(tc, timeout_and_refused);
	tcase_add_test(tc, bad_requests_refused);
	tcase_add_test(tc, retry_after_forms);
	tcase_add_test(tc, url_redaction);
	tcase_add_test(tc, many_threads);
	suite_add_tcase(s, tc);
	return s;
}
