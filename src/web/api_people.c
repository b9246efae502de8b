/* /api/v1/people — the roster: list and read (RAD), create, change, deactivate (ADMIN). */
#include <string.h>

#include "domain/people.h"
#include "web/api.h"
#include "web/roles.h"
#include "web/routes.h"

#define PERSON_PROPS                                                                                               \
	"\"email\": {\"type\": \"string\", \"format\": \"email\", \"maxLength\": 254},"                             \
	" \"name\": {\"type\": \"string\", \"minLength\": 1, \"maxLength\": 200},"                                   \
	" \"shortName\": {\"type\": [\"string\", \"null\"], \"maxLength\": 40},"                                      \
	" \"role\": {\"enum\": [\"SUPER_ADMIN\", \"ADMIN\", \"CHIEF\", \"RAD\"]},"                                    \
	" \"fte\": {\"type\": \"number\", \"minimum\": 0, \"maximum\": 1},"                                           \
	" \"fellow\": {\"type\": \"boolean\"}, \"schedulable\": {\"type\": \"boolean\"}, \"active\": {\"type\": \"boolean\"}," \
	" \"subspecialties\": {\"type\": \"array\", \"maxItems\": 50, \"uniqueItems\": true,"                          \
	"   \"items\": {\"type\": \"string\", \"pattern\": \"^[A-Z][A-Z0-9_]{0,23}$\"}},"                              \
	" \"startDate\": {\"type\": [\"string\", \"null\"], \"format\": \"date\"},"                                    \
	" \"endDate\": {\"type\": [\"string\", \"null\"], \"format\": \"date\"}"

static const char CREATE_SCHEMA[] = "{\"type\": \"object\", \"additionalProperties\": false,"
				    " \"required\": [\"email\", \"name\", \"role\"], \"properties\": {" PERSON_PROPS "}}";
static const char UPDATE_SCHEMA[] = "{\"type\": \"object\", \"additionalProperties\": false, \"minProperties\": 1,"
				    " \"properties\": {" PERSON_PROPS "}}";

/* Who may grant what: only a SUPER_ADMIN makes SUPER_ADMINs; nobody changes their own role
 * or deactivates themselves (an admin cannot lock the department out by accident). */
static enum err role_policy(struct http_request *req, const char *id, const json_t *body)
{
	const char *role = json_string_value(json_object_get(body, "role"));
	if (role && !strcmp(role, "SUPER_ADMIN") && api_role(req) < ROLE_SUPER_ADMIN)
		return err_set(&req->err, ERR_FORBIDDEN, "/role", "only a platform operator can grant SUPER_ADMIN");
	bool self = id && api_user_id(req) && !strcmp(id, api_user_id(req));
	if (self && role)
		return err_set(&req->err, ERR_FORBIDDEN, "/role", "you cannot change your own role");
	if (self && json_is_false(json_object_get(body, "active")))
		return err_set(&req->err, ERR_FORBIDDEN, "/active", "you cannot deactivate yourself");
	return ERR_OK;
}

struct args {
	const char *id;
	json_t *body;
	int limit;
	const char *cursor;
	struct people_filter f;
};

static enum err tx_list(struct db *db, struct http_request *req, void *arg, struct api_out *out)
{
	struct args *x = arg;
	struct dbjson_page page;
	enum err e = people_list(db, req->arena, &x->f, x->limit, x->cursor, &page, &req->err);
	if (!e)
		out->body = api_page_json(&page);
	return e;
}

static enum err people_list_route(struct http_request *req, struct http_response *res)
{
	static const char *const q[] = {"limit", "cursor", "active", "role", NULL};
	static const char *const bools[] = {"true", "false", NULL};
	static const char *const roles[] = {"SUPER_ADMIN", "ADMIN", "CHIEF", "RAD", NULL};
	struct args x = {0};
	enum err e = api_query_only(req, q);
	if (!e)
		e = api_page_query(req, &x.limit, &x.cursor);
	if (!e)
		e = api_query_enum(req, "active", bools, &x.f.active);
	if (!e)
		e = api_query_enum(req, "role", roles, &x.f.role);
	return e ? e : api_tx(req, res, tx_list, &x, 0);
}

static enum err tx_get(struct db *db, struct http_request *req, void *arg, struct api_out *out)
{
	struct args *x = arg;
	return people_get(db, req->arena, x->id, &out->body, &req->err);
}

