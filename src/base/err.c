#include "base/err.h"

#include <stdio.h>
#include <string.h>

static const char *const names[ERR__COUNT] = {
	[ERR_OK] = "ok", [ERR_INVALID] = "invalid", [ERR_MALFORMED] = "malformed",
	[ERR_UNKNOWN_FIELD] = "unknown_field", [ERR_TOO_LARGE] = "too_large",
	[ERR_NOT_FOUND] = "not_found", [ERR_METHOD] = "method_not_allowed",
	[ERR_CONFLICT] = "conflict", [ERR_UNAUTHORIZED] = "unauthorized",
	[ERR_FORBIDDEN] = "forbidden", [ERR_RATE_LIMITED] = "rate_limited",
	[ERR_UNSUPPORTED] = "unsupported", [ERR_PRECONDITION] = "precondition",
	[ERR_PAYMENT] = "payment_required", [ERR_UPSTREAM] = "upstream",
	[ERR_UPSTREAM_PERM] = "upstream_permanent", [ERR_TIMEOUT] = "timeout",
	[ERR_DB] = "database", [ERR_IO] = "io", [ERR_INTERNAL] = "internal",
};

const char *err_name(enum err code)
{
	return (code >= 0 && code < ERR__COUNT && names[code]) ? names[code] : "internal";
}

enum err err_set_at(struct errinfo *ei, enum err code, const char *path, const char *file, int line,
		    const char *fmt, ...)
{
	if (!ei)
		return code;
	ei->code = code;
	ei->file = file;
	ei->line = line;
	snprintf(ei->path, sizeof ei->path, "%s", path ? path : "");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ei->message, sizeof ei->message, fmt, ap);
	va_end(ap);
	return code;
}

void err_clear(struct errinfo *ei)
{
	if (ei)
		memset(ei, 0, sizeof *ei);
}
