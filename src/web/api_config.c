/* /api/v1/config — the tenant config: current document, versions, diff, validate, save
 * (a full document) and patch (RFC 6902 on a base version, optimistic concurrency). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strutil.h"
#include "domain/config_store.h"
#include "domain/platform.h"
#include "web/api.h"
#include "web/roles.h"
#include "web/routes.h"

static void use_share_dir(struct http_request *req)
{
	struct platform *pf = req->app;
	config_store_set_share_dir(pf->share_dir);
}

static json_t *problems_json(const struct config_report *rep, enum config_severity sev)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < rep->n; i++)
		if (rep->v[i].severity == sev)
			json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "pointer", rep->v[i].pointer, "code",
							     rep->v[i].code, "message", rep->v[i].message));
	return arr;
}

/* A 422 for an invalid document: every error as a field error (pointer prefixed), the
 * warnings as an extension member. */
static enum err invalid_config(struct http_request *req, struct api_out *out, const struct config_report *rep,
			       const char *prefix)
{
	for (size_t i = 0; i < rep->n; i++)
		if (rep->v[i].severity == CONFIG_ERROR)
			http_field_error_add(req, arena_sprintf(req->arena, "%s%s", prefix, rep->v[i].pointer), rep->v[i].code,
					     "%s", rep->v[i].message);
	err_set(&req->err, ERR_INVALID, prefix, "the configuration has %zu error(s): nothing was saved", rep->n_errors);
	out->problem_ext = json_pack("{s:o}", "warnings", problems_json(rep, CONFIG_WARNING));
	return ERR_INVALID;
}

static bool version_param(const struct http_request *req, int *number)
{
	int64_t v;
	const char *s = http_param(req, "number");
	if (!s || !str_to_i64(s, 1, 1000000000, &v))
		return false;
	*number = (int)v;
	return true;
}

/* ---- reads ------------------------------------------------------------------------------- */

static enum err tx_current(struct db *db, struct http_request *req, void *arg, struct api_out *out)
{
	(void)arg;
	return config_store_get(db, req->arena, 0, true, &out->body, &req->err);
}

static enum err config_current(struct http_request *req, struct http_response *res)
{
	return api_tx(req, res, tx_current, NULL, 0);
}

struct list_args {
	int limit;
	const char *cursor;
};

static enum err tx_versions(struct db *db, struct http_request *req, void *arg, struct api_out *out)
{
	struct list_args *la = arg;
	struct dbjson_page page;
	enum err e = config_store_list(db, req->arena, la->limit, la->cursor, &page, &req->err);
	if (!e)
		out->body = api_page_json(&page);
	return e;
}

static enum err config_versions(struct http_request *req, struct http_response *res)
{
	struct list_args la;
	static const char *const q[] = {"limit", "cursor", NULL};
	enum err e = api_query_only(req, q);
	if (!e)
		e = api_page_query(req, &la.limit, &la.cursor);
	return e ? e : api_tx(req, res, tx_versions, &la, 0);
}

static enum err tx_version(struct db *db, struct http_request *req, void *arg, struct api_out *out)
{
	return config_store_get(db, req->arena, *(int *)arg, true, &out->body, &req->err);
}

static enum err config_version(struct http_request *req, struct http_response *res)
{
	int n;
	if (!version_param(req, &n))
		return err_set(&req->err, ERR_NOT_FOUND, "", "configuration version not found");
	return api_tx(req, res, tx_version, &n, 0);
}

struct diff_args {
	int from, to;
};

static enum err tx_diff(struct db *db, struct http_request *req, void *arg, struct api_out *out)
{
	struct diff_args *d = arg;
	int to = d->to;
	enum err e = ERR_OK;
	if (!to)
		e = config_store_current(db, req->arena, &to, NULL, &req->err);
	json_t *patch = NULL;
	if (!e)
		e = config_store_diff(db, req->arena, d->from, to, &patch, &req->err);
	if (!e)
		out->body = json_pack("{s:i, s:i, s:o}", "from", d->from, "to", to, "patch", patch);
	return e;
}

static enum err config_diff(struct http_request *req, struct http_response *res)
{
	static const char *const q[] = {"from", "to", NULL};
	enum err e = api_query_only(req, q);
	if (e)
		return e;
	struct diff_args d = {0, 0};
	const char *names[2] = {"from", "to"};
	int *vals[2] = {&d.from, &d.to};
	for (int i = 0; i < 2; i++) {
		const char *s = http_query_get(req, names[i]);
		int64_t v;
		if (!s && i == 0) {
			http_field_error_add(req, "from", "required", "from is required: the version to compare from");
			return err_set(&req->err, ERR_INVALID, "from", "from is required");
		}
		if (s && !str_to_i64(s, 1, 1000000000, &v)) {
			http_field_error_add(req, names[i], "range", "%s must be a version number (1 or more)", names[i]);
			return err_set(&req->err, ERR_INVALID, names[i], "%s must be a version number", names[i]);
		}
		if (s)
			*vals[i] = (int)v;
	}
	return api_tx(req, res, tx_diff, &d, 0);
}

/* ---- validate, save, patch ------------------------------------------------------------- */

static const char VALIDATE_SCHEMA[] =
	"{\"type\": \"object\", \"additionalProperties\": false,"
	" \"properties\": {\"document\": {\"type\": \"object\"}, \"baseVersion\": {\"type\": \"integer\", \"minimum\": 1},"
	"  \"patch\": {\"type\": \"array\", \"items\": {\"type\": \"object\"}}},"
	" \"oneOf\": [{\"required\": [\"document\"], \"not\": {\"required\": [\"patch\"]}},"
	"  {\"required\": [\"baseVersion\", \"patch\"], \"not\": {\"required\": [\"document\"]}}]}";

