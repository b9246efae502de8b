#include "http/problem.h"

#include <string.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/strutil.h"
#include "http/request.h"
#include "http/response.h"

#define PROBLEM_BODY_MAX (64 * 1024)

struct problem_row {
	int status;
	const char *type;
	const char *title;
};

#define ROW(code, st, name, title) [code] = {st, HTTP_PROBLEM_BASE name, title}
static const struct problem_row rows[ERR__COUNT] = {
	ROW(ERR_OK, 500, "internal", "Internal error"),
	ROW(ERR_INVALID, 422, "invalid", "Invalid request"),
	ROW(ERR_MALFORMED, 400, "malformed", "Malformed request"),
	ROW(ERR_UNKNOWN_FIELD, 400, "unknown_field", "Unknown field"),
	ROW(ERR_TOO_LARGE, 413, "too_large", "Request too large"),
	ROW(ERR_NOT_FOUND, 404, "not_found", "Not found"),
	ROW(ERR_METHOD, 405, "method_not_allowed", "Method not allowed"),
	ROW(ERR_CONFLICT, 409, "conflict", "Conflict"),
	ROW(ERR_UNAUTHORIZED, 401, "unauthorized", "Authentication required"),
	ROW(ERR_FORBIDDEN, 403, "forbidden", "Forbidden"),
	ROW(ERR_RATE_LIMITED, 429, "rate_limited", "Too many requests"),
	ROW(ERR_UNSUPPORTED, 415, "unsupported", "Unsupported"),
	ROW(ERR_PRECONDITION, 412, "precondition", "Precondition failed"),
	ROW(ERR_PAYMENT, 402, "payment_required", "Plan does not include this feature"),
	ROW(ERR_UPSTREAM, 502, "upstream", "Upstream service failed"),
	ROW(ERR_UPSTREAM_PERM, 502, "upstream_permanent", "Upstream service refused"),
	ROW(ERR_TIMEOUT, 504, "timeout", "Timed out"),
	ROW(ERR_DB, 503, "database", "Database unavailable"),
	ROW(ERR_IO, 500, "io", "I/O error"),
	ROW(ERR_INTERNAL, 500, "internal", "Internal error"),
};
#undef ROW

static const struct problem_row *row_of(enum err code)
{
	if ((int)code <= 0 || code >= ERR__COUNT || !rows[code].type)
		return &rows[ERR_INTERNAL];
	return &rows[code];
}

int http_problem_status(enum err code) { return row_of(code)->status; }
const char *http_problem_title(enum err code) { return row_of(code)->title; }
const char *http_problem_type(enum err code) { return row_of(code)->type; }

static enum err field(struct buf *b, const char *key, const char *value)
{
	enum err e = buf_printf(b, ",\"%s\":", key);
	return e ? e : str_json_escape(b, value);
}

static enum err errors_write(struct buf *b, const struct http_request *req, enum err code,
			     const char *path, const char *detail)
{
	if (!req->n_field_errors && !(path && *path))
		return ERR_OK;
	enum err e = buf_puts(b, ",\"errors\":[");
	if (!req->n_field_errors) {
		e = e ? e : buf_puts(b, "{\"pointer\":");
		e = e ? e : str_json_escape(b, path);
		e = e ? e : field(b, "code", err_name(code));
		e = e ? e : field(b, "detail", detail);
		e = e ? e : buf_putc(b, '}');
	}
	for (size_t i = 0; !e && i < req->n_field_errors; i++) {
		const struct http_field_error *fe = &req->field_errors[i];
		e = buf_puts(b, i ? ",{\"pointer\":" : "{\"pointer\":");
		e = e ? e : str_json_escape(b, fe->pointer);
		e = e ? e : field(b, "code", fe->code);
		e = e ? e : field(b, "detail", fe->detail);
		e = e ? e : buf_putc(b, '}');
	}
	return e ? e : buf_putc(b, ']');
}

void http_respond_problem_status(struct http_response *res, int status, enum err code,
				 const struct errinfo *ei)
{
	struct http_request *req = res->req;
	const struct problem_row *row = row_of(code);
	if (!ei && req->err.code == code)
		ei = &req->err;
	const char *detail = ei && ei->message[0] ? ei->message : row->title;
	const char *path = ei ? ei->path : "";
	if (status >= 500) {
		/* Log the cause for operators; clients get a generic detail. */
		log_kv(LOG_ERROR, "request failed", "error", err_name(code), "detail", detail,
		       "where", ei && ei->file ? ei->file : "", NULL);
		detail = "The server could not complete the request; quote the request_id when reporting it.";
		path = "";
	}
	struct buf b;
	buf_init(&b, PROBLEM_BODY_MAX);
	enum err e = buf_puts(&b, "{\"type\":");
	e = e ? e : str_json_escape(&b, row->type);
	e = e ? e : field(&b, "title", row->title);
	e = e ? e : buf_printf(&b, ",\"status\":%d", status);
	e = e ? e : field(&b, "detail", detail);
	e = e ? e : field(&b, "instance", req->raw_path ? req->raw_path : "/");
	if (!e && status < 500)
		e = errors_write(&b, req, code, path, detail);
	e = e ? e : field(&b, "request_id", req->request_id);
	e = e ? e : buf_putc(&b, '}');
	if (e) { /* over the cap: drop the optional members */
		buf_reset(&b);
		RS_IGNORE(buf_printf(&b, "{\"type\":\"%s\",\"title\":\"%s\",\"status\":%d,\"request_id\":\"%s\"}",
				     row->type, row->title, status, req->request_id));
	}
	char *body = arena_strndup(req->arena, b.data, b.len);
	size_t len = b.len;
	buf_fini(&b);
	http_respond_body(res, status, "application/problem+json", body, len);
}

void http_respond_problem(struct http_response *res, enum err code, const struct errinfo *ei)
{
	http_respond_problem_status(res, http_problem_status(code), code, ei);
}
