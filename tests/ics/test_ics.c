/* test_ics.c — ICS feed renderer, VTIMEZONE builder, line checker.
 * Golden feeds live in tests/ics/golden/ (one .ics per case) with the instants every event must have in
 * tests/ics/golden/expected.json (also read by tests/ics/icaljs.test.mjs). The expected
 * instants below are the real ones (checked against Python zoneinfo / the tz database),
 * written by hand, never computed by the code under test. Each golden must match the
 * renderer byte for byte, pass ics_lint, parse in libical without X-LIC-ERROR, and give
 * libical the same instants. RADSCHED_UPDATE_GOLDEN=1 rewrites the goldens and
 * expected.json instead of comparing. */
#include <libical/ical.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "check_main.h"
#include "ics/ics_feed.h"
#include "ics/ics_lint.h"
#include "ics/ics_tz.h"
#include "ics/ics_tzdb.h"

/* ---------- helpers ---------- */

/* "2026-03-08T03:00:00Z" → Unix seconds, through libc (independent of the code under test). */
static int64_t iso(const char *s)
{
	struct tm tm = {0};
	ck_assert_int_eq(sscanf(s, "%d-%d-%dT%d:%d:%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
				&tm.tm_sec),
			 6);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (int64_t)timegm(&tm);
}

static void iso_fmt(int64_t t, char out[21])
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

#define STAMP "2026-01-15T12:00:00Z"
#define URL_BASE "https://radsched.example/app/assignments/"

static struct ics_local lt(int y, int mo, int d, int h, int mi) { return (struct ics_local){y, mo, d, h, mi, 0}; }

static struct ics_event timed(const char *uid, const char *code, const char *sub, const char *user,
			      struct ics_local s, struct ics_local e, const char *s_utc, const char *e_utc)
{
	struct ics_event ev = {0};
	ev.uid = uid;
	ev.fields.shift_code = code;
	ev.fields.subspecialty = sub;
	ev.fields.user_short = user;
	ev.start = s;
	ev.end = e;
	ev.start_utc = iso(s_utc);
	ev.end_utc = iso(e_utc);
	ev.dtstamp = ev.last_modified = iso(STAMP);
	return ev;
}

static struct ics_event all_day(const char *uid, const char *code, const char *sub, const char *user,
				struct ics_local s, struct ics_local e)
{
	struct ics_event ev = {0};
	ev.uid = uid;
	ev.fields.shift_code = code;
	ev.fields.subspecialty = sub;
	ev.fields.user_short = user;
	ev.all_day = true;
	ev.transparent = true;
	ev.start = s;
	ev.end = e;
	ev.dtstamp = ev.last_modified = iso(STAMP);
	return ev;
}

static struct ics_calendar calendar(const char *name, const char *tzid, int year)
{
	struct ics_calendar c = {0};
	c.name = name;
	c.tzid = tzid;
	c.refresh_seconds = 3600;
	c.window_start = (struct ics_date){year, 1, 1};
	c.window_end = (struct ics_date){year + 1, 1, 1};
	return c;
}

/* ---------- golden cases ---------- */

#define MAX_EV 16

struct gcase {
	const char *file;
	struct ics_calendar cal;
	struct ics_event ev[MAX_EV];
	size_t n;
};

static const char *names_description(void)
{
	return "Night call; main campus, room B\\2\n"
	       "Ligne deux: équipe de garde — 李医生李医生李医生李医生李医生李医生 é李—é李—é李—é李—é李—é李—é李—é李— "
	       "fin.\r\nThird line";
}

/* Instants from the tz database (Python zoneinfo), 2026-03-01 08:00–16:00 and
 * 2026-07-15 20:00 – 07-16 06:00 local. */
static const struct many_zone {
	const char *tzid;
	const char *uid[2];
	const char *utc[4];
} many[] = {
	{"Africa/Casablanca", {"asg-m01a@radsched", "asg-m01b@radsched"},
	 {"2026-03-01T08:00:00Z", "2026-03-01T16:00:00Z", "2026-07-15T19:00:00Z", "2026-07-16T05:00:00Z"}},
	{"Asia/Jerusalem", {"asg-m02a@radsched", "asg-m02b@radsched"},
	 {"2026-03-01T06:00:00Z", "2026-03-01T14:00:00Z", "2026-07-15T17:00:00Z", "2026-07-16T03:00:00Z"}},
	{"Australia/Lord_Howe", {"asg-m03a@radsched", "asg-m03b@radsched"},
	 {"2026-02-28T21:00:00Z", "2026-03-01T05:00:00Z", "2026-07-15T09:30:00Z", "2026-07-15T19:30:00Z"}},
	{"Europe/Dublin", {"asg-m04a@radsched", "asg-m04b@radsched"},
	 {"2026-03-01T08:00:00Z", "2026-03-01T16:00:00Z", "2026-07-15T19:00:00Z", "2026-07-16T05:00:00Z"}},
	{"Pacific/Chatham", {"asg-m05a@radsched", "asg-m05b@radsched"},
	 {"2026-02-28T18:15:00Z", "2026-03-01T02:15:00Z", "2026-07-15T07:15:00Z", "2026-07-15T17:15:00Z"}},
	{"Asia/Kathmandu", {"asg-m06a@radsched", "asg-m06b@radsched"},
	 {"2026-03-01T02:15:00Z", "2026-03-01T10:15:00Z", "2026-07-15T14:15:00Z", "2026-07-16T00:15:00Z"}},
	{"America/St_Johns", {"asg-m07a@radsched", "asg-m07b@radsched"},
	 {"2026-03-01T11:30:00Z", "2026-03-01T19:30:00Z", "2026-07-15T22:30:00Z", "2026-07-16T08:30:00Z"}},
	{"America/Santiago", {"asg-m08a@radsched", "asg-m08b@radsched"},
	 {"2026-03-01T11:00:00Z", "2026-03-01T19:00:00Z", "2026-07-16T00:00:00Z", "2026-07-16T10:00:00Z"}},
};