static enum err people_get_route(struct http_request *req, struct http_response *res)
{
	struct args x = {.id = api_uuid_param(req, "id")};
	if (!x.id)
		return err_set(&req->err, ERR_NOT_FOUND, "", "person not found");
	return api_tx(req, res, tx_get, &x, 0);
}

static enum err tx_create(struct db *db, struct http_request *req, void *arg, struct api_out *out)
{
	struct args *x = arg;
	struct problems pr;
	problems_init(&pr, req->arena);
	enum err e = people_create(db, req->arena, x->body, &out->body, &pr, &req->err);
	if (e)
		return pr.n ? api_problems(req, &pr, e) : e;
	out->status = 201;
	out->location = arena_sprintf(req->arena, "/api/v1/people/%s", json_string_value(json_object_get(out->body, "id")));
	return ERR_OK;
}

static enum err people_create_route(struct http_request *req, struct http_response *res)
{
	struct args x = {0};
	enum err e = api_body(req, CREATE_SCHEMA, &x.body);
	if (!e)
		e = role_policy(req, NULL, x.body);
	if (!e)
		e = api_tx(req, res, tx_create, &x, API_IDEMPOTENT);
	json_decref(x.body);
	return e;
}

/* A platform operator's account is theirs to change. */
static enum err target_policy(struct db *db, struct http_request *req, const char *id)
{
	json_t *p;
	enum err e = people_get(db, req->arena, id, &p, &req->err);
	if (e)
		return e;
	const char *role = json_string_value(json_object_get(p, "role"));
	if (role && !strcmp(role, "SUPER_ADMIN") && api_role(req) < ROLE_SUPER_ADMIN)
		e = err_set(&req->err, ERR_FORBIDDEN, "", "only a platform operator can change a SUPER_ADMIN");
	json_decref(p);
	return e;
}

static enum err tx_update(struct db *db, struct http_request *req, void *arg, struct api_out *out)
{
	struct args *x = arg;
	struct problems pr;
	problems_init(&pr, req->arena);
	enum err e = target_policy(db, req, x->id);
	if (e)
		return e;
	e = people_update(db, req->arena, x->id, x->body, &out->body, &pr, &req->err);
	return e && pr.n ? api_problems(req, &pr, e) : e;
}

static enum err people_update_route(struct http_request *req, struct http_response *res)
{
	struct args x = {.id = api_uuid_param(req, "id")};
	if (!x.id)
		return err_set(&req->err, ERR_NOT_FOUND, "", "person not found");
	enum err e = api_body(req, UPDATE_SCHEMA, &x.body);
	if (!e)
		e = role_policy(req, x.id, x.body);
	if (!e)
		e = api_tx(req, res, tx_update, &x, 0);
	json_decref(x.body);
	return e;
}

static enum err tx_deactivate(struct db *db, struct http_request *req, void *arg, struct api_out *out)
{
	struct args *x = arg;
	enum err e = target_policy(db, req, x->id);
	if (e)
		return e;
	return people_deactivate(db, req->arena, x->id, &out->body, &req->err);
}

static enum err people_deactivate_route(struct http_request *req, struct http_response *res)
{
	struct args x = {.id = api_uuid_param(req, "id")};
	if (!x.id)
		return err_set(&req->err, ERR_NOT_FOUND, "", "person not found");
	if (api_user_id(req) && !strcmp(x.id, api_user_id(req)))
		return err_set(&req->err, ERR_FORBIDDEN, "", "you cannot deactivate yourself");
	return api_tx(req, res, tx_deactivate, &x, 0);
}

static const struct http_route routes[] = {
	{.method = "GET", .pattern = "/api/v1/people", .min_role = ROLE_RAD, .handler = people_list_route},
	{.method = "POST", .pattern = "/api/v1/people", .min_role = ROLE_ADMIN, .handler = people_create_route},
	{.method = "GET", .pattern = "/api/v1/people/{id}", .min_role = ROLE_RAD, .handler = people_get_route},
	{.method = "PATCH", .pattern = "/api/v1/people/{id}", .min_role = ROLE_ADMIN, .handler = people_update_route},
	{.method = "DELETE", .pattern = "/api/v1/people/{id}", .min_role = ROLE_ADMIN, .handler = people_deactivate_route},
};

WEB_ROUTES(api_people, routes)
