/* /api/v1/periods — scheduling periods (read: RAD; write: CHIEF), publishing (CHIEF) and
 * their publications (RAD). */
#include <stdio.h>
#include <string.h>

#include "base/strutil.h"
#include "domain/periods.h"
#include "domain/publications.h"
#include "web/api.h"
#include "web/roles.h"
#include "web/routes.h"

static const char CREATE_SCHEMA[] =
	"{\"type\": \"object\", \"additionalProperties\": false, \"required\": [\"name\", \"startDate\", \"endDate\"],"
	" \"properties\": {\"name\": {\"type\": \"string\", \"minLength\": 1, \"maxLength\": 200},"
	"  \"startDate\": {\"type\": \"string\", \"format\": \"date\"}, \"endDate\": {\"type\": \"string\", \"format\": \"date\"}}}";
static const char UPDATE_SCHEMA[] =
	"{\"type\": \"object\", \"additionalProperties\": false, \"minProperties\": 1,"
	" \"properties\": {\"name\": {\"type\": \"string\", \"minLength\": 1, \"maxLength\": 200},"
	"  \"startDate\": {\"type\": \"string\", \"format\": \"date\"}, \"endDate\": {\"type\": \"string\", \"format\": \"date\"}}}";

static const char PUBLISH_SCHEMA[] = "{\"type\": \"object\", \"additionalProperties\": false}";

struct args {
	const char *id;
	int number;
	json_t *body;
	int limit;
	const char *cursor;
	struct period_filter f;
};

static enum err not_found(struct http_request *req, const char *what)
{
	return err_set(&req->err, ERR_NOT_FOUND, "", "%s not found", what);
}

static enum err tx_list(struct db *db, struct http_request *req, void *arg, struct api_out *out)
{
	struct args *x = arg;
	struct dbjson_page page;
	enum err e = period_list(db, req->arena, &x->f, x->limit, x->cursor, &page, &req->err);
	if (!e)
		out->body = api_page_json(&page);
	return e;
}

static enum err list_route(struct http_request *req, struct http_response *res)
{
	static const char *const q[] = {"limit", "cursor", "status", "from", "to", NULL};
	static const char *const st[] = {"draft", "published", NULL};
	struct args x = {0};
	enum err e = api_query_only(req, q);
	if (!e)
		e = api_page_query(req, &x.limit, &x.cursor);
	if (!e)
		e = api_query_enum(req, "status", st, &x.f.status);
	if (!e)
		e = api_query_date(req, "from", &x.f.from);
	if (!e)
		e = api_query_date(req, "to", &x.f.to);
	return e ? e : api_tx(req, res, tx_list, &x, 0);
}

static enum err tx_get(struct db *db, struct http_request *req, void *arg, struct api_out *out)
{
	struct args *x = arg;
	return period_get(db, req->arena, x->id, &out->body, &req->err);
}

static enum err get_route(struct http_request *req, struct http_response *res)
{
	struct args x = {.id = api_uuid_param(req, "id")};
	return x.id ? api_tx(req, res, tx_get, &x, 0) : not_found(req, "period");
}

static enum err tx_create(struct db *db, struct http_request *req, void *arg, struct api_out *out)
{
	struct args *x = arg;
	struct problems pr;
	problems_init(&pr, req->arena);
	enum err e = period_create(db, req->arena, x->body, &out->body, &pr, &req->err);
	if (e)
		return pr.n ? api_problems(req, &pr, e) : e;
	out->status = 201;
	out->location = arena_sprintf(req->arena, "/api/v1/periods/%s", json_string_value(json_object_get(out->body, "id")));
	return ERR_OK;
}

static enum err create_route(struct http_request *req, struct http_response *res)
{
	struct args x = {0};
	enum err e = api_body(req, CREATE_SCHEMA, &x.body);
	if (!e)
		e = api_tx(req, res, tx_create, &x, API_IDEMPOTENT);
	json_decref(x.body);
	return e;
}

static enum err tx_update(struct db *db, struct http_request *req, void *arg, struct api_out *out)
{
	struct args *x = arg;
	struct problems pr;
	problems_init(&pr, req->arena);
	enum err e = period_update(db, req->arena, x->id, x->body, &out->body, &pr, &req->err);
	return e && pr.n ? api_problems(req, &pr, e) : e;
}

