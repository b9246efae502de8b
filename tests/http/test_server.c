/* A real server on 127.0.0.1:0 driven with libcurl: request ids, traceparent, caps,
 * problems, security headers, static files, graceful stop, metrics and the log line. */
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/log.h"
#include "base/metrics.h"
#include "http/metrics_handler.h"
#include "http/server.h"
#include "http/static.h"
#include "http/trace.h"
#include "check_main.h"

enum { ROLE_PUBLIC = 1, ROLE_ADMIN = 9 };

static sem_t slow_entered, slow_release;

static enum err h_hello(struct http_request *req, struct http_response *res)
{
	(void)req;
	http_respond_text(res, 200, "hello\n");
	return ERR_OK;
}

static enum err h_page(struct http_request *req, struct http_response *res)
{
	(void)req;
	http_respond_html(res, 200, "<!doctype html><title>x</title><p>page</p>");
	return ERR_OK;
}

/* echoes what the server parsed */
static enum err h_echo(struct http_request *req, struct http_response *res)
{
	const char *name = http_form_get(req, "name");
	http_respond_text(res, 200, arena_sprintf(req->arena, "name=%s len=%zu parent=%s log_rid=%s",
						  name ? name : "-", req->body_len, req->parent_span_id,
						  log_ctx_get()->request_id));
	return ERR_OK;
}

static enum err h_slow(struct http_request *req, struct http_response *res)
{
	(void)req;
	sem_post(&slow_entered);
	sem_wait(&slow_release);
	http_respond_text(res, 200, "slow done\n");
	return ERR_OK;
}

static enum err h_item(struct http_request *req, struct http_response *res)
{
	if (strcmp(http_param(req, "id"), "1"))
		return err_set(&req->err, ERR_NOT_FOUND, "", "no item %s", http_param(req, "id"));
	http_respond_json(res, 200, "{\"id\":1}");
	return ERR_OK;
}

static int authorize(struct http_request *req, const struct http_route *route)
{
	if (route->min_role == ROLE_PUBLIC)
		return 0;
	const char *t = http_header_get(req, "Authorization");
	if (!t)
		return 401;
	req->role = strcmp(t, "Bearer admin") ? ROLE_PUBLIC : ROLE_ADMIN;
	return req->role >= route->min_role ? 0 : 403;
}

struct fixture {
	struct http_router *router;
	struct http_static *st;
	struct http_server *srv;
	char base[64];
	char dir[64];
	int log_fd;
	char log_path[80];
};

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void start(struct fixture *fx, size_t body_max, bool hsts)
{
	memset(fx, 0, sizeof *fx);
	const char *tmp = getenv("TMPDIR");
	snprintf(fx->dir, sizeof fx->dir, "%s/rs-http-XXXXXX", tmp && *tmp && strlen(tmp) < 40 ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(fx->dir));
	char sub[128];
	snprintf(sub, sizeof sub, "%s/pub", fx->dir);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	write_file(sub, "site.css", "body{color:#111}\n");
	write_file(sub, "app.0123abcd.js", "console.log(1);\n");
	write_file(sub, ".secret", "hidden\n");
	write_file(fx->dir, "outside.txt", "outside the root\n");
	char link[160];
	snprintf(link, sizeof link, "%s/escape.txt", sub);
	char target[160];
	snprintf(target, sizeof target, "%s/outside.txt", fx->dir);
	ck_assert_int_eq(symlink(target, link), 0);
	struct errinfo ei = {0};
	ck_assert_int_eq(http_static_new(sub, 0, &fx->st, &ei), ERR_OK);

	/* JSON log lines go to a file the tests read */
	snprintf(fx->log_path, sizeof fx->log_path, "%s/log.jsonl", fx->dir);
	fx->log_fd = open(fx->log_path, O_CREAT | O_WRONLY | O_APPEND, 0600);
	ck_assert_int_ge(fx->log_fd, 0);
	log_set_stream(fx->log_fd);

	fx->router = http_router_new(NULL, authorize);
	const struct http_route routes[] = {
		{.method = "GET", .pattern = "/hello", .min_role = ROLE_PUBLIC, .handler = h_hello},
		{.method = "GET", .pattern = "/page", .min_role = ROLE_PUBLIC, .handler = h_page},
		{.method = "POST", .pattern = "/echo", .min_role = ROLE_PUBLIC, .handler = h_echo},
		{.method = "GET", .pattern = "/slow", .min_role = ROLE_PUBLIC, .handler = h_slow},
		{.method = "GET", .pattern = "/items/{id}", .min_role = ROLE_PUBLIC, .handler = h_item},
		{.method = "DELETE", .pattern = "/items/{id}", .min_role = ROLE_ADMIN, .handler = h_item},
		{.method = "GET", .pattern = "/metrics", .min_role = ROLE_ADMIN, .handler = http_metrics_handler},
		{.method = "GET", .pattern = "/static/{*file}", .min_role = ROLE_PUBLIC,
		 .handler = http_static_handler, .data = fx->st},
	};
	ck_assert_int_eq(http_router_add_all(fx->router, routes, sizeof routes / sizeof routes[0], &ei), ERR_OK);
	struct http_server_config cfg = {.host = "127.0.0.1", .port = 0, .threads = 2, .body_max = body_max,
					 .request_timeout_s = 10, .hsts = hsts, .shutdown_grace_s = 20,
					 .router = fx->router};
	fx->srv = http_server_new(&cfg);
	ck_assert_int_eq(http_server_start(fx->srv, &ei), ERR_OK);
	ck_assert_int_ne(http_server_port(fx->srv), 0);
	snprintf(fx->base, sizeof fx->base, "http://127.0.0.1:%u", (unsigned)http_server_port(fx->srv));
}

