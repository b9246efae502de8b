/* /api/v1 — the scheduling engine (docs/engine.md "In the product"):
 *   POST /periods/{id}/engine-runs        start a run (CHIEF; Idempotency-Key honoured) → 202
 *   GET  /periods/{id}/engine-runs        runs of a period, newest first (CHIEF)
 *   GET  /engine-runs/{id}                watch a run (CHIEF)
 *   POST /engine-runs/{id}/cancel         cancel a run (CHIEF) → 202
 *   POST /periods/{id}/dry-run            is there a schedule meeting every hard rule? (CHIEF)
 *   GET  /assignments/{id}/explain        why this person (RAD: own assignments; CHIEF: any)
 *   GET  /people/{id}/tallies?period=ID   tallies against the FTE share (RAD: own; CHIEF: any) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/engine_run.h"
#include "domain/platform.h"
#include "web/api.h"
#include "web/principal.h"
#include "web/roles.h"
#include "web/routes.h"

static const char START_SCHEMA[] =
	"{\"type\": \"object\", \"additionalProperties\": false,"
	" \"properties\": {\"seed\": {\"type\": \"integer\", \"minimum\": 0, \"maximum\": 9007199254740991},"
	"  \"timeLimitSeconds\": {\"type\": \"number\", \"minimum\": 0.1, \"maximum\": 300},"
	"  \"threads\": {\"type\": \"integer\", \"minimum\": 1, \"maximum\": 4}}}";
static const char DRY_RUN_SCHEMA[] =
	"{\"type\": \"object\", \"additionalProperties\": false,"
	" \"properties\": {\"timeLimitSeconds\": {\"type\": \"number\", \"minimum\": 0.1, \"maximum\": 10},"
	"  \"from\": {\"type\": \"string\", \"format\": \"date\"}, \"to\": {\"type\": \"string\", \"format\": \"date\"}}}";
static const char EMPTY_SCHEMA[] = "{\"type\": \"object\", \"additionalProperties\": false}";

struct args {
	const char *id;
	json_t *body;
	const char *period;
	int limit;
	struct sched_loaded loaded;
};

static enum err not_found(struct http_request *req, const char *what)
{
	return err_set(&req->err, ERR_NOT_FOUND, "", "%s not found", what);
}

/* An optional JSON body (an empty one means {}). *out: new reference or NULL. */
static enum err optional_body(struct http_request *req, const char *schema, json_t **out)
{
	*out = NULL;
	return req->body_len ? api_body(req, schema, out) : ERR_OK;
}

/* ---- runs ----------------------------------------------------------------------------------- */

static enum err tx_start(struct db *db, struct http_request *req, void *arg, struct api_out *out)
{
	struct args *x = arg;
	struct engine_run_in in = {.period_id = x->id};
	const json_t *seed = json_object_get(x->body, "seed"), *tl = json_object_get(x->body, "timeLimitSeconds");
	if (seed) {
		in.seed_set = true;
		in.seed = (uint64_t)json_integer_value(seed);
	}
	if (tl)
		in.time_limit_ms = (int)(json_number_value(tl) * 1000 + 0.5);
	in.threads = (int)json_integer_value(json_object_get(x->body, "threads"));
	enum err e = engine_run_start(db, req->arena, &in, &out->body, &req->err);
	if (e)
		return e;
	out->status = 202;
	out->location = arena_sprintf(req->arena, "/api/v1/engine-runs/%s", json_string_value(json_object_get(out->body, "id")));
	return ERR_OK;
}

static enum err start_route(struct http_request *req, struct http_response *res)
{
	struct args x = {.id = api_uuid_param(req, "id")};
	if (!x.id)
		return not_found(req, "period");
	enum err e = optional_body(req, START_SCHEMA, &x.body);
	if (!e)
		e = api_tx(req, res, tx_start, &x, API_IDEMPOTENT);
	json_decref(x.body);
	return e;
}

static enum err tx_list(struct db *db, struct http_request *req, void *arg, struct api_out *out)
{
	struct args *x = arg;
	json_t *items;
	enum err e = engine_run_list(db, req->arena, x->id, x->limit, &items, &req->err);
	if (!e)
		out->body = json_pack("{s:o, s:n}", "items", items, "next_cursor"); /* newest `limit` runs: one page */
	return e;
}

static enum err list_route(struct http_request *req, struct http_response *res)
{
	static const char *const q[] = {"limit", NULL};
	struct args x = {.id = api_uuid_param(req, "id")};
	const char *cursor;
	if (!x.id)
		return not_found(req, "period");
	enum err e = api_query_only(req, q);
	if (!e)
		e = api_page_query(req, &x.limit, &cursor);
	return e ? e : api_tx(req, res, tx_list, &x, 0);
}

static enum err tx_get(struct db *db, struct http_request *req, void *arg, struct api_out *out)
{
	struct args *x = arg;
	return engine_run_get(db, req->arena, x->id, &out->body, &req->err);
}

static enum err get_route(struct http_request *req, struct http_response *res)
{
	struct args x = {.id = api_uuid_param(req, "id")};
	return x.id ? api_tx(req, res, tx_get, &x, 0) : not_found(req, "engine run");
}

static enum err tx_cancel(struct db *db, struct http_request *req, void *arg, struct api_out *out)
{
	struct args *x = arg;
	enum err e = engine_run_cancel(db, req->arena, x->id, &out->body, &req->err);
	if (!e)
		out->status = 202;
	return e;
}

static enum err cancel_route(struct http_request *req, struct http_response *res)
{
	struct args x = {.id = api_uuid_param(req, "id")};
	if (!x.id)
		return not_found(req, "engine run");
	enum err e = optional_body(req, EMPTY_SCHEMA, &x.body);
	json_decref(x.body);
	return e ? e : api_tx(req, res, tx_cancel, &x, 0);
}

