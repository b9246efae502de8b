#include "base/strutil.h"
#include "json/json_schema.h"

#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/json_format.h"
#include "json/json_pointer.h"
#include "json/json_value.h"

#define MAX_EVAL_DEPTH 256
#define DEFAULT_MAX_ERRORS 1000

/* A schema node compiled ahead of time: a pattern string's regex or a $ref target. */
struct compiled {
	const json_t *node; /* the "pattern" string or the "$ref" string */
	const json_t *target;
	regex_t re;
	bool has_re;
};

struct json_schema {
	json_t *root;
	struct compiled *v;
	size_t n, cap;
};

/* ---------- compile: check every keyword, compile patterns, resolve $refs ---------- */

enum kw_kind {
	KW_ANNOT,   /* any value, no effect */
	KW_SUB,     /* one schema */
	KW_SUBMAP,  /* object of schemas */
	KW_SUBLIST, /* non-empty array of schemas */
	KW_TYPE,
	KW_ENUM,    /* non-empty array */
	KW_ANY,     /* const */
	KW_NUM,
	KW_POSNUM,  /* multipleOf */
	KW_COUNT,   /* non-negative integer */
	KW_BOOL,
	KW_PATTERN,
	KW_FORMAT,
	KW_STRLIST, /* required */
	KW_DEPREQ,  /* dependentRequired */
	KW_REF,
	KW_SCHEMA_URI,
};

static const struct {
	const char *name;
	enum kw_kind kind;
} keywords[] = {
	{"$schema", KW_SCHEMA_URI}, {"$id", KW_ANNOT}, {"$comment", KW_ANNOT}, {"title", KW_ANNOT},
	{"description", KW_ANNOT}, {"default", KW_ANNOT}, {"examples", KW_ANNOT}, {"deprecated", KW_ANNOT},
	{"readOnly", KW_ANNOT}, {"writeOnly", KW_ANNOT}, {"$defs", KW_SUBMAP}, {"$ref", KW_REF},
	{"type", KW_TYPE}, {"enum", KW_ENUM}, {"const", KW_ANY}, {"minimum", KW_NUM}, {"maximum", KW_NUM},
	{"exclusiveMinimum", KW_NUM}, {"exclusiveMaximum", KW_NUM}, {"multipleOf", KW_POSNUM},
	{"minLength", KW_COUNT}, {"maxLength", KW_COUNT}, {"pattern", KW_PATTERN}, {"format", KW_FORMAT},
	{"items", KW_SUB}, {"prefixItems", KW_SUBLIST}, {"minItems", KW_COUNT}, {"maxItems", KW_COUNT},
	{"uniqueItems", KW_BOOL}, {"properties", KW_SUBMAP}, {"required", KW_STRLIST},
	{"additionalProperties", KW_SUB}, {"propertyNames", KW_SUB}, {"minProperties", KW_COUNT},
	{"maxProperties", KW_COUNT}, {"dependentRequired", KW_DEPREQ}, {"allOf", KW_SUBLIST},
	{"anyOf", KW_SUBLIST}, {"oneOf", KW_SUBLIST}, {"not", KW_SUB}, {"if", KW_SUB}, {"then", KW_SUB},
	{"else", KW_SUB},
};

static const char *const type_names[] = {"object", "array", "string", "integer", "number", "boolean", "null"};

static bool known_type(const char *t)
{
	for (size_t i = 0; i < sizeof type_names / sizeof *type_names; i++)
		if (!strcmp(t, type_names[i]))
			return true;
	return false;
}

static struct compiled *add_compiled(struct json_schema *s, const json_t *node)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->v = xrealloc(s->v, s->cap * sizeof *s->v);
	}
	struct compiled *c = &s->v[s->n++];
	memset(c, 0, sizeof *c);
	c->node = node;
	return c;
}

static int cmp_compiled(const void *a, const void *b)
{
	const struct compiled *x = a, *y = b;
	return x->node < y->node ? -1 : x->node > y->node;
}

