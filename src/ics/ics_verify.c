/* ics_verify.c — libical as a second reader of our feeds. */
#include "ics/ics_verify.h"

#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void note(struct ics_verify_report *rep, const char *what)
{
	if (rep->errors++ == 0)
		snprintf(rep->first_error, sizeof rep->first_error, "%s", what ? what : "error");
}

static void count_errors(icalcomponent *c, struct ics_verify_report *rep)
{
	for (icalproperty *p = icalcomponent_get_first_property(c, ICAL_XLICERROR_PROPERTY); p;
	     p = icalcomponent_get_next_property(c, ICAL_XLICERROR_PROPERTY))
		note(rep, icalproperty_get_xlicerror(p));
	for (icalcomponent *k = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT); k;
	     k = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT))
		count_errors(k, rep);
}

static int64_t date_secs(struct icaltimetype t)
{
	struct icaltimetype u = t;
	u.is_date = 0;
	u.hour = u.minute = u.second = 0;
	u.zone = icaltimezone_get_utc_timezone();
	return (int64_t)icaltime_as_timet_with_zone(u, icaltimezone_get_utc_timezone());
}

static bool instant(icalcomponent *root, struct icaltimetype t, int64_t *out, struct ics_verify_report *rep)
{
	if (!icaltime_is_utc(t)) {
		if (!t.zone) {
			note(rep, "a timed event has no time zone (floating time)");
			return false;
		}
		/* the zone must be the feed's own VTIMEZONE, not a libical built-in */
		if (!icalcomponent_get_timezone(root, icaltimezone_get_tzid((icaltimezone *)t.zone))) {
			note(rep, "TZID without a VTIMEZONE in the feed");
			return false;
		}
	}
	*out = (int64_t)icaltime_as_timet_with_zone(t, t.zone ? t.zone : icaltimezone_get_utc_timezone());
	return true;
}

enum err ics_verify_libical(const char *data, size_t len, ics_verify_event_fn fn, void *arg,
			    struct ics_verify_report *rep, struct errinfo *ei)
{
	memset(rep, 0, sizeof *rep);
	char *text = malloc(len + 1);
	if (!text)
		abort();
	memcpy(text, data, len);
	text[len] = 0;
	icalerror_set_errors_are_fatal(0);
	icalcomponent *root = icalparser_parse_string(text);
	free(text);
	if (!root || icalcomponent_isa(root) != ICAL_VCALENDAR_COMPONENT) {
		if (root)
			icalcomponent_free(root);
		return err_set(ei, ERR_MALFORMED, "", "libical found no VCALENDAR");
	}
	icalrestriction_check(root); /* adds its own X-LIC-ERRORs beside the parser's */
	count_errors(root, rep);
	for (icalcomponent *ve = icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT); ve;
	     ve = icalcomponent_get_next_component(root, ICAL_VEVENT_COMPONENT)) {
		rep->events++;
		struct ics_parsed_event ev = {.uid = icalcomponent_get_uid(ve)};
		struct icaltimetype s = icalcomponent_get_dtstart(ve), e = icalcomponent_get_dtend(ve);
		ev.sequence = icalcomponent_get_sequence(ve);
		if (!ev.uid)
			note(rep, "VEVENT without UID");
		if (icaltime_is_null_time(s) || icaltime_is_null_time(e)) {
			note(rep, "VEVENT without DTSTART or DTEND");
			continue;
		}
		if (s.is_date != e.is_date) {
			note(rep, "DTSTART and DTEND of different value types");
			continue;
		}
		ev.all_day = s.is_date;
		if (ev.all_day) {
			ev.start = date_secs(s);
			ev.end = date_secs(e);
		} else if (!instant(root, s, &ev.start, rep) || !instant(root, e, &ev.end, rep)) {
			continue;
		}
		if (ev.end <= ev.start)
			note(rep, "DTEND not after DTSTART");
		if (fn)
			fn(arg, &ev);
	}
	icalcomponent_free(root);
	return ERR_OK;
}