static void case_build(int i, struct gcase *g)
{
	memset(g, 0, sizeof *g);
	struct ics_event *e = g->ev;
	switch (i) {
	case 0: /* all-day on-call: VALUE=DATE, exclusive end, free time */
		g->file = "all_day_call.ics";
		g->cal = calendar("Dr. Smith — on call", "America/Toronto", 2026);
		e[0] = all_day("asg-5b0e1c7d@radsched", "CALL", "Body", "JS", lt(2026, 3, 7, 0, 0), lt(2026, 3, 9, 0, 0));
		e[0].url = URL_BASE "5b0e1c7d";
		e[1] = all_day("asg-91aa03f2@radsched", "CALL", "Neuro", "JS", lt(2026, 7, 1, 0, 0), lt(2026, 7, 2, 0, 0));
		e[1].transparent = false;
		e[1].description = "Home call; pager 4411";
		g->n = 2;
		break;
	case 1: /* night shift across spring forward: 22:00–08:00 is 9 hours */
		g->file = "spring_forward.ics";
		g->cal = calendar("Dr. Smith", "America/Toronto", 2026);
		e[0] = timed("asg-0d4b2a91@radsched", "NIGHT", "ER", "JS", lt(2026, 3, 6, 22, 0), lt(2026, 3, 7, 8, 0),
			     "2026-03-07T03:00:00Z", "2026-03-07T13:00:00Z");
		e[1] = timed("asg-2c8f7e10@radsched", "NIGHT", "ER", "JS", lt(2026, 3, 7, 22, 0), lt(2026, 3, 8, 8, 0),
			     "2026-03-08T03:00:00Z", "2026-03-08T12:00:00Z");
		e[1].url = URL_BASE "2c8f7e10";
		e[1].sequence = 3;
		g->n = 2;
		break;
	case 2: /* across fall back: 22:00–08:00 is 11 hours; an end in the repeated hour */
		g->file = "fall_back.ics";
		g->cal = calendar("Dr. Smith", "America/Toronto", 2026);
		e[0] = timed("asg-6e1d9c44@radsched", "NIGHT", "ER", "JS", lt(2026, 10, 31, 22, 0), lt(2026, 11, 1, 8, 0),
			     "2026-11-01T02:00:00Z", "2026-11-01T13:00:00Z");
		e[0].url = URL_BASE "6e1d9c44";
		/* ends 01:30, which happens twice; the database (PostgreSQL) took the second, EST */
		e[1] = timed("asg-7a3f0b58@radsched", "EVE", "Body", "JS", lt(2026, 10, 31, 17, 0), lt(2026, 11, 1, 1, 30),
			     "2026-10-31T21:00:00Z", "2026-11-01T06:30:00Z");
		g->n = 2;
		break;
	case 3: /* starts inside the skipped hour 02:00–03:00 of 2026-03-08 */
		g->file = "skipped_hour.ics";
		g->cal = calendar("Dr. Smith", "America/Toronto", 2026);
		/* 02:30 does not exist; PostgreSQL reads it as EST (= 03:30 EDT) */
		e[0] = timed("asg-13b5e6a2@radsched", "EARLY", "MSK", "JS", lt(2026, 3, 8, 2, 30), lt(2026, 3, 8, 10, 30),
			     "2026-03-08T07:30:00Z", "2026-03-08T14:30:00Z");
		e[1] = timed("asg-4f6c2d19@radsched", "EARLY", "MSK", "KL", lt(2026, 3, 8, 2, 0), lt(2026, 3, 8, 10, 0),
			     "2026-03-08T07:00:00Z", "2026-03-08T14:00:00Z");
		e[2] = timed("asg-8d0a7b33@radsched", "DAY", "MSK", "KL", lt(2026, 3, 8, 3, 0), lt(2026, 3, 8, 11, 0),
			     "2026-03-08T07:00:00Z", "2026-03-08T15:00:00Z");
		g->n = 3;
		break;
	case 4: /* a zone without DST */
		g->file = "no_dst_tokyo.ics";
		g->cal = calendar("東京 読影", "Asia/Tokyo", 2026);
		e[0] = timed("asg-b7c1d2e3@radsched", "NIGHT", "CT", "TY", lt(2026, 3, 7, 22, 0), lt(2026, 3, 8, 8, 0),
			     "2026-03-07T13:00:00Z", "2026-03-07T23:00:00Z");
		e[1] = timed("asg-c8d2e3f4@radsched", "DAY", "MR", "TY", lt(2026, 11, 1, 8, 0), lt(2026, 11, 1, 17, 0),
			     "2026-10-31T23:00:00Z", "2026-11-01T08:00:00Z");
		g->n = 2;
		break;
	case 5: /* southern hemisphere: DST ends in April, starts in October */
		g->file = "southern_sydney.ics";
		g->cal = calendar("Sydney reading room", "Australia/Sydney", 2026);
		e[0] = timed("asg-d1e2f3a4@radsched", "DAY", "Breast", "AW", lt(2026, 1, 15, 8, 0), lt(2026, 1, 15, 17, 0),
			     "2026-01-14T21:00:00Z", "2026-01-15T06:00:00Z");
		e[1] = timed("asg-e2f3a4b5@radsched", "NIGHT", "ER", "AW", lt(2026, 4, 4, 22, 0), lt(2026, 4, 5, 8, 0),
			     "2026-04-04T11:00:00Z", "2026-04-04T22:00:00Z");
		e[2] = timed("asg-f3a4b5c6@radsched", "NIGHT", "ER", "AW", lt(2026, 10, 3, 22, 0), lt(2026, 10, 4, 8, 0),
			     "2026-10-03T12:00:00Z", "2026-10-03T21:00:00Z");
		g->n = 3;
		break;
	case 6: /* names and text that need escaping and folding inside multi-byte characters */
		g->file = "names_escaping.ics";
		g->cal = calendar("Radiologie — Montréal; équipe, A\\B 李医生", "America/Toronto", 2026);
		g->cal.summary_format =
			"{SHIFT_CODE} — {SHIFT_NAME} · {SUBSPECIALTY} · {USER_NAME} ({USER_SHORT}) {DATE} {{on call}";
		g->cal.prodid = "-//radsched//radsched test, feed; v1//EN";
		e[0] = timed("asg-1a2b3c4d@radsched", "CT-N", "Neuro; Body, MSK \\ misc", "Zoë 李",
			     lt(2026, 5, 12, 8, 0), lt(2026, 5, 12, 16, 0), "2026-05-12T12:00:00Z", "2026-05-12T20:00:00Z");
		e[0].fields.shift_name = "Nuit, \"longue\"";
		e[0].fields.user_name = "Dr. Zoë Li-Ébert, MD; 李医生";
		e[0].description = names_description();
		e[0].url = URL_BASE "1a2b3c4d?tab=details&view=full";
		e[1] = timed("asg-2b3c4d5e@radsched", "US", "Abdomen", "Łukasz", lt(2026, 5, 13, 8, 0),
			     lt(2026, 5, 13, 16, 0), "2026-05-13T12:00:00Z", "2026-05-13T20:00:00Z");
		e[1].summary = "Preformatted: 李李李李李李李李李李李李李李李李李李李李李李李李李李李 ends — ok, ; \\ done";
		g->n = 2;
		break;
	case 7: /* a calendar with nothing in it */
		g->file = "empty.ics";
		g->cal = calendar("Dr. Nobody", "America/Toronto", 2026);
		g->n = 0;
		break;
	case 8: /* after assignment B was removed and A edited (SEQUENCE grew) */
		g->file = "removed.ics";
		g->cal = calendar("Dr. Smith", "America/Toronto", 2026);
		e[0] = timed("asg-aaaa0001@radsched", "DAY", "Body", "JS", lt(2026, 6, 1, 8, 0), lt(2026, 6, 1, 16, 0),
			     "2026-06-01T12:00:00Z", "2026-06-01T20:00:00Z");
		e[0].sequence = 1;
		e[0].fields.subspecialty = "Neuro";
		e[0].last_modified = e[0].dtstamp = iso("2026-02-01T09:30:00Z");
		e[1] = timed("asg-cccc0003@radsched", "DAY", "Body", "JS", lt(2026, 6, 3, 8, 0), lt(2026, 6, 3, 16, 0),
			     "2026-06-03T12:00:00Z", "2026-06-03T20:00:00Z");
		e[1].sequence = 2;
		g->n = 2;
		break;
	case 9: /* a span where the zone's rule changed (Canada/US 2007): RDATE observances */
		g->file = "rule_change_2006_2007.ics";
		g->cal = calendar("Archive 2006–2007", "America/Toronto", 2006);
		g->cal.window_end = (struct ics_date){2008, 1, 1};
		e[0] = timed("asg-00002006@radsched", "NIGHT", "ER", "JS", lt(2006, 10, 28, 22, 0), lt(2006, 10, 29, 8, 0),
			     "2006-10-29T02:00:00Z", "2006-10-29T13:00:00Z");
		e[1] = timed("asg-00002007@radsched", "NIGHT", "ER", "JS", lt(2007, 3, 10, 22, 0), lt(2007, 3, 11, 8, 0),
			     "2007-03-11T03:00:00Z", "2007-03-11T12:00:00Z");
		/* EDT under the 2007 rule, EST under the old one */
		e[2] = timed("asg-00002008@radsched", "DAY", "ER", "JS", lt(2007, 3, 20, 8, 0), lt(2007, 3, 20, 16, 0),
			     "2007-03-20T12:00:00Z", "2007-03-20T20:00:00Z");
		g->n = 3;
		break;
	case 10: /* one VTIMEZONE per zone used; RDATE zones, half-hour DST, negative DST, +12:45 */
		g->file = "many_zones.ics";
		g->cal = calendar("Teleradiology, many sites", "America/Toronto", 2026);
		for (size_t k = 0; k < sizeof many / sizeof many[0]; k++) {
			const struct many_zone *m = &many[k];
			e[2 * k] = timed(m->uid[0], "DAY", "Tele", "TR", lt(2026, 3, 1, 8, 0), lt(2026, 3, 1, 16, 0),
					 m->utc[0], m->utc[1]);
			e[2 * k + 1] = timed(m->uid[1], "NIGHT", "Tele", "TR", lt(2026, 7, 15, 20, 0), lt(2026, 7, 16, 6, 0),
					     m->utc[2], m->utc[3]);
			e[2 * k].tzid = e[2 * k + 1].tzid = m->tzid;
		}
		g->n = 2 * sizeof many / sizeof many[0];
		break;
	}
}

