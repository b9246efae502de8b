/* feeds_render.c — a feed's bytes from the database (feeds_render, see feeds.h).
 *
 * One round trip after BEGIN: the feed's state and window (header) and its events, two
 * statements prepared once per connection and sent together; the transaction is a
 * snapshot one (db_ctx.snapshot), so both see the same data and a cache key never claims
 * newer data than the bytes. The window (view feed_window_now, migration 0010) is plain
 * SQL over generated columns of the config; the config's feed part (feed_config) travels
 * only when this process has not parsed that version yet. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/crypto_hash.h"
#include "domain/feeds.h"
#include "domain/feeds_config.h"
#include "ics/ics_feed.h"
#include "ics/ics_time.h"
#include "ics/ics_tz.h"

static const char uid_label[] = "radsched-ics-uid/v1";

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- statements ---------------------------------------------------------------------- */

/* The header: state, window and when the window last moved over one of the feed's events.
 * An event of day d leaves at the midnight starting d + back + 1 (left_at, for the latest
 * event before the window) and enters at the first midnight t with t + ahead months > d
 * (entered_at, for the latest event in the window; when d is the last day of its month
 * that is (d + 1) - ahead months, else (d - ahead months) + 1, because adding months clamps
 * to the month's end). The moves count as changes of the feed (Last-Modified). */
#define HEADER_COLS                                                                                                \
	"SELECT w.tenant_id::text AS tenant, w.cv, w.tenant_name, w.tz, w.tenant_ok, w.ws, w.we,"                    \
	" CASE WHEN w.cv <> $2::int THEN w.feed_config END AS doc,"                                               \
	" extract(epoch FROM date_trunc('second', coalesce(s.changed_at, w.created_at)))::bigint AS changed_at,"       \
	" coalesce(s.version, 0) AS version, coalesce(f.generation, 0) AS generation,"                               \
	" extract(epoch FROM ((w.today + 1)::timestamp AT TIME ZONE w.tz))::bigint AS next_midnight,"                \
	" extract(epoch FROM ((d.before + w.back + 1)::timestamp AT TIME ZONE w.tz))::bigint AS left_at,"             \
	" extract(epoch FROM ((CASE WHEN extract(day FROM d.last + 1) = 1"                                           \
	"   THEN (d.last + 1 - make_interval(months => w.ahead))::date"                                              \
	"   ELSE (d.last - make_interval(months => w.ahead))::date + 1 END)::timestamp AT TIME ZONE w.tz))::bigint"   \
	"   AS entered_at,"                                                                                           \
	" current_setting('transaction_isolation') AS isolation"
#define HEADER_FROM(FILTER)                                                                                        \
	" FROM feed_window_now w"                                                                                    \
	" LEFT JOIN feed_state s ON s.tenant_id = w.tenant_id AND s.feed_key = $1"                                   \
	" LEFT JOIN feed_tokens f ON f.tenant_id = w.tenant_id AND f.feed_key = $1"                                  \
	" CROSS JOIN LATERAL (SELECT"                                                                                \
	"  (SELECT max(p.day) FROM published_events p WHERE " FILTER " p.day < w.ws) AS before,"                      \
	"  (SELECT max(p.day) FROM published_events p WHERE " FILTER " p.day >= w.ws AND p.day < w.we) AS last"       \
	"  OFFSET 0) d"

/* $1 the person's id, $2 the config version this process has parsed (-1: none) */
static const struct db_stmt header_user = {
	"feeds_header_user",
	HEADER_COLS ", u.name AS user_name, u.short_name AS user_short, u.active AS user_active"
	HEADER_FROM("p.user_id = $1::uuid AND") " LEFT JOIN users u ON u.tenant_id = w.tenant_id AND u.id = $1::uuid"};
/* $1 'master', $2 as above */
static const struct db_stmt header_master = {"feeds_header_master", HEADER_COLS HEADER_FROM("")};

/* The events in feed order: instants as Unix seconds (the renderer turns them into wall
 * clocks with the VTIMEZONE it writes), all-day events' days as days since 1970-01-01. */