static const struct compiled *find_compiled(const struct json_schema *s, const json_t *node)
{
	struct compiled key = {.node = node};
	return bsearch(&key, s->v, s->n, sizeof *s->v, cmp_compiled);
}

static enum err compile_node(struct json_schema *s, const json_t *node, struct buf *path, struct errinfo *ei);

static enum err compile_child(struct json_schema *s, const json_t *node, struct buf *path, const char *tok,
			      struct errinfo *ei)
{
	size_t mark = path->len;
	enum err e = json_pointer_append(path, tok);
	if (e == ERR_OK)
		e = compile_node(s, node, path, ei);
	path->len = mark;
	path->data[mark] = 0;
	return e;
}

static bool is_count(const json_t *v)
{
	return json_value_is_integral(v) && json_number_value(v) >= 0;
}

static enum err compile_keyword(struct json_schema *s, const char *kw, enum kw_kind kind, const json_t *v,
				struct buf *path, struct errinfo *ei)
{
#define BAD(...) err_set(ei, ERR_INVALID, path->data, __VA_ARGS__)
	switch (kind) {
	case KW_ANNOT:
		return ERR_OK;
	case KW_SCHEMA_URI:
		if (!json_is_string(v) || !strstr(json_string_value(v), "2020-12"))
			return BAD("only draft 2020-12 schemas are supported");
		return ERR_OK;
	case KW_SUB:
		return compile_node(s, v, path, ei);
	case KW_SUBMAP: {
		if (!json_is_object(v))
			return BAD("\"%s\" must be an object of schemas", kw);
		const char *k;
		json_t *sub;
		JSON_OBJECT_EACH(v, k, sub)
		{
			enum err e = compile_child(s, sub, path, k, ei);
			if (e != ERR_OK)
				return e;
		}
		return ERR_OK;
	}
	case KW_SUBLIST:
		if (!json_is_array(v) || json_array_size(v) == 0)
			return BAD("\"%s\" must be a non-empty array of schemas", kw);
		for (size_t i = 0; i < json_array_size(v); i++) {
			char tok[24];
			snprintf(tok, sizeof tok, "%zu", i);
			enum err e = compile_child(s, json_array_get(v, i), path, tok, ei);
			if (e != ERR_OK)
				return e;
		}
		return ERR_OK;
	case KW_TYPE:
		if (json_is_string(v))
			return known_type(json_string_value(v)) ? ERR_OK : BAD("unknown type \"%s\"", json_string_value(v));
		if (!json_is_array(v) || json_array_size(v) == 0)
			return BAD("\"type\" must be a type name or a non-empty array of them");
		for (size_t i = 0; i < json_array_size(v); i++)
			if (!json_is_string(json_array_get(v, i)) || !known_type(json_string_value(json_array_get(v, i))))
				return BAD("\"type\" has an unknown type name");
		return ERR_OK;
	case KW_ENUM:
		return json_is_array(v) && json_array_size(v) ? ERR_OK : BAD("\"enum\" must be a non-empty array");
	case KW_ANY:
		return ERR_OK;
	case KW_NUM:
		return json_is_number(v) ? ERR_OK : BAD("\"%s\" must be a number", kw);
	case KW_POSNUM:
		return json_is_number(v) && json_number_value(v) > 0 ? ERR_OK : BAD("\"%s\" must be > 0", kw);
	case KW_COUNT:
		return is_count(v) ? ERR_OK : BAD("\"%s\" must be a non-negative integer", kw);
	case KW_BOOL:
		return json_is_boolean(v) ? ERR_OK : BAD("\"%s\" must be true or false", kw);
	case KW_FORMAT:
		if (!json_is_string(v) || !json_format_known(json_string_value(v)))
			return BAD("unknown format (supported: date, time, email)");
		return ERR_OK;
	case KW_PATTERN: {
		if (!json_is_string(v))
			return BAD("\"pattern\" must be a string");
		struct compiled *c = add_compiled(s, v);
		int rc = regcomp(&c->re, json_string_value(v), REG_EXTENDED | REG_NOSUB);
		if (rc != 0) {
			s->n--;
			char msg[128];
			regerror(rc, &c->re, msg, sizeof msg);
			return BAD("pattern does not compile as a POSIX extended regex: %s", msg);
		}
		c->has_re = true;
		return ERR_OK;
	}
	case KW_STRLIST:
		if (!json_is_array(v))
			return BAD("\"%s\" must be an array of strings", kw);
		for (size_t i = 0; i < json_array_size(v); i++)
			if (!json_is_string(json_array_get(v, i)))
				return BAD("\"%s\" must be an array of strings", kw);
		return ERR_OK;
	case KW_DEPREQ: {
		if (!json_is_object(v))
			return BAD("\"dependentRequired\" must be an object of string arrays");
		const char *k;
		json_t *sub;
		JSON_OBJECT_EACH(v, k, sub)
		{
			if (!json_is_array(sub))
				return BAD("\"dependentRequired\" must be an object of string arrays");
			for (size_t i = 0; i < json_array_size(sub); i++)
				if (!json_is_string(json_array_get(sub, i)))
					return BAD("\"dependentRequired\" must be an object of string arrays");
		}
		return ERR_OK;
	}
	case KW_REF: {
		const char *ref = json_string_value(v);
		if (!ref || ref[0] != '#' || strchr(ref, '%'))
			return BAD("only local references (\"#/$defs/name\") are supported");
		json_t *target;
		if (json_pointer_get(s->root, ref + 1, &target, NULL) != ERR_OK)
			return BAD("\"$ref\" %s points to nothing", ref);
		add_compiled(s, v)->target = target;
		return ERR_OK;
	}
	}
	return ERR_OK;
#undef BAD
}