static void stop(struct fixture *fx)
{
	http_server_free(fx->srv);
	http_router_free(fx->router);
	http_static_free(fx->st);
	log_set_stream(2);
	close(fx->log_fd);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* ---- a small curl client ----------------------------------------------------------------- */

struct reply {
	long status;
	CURLcode rc;
	struct buf headers, body;
};

static size_t collect(char *p, size_t size, size_t n, void *userdata)
{
	if (buf_append(userdata, p, size * n))
		return 0;
	return size * n;
}

struct upload {
	const char *data;
	size_t len, pos, chunk;
};

static size_t feed(char *p, size_t size, size_t n, void *userdata)
{
	struct upload *u = userdata;
	size_t want = size * n;
	if (want > u->chunk)
		want = u->chunk;
	if (want > u->len - u->pos)
		want = u->len - u->pos;
	memcpy(p, u->data + u->pos, want);
	u->pos += want;
	return want;
}

struct req_opts {
	const char *method;
	const char *body;
	size_t body_len;
	bool chunked;
	const char *headers[6];
	bool path_as_is;
};

static void reply_fini(struct reply *r)
{
	buf_fini(&r->headers);
	buf_fini(&r->body);
}

static void perform(struct reply *r, const char *url, const struct req_opts *o)
{
	memset(r, 0, sizeof *r);
	buf_init(&r->headers, 0);
	buf_init(&r->body, 0);
	RS_IGNORE(buf_puts(&r->body, ""));
	CURL *c = curl_easy_init();
	ck_assert_ptr_nonnull(c);
	struct curl_slist *hl = NULL;
	struct upload up = {0};
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &r->headers);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r->body);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L); /* a hang guard, not an assertion */
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (o && o->path_as_is)
		curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
	for (size_t i = 0; o && i < 6 && o->headers[i]; i++)
		hl = curl_slist_append(hl, o->headers[i]);
	if (o && o->method && !strcmp(o->method, "HEAD"))
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	else if (o && o->method)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, o->method);
	if (o && o->body) {
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		if (o->chunked) {
			up = (struct upload){.data = o->body, .len = o->body_len, .chunk = 512};
			curl_easy_setopt(c, CURLOPT_READFUNCTION, feed);
			curl_easy_setopt(c, CURLOPT_READDATA, &up);
			hl = curl_slist_append(hl, "Transfer-Encoding: chunked");
		} else {
			curl_easy_setopt(c, CURLOPT_POSTFIELDS, o->body);
			curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)o->body_len);
		}
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	r->rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
}

