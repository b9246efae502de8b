/* /api/v1/vacation-requests and /api/v1/time-off. A RAD asks for their own time off and
 * sees their own requests; a CHIEF sees everyone's, asks on someone's behalf, decides and
 * may cancel approved time off. Approved time off (dates and kind only) is visible to all. */
#include <string.h>

#include "domain/dates.h"
#include "domain/vacation.h"
#include "web/api.h"
#include "web/roles.h"
#include "web/routes.h"

#define UUID_PATTERN "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"

static const char CREATE_SCHEMA[] =
	"{\"type\": \"object\", \"additionalProperties\": false, \"required\": [\"startDate\", \"endDate\"],"
	" \"properties\": {\"startDate\": {\"type\": \"string\", \"format\": \"date\"},"
	"  \"endDate\": {\"type\": \"string\", \"format\": \"date\"},"
	"  \"kind\": {\"enum\": [\"vacation\", \"conference\", \"leave\", \"other\"]},"
	"  \"note\": {\"type\": \"string\", \"maxLength\": 1000},"
	"  \"round\": {\"type\": \"integer\", \"minimum\": 1, \"maximum\": 20},"
	"  \"rank\": {\"type\": \"integer\", \"minimum\": 1, \"maximum\": 100},"
	"  \"userId\": {\"type\": \"string\", \"pattern\": \"" UUID_PATTERN "\"}}}";
static const char DECISION_SCHEMA[] =
	"{\"type\": \"object\", \"additionalProperties\": false, \"required\": [\"status\"],"
	" \"properties\": {\"status\": {\"enum\": [\"approved\", \"denied\"]},"
	"  \"note\": {\"type\": \"string\", \"maxLength\": 1000}}}";
static const char EMPTY_SCHEMA[] = "{\"type\": \"object\", \"additionalProperties\": false}";

#define TIME_OFF_MAX_DAYS 400

struct args {
	const char *id;
	json_t *body;
	int limit;
	const char *cursor;
	struct vacation_filter f;
	const char *from, *to, *user_id;
};

static bool is_chief(const struct http_request *req) { return api_role(req) >= ROLE_CHIEF; }

static enum err not_found(struct http_request *req)
{
	return err_set(&req->err, ERR_NOT_FOUND, "", "vacation request not found");
}

/* A RAD reaches only their own requests: others' are "not found" (not even their existence
 * is shown). On success *owner tells whether the caller made the request for themselves. */
static enum err visible(struct db *db, struct http_request *req, const char *id, bool *own)
{
	json_t *v;
	enum err e = vacation_get(db, req->arena, id, &v, &req->err);
	if (e)
		return e;
	const char *uid = json_string_value(json_object_get(v, "userId"));
	*own = uid && api_user_id(req) && !strcmp(uid, api_user_id(req));
	json_decref(v);
	return *own || is_chief(req) ? ERR_OK : not_found(req);
}

static enum err tx_list(struct db *db, struct http_request *req, void *arg, struct api_out *out)
{
	struct args *x = arg;
	struct dbjson_page page;
	enum err e = vacation_list(db, req->arena, &x->f, x->limit, x->cursor, &page, &req->err);
	if (!e)
		out->body = api_page_json(&page);
	return e;
}

static enum err list_route(struct http_request *req, struct http_response *res)
{
	static const char *const q[] = {"limit", "cursor", "userId", "status", "from", "to", NULL};
	static const char *const st[] = {"requested", "approved", "denied", "cancelled", NULL};
	struct args x = {0};
	enum err e = api_query_only(req, q);
	if (!e)
		e = api_page_query(req, &x.limit, &x.cursor);
	if (!e)
		e = api_query_uuid(req, "userId", &x.f.user_id);
	if (!e)
		e = api_query_enum(req, "status", st, &x.f.status);
	if (!e)
		e = api_query_date(req, "from", &x.f.from);
	if (!e)
		e = api_query_date(req, "to", &x.f.to);
	if (e)
		return e;
	if (!is_chief(req)) {
		if (x.f.user_id && strcmp(x.f.user_id, api_user_id(req)))
			return err_set(&req->err, ERR_FORBIDDEN, "userId", "you can list only your own requests");
		x.f.user_id = api_user_id(req);
	}
	return api_tx(req, res, tx_list, &x, 0);
}

static enum err tx_get(struct db *db, struct http_request *req, void *arg, struct api_out *out)
{
	struct args *x = arg;
	bool own;
	enum err e = visible(db, req, x->id, &own);
	return e ? e : vacation_get(db, req->arena, x->id, &out->body, &req->err);
}

static enum err get_route(struct http_request *req, struct http_response *res)
{
	struct args x = {.id = api_uuid_param(req, "id")};
	return x.id ? api_tx(req, res, tx_get, &x, 0) : not_found(req);
}

