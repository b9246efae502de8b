/* tmpl.h — logic-less mustache templates: our own engine (no C library in Debian).
 *
 * Implements the mustache spec's core modules (interpolation, sections, inverted sections,
 * comments, set-delimiter, partials with standalone indentation) and the optional
 * ~inheritance module (parents {{<p}} and blocks {{$b}}); lambdas are not supported.
 * Conformance: tests/tmpl/test_mustache_spec.c runs every case of conformance/mustache-spec/.
 *
 * Compile once, render many: a struct tmpl is immutable after tmpl_compile(), so any number
 * of threads may render it at once. Data model: a jansson json_t (the context stack holds
 * borrowed references; rendering never modifies the data).
 *
 * Truthiness (sections): false, null, "" and [] are falsey; everything else, 0 included, is
 * truthy. Interpolation: strings as they are, integers in decimal, reals in their shortest
 * round-trip form, true/false as words, null/objects/arrays as the empty string. Extension:
 * a dotted part that is a decimal number indexes an array ({{#shifts.0}}…{{/shifts.0}}).
 *
 * Caps: template source TMPL_MAX_SOURCE bytes, section/block/parent nesting TMPL_MAX_DEPTH at
 * compile time; output bytes and render nesting (recursive partials) per render. Every cap
 * returns ERR_TOO_LARGE; syntax errors return ERR_INVALID with "NAME:LINE: what" in ei. */
#ifndef RS_TMPL_TMPL_H
#define RS_TMPL_TMPL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

#define TMPL_MAX_SOURCE ((size_t)1 << 20) /* bytes of one template */
#define TMPL_MAX_DEPTH 64                 /* nesting of sections, blocks and parents in one template */
#define TMPL_MAX_OUTPUT ((size_t)4 << 20) /* default output cap of one render */
#define TMPL_MAX_RENDER_DEPTH 100         /* default and largest render nesting (partials included) */

struct tmpl;

/* Compile src (len bytes, need not be NUL-terminated). name is used in error messages and
 * by tmpl_name(). On success *out is a new template the caller frees with tmpl_free(). */
enum err tmpl_compile(const char *name, const char *src, size_t len, struct tmpl **out,
		      struct errinfo *ei) RS_MUST_CHECK;
void tmpl_free(struct tmpl *t); /* NULL is fine */
const char *tmpl_name(const struct tmpl *t);

/* Resolves a partial or parent name. Set *out to a compiled template that stays valid for
 * the whole render, or to NULL when there is no such template (it then renders as the empty
 * string, as the spec asks). Return an error only when loading failed. */
typedef enum err (*tmpl_partial_fn)(void *arg, const char *name, const struct tmpl **out,
				    struct errinfo *ei);

enum tmpl_escape {
	TMPL_ESCAPE_HTML, /* {{x}} escapes & < > " ' (the spec's default) */
	TMPL_ESCAPE_NONE, /* {{x}} is written as is: plain-text mail, subjects */
};

struct tmpl_render_opts {
	tmpl_partial_fn partial; /* NULL: every partial is missing */
	void *partial_arg;
	enum tmpl_escape escape;
	size_t max_output; /* bytes this render may append; 0 = TMPL_MAX_OUTPUT */
	int max_depth;     /* render nesting; 0 = TMPL_MAX_RENDER_DEPTH (also the upper bound) */
};

/* Render t against data (may be NULL: an empty context), appending to out. opts may be NULL
 * (HTML escaping, no partials, default caps). On error out holds a partial result that the
 * caller should discard. Thread-safe for a shared t. */
enum err tmpl_render(const struct tmpl *t, const json_t *data, const struct tmpl_render_opts *opts,
		     struct buf *out, struct errinfo *ei) RS_MUST_CHECK;

/* A set of named compiled templates, filled up front (tmpl_set_add) and/or on demand by a
 * loader. Thread-safe: lookups lock a mutex; templates stay until tmpl_set_free(), so pointers
 * handed out stay valid. Missing names are remembered too (no repeated loads). */
struct tmpl_set;

/* Load the source of name: set *src (malloc'd, caller of the loader frees) and *len, or
 * return ERR_NOT_FOUND when there is no such template. */
typedef enum err (*tmpl_load_fn)(void *arg, const char *name, char **src, size_t *len,
				 struct errinfo *ei);

struct tmpl_set *tmpl_set_new(tmpl_load_fn load, void *load_arg); /* load may be NULL */
void tmpl_set_free(struct tmpl_set *s);                           /* NULL is fine */
/* Compile src under name (replacing nothing: a name already present is ERR_CONFLICT). */
enum err tmpl_set_add(struct tmpl_set *s, const char *name, const char *src, size_t len,
		      struct errinfo *ei) RS_MUST_CHECK;
/* Find or load name; ERR_NOT_FOUND when neither has it. */
enum err tmpl_set_get(struct tmpl_set *s, const char *name, const struct tmpl **out,
		      struct errinfo *ei) RS_MUST_CHECK;
/* A tmpl_partial_fn over a struct tmpl_set (pass the set as arg). */
enum err tmpl_set_partial(void *set, const char *name, const struct tmpl **out,
			  struct errinfo *ei) RS_MUST_CHECK;

#endif