static enum err compile_node(struct json_schema *s, const json_t *node, struct buf *path, struct errinfo *ei)
{
	if (json_is_boolean(node))
		return ERR_OK;
	if (!json_is_object(node))
		return err_set(ei, ERR_INVALID, path->data, "a schema must be an object or a boolean");
	const char *kw;
	json_t *v;
	JSON_OBJECT_EACH(node, kw, v)
	{
		size_t i = 0, n = sizeof keywords / sizeof *keywords;
		while (i < n && strcmp(keywords[i].name, kw))
			i++;
		size_t mark = path->len;
		enum err e = json_pointer_append(path, kw);
		if (e == ERR_OK && i == n)
			e = err_set(ei, ERR_INVALID, path->data, "unknown or unsupported keyword \"%s\"", kw);
		if (e == ERR_OK)
			e = compile_keyword(s, kw, keywords[i].kind, v, path, ei);
		if (e != ERR_OK)
			return e;
		path->len = mark;
		path->data[mark] = 0;
	}
	return ERR_OK;
}

void json_schema_free(struct json_schema *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].has_re)
			regfree(&s->v[i].re);
	free(s->v);
	json_decref(s->root);
	free(s);
}

enum err json_schema_new(const json_t *schema, struct json_schema **out, struct errinfo *ei)
{
	*out = NULL;
	struct json_schema *s = xcalloc(1, sizeof *s);
	s->root = json_incref((json_t *)schema);
	struct buf path;
	buf_init(&path, 4096);
	enum err e = buf_puts(&path, "");
	if (e == ERR_OK)
		e = compile_node(s, schema, &path, ei);
	else
		err_set(ei, e, "", "schema path too long");
	buf_fini(&path);
	if (e != ERR_OK) {
		json_schema_free(s);
		return e;
	}
	qsort(s->v, s->n, sizeof *s->v, cmp_compiled);
	*out = s;
	return ERR_OK;
}

/* ---------- validate ---------- */

/* Where errors go: recorded (paths and messages in the arena) or only counted, for
 * the trial evaluations of anyOf/oneOf/not/if. */
struct sink {
	struct json_schema_error *v;
	size_t n, cap, max;
	size_t count;
	bool record, truncated;
};