static enum err tx_create(struct db *db, struct http_request *req, void *arg, struct api_out *out)
{
	struct args *x = arg;
	struct problems pr;
	problems_init(&pr, req->arena);
	const char *uid = json_string_value(json_object_get(x->body, "userId"));
	enum err e = vacation_create(db, req->arena, uid ? uid : api_user_id(req), x->body, &out->body, &pr, &req->err);
	if (e)
		return pr.n ? api_problems(req, &pr, e) : e;
	out->status = 201;
	out->location =
		arena_sprintf(req->arena, "/api/v1/vacation-requests/%s", json_string_value(json_object_get(out->body, "id")));
	return ERR_OK;
}

static enum err create_route(struct http_request *req, struct http_response *res)
{
	struct args x = {0};
	enum err e = api_body(req, CREATE_SCHEMA, &x.body);
	const char *uid = e ? NULL : json_string_value(json_object_get(x.body, "userId"));
	if (!e && uid && strcmp(uid, api_user_id(req)) && !is_chief(req))
		e = err_set(&req->err, ERR_FORBIDDEN, "/userId", "only a chief asks for time off on someone else's behalf");
	if (!e)
		e = api_tx(req, res, tx_create, &x, API_IDEMPOTENT);
	json_decref(x.body);
	return e;
}

static enum err tx_decide(struct db *db, struct http_request *req, void *arg, struct api_out *out)
{
	struct args *x = arg;
	return vacation_decide(db, req->arena, x->id, json_string_value(json_object_get(x->body, "status")),
			       json_string_value(json_object_get(x->body, "note")), &out->body, &req->err);
}

static enum err tx_cancel(struct db *db, struct http_request *req, void *arg, struct api_out *out)
{
	struct args *x = arg;
	bool own;
	enum err e = visible(db, req, x->id, &own);
	return e ? e : vacation_cancel(db, req->arena, x->id, is_chief(req), &out->body, &req->err);
}

static enum err run_body(struct http_request *req, struct http_response *res, const char *schema, api_tx_fn fn)
{
	struct args x = {.id = api_uuid_param(req, "id")};
	if (!x.id)
		return not_found(req);
	enum err e = ERR_OK;
	if (schema == DECISION_SCHEMA || req->body_len)
		e = api_body(req, schema, &x.body);
	if (!e)
		e = api_tx(req, res, fn, &x, 0);
	json_decref(x.body);
	return e;
}

static enum err decide_route(struct http_request *req, struct http_response *res)
{
	return run_body(req, res, DECISION_SCHEMA, tx_decide);
}

static enum err cancel_route(struct http_request *req, struct http_response *res)
{
	return run_body(req, res, EMPTY_SCHEMA, tx_cancel);
}

static enum err tx_time_off(struct db *db, struct http_request *req, void *arg, struct api_out *out)
{
	struct args *x = arg;
	json_t *items;
	enum err e = vacation_time_off(db, req->arena, x->from, x->to, x->user_id, &items, &req->err);
	if (!e)
		out->body = json_pack("{s:s, s:s, s:o}", "from", x->from, "to", x->to, "items", items);
	return e;
}

static enum err time_off_route(struct http_request *req, struct http_response *res)
{
	static const char *const q[] = {"from", "to", "userId", NULL};
	struct args x = {0};
	enum err e = api_query_only(req, q);
	if (!e)
		e = api_query_date(req, "from", &x.from);
	if (!e)
		e = api_query_date(req, "to", &x.to);
	if (!e)
		e = api_query_uuid(req, "userId", &x.user_id);
	if (e)
		return e;
	long f, t;
	if (!x.from || !x.to) {
		http_field_error_add(req, x.from ? "to" : "from", "required", "from and to are required");
		return err_set(&req->err, ERR_INVALID, x.from ? "to" : "from", "from and to are required");
	}
	if (!date_parse(x.from, &f) || !date_parse(x.to, &t) || t < f || t - f >= TIME_OFF_MAX_DAYS) {
		http_field_error_add(req, "to", "range", "to must be on or after from, at most %d days later", TIME_OFF_MAX_DAYS);
		return err_set(&req->err, ERR_INVALID, "to", "bad range");
	}
	return api_tx(req, res, tx_time_off, &x, 0);
}

static const struct http_route routes[] = {
	{.method = "GET", .pattern = "/api/v1/vacation-requests", .min_role = ROLE_RAD, .handler = list_route},
	{.method = "POST", .pattern = "/api/v1/vacation-requests", .min_role = ROLE_RAD, .handler = create_route},
	{.method = "GET", .pattern = "/api/v1/vacation-requests/{id}", .min_role = ROLE_RAD, .handler = get_route},
	{.method = "POST", .pattern = "/api/v1/vacation-requests/{id}/decision", .min_role = ROLE_CHIEF,
	 .handler = decide_route},
	{.method = "POST", .pattern = "/api/v1/vacation-requests/{id}/cancel", .min_role = ROLE_RAD, .handler = cancel_route},
	{.method = "GET", .pattern = "/api/v1/time-off", .min_role = ROLE_RAD, .handler = time_off_route},
};

WEB_ROUTES(api_vacation, routes)
