#include "http/response.h"

#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/buf.h"
#include "http/request.h"

#define CSP_HTML                                                                       \
	"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " \
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "      \
	"form-action 'self'; frame-ancestors 'none'"
#define CSP_OTHER "default-src 'none'; frame-ancestors 'none'; sandbox"

/* Arena cleanup for a file body the server did not take over. */
static void fd_close_deferred(void *p)
{
	struct http_response *res = p;
	if (res->fd >= 0)
		close(res->fd);
	res->fd = -1;
}

void http_response_init(struct http_response *res, struct http_request *req)
{
	memset(res, 0, sizeof *res);
	res->fd = -1;
	res->req = req;
}

static bool token_ok(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c <= 0x20 || c >= 0x7f || strchr("()<>@,;:\\\"/[]?={}", c))
			return false;
	}
	return true;
}

static bool value_ok(const char *s)
{
	if (!s)
		return false;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return false;
	}
	return true;
}

static enum err header_put(struct http_response *res, const char *name, const char *value, bool replace)
{
	if (!token_ok(name) || !value_ok(value) || !strcasecmp(name, "Content-Length") ||
	    !strcasecmp(name, "Transfer-Encoding") || !strcasecmp(name, "Connection"))
		return ERR_INVALID;
	struct arena *a = res->req->arena;
	struct http_header **pp = &res->headers;
	if (replace) {
		while (*pp) {
			if (!strcasecmp((*pp)->name, name))
				*pp = (*pp)->next;
			else
				pp = &(*pp)->next;
		}
	} else {
		while (*pp)
			pp = &(*pp)->next;
	}
	struct http_header *h = arena_alloc(a, sizeof *h);
	h->name = arena_strdup(a, name);
	h->value = arena_strdup(a, value);
	*pp = h;
	return ERR_OK;
}

enum err http_set_header(struct http_response *res, const char *name, const char *value)
{
	return header_put(res, name, value, true);
}

enum err http_add_header(struct http_response *res, const char *name, const char *value)
{
	return header_put(res, name, value, false);
}

const char *http_response_header_get(const struct http_response *res, const char *name)
{
	for (const struct http_header *h = res->headers; h; h = h->next)
		if (!strcasecmp(h->name, name))
			return h->value;
	return NULL;
}

void http_respond_body(struct http_response *res, int status, const char *content_type,
		       const void *body, size_t len)
{
	res->status = status;
	res->body = body ? body : "";
	res->body_len = body ? len : 0;
	res->fd_size = 0;
	if (res->fd >= 0)
		fd_close_deferred(res);
	if (content_type)
		RS_IGNORE(header_put(res, "Content-Type", content_type, true)); /* constant, valid */
}

static void respond_copy(struct http_response *res, int status, const char *ct, const char *text)
{
	size_t n = text ? strlen(text) : 0;
	http_respond_body(res, status, ct, arena_strndup(res->req->arena, text ? text : "", n), n);
}

void http_respond_json(struct http_response *res, int status, const char *json_text)
{
	respond_copy(res, status, "application/json", json_text);
}

void http_respond_text(struct http_response *res, int status, const char *text)
{
	respond_copy(res, status, "text/plain; charset=utf-8", text);
}

void http_respond_html(struct http_response *res, int status, const char *html)
{
	respond_copy(res, status, "text/html; charset=utf-8", html);
}

void http_respond_empty(struct http_response *res, int status)
{
	http_respond_body(res, status, NULL, NULL, 0);
}

void http_respond_fd(struct http_response *res, int status, const char *content_type, int fd,
		     uint64_t size)
{
	http_respond_body(res, status, content_type, NULL, 0);
	res->fd = fd;
	res->fd_size = size;
	arena_defer(res->req->arena, fd_close_deferred, res);
}

enum err http_respond_redirect(struct http_response *res, const char *location)
{
	if (!location || !*location || !value_ok(location))
		return err_set(&res->req->err, ERR_INVALID, "", "redirect location is empty or has control characters");
	enum err e = http_set_header(res, "Location", location);
	if (e)
		return e;
	respond_copy(res, 303, "text/plain; charset=utf-8", "See Other\n");
	return ERR_OK;
}

static bool cookie_value_ok(const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x21 || c > 0x7e || c == '"' || c == ',' || c == ';' || c == '\\')
			return false;
	}
	return true;
}

enum err http_set_cookie(struct http_response *res, const char *name, const char *value,
			 const struct http_cookie_attrs *attrs)
{
	static const struct http_cookie_attrs defaults;
	const struct http_cookie_attrs *at = attrs ? attrs : &defaults;
	if (!token_ok(name) || !value || !cookie_value_ok(value))
		return err_set(&res->req->err, ERR_INVALID, "", "cookie name or value has forbidden characters");
	if ((at->path && (!value_ok(at->path) || strchr(at->path, ';'))) ||
	    (at->domain && (!value_ok(at->domain) || strchr(at->domain, ';'))))
		return err_set(&res->req->err, ERR_INVALID, "", "cookie path or domain has forbidden characters");
	if (at->same_site == HTTP_SAMESITE_NONE && at->not_secure)
		return err_set(&res->req->err, ERR_INVALID, "", "SameSite=None cookies must be Secure");
	struct buf b;
	buf_init(&b, 8192);
	enum err e = buf_printf(&b, "%s=%s; Path=%s", name, value, at->path ? at->path : "/");
	if (!e && at->domain)
		e = buf_printf(&b, "; Domain=%s", at->domain);
	if (!e && at->max_age)
		e = buf_printf(&b, "; Max-Age=%lld", at->max_age > 0 ? at->max_age : 0LL);
	if (!e && !at->not_http_only)
		e = buf_puts(&b, "; HttpOnly");
	if (!e && !at->not_secure)
		e = buf_puts(&b, "; Secure");
	if (!e)
		e = buf_puts(&b, at->same_site == HTTP_SAMESITE_STRICT ? "; SameSite=Strict"
				 : at->same_site == HTTP_SAMESITE_NONE ? "; SameSite=None"
								       : "; SameSite=Lax");
	if (!e)
		e = http_add_header(res, "Set-Cookie", b.data);
	buf_fini(&b);
	if (e)
		return err_set(&res->req->err, e == ERR_TOO_LARGE ? ERR_TOO_LARGE : ERR_INVALID, "",
			       "cookie %s could not be set", name);
	return ERR_OK;
}

void http_response_secure(struct http_response *res, bool hsts)
{
	/* Constant, valid names and values: header_put cannot fail here. */
	RS_IGNORE(http_set_header(res, "X-Content-Type-Options", "nosniff"));
	RS_IGNORE(http_set_header(res, "Referrer-Policy", "same-origin"));
	RS_IGNORE(http_set_header(res, "X-Frame-Options", "DENY"));
	if (!http_response_header_get(res, "Content-Security-Policy")) {
		const char *ct = http_response_header_get(res, "Content-Type");
		bool html = ct && !strncasecmp(ct, "text/html", 9);
		RS_IGNORE(http_set_header(res, "Content-Security-Policy", html ? CSP_HTML : CSP_OTHER));
	}
	if (!http_response_header_get(res, "Cache-Control"))
		RS_IGNORE(http_set_header(res, "Cache-Control", "no-store"));
	if (hsts)
		RS_IGNORE(http_set_header(res, "Strict-Transport-Security", "max-age=63072000; includeSubDomains"));
}