static void get(struct reply *r, struct fixture *fx, const char *path, const struct req_opts *o)
{
	char url[512];
	snprintf(url, sizeof url, "%s%s", fx->base, path);
	perform(r, url, o);
}

/* Value of the last response's header (case-insensitive name), copied into out. */
static const char *header(const struct reply *r, const char *name, char *out, size_t outsz)
{
	const char *blk = r->headers.data ? r->headers.data : "";
	const char *last = NULL;
	size_t n = strlen(name);
	for (const char *p = blk; *p;) {
		const char *eol = strchr(p, '\n');
		if (!strncasecmp(p, name, n) && p[n] == ':')
			last = p + n + 1;
		if (!strncmp(p, "HTTP/", 5))
			last = NULL; /* a new response (after 100 Continue) */
		if (!eol)
			break;
		p = eol + 1;
	}
	if (!last)
		return NULL;
	while (*last == ' ')
		last++;
	size_t len = strcspn(last, "\r\n");
	snprintf(out, outsz, "%.*s", (int)len, last);
	return out;
}

/* ---- tests --------------------------------------------------------------------------------- */

START_TEST(request_id_echoed_or_generated)
{
	struct fixture fx;
	start(&fx, 0, false);
	struct reply r;
	char v[128];
	struct req_opts o = {.headers = {"X-Request-Id: abc-123._X"}};
	get(&r, &fx, "/hello", &o);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.body.data, "hello\n");
	ck_assert_str_eq(header(&r, "X-Request-Id", v, sizeof v), "abc-123._X");
	reply_fini(&r);

	struct req_opts bad = {.headers = {"X-Request-Id: has space;x"}};
	get(&r, &fx, "/hello", &bad);
	ck_assert_ptr_nonnull(header(&r, "X-Request-Id", v, sizeof v));
	ck_assert_uint_eq(strlen(v), 32);
	ck_assert(http_request_id_valid(v));
	reply_fini(&r);

	get(&r, &fx, "/hello", NULL);
	ck_assert_ptr_nonnull(header(&r, "X-Request-Id", v, sizeof v));
	ck_assert_uint_eq(strlen(v), 32);
	reply_fini(&r);
	stop(&fx);
}
END_TEST

START_TEST(traceparent_accepted_generated_or_replaced)
{
	struct fixture fx;
	start(&fx, 0, false);
	struct reply r;
	char v[128], t[33], p[17];
	unsigned char f;
	struct req_opts o = {.body = "", .headers = {"traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
						     "X-Request-Id: rid-trace"}};
	get(&r, &fx, "/echo", &o);
	ck_assert_int_eq(r.status, 200);
	ck_assert(http_traceparent_parse(header(&r, "traceparent", v, sizeof v), t, p, &f));
	ck_assert_str_eq(t, "4bf92f3577b34da6a3ce929d0e0e4736");
	ck_assert_str_ne(p, "00f067aa0ba902b7"); /* our own server span */
	ck_assert_int_eq(f, 1);
	ck_assert_ptr_nonnull(strstr(r.body.data, "parent=00f067aa0ba902b7"));
	ck_assert_ptr_nonnull(strstr(r.body.data, "log_rid=rid-trace")); /* log context set for the handler */
	reply_fini(&r);

	get(&r, &fx, "/hello", NULL);
	ck_assert(http_traceparent_parse(header(&r, "traceparent", v, sizeof v), t, p, &f));
	reply_fini(&r);

	struct req_opts bad = {.headers = {"traceparent: 00-00000000000000000000000000000000-00f067aa0ba902b7-01"}};
	get(&r, &fx, "/hello", &bad);
	ck_assert(http_traceparent_parse(header(&r, "traceparent", v, sizeof v), t, p, &f));
	ck_assert_str_ne(t, "00000000000000000000000000000000");
	reply_fini(&r);

	struct req_opts upper = {.headers = {"traceparent: 00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01"}};
	get(&r, &fx, "/hello", &upper);
	ck_assert(http_traceparent_parse(header(&r, "traceparent", v, sizeof v), t, p, &f));
	ck_assert_str_ne(t, "4bf92f3577b34da6a3ce929d0e0e4736");
	reply_fini(&r);
	stop(&fx);
}
END_TEST

