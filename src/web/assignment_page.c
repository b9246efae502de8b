/* The page of one published assignment — the URL every ICS event carries (docs/ics.md):
 *   GET /assignments/{id}   RAD: any signed-in member of the department; the published
 *                           schedule is the department's (docs/api.md: assignments are
 *                           readable by RAD), so a colleague's shift opens too
 * Shows the shift's name and code, the day, the wall-clock times in the department's zone
 * with the zone's name (or "all day"), the person ("your shift" for the caller's own), the
 * period and the published revision (the ICS SEQUENCE + 1), with a link back to /calendar.
 * A malformed or unknown id, another tenant's assignment (invisible under RLS) and one that
 * is no longer published all answer the same 404 problem. Anonymous visitors never reach
 * the handler: the deny hook sends them through /auth/refresh to sign in. */
#include <jansson.h>
#include <string.h>

#include "base/strutil.h"
#include "domain/platform.h"
#include "domain/published_event.h"
#include "web/page.h"
#include "web/principal.h"
#include "web/roles.h"
#include "web/routes.h"

struct load {
	struct arena *arena; /* the request's */
	const char *id;
	struct published_event ev;
};

static enum err load_tx(struct db *db, void *arg, struct errinfo *ei)
{
	struct load *l = arg;
	return published_event_get(db, l->arena, l->id, &l->ev, ei);
}

/* The event as template data; strings that may be absent become null. */
static json_t *event_json(const struct published_event *ev, bool mine)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s?, s:s?, s:s?, s:s, s:s?, s:i, s:b}", "shift_name",
			 ev->shift_name, "shift_code", ev->shift_code, "day", ev->day, "day_label", ev->day_label,
			 "timezone", ev->timezone, "person", ev->person, "all_day", ev->all_day, "start_time",
			 ev->start_time, "end_time", ev->end_time, "end_day_label", ev->end_day_label, "assignment_id",
			 ev->assignment_id, "period", ev->period, "revision", ev->sequence + 1, "mine", mine);
}

static enum err page(struct http_request *req, struct http_response *res)
{
	const struct principal *p = web_principal(req);
	const struct platform *pf = req->app;
	const char *id = http_param(req, "id");
	if (!id || !str_is_uuid(id))
		return err_set(&req->err, ERR_NOT_FOUND, "", "no such published assignment");
	struct load l = {.arena = req->arena, .id = id};
	struct db_ctx ctx = web_db_ctx(req);
	struct errinfo ei = {0};
	enum err e = db_with_tx(pf->pool, &ctx, load_tx, &l, &ei);
	if (e)
		return err_set(&req->err, e, ei.path, "%s", ei.message);
	bool mine = p && !strcmp(p->user_id, l.ev.user_id);
	json_t *ev = event_json(&l.ev, mine);
	if (!ev)
		return err_set(&req->err, ERR_INTERNAL, "", "assignment page data");
	json_t *d = json_pack("{s:s, s:o}", "title", l.ev.shift_name, "event", ev);
	e = web_page(req, res, 200, "assignment", d);
	json_decref(d);
	return e;
}

static const struct http_route routes[] = {
	{.method = "GET", .pattern = "/assignments/{id}", .min_role = ROLE_RAD, .handler = page},
};

WEB_ROUTES(assignment_page, routes)
