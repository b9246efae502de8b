#include "json/json_patch.h"

#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "json/json_pointer.h"
#include "json/json_value.h"

/* One operation's state while it runs. */
struct op {
	struct arena *a;
	json_t **root;
	const char *name;
	char reason[300];
};

#define FAIL(o, ...) (snprintf((o)->reason, sizeof (o)->reason, __VA_ARGS__), ERR_INVALID)

/* The container holding the target of toks[0..n): walks toks[0..n-1). */
static json_t *walk(json_t *root, char **toks, size_t n)
{
	json_t *cur = root;
	for (size_t i = 0; i + 1 < n && cur; i++) {
		size_t idx;
		if (json_is_object(cur))
			cur = json_object_get(cur, toks[i]);
		else if (json_is_array(cur) && json_pointer_index(toks[i], json_array_size(cur), &idx))
			cur = json_array_get(cur, idx);
		else
			cur = NULL;
	}
	return cur;
}

/* Adds value (a new reference, always consumed). */
static enum err do_add(struct op *o, const char *path, char **toks, size_t n, json_t *value)
{
	if (n == 0) {
		json_decref(*o->root);
		*o->root = value;
		return ERR_OK;
	}
	json_t *parent = walk(*o->root, toks, n);
	const char *last = toks[n - 1];
	if (json_is_object(parent)) {
		json_object_set_new(parent, last, value);
		return ERR_OK;
	}
	if (json_is_array(parent)) {
		size_t idx, size = json_array_size(parent);
		if (strcmp(last, "-") == 0) {
			json_array_append_new(parent, value);
			return ERR_OK;
		}
		if (json_pointer_index(last, size + 1, &idx)) {
			json_array_insert_new(parent, idx, value);
			return ERR_OK;
		}
		json_decref(value);
		return FAIL(o, "array index \"%s\" is out of range 0..%zu at %s", last, size, path);
	}
	json_decref(value);
	if (!parent)
		return FAIL(o, "the parent of %s does not exist", path);
	return FAIL(o, "the parent of %s is a %s, not an object or array", path, json_value_type_name(parent));
}

/* Removes the target; hands it back in *taken (new reference) when taken != NULL. */
static enum err do_remove(struct op *o, const char *path, char **toks, size_t n, json_t **taken)
{
	if (n == 0)
		return FAIL(o, "cannot remove the whole document");
	json_t *parent = walk(*o->root, toks, n);
	const char *last = toks[n - 1];
	json_t *target = NULL;
	size_t idx = 0;
	if (json_is_object(parent))
		target = json_object_get(parent, last);
	else if (json_is_array(parent) && json_pointer_index(last, json_array_size(parent), &idx))
		target = json_array_get(parent, idx);
	if (!target)
		return FAIL(o, "nothing at %s", path);
	if (taken)
		*taken = json_incref(target);
	if (json_is_object(parent))
		json_object_del(parent, last);
	else
		json_array_remove(parent, idx);
	return ERR_OK;
}

static enum err do_replace(struct op *o, const char *path, char **toks, size_t n, json_t *value)
{
	if (n == 0) {
		json_decref(*o->root);
		*o->root = value;
		return ERR_OK;
	}
	json_t *parent = walk(*o->root, toks, n);
	const char *last = toks[n - 1];
	size_t idx;
	if (json_is_object(parent) && json_object_get(parent, last)) {
		json_object_set_new(parent, last, value);
		return ERR_OK;
	}
	if (json_is_array(parent) && json_pointer_index(last, json_array_size(parent), &idx)) {
		json_array_set_new(parent, idx, value);
		return ERR_OK;
	}
	json_decref(value);
	return FAIL(o, "nothing at %s to replace", path);
}