#define NCASES 11

/* Removed-assignment scenario, before: A, B, C. */
static size_t removed_before(struct gcase *g)
{
	case_build(8, g);
	struct ics_event a = g->ev[0], c = g->ev[1];
	a.sequence = 0;
	a.fields.subspecialty = "Body";
	a.dtstamp = a.last_modified = iso(STAMP);
	struct ics_event b = timed("asg-bbbb0002@radsched", "DAY", "Body", "JS", lt(2026, 6, 2, 8, 0), lt(2026, 6, 2, 16, 0),
				   "2026-06-02T12:00:00Z", "2026-06-02T20:00:00Z");
	g->ev[0] = a;
	g->ev[1] = b;
	g->ev[2] = c;
	g->n = 3;
	return 3;
}

static char *golden_path(const char *file)
{
	static char p[1024];
	snprintf(p, sizeof p, "%s/tests/ics/golden/%s", test_root(), file);
	return p;
}

static bool updating(void)
{
	const char *u = getenv("RADSCHED_UPDATE_GOLDEN");
	return u && *u && strcmp(u, "0") != 0;
}

static void write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	ck_assert_msg(f != NULL, "cannot write %s", path);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void render_ok(const struct gcase *g, struct buf *out)
{
	struct errinfo ei = {0};
	enum err e = ics_feed_render(&g->cal, g->ev, g->n, out, &ei);
	ck_assert_msg(e == ERR_OK, "%s: %s (%s) at %s", g->file, err_name(e), ei.message, ei.path);
}

static int xlic_errors(icalcomponent *c, int depth)
{
	int n = 0;
	for (icalproperty *p = icalcomponent_get_first_property(c, ICAL_XLICERROR_PROPERTY); p;
	     p = icalcomponent_get_next_property(c, ICAL_XLICERROR_PROPERTY)) {
		fprintf(stderr, "libical: %s\n", icalproperty_get_xlicerror(p));
		n++;
	}
	for (icalcomponent *k = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT); k;
	     k = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT))
		n += xlic_errors(k, depth + 1);
	return n;
}

static const struct ics_event *find_uid(const struct gcase *g, const char *uid)
{
	for (size_t i = 0; i < g->n; i++)
		if (strcmp(g->ev[i].uid, uid) == 0)
			return &g->ev[i];
	return NULL;
}

/* Parse with libical: zero X-LIC-ERROR (also after the RFC restriction check), every
 * expected UID present once with the expected instants or dates, no other event. */
static void libical_verify(const struct gcase *g, const char *text)
{
	icalcomponent *root = icalparser_parse_string(text);
	ck_assert_msg(root != NULL, "%s: libical could not parse", g->file);
	ck_assert_int_eq(icalcomponent_isa(root), ICAL_VCALENDAR_COMPONENT);
	ck_assert_int_eq(xlic_errors(root, 0), 0);
	icalrestriction_check(root);
	ck_assert_msg(xlic_errors(root, 0) == 0, "%s: libical restriction check failed", g->file);
	size_t seen = 0;
	for (icalcomponent *ve = icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT); ve;
	     ve = icalcomponent_get_next_component(root, ICAL_VEVENT_COMPONENT)) {
		const char *uid = icalcomponent_get_uid(ve);
		const struct ics_event *ex = find_uid(g, uid);
		ck_assert_msg(ex != NULL, "%s: unexpected UID %s", g->file, uid);
		struct icaltimetype s = icalcomponent_get_dtstart(ve), en = icalcomponent_get_dtend(ve);
		if (ex->all_day) {
			ck_assert(s.is_date && en.is_date);
			ck_assert_int_eq(s.year, ex->start.year);
			ck_assert_int_eq(s.month, ex->start.month);
			ck_assert_int_eq(s.day, ex->start.day);
			ck_assert_int_eq(en.year, ex->end.year);
			ck_assert_int_eq(en.month, ex->end.month);
			ck_assert_int_eq(en.day, ex->end.day);
		} else {
			ck_assert(!s.is_date && !en.is_date);
			if (s.zone && !icaltime_is_utc(s)) /* the zone must be ours, not a built-in one */
				ck_assert_ptr_nonnull(icalcomponent_get_timezone(root, icaltimezone_get_tzid(
											     (icaltimezone *)s.zone)));
			time_t ts = icaltime_as_timet_with_zone(s, s.zone ? s.zone : icaltimezone_get_utc_timezone());
			time_t te = icaltime_as_timet_with_zone(en, en.zone ? en.zone : icaltimezone_get_utc_timezone());
			char a[21], b[21];
			iso_fmt(ts, a);
			iso_fmt(ex->start_utc, b);
			ck_assert_msg(ts == ex->start_utc, "%s %s: libical start %s, expected %s", g->file, uid, a, b);
			iso_fmt(te, a);
			iso_fmt(ex->end_utc, b);
			ck_assert_msg(te == ex->end_utc, "%s %s: libical end %s, expected %s", g->file, uid, a, b);
		}
		seen++;
	}
	ck_assert_uint_eq(seen, g->n);
	icalcomponent_free(root);
}

START_TEST(golden_feed)
{
	struct gcase g;
	case_build(_i, &g);
	struct buf out;
	buf_init(&out, 1 << 20);
	render_ok(&g, &out);
	const char *path = golden_path(g.file);
	if (updating())
		write_file(path, out.data, out.len);
	size_t glen = 0;
	char *golden = test_read_file(path, &glen);
	ck_assert_msg(golden != NULL, "missing %s (RADSCHED_UPDATE_GOLDEN=1 writes it)", path);
	ck_assert_msg(glen == out.len && memcmp(golden, out.data, glen) == 0,
		      "%s differs from the renderer's output (RADSCHED_UPDATE_GOLDEN=1 rewrites it)", g.file);
	struct errinfo ei = {0};
	struct ics_lint_stats st;
	ck_assert_msg(ics_lint_check(golden, glen, &st, &ei) == ERR_OK, "%s: %s", g.file, ei.message);
	libical_verify(&g, golden);
	free(golden);
	buf_fini(&out);
}
END_TEST

