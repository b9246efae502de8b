/* tmpl_render.c — walk a compiled template against a json_t context stack. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strutil.h"
#include "tmpl/tmpl_int.h"

#define IND_MAX ((size_t)64 << 10) /* accumulated indentation of nested partials */

/* One {{<parent}} being rendered: its block arguments, and the parents around it. */
struct ov {
	const struct tnode *parent;
	const struct ov *up;
};

struct rs {
	const struct tmpl_render_opts *o;
	struct buf *out;
	size_t max; /* for messages */
	const json_t *ctx[TMPL_MAX_RENDER_DEPTH + 2];
	int nctx;
	const struct ov *ov;
	struct buf ind;  /* indentation stack; the current one is ind.data[ind_base..] */
	size_t ind_base;
	int depth, max_depth;
	bool skip_line;  /* the next node, if a TN_LINE, is not written (inline block) */
	const char *tname;
	struct errinfo *ei;
};

static enum err full(struct rs *r, enum err e)
{
	if (e == ERR_TOO_LARGE)
		return err_set(r->ei, e, "", "%s: rendered output is larger than the cap of %zu bytes", r->tname, r->max);
	return e;
}

static enum err put(struct rs *r, const char *s, size_t n)
{
	return n ? full(r, buf_append(r->out, s, n)) : ERR_OK;
}

static enum err ind_push(struct rs *r, const char *s, size_t n)
{
	if (buf_append(&r->ind, s, n))
		return err_set(r->ei, ERR_TOO_LARGE, "", "%s: indentation deeper than %zu bytes", r->tname, IND_MAX);
	return ERR_OK;
}

static void ind_pop(struct rs *r, size_t len, size_t base)
{
	r->ind.len = len;
	r->ind_base = base;
}

/* list.0, list.1 …: an array element by a decimal index (an extension of the spec, so a
 * template can test "has a first element" with {{#list.0}}). NULL for anything else. */
static const json_t *array_item(const json_t *v, const char *seg)
{
	if (!json_is_array(v) || !*seg || strlen(seg) > 9 || strspn(seg, "0123456789") != strlen(seg))
		return NULL;
	return json_array_get(v, (size_t)strtoul(seg, NULL, 10));
}

/* Resolve a (dotted) name: the first segment against the context stack from the top, the
 * rest strictly inside what that found. NULL when missing. */
static const json_t *lookup(const struct rs *r, const struct tname *n)
{
	if (n->nseg == 0)
		return r->nctx ? r->ctx[r->nctx - 1] : NULL;
	const json_t *v = NULL;
	for (int i = r->nctx - 1; i >= 0 && !v; i--)
		if (json_is_object(r->ctx[i]))
			v = json_object_get(r->ctx[i], n->seg[0]);
	for (size_t k = 1; v && k < n->nseg; k++)
		v = json_is_object(v) ? json_object_get(v, n->seg[k]) : array_item(v, n->seg[k]);
	return v;
}

static bool truthy(const json_t *v)
{
	if (!v)
		return false;
	switch (json_typeof(v)) {
	case JSON_FALSE:
	case JSON_NULL: return false;
	case JSON_STRING: return json_string_length(v) > 0;
	case JSON_ARRAY: return json_array_size(v) > 0;
	default: return true;
	}
}

/* Shortest %g form that reads back as the same double (1.21, not 1.2099999999999999). */
static void format_real(char *out, size_t n, double d)
{
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(out, n, "%.*g", prec, d);
		if (strtod(out, NULL) == d)
			return;
	}
}

static enum err put_value(struct rs *r, const json_t *v, bool escape)
{
	char num[64];
	const char *s;
	switch (v ? json_typeof(v) : JSON_NULL) {
	case JSON_STRING: s = json_string_value(v); break;
	case JSON_INTEGER:
		snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		s = num;
		break;
	case JSON_REAL:
		format_real(num, sizeof num, json_real_value(v));
		s = num;
		break;
	case JSON_TRUE: s = "true"; break;
	case JSON_FALSE: s = "false"; break;
	default: return ERR_OK; /* null, objects, arrays */
	}
	if (escape && r->o->escape == TMPL_ESCAPE_HTML)
		return full(r, str_html_escape(r->out, s));
	return put(r, s, strlen(s));
}

static enum err render_body(struct rs *r, const struct tbody *b);