static const char *member_str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static enum err run_op(struct op *o, const json_t *opj)
{
	if (!json_is_object(opj))
		return FAIL(o, "an operation must be an object, not %s", opj ? json_value_type_name(opj) : "missing");
	const char *name = member_str(opj, "op");
	const char *path = member_str(opj, "path");
	if (!name)
		return FAIL(o, "\"op\" must be a string");
	o->name = name;
	if (!path)
		return FAIL(o, "\"path\" must be a string");
	char **toks;
	size_t n;
	struct errinfo pe;
	if (json_pointer_split(path, o->a, &toks, &n, &pe) != ERR_OK)
		return FAIL(o, "\"path\" %s", pe.message);
	json_t *value = json_object_get(opj, "value");
	bool is_add = !strcmp(name, "add"), is_replace = !strcmp(name, "replace"), is_test = !strcmp(name, "test");
	if ((is_add || is_replace || is_test) && !value)
		return FAIL(o, "\"%s\" needs a \"value\"", name);
	if (is_add)
		return do_add(o, path, toks, n, json_deep_copy(value));
	if (is_replace)
		return do_replace(o, path, toks, n, json_deep_copy(value));
	if (!strcmp(name, "remove"))
		return do_remove(o, path, toks, n, NULL);
	if (is_test) {
		json_t *cur;
		if (json_pointer_get(*o->root, path, &cur, NULL) != ERR_OK)
			return FAIL(o, "nothing at %s to test", path);
		if (!json_value_equal(cur, value)) {
			snprintf(o->reason, sizeof o->reason, "test failed: the value at %s differs", path);
			return ERR_PRECONDITION;
		}
		return ERR_OK;
	}
	bool is_move = !strcmp(name, "move");
	if (!is_move && strcmp(name, "copy"))
		return FAIL(o, "unknown op \"%s\" (add, remove, replace, move, copy, test)", name);
	const char *from = member_str(opj, "from");
	if (!from)
		return FAIL(o, "\"%s\" needs a string \"from\"", name);
	char **ftoks;
	size_t fn;
	if (json_pointer_split(from, o->a, &ftoks, &fn, &pe) != ERR_OK)
		return FAIL(o, "\"from\" %s", pe.message);
	json_t *src;
	if (json_pointer_get(*o->root, from, &src, NULL) != ERR_OK)
		return FAIL(o, "nothing at %s to %s", from, name);
	if (!is_move)
		return do_add(o, path, toks, n, json_deep_copy(src));
	if (!strcmp(from, path))
		return ERR_OK;
	size_t fl = strlen(from);
	if (!strncmp(path, from, fl) && path[fl] == '/')
		return FAIL(o, "cannot move %s into its own child %s", from, path);
	json_t *taken;
	enum err e = do_remove(o, from, ftoks, fn, &taken);
	if (e != ERR_OK)
		return e;
	return do_add(o, path, toks, n, taken);
}

enum err json_patch_apply(const json_t *doc, const json_t *patch, json_t **out, struct errinfo *ei)
{
	*out = NULL;
	if (!json_is_array(patch))
		return err_set(ei, ERR_INVALID, "", "a JSON Patch must be an array of operations");
	size_t nops = json_array_size(patch);
	if (nops > JSON_PATCH_MAX_OPS)
		return err_set(ei, ERR_TOO_LARGE, "", "a JSON Patch may hold at most %d operations, this one has %zu",
			       JSON_PATCH_MAX_OPS, nops);
	json_t *work = json_deep_copy(doc);
	struct arena *a = arena_new(0);
	enum err e = ERR_OK;
	for (size_t i = 0; i < nops; i++) {
		struct op o = {.a = a, .root = &work, .name = "?"};
		e = run_op(&o, json_array_get(patch, i));
		if (e != ERR_OK) {
			char at[32];
			snprintf(at, sizeof at, "/%zu", i);
			err_set(ei, e, at, "operation %zu (%s): %s", i, o.name, o.reason);
			break;
		}
	}
	arena_free(a);
	if (e != ERR_OK) {
		json_decref(work);
		return e;
	}
	*out = work;
	return ERR_OK;
}