static void expected_json(struct buf *j)
{
	RS_IGNORE(buf_puts(j, "{\n")); /* unlimited buffer: appends cannot fail */
	for (int i = 0; i < NCASES; i++) {
		struct gcase g;
		case_build(i, &g);
		RS_IGNORE(buf_printf(j, "  \"%s\": [", g.file));
		for (size_t k = 0; k < g.n; k++) {
			const struct ics_event *e = &g.ev[k];
			char s[21], en[21];
			if (e->all_day) {
				snprintf(s, sizeof s, "%04d-%02d-%02d", e->start.year, e->start.month, e->start.day);
				snprintf(en, sizeof en, "%04d-%02d-%02d", e->end.year, e->end.month, e->end.day);
			} else {
				iso_fmt(e->start_utc, s);
				iso_fmt(e->end_utc, en);
			}
			RS_IGNORE(buf_printf(j, "%s\n    {\"uid\": \"%s\", \"allDay\": %s, \"start\": \"%s\", \"end\": \"%s\"}",
					     k ? "," : "", e->uid, e->all_day ? "true" : "false", s, en));
		}
		RS_IGNORE(buf_printf(j, "%s]%s\n", g.n ? "\n  " : "", i + 1 < NCASES ? "," : ""));
	}
	RS_IGNORE(buf_puts(j, "}\n"));
}

START_TEST(golden_expected_json)
{
	struct buf j;
	buf_init(&j, 0);
	expected_json(&j);
	const char *path = golden_path("expected.json");
	if (updating())
		write_file(path, j.data, j.len);
	size_t len = 0;
	char *have = test_read_file(path, &len);
	ck_assert_msg(have != NULL, "missing %s", path);
	ck_assert_msg(len == j.len && memcmp(have, j.data, len) == 0, "expected.json is stale");
	free(have);
	buf_fini(&j);
}
END_TEST

START_TEST(removed_assignment_disappears)
{
	struct gcase before, after;
	removed_before(&before);
	case_build(8, &after);
	struct buf a, b;
	buf_init(&a, 0);
	buf_init(&b, 0);
	render_ok(&before, &b);
	render_ok(&after, &a);
	ck_assert_ptr_nonnull(strstr(b.data, "UID:asg-bbbb0002@radsched\r\n"));
	ck_assert_ptr_null(strstr(a.data, "asg-bbbb0002"));
	ck_assert_ptr_nonnull(strstr(b.data, "UID:asg-aaaa0001@radsched\r\nDTSTAMP:20260115T120000Z\r\nSEQUENCE:0\r\n"));
	ck_assert_ptr_nonnull(strstr(a.data, "UID:asg-aaaa0001@radsched\r\nDTSTAMP:20260201T093000Z\r\nSEQUENCE:1\r\n"));
	buf_fini(&a);
	buf_fini(&b);
}
END_TEST

START_TEST(dst_nights_have_right_length)
{
	struct gcase g;
	case_build(1, &g);
	ck_assert_int_eq(g.ev[1].end_utc - g.ev[1].start_utc, 9 * 3600);
	struct buf out;
	buf_init(&out, 0);
	render_ok(&g, &out);
	ck_assert_ptr_nonnull(strstr(out.data, "DTSTART;TZID=America/Toronto:20260307T220000\r\n"
					       "DTEND;TZID=America/Toronto:20260308T080000\r\n"));
	buf_fini(&out);
	case_build(2, &g);
	ck_assert_int_eq(g.ev[0].end_utc - g.ev[0].start_utc, 11 * 3600);
	buf_init(&out, 0);
	render_ok(&g, &out);
	ck_assert_ptr_nonnull(strstr(out.data, "DTSTART;TZID=America/Toronto:20261031T220000\r\n"
					       "DTEND;TZID=America/Toronto:20261101T080000\r\n"));
	/* end in the repeated hour: written as instants */
	ck_assert_ptr_nonnull(strstr(out.data, "DTSTART:20261031T210000Z\r\nDTEND:20261101T063000Z\r\n"));
	buf_fini(&out);
	case_build(3, &g);
	buf_init(&out, 0);
	render_ok(&g, &out);
	ck_assert_ptr_nonnull(strstr(out.data, "DTSTART:20260308T073000Z\r\nDTEND:20260308T143000Z\r\n"));
	ck_assert_ptr_nonnull(strstr(out.data, "DTSTART;TZID=America/Toronto:20260308T030000\r\n"));
	buf_fini(&out);
}
END_TEST

/* ---------- summary format ---------- */

START_TEST(summary_default_and_placeholders)
{
	struct ics_summary_fields f = {"CT-N", "Night CT", "Neuro", "JS", "Jane Smith", {2026, 3, 8}};
	struct buf b;
	buf_init(&b, 0);
	ck_assert_int_eq(ics_summary_format(NULL, &f, &b, NULL), ERR_OK);
	ck_assert_str_eq(b.data, "CT-N — Neuro (JS)");
	buf_reset(&b);
	ck_assert_int_eq(ics_summary_format("{SHIFT_NAME}|{USER_NAME}|{DATE}|{{x}|}", &f, &b, NULL), ERR_OK);
	ck_assert_str_eq(b.data, "Night CT|Jane Smith|2026-03-08|{x}|}");
	buf_reset(&b);
	struct ics_summary_fields none = {0};
	ck_assert_int_eq(ics_summary_format("[{SHIFT_CODE}]{DATE}", &none, &b, NULL), ERR_OK);
	ck_assert_str_eq(b.data, "[]");
	buf_reset(&b);
	struct errinfo ei = {0};
	ck_assert_int_eq(ics_summary_format("{SHIFT_CODE} {Bogus}", &f, &b, &ei), ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(ei.message, "{Bogus}"));
	ck_assert_str_eq(ei.path, "summaryFormat");
	ck_assert_uint_eq(b.len, 0);
	ck_assert_int_eq(ics_summary_format("{SHIFT_CODE", &f, &b, &ei), ERR_INVALID);
	ck_assert_int_eq(ics_summary_format_check("{USER_SHORT} on {DATE}", NULL), ERR_OK);
	ck_assert_int_eq(ics_summary_format_check("{user_short}", NULL), ERR_INVALID);
	buf_fini(&b);
}
END_TEST

/* ---------- folding and escaping ---------- */

/* Undo folding (CRLF + space) of a whole feed. */
static char *unfold(const char *s)
{
	size_t n = strlen(s);
	char *o = malloc(n + 1), *q = o;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\r' && s[i + 1] == '\n' && s[i + 2] == ' ') {
			i += 2;
			continue;
		}
		*q++ = s[i];
	}
	*q = 0;
	return o;
}

START_TEST(text_escaping_and_folding_round_trip)
{
	/* lengths chosen so folds fall at every offset inside 2-, 3- and 4-octet characters */
	for (int pad = 0; pad < 8; pad++) {
		char summary[600];
		int k = snprintf(summary, sizeof summary, "%.*s", pad, "xxxxxxxx");
		for (int r = 0; r < 12; r++)
			k += snprintf(summary + k, sizeof summary - (size_t)k, "é李😀,;\\ ");
		struct ics_event ev = timed("u@x", "A", "B", "C", lt(2026, 5, 1, 8, 0), lt(2026, 5, 1, 9, 0),
					    "2026-05-01T12:00:00Z", "2026-05-01T13:00:00Z");
		ev.summary = summary;
		ev.description = "a\nb\r\nc\rd\te\x01" "f";
		struct ics_calendar cal = calendar("n", "America/Toronto", 2026);
		struct buf out;
		buf_init(&out, 0);
		ck_assert_int_eq(ics_feed_render(&cal, &ev, 1, &out, NULL), ERR_OK);
		struct errinfo ei = {0};
		ck_assert_msg(ics_lint_check(out.data, out.len, NULL, &ei) == ERR_OK, "%s", ei.message);
		char *flat = unfold(out.data);
		char want[1400] = "SUMMARY:";
		size_t w = strlen(want);
		for (const char *p = summary; *p; p++) {
			if (*p == ',' || *p == ';' || *p == '\\')
				want[w++] = '\\';
			want[w++] = *p;
		}
		memcpy(want + w, "\r\n", 3);
		ck_assert_ptr_nonnull(strstr(flat, want));
		ck_assert_ptr_nonnull(strstr(flat, "DESCRIPTION:a\\nb\\nc\\nd\tef\r\n"));
		free(flat);
		buf_fini(&out);
	}
}
END_TEST