static void assert_problem(const struct reply *r, long status, const char *type_name)
{
	char v[128], want[128];
	ck_assert_int_eq(r->status, status);
	ck_assert_str_eq(header(r, "Content-Type", v, sizeof v), "application/problem+json");
	snprintf(want, sizeof want, "\"type\":\"https://radsched.dev/problems/%s\"", type_name);
	ck_assert_msg(strstr(r->body.data, want), "body %s lacks %s", r->body.data, want);
	snprintf(want, sizeof want, "\"status\":%ld", status);
	ck_assert_ptr_nonnull(strstr(r->body.data, want));
	ck_assert_ptr_nonnull(strstr(r->body.data, "\"request_id\":\""));
}

START_TEST(oversize_bodies_get_413)
{
	struct fixture fx;
	start(&fx, 1024, false);
	size_t n = 64 * 1024;
	char *big = malloc(n);
	memset(big, 'a', n);
	struct reply r;
	/* Content-Length over the cap: refused before the body is read */
	struct req_opts cl = {.body = big, .body_len = n, .headers = {"Expect: 100-continue", "Content-Type: text/plain"}};
	get(&r, &fx, "/echo", &cl);
	assert_problem(&r, 413, "too_large");
	reply_fini(&r);

	/* chunked: capped while arriving */
	struct req_opts ch = {.body = big, .body_len = 1536, .chunked = true, .headers = {"Content-Type: text/plain"}};
	get(&r, &fx, "/echo", &ch);
	assert_problem(&r, 413, "too_large");
	reply_fini(&r);

	/* far over the cap, chunked: never accepted (413 or the connection is cut) */
	struct req_opts huge = {.body = big, .body_len = n, .chunked = true, .headers = {"Content-Type: text/plain"}};
	get(&r, &fx, "/echo", &huge);
	ck_assert(r.status == 413 || r.rc != CURLE_OK);
	ck_assert_ptr_null(strstr(r.body.data, "len="));
	reply_fini(&r);

	/* within the cap, chunked works */
	struct req_opts ok = {.body = big, .body_len = 1000, .chunked = true, .headers = {"Content-Type: text/plain"}};
	get(&r, &fx, "/echo", &ok);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body.data, "len=1000"));
	reply_fini(&r);

	/* the server still works afterwards */
	get(&r, &fx, "/hello", NULL);
	ck_assert_int_eq(r.status, 200);
	reply_fini(&r);
	free(big);
	stop(&fx);
}
END_TEST

START_TEST(malformed_input_is_400)
{
	struct fixture fx;
	start(&fx, 0, false);
	struct reply r;
	struct req_opts form = {.body = "name=J%C3%B6rg&x=%zz", .body_len = 20,
				.headers = {"Content-Type: application/x-www-form-urlencoded"}};
	get(&r, &fx, "/echo", &form);
	assert_problem(&r, 400, "malformed");
	reply_fini(&r);

	struct req_opts good = {.body = "name=J%C3%B6rg+M", .body_len = 16,
				.headers = {"Content-Type: application/x-www-form-urlencoded"}};
	get(&r, &fx, "/echo", &good);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body.data, "name=Jörg M"));
	reply_fini(&r);

	const char *bad_paths[] = {"/hello%zz", "/hel%00lo", "/hello?q=%ff", "/%C3%28"};
	for (size_t i = 0; i < sizeof bad_paths / sizeof bad_paths[0]; i++) {
		get(&r, &fx, bad_paths[i], NULL);
		assert_problem(&r, 400, "malformed");
		reply_fini(&r);
	}
	stop(&fx);
}
END_TEST

