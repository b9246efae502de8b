/* json_patch.h — RFC 6902 JSON Patch: apply (add, remove, replace, move, copy, test)
 * and diff (a patch that turns one document into another). */
#ifndef RS_JSON_PATCH_H
#define RS_JSON_PATCH_H

#include <jansson.h>

#include "base/err.h"

#define JSON_PATCH_MAX_OPS 10000

/* Apply patch (a JSON array of operation objects) to doc. Atomic: doc is never
 * modified; on success *out is a new document (new reference, caller decrefs) that
 * shares nothing with doc or patch. On failure *out is NULL and ei->path names the
 * failing operation ("/3"), ei->message the reason. `test` compares numbers by value.
 * Errors: ERR_INVALID (malformed patch, or an operation that cannot apply),
 * ERR_PRECONDITION (a `test` failed), ERR_TOO_LARGE (over JSON_PATCH_MAX_OPS). */
enum err json_patch_apply(const json_t *doc, const json_t *patch, json_t **out, struct errinfo *ei) RS_MUST_CHECK;

/* A patch that turns from into to (new reference, never NULL; [] when equal).
 * Objects are compared member by member; arrays keep their common head and tail
 * and edit the middle index-wise; values of different types are replaced whole.
 * Only add, remove and replace are emitted. Applying it to from yields a document
 * json_value_equal() to `to`. */
json_t *json_patch_diff(const json_t *from, const json_t *to);

#endif
