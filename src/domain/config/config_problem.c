#include "domain/config/config_problem.h"

#include <stdarg.h>
#include <string.h>

void config_report_init(struct config_report *r, struct arena *a)
{
	memset(r, 0, sizeof *r);
	r->a = a;
}

void config_report_add(struct config_report *r, enum config_severity sev, const char *pointer, const char *code,
		       const char *fmt, ...)
{
	if (r->n >= CONFIG_MAX_PROBLEMS) {
		r->truncated = true;
		return;
	}
	if (r->n == r->cap) {
		size_t ncap = r->cap ? r->cap * 2 : 32;
		struct config_problem *nv = arena_alloc(r->a, ncap * sizeof *nv);
		if (r->n)
			memcpy(nv, r->v, r->n * sizeof *nv);
		r->v = nv;
		r->cap = ncap;
	}
	struct config_problem *p = &r->v[r->n++];
	p->severity = sev;
	p->pointer = arena_strdup(r->a, pointer);
	p->code = arena_strdup(r->a, code);
	va_list ap;
	va_start(ap, fmt);
	p->message = arena_vsprintf(r->a, fmt, ap);
	va_end(ap);
	if (sev == CONFIG_ERROR)
		r->n_errors++;
	else
		r->n_warnings++;
}

bool config_report_has_error_at(const struct config_report *r, const char *pointer)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].severity == CONFIG_ERROR && !strcmp(r->v[i].pointer, pointer))
			return true;
	return false;
}

void config_report_sort(struct config_report *r)
{
	if (!r->n)
		return;
	struct config_problem *nv = arena_alloc(r->a, r->n * sizeof *nv);
	size_t k = 0;
	for (int sev = CONFIG_ERROR; sev <= CONFIG_WARNING; sev++)
		for (size_t i = 0; i < r->n; i++)
			if ((int)r->v[i].severity == sev)
				nv[k++] = r->v[i];
	r->v = nv;
	r->cap = r->n;
}

enum err config_report_format(const struct config_report *r, struct buf *out)
{
	enum err e = ERR_OK;
	for (size_t i = 0; i < r->n && e == ERR_OK; i++) {
		const struct config_problem *p = &r->v[i];
		e = buf_printf(out, "%s%s: %s: %s\n", p->severity == CONFIG_WARNING ? "warning: " : "", p->pointer, p->code,
			       p->message);
	}
	if (e == ERR_OK && r->truncated)
		e = buf_printf(out, ": TRUNCATED: more than %d problems; fix these and validate again\n",
			       CONFIG_MAX_PROBLEMS);
	return e;
}