struct path {
	char *s;
	size_t len, cap;
};

struct vctx {
	const struct json_schema *s;
	struct arena *a;
	struct path ip, sp;
	struct sink *sink;
	int depth;
};

static void path_reserve(struct path *p, size_t extra)
{
	if (p->len + extra + 1 > p->cap) {
		while (p->len + extra + 1 > p->cap)
			p->cap = p->cap ? p->cap * 2 : 256;
		p->s = xrealloc(p->s, p->cap);
	}
}

static size_t path_push(struct path *p, const char *tok)
{
	size_t mark = p->len;
	path_reserve(p, 2 * strlen(tok) + 1);
	p->s[p->len++] = '/';
	for (const char *t = tok; *t; t++) {
		if (*t == '~' || *t == '/') {
			p->s[p->len++] = '~';
			p->s[p->len++] = *t == '~' ? '0' : '1';
		} else {
			p->s[p->len++] = *t;
		}
	}
	p->s[p->len] = 0;
	return mark;
}

static size_t path_push_index(struct path *p, size_t i)
{
	char tok[24];
	snprintf(tok, sizeof tok, "%zu", i);
	return path_push(p, tok);
}

static void path_pop(struct path *p, size_t mark)
{
	p->len = mark;
	p->s[mark] = 0;
}

static bool done(const struct vctx *c)
{
	return (!c->sink->record && c->sink->count) || c->sink->truncated;
}

/* Record one error at the current instance path (plus extra token, when given). */
static void report(struct vctx *c, const char *keyword, const char *extra, const char *fmt, ...) RS_PRINTF(4, 5);
static void report(struct vctx *c, const char *keyword, const char *extra, const char *fmt, ...)
{
	struct sink *k = c->sink;
	k->count++;
	if (!k->record)
		return;
	if (k->n >= k->max) {
		k->truncated = true;
		return;
	}
	if (k->n == k->cap) {
		size_t ncap = k->cap ? k->cap * 2 : 16;
		struct json_schema_error *nv = arena_alloc(c->a, ncap * sizeof *nv);
		if (k->n)
			memcpy(nv, k->v, k->n * sizeof *nv);
		k->v = nv;
		k->cap = ncap;
	}
	struct json_schema_error *e = &k->v[k->n++];
	e->instance_path = extra ? json_pointer_join(c->a, c->ip.s, extra) : arena_strdup(c->a, c->ip.s);
	e->schema_path = strcmp(keyword, "false") ? json_pointer_join(c->a, c->sp.s, keyword) : arena_strdup(c->a, c->sp.s);
	e->keyword = keyword;
	va_list ap;
	va_start(ap, fmt);
	e->message = arena_vsprintf(c->a, fmt, ap);
	va_end(ap);
}

static void check(struct vctx *c, const json_t *sch, const json_t *inst);

/* Evaluate sub-schema sch[kw] (or sch[kw][idx] when idx >= 0) against inst. */
static void check_sub(struct vctx *c, const json_t *sub, const char *kw, long idx, const json_t *inst)
{
	size_t m1 = path_push(&c->sp, kw);
	if (idx >= 0)
		path_push_index(&c->sp, (size_t)idx);
	check(c, sub, inst);
	path_pop(&c->sp, m1);
}

static const char *a_type(const char *t)
{
	static const char *const names[][2] = {{"object", "an object"}, {"array", "an array"}, {"string", "a string"},
					      {"integer", "an integer"}, {"number", "a number"},
					      {"boolean", "true or false"}, {"null", "null"}};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (!strcmp(t, names[i][0]))
			return names[i][1];
	return t;
}

static bool type_matches(const char *t, const json_t *inst)
{
	if (!strcmp(t, "integer"))
		return json_value_is_integral(inst);
	if (!strcmp(t, "number"))
		return json_is_number(inst);
	const char *have = json_value_type_name(inst);
	return !strcmp(t, have) || (!strcmp(have, "integer") && !strcmp(t, "number"));
}

