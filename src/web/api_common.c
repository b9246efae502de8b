/* Helpers shared by the JSON API handlers; see api.h. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/strutil.h"
#include "crypto/crypto_hash.h"
#include "domain/dates.h"
#include "domain/idempotency.h"
#include "domain/platform.h"
#include "http/problem.h"
#include "json/json_parse.h"
#include "json/json_schema.h"
#include "json/json_value.h"
#include "web/api.h"
#include "web/principal.h"

#define API_BODY_DEPTH 64
#define API_SCHEMAS_MAX 64
#define API_BODY_ERRORS_MAX 50

/* ---- request bodies ------------------------------------------------------------------ */

struct schema_slot {
	const char *text;
	json_t *doc;
	struct json_schema *s;
};
static struct schema_slot slots[API_SCHEMAS_MAX];
static int nslots;
static pthread_mutex_t slots_lock = PTHREAD_MUTEX_INITIALIZER;

/* The compiled schema for text (a static string); aborts on a broken schema: that is a
 * programming error caught by the first test that posts to the route. */
static const struct json_schema *schema_for(const char *text)
{
	pthread_mutex_lock(&slots_lock);
	const struct json_schema *found = NULL;
	for (int i = 0; i < nslots && !found; i++)
		if (slots[i].text == text)
			found = slots[i].s;
	if (!found) {
		struct errinfo ei = {0};
		json_t *doc = NULL;
		struct json_schema *s = NULL;
		if (nslots >= API_SCHEMAS_MAX || json_parse_strict(text, strlen(text), NULL, &doc, &ei) != ERR_OK ||
		    json_schema_new(doc, &s, &ei) != ERR_OK) {
			log_kv(LOG_ERROR, "API body schema broken", "path", ei.path, "detail", ei.message, NULL);
			abort();
		}
		slots[nslots++] = (struct schema_slot){text, doc, s};
		found = s;
	}
	pthread_mutex_unlock(&slots_lock);
	return found;
}

static const char *field_code(const char *kw)
{
	static const char *const map[][2] = {
		{"additionalProperties", "unknown_field"}, {"required", "required"}, {"dependentRequired", "required"},
		{"type", "type"}, {"enum", "enum"}, {"const", "enum"}, {"format", "format"}, {"pattern", "pattern"},
		{"minLength", "length"}, {"maxLength", "length"}, {"minimum", "range"}, {"maximum", "range"},
		{"exclusiveMinimum", "range"}, {"exclusiveMaximum", "range"}, {"minItems", "size"}, {"maxItems", "size"},
		{"minProperties", "size"}, {"maxProperties", "size"}, {"uniqueItems", "duplicate"}, {"false", "not_allowed"},
	};
	for (size_t i = 0; i < sizeof map / sizeof *map; i++)
		if (!strcmp(map[i][0], kw))
			return map[i][1];
	return "invalid";
}

enum err api_body(struct http_request *req, const char *schema, json_t **out)
{
	*out = NULL;
	if (!http_request_is_content_type(req, "application/json"))
		return err_set(&req->err, ERR_UNSUPPORTED, "", "send the body as Content-Type: application/json");
	json_t *doc;
	enum err e = json_parse_strict(req->body, req->body_len, &(struct json_caps){0, API_BODY_DEPTH}, &doc, &req->err);
	if (e)
		return e;
	struct json_schema_errors se;
	if (json_schema_validate(schema_for(schema), doc, req->arena, API_BODY_ERRORS_MAX, &se) == ERR_OK) {
		*out = doc;
		return ERR_OK;
	}
	json_decref(doc);
	bool unknown = false;
	for (size_t i = 0; i < se.n; i++) {
		const char *code = field_code(se.v[i].keyword);
		unknown = unknown || !strcmp(code, "unknown_field");
		http_field_error_add(req, se.v[i].instance_path, code, "%s%s%s", se.v[i].instance_path,
				     se.v[i].instance_path[0] ? ": " : "", se.v[i].message);
	}
	const struct json_schema_error *first = &se.v[0];
	return err_set(&req->err, unknown ? ERR_UNKNOWN_FIELD : ERR_INVALID, first->instance_path, "%s%s%s%s",
		       first->instance_path, first->instance_path[0] ? ": " : "", first->message,
		       se.n > 1 ? " (and more: see errors)" : "");
}

/* ---- query parameters ------------------------------------------------------------------- */

const char *api_uuid_param(const struct http_request *req, const char *name)
{
	const char *v = http_param(req, name);
	return v && str_is_uuid(v) ? v : NULL;
}

