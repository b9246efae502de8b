/* config_problem.h — the list of problems found in a tenant config.
 * Each problem has a severity, a JSON Pointer into the document, a stable code
 * (documented in docs/config.md) and a message for people. Errors block saving;
 * warnings do not. Everything lives in the arena given to config_report_init(). */
#ifndef RS_DOMAIN_CONFIG_PROBLEM_H
#define RS_DOMAIN_CONFIG_PROBLEM_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"

#define CONFIG_MAX_PROBLEMS 500

enum config_severity { CONFIG_ERROR, CONFIG_WARNING };

struct config_problem {
	enum config_severity severity;
	const char *pointer; /* "" = the whole document */
	const char *code;    /* e.g. "UNKNOWN_SHIFT_TYPE" */
	const char *message;
};

struct config_report {
	struct arena *a;
	struct config_problem *v;
	size_t n, cap;
	size_t n_errors, n_warnings;
	bool truncated; /* more than CONFIG_MAX_PROBLEMS: the rest were dropped */
};

void config_report_init(struct config_report *r, struct arena *a);
/* Add one problem (pointer and code are copied). Past CONFIG_MAX_PROBLEMS it only
 * sets truncated. */
void config_report_add(struct config_report *r, enum config_severity sev, const char *pointer, const char *code,
		       const char *fmt, ...) RS_PRINTF(5, 6);
/* true when an error (not a warning) is already recorded at exactly this pointer. */
bool config_report_has_error_at(const struct config_report *r, const char *pointer);
/* Errors first, then warnings; order within each kept. */
void config_report_sort(struct config_report *r);
/* One line per problem, as `radsched config validate` prints them:
 *   POINTER: CODE: message            (errors)
 *   warning: POINTER: CODE: message   (warnings)
 * plus "...: TRUNCATED: ..." when problems were dropped. */
enum err config_report_format(const struct config_report *r, struct buf *out) RS_MUST_CHECK;

#endif
