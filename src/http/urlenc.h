/* urlenc.h — percent-decoding and application/x-www-form-urlencoded parsing (our own,
 * capped; no MHD_PostProcessor). Everything decoded lands in the caller's arena. */
#ifndef RS_HTTP_URLENC_H
#define RS_HTTP_URLENC_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/err.h"

/* One decoded name/value pair (query, form field, cookie, header, route param). */
struct http_kv {
	const char *name;
	const char *value;
};

/* Decode s[0..n) into a fresh NUL-terminated arena string. '%XX' becomes the byte,
 * '+' becomes a space when plus_space (query and form bodies, not paths).
 * ERR_MALFORMED (with *ei filled) on a bad escape, a decoded NUL byte, or invalid UTF-8.
 * *outlen may be NULL. */
enum err http_pct_decode(struct arena *a, const char *s, size_t n, bool plus_space, char **out,
			 size_t *outlen, struct errinfo *ei) RS_MUST_CHECK;

/* Parse "a=1&b=x+y" (s[0..n)) into an arena array of decoded pairs, in order. Empty pairs
 * are skipped; a pair without '=' has the value "". More than max_fields pairs →
 * ERR_TOO_LARGE; bad encoding → ERR_MALFORMED. what ("query", "form") names the input
 * in messages. */
enum err http_urlencoded_parse(struct arena *a, const char *s, size_t n, size_t max_fields,
			       const char *what, struct http_kv **out, size_t *count,
			       struct errinfo *ei) RS_MUST_CHECK;

/* First value of name in kv[0..n), NULL when absent. Names compare exactly, or
 * ASCII-case-insensitively when nocase. */
const char *http_kv_find(const struct http_kv *kv, size_t n, const char *name, bool nocase);

#endif
