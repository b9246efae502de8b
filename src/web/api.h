/* api.h — what the JSON API handlers (src/web/api_*.c) share: request bodies checked
 * against declared JSON Schemas before a handler sees them, query parameters, answers,
 * domain problems → problem+json "errors", and the transaction runner that gives every
 * request its tenant context and honours Idempotency-Key. Conventions in docs/api.md. */
#ifndef RS_WEB_API_H
#define RS_WEB_API_H

#include <jansson.h>
#include <stdbool.h>

#include "db/db.h"
#include "domain/dbjson.h"
#include "domain/problems.h"
#include "http/request.h"
#include "http/response.h"

/* Parse the body (application/json, strict: duplicate keys, bad UTF-8, trailing bytes
 * refused) and check it against schema, a JSON Schema text compiled once per process (the
 * pointer is the cache key: pass a static string; a schema that does not compile aborts
 * the process: a programming error the first test of the route finds). Every problem
 * becomes a field error.
 * ERR_UNSUPPORTED (415: not JSON), ERR_MALFORMED (400), ERR_UNKNOWN_FIELD (400: a member
 * the schema does not declare), ERR_INVALID (422). *out: new reference. */
enum err api_body(struct http_request *req, const char *schema, json_t **out) RS_MUST_CHECK;

/* Route param `name` when it is a UUID, else NULL (answer 404: no such thing exists). */
const char *api_uuid_param(const struct http_request *req, const char *name);
/* ?limit= and ?cursor= (cursor decoded to its key). ERR_INVALID with a field error. */
enum err api_page_query(struct http_request *req, int *limit, const char **cursor_key) RS_MUST_CHECK;
/* Optional query parameter that must be a date / UUID / one of a list (NULL when absent). */
enum err api_query_date(struct http_request *req, const char *name, const char **out) RS_MUST_CHECK;
enum err api_query_uuid(struct http_request *req, const char *name, const char **out) RS_MUST_CHECK;
enum err api_query_enum(struct http_request *req, const char *name, const char *const *allowed,
			const char **out) RS_MUST_CHECK;
/* Only the listed query parameters are accepted (others → ERR_INVALID naming them). */
enum err api_query_only(struct http_request *req, const char *const *allowed) RS_MUST_CHECK;

/* Copy pr into the request's field errors and return code with req->err naming the first. */
enum err api_problems(struct http_request *req, const struct problems *pr, enum err code);

/* A page as {"items": [...], "next_cursor": "..." | null}; takes over page->items. */
json_t *api_page_json(struct dbjson_page *page);

/* What a handler's transaction produces. body is owned (decref'd by api_tx). */
struct api_out {
	int status;           /* 200 by default */
	json_t *body;         /* NULL with status 204 */
	const char *location; /* Location header of a 201 (arena string) */
	json_t *problem_ext;  /* on failure: extension members of the problem (e.g. currentVersion) */
};

typedef enum err (*api_tx_fn)(struct db *db, struct http_request *req, void *arg, struct api_out *out);

#define API_IDEMPOTENT 1u /* honour Idempotency-Key (POSTs that create things) */

/* Run fn in one transaction with the caller's tenant context (RLS, audit actor and
 * request id), commit when it succeeds, and answer. Errors come back with the detail in
 * req->err and field errors (the router writes the problem) unless out->problem_ext was
 * set, in which case the problem is written here. With API_IDEMPOTENT and an
 * Idempotency-Key header: the first answer is stored in the same transaction; the same
 * key with the same request replays it (header Idempotent-Replayed: true), with another
 * request → 422. */
enum err api_tx(struct http_request *req, struct http_response *res, api_tx_fn fn, void *arg,
		unsigned flags) RS_MUST_CHECK;

/* The caller's role (enum role) and id. */
int api_role(const struct http_request *req);
const char *api_user_id(const struct http_request *req);

#endif
