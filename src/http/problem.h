/* problem.h — the ONE table from enum err (base/err.h) to HTTP status and RFC 9457
 * problem type, and the application/problem+json writer.
 *   type   = "https://radsched.dev/problems/<err_name(code)>"  (stable; never reuse)
 *   body   = {"type","title","status","detail","instance","errors"?,"request_id"}
 * For 5xx codes the detail sent is generic (the real message is logged with file:line),
 * so internals never leak to clients. */
#ifndef RS_HTTP_PROBLEM_H
#define RS_HTTP_PROBLEM_H

#include "base/err.h"

struct http_response;

#define HTTP_PROBLEM_BASE "https://radsched.dev/problems/"

int http_problem_status(enum err code);        /* ERR_OK and unknown codes → 500 */
const char *http_problem_title(enum err code); /* short, stable, for people */
/* "https://radsched.dev/problems/not_found"; static string. */
const char *http_problem_type(enum err code);

/* Write a problem for code. Detail and pointer come from ei (NULL: the request's err when
 * its code matches, else the title). "errors" lists the request's field errors, or the
 * single ei->path when there are none. Replaces any body the handler had written (keeps
 * its headers, e.g. Allow or WWW-Authenticate). */
void http_respond_problem(struct http_response *res, enum err code, const struct errinfo *ei);
/* Same with an explicit status for the few codes whose status depends on context
 * (e.g. 428 with ERR_PRECONDITION when a required If-Match is missing). */
void http_respond_problem_status(struct http_response *res, int status, enum err code,
				 const struct errinfo *ei);

#endif