START_TEST(invalid_utf8_is_replaced)
{
	struct ics_event ev = timed("u@x", "A", "B", "C", lt(2026, 5, 1, 8, 0), lt(2026, 5, 1, 9, 0),
				    "2026-05-01T12:00:00Z", "2026-05-01T13:00:00Z");
	ev.summary = "bad \xff\xc3 end \xed\xa0\x80";
	struct ics_calendar cal = calendar("n", "America/Toronto", 2026);
	struct buf out;
	buf_init(&out, 0);
	ck_assert_int_eq(ics_feed_render(&cal, &ev, 1, &out, NULL), ERR_OK);
	ck_assert_ptr_nonnull(strstr(out.data, "SUMMARY:bad \xEF\xBF\xBD\xEF\xBF\xBD end \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\r\n"));
	ck_assert_int_eq(ics_lint_check(out.data, out.len, NULL, NULL), ERR_OK);
	buf_fini(&out);
}
END_TEST

START_TEST(header_properties)
{
	struct gcase g;
	case_build(7, &g);
	g.cal.refresh_seconds = 5400;
	struct buf out;
	buf_init(&out, 0);
	render_ok(&g, &out);
	ck_assert_str_eq(out.data, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:" ICS_DEFAULT_PRODID "\r\n"
				   "CALSCALE:GREGORIAN\r\nNAME:Dr. Nobody\r\nX-WR-CALNAME:Dr. Nobody\r\n"
				   "X-WR-TIMEZONE:America/Toronto\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H30M\r\n"
				   "X-PUBLISHED-TTL:PT1H30M\r\nEND:VCALENDAR\r\n");
	buf_reset(&out);
	g.cal.refresh_seconds = 86400 + 30;
	render_ok(&g, &out);
	ck_assert_ptr_nonnull(strstr(out.data, "REFRESH-INTERVAL;VALUE=DURATION:P1DT30S\r\n"));
	buf_reset(&out);
	g.cal.refresh_seconds = 3600 + 5;
	render_ok(&g, &out);
	ck_assert_ptr_nonnull(strstr(out.data, "X-PUBLISHED-TTL:PT1H0M5S\r\n"));
	buf_fini(&out);
}
END_TEST

/* ---------- errors ---------- */

START_TEST(render_errors_leave_output_unchanged)
{
	struct gcase g;
	case_build(1, &g);
	struct buf out;
	buf_init(&out, 0);
	ck_assert_int_eq(buf_puts(&out, "prefix"), ERR_OK);
	struct errinfo ei = {0};

	struct ics_calendar cal = g.cal;
	cal.tzid = "../../etc/passwd";
	ck_assert_int_eq(ics_feed_render(&cal, g.ev, g.n, &out, &ei), ERR_INVALID);
	ck_assert_str_eq(ei.path, "/tzid");
	cal.tzid = "Mars/Olympus_Mons";
	ck_assert_int_eq(ics_feed_render(&cal, g.ev, g.n, &out, &ei), ERR_NOT_FOUND);
	cal = g.cal;
	cal.refresh_seconds = 5;
	ck_assert_int_eq(ics_feed_render(&cal, g.ev, g.n, &out, &ei), ERR_INVALID);
	cal = g.cal;
	cal.summary_format = "{NOPE}";
	ck_assert_int_eq(ics_feed_render(&cal, g.ev, g.n, &out, &ei), ERR_INVALID);
	cal = g.cal;
	cal.window_start = (struct ics_date){1990, 1, 1};
	ck_assert_int_eq(ics_feed_render(&cal, g.ev, g.n, &out, &ei), ERR_TOO_LARGE);

	struct ics_event ev[2] = {g.ev[0], g.ev[1]};
	ev[1].uid = "";
	ck_assert_int_eq(ics_feed_render(&g.cal, ev, 2, &out, &ei), ERR_INVALID);
	ck_assert_str_eq(ei.path, "/events/1/uid");
	ev[1] = g.ev[1];
	ev[1].end.day = 32;
	ck_assert_int_eq(ics_feed_render(&g.cal, ev, 2, &out, &ei), ERR_INVALID);
	ck_assert_str_eq(ei.path, "/events/1/end");
	ev[1] = g.ev[1];
	ev[1].end_utc = ev[1].start_utc;
	ck_assert_int_eq(ics_feed_render(&g.cal, ev, 2, &out, &ei), ERR_INVALID);
	ev[1] = g.ev[1];
	ev[1].start_utc = 0; /* not this wall clock in any offset */
	ck_assert_int_eq(ics_feed_render(&g.cal, ev, 2, &out, &ei), ERR_INVALID);
	ck_assert_str_eq(ei.path, "/events/1/start");
	ev[1] = g.ev[1];
	ev[1].url = "javascript:alert(1) x";
	ck_assert_int_eq(ics_feed_render(&g.cal, ev, 2, &out, &ei), ERR_INVALID);
	ev[1] = g.ev[1];
	ev[1].all_day = true;
	ev[1].end = ev[1].start;
	ck_assert_int_eq(ics_feed_render(&g.cal, ev, 2, &out, &ei), ERR_INVALID);
	char *big = malloc(ICS_TEXT_MAX + 2);
	memset(big, 'x', ICS_TEXT_MAX + 1);
	big[ICS_TEXT_MAX + 1] = 0;
	ev[1] = g.ev[1];
	ev[1].description = big;
	ck_assert_int_eq(ics_feed_render(&g.cal, ev, 2, &out, &ei), ERR_TOO_LARGE);
	free(big);
	ck_assert_str_eq(out.data, "prefix");
	ck_assert_uint_eq(out.len, 6);

	/* the output cap */
	struct buf small;
	buf_init(&small, 300);
	ck_assert_int_eq(buf_puts(&small, "keep"), ERR_OK);
	ck_assert_int_eq(ics_feed_render(&g.cal, g.ev, g.n, &small, &ei), ERR_TOO_LARGE);
	ck_assert_str_eq(small.data, "keep");
	buf_fini(&small);
	buf_fini(&out);
}
END_TEST

START_TEST(tz_mismatch_falls_back_to_utc)
{
	struct gcase g;
	case_build(1, &g);
	g.ev[0].start_utc += 3600; /* a database with other tz rules */
	struct buf out;
	buf_init(&out, 0);
	render_ok(&g, &out);
	ck_assert_ptr_nonnull(strstr(out.data, "DTSTART:20260307T040000Z\r\nDTEND:20260307T130000Z\r\n"));
	buf_fini(&out);
}
END_TEST

START_TEST(per_event_zones_get_one_vtimezone_each)
{
	struct gcase g;
	case_build(1, &g);
	struct gcase s;
	case_build(5, &s);
	g.ev[2] = s.ev[1];
	g.ev[2].tzid = "Australia/Sydney";
	g.ev[3] = s.ev[2];
	g.ev[3].tzid = "Australia/Sydney";
	g.n = 4;
	struct buf out;
	buf_init(&out, 0);
	render_ok(&g, &out);
	const char *p = out.data;
	int n = 0;
	while ((p = strstr(p, "BEGIN:VTIMEZONE"))) {
		n++;
		p++;
	}
	ck_assert_int_eq(n, 2);
	ck_assert_ptr_nonnull(strstr(out.data, "DTSTART;TZID=Australia/Sydney:20260404T220000\r\n"));
	struct gcase merged = g;
	merged.file = "mixed";
	libical_verify(&merged, out.data);
	buf_fini(&out);
}
END_TEST