START_TEST(routing_problems_and_security_headers)
{
	struct fixture fx;
	start(&fx, 0, true);
	struct reply r;
	char v[256];
	get(&r, &fx, "/nope", NULL);
	assert_problem(&r, 404, "not_found");
	reply_fini(&r);

	struct req_opts del = {.method = "PUT"};
	get(&r, &fx, "/hello", &del);
	assert_problem(&r, 405, "method_not_allowed");
	ck_assert_str_eq(header(&r, "Allow", v, sizeof v), "GET, HEAD");
	reply_fini(&r);

	struct req_opts anon = {.method = "DELETE"};
	get(&r, &fx, "/items/1", &anon);
	assert_problem(&r, 401, "unauthorized");
	reply_fini(&r);
	struct req_opts admin = {.method = "DELETE", .headers = {"Authorization: Bearer admin"}};
	get(&r, &fx, "/items/1", &admin);
	ck_assert_int_eq(r.status, 200);
	reply_fini(&r);

	get(&r, &fx, "/items/2", NULL);
	assert_problem(&r, 404, "not_found");
	ck_assert_ptr_nonnull(strstr(r.body.data, "\"detail\":\"no item 2\""));
	reply_fini(&r);

	get(&r, &fx, "/page", NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(header(&r, "X-Content-Type-Options", v, sizeof v), "nosniff");
	ck_assert_str_eq(header(&r, "Referrer-Policy", v, sizeof v), "same-origin");
	ck_assert_str_eq(header(&r, "X-Frame-Options", v, sizeof v), "DENY");
	ck_assert_ptr_nonnull(strstr(header(&r, "Content-Security-Policy", v, sizeof v), "default-src 'self'"));
	ck_assert_ptr_nonnull(header(&r, "Strict-Transport-Security", v, sizeof v));
	ck_assert_str_eq(header(&r, "Cache-Control", v, sizeof v), "no-store");
	reply_fini(&r);

	struct req_opts head = {.method = "HEAD"};
	get(&r, &fx, "/page", &head);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.body.data, "");
	ck_assert_str_eq(header(&r, "Content-Length", v, sizeof v), "42");
	ck_assert_str_eq(header(&r, "Content-Type", v, sizeof v), "text/html; charset=utf-8");
	reply_fini(&r);
	stop(&fx);
}
END_TEST

START_TEST(static_files_etag_304_and_traversal)
{
	struct fixture fx;
	start(&fx, 0, false);
	struct reply r;
	char v[256], etag[128];
	get(&r, &fx, "/static/site.css", NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.body.data, "body{color:#111}\n");
	ck_assert_str_eq(header(&r, "Content-Type", v, sizeof v), "text/css; charset=utf-8");
	ck_assert_str_eq(header(&r, "Cache-Control", v, sizeof v), "public, max-age=300");
	ck_assert_ptr_nonnull(header(&r, "ETag", etag, sizeof etag));
	ck_assert_int_eq(etag[0], '"');
	ck_assert_str_eq(header(&r, "X-Content-Type-Options", v, sizeof v), "nosniff");
	reply_fini(&r);

	char inm[160];
	snprintf(inm, sizeof inm, "If-None-Match: \"nope\", W/%s", etag);
	struct req_opts cond = {.headers = {inm}};
	get(&r, &fx, "/static/site.css", &cond);
	ck_assert_int_eq(r.status, 304);
	ck_assert_str_eq(r.body.data, "");
	ck_assert_str_eq(header(&r, "ETag", v, sizeof v), etag);
	ck_assert_str_eq(header(&r, "Content-Length", v, sizeof v), "17"); /* the 200's length, never 0 */
	ck_assert_str_eq(header(&r, "Cache-Control", v, sizeof v), "public, max-age=300");
	reply_fini(&r);

	get(&r, &fx, "/static/app.0123abcd.js", NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(header(&r, "Cache-Control", v, sizeof v), "public, max-age=31536000, immutable");
	ck_assert_str_eq(header(&r, "Content-Type", v, sizeof v), "text/javascript; charset=utf-8");
	reply_fini(&r);

	struct req_opts head = {.method = "HEAD"};
	get(&r, &fx, "/static/site.css", &head);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(header(&r, "Content-Length", v, sizeof v), "17");
	ck_assert_str_eq(r.body.data, "");
	reply_fini(&r);

	struct req_opts as_is = {.path_as_is = true};
	const char *refused[] = {"/static/../outside.txt", "/static/%2e%2e/outside.txt", "/static/a/%2E%2E/%2E%2E/outside.txt",
				 "/static/escape.txt", "/static/.secret", "/static/", "/static/nope.css",
				 "/static/site.css/", "/static/..%2Foutside.txt", "/static/a\\..\\outside.txt"};
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		get(&r, &fx, refused[i], &as_is);
		ck_assert_msg(r.status == 404 || r.status == 400, "%s gave %ld", refused[i], r.status);
		ck_assert_ptr_null(strstr(r.body.data, "outside the root"));
		reply_fini(&r);
	}
	stop(&fx);

	/* the real static/ folder of the repository */
	char root[512];
	snprintf(root, sizeof root, "%s/static", test_root());
	struct http_static *st;
	struct errinfo ei = {0};
	ck_assert_int_eq(http_static_new(root, 0, &st, &ei), ERR_OK);
	struct arena *a = arena_new(0);
	struct http_request *req = http_request_new(a);
	ck_assert_int_eq(http_request_set_target(req, "GET", "/static/app.css"), ERR_OK);
	struct http_response res;
	http_response_init(&res, req);
	const char *files[] = {"app.css", "app.js", "favicon.svg"};
	const char *types[] = {"text/css; charset=utf-8", "text/javascript; charset=utf-8", "image/svg+xml"};
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(http_static_serve(st, req, &res, files[i]), ERR_OK);
		ck_assert_int_eq(res.status, 200);
		ck_assert_str_eq(http_response_header_get(&res, "Content-Type"), types[i]);
		ck_assert(res.fd_size > 0);
	}
	arena_free(a); /* closes the files */
	http_static_free(st);
}
END_TEST

