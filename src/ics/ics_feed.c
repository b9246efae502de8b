/* ics_feed.c — VCALENDAR / VEVENT serialisation (the VTIMEZONE text comes from ics_tz.c). */
#include "ics/ics_feed.h"

#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "ics/ics_time.h"
#include "ics/ics_tz.h"
#include "ics/ics_write.h"

/* Largest distance between a wall clock and its instant: UTC offsets stay within ±26 h. */
#define MAX_OFFSET_SECONDS (26 * 3600)

struct zone_use {
	const char *tzid;
	int y0, y1;
	const struct ics_tz_period *period;
	struct ics_tz_period *owned;
};

struct render {
	const struct ics_calendar *cal;
	struct zone_use zones[ICS_FEED_MAX_TZIDS];
	size_t nzones;
	struct icsw w;
	struct buf tmp; /* summary / description assembly */
	struct errinfo *ei;
	char path[64];
};

static const char *event_path(struct render *r, size_t i, const char *field)
{
	snprintf(r->path, sizeof r->path, "/events/%zu/%s", i, field);
	return r->path;
}

static bool date_valid(int y, int m, int d)
{
	return y >= ICS_TZ_MIN_YEAR && y <= ICS_TZ_MAX_YEAR && m >= 1 && m <= 12 && d >= 1 &&
	       d <= ics_days_in_month(y, m);
}

static bool local_valid(const struct ics_local *l)
{
	return date_valid(l->year, l->month, l->day) && l->hour >= 0 && l->hour <= 23 && l->minute >= 0 &&
	       l->minute <= 59 && l->second >= 0 && l->second <= 59;
}

static int64_t local_secs(const struct ics_local *l)
{
	return ics_days_from_civil(l->year, l->month, l->day) * ICS_SECS_PER_DAY + l->hour * 3600 + l->minute * 60 +
	       l->second;
}

static enum err text_cap(struct render *r, const char *s, const char *path)
{
	if (s && strlen(s) > ICS_TEXT_MAX)
		return err_set(r->ei, ERR_TOO_LARGE, path, "longer than %d octets", ICS_TEXT_MAX);
	return ERR_OK;
}

/* The same for event i's field; its path is only formatted when there is an error. */
static enum err event_text_cap(struct render *r, const char *s, size_t i, const char *field)
{
	return s && strlen(s) > ICS_TEXT_MAX ? text_cap(r, s, event_path(r, i, field)) : ERR_OK;
}

/* A URI goes out unescaped, so it must be printable ASCII without spaces. */
static bool url_valid(const char *u)
{
	if (!*u)
		return false;
	for (const unsigned char *p = (const unsigned char *)u; *p; p++)
		if (*p <= 0x20 || *p >= 0x7F || *p == '"' || *p == '<' || *p == '>' || *p == '\\')
			return false;
	return true;
}

static enum err zone_note(struct render *r, const char *tzid, int y0, int y1, const char *path)
{
	for (size_t i = 0; i < r->nzones; i++) {
		struct zone_use *z = &r->zones[i];
		if (strcmp(z->tzid, tzid) == 0) {
			if (y0 < z->y0)
				z->y0 = y0;
			if (y1 > z->y1)
				z->y1 = y1;
			return ERR_OK;
		}
	}
	if (!ics_tzid_valid(tzid))
		return err_set(r->ei, ERR_INVALID, path, "\"%.80s\" is not a time zone name (e.g. America/Toronto)",
			       tzid);
	if (r->nzones == ICS_FEED_MAX_TZIDS)
		return err_set(r->ei, ERR_TOO_LARGE, path, "a feed may use at most %d time zones", ICS_FEED_MAX_TZIDS);
	r->zones[r->nzones++] = (struct zone_use){tzid, y0, y1, NULL, NULL};
	return ERR_OK;
}

static const struct ics_tz_period *zone_period(const struct render *r, const char *tzid)
{
	for (size_t i = 0; i < r->nzones; i++)
		if (strcmp(r->zones[i].tzid, tzid) == 0)
			return r->zones[i].period;
	return NULL;
}

