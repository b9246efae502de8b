#include "http/request.h"

#include <stdarg.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/strutil.h"

int64_t http_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

struct http_request *http_request_new(struct arena *a)
{
	struct http_request *req = arena_alloc(a, sizeof *req);
	req->arena = a;
	req->method = "";
	req->target = req->raw_path = req->path = "/";
	req->query = "";
	req->body = "";
	return req;
}

enum err http_request_set_target(struct http_request *req, const char *method, const char *target)
{
	struct arena *a = req->arena;
	req->method = arena_strdup(a, method ? method : "");
	req->target = arena_strdup(a, target ? target : "");
	if (!target || target[0] != '/')
		return err_set(&req->err, ERR_MALFORMED, "", "request target must be a path starting with '/'");
	const char *q = strchr(target, '?');
	size_t plen = q ? (size_t)(q - target) : strlen(target);
	req->raw_path = arena_strndup(a, target, plen);
	req->query = q ? arena_strdup(a, q + 1) : "";
	char *path;
	enum err e = http_pct_decode(a, target, plen, false, &path, NULL, &req->err);
	if (e)
		return e;
	req->path = path;
	e = http_urlencoded_parse(a, req->query, strlen(req->query), HTTP_QUERY_MAX, "query",
				  &req->query_params, &req->n_query, &req->err);
	return e;
}

static bool is_token_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f && !strchr("()<>@,;:\\\"/[]?={}", c);
}

/* RFC 6265 §5.4 "name=value; name2=value2". Malformed pairs are skipped (browsers send
 * whatever was stored); values are kept raw (cookies are not percent-decoded), quotes
 * around a value are removed. */
static void cookies_parse(struct http_request *req, const char *s)
{
	if (!req->cookies)
		req->cookies = arena_alloc(req->arena, HTTP_COOKIES_MAX * sizeof *req->cookies);
	while (*s && req->n_cookies < HTTP_COOKIES_MAX) {
		while (*s == ' ' || *s == '\t' || *s == ';')
			s++;
		const char *end = strchr(s, ';');
		size_t len = end ? (size_t)(end - s) : strlen(s);
		const char *eq = memchr(s, '=', len);
		if (eq && eq > s) {
			const char *n = s, *ne = eq, *v = eq + 1, *ve = s + len;
			while (ne > n && (ne[-1] == ' ' || ne[-1] == '\t'))
				ne--;
			while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
				ve--;
			if (ve - v >= 2 && *v == '"' && ve[-1] == '"')
				v++, ve--;
			bool ok = ne > n;
			for (const char *p = n; ok && p < ne; p++)
				ok = is_token_char((unsigned char)*p);
			for (const char *p = v; ok && p < ve; p++) {
				unsigned char c = (unsigned char)*p;
				ok = c >= 0x21 && c != '"' && c != ',' && c != ';' && c != '\\' && c != 0x7f;
			}
			if (ok) {
				struct http_kv *kv = &req->cookies[req->n_cookies++];
				kv->name = arena_strndup(req->arena, n, (size_t)(ne - n));
				kv->value = arena_strndup(req->arena, v, (size_t)(ve - v));
			}
		}
		s += len;
	}
}

enum err http_request_add_header(struct http_request *req, const char *name, const char *value)
{
	if (req->n_headers == HTTP_HEADERS_MAX)
		return err_set(&req->err, ERR_TOO_LARGE, "", "more than %d request headers", HTTP_HEADERS_MAX);
	if (!req->headers)
		req->headers = arena_alloc(req->arena, HTTP_HEADERS_MAX * sizeof *req->headers);
	struct http_kv *kv = &req->headers[req->n_headers++];
	kv->name = arena_strdup(req->arena, name);
	kv->value = arena_strdup(req->arena, value ? value : "");
	if (!strcasecmp(name, "Cookie"))
		cookies_parse(req, kv->value);
	return ERR_OK;
}

bool http_request_is_content_type(const struct http_request *req, const char *mime)
{
	const char *ct = http_header_get(req, "Content-Type");
	if (!ct)
		return false;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	size_t n = strlen(mime);
	if (strncasecmp(ct, mime, n))
		return false;
	ct += n;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return *ct == 0 || *ct == ';';
}

enum err http_request_set_body(struct http_request *req, const char *body, size_t len)
{
	req->body = body ? body : "";
	req->body_len = body ? len : 0;
	if (!http_request_is_content_type(req, "application/x-www-form-urlencoded"))
		return ERR_OK;
	return http_urlencoded_parse(req->arena, req->body, req->body_len, HTTP_FORM_MAX, "form",
				     &req->form_params, &req->n_form, &req->err);
}

const char *http_header_get(const struct http_request *req, const char *name)
{
	return http_kv_find(req->headers, req->n_headers, name, true);
}

const char *http_query_get(const struct http_request *req, const char *name)
{
	return http_kv_find(req->query_params, req->n_query, name, false);
}

const char *http_form_get(const struct http_request *req, const char *name)
{
	return http_kv_find(req->form_params, req->n_form, name, false);
}

const char *http_cookie_get(const struct http_request *req, const char *name)
{
	return http_kv_find(req->cookies, req->n_cookies, name, false);
}

const char *http_param(const struct http_request *req, const char *name)
{
	return http_kv_find(req->params, req->n_params, name, false);
}

int64_t http_request_remaining_ms(const struct http_request *req)
{
	if (!req->deadline_ns)
		return 0;
	int64_t left = req->deadline_ns - http_now_ns();
	return left > 0 ? left / 1000000 : 0;
}

void http_field_error_add(struct http_request *req, const char *pointer, const char *code,
			  const char *fmt, ...)
{
	if (req->n_field_errors == HTTP_FIELD_ERRORS_MAX)
		return;
	if (!req->field_errors)
		req->field_errors = arena_alloc(req->arena, HTTP_FIELD_ERRORS_MAX * sizeof *req->field_errors);
	struct http_field_error *fe = &req->field_errors[req->n_field_errors++];
	fe->pointer = arena_strdup(req->arena, pointer ? pointer : "");
	fe->code = arena_strdup(req->arena, code ? code : "invalid");
	va_list ap;
	va_start(ap, fmt);
	fe->detail = arena_vsprintf(req->arena, fmt, ap);
	va_end(ap);
}

/* Weak comparison (RFC 9110 §13.1.2): any listed tag equal to etag, W/ ignored, or "*". */
bool http_etag_listed(const char *header, const char *etag)
{
	size_t elen = strlen(etag);
	const char *p = header;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			break;
		if (*p == '*')
			return true;
		if (!strncmp(p, "W/", 2))
			p += 2;
		const char *end = p;
		if (*end == '"') {
			const char *close = strchr(end + 1, '"');
			end = close ? close + 1 : end + strlen(end);
		} else {
			while (*end && *end != ',')
				end++;
		}
		if ((size_t)(end - p) == elen && !strncmp(p, etag, elen))
			return true;
		p = end;
	}
	return false;
}
