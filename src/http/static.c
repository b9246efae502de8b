#include "http/static.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/arena.h"
#include "http/router.h"

struct http_static {
	char *root; /* realpath, no trailing '/' */
	size_t root_len;
	unsigned max_age;
};

static const struct {
	const char *ext, *type;
} types[] = {
	{".css", "text/css; charset=utf-8"},
	{".js", "text/javascript; charset=utf-8"},
	{".mjs", "text/javascript; charset=utf-8"},
	{".html", "text/html; charset=utf-8"},
	{".txt", "text/plain; charset=utf-8"},
	{".json", "application/json"},
	{".map", "application/json"},
	{".webmanifest", "application/manifest+json"},
	{".svg", "image/svg+xml"},
	{".png", "image/png"},
	{".jpg", "image/jpeg"},
	{".jpeg", "image/jpeg"},
	{".gif", "image/gif"},
	{".webp", "image/webp"},
	{".ico", "image/vnd.microsoft.icon"},
	{".woff2", "font/woff2"},
	{".woff", "font/woff"},
	{".pdf", "application/pdf"},
	{".ics", "text/calendar; charset=utf-8"},
};

static const char *content_type(const char *name)
{
	const char *dot = strrchr(name, '.');
	for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
		if (!strcasecmp(dot, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}

enum err http_static_new(const char *root, unsigned max_age_s, struct http_static **out,
			 struct errinfo *ei)
{
	char *real = realpath(root, NULL);
	struct stat sb;
	if (!real || stat(real, &sb) || !S_ISDIR(sb.st_mode)) {
		free(real);
		return err_set(ei, ERR_NOT_FOUND, "static_dir", "%s is not a directory", root);
	}
	struct http_static *st = xcalloc(1, sizeof *st);
	st->root = real;
	st->root_len = strlen(real);
	while (st->root_len > 1 && real[st->root_len - 1] == '/')
		real[--st->root_len] = 0;
	st->max_age = max_age_s ? max_age_s : HTTP_STATIC_MAX_AGE_DEFAULT;
	*out = st;
	return ERR_OK;
}

void http_static_free(struct http_static *st)
{
	if (!st)
		return;
	free(st->root);
	free(st);
}

bool http_static_is_fingerprinted(const char *name)
{
	for (const char *p = name; *p; p++) {
		if (*p != '.' && *p != '-')
			continue;
		size_t n = 0;
		while (p[1 + n] && strchr("0123456789abcdefABCDEF", p[1 + n]))
			n++;
		if (n >= 8 && p[1 + n] == '.')
			return true;
	}
	return false;
}

/* Each segment non-empty, not "." / "..", not a dot-file, no backslash (NUL cannot occur:
 * the request decoder refuses it). */
static bool relpath_ok(const char *rel)
{
	if (!rel || !*rel || strlen(rel) > 1024)
		return false;
	const char *p = rel;
	for (;;) {
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == 0 || p[0] == '.' || memchr(p, '\\', len))
			return false;
		if (!end)
			return true;
		p = end + 1;
	}
}

enum err http_static_serve(const struct http_static *st, struct http_request *req,
			   struct http_response *res, const char *relpath)
{
	if (!relpath_ok(relpath))
		return err_set(&req->err, ERR_NOT_FOUND, "", "no file at %s", req->path);
	char *full = arena_sprintf(req->arena, "%s/%s", st->root, relpath);
	char *real = realpath(full, NULL);
	bool inside = real && !strncmp(real, st->root, st->root_len) && real[st->root_len] == '/';
	int fd = inside ? open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW) : -1;
	free(real);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
		if (fd >= 0)
			close(fd);
		return err_set(&req->err, ERR_NOT_FOUND, "", "no file at %s", req->path);
	}
	char etag[96];
	snprintf(etag, sizeof etag, "\"%llx-%llx-%llx.%lx\"", (unsigned long long)sb.st_ino,
		 (unsigned long long)sb.st_size, (unsigned long long)sb.st_mtim.tv_sec,
		 (unsigned long)sb.st_mtim.tv_nsec);
	const char *name = strrchr(relpath, '/') ? strrchr(relpath, '/') + 1 : relpath;
	const char *cc = http_static_is_fingerprinted(name)
				 ? arena_sprintf(req->arena, "public, max-age=%d, immutable", HTTP_STATIC_MAX_AGE_IMMUTABLE)
				 : arena_sprintf(req->arena, "public, max-age=%u", st->max_age);
	const char *inm = http_header_get(req, "If-None-Match");
	/* MHD sends a 304 like a HEAD answer: Content-Length of the full file, no body (RFC
	 * 9110 §8.6 forbids any other length), and never reads the file. */
	bool fresh = inm && http_etag_listed(inm, etag);
	http_respond_fd(res, fresh ? 304 : 200, fresh ? NULL : content_type(name), fd, (uint64_t)sb.st_size);
	enum err e = http_set_header(res, "ETag", etag);
	e = e ? e : http_set_header(res, "Cache-Control", cc);
	return e;
}

enum err http_static_handler(struct http_request *req, struct http_response *res)
{
	const struct http_static *st = req->route ? req->route->data : NULL;
	if (!st || !req->n_params)
		return err_set(&req->err, ERR_INTERNAL, "", "static route without directory or {*file} parameter");
	return http_static_serve(st, req, res, req->params[req->n_params - 1].value);
}