static enum err validate_event(struct render *r, const struct ics_event *e, size_t i)
{
	if (!e->uid || !*e->uid || strlen(e->uid) > ICS_UID_MAX)
		return err_set(r->ei, ERR_INVALID, event_path(r, i, "uid"), "uid must be 1..%d octets", ICS_UID_MAX);
	enum err er;
	if ((er = event_text_cap(r, e->summary, i, "summary")) || (er = event_text_cap(r, e->description, i, "description")) ||
	    (er = event_text_cap(r, e->url, i, "url")))
		return er;
	if (e->url && !url_valid(e->url))
		return err_set(r->ei, ERR_INVALID, event_path(r, i, "url"),
			       "url must be printable ASCII without spaces or quotes");
	if (e->all_day) {
		const struct ics_local *s = &e->start, *en = &e->end;
		if (!date_valid(s->year, s->month, s->day))
			return err_set(r->ei, ERR_INVALID, event_path(r, i, "start"), "not a valid date");
		if (!date_valid(en->year, en->month, en->day))
			return err_set(r->ei, ERR_INVALID, event_path(r, i, "end"), "not a valid date");
		if (ics_days_from_civil(en->year, en->month, en->day) <= ics_days_from_civil(s->year, s->month, s->day))
			return err_set(r->ei, ERR_INVALID, event_path(r, i, "end"),
				       "an all-day end is exclusive and must be after the start day");
		return ERR_OK;
	}
	if (!local_valid(&e->start))
		return err_set(r->ei, ERR_INVALID, event_path(r, i, "start"), "not a valid wall-clock date-time");
	if (!local_valid(&e->end))
		return err_set(r->ei, ERR_INVALID, event_path(r, i, "end"), "not a valid wall-clock date-time");
	if (e->end_utc <= e->start_utc)
		return err_set(r->ei, ERR_INVALID, event_path(r, i, "end"), "the end instant must be after the start");
	int64_t ds = local_secs(&e->start) - e->start_utc, de = local_secs(&e->end) - e->end_utc;
	if (ds < -MAX_OFFSET_SECONDS || ds > MAX_OFFSET_SECONDS)
		return err_set(r->ei, ERR_INVALID, event_path(r, i, "start"),
			       "the start instant is not this wall clock in any UTC offset");
	if (de < -MAX_OFFSET_SECONDS || de > MAX_OFFSET_SECONDS)
		return err_set(r->ei, ERR_INVALID, event_path(r, i, "end"),
			       "the end instant is not this wall clock in any UTC offset");
	const char *tzid = e->tzid ? e->tzid : r->cal->tzid;
	int y0 = e->start.year < e->end.year ? e->start.year : e->end.year;
	int y1 = e->start.year < e->end.year ? e->end.year : e->start.year;
	return zone_note(r, tzid, y0, y1, event_path(r, i, "tzid"));
}

static void text_prop(struct icsw *w, const char *name_colon, const char *s)
{
	icsw_str(w, name_colon);
	icsw_text(w, s, strlen(s));
	icsw_end(w);
}

static void write_header(struct render *r, int32_t refresh)
{
	const struct ics_calendar *c = r->cal;
	struct icsw *w = &r->w;
	icsw_line(w, "BEGIN:", "VCALENDAR");
	icsw_line(w, "VERSION:", "2.0");
	text_prop(w, "PRODID:", c->prodid ? c->prodid : ICS_DEFAULT_PRODID);
	icsw_line(w, "CALSCALE:", "GREGORIAN");
	if (c->name) {
		text_prop(w, "NAME:", c->name);
		text_prop(w, "X-WR-CALNAME:", c->name);
	}
	icsw_line(w, "X-WR-TIMEZONE:", c->tzid);
	icsw_str(w, "REFRESH-INTERVAL;VALUE=DURATION:");
	icsw_duration(w, refresh);
	icsw_end(w);
	icsw_str(w, "X-PUBLISHED-TTL:");
	icsw_duration(w, refresh);
	icsw_end(w);
}

static void utc_prop(struct icsw *w, const char *name_colon, int64_t t)
{
	icsw_str(w, name_colon);
	icsw_utc(w, t);
	icsw_end(w);
}