static const char SAVE_SCHEMA[] =
	"{\"type\": \"object\", \"additionalProperties\": false, \"required\": [\"baseVersion\", \"document\"],"
	" \"properties\": {\"baseVersion\": {\"type\": \"integer\", \"minimum\": 0},"
	"  \"message\": {\"type\": \"string\", \"maxLength\": 2000}, \"document\": {\"type\": \"object\"}}}";

static const char PATCH_SCHEMA[] =
	"{\"type\": \"object\", \"additionalProperties\": false, \"required\": [\"baseVersion\", \"patch\"],"
	" \"properties\": {\"baseVersion\": {\"type\": \"integer\", \"minimum\": 1},"
	"  \"message\": {\"type\": \"string\", \"maxLength\": 2000},"
	"  \"patch\": {\"type\": \"array\", \"items\": {\"type\": \"object\"}}, \"dryRun\": {\"type\": \"boolean\"}}}";

struct save_args {
	json_t *body;
	bool validate_only;
};

/* {valid, errors, warnings[, document]} */
static json_t *report_json(const struct config_saved *s, bool with_doc)
{
	json_t *o = json_pack("{s:b, s:o, s:o}", "valid", s->report.n_errors == 0, "errors",
			      problems_json(&s->report, CONFIG_ERROR), "warnings", problems_json(&s->report, CONFIG_WARNING));
	if (with_doc && s->document)
		json_object_set(o, "document", s->document);
	return o;
}

static enum err tx_save(struct db *db, struct http_request *req, void *arg, struct api_out *out)
{
	struct save_args *sa = arg;
	json_t *b = sa->body;
	json_t *base = json_object_get(b, "baseVersion");
	struct config_save in = {.document = json_object_get(b, "document"), .patch = json_object_get(b, "patch"),
				 .base = base ? (int)json_integer_value(base) : -1,
				 .message = json_string_value(json_object_get(b, "message")),
				 .dry_run = sa->validate_only || json_is_true(json_object_get(b, "dryRun"))};
	struct config_saved s;
	enum err e = config_store_commit(db, req->arena, &in, &s, &req->err);
	arena_defer(req->arena, (void (*)(void *))json_decref, s.document);
	if (e == ERR_CONFLICT && !strcmp(req->err.path, "/baseVersion")) {
		out->problem_ext = json_pack("{s:i}", "currentVersion", s.current);
		return e;
	}
	if (in.dry_run && (e == ERR_OK || (e == ERR_INVALID && s.report.n_errors))) {
		/* validation is an answer, not a failure */
		out->body = report_json(&s, in.patch != NULL);
		json_object_set_new(out->body, "baseVersion", json_integer(s.current));
		return ERR_OK;
	}
	if (e == ERR_INVALID && s.report.n_errors)
		return invalid_config(req, out, &s.report, in.patch ? "" : "/document");
	if (e)
		return e;
	if ((e = config_store_get(db, req->arena, s.number, false, &out->body, &req->err)))
		return e;
	json_object_set_new(out->body, "warnings", problems_json(&s.report, CONFIG_WARNING));
	json_object_set_new(out->body, "retimedAssignments", json_integer(s.retimed));
	out->status = 201;
	out->location = arena_sprintf(req->arena, "/api/v1/config/versions/%d", s.number);
	return ERR_OK;
}

static enum err tx_validate(struct db *db, struct http_request *req, void *arg, struct api_out *out)
{
	struct save_args *sa = arg;
	json_t *doc = json_object_get(sa->body, "document");
	if (!doc)
		return tx_save(db, req, arg, out);
	struct config_saved s = {0};
	enum err e = config_store_validate(db, req->arena, doc, &s.report, &req->err);
	if (e && e != ERR_INVALID)
		return e;
	out->body = report_json(&s, false);
	return ERR_OK;
}

static enum err run_body(struct http_request *req, struct http_response *res, const char *schema, api_tx_fn fn,
			 bool validate_only, unsigned flags)
{
	use_share_dir(req);
	struct save_args sa = {.validate_only = validate_only};
	enum err e = api_body(req, schema, &sa.body);
	if (e)
		return e;
	e = api_tx(req, res, fn, &sa, flags);
	json_decref(sa.body);
	return e;
}

static enum err config_validate_route(struct http_request *req, struct http_response *res)
{
	return run_body(req, res, VALIDATE_SCHEMA, tx_validate, true, 0);
}

static enum err config_save_route(struct http_request *req, struct http_response *res)
{
	return run_body(req, res, SAVE_SCHEMA, tx_save, false, API_IDEMPOTENT);
}

static enum err config_patch_route(struct http_request *req, struct http_response *res)
{
	return run_body(req, res, PATCH_SCHEMA, tx_save, false, API_IDEMPOTENT);
}

static const struct http_route routes[] = {
	{.method = "GET", .pattern = "/api/v1/config", .min_role = ROLE_RAD, .handler = config_current},
	{.method = "GET", .pattern = "/api/v1/config/versions", .min_role = ROLE_RAD, .handler = config_versions},
	{.method = "GET", .pattern = "/api/v1/config/versions/{number}", .min_role = ROLE_RAD, .handler = config_version},
	{.method = "GET", .pattern = "/api/v1/config/diff", .min_role = ROLE_RAD, .handler = config_diff},
	{.method = "POST", .pattern = "/api/v1/config/validate", .min_role = ROLE_ADMIN, .handler = config_validate_route},
	{.method = "POST", .pattern = "/api/v1/config/versions", .min_role = ROLE_ADMIN, .handler = config_save_route},
	{.method = "POST", .pattern = "/api/v1/config/patch", .min_role = ROLE_ADMIN, .handler = config_patch_route},
};

WEB_ROUTES(api_config, routes)