static void check_type(struct vctx *c, const json_t *tv, const json_t *inst)
{
	const char *have = json_value_is_integral(inst) ? "integer" : json_value_type_name(inst);
	if (json_is_string(tv)) {
		if (!type_matches(json_string_value(tv), inst))
			report(c, "type", NULL, "must be %s, not %s", a_type(json_string_value(tv)), a_type(have));
		return;
	}
	for (size_t i = 0; i < json_array_size(tv); i++)
		if (type_matches(json_string_value(json_array_get(tv, i)), inst))
			return;
	char want[200] = "";
	for (size_t i = 0; i < json_array_size(tv); i++) {
		size_t l = strlen(want);
		snprintf(want + l, sizeof want - l, "%s%s", i ? " or " : "", a_type(json_string_value(json_array_get(tv, i))));
	}
	report(c, "type", NULL, "must be %s, not %s", want, a_type(have));
}

/* Compact JSON of v for messages, cut at ~80 bytes. */
static char *show(struct vctx *c, const json_t *v)
{
	if (!c->sink->record)
		return "";
	struct buf b;
	buf_init(&b, 0);
	RS_IGNORE(json_text_encode(v, JSON_ENC_COMPACT, &b)); /* uncapped: cannot fail */
	char *out = b.len > 80 ? arena_sprintf(c->a, "%.77s...", b.data) : arena_strdup(c->a, b.data ? b.data : "");
	buf_fini(&b);
	return out;
}

static void check_enum(struct vctx *c, const json_t *ev, const json_t *inst)
{
	for (size_t i = 0; i < json_array_size(ev); i++)
		if (json_value_equal(json_array_get(ev, i), inst))
			return;
	if (!c->sink->record) {
		c->sink->count++;
		return;
	}
	char list[300] = "";
	for (size_t i = 0; i < json_array_size(ev); i++) {
		size_t l = strlen(list);
		if (l > 240) {
			snprintf(list + l, sizeof list - l, ", ...");
			break;
		}
		snprintf(list + l, sizeof list - l, "%s%s", i ? ", " : "", show(c, json_array_get(ev, i)));
	}
	report(c, "enum", NULL, "%s is not one of: %s", show(c, inst), list);
}

static void check_number(struct vctx *c, const json_t *sch, const json_t *inst)
{
	double x = json_number_value(inst);
	json_t *v;
	if ((v = json_object_get(sch, "minimum")) && x < json_number_value(v))
		report(c, "minimum", NULL, "must be at least %.15g", json_number_value(v));
	if ((v = json_object_get(sch, "maximum")) && x > json_number_value(v))
		report(c, "maximum", NULL, "must be at most %.15g", json_number_value(v));
	if ((v = json_object_get(sch, "exclusiveMinimum")) && x <= json_number_value(v))
		report(c, "exclusiveMinimum", NULL, "must be greater than %.15g", json_number_value(v));
	if ((v = json_object_get(sch, "exclusiveMaximum")) && x >= json_number_value(v))
		report(c, "exclusiveMaximum", NULL, "must be less than %.15g", json_number_value(v));
	if ((v = json_object_get(sch, "multipleOf"))) {
		double q = x / json_number_value(v);
		if (!isfinite(q) || fabs(q - round(q)) > 1e-9)
			report(c, "multipleOf", NULL, "must be a multiple of %.15g", json_number_value(v));
	}
}

static size_t utf8_chars(const char *s, size_t n)
{
	size_t count = 0;
	for (size_t i = 0; i < n; i++)
		count += ((unsigned char)s[i] & 0xC0) != 0x80;
	return count;
}