static void write_times(struct render *r, const struct ics_event *e)
{
	struct icsw *w = &r->w;
	if (e->all_day) {
		icsw_str(w, "DTSTART;VALUE=DATE:");
		icsw_date(w, e->start.year, e->start.month, e->start.day);
		icsw_end(w);
		icsw_str(w, "DTEND;VALUE=DATE:");
		icsw_date(w, e->end.year, e->end.month, e->end.day);
		icsw_end(w);
		return;
	}
	const char *tzid = e->tzid ? e->tzid : r->cal->tzid;
	const struct ics_tz_period *p = zone_period(r, tzid);
	int64_t ls = local_secs(&e->start), le = local_secs(&e->end);
	enum ics_local_kind ks, ke;
	int64_t us = ics_tz_local_to_utc(p, ls, &ks), ue = ics_tz_local_to_utc(p, le, &ke);
	bool unique = ks == ICS_LOCAL_UNIQUE && ke == ICS_LOCAL_UNIQUE;
	if (unique && us == e->start_utc && ue == e->end_utc) {
		icsw_str(w, "DTSTART;TZID=");
		icsw_str(w, tzid);
		icsw_raw(w, ":", 1);
		icsw_local(w, ls);
		icsw_end(w);
		icsw_str(w, "DTEND;TZID=");
		icsw_str(w, tzid);
		icsw_raw(w, ":", 1);
		icsw_local(w, le);
		icsw_end(w);
		return;
	}
	/* Clients disagree on skipped and repeated wall clocks (ical.js reads a skipped 02:30
	 * with the offset after the gap, RFC 5545 with the one before), and a disagreement with
	 * the database means the tz databases differ: either way the instants are the truth. */
	if (unique)
		log_kv(LOG_WARN, "ics: wall clock and instant disagree with the system tz database; writing UTC",
		       "uid", e->uid, "tzid", tzid, NULL);
	utc_prop(w, "DTSTART:", e->start_utc);
	utc_prop(w, "DTEND:", e->end_utc);
}

static enum err write_event(struct render *r, const struct ics_event *e, size_t i)
{
	struct icsw *w = &r->w;
	icsw_line(w, "BEGIN:", "VEVENT");
	text_prop(w, "UID:", e->uid);
	utc_prop(w, "DTSTAMP:", e->dtstamp);
	icsw_str(w, "SEQUENCE:");
	icsw_int(w, e->sequence);
	icsw_end(w);
	utc_prop(w, "LAST-MODIFIED:", e->last_modified);
	write_times(r, e);

	const char *summary = e->summary;
	if (!summary) {
		struct ics_summary_fields f = e->fields;
		f.date = (struct ics_date){e->start.year, e->start.month, e->start.day};
		buf_reset(&r->tmp);
		enum err er = ics_summary_format(r->cal->summary_format, &f, &r->tmp, r->ei);
		if (er) /* the format was checked up front: only the length cap is left */
			return err_set(r->ei, er, event_path(r, i, "summary"), "the formatted summary is too long");
		summary = r->tmp.data ? r->tmp.data : "";
	}
	icsw_str(w, "SUMMARY:");
	icsw_text(w, summary, strlen(summary));
	icsw_end(w);

	if (e->description || e->url) {
		icsw_str(w, "DESCRIPTION:");
		if (e->description)
			icsw_text(w, e->description, strlen(e->description));
		if (e->description && *e->description && e->url)
			icsw_raw(w, "\\n", 2);
		if (e->url)
			icsw_text(w, e->url, strlen(e->url));
		icsw_end(w);
	}
	if (e->url)
		icsw_line(w, "URL:", e->url);
	icsw_line(w, "TRANSP:", e->transparent ? "TRANSPARENT" : "OPAQUE");
	icsw_line(w, "END:", "VEVENT");
	return ERR_OK;
}

