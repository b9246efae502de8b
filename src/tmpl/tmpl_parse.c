/* tmpl_parse.c — mustache source → node tree (see tmpl_int.h for the compiled form).
 *
 * One pass over the source. Whitespace rules:
 * - Sections, inverted sections, closing tags, comments, set-delimiters and partials are
 *   standalone when alone on their line (blanks aside): the line then disappears, and a
 *   standalone partial's leading blanks become the indentation of each of its lines.
 * - A parent pair is standalone when only blanks precede {{<p}} and only blanks follow the
 *   matching {{/p}} on their lines (the two may share one line); text inside a parent other
 *   than its {{$block}} arguments is ignored.
 * - A block is an inline template: a line end right after {{$b}} belongs to the tag, and
 *   the block's "intrinsic indentation" (the blanks opening its first non-blank line, or the
 *   blanks before the tag when content follows it on its line) is removed from each of its
 *   lines and added back where the block is expanded. Blanks before {{/b}} belong to the tag,
 *   and so does its line end when it is alone on its line. */
#include <stdlib.h>
#include <string.h>

#include "tmpl/tmpl_int.h"

#define DELIM_MAX 16
#define NOPOS ((size_t)-1)

struct vec {
	struct tnode *v;
	size_t n, cap;
};

struct frame {
	struct tnode node; /* the open tag; the root frame's is unused */
	struct vec kids;
	const char *strip; /* raw intrinsic indentation removed from each line start */
	size_t strip_len;
	/* TN_PARENT only: blanks before the open tag, and whether a line marker was pending */
	bool open_blank, open_pending;
	const char *ws;
	size_t ws_len;
};

struct parser {
	struct tmpl *t;
	const char *src;
	size_t len, pos;
	char otag[DELIM_MAX + 1], ctag[DELIM_MAX + 1];
	size_t olen, clen;
	struct frame st[TMPL_MAX_DEPTH + 1]; /* st[0] is the root */
	int depth;
	bool pending; /* a source line starts: the next node added gets a TN_LINE first */
	size_t line_pos;
	int line;          /* line number at line_pos, 1-based */
	size_t line_begin; /* start of the line holding line_pos */
	struct errinfo *ei;
};

static bool is_blank(char c) { return c == ' ' || c == '\t'; }

/* Line number of pos; positions only move forward, so the whole pass stays linear. */
static int line_at(struct parser *p, size_t pos)
{
	for (; p->line_pos < pos; p->line_pos++)
		if (p->src[p->line_pos] == '\n')
			p->line++, p->line_begin = p->line_pos + 1;
	return p->line;
}

static bool blank_between(const struct parser *p, size_t a, size_t b)
{
	for (; a < b; a++)
		if (!is_blank(p->src[a]))
			return false;
	return true;
}

/* When only blanks follow i up to its line end, the position after that line end (or the
 * end of the source); otherwise NOPOS. */
static size_t rest_blank(const struct parser *p, size_t i)
{
	while (i < p->len && is_blank(p->src[i]))
		i++;
	if (i == p->len)
		return i;
	if (p->src[i] == '\n')
		return i + 1;
	if (p->src[i] == '\r' && i + 1 < p->len && p->src[i + 1] == '\n')
		return i + 2;
	return NOPOS;
}

/* First occurrence of needle (nn > 0 bytes) in hay (hn bytes), or NULL. */
static const char *find(const char *hay, size_t hn, const char *needle, size_t nn)
{
	while (hn >= nn) {
		const char *c = memchr(hay, needle[0], hn - nn + 1);
		if (!c)
			return NULL;
		if (memcmp(c, needle, nn) == 0)
			return c;
		hn -= (size_t)(c - hay) + 1;
		hay = c + 1;
	}
	return NULL;
}

static bool ends_line(const struct parser *p, size_t end) { return end > 0 && p->src[end - 1] == '\n'; }

static struct frame *top(struct parser *p) { return &p->st[p->depth]; }

static void add(struct parser *p, struct tnode n)
{
	struct vec *v = &top(p)->kids;
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 8;
		v->v = xrealloc(v->v, v->cap * sizeof *v->v);
	}
	v->v[v->n++] = n;
}

static void mark_line(struct parser *p)
{
	if (p->pending) {
		p->pending = false;
		add(p, (struct tnode){.kind = TN_LINE});
	}
}

