/* The people admin page (ADMIN):
 *   GET  /admin/people                     people, open invitations, the invite form
 *   POST /admin/people/invite              invite (email, name, role, is_fellow)
 *   POST /admin/people/{id}/role           change role / fellow flag
 *   POST /admin/people/{id}/deactivate     deactivate (ends sessions, API tokens stop working)
 *   POST /admin/people/{id}/reactivate
 *   POST /admin/invitations/{id}/revoke    withdraw an open invitation
 * Forms carry the CSRF token; failures re-render the page with the message (4xx). */
#include <string.h>

#include "base/strutil.h"
#include "web/auth/auth.h"
#include "web/auth/auth_invite.h"
#include "web/auth/auth_people.h"
#include "web/page.h"
#include "web/principal.h"
#include "web/roles.h"
#include "web/routes.h"

struct page_data {
	json_t *people, *invites;
};

static enum err load_tx(struct db *db, void *arg, struct errinfo *ei)
{
	struct page_data *d = arg;
	struct arena *a = arena_new(0);
	enum err e = auth_people_list(db, a, &d->people, ei);
	if (!e)
		e = auth_invites_list(db, a, &d->invites, ei);
	arena_free(a);
	return e;
}

static const char *const role_values[] = {"RAD", "CHIEF", "ADMIN", "SUPER_ADMIN"};

static json_t *role_options(const char *current, bool super)
{
	json_t *o = json_array();
	for (size_t i = 0; i < 4; i++) {
		if (i == 3 && !super && strcmp(current, "SUPER_ADMIN"))
			continue;
		json_array_append_new(o, json_pack("{s:s, s:s, s:b}", "value", role_values[i], "label",
						   auth_role_label(role_values[i], false), "selected", !strcmp(current, role_values[i])));
	}
	return o;
}

/* Render the page; form (may be NULL) refills the invite form after a refusal. */
static enum err render(struct http_request *req, struct http_response *res, int status, const char *error,
		       json_t *form)
{
	struct platform *pf = req->app;
	const struct principal *me = web_principal(req);
	struct page_data d = {0};
	struct errinfo ei = {0};
	struct db_ctx ctx = web_db_ctx(req);
	enum err e = db_with_tx(pf->pool, &ctx, load_tx, &d, &ei);
	if (e) {
		json_decref(d.people);
		json_decref(d.invites);
		return err_set(&req->err, e, "", "%s", ei.message);
	}
	bool super = me->role >= ROLE_SUPER_ADMIN;
	size_t i;
	json_t *p;
	json_array_foreach(d.people, i, p)
	{
		const char *role = json_string_value(json_object_get(p, "role"));
		const char *id = json_string_value(json_object_get(p, "id"));
		json_object_set_new(p, "role_label", json_string(auth_role_label(role, json_is_true(json_object_get(p, "is_fellow")))));
		json_object_set_new(p, "roles", role_options(role, super));
		bool self = !strcmp(id, me->user_id);
		json_object_set_new(p, "is_self", json_boolean(self));
		json_object_set_new(p, "editable", json_boolean(!self && (super || strcmp(role, "SUPER_ADMIN"))));
	}
	json_array_foreach(d.invites, i, p)
	json_object_set_new(p, "role_label", json_string(auth_role_label(json_string_value(json_object_get(p, "role")),
									 json_is_true(json_object_get(p, "is_fellow")))));
	static const char *const done[][2] = {{"invited", "Invitation sent."},     {"role", "Role changed; their sessions ended."},
					      {"deactivated", "Deactivated; their sessions ended."},
					      {"reactivated", "Reactivated."}, {"revoked", "Invitation withdrawn."}};
	const char *notice = NULL, *q = http_query_get(req, "done");
	for (size_t k = 0; q && k < sizeof done / sizeof done[0]; k++)
		if (!strcmp(q, done[k][0]))
			notice = done[k][1];
	json_t *data = json_pack("{s:s, s:o, s:o, s:o, s:b}", "title", "People", "people", d.people, "invitations", d.invites,
				 "invite_roles", role_options("RAD", false), "has_invitations", json_array_size(d.invites) > 0);
	if (notice)
		json_object_set_new(data, "notice", json_string(notice));
	if (error)
		json_object_set_new(data, "error", json_string(error));
	if (form)
		json_object_set(data, "form", form);
	e = web_page(req, res, status, "people", data);
	json_decref(data);
	return e;
}

static enum err people_page(struct http_request *req, struct http_response *res) { return render(req, res, 200, NULL, NULL); }

static int status_of(enum err e)
{
	return e == ERR_NOT_FOUND ? 404 : e == ERR_FORBIDDEN ? 403 : e == ERR_CONFLICT ? 409 : 422;
}

struct invite_arg {
	const struct platform *pf;
	struct auth_invite_in in;
	char id[37];
};

static enum err invite_tx(struct db *db, void *arg, struct errinfo *ei)
{
	struct invite_arg *ia = arg;
	struct arena *a = arena_new(0);
	enum err e = auth_invite_create(ia->pf, db, a, &ia->in, ia->id, ei);
	arena_free(a);
	return e;
}