struct slow_call {
	struct fixture *fx;
	struct reply r;
};

static void *slow_client(void *p)
{
	struct slow_call *sc = p;
	get(&sc->r, sc->fx, "/slow", NULL);
	return NULL;
}

static void *stopper(void *p)
{
	http_server_stop(p);
	return NULL;
}

START_TEST(graceful_stop_finishes_in_flight)
{
	struct fixture fx;
	sem_init(&slow_entered, 0, 0);
	sem_init(&slow_release, 0, 0);
	start(&fx, 0, false);
	struct slow_call sc = {.fx = &fx};
	pthread_t client, stop_thread;
	pthread_create(&client, NULL, slow_client, &sc);
	sem_wait(&slow_entered); /* the handler is running */
	ck_assert_uint_eq(http_server_inflight(fx.srv), 1);
	pthread_create(&stop_thread, NULL, stopper, fx.srv);
	while (!http_server_is_stopping(fx.srv))
		nanosleep(&(struct timespec){0, 1000000}, NULL);
	sem_post(&slow_release); /* let the in-flight request finish during the stop */
	pthread_join(client, NULL);
	pthread_join(stop_thread, NULL);
	ck_assert_int_eq(sc.r.rc, CURLE_OK);
	ck_assert_int_eq(sc.r.status, 200);
	ck_assert_str_eq(sc.r.body.data, "slow done\n");
	char v[32];
	ck_assert_str_eq(header(&sc.r, "Connection", v, sizeof v), "close");
	reply_fini(&sc.r);
	ck_assert_uint_eq(http_server_inflight(fx.srv), 0);

	/* stopped: nobody listens any more */
	struct reply r;
	get(&r, &fx, "/hello", NULL);
	ck_assert_int_ne(r.rc, CURLE_OK);
	reply_fini(&r);
	stop(&fx);
}
END_TEST

