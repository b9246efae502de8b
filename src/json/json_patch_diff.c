/* json_patch_diff.c — json_patch_diff(): see json_patch.h. */
#include <stdlib.h>

#include "base/buf.h"
#include "json/json_patch.h"
#include "json/json_pointer.h"
#include "json/json_value.h"

/* Paths grow and shrink as the walk goes down and up; buffers are uncapped, so
 * appends cannot fail (out-of-memory aborts). */
static void must(enum err e)
{
	if (e != ERR_OK)
		abort();
}

static void emit(json_t *patch, const char *op, const char *path, const json_t *value)
{
	json_t *o = json_object();
	json_object_set_new(o, "op", json_string(op));
	json_object_set_new(o, "path", json_string(path));
	if (value)
		json_object_set_new(o, "value", json_deep_copy(value));
	json_array_append_new(patch, o);
}

static void truncate_to(struct buf *p, size_t len)
{
	p->len = len;
	p->data[len] = 0;
}

static void diff(json_t *patch, struct buf *path, const json_t *a, const json_t *b);

static void diff_objects(json_t *patch, struct buf *path, const json_t *a, const json_t *b)
{
	size_t mark = path->len;
	const char *k;
	json_t *va;
	JSON_OBJECT_EACH(a, k, va)
	{
		must(json_pointer_append(path, k));
		json_t *vb = json_object_get(b, k);
		if (!vb)
			emit(patch, "remove", path->data, NULL);
		else
			diff(patch, path, va, vb);
		truncate_to(path, mark);
	}
	json_t *vb;
	JSON_OBJECT_EACH(b, k, vb)
	{
		if (json_object_get(a, k))
			continue;
		must(json_pointer_append(path, k));
		emit(patch, "add", path->data, vb);
		truncate_to(path, mark);
	}
}

static void diff_arrays(json_t *patch, struct buf *path, const json_t *a, const json_t *b)
{
	size_t na = json_array_size(a), nb = json_array_size(b);
	size_t head = 0, tail = 0;
	while (head < na && head < nb && json_value_equal(json_array_get(a, head), json_array_get(b, head)))
		head++;
	while (tail < na - head && tail < nb - head &&
	       json_value_equal(json_array_get(a, na - 1 - tail), json_array_get(b, nb - 1 - tail)))
		tail++;
	size_t ma = na - head - tail, mb = nb - head - tail, common = ma < mb ? ma : mb;
	size_t mark = path->len;
	for (size_t i = 0; i < common; i++) {
		must(json_pointer_append_index(path, head + i));
		diff(patch, path, json_array_get(a, head + i), json_array_get(b, head + i));
		truncate_to(path, mark);
	}
	/* Surplus middle of a: remove at the same index, as each removal shifts the rest. */
	for (size_t i = common; i < ma; i++) {
		must(json_pointer_append_index(path, head + common));
		emit(patch, "remove", path->data, NULL);
		truncate_to(path, mark);
	}
	for (size_t i = common; i < mb; i++) {
		must(json_pointer_append_index(path, head + i));
		emit(patch, "add", path->data, json_array_get(b, head + i));
		truncate_to(path, mark);
	}
}

static void diff(json_t *patch, struct buf *path, const json_t *a, const json_t *b)
{
	if (json_value_equal(a, b))
		return;
	if (json_is_object(a) && json_is_object(b))
		diff_objects(patch, path, a, b);
	else if (json_is_array(a) && json_is_array(b))
		diff_arrays(patch, path, a, b);
	else
		emit(patch, "replace", path->data, b);
}

json_t *json_patch_diff(const json_t *from, const json_t *to)
{
	json_t *patch = json_array();
	struct buf path;
	buf_init(&path, 0);
	must(buf_puts(&path, ""));
	diff(patch, &path, from, to);
	buf_fini(&path);
	return patch;
}
