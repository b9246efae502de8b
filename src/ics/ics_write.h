/* ics_write.h — the content-line writer behind the feed and VTIMEZONE renderers.
 * A logical line is assembled in w->line (name, parameters, ':' and value), then
 * icsw_end() folds it into w->out: physical lines of at most 75 octets, continuation
 * lines starting with one space, never cutting a UTF-8 sequence, each ending in CRLF.
 * Errors are sticky: the first failure is kept in w->err and later calls do nothing,
 * so callers write a run of lines and check once. Internal to src/ics. */
#ifndef RS_ICS_WRITE_H
#define RS_ICS_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

#define ICS_LINE_OCTETS 75         /* RFC 5545 §3.1, excluding CRLF */
#define ICS_LOGICAL_LINE_MAX (256 * 1024)

struct icsw {
	struct buf *out;  /* caller's output, capped by its own max */
	struct buf line;  /* the logical line being built */
	enum err err;
};

void icsw_init(struct icsw *w, struct buf *out);
void icsw_fini(struct icsw *w);

/* Append bytes as they are (names, parameters, values already in their syntax). */
void icsw_raw(struct icsw *w, const char *s, size_t n);
void icsw_str(struct icsw *w, const char *s);
/* Append s as an RFC 5545 TEXT value: \ ; , escaped, CR LF / CRLF / CR become \n,
 * other control characters (except TAB) dropped, invalid UTF-8 replaced by U+FFFD. */
void icsw_text(struct icsw *w, const char *s, size_t n);
/* Decimal integer. */
void icsw_int(struct icsw *w, int64_t v);
/* YYYYMMDD, YYYYMMDDTHHMMSS (local), YYYYMMDDTHHMMSSZ (from Unix seconds). */
void icsw_date(struct icsw *w, int64_t y, int m, int d);
void icsw_local(struct icsw *w, int64_t local_secs);
void icsw_utc(struct icsw *w, int64_t unix_secs);
/* RFC 5545 dur-value for a non-negative number of seconds ("PT1H", "P1DT30M"). */
void icsw_duration(struct icsw *w, int64_t secs);
/* UTC-OFFSET value: +hhmm or +hhmmss. */
void icsw_utc_offset(struct icsw *w, int32_t secs);
/* Fold the logical line into out with CRLF; the line is then empty. */
void icsw_end(struct icsw *w);
/* One whole line "name:value" with raw value. */
void icsw_line(struct icsw *w, const char *name_and_colon, const char *raw_value);
/* Copy text that is already a sequence of folded CRLF lines straight into out. */
void icsw_verbatim(struct icsw *w, const char *s, size_t n);

/* Fold one logical line (no CRLF inside) into out; used by icsw_end. */
enum err ics_fold_append(struct buf *out, const char *p, size_t n) RS_MUST_CHECK;

#endif
