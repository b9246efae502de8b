#include "base/arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_MIN 8192

struct chunk {
	struct chunk *next;
	size_t size, used;
	_Alignas(16) unsigned char data[];
};

struct deferred {
	struct deferred *next;
	void (*fn)(void *);
	void *arg;
};

struct arena {
	struct chunk *head;
	struct deferred *defers;
	size_t cap, total;
};

static void oom(void)
{
	fputs("{\"level\":\"fatal\",\"message\":\"out of memory\"}\n", stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom();
	return q;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(xmalloc(n), s, n);
}

struct arena *arena_new(size_t cap_bytes)
{
	struct arena *a = xcalloc(1, sizeof *a);
	a->cap = cap_bytes;
	return a;
}

void arena_free(struct arena *a)
{
	if (!a)
		return;
	while (a->defers) {
		struct deferred *d = a->defers;
		a->defers = d->next;
		d->fn(d->arg);
		free(d);
	}
	while (a->head) {
		struct chunk *c = a->head;
		a->head = c->next;
		free(c);
	}
	free(a);
}

static void *alloc_in(struct arena *a, size_t n, int enforce_cap)
{
	size_t need = (n + 15) & ~(size_t)15;
	if (need < n)
		oom();
	if (enforce_cap && a->cap && a->total + need > a->cap)
		return NULL;
	struct chunk *c = a->head;
	if (!c || c->size - c->used < need) {
		size_t size = need > CHUNK_MIN ? need : CHUNK_MIN;
		if (c && c->size * 2 > size && c->size < (1u << 20))
			size = c->size * 2 > need ? c->size * 2 : need;
		c = xmalloc(sizeof *c + size);
		c->size = size;
		c->used = 0;
		c->next = a->head;
		a->head = c;
	}
	void *p = c->data + c->used;
	c->used += need;
	a->total += need;
	memset(p, 0, n);
	return p;
}

void *arena_alloc(struct arena *a, size_t n) { return alloc_in(a, n, 0); }
void *arena_try_alloc(struct arena *a, size_t n) { return alloc_in(a, n, 1); }
size_t arena_used(const struct arena *a) { return a->total; }

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = alloc_in(a, n + 1, 0);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

char *arena_concat(struct arena *a, size_t n, const char *const *parts)
{
	size_t len = 0;
	for (size_t i = 0; i < n; i++)
		len += parts[i] ? strlen(parts[i]) : 0;
	char *out = alloc_in(a, len + 1, 0), *p = out;
	for (size_t i = 0; i < n; i++) {
		size_t k = parts[i] ? strlen(parts[i]) : 0;
		memcpy(p, parts[i] ? parts[i] : "", k);
		p += k;
	}
	*p = 0;
	return out;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_vsprintf(struct arena *a, const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		n = 0;
	char *p = alloc_in(a, (size_t)n + 1, 0);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *arena_sprintf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = arena_vsprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

void arena_defer(struct arena *a, void (*fn)(void *), void *arg)
{
	struct deferred *d = xmalloc(sizeof *d);
	d->fn = fn;
	d->arg = arg;
	d->next = a->defers;
	a->defers = d;
}