static void check_string(struct vctx *c, const json_t *sch, const json_t *inst)
{
	const char *s = json_string_value(inst);
	size_t len = utf8_chars(s, json_string_length(inst));
	json_t *v;
	if ((v = json_object_get(sch, "minLength")) && len < (size_t)json_number_value(v)) {
		if (json_number_value(v) == 1)
			report(c, "minLength", NULL, "must not be empty");
		else
			report(c, "minLength", NULL, "must be at least %.0f characters long", json_number_value(v));
	}
	if ((v = json_object_get(sch, "maxLength")) && len > (size_t)json_number_value(v))
		report(c, "maxLength", NULL, "must be at most %.0f characters long", json_number_value(v));
	if ((v = json_object_get(sch, "pattern"))) {
		const struct compiled *p = find_compiled(c->s, v);
		if (p && p->has_re && regexec(&p->re, s, 0, NULL, 0) != 0)
			report(c, "pattern", NULL, "%s does not match the pattern %s", show(c, inst), json_string_value(v));
	}
	if ((v = json_object_get(sch, "format")) && !json_format_check(json_string_value(v), s)) {
		const char *f = json_string_value(v);
		const char *hint = !strcmp(f, "date")   ? "a calendar date YYYY-MM-DD"
				   : !strcmp(f, "time") ? "a time HH:MM:SS with an offset"
							: "an email address";
		report(c, "format", NULL, "%s is not %s", show(c, inst), hint);
	}
}

static void check_array(struct vctx *c, const json_t *sch, const json_t *inst)
{
	size_t n = json_array_size(inst);
	json_t *v;
	if ((v = json_object_get(sch, "minItems")) && n < (size_t)json_number_value(v))
		report(c, "minItems", NULL, "must have at least %.0f item%s", json_number_value(v),
		       json_number_value(v) == 1 ? "" : "s");
	if ((v = json_object_get(sch, "maxItems")) && n > (size_t)json_number_value(v))
		report(c, "maxItems", NULL, "must have at most %.0f item%s", json_number_value(v),
		       json_number_value(v) == 1 ? "" : "s");
	if (json_is_true(json_object_get(sch, "uniqueItems"))) {
		for (size_t j = 1; j < n && !done(c); j++)
			for (size_t i = 0; i < j; i++)
				if (json_value_equal(json_array_get(inst, i), json_array_get(inst, j))) {
					size_t m = path_push_index(&c->ip, j);
					report(c, "uniqueItems", NULL, "repeats item %zu (%s); items must be unique", i,
					       show(c, json_array_get(inst, i)));
					path_pop(&c->ip, m);
					break;
				}
	}
	json_t *prefix = json_object_get(sch, "prefixItems");
	size_t np = json_array_size(prefix);
	for (size_t i = 0; i < n && i < np && !done(c); i++) {
		size_t m = path_push_index(&c->ip, i);
		check_sub(c, json_array_get(prefix, i), "prefixItems", (long)i, json_array_get(inst, i));
		path_pop(&c->ip, m);
	}
	json_t *items = json_object_get(sch, "items");
	for (size_t i = np; items && i < n && !done(c); i++) {
		size_t m = path_push_index(&c->ip, i);
		check_sub(c, items, "items", -1, json_array_get(inst, i));
		path_pop(&c->ip, m);
	}
}

static const char *closest_name(const json_t *props, const char *key)
{
	const char *best = NULL, *k;
	size_t bd = 3;
	json_t *v;
	JSON_OBJECT_EACH(props, k, v)
	{
		size_t d = str_edit_distance(key, k);
		if (d < bd && d < strlen(k)) {
			bd = d;
			best = k;
		}
	}
	return best;
}

