/* /api/v1/periods/{id}/assignments and /api/v1/assignments/{id} — who works what (read:
 * RAD; write: CHIEF). Writes are checked against the hard rules: a violation is a 409
 * naming each rule in "errors", unless the body carries override: {reason}. */
#include <string.h>

#include "domain/assignments.h"
#include "web/api.h"
#include "web/roles.h"
#include "web/routes.h"

#define UUID_PATTERN "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
#define OVERRIDE_PROP                                                                                             \
	"\"override\": {\"type\": \"object\", \"additionalProperties\": false, \"required\": [\"reason\"],"       \
	" \"properties\": {\"reason\": {\"type\": \"string\", \"minLength\": 3, \"maxLength\": 500}}}"

static const char CREATE_SCHEMA[] =
	"{\"type\": \"object\", \"additionalProperties\": false, \"required\": [\"day\", \"shiftCode\", \"userId\"],"
	" \"properties\": {\"day\": {\"type\": \"string\", \"format\": \"date\"},"
	"  \"shiftCode\": {\"type\": \"string\", \"pattern\": \"^[A-Z][A-Z0-9_]{0,23}$\"},"
	"  \"userId\": {\"type\": \"string\", \"pattern\": \"" UUID_PATTERN "\"},"
	"  \"locked\": {\"type\": \"boolean\"}, \"source\": {\"enum\": [\"manual\", \"engine\", \"swap\"]}, " OVERRIDE_PROP "}}";
static const char CHECK_SCHEMA[] =
	"{\"type\": \"object\", \"additionalProperties\": false, \"required\": [\"day\", \"shiftCode\", \"userId\"],"
	" \"properties\": {\"day\": {\"type\": \"string\", \"format\": \"date\"},"
	"  \"shiftCode\": {\"type\": \"string\", \"pattern\": \"^[A-Z][A-Z0-9_]{0,23}$\"},"
	"  \"userId\": {\"type\": \"string\", \"pattern\": \"" UUID_PATTERN "\"},"
	"  \"excludeId\": {\"type\": \"string\", \"pattern\": \"" UUID_PATTERN "\"}}}";
static const char UPDATE_SCHEMA[] =
	"{\"type\": \"object\", \"additionalProperties\": false, \"minProperties\": 1,"
	" \"properties\": {\"userId\": {\"type\": \"string\", \"pattern\": \"" UUID_PATTERN "\"},"
	"  \"locked\": {\"type\": \"boolean\"}, " OVERRIDE_PROP "}}";

struct args {
	const char *id; /* period (list, create, check) or assignment */
	json_t *body;
	int limit;
	const char *cursor;
	struct assignment_filter f;
};

static enum err not_found(struct http_request *req, const char *what)
{
	return err_set(&req->err, ERR_NOT_FOUND, "", "%s not found", what);
}

static const char *override_reason(const json_t *body)
{
	return json_string_value(json_object_get(json_object_get(body, "override"), "reason"));
}

static enum err tx_list(struct db *db, struct http_request *req, void *arg, struct api_out *out)
{
	struct args *x = arg;
	struct dbjson_page page;
	enum err e = assignment_list(db, req->arena, x->id, &x->f, x->limit, x->cursor, &page, &req->err);
	if (!e)
		out->body = api_page_json(&page);
	return e;
}

static enum err list_route(struct http_request *req, struct http_response *res)
{
	static const char *const q[] = {"limit", "cursor", "userId", "from", "to", NULL};
	struct args x = {.id = api_uuid_param(req, "id")};
	if (!x.id)
		return not_found(req, "period");
	enum err e = api_query_only(req, q);
	if (!e)
		e = api_page_query(req, &x.limit, &x.cursor);
	if (!e)
		e = api_query_uuid(req, "userId", &x.f.user_id);
	if (!e)
		e = api_query_date(req, "from", &x.f.from);
	if (!e)
		e = api_query_date(req, "to", &x.f.to);
	return e ? e : api_tx(req, res, tx_list, &x, 0);
}

static struct assignment_in input_of(const struct args *x)
{
	const json_t *b = x->body;
	return (struct assignment_in){.period_id = x->id, .day = json_string_value(json_object_get(b, "day")),
				      .shift_code = json_string_value(json_object_get(b, "shiftCode")),
				      .user_id = json_string_value(json_object_get(b, "userId")),
				      .source = json_string_value(json_object_get(b, "source")),
				      .locked = json_is_true(json_object_get(b, "locked")),
				      .override_reason = override_reason(b)};
}