#define EVENT_COLS                                                                                                 \
	"SELECT pe.assignment_id::text AS aid, pe.shift_code, pe.all_day,"                                           \
	" CASE WHEN pe.all_day THEN pe.day - date '1970-01-01' END AS day_n,"                                        \
	" floor(date_part('epoch', pe.start_at))::bigint AS s_utc, floor(date_part('epoch', pe.end_at))::bigint AS e_utc," \
	" pe.sequence, floor(date_part('epoch', pe.last_modified))::bigint AS lm"
/* $1 the person's id, $2 the row limit */
static const struct db_stmt events_user = {
	"feeds_events_user",
	EVENT_COLS " FROM feed_window_now w"
	" JOIN published_events pe ON pe.user_id = $1::uuid AND pe.day >= w.ws AND pe.day < w.we"
	" ORDER BY pe.day, pe.start_at NULLS FIRST, pe.shift_code, pe.assignment_id LIMIT $2::int"};
/* $1 the row limit */
static const struct db_stmt events_master = {
	"feeds_events_master",
	EVENT_COLS ", u.name AS p_name, u.short_name AS p_short FROM feed_window_now w"
	" JOIN published_events pe ON pe.day >= w.ws AND pe.day < w.we"
	" JOIN users u ON u.tenant_id = pe.tenant_id AND u.id = pe.user_id"
	" ORDER BY pe.day, pe.start_at NULLS FIRST, pe.shift_code, u.name, pe.assignment_id LIMIT $1::int"};

/* ---- rows to events ------------------------------------------------------------------ */

static bool same_str(const char *x, const char *y) { return x == y || (x && y && !strcmp(x, y)); }

/* Short name, else the initials of the name (first character of each word). */
static const char *short_of(struct arena *a, const char *shrt, const char *name)
{
	if (shrt && *shrt)
		return shrt;
	if (!name)
		return "";
	char out[64];
	size_t n = 0;
	bool start = true;
	for (const unsigned char *p = (const unsigned char *)name; *p && n + 5 < sizeof out; p++) {
		if (*p == ' ' || *p == '\t' || *p == '-') {
			start = true;
			continue;
		}
		if (start) {
			size_t cl = *p < 0x80 ? 1 : (*p >> 5) == 6 ? 2 : (*p >> 4) == 14 ? 3 : (*p >> 3) == 30 ? 4 : 1;
			for (size_t k = 0; k < cl && p[k]; k++)
				out[n++] = (char)(k == 0 && *p >= 'a' && *p <= 'z' ? *p - 32 : p[k]);
			p += cl - 1;
			start = false;
		}
	}
	out[n] = 0;
	return arena_strdup(a, out);
}

/* Wall clock of instant t in the zone: the offset from the same tz data the VTIMEZONE is
 * written from, so every client turns it back into t. */
static struct ics_local local_of(const struct ics_tz_period *p, int64_t t)
{
	int64_t l = t + ics_tz_offset_at(p, t), days = ics_floor_days(l), secs = l - days * ICS_SECS_PER_DAY, y;
	int m, d;
	ics_civil_from_days(days, &y, &m, &d);
	return (struct ics_local){(int)y, m, d, (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60)};
}

static struct ics_local day_of(int64_t days)
{
	int64_t y;
	int m, d;
	ics_civil_from_days(days, &y, &m, &d);
	return (struct ics_local){(int)y, m, d, 0, 0, 0};
}

static bool parse_date(const char *s, struct ics_date *d)
{
	return s && sscanf(s, "%d-%d-%d", &d->year, &d->month, &d->day) == 3;
}

static void period_free_cb(void *p) { ics_tz_period_free(p); }

static void uid_of(struct arena *a, const char *tenant, const char *aid, const char **out)
{
	struct crypto_part parts[] = {{uid_label, sizeof uid_label}, {tenant, strlen(tenant) + 1}, {aid, strlen(aid)}};
	unsigned char h[CRYPTO_SHA256_LEN];
	crypto_sha256_parts(parts, 3, h);
	char hex[33];
	crypto_hex_encode(hex, h, 16);
	*out = ARENA_CONCAT(a, hex, "@radsched");
}

/* What every event of the feed shares. */
struct feed_common {
	const char *tenant, *base_url, *dept;
	const struct feed_config *cfg;
	const struct ics_tz_period *zone;
	const char *user_name, *user_short; /* a person's feed: from the header */
};