static void check_object(struct vctx *c, const json_t *sch, const json_t *inst)
{
	size_t n = json_object_size(inst);
	json_t *v;
	const char *key;
	if ((v = json_object_get(sch, "minProperties")) && n < (size_t)json_number_value(v))
		report(c, "minProperties", NULL, "must have at least %.0f member%s", json_number_value(v),
		       json_number_value(v) == 1 ? "" : "s");
	if ((v = json_object_get(sch, "maxProperties")) && n > (size_t)json_number_value(v))
		report(c, "maxProperties", NULL, "must have at most %.0f members", json_number_value(v));
	json_t *req = json_object_get(sch, "required");
	for (size_t i = 0; i < json_array_size(req) && !done(c); i++) {
		const char *name = json_string_value(json_array_get(req, i));
		if (!json_object_get(inst, name))
			report(c, "required", name, "is required");
	}
	json_t *dep = json_object_get(sch, "dependentRequired");
	json_t *list;
	JSON_OBJECT_EACH(dep, key, list)
	{
		if (!json_object_get(inst, key))
			continue;
		for (size_t i = 0; i < json_array_size(list); i++) {
			const char *name = json_string_value(json_array_get(list, i));
			if (!json_object_get(inst, name))
				report(c, "dependentRequired", name, "is required when \"%s\" is present", key);
		}
	}
	json_t *props = json_object_get(sch, "properties");
	json_t *addl = json_object_get(sch, "additionalProperties");
	json_t *pnames = json_object_get(sch, "propertyNames");
	JSON_OBJECT_EACH(inst, key, v)
	{
		if (done(c))
			return;
		size_t m = path_push(&c->ip, key);
		if (pnames) {
			json_t *name = json_string(key);
			check_sub(c, pnames, "propertyNames", -1, name);
			json_decref(name);
		}
		json_t *psch = json_object_get(props, key);
		if (psch) {
			size_t ms = path_push(&c->sp, "properties");
			check_sub(c, psch, key, -1, v);
			path_pop(&c->sp, ms);
		} else if (json_is_false(addl)) {
			const char *near = closest_name(props, key);
			if (near)
				report(c, "additionalProperties", NULL, "unknown property \"%s\" (did you mean \"%s\"?)", key, near);
			else
				report(c, "additionalProperties", NULL, "unknown property \"%s\"", key);
		} else if (addl && !json_is_true(addl)) {
			check_sub(c, addl, "additionalProperties", -1, v);
		}
		path_pop(&c->ip, m);
	}
}

/* Run sub against inst into a fresh sink; returns its error count. When keep is
 * non-NULL the first few errors are recorded there. */
static size_t trial(struct vctx *c, const json_t *sub, const char *kw, long idx, const json_t *inst,
		    struct sink *keep)
{
	struct sink local = {.max = 4};
	struct sink *t = keep ? keep : &local;
	t->record = keep != NULL;
	if (!t->max)
		t->max = 4;
	struct sink *saved = c->sink;
	c->sink = t;
	check_sub(c, sub, kw, idx, inst);
	c->sink = saved;
	return t->count;
}

/* "must match one of ...: [1] /x: is required; [2] ..." for anyOf/oneOf failures. */
static char *alternatives(struct vctx *c, struct sink *tries, size_t n)
{
	struct buf b;
	buf_init(&b, 600);
	size_t base = strlen(c->ip.s);
	for (size_t i = 0; i < n; i++) {
		if (!tries[i].n)
			continue;
		const struct json_schema_error *e = &tries[i].v[0];
		const char *rel = strlen(e->instance_path) > base ? e->instance_path + base : "";
		if (buf_printf(&b, "%s[%zu] %s%s%s", b.len ? "; " : "", i + 1, rel, *rel ? ": " : "", e->message) != ERR_OK)
			break;
	}
	char *out = arena_strdup(c->a, b.data ? b.data : "");
	buf_fini(&b);
	return out;
}

