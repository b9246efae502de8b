/* The person's calendar links (docs/ics.md):
 *   GET  /calendar                           page: my feed URL (https and webcal) with copy
 *                                            buttons and a rotate button; the master feed for
 *                                            chiefs and admins; rotate master / all for admins
 *   POST /calendar/rotate                    form (CSRF): feed=me | master | all
 *   GET  /api/v1/me/calendar                 {"feed": {url, webcal}, "master"?: {url, webcal}}
 *   POST /api/v1/me/calendar/rotate          new link for my feed
 *   POST /api/v1/calendar/master/rotate      new link for the master feed (ADMIN)
 *   POST /api/v1/calendar/people/{id}/rotate new link for one person's feed (ADMIN)
 *   POST /api/v1/calendar/rotate-all         new links for every feed of the tenant (ADMIN)
 * Rotation takes effect when its transaction commits: the old URL answers 404. Reading a
 * link creates the feed's token row the first time (feeds_link_get). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strutil.h"
#include "domain/feeds.h"
#include "domain/feeds_cache.h"
#include "domain/platform.h"
#include "web/page.h"
#include "web/principal.h"
#include "web/roles.h"
#include "web/routes.h"

enum op { OP_READ, OP_ROTATE_ME, OP_ROTATE_MASTER, OP_ROTATE_USER, OP_ROTATE_ALL };

struct links {
	const struct platform *pf;
	enum op op;
	const char *user_id;  /* the caller, or the person (OP_ROTATE_USER) */
	bool want_master;
	struct feed_link me, master;
	bool has_me, has_master;
	int rotated;
};

static enum err links_tx(struct db *db, void *arg, struct errinfo *ei)
{
	struct links *l = arg;
	struct arena *a = arena_new(0);
	const char *s = l->pf->secret, *b = l->pf->base_url;
	enum err e = ERR_OK;
	switch (l->op) {
	case OP_ROTATE_ALL:
		e = feeds_rotate_all(db, a, s, &l->rotated, ei);
		break;
	case OP_ROTATE_ME:
	case OP_ROTATE_USER:
		e = feeds_rotate(db, a, s, b, l->user_id, &l->me, ei);
		l->rotated = 1;
		l->has_me = true;
		break;
	case OP_ROTATE_MASTER:
		e = feeds_rotate(db, a, s, b, FEED_MASTER, &l->master, ei);
		l->rotated = 1;
		l->has_master = true;
		break;
	case OP_READ:
		break;
	}
	if (!e && !l->has_me && l->user_id && l->op != OP_ROTATE_MASTER) {
		e = feeds_link_get(db, a, s, b, l->user_id, &l->me, ei);
		l->has_me = true;
	}
	if (!e && l->want_master && !l->has_master) {
		e = feeds_link_get(db, a, s, b, FEED_MASTER, &l->master, ei);
		l->has_master = true;
	}
	arena_free(a);
	return e;
}

/* Run l in the caller's transaction; a rotation makes this process's cached feeds stale at
 * once (other processes hear it through NOTIFY). */
static enum err run(struct http_request *req, struct links *l)
{
	l->pf = req->app;
	struct db_ctx ctx = web_db_ctx(req);
	struct errinfo ei = {0};
	enum err e = db_with_tx(l->pf->pool, &ctx, links_tx, l, &ei);
	if (!e && l->op != OP_READ)
		feeds_cache_invalidate();
	if (e)
		return err_set(&req->err, e, ei.path, "%s", ei.message);
	return ERR_OK;
}

static json_t *link_json(const struct feed_link *k)
{
	return json_pack("{s:s, s:s}", "url", k->https, "webcal", k->webcal);
}

static enum err answer(struct http_response *res, const struct links *l)
{
	json_t *j = json_object();
	if (l->has_me)
		json_object_set_new(j, "feed", link_json(&l->me));
	if (l->has_master)
		json_object_set_new(j, "master", link_json(&l->master));
	if (l->op == OP_ROTATE_ALL)
		json_object_set_new(j, "rotated", json_integer(l->rotated));
	char *text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	http_respond_json(res, 200, text);
	free(text);
	return ERR_OK;
}

static enum err api_me(struct http_request *req, struct http_response *res)
{
	const struct principal *p = web_principal(req);
	struct links l = {.op = OP_READ, .user_id = p->user_id, .want_master = p->role >= ROLE_CHIEF};
	enum err e = run(req, &l);
	return e ? e : answer(res, &l);
}

