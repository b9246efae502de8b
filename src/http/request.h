/* request.h — one HTTP request as handlers see it, independent of libmicrohttpd (the
 * server fills it; tests build one by hand). Every string lives in req->arena and is
 * NUL-terminated; all of it dies with the arena when the response has been sent.
 * Handlers read the public fields and use the getters; the constructors below are for
 * the server and for tests. */
#ifndef RS_HTTP_REQUEST_H
#define RS_HTTP_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "http/urlenc.h"

#define HTTP_REQUEST_ID_MAX 64   /* X-Request-Id: 1..64 of [A-Za-z0-9._-] */
#define HTTP_HEADERS_MAX 128     /* request headers kept (more → 413) */
#define HTTP_QUERY_MAX 128       /* query parameters (more → 413) */
#define HTTP_FORM_MAX 512        /* form fields (more → 413) */
#define HTTP_COOKIES_MAX 64      /* cookies kept; further ones are ignored */
#define HTTP_PARAMS_MAX 16       /* route params per pattern */
#define HTTP_PARAM_LEN_MAX 512   /* decoded bytes of one route param; longer → no match (404) */
#define HTTP_FIELD_ERRORS_MAX 64 /* field errors kept for one problem body */

struct http_route;

/* One entry of a problem's "errors" array (RFC 9457 extension member). */
struct http_field_error {
	const char *pointer; /* JSON Pointer into the request body ("/shifts/0/code") or a field name */
	const char *code;    /* stable machine code ("required", "too_long", ...) */
	const char *detail;  /* for people */
};

struct http_request {
	/* Filled by the server before routing. */
	const char *method;   /* as received ("GET", "HEAD", ...) */
	const char *target;   /* raw request-target ("/a%20b?x=1") */
	const char *raw_path; /* target before '?', still percent-encoded */
	const char *path;     /* raw_path percent-decoded; valid UTF-8, no NUL */
	const char *query;    /* raw text after '?', "" when none */
	const char *body;     /* body bytes, NUL-terminated at body_len; "" when none */
	size_t body_len;
	struct arena *arena;  /* per-request; capped for input-driven sizes */
	char request_id[HTTP_REQUEST_ID_MAX + 1];
	char trace_id[33];       /* W3C trace-id, 32 lowercase hex */
	char span_id[17];        /* this server span, 16 lowercase hex */
	char parent_span_id[17]; /* caller's span from traceparent; "" when we began the trace */
	unsigned char trace_flags;
	char remote_addr[64];    /* peer IP text (or X-Forwarded-For when trusted) */
	int64_t started_ns;      /* CLOCK_MONOTONIC when the request line arrived */
	int64_t deadline_ns;     /* started_ns + request timeout; see http_request_remaining_ms */

	/* Filled by the router. */
	const struct http_route *route; /* NULL when no route matched */
	void *app;                      /* application context given to http_router_new */

	/* Filled by the application's authorize hook. */
	void *principal;
	int role;

	/* Detail of the error a handler returns (err_set(&req->err, ...)). */
	struct errinfo err;

	/* Parsed views; read them through the getters below. */
	struct http_kv *headers;
	size_t n_headers;
	struct http_kv *query_params;
	size_t n_query;
	struct http_kv *form_params; /* only for application/x-www-form-urlencoded bodies */
	size_t n_form;
	struct http_kv *cookies;
	size_t n_cookies;
	struct http_kv params[HTTP_PARAMS_MAX]; /* route params, decoded */
	size_t n_params;
	struct http_field_error *field_errors;
	size_t n_field_errors;
};

/* A zeroed request in arena a (the server passes the per-request arena). */
struct http_request *http_request_new(struct arena *a);

/* Set method and request-target (origin-form, must start with '/'); decodes the path and
 * parses the query. ERR_MALFORMED (bad percent-encoding, NUL, invalid UTF-8, not
 * origin-form) or ERR_TOO_LARGE (too many query params), detail in req->err. */
enum err http_request_set_target(struct http_request *req, const char *method, const char *target) RS_MUST_CHECK;

/* Record a request header (copied). Cookie headers are parsed here. More than
 * HTTP_HEADERS_MAX headers → ERR_TOO_LARGE. */
enum err http_request_add_header(struct http_request *req, const char *name, const char *value) RS_MUST_CHECK;

/* Attach the body (not copied: body must live in req->arena, NUL at body[len]). When
 * Content-Type is application/x-www-form-urlencoded the form is parsed now:
 * ERR_MALFORMED / ERR_TOO_LARGE with detail in req->err. Call after the headers. */
enum err http_request_set_body(struct http_request *req, const char *body, size_t len) RS_MUST_CHECK;

/* Getters. All return NULL when absent; values are decoded and live in the arena. */
const char *http_header_get(const struct http_request *req, const char *name); /* case-insensitive */
const char *http_query_get(const struct http_request *req, const char *name);  /* first value */
const char *http_form_get(const struct http_request *req, const char *name);   /* first value */
const char *http_cookie_get(const struct http_request *req, const char *name); /* first cookie */
const char *http_param(const struct http_request *req, const char *name);      /* route param */

/* true when the request's Content-Type media type equals mime (case-insensitive,
 * parameters such as charset ignored). */
bool http_request_is_content_type(const struct http_request *req, const char *mime);

/* Milliseconds left before the request deadline (never below 0); handlers use it to bound
 * their own work (e.g. a statement timeout). 0 also when no deadline was set. */
int64_t http_request_remaining_ms(const struct http_request *req);

/* Add one field error to the problem body the request will get if the handler fails
 * (typically with ERR_INVALID). Kept in the arena; past HTTP_FIELD_ERRORS_MAX they are
 * dropped. */
void http_field_error_add(struct http_request *req, const char *pointer, const char *code,
			  const char *fmt, ...) RS_PRINTF(4, 5);

/* true when an If-None-Match header value lists etag (weak comparison, "*" matches). */
bool http_etag_listed(const char *if_none_match, const char *etag);

/* CLOCK_MONOTONIC in nanoseconds. */
int64_t http_now_ns(void);

#endif