static void build_events(struct arena *a, const struct feed_common *fc, const struct db_res *r, struct ics_event *ev,
			 int n)
{
	int c_aid = db_res_col(r, "aid"), c_code = db_res_col(r, "shift_code"), c_allday = db_res_col(r, "all_day"),
	    c_su = db_res_col(r, "s_utc"), c_eu = db_res_col(r, "e_utc"), c_day = db_res_col(r, "day_n"),
	    c_seq = db_res_col(r, "sequence"), c_lm = db_res_col(r, "lm"), c_name = db_res_col(r, "p_name"),
	    c_short = db_res_col(r, "p_short");
	const char *prev_name = NULL, *prev_in = NULL, *prev_short = NULL;
	for (int i = 0; i < n; i++) {
		struct ics_event *x = &ev[i];
		const char *aid = db_res_get(r, i, c_aid);
		const char *code = db_res_get(r, i, c_code);
		const char *pname = c_name >= 0 ? db_res_get(r, i, c_name) : fc->user_name;
		const char *shrt = c_short >= 0 ? db_res_get(r, i, c_short) : fc->user_short;
		const struct feed_shift *sh = feeds_config_shift(fc->cfg, code);
		uid_of(a, fc->tenant, aid, &x->uid);
		x->fields.shift_code = code;
		x->fields.shift_name = sh ? sh->name : code;
		x->fields.subspecialty = sh ? sh->subspecialty : "";
		if (i == 0 || !same_str(pname, prev_name) || !same_str(shrt, prev_in)) {
			prev_short = short_of(a, shrt, pname); /* a person's feed: once */
			prev_name = pname;
			prev_in = shrt;
		}
		x->fields.user_short = prev_short;
		x->fields.user_name = pname;
		x->transparent = sh && sh->transparent;
		x->all_day = db_res_get(r, i, c_allday)[0] == 't';
		x->description = ARENA_CONCAT(a, sh ? sh->name : code, " (", code, ")\n", pname ? pname : "", "\n", fc->dept);
		x->url = ARENA_CONCAT(a, fc->base_url, "/assignments/", aid);
		if (x->all_day) {
			int64_t dn = strtoll(db_res_get(r, i, c_day), NULL, 10);
			x->start = day_of(dn);
			x->end = day_of(dn + 1);
		} else {
			x->start_utc = strtoll(db_res_get(r, i, c_su), NULL, 10);
			x->end_utc = strtoll(db_res_get(r, i, c_eu), NULL, 10);
			x->start = local_of(fc->zone, x->start_utc);
			x->end = local_of(fc->zone, x->end_utc);
		}
		x->sequence = (uint32_t)strtoul(db_res_get(r, i, c_seq), NULL, 10);
		x->last_modified = x->dtstamp = strtoll(db_res_get(r, i, c_lm), NULL, 10);
	}
}

/* ---- the feed ------------------------------------------------------------------------ */

/* The header and the events of feed_key in one round trip. */
static enum err fetch(struct db *db, struct arena *a, const char *feed_key, bool master, struct db_res **head,
		      struct db_res **events, struct errinfo *ei)
{
	char limit[16], have[16];
	snprintf(limit, sizeof limit, "%d", ICS_FEED_MAX_EVENTS + 1);
	snprintf(have, sizeof have, "%d", feeds_config_cached_version(db_tenant(db)));
	const char *hp[] = {feed_key, have}, *ep[] = {feed_key, limit};
	struct db_call calls[] = {
		{master ? &header_master : &header_user, 2, hp, head},
		master ? (struct db_call){&events_master, 1, ep + 1, events} : (struct db_call){&events_user, 2, ep, events},
	};
	return db_exec_batch(db, a, calls, 2, ei);
}