START_TEST(metrics_and_log_line)
{
	struct fixture fx;
	start(&fx, 0, false);
	struct reply r;
	/* deltas: without fork isolation (CK_FORK=no) earlier tests counted too */
	const char *k_hello = "route=\"/hello\",method=\"GET\",status=\"200\"";
	const char *k_item = "route=\"/items/{id}\",method=\"GET\",status=\"200\"";
	const char *k_unmatched = "route=\"unmatched\",method=\"GET\",status=\"404\"";
	const char *k_dur = "route=\"/hello\",method=\"GET\"";
	double hello0 = metrics_value(HTTP_METRIC_REQUESTS, k_hello);
	double item0 = metrics_value(HTTP_METRIC_REQUESTS, k_item);
	double unmatched0 = metrics_value(HTTP_METRIC_REQUESTS, k_unmatched);
	double dur0 = metrics_value(HTTP_METRIC_DURATION, k_dur);
	for (int i = 0; i < 3; i++) {
		get(&r, &fx, "/hello", NULL);
		reply_fini(&r);
	}
	get(&r, &fx, "/items/1", NULL);
	reply_fini(&r);
	get(&r, &fx, "/no/such/route/1", NULL);
	reply_fini(&r);
	get(&r, &fx, "/no/such/route/2", NULL);
	reply_fini(&r);
	ck_assert(metrics_value(HTTP_METRIC_REQUESTS, k_hello) - hello0 == 3);
	ck_assert(metrics_value(HTTP_METRIC_REQUESTS, k_item) - item0 == 1);
	ck_assert(metrics_value(HTTP_METRIC_REQUESTS, k_unmatched) - unmatched0 == 2);
	ck_assert(metrics_value(HTTP_METRIC_DURATION, k_dur) - dur0 == 3);
	struct req_opts scrape = {.headers = {"Authorization: Bearer admin"}};
	get(&r, &fx, "/metrics", &scrape);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body.data, "# TYPE radsched_http_requests_total counter"));
	ck_assert_ptr_nonnull(strstr(r.body.data, "# TYPE radsched_http_request_duration_seconds histogram"));
	ck_assert_ptr_nonnull(strstr(r.body.data, "radsched_http_request_duration_seconds_bucket{route=\"/hello\",method=\"GET\",le=\""));
	reply_fini(&r);
	get(&r, &fx, "/metrics", NULL);
	ck_assert_int_eq(r.status, 401);
	reply_fini(&r);

	struct req_opts o = {.headers = {"X-Request-Id: log-me-1"}};
	get(&r, &fx, "/items/1?secret=x", &o);
	reply_fini(&r);
	char *log = test_read_file(fx.log_path, NULL);
	ck_assert_ptr_nonnull(log);
	char *line = strstr(log, "\"request_id\":\"log-me-1\"");
	ck_assert_ptr_nonnull(line);
	while (line > log && line[-1] != '\n')
		line--;
	char *eol = strchr(line, '\n');
	ck_assert_ptr_nonnull(eol);
	*eol = 0;
	ck_assert_ptr_nonnull(strstr(line, "\"message\":\"http request\""));
	ck_assert_ptr_nonnull(strstr(line, "\"method\":\"GET\""));
	ck_assert_ptr_nonnull(strstr(line, "\"route\":\"/items/{id}\""));
	ck_assert_ptr_nonnull(strstr(line, "\"path\":\"/items/1\""));
	ck_assert_ptr_nonnull(strstr(line, "\"status\":\"200\""));
	ck_assert_ptr_nonnull(strstr(line, "\"duration_ms\":\""));
	ck_assert_ptr_nonnull(strstr(line, "\"bytes\":\"8\""));
	ck_assert_ptr_nonnull(strstr(line, "\"trace_id\":\""));
	ck_assert_ptr_null(strstr(line, "secret")); /* the query is never logged */
	free(log);

	/* a file body is counted too */
	get(&r, &fx, "/static/site.css", NULL);
	reply_fini(&r);
	log = test_read_file(fx.log_path, NULL);
	ck_assert_ptr_nonnull(strstr(log, "\"route\":\"/static/{*file}\",\"path\":\"/static/site.css\",\"status\":\"200\""));
	ck_assert_ptr_nonnull(strstr(log, "\"bytes\":\"17\""));
	free(log);
	stop(&fx);
}
END_TEST

Suite *test_suite(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	Suite *s = suite_create("http_server");
	TCase *tc = tcase_create("server");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, request_id_echoed_or_generated);
	tcase_add_test(tc, traceparent_accepted_generated_or_replaced);
	tcase_add_test(tc, oversize_bodies_get_413);
	tcase_add_test(tc, malformed_input_is_400);
	tcase_add_test(tc, routing_problems_and_security_headers);
	tcase_add_test(tc, static_files_etag_304_and_traversal);
	tcase_add_test(tc, graceful_stop_finishes_in_flight);
	tcase_add_test(tc, metrics_and_log_line);
	suite_add_tcase(s, tc);
	return s;
}