/* ---------- the line checker ---------- */

static enum err lint(const char *s) { return ics_lint_check(s, strlen(s), NULL, NULL); }

START_TEST(lint_accepts_and_rejects)
{
	ck_assert_int_eq(lint("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-A;P=1:v\r\n  folded\r\nEND:VCALENDAR\r\n"), ERR_OK);
	ck_assert_int_eq(lint("BEGIN:VCALENDAR\nEND:VCALENDAR\r\n"), ERR_MALFORMED);           /* bare LF */
	ck_assert_int_eq(lint("BEGIN:VCALENDAR\r\nX:a\rb\r\nEND:VCALENDAR\r\n"), ERR_MALFORMED); /* bare CR */
	ck_assert_int_eq(lint("BEGIN:VCALENDAR\r\nEND:VCALENDAR"), ERR_MALFORMED);              /* no final CRLF */
	ck_assert_int_eq(lint(""), ERR_MALFORMED);
	ck_assert_int_eq(lint("BEGIN:VCALENDAR\r\n\r\nEND:VCALENDAR\r\n"), ERR_MALFORMED);      /* empty line */
	char line[200];
	snprintf(line, sizeof line, "BEGIN:VCALENDAR\r\nX:%073d\r\nEND:VCALENDAR\r\n", 0); /* 75 octets: fine */
	ck_assert_int_eq(lint(line), ERR_OK);
	snprintf(line, sizeof line, "BEGIN:VCALENDAR\r\nX:%074d\r\nEND:VCALENDAR\r\n", 0); /* 76 */
	struct ics_lint_stats st;
	struct errinfo ei = {0};
	ck_assert_int_eq(ics_lint_check(line, strlen(line), &st, &ei), ERR_MALFORMED);
	ck_assert_uint_eq(st.bad_line, 2);
	ck_assert_ptr_nonnull(strstr(ei.message, "line 2"));
	/* a fold inside 李 (E6 9D 8E) */
	ck_assert_int_eq(lint("BEGIN:VCALENDAR\r\nX:\xE6\x9D\r\n \x8E\r\nEND:VCALENDAR\r\n"), ERR_MALFORMED);
	ck_assert_int_eq(lint("BEGIN:VCALENDAR\r\nX:\xC0\x80\r\nEND:VCALENDAR\r\n"), ERR_MALFORMED);
	ck_assert_int_eq(lint("BEGIN:VCALENDAR\r\nX:a\x01\r\nEND:VCALENDAR\r\n"), ERR_MALFORMED);
	ck_assert_int_eq(lint("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VCALENDAR\r\n"), ERR_MALFORMED);
	ck_assert_int_eq(lint("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"), ERR_MALFORMED);
	ck_assert_int_eq(lint("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VEVENT\r\n"), ERR_MALFORMED);
	ck_assert_int_eq(lint("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\nBEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"),
			 ERR_MALFORMED);
	ck_assert_int_eq(lint(" BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"), ERR_MALFORMED);
	ck_assert_int_eq(lint("VERSION:2.0\r\n"), ERR_MALFORMED);
	ck_assert_int_eq(lint("BEGIN:VCALENDAR\r\nno colon here\r\nEND:VCALENDAR\r\n"), ERR_MALFORMED);
	/* folded BEGIN line is still understood */
	ck_assert_int_eq(lint("BEGIN:VCALENDAR\r\nBEGIN:VEV\r\n ENT\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"), ERR_OK);
}
END_TEST

/* ---------- time zones ---------- */

START_TEST(vtimezone_forms)
{
	struct ics_tz_period *p;
	ck_assert_int_eq(ics_tz_period_build("America/Toronto", 2026, 2026, &p, NULL), ERR_OK);
	ck_assert(p->rrule);
	ck_assert_ptr_nonnull(strstr(p->vtimezone, "BEGIN:STANDARD\r\nDTSTART:20251102T020000\r\nTZOFFSETFROM:-0400\r\n"
						   "TZOFFSETTO:-0500\r\nTZNAME:EST\r\n"
						   "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r\nEND:STANDARD\r\n"));
	ck_assert_ptr_nonnull(strstr(p->vtimezone, "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r\n"));
	ck_assert_ptr_null(strstr(p->vtimezone, "freeassociation"));
	ics_tz_period_free(p);
	ck_assert_int_eq(ics_tz_period_build("America/Toronto", 2006, 2007, &p, NULL), ERR_OK);
	ck_assert(!p->rrule);
	ck_assert_ptr_nonnull(strstr(p->vtimezone, "RDATE:20070311T020000\r\n"));
	ics_tz_period_free(p);
	ck_assert_int_eq(ics_tz_period_build("Europe/London", 2026, 2027, &p, NULL), ERR_OK);
	ck_assert_ptr_nonnull(strstr(p->vtimezone, "BYDAY=-1SU"));
	ics_tz_period_free(p);
	ck_assert_int_eq(ics_tz_period_build("UTC", 2026, 2026, &p, NULL), ERR_OK);
	ck_assert_ptr_nonnull(strstr(p->vtimezone, "TZOFFSETFROM:+0000\r\nTZOFFSETTO:+0000\r\n"));
	ics_tz_period_free(p);
	/* Jerusalem's rule ("M3.4.4/26") is not expressible with BYDAY: RDATEs */
	ck_assert_int_eq(ics_tz_period_build("Asia/Jerusalem", 2026, 2026, &p, NULL), ERR_OK);
	ck_assert(!p->rrule);
	ics_tz_period_free(p);
	struct errinfo ei = {0};
	ck_assert_int_eq(ics_tz_period_build("America/Toronto", 2000, 2040, &p, &ei), ERR_TOO_LARGE);
	ck_assert_int_eq(ics_tz_period_build("America/Toronto", 2027, 2026, &p, &ei), ERR_INVALID);
	ck_assert_int_eq(ics_tz_period_build("right/UTC", 2026, 2026, &p, &ei) != ERR_OK, 1);
	ck_assert_int_eq(ics_tz_period_build("America", 2026, 2026, &p, &ei), ERR_NOT_FOUND);
}
END_TEST

START_TEST(tzid_names)
{
	ck_assert(ics_tzid_valid("America/Argentina/Buenos_Aires"));
	ck_assert(ics_tzid_valid("Etc/GMT+5"));
	ck_assert(ics_tzid_valid("UTC"));
	ck_assert(!ics_tzid_valid("/etc/passwd"));
	ck_assert(!ics_tzid_valid("America/../../x"));
	ck_assert(!ics_tzid_valid("America//Toronto"));
	ck_assert(!ics_tzid_valid("America/"));
	ck_assert(!ics_tzid_valid(""));
	ck_assert(!ics_tzid_valid(NULL));
	ck_assert(!ics_tzid_valid("Amer ica"));
}
END_TEST

/* Wall clock "YYYY-MM-DDTHH:MM" as local seconds (fields counted as if UTC). */
static int64_t wall(const char *s)
{
	char z[32];
	snprintf(z, sizeof z, "%s:00Z", s);
	return iso(z);
}

