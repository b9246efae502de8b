/* json_parse.h — the one way radsched reads JSON text from outside.
 * Strict policy: duplicate object keys, trailing garbage, invalid UTF-8, "\u0000",
 * integers beyond int64 and nesting deeper than caps->max_depth are all rejected;
 * the error message names line and column. Any JSON value is accepted at the top
 * (callers check the type they want). */
#ifndef RS_JSON_PARSE_H
#define RS_JSON_PARSE_H

#include <jansson.h>
#include <stddef.h>

#include "base/err.h"

struct json_caps {
	size_t max_bytes; /* 0 = JSON_DEFAULT_MAX_BYTES */
	int max_depth;    /* 0 = JSON_DEFAULT_MAX_DEPTH; nesting of arrays/objects */
};

#define JSON_DEFAULT_MAX_BYTES ((size_t)1 << 20) /* 1 MiB */
#define JSON_DEFAULT_MAX_DEPTH 64

/* Parse text[0..len). On success *out is a new reference the caller decrefs.
 * Errors: ERR_TOO_LARGE (size or depth cap), ERR_MALFORMED (syntax, encoding,
 * duplicate key), with ei->message like "line 3, column 12: duplicate object key".
 * caps may be NULL (defaults). *out is NULL on failure. */
enum err json_parse_strict(const char *text, size_t len, const struct json_caps *caps, json_t **out,
			   struct errinfo *ei) RS_MUST_CHECK;

#endif