/* Move a finished child list into the template's arena. */
static struct tbody finish(struct parser *p, struct vec *v)
{
	struct tbody b = {NULL, v->n};
	if (v->n) {
		struct tnode *copy = arena_alloc(p->t->a, v->n * sizeof *copy);
		memcpy(copy, v->v, v->n * sizeof *copy);
		b.v = copy;
	}
	free(v->v);
	*v = (struct vec){0};
	return b;
}

/* Blanks ws (n bytes) with the current frame's intrinsic indentation taken off its front. */
static void relative_indent(const struct frame *f, const char *ws, size_t n, const char **out, size_t *out_len)
{
	size_t k = 0;
	while (k < f->strip_len && k < n && ws[k] == f->strip[k])
		k++;
	*out = ws + k;
	*out_len = n - k;
}

/* Literal text [a, b): split at line ends, a TN_LINE before each line's first piece, the
 * enclosing block's intrinsic indentation removed at each source line start. */
static void emit_text(struct parser *p, size_t a, size_t b)
{
	const struct frame *f = top(p);
	while (a < b) {
		const char *nl = memchr(p->src + a, '\n', b - a);
		size_t e = nl ? (size_t)(nl - p->src) + 1 : b, s = a;
		mark_line(p);
		if ((a == 0 || p->src[a - 1] == '\n') && f->strip_len) {
			size_t k = 0;
			while (k < f->strip_len && s < e && p->src[s] == f->strip[k])
				s++, k++;
		}
		if (s < e)
			add(p, (struct tnode){.kind = TN_TEXT, .text = p->src + s, .len = e - s});
		if (nl)
			p->pending = true;
		a = e;
	}
}

static enum err parse_name(struct parser *p, int line, const char *s, size_t n, struct tname *out)
{
	for (size_t i = 0; i < n; i++)
		if (is_blank(s[i]) || s[i] == '\n' || s[i] == '\r')
			return err_set(p->ei, ERR_INVALID, "", "%s:%d: tag name \"%.*s\" contains whitespace", p->t->name,
				       line, (int)(n > 64 ? 64 : n), s);
	if (n == 0)
		return err_set(p->ei, ERR_INVALID, "", "%s:%d: tag has no name", p->t->name, line);
	out->text = arena_strndup(p->t->a, s, n);
	if (n == 1 && s[0] == '.')
		return ERR_OK; /* implicit iterator */
	size_t nseg = 1;
	for (size_t i = 0; i < n; i++)
		nseg += s[i] == '.';
	out->seg = arena_alloc(p->t->a, nseg * sizeof *out->seg);
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '.')
			continue;
		if (i == start)
			return err_set(p->ei, ERR_INVALID, "", "%s:%d: tag name \"%.*s\" has an empty dotted part",
				       p->t->name, line, (int)n, s);
		out->seg[out->nseg++] = arena_strndup(p->t->a, s + start, i - start);
		start = i + 1;
	}
	return ERR_OK;
}

static enum err set_delimiters(struct parser *p, int line, const char *s, size_t n)
{
	size_t i = 0, a, b;
	while (i < n && !is_blank(s[i]))
		i++;
	a = i;
	while (i < n && is_blank(s[i]))
		i++;
	b = i;
	bool ok = a > 0 && a <= DELIM_MAX && b > a && n - b > 0 && n - b <= DELIM_MAX;
	for (size_t k = 0; ok && k < n; k++)
		if ((k < a || k >= b) && (is_blank(s[k]) || s[k] == '=' || s[k] == '\n' || s[k] == '\r'))
			ok = false;
	if (!ok)
		return err_set(p->ei, ERR_INVALID, "", "%s:%d: bad set-delimiter tag (write {{=<open> <close>=}})",
			       p->t->name, line);
	memcpy(p->otag, s, a);
	p->otag[a] = 0;
	p->olen = a;
	memcpy(p->ctag, s + b, n - b);
	p->ctag[n - b] = 0;
	p->clen = n - b;
	return ERR_OK;
}

