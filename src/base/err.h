/* err.h — the one error type of radsched.
 * Every fallible function returns enum err (marked RS_MUST_CHECK); the detail (human
 * message, JSON Pointer / option path, source location) goes into a struct errinfo the
 * caller owns (request or job context). web/problem.c maps codes to HTTP status and
 * RFC 9457 problem types; cmd maps them to exit statuses. */
#ifndef RS_BASE_ERR_H
#define RS_BASE_ERR_H

#include <stdarg.h>
#include <stddef.h>

#define RS_MUST_CHECK __attribute__((warn_unused_result))
#define RS_PRINTF(a, b) __attribute__((format(printf, a, b)))
/* Deliberately ignore an error (say why in a comment at the call). */
#define RS_IGNORE(expr)                      \
	do {                                 \
		enum err rs_ignored_ = (expr); \
		(void)rs_ignored_;           \
	} while (0)

enum err {
	ERR_OK = 0,
	ERR_INVALID,        /* bad input: 400/422, exit 2 */
	ERR_MALFORMED,      /* body not parseable (bad JSON, bad encoding): 400 */
	ERR_UNKNOWN_FIELD,  /* a field the schema does not know: 400 */
	ERR_TOO_LARGE,      /* over a cap: 413 */
	ERR_NOT_FOUND,      /* 404 */
	ERR_METHOD,         /* 405 */
	ERR_CONFLICT,       /* stale version, duplicate: 409 */
	ERR_UNAUTHORIZED,   /* 401 */
	ERR_FORBIDDEN,      /* 403 */
	ERR_RATE_LIMITED,   /* 429 */
	ERR_UNSUPPORTED,    /* 415 / feature off */
	ERR_PRECONDITION,   /* 412 / 428 */
	ERR_PAYMENT,        /* 402: plan does not include the feature */
	ERR_UPSTREAM,       /* a provider failed, retryable: 502 */
	ERR_UPSTREAM_PERM,  /* a provider refused permanently */
	ERR_TIMEOUT,        /* 504 */
	ERR_DB,             /* database failure: 500/503 */
	ERR_IO,             /* file or socket failure */
	ERR_INTERNAL,       /* a bug: 500 */
	ERR__COUNT
};

struct errinfo {
	enum err code;
	char message[512];  /* for people: what is wrong and how to fix it */
	char path[256];     /* JSON Pointer or option name; empty when none */
	const char *file;   /* where it was raised */
	int line;
};

/* Stable lower-case name of a code ("invalid", "not_found", ...). */
const char *err_name(enum err code);

/* Fill *ei (may be NULL) and return code, so callers write
 *   return err_set(ei, ERR_INVALID, "/shiftTypes/0/code", "must not be empty");  */
#define err_set(ei, code, path, ...) err_set_at((ei), (code), (path), __FILE__, __LINE__, __VA_ARGS__)
enum err err_set_at(struct errinfo *ei, enum err code, const char *path, const char *file, int line,
		    const char *fmt, ...) RS_PRINTF(6, 7);
void err_clear(struct errinfo *ei);

#endif