static enum err query_error(struct http_request *req, const char *name, const char *code, const char *msg)
{
	http_field_error_add(req, name, code, "%s", msg);
	return err_set(&req->err, ERR_INVALID, name, "%s", msg);
}

enum err api_page_query(struct http_request *req, int *limit, const char **cursor_key)
{
	struct errinfo ei = {0};
	if (dbjson_limit(http_query_get(req, "limit"), limit, &ei) != ERR_OK)
		return query_error(req, "limit", "range", ei.message);
	if (dbjson_cursor_key(req->arena, http_query_get(req, "cursor"), cursor_key, &ei) != ERR_OK)
		return query_error(req, "cursor", "invalid", ei.message);
	return ERR_OK;
}

enum err api_query_date(struct http_request *req, const char *name, const char **out)
{
	long d;
	*out = http_query_get(req, name);
	if (*out && !date_parse(*out, &d))
		return query_error(req, name, "format", arena_sprintf(req->arena, "%s must be a date YYYY-MM-DD", name));
	return ERR_OK;
}

enum err api_query_uuid(struct http_request *req, const char *name, const char **out)
{
	*out = http_query_get(req, name);
	if (*out && !str_is_uuid(*out))
		return query_error(req, name, "format", arena_sprintf(req->arena, "%s must be an id (UUID)", name));
	return ERR_OK;
}

enum err api_query_enum(struct http_request *req, const char *name, const char *const *allowed, const char **out)
{
	*out = http_query_get(req, name);
	if (!*out)
		return ERR_OK;
	struct buf b;
	buf_init(&b, 1024);
	for (size_t i = 0; allowed[i]; i++) {
		if (!strcmp(*out, allowed[i])) {
			buf_fini(&b);
			return ERR_OK;
		}
		RS_IGNORE(buf_printf(&b, "%s%s", i ? ", " : "", allowed[i])); /* short, fixed list */
	}
	const char *msg = arena_sprintf(req->arena, "%s must be one of %s", name, b.data ? b.data : "");
	buf_fini(&b);
	return query_error(req, name, "enum", msg);
}

enum err api_query_only(struct http_request *req, const char *const *allowed)
{
	for (size_t i = 0; i < req->n_query; i++) {
		bool ok = false;
		for (size_t k = 0; allowed[k] && !ok; k++)
			ok = !strcmp(req->query_params[i].name, allowed[k]);
		if (!ok)
			return query_error(req, req->query_params[i].name, "unknown_field",
					   arena_sprintf(req->arena, "unknown query parameter \"%s\"", req->query_params[i].name));
	}
	return ERR_OK;
}

/* ---- answers ------------------------------------------------------------------------------ */

enum err api_problems(struct http_request *req, const struct problems *pr, enum err code)
{
	for (size_t i = 0; i < pr->n; i++)
		http_field_error_add(req, pr->v[i].pointer, pr->v[i].code, "%s", pr->v[i].message);
	enum err e = problems_result(pr, code, &req->err);
	return e ? e : code;
}

json_t *api_page_json(struct dbjson_page *page)
{
	json_t *o = json_pack("{s:o, s:s?}", "items", page->items ? page->items : json_array(), "next_cursor",
			      page->next_cursor);
	if (!page->next_cursor)
		json_object_set_new(o, "next_cursor", json_null());
	page->items = NULL;
	return o;
}

static const char *encode(struct arena *a, const json_t *v)
{
	struct buf b;
	buf_init(&b, 0);
	const char *s = json_text_encode(v, JSON_ENC_COMPACT, &b) == ERR_OK ? arena_strndup(a, b.data, b.len) : NULL;
	buf_fini(&b);
	return s;
}

/* A problem body with extension members (the shape of http/problem.c plus ext). */
static void problem_with_ext(struct http_response *res, enum err code, json_t *ext)
{
	struct http_request *req = res->req;
	int status = http_problem_status(code);
	json_t *p = json_pack("{s:s, s:s, s:i, s:s, s:s}", "type", http_problem_type(code), "title",
			      http_problem_title(code), "status", status, "detail",
			      req->err.message[0] ? req->err.message : http_problem_title(code), "instance",
			      req->raw_path ? req->raw_path : "/");
	json_t *errs = json_array();
	for (size_t i = 0; i < req->n_field_errors; i++)
		json_array_append_new(errs, json_pack("{s:s, s:s, s:s}", "pointer", req->field_errors[i].pointer, "code",
						      req->field_errors[i].code, "detail", req->field_errors[i].detail));
	if (!req->n_field_errors && req->err.path[0])
		json_array_append_new(errs, json_pack("{s:s, s:s, s:s}", "pointer", req->err.path, "code", err_name(code),
						      "detail", req->err.message));
	if (json_array_size(errs))
		json_object_set(p, "errors", errs);
	json_decref(errs);
	json_object_update(p, ext);
	json_object_set_new(p, "request_id", json_string(req->request_id));
	const char *text = encode(req->arena, p);
	json_decref(p);
	http_respond_body(res, status, "application/problem+json", text, strlen(text));
}

