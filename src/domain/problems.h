/* problems.h — several things wrong with one request, each with a JSON Pointer into the
 * request body (or a field name), a stable code and a message for people. Domain functions
 * that check more than one thing fill one of these and return ERR_INVALID or ERR_CONFLICT;
 * the web layer turns it into the problem's "errors" array. Lives in an arena. */
#ifndef RS_DOMAIN_PROBLEMS_H
#define RS_DOMAIN_PROBLEMS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/err.h"

#define PROBLEMS_MAX 64

struct problem {
	const char *pointer;
	const char *code;
	const char *message;
};

struct problems {
	struct arena *a;
	struct problem v[PROBLEMS_MAX];
	size_t n;
	bool truncated;
};

void problems_init(struct problems *p, struct arena *a);
/* Copies pointer and code; past PROBLEMS_MAX only sets truncated. */
void problems_add(struct problems *p, const char *pointer, const char *code, const char *fmt, ...) RS_PRINTF(4, 5);
/* When p has problems: code, with ei naming the first one (and how many there are); else ERR_OK. */
enum err problems_result(const struct problems *p, enum err code, struct errinfo *ei) RS_MUST_CHECK;

#endif
