#include "json/json_value.h"

#include <math.h>
#include <string.h>

static bool numbers_equal(const json_t *a, const json_t *b)
{
	if (json_is_integer(a) && json_is_integer(b))
		return json_integer_value(a) == json_integer_value(b);
	return json_number_value(a) == json_number_value(b);
}

bool json_value_equal(const json_t *a, const json_t *b)
{
	if (!a || !b)
		return a == b;
	if (json_is_number(a) && json_is_number(b))
		return numbers_equal(a, b);
	if (json_typeof(a) != json_typeof(b))
		return false;
	switch (json_typeof(a)) {
	case JSON_OBJECT: {
		if (json_object_size(a) != json_object_size(b))
			return false;
		const char *k;
		json_t *va;
		JSON_OBJECT_EACH(a, k, va)
		{
			if (!json_value_equal(va, json_object_get(b, k)))
				return false;
		}
		return true;
	}
	case JSON_ARRAY: {
		size_t n = json_array_size(a);
		if (n != json_array_size(b))
			return false;
		for (size_t i = 0; i < n; i++)
			if (!json_value_equal(json_array_get(a, i), json_array_get(b, i)))
				return false;
		return true;
	}
	case JSON_STRING:
		return json_string_length(a) == json_string_length(b) &&
		       memcmp(json_string_value(a), json_string_value(b), json_string_length(a)) == 0;
	default: /* true, false, null: same type is enough */
		return true;
	}
}

const char *json_value_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER: return "integer";
	case JSON_REAL: return "number";
	case JSON_TRUE:
	case JSON_FALSE: return "boolean";
	default: return "null";
	}
}

bool json_value_is_integral(const json_t *v)
{
	if (json_is_integer(v))
		return true;
	if (!json_is_real(v))
		return false;
	double d = json_real_value(v);
	return isfinite(d) && d == floor(d);
}

struct dump_ctx {
	struct buf *out;
	enum err e;
};

static int dump_cb(const char *p, size_t n, void *data)
{
	struct dump_ctx *c = data;
	if (c->e == ERR_OK)
		c->e = buf_append(c->out, p, n);
	return c->e == ERR_OK ? 0 : -1;
}

enum err json_text_encode(const json_t *v, unsigned flags, struct buf *out)
{
	size_t jf = JSON_ENCODE_ANY | JSON_REAL_PRECISION(15);
	jf |= (flags & JSON_ENC_PRETTY) ? JSON_INDENT(2) : JSON_COMPACT;
	if (flags & JSON_ENC_SORTED)
		jf |= JSON_SORT_KEYS;
	struct dump_ctx c = {out, ERR_OK};
	if (json_dump_callback(v, dump_cb, &c, jf) != 0)
		return c.e != ERR_OK ? c.e : ERR_INTERNAL;
	return ERR_OK;
}
