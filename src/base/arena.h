/* arena.h — unit-of-work memory (one per HTTP request, job, solve).
 * Everything allocated from an arena is freed at once by arena_free(), after the
 * cleanup callbacks registered with arena_defer() have run (last registered, first run):
 * use them for libpq results, jansson objects, FILEs.
 * arena_alloc() aborts when the machine is out of memory (no NULL checks needed).
 * arena_try_alloc() respects the arena's byte cap and returns NULL past it: use it for
 * input-driven sizes. Not thread-safe: one arena belongs to one thread at a time. */
#ifndef RS_BASE_ARENA_H
#define RS_BASE_ARENA_H

#include <stdarg.h>
#include <stddef.h>

#include "base/err.h"

struct arena;

struct arena *arena_new(size_t cap_bytes); /* 0 = no cap */
void arena_free(struct arena *a);          /* NULL is fine */
void *arena_alloc(struct arena *a, size_t n);   /* zeroed, 16-byte aligned */
void *arena_try_alloc(struct arena *a, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_sprintf(struct arena *a, const char *fmt, ...) RS_PRINTF(2, 3);
/* The n strings one after the other (NULL counts as ""): for hot paths, where printf's
 * format parsing costs more than the copying. ARENA_CONCAT(a, "x", s, "y") counts them. */
char *arena_concat(struct arena *a, size_t n, const char *const *parts);
#define ARENA_CONCAT(a, ...)                                                                        \
	arena_concat((a), sizeof((const char *[]){__VA_ARGS__}) / sizeof(const char *), (const char *[]){__VA_ARGS__})
char *arena_vsprintf(struct arena *a, const char *fmt, va_list ap) RS_PRINTF(2, 0);
void arena_defer(struct arena *a, void (*fn)(void *), void *arg);
size_t arena_used(const struct arena *a);

/* Process-lifetime helpers that abort on out-of-memory. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

#endif
