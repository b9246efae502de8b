/* ics_verify.h — read a feed back with libical (the reference C parser) and report its
 * complaints: X-LIC-ERROR properties after parsing and after the RFC 5545 restriction
 * check, and every VEVENT with its instants. Used by `radsched ics-lint` and the tests; the
 * server never parses feeds. libical is confined to this file. Not thread-safe (libical
 * keeps global state): call from one thread. */
#ifndef RS_ICS_VERIFY_H
#define RS_ICS_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct ics_parsed_event {
	const char *uid;
	bool all_day;
	int64_t start, end;          /* Unix seconds; for all-day events midnight UTC of the dates */
	int sequence;
};

struct ics_verify_report {
	size_t errors;               /* X-LIC-ERROR properties (parse + restriction check) */
	size_t events;
	char first_error[512];
};

typedef void (*ics_verify_event_fn)(void *arg, const struct ics_parsed_event *ev);

/* Parse data (len bytes, any content) with libical. ERR_MALFORMED when libical finds no
 * VCALENDAR at all; otherwise ERR_OK with the counts in rep (rep->errors > 0 means it
 * complained) and fn called for each VEVENT (fn may be NULL). A timed event whose TZID has
 * no VTIMEZONE in the feed counts as an error. */
enum err ics_verify_libical(const char *data, size_t len, ics_verify_event_fn fn, void *arg,
			    struct ics_verify_report *rep, struct errinfo *ei) RS_MUST_CHECK;

#endif