/* ---- the transaction runner ------------------------------------------------------------ */

struct tx_state {
	struct http_request *req;
	api_tx_fn fn;
	void *arg;
	struct api_out out;
	const char *key, *hash;
	bool replayed;
	int replay_status;
	const char *replay_body;
};

static void out_reset(struct api_out *o)
{
	json_decref(o->body);
	json_decref(o->problem_ext);
	memset(o, 0, sizeof *o);
	o->status = 200;
}

static enum err tx_body(struct db *db, void *arg, struct errinfo *ei)
{
	struct tx_state *st = arg;
	struct http_request *req = st->req;
	req->n_field_errors = 0; /* a retried transaction starts over */
	out_reset(&st->out);
	st->replayed = false;
	enum err e;
	if (st->key) {
		struct idempotency_claim c;
		if ((e = idempotency_claim(db, req->arena, st->key, st->hash, &c, ei)))
			return e;
		if (c.replay) {
			st->replayed = true;
			st->replay_status = c.status;
			st->replay_body = c.response;
			return ERR_OK;
		}
	}
	if ((e = st->fn(db, req, st->arg, &st->out)))
		return e;
	if (st->key) {
		const char *text = st->out.body ? encode(req->arena, st->out.body) : "";
		e = idempotency_store(db, req->arena, st->key, st->out.status, text ? text : "", ei);
	}
	return e;
}

static const char *request_hash(struct http_request *req)
{
	const char *uid = api_user_id(req);
	struct crypto_part parts[] = {
		{uid ? uid : "", uid ? strlen(uid) : 0}, {"\n", 1}, {req->method, strlen(req->method)}, {"\n", 1},
		{req->raw_path, strlen(req->raw_path)}, {"\n", 1}, {req->body, req->body_len},
	};
	unsigned char h[CRYPTO_SHA256_LEN];
	crypto_sha256_parts(parts, sizeof parts / sizeof *parts, h);
	char *hex = arena_alloc(req->arena, CRYPTO_SHA256_HEX_SIZE);
	crypto_hex_encode(hex, h, sizeof h);
	return hex;
}

enum err api_tx(struct http_request *req, struct http_response *res, api_tx_fn fn, void *arg, unsigned flags)
{
	struct platform *pf = req->app;
	struct tx_state st = {.req = req, .fn = fn, .arg = arg};
	if (flags & API_IDEMPOTENT) {
		st.key = http_header_get(req, "Idempotency-Key");
		if (st.key && !idempotency_key_ok(st.key)) {
			http_field_error_add(req, "Idempotency-Key", "format", "an Idempotency-Key is 1 to %d printable characters",
					     IDEMPOTENCY_KEY_MAX);
			return err_set(&req->err, ERR_INVALID, "Idempotency-Key", "bad Idempotency-Key");
		}
		if (st.key)
			st.hash = request_hash(req);
	}
	struct db_ctx ctx = web_db_ctx(req);
	enum err e = db_with_tx(pf->pool, &ctx, tx_body, &st, &req->err);
	if (e) {
		json_t *ext = st.out.problem_ext;
		st.out.problem_ext = NULL;
		out_reset(&st.out);
		if (ext && http_problem_status(e) < 500) {
			problem_with_ext(res, e, ext);
			json_decref(ext);
			return ERR_OK;
		}
		json_decref(ext);
		return e;
	}
	if (st.replayed) {
		RS_IGNORE(http_set_header(res, "Idempotent-Replayed", "true")); /* constant, valid header */
		if (st.replay_body[0])
			http_respond_json(res, st.replay_status, st.replay_body);
		else
			http_respond_empty(res, st.replay_status);
	} else if (st.out.body) {
		if (st.out.location)
			RS_IGNORE(http_set_header(res, "Location", st.out.location)); /* our own path */
		const char *text = encode(req->arena, st.out.body);
		http_respond_json(res, st.out.status, text ? text : "null");
	} else {
		http_respond_empty(res, st.out.status == 200 ? 204 : st.out.status);
	}
	json_decref(st.out.body);
	json_decref(st.out.problem_ext);
	return ERR_OK;
}

int api_role(const struct http_request *req) { return req->role; }

const char *api_user_id(const struct http_request *req)
{
	const struct principal *p = web_principal(req);
	return p ? p->user_id : NULL;
}
