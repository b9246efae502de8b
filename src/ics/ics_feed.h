/* ics_feed.h — render an iCalendar feed (RFC 5545, RFC 7986) of shift assignments.
 *
 * The caller (domain layer) hands over one calendar and its events, already chosen for
 * the feed window and ordered as it wants them shown; removed assignments are simply
 * not passed. The renderer writes one VCALENDAR: VERSION, PRODID, CALSCALE, NAME and
 * X-WR-CALNAME, X-WR-TIMEZONE, REFRESH-INTERVAL and X-PUBLISHED-TTL, one VTIMEZONE per
 * TZID used by a timed event (plain IANA names, built from the system tz database), then
 * one VEVENT per event. Lines are CRLF, folded at 75 octets, never inside a UTF-8
 * character; TEXT values are escaped. See docs/ics.md. */
#ifndef RS_ICS_FEED_H
#define RS_ICS_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

#define ICS_DEFAULT_SUMMARY_FORMAT "{SHIFT_CODE} \xE2\x80\x94 {SUBSPECIALTY} ({USER_SHORT})"
#define ICS_DEFAULT_PRODID "-//radsched//radsched schedule feed 1.0//EN"
#define ICS_DEFAULT_REFRESH_SECONDS 3600
#define ICS_TEXT_MAX (16 * 1024)        /* cap on any one text or URL input, octets */
#define ICS_UID_MAX 255
#define ICS_FEED_MAX_EVENTS 100000
#define ICS_FEED_MAX_TZIDS 16           /* distinct zones in one feed */
#define ICS_REFRESH_MIN_SECONDS 60
#define ICS_REFRESH_MAX_SECONDS (7 * 86400)

/* A calendar day. year 0 = unset where allowed. */
struct ics_date {
	int year, month, day;
};

/* A wall-clock reading in the event's zone (no offset). */
struct ics_local {
	int year, month, day, hour, minute, second;
};

struct ics_calendar {
	const char *name;           /* NAME and X-WR-CALNAME; NULL = both omitted */
	const char *tzid;           /* tenant zone, IANA name: X-WR-TIMEZONE and default TZID */
	const char *prodid;         /* NULL = ICS_DEFAULT_PRODID */
	const char *summary_format; /* tenant's eventSummaryFormat; NULL = ICS_DEFAULT_SUMMARY_FORMAT */
	int32_t refresh_seconds;    /* REFRESH-INTERVAL and X-PUBLISHED-TTL; 0 = default */
	/* Feed window in the tenant's zone, end exclusive. The VTIMEZONE covers its years and
	 * every event's years, so feeds of one tenant share one cached VTIMEZONE. Both unset
	 * (year 0) = the events' years only. */
	struct ics_date window_start, window_end;
};

/* Values of the summary placeholders; NULL reads as "". */
struct ics_summary_fields {
	const char *shift_code;    /* {SHIFT_CODE} */
	const char *shift_name;    /* {SHIFT_NAME} */
	const char *subspecialty;  /* {SUBSPECIALTY} */
	const char *user_short;    /* {USER_SHORT} */
	const char *user_name;     /* {USER_NAME} */
	struct ics_date date;      /* {DATE} as YYYY-MM-DD; the renderer sets the event's start day */
};

struct ics_event {
	const char *uid;         /* stable opaque id of the assignment (1..ICS_UID_MAX octets) */
	const char *summary;     /* already formatted; NULL = format `fields` with the calendar format */
	struct ics_summary_fields fields;
	const char *description; /* NULL = none */
	const char *url;         /* internal link: URL property and last line of DESCRIPTION; NULL = none */
	const char *tzid;        /* NULL = the calendar's zone */
	bool all_day;            /* DTSTART/DTEND;VALUE=DATE, end exclusive (hour fields ignored) */
	bool transparent;        /* TRANSP:TRANSPARENT (free time), else OPAQUE */
	/* Wall clock of start and end in the zone (for a night shift 22:00–08:00 the end is the
	 * next day 08:00), and the instants the database computed for them (Unix seconds,
	 * timed events only). The renderer writes DTSTART/DTEND with TZID and the wall clock,
	 * and checks the instants against its VTIMEZONE. Where the wall clock is skipped or
	 * repeated by a DST change, or the check disagrees (tz databases differ), it writes
	 * both as UTC instants instead, so every client computes the same instants. */
	struct ics_local start, end;
	int64_t start_utc, end_utc;
	uint32_t sequence;       /* SEQUENCE; the caller only ever increases it per uid */
	int64_t last_modified;   /* LAST-MODIFIED, Unix seconds */
	int64_t dtstamp;         /* DTSTAMP, Unix seconds (no METHOD: time of last revision) */
};

/* Append the feed to out. Returns ERR_INVALID (ei->path "/events/3/start", "/tzid", …)
 * for bad input, ERR_NOT_FOUND for an unknown zone, ERR_TOO_LARGE when out's cap, a text
 * cap or a count cap is passed. On error out is left as it was. Thread-safe; the
 * VTIMEZONE text is cached process-wide (ics_tz.h). */
enum err ics_feed_render(const struct ics_calendar *cal, const struct ics_event *ev, size_t n, struct buf *out,
			 struct errinfo *ei) RS_MUST_CHECK;

/* Expand a summary format: {SHIFT_CODE} {SHIFT_NAME} {SUBSPECIALTY} {USER_SHORT}
 * {USER_NAME} {DATE} are replaced, "{{" is a literal '{', everything else is copied.
 * An unknown or unclosed placeholder is ERR_INVALID (path "summaryFormat"). fmt NULL =
 * the default. Appends plain text (not yet ICS-escaped) to out. */
enum err ics_summary_format(const char *fmt, const struct ics_summary_fields *f, struct buf *out,
			    struct errinfo *ei) RS_MUST_CHECK;
/* Validate a format without expanding it (for config validation). */
enum err ics_summary_format_check(const char *fmt, struct errinfo *ei) RS_MUST_CHECK;

#endif