/* ---- dry run: load in a transaction, diagnose outside it ------------------------------------ */

struct load_args {
	struct arena *a;
	const char *period;
	struct sched_loaded *out;
};

static enum err load_fn(struct db *db, void *arg, struct errinfo *ei)
{
	struct load_args *l = arg;
	return engine_run_load(db, l->a, l->period, l->out, ei);
}

static enum err dry_run_route(struct http_request *req, struct http_response *res)
{
	struct args x = {.id = api_uuid_param(req, "id")};
	if (!x.id)
		return not_found(req, "period");
	enum err e = optional_body(req, DRY_RUN_SCHEMA, &x.body);
	if (e)
		return e;
	const json_t *tl = json_object_get(x.body, "timeLimitSeconds");
	int ms = tl ? (int)(json_number_value(tl) * 1000 + 0.5) : ENGINE_DRY_RUN_DEFAULT_MS;
	const char *from = arena_strdup(req->arena, json_string_value(json_object_get(x.body, "from")));
	const char *to = arena_strdup(req->arena, json_string_value(json_object_get(x.body, "to")));
	if (!json_object_get(x.body, "from"))
		from = NULL;
	if (!json_object_get(x.body, "to"))
		to = NULL;
	json_decref(x.body);
	struct platform *pf = req->app;
	struct db_ctx ctx = web_db_ctx(req);
	struct load_args la = {.a = req->arena, .period = x.id, .out = &x.loaded};
	if ((e = db_with_tx(pf->pool, &ctx, load_fn, &la, &req->err)))
		return e;
	json_t *out;
	if ((e = engine_run_dry_run(&x.loaded, from, to, ms, req->arena, &out, &req->err)))
		return e;
	char *text = json_dumps(out, JSON_COMPACT);
	json_decref(out);
	http_respond_json(res, 200, text);
	free(text);
	return ERR_OK;
}

/* ---- explanations and tallies ----------------------------------------------------------------- */

static bool may_see(const struct http_request *req, const char *user_id)
{
	return api_role(req) >= ROLE_CHIEF || (user_id && api_user_id(req) && !strcmp(user_id, api_user_id(req)));
}

static enum err tx_explain(struct db *db, struct http_request *req, void *arg, struct api_out *out)
{
	struct args *x = arg;
	struct db_res *r;
	enum err e = DB_EXEC(db, req->arena, &r, &req->err, "SELECT period_id, user_id FROM assignments WHERE id = $1::uuid",
			     x->id);
	if (e)
		return e;
	if (db_res_rows(r) != 1 || !may_see(req, db_res_val(r, 0, "user_id")))
		return not_found(req, "assignment"); /* another person's: as if it did not exist */
	if ((e = engine_run_load(db, req->arena, db_res_val(r, 0, "period_id"), &x->loaded, &req->err)))
		return e;
	return engine_run_explain(&x->loaded, x->id, req->arena, &out->body, &req->err);
}

static enum err explain_route(struct http_request *req, struct http_response *res)
{
	struct args x = {.id = api_uuid_param(req, "id")};
	static const char *const q[] = {NULL};
	if (!x.id)
		return not_found(req, "assignment");
	enum err e = api_query_only(req, q);
	return e ? e : api_tx(req, res, tx_explain, &x, 0);
}

static enum err tx_tallies(struct db *db, struct http_request *req, void *arg, struct api_out *out)
{
	struct args *x = arg;
	enum err e = engine_run_load(db, req->arena, x->period, &x->loaded, &req->err);
	if (e == ERR_NOT_FOUND)
		return err_set(&req->err, ERR_INVALID, "period", "no such period");
	if (e)
		return e;
	return engine_run_tallies(&x->loaded, x->id, req->arena, &out->body, &req->err);
}

static enum err tallies_route(struct http_request *req, struct http_response *res)
{
	static const char *const q[] = {"period", NULL};
	struct args x = {.id = api_uuid_param(req, "id")};
	if (!x.id)
		return not_found(req, "person");
	if (!may_see(req, x.id))
		return err_set(&req->err, ERR_FORBIDDEN, "", "radiologists see their own tallies only");
	enum err e = api_query_only(req, q);
	if (!e)
		e = api_query_uuid(req, "period", &x.period);
	if (!e && !x.period) {
		http_field_error_add(req, "period", "required", "period (a period id) is required");
		e = err_set(&req->err, ERR_INVALID, "period", "period (a period id) is required");
	}
	return e ? e : api_tx(req, res, tx_tallies, &x, 0);
}

static const struct http_route routes[] = {
	{.method = "POST", .pattern = "/api/v1/periods/{id}/engine-runs", .min_role = ROLE_CHIEF, .handler = start_route},
	{.method = "GET", .pattern = "/api/v1/periods/{id}/engine-runs", .min_role = ROLE_CHIEF, .handler = list_route},
	{.method = "GET", .pattern = "/api/v1/engine-runs/{id}", .min_role = ROLE_CHIEF, .handler = get_route},
	{.method = "POST", .pattern = "/api/v1/engine-runs/{id}/cancel", .min_role = ROLE_CHIEF, .handler = cancel_route},
	{.method = "POST", .pattern = "/api/v1/periods/{id}/dry-run", .min_role = ROLE_CHIEF, .handler = dry_run_route},
	{.method = "GET", .pattern = "/api/v1/assignments/{id}/explain", .min_role = ROLE_RAD, .handler = explain_route},
	{.method = "GET", .pattern = "/api/v1/people/{id}/tallies", .min_role = ROLE_RAD, .handler = tallies_route},
};

WEB_ROUTES(api_engine, routes)