START_TEST(local_to_utc_rfc5545)
{
	const struct ics_tz_period *p;
	struct ics_tz_period *owned;
	ck_assert_int_eq(ics_tz_period_get("America/Toronto", 2026, 2026, &p, &owned, NULL), ERR_OK);
	ck_assert_ptr_null(owned);
	enum ics_local_kind k;
	ck_assert_int_eq(ics_tz_local_to_utc(p, wall("2026-03-08T01:59"), &k), iso("2026-03-08T06:59:00Z"));
	ck_assert_int_eq(k, ICS_LOCAL_UNIQUE);
	ck_assert_int_eq(ics_tz_local_to_utc(p, wall("2026-03-08T02:30"), &k), iso("2026-03-08T07:30:00Z"));
	ck_assert_int_eq(k, ICS_LOCAL_SKIPPED);
	ck_assert_int_eq(ics_tz_local_to_utc(p, wall("2026-03-08T03:00"), &k), iso("2026-03-08T07:00:00Z"));
	ck_assert_int_eq(k, ICS_LOCAL_UNIQUE);
	ck_assert_int_eq(ics_tz_local_to_utc(p, wall("2026-11-01T00:59"), &k), iso("2026-11-01T04:59:00Z"));
	ck_assert_int_eq(k, ICS_LOCAL_UNIQUE);
	ck_assert_int_eq(ics_tz_local_to_utc(p, wall("2026-11-01T01:30"), &k), iso("2026-11-01T05:30:00Z"));
	ck_assert_int_eq(k, ICS_LOCAL_REPEATED);
	ck_assert_int_eq(ics_tz_local_to_utc(p, wall("2026-11-01T02:00"), &k), iso("2026-11-01T07:00:00Z"));
	ck_assert_int_eq(k, ICS_LOCAL_UNIQUE);
	ck_assert_int_eq(ics_tz_local_to_utc(p, wall("2026-01-01T00:00"), &k), iso("2026-01-01T05:00:00Z"));
	ck_assert_int_eq(ics_tz_local_to_utc(p, wall("2026-12-31T23:00"), &k), iso("2027-01-01T04:00:00Z"));
	ck_assert_int_eq(ics_tz_offset_at(p, iso("2026-07-01T00:00:00Z")), -4 * 3600);
	ck_assert_int_eq(ics_tz_offset_at(p, iso("2026-03-08T06:59:59Z")), -5 * 3600);
	ck_assert_int_eq(ics_tz_offset_at(p, iso("2026-03-08T07:00:00Z")), -4 * 3600);
}
END_TEST

START_TEST(cache_is_shared)
{
	ics_tz_cache_clear();
	const struct ics_tz_period *a, *b;
	struct ics_tz_period *oa, *ob;
	ck_assert_int_eq(ics_tz_period_get("Australia/Sydney", 2026, 2027, &a, &oa, NULL), ERR_OK);
	ck_assert_int_eq(ics_tz_period_get("Australia/Sydney", 2026, 2027, &b, &ob, NULL), ERR_OK);
	ck_assert_ptr_eq(a, b);
	ck_assert_uint_eq(ics_tz_cache_size(), 1);
	ics_tz_cache_clear();
	ck_assert_uint_eq(ics_tz_cache_size(), 0);
}
END_TEST

struct thread_arg {
	const char *want;
	size_t want_len;
	int ok;
};

static void *render_thread(void *p)
{
	struct thread_arg *a = p;
	struct gcase g;
	case_build(5, &g);
	a->ok = 1;
	for (int i = 0; i < 40; i++) {
		struct buf out;
		buf_init(&out, 0);
		if (ics_feed_render(&g.cal, g.ev, g.n, &out, NULL) != ERR_OK || out.len != a->want_len ||
		    memcmp(out.data, a->want, out.len) != 0)
			a->ok = 0;
		buf_fini(&out);
	}
	return NULL;
}

