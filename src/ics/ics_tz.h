/* ics_tz.h — one time zone over a span of years, as the feed needs it: the VTIMEZONE
 * text (folded CRLF lines, plain IANA TZID) and the offset changes used to turn wall
 * clocks into instants. Built from the system tz database (ics_tzdb.h).
 *
 * The VTIMEZONE covers the years y0..y1: it starts with the change in force on 1 January
 * of y0 and lists every change up to the end of y1. When every one of those changes
 * follows the zone's current yearly rule it is written as one STANDARD and one DAYLIGHT
 * observance with RRULE (the compact form Google and Apple publish); otherwise (the rule
 * changed inside the span, or it cannot be written as an RRULE) each change is an RDATE
 * (the first repeating DTSTART: ical.js 2.x reads only the RDATEs of such an observance).
 * A zone without changes in the span gets one observance with TZOFFSETFROM = TZOFFSETTO.
 *
 * Periods are cached process-wide by (tzid, y0, y1) behind a mutex; a cached period is
 * immutable and lives until ics_tz_cache_clear(). */
#ifndef RS_ICS_TZ_H
#define RS_ICS_TZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "ics/ics_tzdb.h"

#define ICS_TZ_MAX_YEARS 30     /* cap on y1 - y0 + 1 */
#define ICS_TZ_MIN_YEAR 1900
#define ICS_TZ_MAX_YEAR 9998
#define ICS_TZ_CACHE_MAX 2048   /* past this, periods are built per call, not cached */

struct ics_tz_step {
	int64_t at;            /* instant of the change */
	int32_t before, after; /* UTC offsets around it */
};

struct ics_tz_period {
	char tzid[ICS_TZID_MAX + 1];
	int y0, y1;
	bool rrule;            /* observances written with RRULE */
	int32_t initial_off;   /* offset before steps[0] */
	struct ics_tz_step *steps;
	size_t nsteps;
	char *vtimezone;       /* BEGIN:VTIMEZONE … END:VTIMEZONE\r\n */
	size_t vtimezone_len;
	struct ics_tz_period *next; /* cache chain */
};

enum ics_local_kind {
	ICS_LOCAL_UNIQUE,   /* the wall clock happens exactly once */
	ICS_LOCAL_SKIPPED,  /* inside a spring-forward gap */
	ICS_LOCAL_REPEATED  /* inside a fall-back overlap */
};

/* The period for tzid over y0..y1 (y0 <= y1, span <= ICS_TZ_MAX_YEARS). *out is valid for
 * the process (cached) unless *owned is set, in which case the caller releases *owned with
 * ics_tz_period_free() (only when the cache is full). Errors as ics_tzdb_load(), plus
 * ERR_INVALID / ERR_TOO_LARGE for a bad year span. Thread-safe. */
enum err ics_tz_period_get(const char *tzid, int y0, int y1, const struct ics_tz_period **out,
			   struct ics_tz_period **owned, struct errinfo *ei) RS_MUST_CHECK;
/* Build a period without the cache (caller frees with ics_tz_period_free). */
enum err ics_tz_period_build(const char *tzid, int y0, int y1, struct ics_tz_period **out,
			     struct errinfo *ei) RS_MUST_CHECK;
void ics_tz_period_free(struct ics_tz_period *p);
/* Drop every cached period. Only when no other thread is rendering (tests, shutdown). */
void ics_tz_cache_clear(void);
size_t ics_tz_cache_size(void);

/* UTC offset in force at instant t. */
int32_t ics_tz_offset_at(const struct ics_tz_period *p, int64_t t);
/* Instant of wall clock `local` (local seconds, see ics_time.h) read as RFC 5545 says:
 * a skipped time uses the offset before the gap, a repeated one its first occurrence.
 * *kind (may be NULL) tells which case applied. */
int64_t ics_tz_local_to_utc(const struct ics_tz_period *p, int64_t local, enum ics_local_kind *kind);

#endif
