/* auth_text.h — text checks and encodings of web/auth that need no HTTP types (the OIDC
 * client, which uses the HTTP client, includes this rather than auth.h). */
#ifndef RS_WEB_AUTH_TEXT_H
#define RS_WEB_AUTH_TEXT_H

#include <stdbool.h>

#include "base/arena.h"
#include "base/buf.h"

#define AUTH_EMAIL_MAX 254
#define AUTH_NEXT_MAX 512
#define AUTH_NEXT_SIZE (AUTH_NEXT_MAX + 1)

/* Normalise an email address typed by a person: trimmed, lower-cased (arena). NULL when
 * it is not one address (one @, no spaces or controls, a dot in the domain, <= 254). */
char *auth_email_normalize(struct arena *a, const char *in);

/* A safe place to go after sign-in: a local path ("/x?y") or "/" (never "//host",
 * "/\\host", control characters, or longer than AUTH_NEXT_MAX). */
const char *auth_next_path(const char *next);

/* true for text shaped like the tokens we send (43 base64url characters): anything else
 * is refused before a database lookup. */
bool auth_token_shape_ok(const char *t);

/* "Firefox on Windows" style label for emails (arena), or NULL when unknown. */
const char *auth_device_label(struct arena *a, const char *user_agent);

/* Percent-encode s for a query component into b (RFC 3986 unreserved kept). */
enum err auth_url_encode(struct buf *b, const char *s) RS_MUST_CHECK;

#endif