static enum err update_route(struct http_request *req, struct http_response *res)
{
	struct args x = {.id = api_uuid_param(req, "id")};
	if (!x.id)
		return not_found(req, "period");
	enum err e = api_body(req, UPDATE_SCHEMA, &x.body);
	if (!e)
		e = api_tx(req, res, tx_update, &x, 0);
	json_decref(x.body);
	return e;
}

static enum err tx_delete(struct db *db, struct http_request *req, void *arg, struct api_out *out)
{
	struct args *x = arg;
	out->status = 204;
	return period_delete(db, req->arena, x->id, &req->err);
}

static enum err delete_route(struct http_request *req, struct http_response *res)
{
	struct args x = {.id = api_uuid_param(req, "id")};
	return x.id ? api_tx(req, res, tx_delete, &x, 0) : not_found(req, "period");
}

/* ---- publishing ----------------------------------------------------------------------------- */

static enum err tx_publish(struct db *db, struct http_request *req, void *arg, struct api_out *out)
{
	struct args *x = arg;
	bool created;
	enum err e = publication_publish(db, req->arena, x->id, &out->body, &created, &req->err);
	if (e)
		return e;
	json_object_set_new(out->body, "unchanged", json_boolean(!created));
	if (created) {
		out->status = 201;
		out->location = arena_sprintf(req->arena, "/api/v1/periods/%s/publications/%lld", x->id,
					      (long long)json_integer_value(json_object_get(out->body, "number")));
	}
	return ERR_OK;
}

static enum err publish_route(struct http_request *req, struct http_response *res)
{
	struct args x = {.id = api_uuid_param(req, "id")};
	if (!x.id)
		return not_found(req, "period");
	if (req->body_len) {
		/* nothing to say, but say it as JSON: {} */
		json_t *b;
		enum err e = api_body(req, PUBLISH_SCHEMA, &b);
		json_decref(b);
		if (e)
			return e;
	}
	return api_tx(req, res, tx_publish, &x, API_IDEMPOTENT);
}

static enum err tx_publications(struct db *db, struct http_request *req, void *arg, struct api_out *out)
{
	struct args *x = arg;
	struct dbjson_page page;
	enum err e = publication_list(db, req->arena, x->id, x->limit, x->cursor, &page, &req->err);
	if (!e)
		out->body = api_page_json(&page);
	return e;
}

static enum err publications_route(struct http_request *req, struct http_response *res)
{
	static const char *const q[] = {"limit", "cursor", NULL};
	struct args x = {.id = api_uuid_param(req, "id")};
	if (!x.id)
		return not_found(req, "period");
	enum err e = api_query_only(req, q);
	if (!e)
		e = api_page_query(req, &x.limit, &x.cursor);
	return e ? e : api_tx(req, res, tx_publications, &x, 0);
}

static enum err tx_publication(struct db *db, struct http_request *req, void *arg, struct api_out *out)
{
	struct args *x = arg;
	return publication_get(db, req->arena, x->id, x->number, &out->body, &req->err);
}

static enum err publication_route(struct http_request *req, struct http_response *res)
{
	struct args x = {.id = api_uuid_param(req, "id")};
	int64_t n;
	const char *s = http_param(req, "number");
	if (!x.id || !s || !str_to_i64(s, 1, 1000000000, &n))
		return not_found(req, "publication");
	x.number = (int)n;
	return api_tx(req, res, tx_publication, &x, 0);
}

static const struct http_route routes[] = {
	{.method = "GET", .pattern = "/api/v1/periods", .min_role = ROLE_RAD, .handler = list_route},
	{.method = "POST", .pattern = "/api/v1/periods", .min_role = ROLE_CHIEF, .handler = create_route},
	{.method = "GET", .pattern = "/api/v1/periods/{id}", .min_role = ROLE_RAD, .handler = get_route},
	{.method = "PATCH", .pattern = "/api/v1/periods/{id}", .min_role = ROLE_CHIEF, .handler = update_route},
	{.method = "DELETE", .pattern = "/api/v1/periods/{id}", .min_role = ROLE_CHIEF, .handler = delete_route},
	{.method = "POST", .pattern = "/api/v1/periods/{id}/publish", .min_role = ROLE_CHIEF, .handler = publish_route},
	{.method = "GET", .pattern = "/api/v1/periods/{id}/publications", .min_role = ROLE_RAD, .handler = publications_route},
	{.method = "GET", .pattern = "/api/v1/periods/{id}/publications/{number}", .min_role = ROLE_RAD,
	 .handler = publication_route},
};

WEB_ROUTES(api_periods, routes)