static void check_combinators(struct vctx *c, const json_t *sch, const json_t *inst)
{
	json_t *v;
	if ((v = json_object_get(sch, "allOf")))
		for (size_t i = 0; i < json_array_size(v) && !done(c); i++)
			check_sub(c, json_array_get(v, i), "allOf", (long)i, inst);
	json_t *any = json_object_get(sch, "anyOf"), *one = json_object_get(sch, "oneOf");
	for (int pass = 0; pass < 2; pass++) {
		json_t *list = pass ? one : any;
		if (!list || done(c))
			continue;
		const char *kw = pass ? "oneOf" : "anyOf";
		size_t n = json_array_size(list), matched = 0;
		struct sink *tries = c->sink->record ? arena_alloc(c->a, n * sizeof *tries) : NULL;
		for (size_t i = 0; i < n; i++)
			matched += trial(c, json_array_get(list, i), kw, (long)i, inst, tries ? &tries[i] : NULL) == 0;
		if (matched == 0)
			report(c, kw, NULL, "must match %s of %zu alternatives: %s", pass ? "exactly one" : "at least one", n,
			       tries ? alternatives(c, tries, n) : "");
		else if (pass && matched > 1)
			report(c, kw, NULL, "must match exactly one of %zu alternatives, but matches %zu", n, matched);
	}
	if ((v = json_object_get(sch, "not")) && !done(c) && trial(c, v, "not", -1, inst, NULL) == 0)
		report(c, "not", NULL, "must not match the schema under \"not\"");
	json_t *ifs = json_object_get(sch, "if");
	if (ifs && !done(c)) {
		bool ok = trial(c, ifs, "if", -1, inst, NULL) == 0;
		json_t *branch = json_object_get(sch, ok ? "then" : "else");
		if (branch)
			check_sub(c, branch, ok ? "then" : "else", -1, inst);
	}
}

static void check(struct vctx *c, const json_t *sch, const json_t *inst)
{
	if (done(c))
		return;
	if (json_is_true(sch))
		return;
	if (json_is_false(sch)) {
		const char *last = strrchr(c->ip.s, '/');
		if (last && last[1] && !(last[1] >= '0' && last[1] <= '9'))
			report(c, "false", NULL, "\"%s\" is not allowed here", last + 1);
		else
			report(c, "false", NULL, "is not allowed here");
		return;
	}
	if (++c->depth > MAX_EVAL_DEPTH) {
		report(c, "$ref", NULL, "schema recursion deeper than %d levels", MAX_EVAL_DEPTH);
		c->depth--;
		return;
	}
	json_t *v;
	if ((v = json_object_get(sch, "$ref"))) {
		const struct compiled *r = find_compiled(c->s, v);
		if (r && r->target) {
			struct path saved = c->sp;
			/* errors under a $ref name the referenced location in the schema */
			struct path fresh = {0};
			path_reserve(&fresh, strlen(json_string_value(v)));
			fresh.len = strlen(json_string_value(v)) - 1;
			memcpy(fresh.s, json_string_value(v) + 1, fresh.len + 1);
			c->sp = fresh;
			check(c, r->target, inst);
			free(c->sp.s);
			c->sp = saved;
		}
	}
	if ((v = json_object_get(sch, "type")))
		check_type(c, v, inst);
	if ((v = json_object_get(sch, "enum")))
		check_enum(c, v, inst);
	if ((v = json_object_get(sch, "const")) && !json_value_equal(v, inst))
		report(c, "const", NULL, "must be %s", show(c, v));
	if (json_is_number(inst))
		check_number(c, sch, inst);
	else if (json_is_string(inst))
		check_string(c, sch, inst);
	else if (json_is_array(inst))
		check_array(c, sch, inst);
	else if (json_is_object(inst))
		check_object(c, sch, inst);
	check_combinators(c, sch, inst);
	c->depth--;
}

enum err json_schema_validate(const struct json_schema *s, const json_t *instance, struct arena *a,
			      size_t max_errors, struct json_schema_errors *out)
{
	struct sink sink = {.max = max_errors ? max_errors : DEFAULT_MAX_ERRORS, .record = true};
	struct vctx c = {.s = s, .a = a, .sink = &sink};
	path_reserve(&c.ip, 0);
	path_reserve(&c.sp, 0);
	c.ip.s[0] = c.sp.s[0] = 0;
	check(&c, s->root, instance);
	free(c.ip.s);
	free(c.sp.s);
	out->v = sink.v;
	out->n = sink.n;
	out->truncated = sink.truncated;
	return sink.n ? ERR_INVALID : ERR_OK;
}
