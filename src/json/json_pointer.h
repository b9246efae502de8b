/* json_pointer.h — RFC 6901 JSON Pointers: resolve, split, build.
 * "" is the whole document; "/a~1b/0" is member "a/b", then index 0. Array indexes
 * are "0" or digits without a leading zero; "-" (past the end) never resolves. */
#ifndef RS_JSON_POINTER_H
#define RS_JSON_POINTER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"

/* Resolve ptr in doc. *out is borrowed from doc (NULL on failure).
 * ERR_INVALID: ptr is not "" and does not start with "/", or has a bad "~" escape.
 * ERR_NOT_FOUND: a member or index does not exist (ei->path = the prefix that failed). */
enum err json_pointer_get(const json_t *doc, const char *ptr, json_t **out, struct errinfo *ei) RS_MUST_CHECK;

/* Split ptr into unescaped reference tokens allocated in a (count in *n; "" gives 0).
 * ERR_INVALID on a malformed pointer. */
enum err json_pointer_split(const char *ptr, struct arena *a, char ***tokens, size_t *n,
			    struct errinfo *ei) RS_MUST_CHECK;

/* Parse an array index token: "0" or [1-9][0-9]*, below limit. */
bool json_pointer_index(const char *token, size_t limit, size_t *out);

/* Append "/" + token escaped (~ -> ~0, / -> ~1) to b. */
enum err json_pointer_append(struct buf *b, const char *token) RS_MUST_CHECK;
enum err json_pointer_append_index(struct buf *b, size_t i) RS_MUST_CHECK;

/* base + "/" + escaped token (or index), allocated in a. */
char *json_pointer_join(struct arena *a, const char *base, const char *token);
char *json_pointer_join_index(struct arena *a, const char *base, size_t i);

#endif
