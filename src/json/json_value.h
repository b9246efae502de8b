/* json_value.h — value helpers shared by the json layer and its users: JSON equality
 * (numbers compared by value, as RFC 6902 `test` and JSON Schema `enum` require),
 * type names for messages, const-safe object iteration, and canonical encoding
 * (reals with 15 significant digits, so every decimal a person typed prints as typed).
 * jansson is confined to src/json; other layers see json_t only through these headers. */
#ifndef RS_JSON_VALUE_H
#define RS_JSON_VALUE_H

#include <jansson.h>
#include <stdbool.h>

#include "base/buf.h"
#include "base/err.h"

/* Iterate a const object (jansson's macro wants a mutable pointer; we never mutate). */
#define JSON_OBJECT_EACH(obj, key, val) json_object_foreach((json_t *)(obj), key, val)

/* Deep equality: objects ignore member order, arrays compare element-wise, numbers
 * compare by value (1 == 1.0). NULL equals only NULL. */
bool json_value_equal(const json_t *a, const json_t *b);

/* "object", "array", "string", "integer", "number", "boolean", "null".
 * A real with no fractional part is reported as "number" here; JSON Schema's
 * "integer" test is json_value_is_integral(). */
const char *json_value_type_name(const json_t *v);

/* true for JSON integers and for reals with a zero fractional part (JSON Schema rule). */
bool json_value_is_integral(const json_t *v);

enum json_encode_flags {
	JSON_ENC_COMPACT = 0,
	JSON_ENC_PRETTY = 1, /* two-space indent */
	JSON_ENC_SORTED = 2, /* sort object keys (canonical form for hashes and goldens) */
};

/* Append the JSON text of v (any type) to out. ERR_TOO_LARGE past out's cap
 * (out is then left with a partial text: reset it). */
enum err json_text_encode(const json_t *v, unsigned flags, struct buf *out) RS_MUST_CHECK;

#endif
