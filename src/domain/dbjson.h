/* dbjson.h — API representations built by SQL, handed up as JSON.
 * The domain writes each representation once, in SQL (jsonb_build_object with the API's
 * camelCase names), next to the queries that own it; these helpers run such a query and
 * parse the column "j" into json_t (jansson is the document type across layers, see
 * docs/development.md). Lists are keyset-paginated: the query returns "j" and a sort key
 * "k" per row and is asked for limit + 1 rows; the key of the last row kept becomes the
 * opaque next cursor (base64url of the key text). */
#ifndef RS_DOMAIN_DBJSON_H
#define RS_DOMAIN_DBJSON_H

#include <jansson.h>

#include "db/db.h"

#define DBJSON_MAX_BYTES ((size_t)32 << 20)
#define DBJSON_LIMIT_DEFAULT 50
#define DBJSON_LIMIT_MAX 200
#define DBJSON_CURSOR_MAX 512 /* decoded key bytes */

struct dbjson_page {
	json_t *items;     /* new reference: array */
	char *next_cursor; /* arena string, NULL on the last page */
};

/* Parse JSON text from our own database (new reference). ERR_INTERNAL when it is not JSON. */
enum err dbjson_parse(const char *text, json_t **out, struct errinfo *ei) RS_MUST_CHECK;

/* Run sql; the first row's column "j" parsed into *out (new reference). No row:
 * ERR_NOT_FOUND with "<what> not found". */
enum err dbjson_one(struct db *db, struct arena *a, json_t **out, struct errinfo *ei, const char *what,
		    const char *sql, int n, const char *const *params) RS_MUST_CHECK;
#define DBJSON_ONE(db, a, out, ei, what, sql, ...)                                                           \
	dbjson_one((db), (a), (out), (ei), (what), (sql),                                                   \
		   (int)(sizeof((const char *[]){NULL, __VA_ARGS__}) / sizeof(char *)) - 1,                  \
		   (const char *const[]){NULL, __VA_ARGS__} + 1)

/* Run sql (which must end in LIMIT limit+1 rows, ordered by its key "k") into a page. */
enum err dbjson_page(struct db *db, struct arena *a, int limit, struct dbjson_page *out, struct errinfo *ei,
		     const char *sql, int n, const char *const *params) RS_MUST_CHECK;
#define DBJSON_PAGE(db, a, limit, out, ei, sql, ...)                                                         \
	dbjson_page((db), (a), (limit), (out), (ei), (sql),                                                 \
		    (int)(sizeof((const char *[]){NULL, __VA_ARGS__}) / sizeof(char *)) - 1,                 \
		    (const char *const[]){NULL, __VA_ARGS__} + 1)

/* The key text of an opaque cursor (arena string); NULL cursor → NULL key. A cursor that
 * is not one of ours → ERR_INVALID at path "cursor". */
enum err dbjson_cursor_key(struct arena *a, const char *cursor, const char **key, struct errinfo *ei) RS_MUST_CHECK;
/* Limit text (NULL = DBJSON_LIMIT_DEFAULT) → 1..DBJSON_LIMIT_MAX; ERR_INVALID at "limit". */
enum err dbjson_limit(const char *text, int *limit, struct errinfo *ei) RS_MUST_CHECK;

/* "limit + 1" as text, for the LIMIT parameter. */
const char *dbjson_limit_param(struct arena *a, int limit);

#endif
