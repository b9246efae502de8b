/* static.h — serve files under one directory: content types, ETag (inode, size, mtime),
 * Cache-Control (long and immutable for fingerprinted names like app.3f9a1c2e.css),
 * 304 on If-None-Match, HEAD through the router. Refuses (404) "..", ".", empty and
 * dot-file segments, backslashes, and anything whose real path leaves the directory
 * (symlinks out). */
#ifndef RS_HTTP_STATIC_H
#define RS_HTTP_STATIC_H

#include "base/err.h"
#include "http/request.h"
#include "http/response.h"

#define HTTP_STATIC_MAX_AGE_DEFAULT 300            /* seconds, plain names */
#define HTTP_STATIC_MAX_AGE_IMMUTABLE 31536000     /* seconds, fingerprinted names */

struct http_static;

/* root: a directory (relative to the working directory or absolute); max_age_s 0 = the
 * default. ERR_NOT_FOUND (detail in *ei) when root is not a directory. */
enum err http_static_new(const char *root, unsigned max_age_s, struct http_static **out,
			 struct errinfo *ei) RS_MUST_CHECK;
void http_static_free(struct http_static *st);

/* Answer with the file at relpath (decoded, '/'-separated, relative to root), or return
 * ERR_NOT_FOUND with the detail in req->err. */
enum err http_static_serve(const struct http_static *st, struct http_request *req,
			   struct http_response *res, const char *relpath) RS_MUST_CHECK;

/* Route handler: route->data is the struct http_static *, the pattern ends with a
 * {*wildcard} naming the file, e.g.
 *   {.method = "GET", .pattern = "/static/{*file}", .min_role = ROLE_PUBLIC,
 *    .handler = http_static_handler, .data = st}                                   */
enum err http_static_handler(struct http_request *req, struct http_response *res);

/* true for names carrying a content hash: a '.'- or '-'-separated run of >= 8 hex digits
 * followed by '.', e.g. "app.3f9a1c2e.css", "logo-0a1b2c3d4e.svg". */
bool http_static_is_fingerprinted(const char *name);

#endif