static enum err api_rotate_me(struct http_request *req, struct http_response *res)
{
	const struct principal *p = web_principal(req);
	struct links l = {.op = OP_ROTATE_ME, .user_id = p->user_id};
	enum err e = run(req, &l);
	return e ? e : answer(res, &l);
}

static enum err api_rotate_master(struct http_request *req, struct http_response *res)
{
	struct links l = {.op = OP_ROTATE_MASTER};
	enum err e = run(req, &l);
	return e ? e : answer(res, &l);
}

static enum err api_rotate_user(struct http_request *req, struct http_response *res)
{
	const char *id = http_param(req, "id");
	if (!id || !str_is_uuid(id))
		return err_set(&req->err, ERR_NOT_FOUND, "", "no such person");
	struct links l = {.op = OP_ROTATE_USER, .user_id = id};
	enum err e = run(req, &l);
	return e ? e : answer(res, &l);
}

static enum err api_rotate_all(struct http_request *req, struct http_response *res)
{
	struct links l = {.op = OP_ROTATE_ALL};
	enum err e = run(req, &l);
	return e ? e : answer(res, &l);
}

/* ---- the page ------------------------------------------------------------------------ */

static enum err page(struct http_request *req, struct http_response *res)
{
	const struct principal *p = web_principal(req);
	struct links l = {.op = OP_READ, .user_id = p->user_id, .want_master = p->role >= ROLE_CHIEF};
	enum err e = run(req, &l);
	if (e)
		return e;
	json_t *d = json_pack("{s:s, s:o, s:b}", "title", "My calendar", "feed", link_json(&l.me), "is_admin",
			      p->role >= ROLE_ADMIN);
	if (l.has_master)
		json_object_set_new(d, "master", link_json(&l.master));
	const char *rotated = http_query_get(req, "rotated");
	if (rotated && (!strcmp(rotated, "me") || !strcmp(rotated, "master") || !strcmp(rotated, "all"))) {
		char key[32];
		snprintf(key, sizeof key, "rotated_%s", rotated);
		json_object_set_new(d, key, json_true());
	}
	e = web_page(req, res, 200, "calendar", d);
	json_decref(d);
	return e;
}

static enum err page_rotate(struct http_request *req, struct http_response *res)
{
	const struct principal *p = web_principal(req);
	const char *which = http_form_get(req, "feed");
	struct links l = {0};
	if (which && !strcmp(which, "me")) {
		l.op = OP_ROTATE_ME;
		l.user_id = p->user_id;
	} else if (which && (!strcmp(which, "master") || !strcmp(which, "all"))) {
		if (p->role < ROLE_ADMIN)
			return err_set(&req->err, ERR_FORBIDDEN, "feed", "only an admin can rotate the %s feed links", which);
		l.op = which[0] == 'm' ? OP_ROTATE_MASTER : OP_ROTATE_ALL;
	} else {
		return err_set(&req->err, ERR_INVALID, "feed", "feed must be me, master or all");
	}
	enum err e = run(req, &l);
	if (e)
		return e;
	char *loc = arena_sprintf(req->arena, "/calendar?rotated=%s", which);
	return http_respond_redirect(res, loc);
}

static const struct http_route routes[] = {
	{.method = "GET", .pattern = "/calendar", .min_role = ROLE_RAD, .handler = page},
	{.method = "POST", .pattern = "/calendar/rotate", .min_role = ROLE_RAD, .handler = page_rotate},
	{.method = "GET", .pattern = "/api/v1/me/calendar", .min_role = ROLE_RAD, .handler = api_me},
	{.method = "POST", .pattern = "/api/v1/me/calendar/rotate", .min_role = ROLE_RAD, .handler = api_rotate_me},
	{.method = "POST", .pattern = "/api/v1/calendar/master/rotate", .min_role = ROLE_ADMIN, .handler = api_rotate_master},
	{.method = "POST", .pattern = "/api/v1/calendar/people/{id}/rotate", .min_role = ROLE_ADMIN,
	 .handler = api_rotate_user},
	{.method = "POST", .pattern = "/api/v1/calendar/rotate-all", .min_role = ROLE_ADMIN, .handler = api_rotate_all},
};

WEB_ROUTES(calendar, routes)