enum err feeds_render(struct db *db, struct arena *a, const char *base_url, const char *feed_key, struct buf *out,
		      struct feed_rendered *meta, struct errinfo *ei)
{
	if (!feeds_key_ok(feed_key))
		return err_set(ei, ERR_INVALID, "feed", "a feed is 'master' or a person's id");
	bool master = !strcmp(feed_key, FEED_MASTER);
	struct db_res *h = NULL, *r = NULL;
	int64_t t0 = mono_ns();
	enum err e = fetch(db, a, feed_key, master, &h, &r, ei);
	if (e)
		return e;
	int64_t t1 = mono_ns();
	if (db_res_rows(h) != 1)
		return err_set(ei, ERR_NOT_FOUND, "", "no tenant in the transaction");
	if (strcmp(db_res_val(h, 0, "isolation"), "repeatable read"))
		return err_set(ei, ERR_INTERNAL, "", "feeds_render needs a snapshot transaction (db_ctx.snapshot)");
	if (!master && !db_res_val(h, 0, "user_name"))
		return err_set(ei, ERR_NOT_FOUND, "feed", "no such person in this department");
	const char *tenant = db_res_val(h, 0, "tenant"), *doc = db_res_val(h, 0, "doc");
	int cv = (int)db_res_ll(h, 0, "cv", 0);
	const struct feed_config *cfg;
	if ((e = doc ? feeds_config_adopt(a, tenant, cv, doc, &cfg, ei) : feeds_config_get(db, a, tenant, cv, &cfg, ei)))
		return e;

	memset(meta, 0, sizeof *meta);
	struct feed_ref *ref = &meta->ref;
	snprintf(ref->tenant_id, sizeof ref->tenant_id, "%s", tenant);
	snprintf(ref->feed_key, sizeof ref->feed_key, "%s", feed_key);
	ref->generation = (int)db_res_ll(h, 0, "generation", 0);
	ref->version = db_res_ll(h, 0, "version", 0);
	ref->changed_at = db_res_ll(h, 0, "changed_at", 0);
	ref->config_version = cv;
	ref->available = db_res_bool(h, 0, "tenant_ok") && (master || db_res_bool(h, 0, "user_active"));
	meta->expires_at = db_res_ll(h, 0, "next_midnight", 0);
	int64_t lm = ref->changed_at, left = db_res_ll(h, 0, "left_at", 0), entered = db_res_ll(h, 0, "entered_at", 0);
	lm = left > lm ? left : lm;
	lm = entered > lm ? entered : lm;

	struct feed_common fc = {.tenant = tenant, .base_url = base_url, .cfg = cfg,
				 .dept = cfg->department ? cfg->department : db_res_val(h, 0, "tenant_name"),
				 .user_name = db_res_val(h, 0, "user_name"), .user_short = db_res_val(h, 0, "user_short")};
	struct ics_calendar cal = {.tzid = db_res_val(h, 0, "tz"), .summary_format = cfg->summary_format,
				   .refresh_seconds = cfg->refresh_seconds};
	cal.name = master ? ARENA_CONCAT(a, fc.dept, " \xE2\x80\x94 all shifts")
			  : ARENA_CONCAT(a, fc.user_name, " \xE2\x80\x94 ", fc.dept);
	if (!parse_date(db_res_val(h, 0, "ws"), &cal.window_start) || !parse_date(db_res_val(h, 0, "we"), &cal.window_end))
		return err_set(ei, ERR_INTERNAL, "", "feed window unreadable");

	int n = db_res_rows(r);
	if (n > ICS_FEED_MAX_EVENTS)
		return err_set(ei, ERR_TOO_LARGE, "", "the feed would hold more than %d events", ICS_FEED_MAX_EVENTS);
	struct ics_event *ev = n ? arena_try_alloc(a, (size_t)n * sizeof *ev) : NULL;
	if (n && !ev)
		return err_set(ei, ERR_TOO_LARGE, "", "feed too large for the request");
	/* the zone over the window (and a year more, for a night that ends after it) */
	struct ics_tz_period *owned = NULL;
	if (n && (e = ics_tz_period_get(cal.tzid, cal.window_start.year, cal.window_end.year + 1, &fc.zone, &owned, ei)))
		return e;
	if (owned)
		arena_defer(a, period_free_cb, owned);
	build_events(a, &fc, r, ev, n);
	int64_t t2 = mono_ns();
	if ((e = ics_feed_render(&cal, ev, (size_t)n, out, ei)))
		return e;
	meta->fetch_ns = t1 - t0;
	meta->build_ns = t2 - t1;
	meta->render_ns = mono_ns() - t2;
	meta->last_modified = lm;
	meta->events = (size_t)n;
	return ERR_OK;
}