static enum err tx_create(struct db *db, struct http_request *req, void *arg, struct api_out *out)
{
	struct args *x = arg;
	struct problems pr;
	problems_init(&pr, req->arena);
	struct assignment_in in = input_of(x);
	enum err e = assignment_create(db, req->arena, &in, &out->body, &pr, &req->err);
	if (e)
		return e == ERR_CONFLICT && pr.n ? api_problems(req, &pr, e) : e;
	out->status = 201;
	out->location =
		arena_sprintf(req->arena, "/api/v1/assignments/%s", json_string_value(json_object_get(out->body, "id")));
	return ERR_OK;
}

static enum err run_body(struct http_request *req, struct http_response *res, const char *schema, api_tx_fn fn,
			 unsigned flags, const char *what)
{
	struct args x = {.id = api_uuid_param(req, "id")};
	if (!x.id)
		return not_found(req, what);
	enum err e = api_body(req, schema, &x.body);
	if (!e)
		e = api_tx(req, res, fn, &x, flags);
	json_decref(x.body);
	return e;
}

static enum err create_route(struct http_request *req, struct http_response *res)
{
	return run_body(req, res, CREATE_SCHEMA, tx_create, API_IDEMPOTENT, "period");
}

static enum err tx_check(struct db *db, struct http_request *req, void *arg, struct api_out *out)
{
	struct args *x = arg;
	struct problems pr;
	problems_init(&pr, req->arena);
	struct assignment_in in = input_of(x);
	enum err e = assignment_check(db, req->arena, &in, json_string_value(json_object_get(x->body, "excludeId")), &pr,
				      &req->err);
	if (e)
		return e;
	json_t *v = json_array();
	for (size_t i = 0; i < pr.n; i++)
		json_array_append_new(v, json_pack("{s:s, s:s, s:s}", "pointer", pr.v[i].pointer, "code", pr.v[i].code,
						   "detail", pr.v[i].message));
	out->body = json_pack("{s:b, s:o}", "ok", pr.n == 0, "violations", v);
	return ERR_OK;
}

static enum err check_route(struct http_request *req, struct http_response *res)
{
	return run_body(req, res, CHECK_SCHEMA, tx_check, 0, "period");
}

static enum err tx_get(struct db *db, struct http_request *req, void *arg, struct api_out *out)
{
	struct args *x = arg;
	return assignment_get(db, req->arena, x->id, &out->body, &req->err);
}

static enum err get_route(struct http_request *req, struct http_response *res)
{
	struct args x = {.id = api_uuid_param(req, "id")};
	return x.id ? api_tx(req, res, tx_get, &x, 0) : not_found(req, "assignment");
}

static enum err tx_update(struct db *db, struct http_request *req, void *arg, struct api_out *out)
{
	struct args *x = arg;
	struct problems pr;
	problems_init(&pr, req->arena);
	const json_t *locked = json_object_get(x->body, "locked");
	enum err e = assignment_update(db, req->arena, x->id, json_string_value(json_object_get(x->body, "userId")),
				       locked ? json_is_true(locked) : -1, override_reason(x->body), &out->body, &pr,
				       &req->err);
	return e == ERR_CONFLICT && pr.n ? api_problems(req, &pr, e) : e;
}

static enum err update_route(struct http_request *req, struct http_response *res)
{
	return run_body(req, res, UPDATE_SCHEMA, tx_update, 0, "assignment");
}

static enum err tx_delete(struct db *db, struct http_request *req, void *arg, struct api_out *out)
{
	struct args *x = arg;
	out->status = 204;
	return assignment_delete(db, req->arena, x->id, &req->err);
}

static enum err delete_route(struct http_request *req, struct http_response *res)
{
	struct args x = {.id = api_uuid_param(req, "id")};
	return x.id ? api_tx(req, res, tx_delete, &x, 0) : not_found(req, "assignment");
}

static const struct http_route routes[] = {
	{.method = "GET", .pattern = "/api/v1/periods/{id}/assignments", .min_role = ROLE_RAD, .handler = list_route},
	{.method = "POST", .pattern = "/api/v1/periods/{id}/assignments", .min_role = ROLE_CHIEF, .handler = create_route},
	{.method = "POST", .pattern = "/api/v1/periods/{id}/assignments/check", .min_role = ROLE_CHIEF,
	 .handler = check_route},
	{.method = "GET", .pattern = "/api/v1/assignments/{id}", .min_role = ROLE_RAD, .handler = get_route},
	{.method = "PATCH", .pattern = "/api/v1/assignments/{id}", .min_role = ROLE_CHIEF, .handler = update_route},
	{.method = "DELETE", .pattern = "/api/v1/assignments/{id}", .min_role = ROLE_CHIEF, .handler = delete_route},
};

WEB_ROUTES(api_assignments, routes)
