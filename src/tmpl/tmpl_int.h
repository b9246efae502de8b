/* tmpl_int.h — the compiled form shared by tmpl_parse.c and tmpl_render.c (not public).
 *
 * A template is a tree of nodes. Indentation (partials, parents, blocks) is handled with
 * TN_LINE markers: the compiler puts one at the start of every source line that survives
 * standalone-tag removal, and the renderer writes the current indentation there. This is the
 * spec's "prepend the indentation to each line of the partial before rendering", done once at
 * compile time: text that comes from data never gets indented. */
#ifndef RS_TMPL_TMPL_INT_H
#define RS_TMPL_TMPL_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "tmpl/tmpl.h"

enum tnode_kind {
	TN_TEXT,     /* literal text */
	TN_LINE,     /* a source line starts: write the current indentation */
	TN_VAR,      /* {{x}}: escaped by the render's escape mode */
	TN_RAW,      /* {{{x}}} and {{&x}} */
	TN_SECTION,  /* {{#x}}…{{/x}} */
	TN_INVERTED, /* {{^x}}…{{/x}} */
	TN_PARTIAL,  /* {{>x}} */
	TN_PARENT,   /* {{<x}}…{{/x}}: args holds its TN_BLOCK arguments */
	TN_BLOCK,    /* {{$x}}…{{/x}}: body is the default content */
};

/* A name as written; seg holds its dotted parts (nseg 0 for the implicit iterator "."). */
struct tname {
	const char *text;
	const char **seg;
	size_t nseg;
};

struct tbody {
	const struct tnode *v;
	size_t n;
};

struct tnode {
	enum tnode_kind kind;
	int line;
	const char *text; /* TN_TEXT (len bytes, not NUL-terminated) */
	size_t len;
	struct tname name;
	struct tbody body; /* TN_SECTION, TN_INVERTED, TN_BLOCK */
	struct tbody args; /* TN_PARENT */
	/* TN_PARTIAL, TN_PARENT: standalone → its lines get indent added; otherwise they are
	 * rendered with no indentation at all (inline inclusion).
	 * TN_BLOCK: indent is added for whichever content fills the block; !standalone (the tag
	 * sits inside a line) means the content's first line marker is skipped. */
	const char *indent;
	size_t indent_len;
	bool standalone;
};

struct tmpl {
	struct arena *a; /* owns everything below */
	const char *name;
	struct tbody root;
};

#endif
