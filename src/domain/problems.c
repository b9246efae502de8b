#include "domain/problems.h"

#include <stdarg.h>
#include <string.h>

void problems_init(struct problems *p, struct arena *a)
{
	memset(p, 0, sizeof *p);
	p->a = a;
}

void problems_add(struct problems *p, const char *pointer, const char *code, const char *fmt, ...)
{
	if (p->n >= PROBLEMS_MAX) {
		p->truncated = true;
		return;
	}
	struct problem *x = &p->v[p->n++];
	x->pointer = arena_strdup(p->a, pointer ? pointer : "");
	x->code = arena_strdup(p->a, code);
	va_list ap;
	va_start(ap, fmt);
	x->message = arena_vsprintf(p->a, fmt, ap);
	va_end(ap);
}

enum err problems_result(const struct problems *p, enum err code, struct errinfo *ei)
{
	if (!p->n)
		return ERR_OK;
	if (p->n == 1)
		return err_set(ei, code, p->v[0].pointer, "%s", p->v[0].message);
	return err_set(ei, code, p->v[0].pointer, "%s (and %zu more problem%s)", p->v[0].message, p->n - 1,
		       p->n > 2 ? "s" : "");
}
