/* ics_lint.h — a line-level checker for iCalendar text, independent of the renderer:
 * every line ends in CRLF (no bare CR or LF), at most 75 octets per physical line,
 * each physical line valid UTF-8 on its own (so no fold splits a character), no control
 * characters but HTAB, no empty lines, each logical line starts with a property name
 * followed by ';' or ':', and BEGIN/END pairs balanced and properly nested, the outermost
 * being VCALENDAR. Used by the tests and by the server's self-check. Thread-safe. */
#ifndef RS_ICS_LINT_H
#define RS_ICS_LINT_H

#include <stddef.h>

#include "base/err.h"

#define ICS_LINT_MAX_DEPTH 16

struct ics_lint_stats {
	size_t physical_lines;
	size_t logical_lines;
	size_t components; /* BEGIN lines */
	size_t bad_line;   /* 1-based physical line of the first problem; 0 when none */
};

/* ERR_OK when data passes every rule; otherwise ERR_MALFORMED with "line N: what" in ei
 * and st->bad_line set. st and ei may be NULL. */
enum err ics_lint_check(const char *data, size_t len, struct ics_lint_stats *st, struct errinfo *ei) RS_MUST_CHECK;

#endif
