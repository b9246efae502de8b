/* The role × route permission matrix, from the router itself. */
#include <stdlib.h>
#include <string.h>

#include "base/strutil.h"
#include "web/auth/auth_routes.h"
#include "web/roles.h"

static int cmp(const void *x, const void *y)
{
	const struct http_route *a = *(const struct http_route *const *)x, *b = *(const struct http_route *const *)y;
	int c = strcmp(a->pattern, b->pattern);
	return c ? c : strcmp(a->method, b->method);
}

/* Routes sorted (caller frees the array). */
static const struct http_route **sorted(const struct http_router *r, size_t *n)
{
	const struct http_route *all = http_router_routes(r, n);
	const struct http_route **s = xcalloc(*n ? *n : 1, sizeof *s);
	for (size_t i = 0; i < *n; i++)
		s[i] = &all[i];
	qsort(s, *n, sizeof *s, cmp);
	return s;
}

enum err web_route_matrix_markdown(const struct http_router *r, struct buf *out)
{
	size_t n;
	const struct http_route **s = sorted(r, &n);
	enum err e = buf_puts(out, "| Method | Path | Minimum role | PUBLIC | RAD | CHIEF | ADMIN | SUPER_ADMIN |\n"
				   "|---|---|---|:-:|:-:|:-:|:-:|:-:|\n");
	for (size_t i = 0; !e && i < n; i++) {
		e = buf_printf(out, "| %s | `%s` | %s |", s[i]->method, s[i]->pattern, role_name(s[i]->min_role));
		for (int role = ROLE_PUBLIC; !e && role <= ROLE_SUPER_ADMIN; role++)
			e = buf_puts(out, role >= s[i]->min_role ? " ✓ |" : " – |");
		if (!e)
			e = buf_putc(out, '\n');
	}
	free(s);
	return e;
}

enum err web_route_matrix_json(const struct http_router *r, struct buf *out)
{
	size_t n;
	const struct http_route **s = sorted(r, &n);
	enum err e = buf_putc(out, '[');
	for (size_t i = 0; !e && i < n; i++) {
		e = buf_printf(out, "%s{\"method\":", i ? "," : "");
		if (!e)
			e = str_json_escape(out, s[i]->method);
		if (!e)
			e = buf_puts(out, ",\"path\":");
		if (!e)
			e = str_json_escape(out, s[i]->pattern);
		if (!e)
			e = buf_printf(out, ",\"min_role\":\"%s\"}", role_name(s[i]->min_role));
	}
	if (!e)
		e = buf_puts(out, "]\n");
	free(s);
	return e;
}