static enum err push(struct parser *p, struct tnode n, const char *strip, size_t strip_len)
{
	if (p->depth == TMPL_MAX_DEPTH)
		return err_set(p->ei, ERR_TOO_LARGE, "", "%s:%d: sections nested deeper than %d", p->t->name, n.line,
			       TMPL_MAX_DEPTH);
	struct frame *f = &p->st[++p->depth];
	*f = (struct frame){.node = n, .strip = strip, .strip_len = strip_len};
	return ERR_OK;
}

static const char *open_sigil(enum tnode_kind k)
{
	switch (k) {
	case TN_INVERTED: return "^";
	case TN_PARENT: return "<";
	case TN_BLOCK: return "$";
	default: return "#";
	}
}

/* A tag found at ts: where its content lies, its kind character and its end. */
struct tag {
	size_t ts, cs, ce, te;
	char kind; /* 0 variable, or one of # ^ / > < $ & ! = */
	int line;
};

static enum err scan_tag(struct parser *p, size_t ts, struct tag *tg)
{
	const char *s = p->src;
	size_t c = ts + p->olen;
	tg->ts = ts;
	tg->line = line_at(p, ts);
	char sig = c < p->len ? s[c] : 0;
	char closer = sig == '{' ? '}' : sig == '=' ? '=' : 0;
	size_t from = closer ? c + 1 : c;
	for (;;) {
		const char *q = from <= p->len ? find(s + from, p->len - from, p->ctag, p->clen) : NULL;
		if (!q)
			return err_set(p->ei, ERR_INVALID, "", "%s:%d: tag opened with \"%s\" is never closed with \"%s\"",
				       p->t->name, tg->line, p->otag, p->ctag);
		size_t qe = (size_t)(q - s);
		if (closer && (qe == c + 1 || s[qe - 1] != closer)) {
			from = qe + 1;
			continue;
		}
		tg->ce = closer ? qe - 1 : qe;
		tg->te = qe + p->clen;
		break;
	}
	if (sig == '{')
		tg->kind = '&';
	else if (sig && strchr("#^/><$&!=", sig))
		tg->kind = sig;
	else
		tg->kind = 0;
	tg->cs = tg->kind ? c + 1 : c;
	while (tg->cs < tg->ce && (is_blank(s[tg->cs]) || s[tg->cs] == '\n' || s[tg->cs] == '\r'))
		tg->cs++;
	while (tg->ce > tg->cs && (is_blank(s[tg->ce - 1]) || s[tg->ce - 1] == '\n' || s[tg->ce - 1] == '\r'))
		tg->ce--;
	return ERR_OK;
}

/* {{$name}}: open a block (see the file comment for its whitespace). */
static enum err open_block(struct parser *p, const struct tag *tg, size_t ls, bool lb, size_t rb, struct tname name)
{
	const struct frame *outer = top(p);
	struct tnode n = {.kind = TN_BLOCK, .line = tg->line, .name = name};
	const char *strip = outer->strip;
	size_t strip_len = outer->strip_len;
	if (lb) {
		emit_text(p, p->pos, ls);
		p->pending = false;
	} else {
		emit_text(p, p->pos, tg->ts);
		mark_line(p);
	}
	if (rb != NOPOS) {
		size_t i = rb; /* the first line that is not blank decides */
		for (;;) {
			size_t j = i;
			while (j < p->len && is_blank(p->src[j]))
				j++;
			size_t next = rest_blank(p, j);
			if (j == p->len || next == NOPOS)
				break;
			i = next;
		}
		size_t k = i;
		while (k < p->len && is_blank(p->src[k]))
			k++;
		strip = p->src + i, strip_len = k < p->len ? k - i : 0;
		n.standalone = true;
		p->pos = rb;
	} else {
		if (lb)
			strip = p->src + ls, strip_len = tg->ts - ls;
		n.standalone = lb;
		p->pos = tg->te;
	}
	relative_indent(outer, strip, strip_len, &n.indent, &n.indent_len);
	enum err e = push(p, n, strip, strip_len);
	p->pending = true; /* a block's content starts a line of its own */
	return e;
}