static enum err prepare(struct render *r, const struct ics_event *ev, size_t n, int32_t *refresh)
{
	const struct ics_calendar *c = r->cal;
	if (!ics_tzid_valid(c->tzid))
		return err_set(r->ei, ERR_INVALID, "/tzid", "\"%.80s\" is not a time zone name (e.g. America/Toronto)",
			       c->tzid ? c->tzid : "");
	enum err e;
	if ((e = text_cap(r, c->name, "/name")) || (e = text_cap(r, c->prodid, "/prodid")))
		return e;
	*refresh = c->refresh_seconds ? c->refresh_seconds : ICS_DEFAULT_REFRESH_SECONDS;
	if (*refresh < ICS_REFRESH_MIN_SECONDS || *refresh > ICS_REFRESH_MAX_SECONDS)
		return err_set(r->ei, ERR_INVALID, "/refreshSeconds", "must be between %d and %d seconds",
			       ICS_REFRESH_MIN_SECONDS, ICS_REFRESH_MAX_SECONDS);
	if (c->summary_format && (e = ics_summary_format_check(c->summary_format, r->ei)))
		return e;
	if (n > ICS_FEED_MAX_EVENTS)
		return err_set(r->ei, ERR_TOO_LARGE, "/events", "a feed holds at most %d events", ICS_FEED_MAX_EVENTS);
	if (n && !ev)
		return err_set(r->ei, ERR_INVALID, "/events", "events missing");
	for (size_t i = 0; i < n; i++)
		if ((e = validate_event(r, &ev[i], i)))
			return e;
	/* widen every zone to the window so one tenant's feeds share a cached VTIMEZONE */
	const struct ics_date *ws = &c->window_start, *we = &c->window_end;
	if (ws->year || we->year) {
		if (!date_valid(ws->year, ws->month, ws->day) || !date_valid(we->year, we->month, we->day) ||
		    ics_days_from_civil(we->year, we->month, we->day) < ics_days_from_civil(ws->year, ws->month, ws->day))
			return err_set(r->ei, ERR_INVALID, "/window", "the window needs a valid start and a later end");
		int64_t last_day = ics_days_from_civil(we->year, we->month, we->day) - 1, ly; /* end is exclusive */
		int lm, ld;
		ics_civil_from_days(last_day, &ly, &lm, &ld);
		int wy1 = ly < ws->year ? ws->year : (int)ly;
		for (size_t i = 0; i < r->nzones; i++) {
			struct zone_use *z = &r->zones[i];
			if (ws->year < z->y0)
				z->y0 = ws->year;
			if (wy1 > z->y1)
				z->y1 = wy1;
		}
	}
	for (size_t i = 0; i < r->nzones; i++) {
		struct zone_use *z = &r->zones[i];
		if ((e = ics_tz_period_get(z->tzid, z->y0, z->y1, &z->period, &z->owned, r->ei)))
			return e;
	}
	return ERR_OK;
}

enum err ics_feed_render(const struct ics_calendar *cal, const struct ics_event *ev, size_t n, struct buf *out,
			 struct errinfo *ei)
{
	if (!cal || !out)
		return err_set(ei, ERR_INTERNAL, "", "ics_feed_render: calendar and output are required");
	struct render r = {.cal = cal, .ei = ei};
	size_t start_len = out->len;
	icsw_init(&r.w, out);
	buf_init(&r.tmp, 4 * ICS_TEXT_MAX);
	int32_t refresh = 0;
	enum err e = prepare(&r, ev, n, &refresh);
	if (!e) {
		write_header(&r, refresh);
		for (size_t i = 0; i < r.nzones; i++)
			icsw_verbatim(&r.w, r.zones[i].period->vtimezone, r.zones[i].period->vtimezone_len);
		for (size_t i = 0; i < n && !e && !r.w.err; i++)
			e = write_event(&r, &ev[i], i);
		icsw_line(&r.w, "END:", "VCALENDAR");
		if (!e && r.w.err)
			e = err_set(ei, r.w.err, "", r.w.err == ERR_TOO_LARGE ? "the feed is larger than its cap"
									      : "cannot write the feed");
	}
	for (size_t i = 0; i < r.nzones; i++)
		ics_tz_period_free(r.zones[i].owned);
	icsw_fini(&r.w);
	buf_fini(&r.tmp);
	if (e) {
		out->len = start_len;
		if (out->data)
			out->data[start_len] = 0;
	}
	return e;
}
