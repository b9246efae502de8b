#include "web/page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/platform.h"
#include "tmpl/tmpl.h"
#include "web/principal.h"
#include "web/roles.h"

static struct tmpl_set *pages;
static char pages_dir[1024];

static enum err load_page(void *arg, const char *name, char **src, size_t *len, struct errinfo *ei)
{
	(void)arg;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
			return err_set(ei, ERR_NOT_FOUND, name, "no page template %s", name);
	char path[1200];
	snprintf(path, sizeof path, "%s/%s.mustache", pages_dir, name);
	FILE *f = fopen(path, "rb");
	if (!f)
		return err_set(ei, ERR_NOT_FOUND, name, "no page template %s", name);
	struct buf b;
	buf_init(&b, TMPL_MAX_SOURCE);
	char chunk[8192];
	size_t n;
	enum err e = ERR_OK;
	while (!e && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
		e = buf_append(&b, chunk, n);
	fclose(f);
	if (e) {
		buf_fini(&b);
		return err_set(ei, e, name, "page template %s is too large", name);
	}
	*src = buf_steal(&b, len);
	return ERR_OK;
}

enum err web_pages_init(const char *share_dir, struct errinfo *ei)
{
	(void)ei;
	snprintf(pages_dir, sizeof pages_dir, "%s/templates/pages", share_dir);
	if (!pages)
		pages = tmpl_set_new(load_page, NULL);
	return ERR_OK;
}

void web_pages_fini(void)
{
	tmpl_set_free(pages);
	pages = NULL;
}

enum err web_page(struct http_request *req, struct http_response *res, int status, const char *name, json_t *data)
{
	struct platform *pf = req->app;
	const struct tmpl *t;
	enum err e = tmpl_set_get(pages, name, &t, &req->err);
	if (e)
		return e == ERR_NOT_FOUND ? err_set(&req->err, ERR_INTERNAL, "", "page template %s missing", name) : e;
	json_t *ctx = data ? json_incref(data) : json_object();
	const struct principal *p = web_principal(req);
	if (p)
		json_object_set_new(ctx, "me",
				    json_pack("{s:s, s:s, s:s, s:s, s:b, s:b}", "name", p->name, "email", p->email, "role",
					      role_name(p->role), "tenant", p->tenant_slug, "is_admin",
					      p->role >= ROLE_ADMIN, "is_chief", p->role >= ROLE_CHIEF));
	if (p && p->csrf[0])
		json_object_set_new(ctx, "csrf", json_string(p->csrf));
	json_object_set_new(ctx, "base_url", json_string(pf->base_url));
	struct buf b;
	buf_init(&b, TMPL_MAX_OUTPUT);
	struct tmpl_render_opts opts = {.partial = tmpl_set_partial, .partial_arg = pages};
	e = tmpl_render(t, ctx, &opts, &b, &req->err);
	json_decref(ctx);
	if (!e) {
		char *html = arena_strndup(req->arena, b.data, b.len);
		http_respond_body(res, status, "text/html; charset=utf-8", html, b.len);
	}
	buf_fini(&b);
	return e;
}