static enum err open_parent(struct parser *p, const struct tag *tg, size_t ls, bool lb, struct tname name)
{
	bool was_pending = false;
	if (lb) {
		emit_text(p, p->pos, ls);
		was_pending = p->pending;
		p->pending = false;
	} else {
		emit_text(p, p->pos, tg->ts);
		mark_line(p);
	}
	const struct frame *outer = top(p);
	enum err e = push(p, (struct tnode){.kind = TN_PARENT, .line = tg->line, .name = name}, outer->strip,
			  outer->strip_len);
	if (e)
		return e;
	struct frame *f = top(p);
	f->open_blank = lb;
	f->open_pending = was_pending;
	f->ws = p->src + ls;
	f->ws_len = tg->ts - ls;
	p->pos = tg->te;
	p->pending = false;
	return ERR_OK;
}

static enum err close_tag(struct parser *p, const struct tag *tg, size_t ls, bool lb, size_t rb, const char *name)
{
	if (p->depth == 0)
		return err_set(p->ei, ERR_INVALID, "", "%s:%d: closing tag {{/%s}} has no open section", p->t->name,
			       tg->line, name);
	struct frame *f = top(p);
	if (strcmp(f->node.name.text, name) != 0)
		return err_set(p->ei, ERR_INVALID, "", "%s:%d: closing tag {{/%s}} does not match {{%s%s}} opened on line %d",
			       p->t->name, tg->line, name, open_sigil(f->node.kind), f->node.name.text, f->node.line);
	bool nl = false;
	struct tnode n = f->node;
	if (n.kind == TN_PARENT) {
		bool standalone = f->open_blank && rb != NOPOS;
		bool pend = f->open_pending;
		const char *ws = f->ws;
		size_t ws_len = f->ws_len, nargs = 0;
		for (size_t i = 0; i < f->kids.n; i++)
			if (f->kids.v[i].kind == TN_BLOCK)
				f->kids.v[nargs++] = f->kids.v[i];
		f->kids.n = nargs;
		n.args = finish(p, &f->kids);
		p->depth--;
		if (standalone) {
			n.standalone = true;
			relative_indent(top(p), ws, ws_len, &n.indent, &n.indent_len);
			p->pos = rb;
			nl = ends_line(p, rb);
		} else {
			if (f->open_blank) { /* the blanks before the tag were text after all */
				const char *lead;
				size_t lead_len;
				p->pending = pend;
				mark_line(p);
				relative_indent(top(p), ws, ws_len, &lead, &lead_len);
				if (lead_len)
					add(p, (struct tnode){.kind = TN_TEXT, .text = lead, .len = lead_len});
			}
			p->pos = tg->te;
		}
		add(p, n);
		p->pending = nl;
		return ERR_OK;
	}
	if (n.kind == TN_BLOCK ? lb : lb && rb != NOPOS) {
		emit_text(p, p->pos, ls);
		p->pending = false;
		if (rb != NOPOS)
			p->pos = rb, nl = ends_line(p, rb);
		else
			p->pos = tg->te;
	} else {
		emit_text(p, p->pos, tg->ts);
		if (n.kind != TN_BLOCK)
			mark_line(p);
		p->pending = false;
		p->pos = tg->te;
	}
	n.body = finish(p, &f->kids);
	p->depth--;
	add(p, n);
	p->pending = nl;
	return ERR_OK;
}

/* Comments and set-delimiters: nothing to render; remove the line when standalone. */
static void skip_tag(struct parser *p, const struct tag *tg, size_t ls, bool lb, size_t rb)
{
	if (lb && rb != NOPOS) {
		emit_text(p, p->pos, ls);
		p->pos = rb;
		p->pending = ends_line(p, rb);
	} else {
		emit_text(p, p->pos, tg->ts);
		p->pos = tg->te;
	}
}

static enum err parse_tag(struct parser *p, const struct tag *tg)
{
	size_t ls = p->line_begin; /* scan_tag moved line_at() to tg->ts */
	bool lb = ls >= p->pos && blank_between(p, ls, tg->ts);
	size_t rb = rest_blank(p, tg->te);
	const char *cs = p->src + tg->cs;
	size_t clen = tg->ce - tg->cs;
	struct tname name = {0};
	enum err e;