static enum err section(struct rs *r, const struct tnode *n)
{
	const json_t *v = lookup(r, &n->name);
	enum err e = ERR_OK;
	if (!truthy(v))
		return ERR_OK;
	if (json_is_array(v)) {
		for (size_t i = 0; !e && i < json_array_size(v); i++) {
			r->ctx[r->nctx++] = json_array_get(v, i);
			e = render_body(r, &n->body);
			r->nctx--;
		}
		return e;
	}
	r->ctx[r->nctx++] = v;
	e = render_body(r, &n->body);
	r->nctx--;
	return e;
}

/* {{>partial}} and {{<parent}}: render another template here. */
static enum err include(struct rs *r, const struct tnode *n)
{
	const struct tmpl *t = NULL;
	enum err e;
	if (r->o->partial && (e = r->o->partial(r->o->partial_arg, n->name.text, &t, r->ei)))
		return e;
	if (!t)
		return ERR_OK;
	size_t len = r->ind.len, base = r->ind_base;
	const char *tname = r->tname;
	struct ov frame = {n, r->ov};
	if (!n->standalone)
		r->ind_base = r->ind.len; /* inline inclusion: its lines are not indented */
	else if ((e = ind_push(r, n->indent, n->indent_len)))
		return e;
	if (n->kind == TN_PARENT)
		r->ov = &frame;
	r->tname = t->name;
	e = render_body(r, &t->root);
	r->tname = tname;
	r->ov = frame.up;
	ind_pop(r, len, base);
	return e;
}

/* {{$block}}: the outermost parent's argument of that name wins over inner ones and over
 * the default content. */
static enum err block(struct rs *r, const struct tnode *n)
{
	const struct tbody *body = &n->body;
	for (const struct ov *f = r->ov; f; f = f->up)
		for (size_t i = 0; i < f->parent->args.n; i++)
			if (strcmp(f->parent->args.v[i].name.text, n->name.text) == 0) {
				body = &f->parent->args.v[i].body;
				break;
			}
	size_t len = r->ind.len;
	enum err e = ind_push(r, n->indent, n->indent_len);
	if (e)
		return e;
	r->skip_line = !n->standalone;
	e = render_body(r, body);
	r->skip_line = false;
	r->ind.len = len;
	return e;
}

static enum err render_node(struct rs *r, const struct tnode *n, bool skip_line)
{
	switch (n->kind) {
	case TN_TEXT: return put(r, n->text, n->len);
	case TN_LINE:
		if (skip_line || r->ind.len == r->ind_base)
			return ERR_OK;
		return put(r, r->ind.data + r->ind_base, r->ind.len - r->ind_base);
	case TN_VAR: return put_value(r, lookup(r, &n->name), true);
	case TN_RAW: return put_value(r, lookup(r, &n->name), false);
	case TN_SECTION: return section(r, n);
	case TN_INVERTED: return truthy(lookup(r, &n->name)) ? ERR_OK : render_body(r, &n->body);
	case TN_PARTIAL:
	case TN_PARENT: return include(r, n);
	case TN_BLOCK: return block(r, n);
	}
	return ERR_INTERNAL;
}

static enum err render_body(struct rs *r, const struct tbody *b)
{
	if (r->depth >= r->max_depth)
		return err_set(r->ei, ERR_TOO_LARGE, "", "%s: rendering nests deeper than %d (a partial that includes itself?)",
			       r->tname, r->max_depth);
	r->depth++;
	enum err e = ERR_OK;
	for (size_t i = 0; !e && i < b->n; i++) {
		bool skip = r->skip_line;
		r->skip_line = false;
		e = render_node(r, &b->v[i], skip);
	}
	r->depth--;
	return e;
}

enum err tmpl_render(const struct tmpl *t, const json_t *data, const struct tmpl_render_opts *opts, struct buf *out,
		     struct errinfo *ei)
{
	static const struct tmpl_render_opts defaults = {0};
	struct rs *r = xcalloc(1, sizeof *r);
	r->o = opts ? opts : &defaults;
	r->out = out;
	r->max = r->o->max_output ? r->o->max_output : TMPL_MAX_OUTPUT;
	r->max_depth = r->o->max_depth > 0 && r->o->max_depth < TMPL_MAX_RENDER_DEPTH ? r->o->max_depth
										    : TMPL_MAX_RENDER_DEPTH;
	r->tname = t->name;
	r->ei = ei;
	buf_init(&r->ind, IND_MAX);
	if (data)
		r->ctx[r->nctx++] = data;
	size_t saved_max = out->max;
	size_t limit = out->len + r->max < out->len ? (size_t)-1 : out->len + r->max;
	if (!saved_max || limit < saved_max)
		out->max = limit;
	enum err e = render_body(r, &t->root);
	out->max = saved_max;
	buf_fini(&r->ind);
	free(r);
	return e;
}