static enum err invite(struct http_request *req, struct http_response *res)
{
	const struct principal *me = web_principal(req);
	const char *email = http_form_get(req, "email"), *name = http_form_get(req, "name"), *role = http_form_get(req, "role");
	struct invite_arg ia = {.pf = req->app,
				.in = {.email = email, .name = name, .role = role ? role : "RAD",
				       .is_fellow = http_form_get(req, "is_fellow") != NULL, .inviter_id = me->user_id}};
	struct errinfo ei = {0};
	struct db_ctx ctx = web_db_ctx(req);
	enum err e = db_with_tx(((struct platform *)req->app)->pool, &ctx, invite_tx, &ia, &ei);
	if (e == ERR_INVALID || e == ERR_CONFLICT || e == ERR_NOT_FOUND) {
		json_t *form = json_pack("{s:s, s:s}", "email", email && strlen(email) < 300 ? email : "", "name",
					 name && strlen(name) < 300 ? name : "");
		enum err r = render(req, res, status_of(e), ei.message, form);
		json_decref(form);
		return r;
	}
	if (e)
		return err_set(&req->err, e, "", "%s", ei.message);
	return http_respond_redirect(res, "/admin/people?done=invited");
}

struct change_arg {
	const struct principal *me;
	const char *id;
	struct auth_access_change c;
};

static enum err change_tx(struct db *db, void *arg, struct errinfo *ei)
{
	struct change_arg *ca = arg;
	struct arena *a = arena_new(0);
	json_t *p = NULL;
	enum err e = auth_access_change(db, a, ca->me, ca->id, &ca->c, &p, ei);
	json_decref(p);
	arena_free(a);
	return e;
}

static enum err change(struct http_request *req, struct http_response *res, struct auth_access_change c, const char *done)
{
	struct change_arg ca = {.me = web_principal(req), .id = http_param(req, "id"), .c = c};
	struct errinfo ei = {0};
	struct db_ctx ctx = web_db_ctx(req);
	enum err e = db_with_tx(((struct platform *)req->app)->pool, &ctx, change_tx, &ca, &ei);
	if (e == ERR_INVALID || e == ERR_CONFLICT || e == ERR_NOT_FOUND || e == ERR_FORBIDDEN)
		return render(req, res, status_of(e), ei.message, NULL);
	if (e)
		return err_set(&req->err, e, "", "%s", ei.message);
	return http_respond_redirect(res, done);
}

static enum err set_role(struct http_request *req, struct http_response *res)
{
	const char *role = http_form_get(req, "role");
	if (!role)
		return render(req, res, 422, "Choose a role.", NULL);
	return change(req, res, (struct auth_access_change){.role = role, .is_fellow = http_form_get(req, "is_fellow") != NULL,
							    .active = -1},
		      "/admin/people?done=role");
}

static enum err deactivate(struct http_request *req, struct http_response *res)
{
	return change(req, res, (struct auth_access_change){.is_fellow = -1, .active = 0}, "/admin/people?done=deactivated");
}

static enum err reactivate(struct http_request *req, struct http_response *res)
{
	return change(req, res, (struct auth_access_change){.is_fellow = -1, .active = 1}, "/admin/people?done=reactivated");
}

struct revoke_arg {
	const char *id;
	bool revoked;
};

static enum err revoke_tx(struct db *db, void *arg, struct errinfo *ei)
{
	struct revoke_arg *ra = arg;
	struct arena *a = arena_new(0);
	enum err e = auth_invite_revoke(db, a, ra->id, &ra->revoked, ei);
	arena_free(a);
	return e;
}

static enum err revoke_invite(struct http_request *req, struct http_response *res)
{
	struct revoke_arg ra = {.id = http_param(req, "id")};
	struct errinfo ei = {0};
	struct db_ctx ctx = web_db_ctx(req);
	enum err e = str_is_uuid(ra.id) ? db_with_tx(((struct platform *)req->app)->pool, &ctx, revoke_tx, &ra, &ei) : ERR_OK;
	if (e)
		return err_set(&req->err, e, "", "%s", ei.message);
	if (!ra.revoked)
		return render(req, res, 404, "That invitation is not open any more.", NULL);
	return http_respond_redirect(res, "/admin/people?done=revoked");
}

static const struct http_route routes[] = {
	{.method = "GET", .pattern = "/admin/people", .min_role = ROLE_ADMIN, .handler = people_page},
	{.method = "POST", .pattern = "/admin/people/invite", .min_role = ROLE_ADMIN, .handler = invite},
	{.method = "POST", .pattern = "/admin/people/{id}/role", .min_role = ROLE_ADMIN, .handler = set_role},
	{.method = "POST", .pattern = "/admin/people/{id}/deactivate", .min_role = ROLE_ADMIN, .handler = deactivate},
	{.method = "POST", .pattern = "/admin/people/{id}/reactivate", .min_role = ROLE_ADMIN, .handler = reactivate},
	{.method = "POST", .pattern = "/admin/invitations/{id}/revoke", .min_role = ROLE_ADMIN, .handler = revoke_invite},
};

WEB_ROUTES(auth_people, routes)