	if (tg->kind == '!') {
		skip_tag(p, tg, ls, lb, rb);
		return ERR_OK;
	}
	if (tg->kind == '=') {
		if ((e = set_delimiters(p, tg->line, cs, clen)))
			return e;
		skip_tag(p, tg, ls, lb, rb);
		return ERR_OK;
	}
	if ((e = parse_name(p, tg->line, cs, clen, &name)))
		return e;
	bool standalone = lb && rb != NOPOS;
	switch (tg->kind) {
	case 0:
	case '&':
		emit_text(p, p->pos, tg->ts);
		mark_line(p);
		add(p, (struct tnode){.kind = tg->kind ? TN_RAW : TN_VAR, .line = tg->line, .name = name});
		p->pos = tg->te;
		return ERR_OK;
	case '#':
	case '^': {
		struct tnode n = {.kind = tg->kind == '#' ? TN_SECTION : TN_INVERTED, .line = tg->line, .name = name};
		bool nl = false;
		if (standalone) {
			emit_text(p, p->pos, ls);
			p->pending = false;
			p->pos = rb;
			nl = ends_line(p, rb);
		} else {
			emit_text(p, p->pos, tg->ts);
			mark_line(p);
			p->pos = tg->te;
		}
		const struct frame *outer = top(p);
		if ((e = push(p, n, outer->strip, outer->strip_len)))
			return e;
		p->pending = nl;
		return ERR_OK;
	}
	case '>': {
		struct tnode n = {.kind = TN_PARTIAL, .line = tg->line, .name = name, .standalone = standalone};
		if (standalone) {
			emit_text(p, p->pos, ls);
			p->pending = false;
			relative_indent(top(p), p->src + ls, tg->ts - ls, &n.indent, &n.indent_len);
			add(p, n);
			p->pos = rb;
			p->pending = ends_line(p, rb);
		} else {
			emit_text(p, p->pos, tg->ts);
			mark_line(p);
			add(p, n);
			p->pos = tg->te;
		}
		return ERR_OK;
	}
	case '$': return open_block(p, tg, ls, lb, rb, name);
	case '<': return open_parent(p, tg, ls, lb, name);
	case '/': return close_tag(p, tg, ls, lb, rb, name.text);
	}
	return err_set(p->ei, ERR_INTERNAL, "", "%s:%d: unknown tag kind", p->t->name, tg->line);
}

static enum err parse(struct parser *p)
{
	enum err e;
	while (p->pos < p->len) {
		const char *o = find(p->src + p->pos, p->len - p->pos, p->otag, p->olen);
		if (!o)
			break;
		struct tag tg;
		if ((e = scan_tag(p, (size_t)(o - p->src), &tg)) || (e = parse_tag(p, &tg)))
			return e;
	}
	emit_text(p, p->pos, p->len);
	if (p->depth > 0) {
		const struct tnode *n = &top(p)->node;
		return err_set(p->ei, ERR_INVALID, "", "%s:%d: {{%s%s}} is never closed (expected {{/%s}} before the end)",
			       p->t->name, n->line, open_sigil(n->kind), n->name.text, n->name.text);
	}
	p->t->root = finish(p, &p->st[0].kids);
	return ERR_OK;
}

enum err tmpl_compile(const char *name, const char *src, size_t len, struct tmpl **out, struct errinfo *ei)
{
	*out = NULL;
	if (!name)
		name = "template";
	if (len > TMPL_MAX_SOURCE)
		return err_set(ei, ERR_TOO_LARGE, "", "%s: template is %zu bytes, more than the cap of %zu", name, len,
			       TMPL_MAX_SOURCE);
	struct tmpl *t = xcalloc(1, sizeof *t);
	t->a = arena_new(0);
	t->name = arena_strdup(t->a, name);
	struct parser *p = xcalloc(1, sizeof *p);
	p->t = t;
	p->src = arena_strndup(t->a, src ? src : "", len);
	p->len = len;
	memcpy(p->otag, "{{", 3);
	memcpy(p->ctag, "}}", 3);
	p->olen = p->clen = 2;
	p->pending = true;
	p->line = 1;
	p->ei = ei;
	enum err e = parse(p);
	for (int i = 0; i <= p->depth; i++)
		free(p->st[i].kids.v);
	free(p);
	if (e) {
		tmpl_free(t);
		return e;
	}
	*out = t;
	return ERR_OK;
}

void tmpl_free(struct tmpl *t)
{
	if (!t)
		return;
	arena_free(t->a);
	free(t);
}

const char *tmpl_name(const struct tmpl *t) { return t->name; }