START_TEST(concurrent_renders_agree)
{
	struct gcase g;
	case_build(5, &g);
	struct buf want;
	buf_init(&want, 0);
	render_ok(&g, &want);
	ics_tz_cache_clear(); /* every thread races to build the same period */
	pthread_t th[8];
	struct thread_arg args[8];
	for (int i = 0; i < 8; i++) {
		args[i] = (struct thread_arg){want.data, want.len, 0};
		ck_assert_int_eq(pthread_create(&th[i], NULL, render_thread, &args[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		ck_assert(args[i].ok);
	}
	ck_assert_uint_eq(ics_tz_cache_size(), 1);
	buf_fini(&want);
	ics_tz_cache_clear();
}
END_TEST

/* Our VTIMEZONE, read back by libical, must give the offsets glibc gives from the tz
 * database over the covered years (years in the TZif table and years past it, where the
 * footer rule applies). */
static const char *const zones[] = {
	"America/Toronto", "America/Los_Angeles", "America/St_Johns", "America/Sao_Paulo", "America/Santiago",
	"America/Nuuk", "America/Havana", "Europe/London", "Europe/Dublin", "Europe/Berlin", "Africa/Casablanca",
	"Africa/Cairo", "Asia/Jerusalem", "Asia/Tehran", "Asia/Kolkata", "Asia/Kathmandu", "Asia/Tokyo",
	"Australia/Sydney", "Australia/Lord_Howe", "Australia/Adelaide", "Pacific/Auckland", "Pacific/Chatham",
	"Pacific/Apia", "UTC",
};

static int32_t libc_offset(const char *tz, time_t t)
{
	struct tm tm;
	localtime_r(&t, &tm);
	(void)tz;
	return (int32_t)tm.tm_gmtoff;
}

START_TEST(vtimezone_offsets_match_tz_database)
{
	const char *zone = zones[_i];
	static const int spans[][2] = {{2025, 2027}, {2039, 2040}};
	setenv("TZ", zone, 1);
	tzset();
	for (size_t s = 0; s < sizeof spans / sizeof spans[0]; s++) {
		int y0 = spans[s][0], y1 = spans[s][1];
		struct ics_tz_period *p;
		struct errinfo ei = {0};
		ck_assert_msg(ics_tz_period_build(zone, y0, y1, &p, &ei) == ERR_OK, "%s: %s", zone, ei.message);
		size_t cap = p->vtimezone_len + 128;
		char *cal = malloc(cap);
		snprintf(cal, cap, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:t\r\n%sEND:VCALENDAR\r\n", p->vtimezone);
		ck_assert_int_eq(ics_lint_check(cal, strlen(cal), NULL, &ei), ERR_OK);
		icalcomponent *root = icalparser_parse_string(cal);
		ck_assert_ptr_nonnull(root);
		ck_assert_int_eq(xlic_errors(root, 0), 0);
		icaltimezone *lz = icalcomponent_get_timezone(root, zone);
		ck_assert_ptr_nonnull(lz);
		struct tm tm0 = {.tm_year = y0 - 1900, .tm_mon = 0, .tm_mday = 1};
		struct tm tm1 = {.tm_year = y1 + 1 - 1900, .tm_mon = 0, .tm_mday = 1};
		time_t t0 = timegm(&tm0), t1 = timegm(&tm1);
		/* offsets are piecewise constant: every 6 hours, plus both sides of every change */
		size_t nsamples = (size_t)((t1 - t0) / 21600) + 2 * p->nsteps;
		time_t *samples = malloc(nsamples * sizeof *samples);
		size_t ns = 0;
		for (time_t t = t0; t < t1; t += 21600)
			samples[ns++] = t;
		for (size_t k = 0; k < p->nsteps; k++)
			if (p->steps[k].at >= t0 && p->steps[k].at < t1) {
				samples[ns++] = (time_t)p->steps[k].at - 1;
				samples[ns++] = (time_t)p->steps[k].at;
			}
		for (size_t si = 0; si < ns; si++) {
			time_t t = samples[si];
			int32_t want = libc_offset(zone, t);
			ck_assert_msg(ics_tz_offset_at(p, t) == want, "%s at %lld: steps say %d, libc %d", zone,
				      (long long)t, ics_tz_offset_at(p, t), want);
			struct icaltimetype it = icaltime_from_timet_with_zone(t, 0, icaltimezone_get_utc_timezone());
			int dst = 0;
			int got = icaltimezone_get_utc_offset_of_utc_time(lz, &it, &dst);
			ck_assert_msg(got == want, "%s at %lld: libical reads our VTIMEZONE as %d, tz database says %d",
				      zone, (long long)t, got, want);
			/* and the wall clock maps back, except where it is skipped or repeated */
			enum ics_local_kind k;
			int64_t back = ics_tz_local_to_utc(p, (int64_t)t + want, &k);
			if (k == ICS_LOCAL_UNIQUE)
				ck_assert_msg(back == t, "%s: wall clock of %lld maps back to %lld", zone, (long long)t,
					      (long long)back);
		}
		free(samples);
		icalcomponent_free(root);
		free(cal);
		ics_tz_period_free(p);
	}
}
END_TEST

START_TEST(tzif_parser_survives_truncation_and_damage)
{
	const char *dir = getenv("TZDIR") ? getenv("TZDIR") : "/usr/share/zoneinfo";
	char path[512];
	snprintf(path, sizeof path, "%s/America/Toronto", dir);
	size_t len = 0;
	unsigned char *data = (unsigned char *)test_read_file(path, &len);
	ck_assert_ptr_nonnull(data);
	struct ics_tzdb_zone *z = malloc(sizeof *z);
	ck_assert_int_eq(ics_tzdb_parse(data, len, z, NULL), ERR_OK);
	ck_assert(z->has_rule && z->rule_dst);
	ics_tzdb_zone_fini(z);
	for (size_t n = 0; n < len; n++) { /* every truncation: an error or a usable zone, never a crash */
		if (ics_tzdb_parse(data, n, z, NULL) == ERR_OK)
			ics_tzdb_zone_fini(z);
	}
	unsigned char *copy = malloc(len);
	for (size_t i = 0; i < len; i += 7) { /* flip bytes one at a time */
		memcpy(copy, data, len);
		copy[i] ^= 0xA5;
		if (ics_tzdb_parse(copy, len, z, NULL) == ERR_OK) {
			(void)ics_tzdb_type_at(z, 1800000000);
			struct ics_tz_trans *tr;
			size_t k = ics_tzdb_range(z, 1750000000, 1850000000, &tr);
			ck_assert_uint_lt(k, 1000);
			free(tr);
			ics_tzdb_zone_fini(z);
		}
	}
	free(copy);
	free(z);
	free(data);
}
END_TEST

START_TEST(tzdir_override)
{
	setenv("TZDIR", "/nonexistent-tz-dir", 1);
	struct ics_tzdb_zone *z = malloc(sizeof *z);
	ck_assert_int_eq(ics_tzdb_load("America/Toronto", z, NULL), ERR_NOT_FOUND);
	free(z);
	unsetenv("TZDIR");
}
END_TEST

/* ---------- a realistic year ---------- */

START_TEST(year_feed_250_events)
{
	static struct ics_event ev[250];
	static char uids[250][40], descr[250][80];
	struct ics_calendar cal = calendar("Dr. Jane Smith — radsched", "America/Toronto", 2026);
	setenv("TZ", "America/Toronto", 1);
	tzset();
	for (int i = 0; i < 250; i++) {
		int64_t day = iso("2026-01-01T00:00:00Z") / 86400 + (i * 365) / 250;
		time_t t = (time_t)(day * 86400);
		struct tm d;
		gmtime_r(&t, &d);
		snprintf(uids[i], sizeof uids[i], "asg-%08x@radsched", 0x1000 + i);
		snprintf(descr[i], sizeof descr[i], "Reading room %d; bring badge, pager", i % 7);
		int night = i % 5 == 0;
		struct ics_local s = lt(d.tm_year + 1900, d.tm_mon + 1, d.tm_mday, night ? 22 : 8, 0);
		time_t te = t + 86400 * night;
		struct tm d2;
		gmtime_r(&te, &d2);
		struct ics_local e = lt(d2.tm_year + 1900, d2.tm_mon + 1, d2.tm_mday, night ? 8 : 16, 0);
		struct tm ls = {.tm_year = s.year - 1900, .tm_mon = s.month - 1, .tm_mday = s.day, .tm_hour = s.hour,
				.tm_isdst = -1};
		struct tm le = {.tm_year = e.year - 1900, .tm_mon = e.month - 1, .tm_mday = e.day, .tm_hour = e.hour,
				.tm_isdst = -1};
		ev[i] = (struct ics_event){0};
		ev[i].uid = uids[i];
		ev[i].fields = (struct ics_summary_fields){night ? "NIGHT" : "DAY", NULL, "Body", "JS", NULL, {0}};
		ev[i].description = descr[i];
		ev[i].url = URL_BASE "x";
		ev[i].all_day = i % 11 == 0;
		if (ev[i].all_day) {
			e = s;
			time_t tn = t + 86400;
			gmtime_r(&tn, &d2);
			e = lt(d2.tm_year + 1900, d2.tm_mon + 1, d2.tm_mday, 0, 0);
		}
		ev[i].start = s;
		ev[i].end = e;
		ev[i].start_utc = mktime(&ls);
		ev[i].end_utc = mktime(&le);
		ev[i].transparent = ev[i].all_day;
		ev[i].sequence = (uint32_t)(i % 3);
		ev[i].dtstamp = ev[i].last_modified = iso(STAMP);
	}
	struct buf out;
	buf_init(&out, 4 << 20);
	struct errinfo ei = {0};
	ck_assert_msg(ics_feed_render(&cal, ev, 250, &out, &ei) == ERR_OK, "%s", ei.message);
	struct ics_lint_stats st;
	ck_assert_int_eq(ics_lint_check(out.data, out.len, &st, &ei), ERR_OK);
	ck_assert_uint_eq(st.components, 1 + 1 + 2 + 250);
	icalcomponent *root = icalparser_parse_string(out.data);
	ck_assert_int_eq(xlic_errors(root, 0), 0);
	ck_assert_int_eq(icalcomponent_count_components(root, ICAL_VEVENT_COMPONENT), 250);
	icalcomponent_free(root);
	buf_fini(&out);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("ics");
	TCase *tc = tcase_create("golden");
	tcase_add_loop_test(tc, golden_feed, 0, NCASES);
	tcase_add_test(tc, golden_expected_json);
	tcase_add_test(tc, removed_assignment_disappears);
	tcase_add_test(tc, dst_nights_have_right_length);
	suite_add_tcase(s, tc);

	tc = tcase_create("render");
	tcase_add_test(tc, summary_default_and_placeholders);
	tcase_add_test(tc, text_escaping_and_folding_round_trip);
	tcase_add_test(tc, invalid_utf8_is_replaced);
	tcase_add_test(tc, header_properties);
	tcase_add_test(tc, render_errors_leave_output_unchanged);
	tcase_add_test(tc, tz_mismatch_falls_back_to_utc);
	tcase_add_test(tc, per_event_zones_get_one_vtimezone_each);
	tcase_add_test(tc, year_feed_250_events);
	suite_add_tcase(s, tc);

	tc = tcase_create("lint");
	tcase_add_test(tc, lint_accepts_and_rejects);
	suite_add_tcase(s, tc);

	tc = tcase_create("tz");
	tcase_add_test(tc, vtimezone_forms);
	tcase_add_test(tc, tzid_names);
	tcase_add_test(tc, local_to_utc_rfc5545);
	tcase_add_test(tc, cache_is_shared);
	tcase_add_test(tc, concurrent_renders_agree);
	tcase_add_loop_test(tc, vtimezone_offsets_match_tz_database, 0, (int)(sizeof zones / sizeof zones[0]));
	tcase_add_test(tc, tzif_parser_survives_truncation_and_damage);
	tcase_add_test(tc, tzdir_override);
	suite_add_tcase(s, tc);
	return s;
}
