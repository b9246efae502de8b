/* response.h — what a handler answers. A response belongs to its request: headers and
 * copied bodies live in the request's arena. The server turns it into bytes after the
 * handler returns, adding the security headers (http_response_secure). */
#ifndef RS_HTTP_RESPONSE_H
#define RS_HTTP_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct http_request;

struct http_header {
	const char *name;
	const char *value;
	struct http_header *next;
};

struct http_response {
	int status;                  /* 0 = the handler has not answered yet */
	struct http_header *headers; /* in the order set */
	const void *body;            /* bytes owned by the arena or static */
	size_t body_len;
	int fd;                      /* >= 0: a file body of fd_size bytes instead (owned here) */
	uint64_t fd_size;
	bool omit_body;              /* HEAD: headers and Content-Length only */
	struct http_request *req;
};

enum http_same_site { HTTP_SAMESITE_LAX = 0, HTTP_SAMESITE_STRICT, HTTP_SAMESITE_NONE };

/* Cookie attributes; a zeroed struct (or NULL) means Path=/; HttpOnly; Secure;
 * SameSite=Lax; session cookie. */
struct http_cookie_attrs {
	const char *path;   /* default "/" */
	const char *domain; /* NULL: host-only */
	long long max_age;  /* seconds; 0 = session cookie; < 0 = delete (Max-Age=0) */
	enum http_same_site same_site;
	bool not_http_only; /* readable by scripts (rarely right) */
	bool not_secure;    /* allowed over plain http */
};

void http_response_init(struct http_response *res, struct http_request *req);

/* Answer with body bytes by reference (body must outlive the request: arena or static).
 * Replaces an earlier body and Content-Type. */
void http_respond_body(struct http_response *res, int status, const char *content_type,
		       const void *body, size_t len);
/* Same, copying text into the arena ("application/json", "text/plain; charset=utf-8",
 * "text/html; charset=utf-8"). */
void http_respond_json(struct http_response *res, int status, const char *json_text);
void http_respond_text(struct http_response *res, int status, const char *text);
void http_respond_html(struct http_response *res, int status, const char *html);
/* Status without body (204, 304). */
void http_respond_empty(struct http_response *res, int status);
/* Answer with an open file of size bytes; the response owns fd from now on (closed with
 * the request arena unless the server hands it to the socket). */
void http_respond_fd(struct http_response *res, int status, const char *content_type, int fd,
		     uint64_t size);
/* 303 See Other to location (a path or absolute URL; CR/LF/control → ERR_INVALID). */
enum err http_respond_redirect(struct http_response *res, const char *location) RS_MUST_CHECK;

/* Set a header, replacing any of the same name (case-insensitive). Name must be a token,
 * value printable (no CR/LF/NUL/controls except tab): else ERR_INVALID, nothing set.
 * Content-Length, Transfer-Encoding and Connection are the server's: ERR_INVALID. */
enum err http_set_header(struct http_response *res, const char *name, const char *value) RS_MUST_CHECK;
/* Same but appends (a second Link, Vary ...). */
enum err http_add_header(struct http_response *res, const char *name, const char *value) RS_MUST_CHECK;
/* First header of that name, NULL when absent. */
const char *http_response_header_get(const struct http_response *res, const char *name);
/* Append a Set-Cookie. Name must be a token, value cookie-octets (encode it first).
 * ERR_INVALID otherwise. attrs NULL = secure defaults (see struct http_cookie_attrs). */
enum err http_set_cookie(struct http_response *res, const char *name, const char *value,
			 const struct http_cookie_attrs *attrs) RS_MUST_CHECK;

/* Security headers on every response (the server calls this; tests may): nosniff,
 * Referrer-Policy same-origin, X-Frame-Options DENY, Content-Security-Policy (self only
 * for HTML, none for anything else) unless the handler set one, Cache-Control no-store
 * unless the handler set one, Strict-Transport-Security when hsts. */
void http_response_secure(struct http_response *res, bool hsts);

#endif
