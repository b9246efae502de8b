/* feeds.c — feed tokens, links, rotation, resolution and rendering (see feeds.h). */
#include "domain/feeds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "base/strutil.h"
#include "crypto/crypto_hash.h"
#include "crypto/crypto_kdf.h"
#include "crypto/crypto_random.h"
#include "domain/feeds_config.h"
#include "ics/ics_feed.h"
#include "ics/ics_time.h"
#include "ics/ics_tz.h"

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static const char token_label[] = "radsched-ics-token/v1";
static const char uid_label[] = "radsched-ics-uid/v1";

/* ---- tokens -------------------------------------------------------------------------- */

bool feeds_key_ok(const char *feed_key)
{
	return feed_key && (!strcmp(feed_key, FEED_MASTER) || str_is_uuid(feed_key));
}

enum err feeds_token_derive(const char *secret, const char *tenant_id, const char *feed_key, int generation,
			    char out[FEED_TOKEN_SIZE])
{
	if (!secret || !tenant_id || !str_is_uuid(tenant_id) || !feeds_key_ok(feed_key) || generation < 1)
		return ERR_INVALID;
	unsigned char key[CRYPTO_DERIVED_KEY_LEN];
	enum err e = crypto_key_derive(secret, strlen(secret), "ics", key);
	if (e)
		return e;
	char gen[16];
	int gl = snprintf(gen, sizeof gen, "%d", generation);
	struct crypto_part parts[] = {
		{token_label, sizeof token_label}, /* the NUL separates the fields */
		{tenant_id, strlen(tenant_id) + 1},
		{feed_key, strlen(feed_key) + 1},
		{gen, (size_t)gl},
	};
	unsigned char mac[CRYPTO_SHA256_LEN];
	crypto_hmac_sha256_parts(key, sizeof key, parts, sizeof parts / sizeof parts[0], mac);
	crypto_b64url_encode(out, mac, FEED_TOKEN_BYTES);
	memset(key, 0, sizeof key);
	memset(mac, 0, sizeof mac);
	return ERR_OK;
}

bool feeds_token_shape_ok(const char *s, size_t len)
{
	if (len != FEED_TOKEN_LEN)
		return false;
	unsigned char raw[FEED_TOKEN_BYTES + 4];
	size_t n = 0;
	return crypto_b64url_decode(s, len, raw, sizeof raw, &n) == ERR_OK && n == FEED_TOKEN_BYTES;
}

enum err feeds_link_format(const char *base_url, const char *token, struct feed_link *out)
{
	const char *rest;
	if (str_starts_with(base_url, "https://"))
		rest = base_url + 8;
	else if (str_starts_with(base_url, "http://"))
		rest = base_url + 7;
	else
		return ERR_INVALID;
	size_t bl = strlen(base_url);
	while (bl > 0 && base_url[bl - 1] == '/')
		bl--;
	size_t rl = bl - (size_t)(rest - base_url);
	int n1 = snprintf(out->https, sizeof out->https, "%.*s/ics/%s.ics", (int)bl, base_url, token);
	int n2 = snprintf(out->webcal, sizeof out->webcal, "webcal://%.*s/ics/%s.ics", (int)rl, rest, token);
	if (n1 < 0 || n2 < 0 || (size_t)n1 >= sizeof out->https || (size_t)n2 >= sizeof out->webcal)
		return ERR_TOO_LARGE;
	return ERR_OK;
}

/* ---- links and rotation -------------------------------------------------------------- */

static enum err tenant_of_tx(struct db *db, struct arena *a, char out[37], struct errinfo *ei)
{
	struct db_res *r;
	enum err e = DB_EXEC0(db, a, &r, ei, "SELECT app_tenant()::text AS t");
	if (e)
		return e;
	const char *t = db_res_val(r, 0, "t");
	if (!t)
		return err_set(ei, ERR_INTERNAL, "", "feeds: no tenant in the transaction");
	snprintf(out, 37, "%s", t);
	return ERR_OK;
}

/* A person's feed needs the person in this tenant. */
static enum err key_exists(struct db *db, struct arena *a, const char *feed_key, struct errinfo *ei)
{
	if (!feeds_key_ok(feed_key))
		return err_set(ei, ERR_INVALID, "feed", "a feed is 'master' or a person's id");
	if (!strcmp(feed_key, FEED_MASTER))
		return ERR_OK;
	struct db_res *r;
	enum err e = DB_EXEC(db, a, &r, ei, "SELECT 1 FROM users WHERE id = $1::uuid", feed_key);
	if (!e && db_res_rows(r) != 1)
		e = err_set(ei, ERR_NOT_FOUND, "user", "no such person in this department");
	return e;
}

static enum err link_of(const char *secret, const char *base_url, const char *tenant, const char *feed_key,
			int generation, struct feed_link *out, char hash[CRYPTO_SHA256_HEX_SIZE], struct errinfo *ei)
{
	char token[FEED_TOKEN_SIZE];
	if (feeds_token_derive(secret, tenant, feed_key, generation, token))
		return err_set(ei, ERR_INVALID, "secret", "the server secret is missing or shorter than %d bytes",
			       CRYPTO_MASTER_MIN_LEN);
	crypto_token_hash(token, hash);
	memset(out, 0, sizeof *out);
	snprintf(out->feed_key, sizeof out->feed_key, "%s", feed_key);
	out->generation = generation;
	enum err e = feeds_link_format(base_url, token, out);
	memset(token, 0, sizeof token);
	if (e)
		return err_set(ei, e, "base_url", "the base URL cannot carry a feed link");
	return ERR_OK;
}

enum err feeds_link_get(struct db *db, struct arena *a, const char *secret, const char *base_url, const char *feed_key,
			struct feed_link *out, struct errinfo *ei)
{
	char tenant[37], hash[CRYPTO_SHA256_HEX_SIZE], gen[16];
	enum err e = key_exists(db, a, feed_key, ei);
	if (!e)
		e = tenant_of_tx(db, a, tenant, ei);
	if (!e)
		e = link_of(secret, base_url, tenant, feed_key, 1, out, hash, ei);
	struct db_res *r;
	if (!e)
		e = DB_EXEC(db, a, NULL, ei,
			    "INSERT INTO feed_tokens (tenant_id, feed_key, generation, token_hash)"
			    " VALUES (app_tenant(), $1, 1, $2) ON CONFLICT (tenant_id, feed_key) DO NOTHING",
			    feed_key, hash);
	if (!e)
		e = DB_EXEC(db, a, &r, ei, "SELECT generation, token_hash FROM feed_tokens WHERE feed_key = $1", feed_key);
	if (e)
		return e;
	if (db_res_rows(r) != 1)
		return err_set(ei, ERR_INTERNAL, "", "feed token row vanished");
	int g = (int)db_res_ll(r, 0, "generation", 1);
	if ((e = link_of(secret, base_url, tenant, feed_key, g, out, hash, ei)))
		return e;
	const char *stored = db_res_val(r, 0, "token_hash");
	if (!stored || !crypto_ct_equal(stored, strlen(stored), hash, strlen(hash))) {
		/* the secret changed since this token was stored: its URLs are dead already */
		snprintf(gen, sizeof gen, "%d", g);
		e = DB_EXEC(db, a, NULL, ei, "UPDATE feed_tokens SET token_hash = $2 WHERE feed_key = $1 AND generation = $3::int",
			    feed_key, hash, gen);
		if (!e)
			log_kv(LOG_WARN, "feed token re-keyed: the server secret changed", "feed", feed_key, NULL);
	}
	return e;
}

enum err feeds_rotate(struct db *db, struct arena *a, const char *secret, const char *base_url, const char *feed_key,
		      struct feed_link *out, struct errinfo *ei)
{
	char tenant[37], hash[CRYPTO_SHA256_HEX_SIZE], gen[16];
	enum err e = key_exists(db, a, feed_key, ei);
	if (!e)
		e = tenant_of_tx(db, a, tenant, ei);
	struct db_res *r;
	/* lock the row (or learn there is none) so two rotations serialise */
	if (!e)
		e = DB_EXEC(db, a, &r, ei, "SELECT generation FROM feed_tokens WHERE feed_key = $1 FOR UPDATE", feed_key);
	if (e)
		return e;
	/* a feed that never had a token starts at 2: even a derived generation-1 URL stays dead */
	int g = db_res_rows(r) == 1 ? (int)db_res_ll(r, 0, "generation", 1) + 1 : 2;
	if ((e = link_of(secret, base_url, tenant, feed_key, g, out, hash, ei)))
		return e;
	snprintf(gen, sizeof gen, "%d", g);
	e = DB_EXEC(db, a, NULL, ei,
		    "INSERT INTO feed_tokens (tenant_id, feed_key, generation, token_hash) VALUES (app_tenant(), $1, $2::int, $3)"
		    " ON CONFLICT (tenant_id, feed_key) DO UPDATE"
		    " SET generation = EXCLUDED.generation, token_hash = EXCLUDED.token_hash, rotated_at = now()",
		    feed_key, gen, hash);
	if (!e)
		e = DB_EXEC(db, a, NULL, ei,
			    "SELECT audit_event('ics.token.rotate', 'feed_tokens', $1, jsonb_build_object('feed', $1::text,"
			    " 'generation', $2::int))",
			    feed_key, gen);
	return e;
}

enum err feeds_rotate_all(struct db *db, struct arena *a, const char *secret, int *count, struct errinfo *ei)
{
	*count = 0;
	char tenant[37];
	struct db_res *r;
	enum err e = tenant_of_tx(db, a, tenant, ei);
	if (!e)
		e = DB_EXEC0(db, a, &r, ei, "SELECT feed_key, generation FROM feed_tokens ORDER BY feed_key FOR UPDATE");
	if (e)
		return e;
	for (int i = 0; i < db_res_rows(r) && !e; i++) {
		const char *key = db_res_val(r, i, "feed_key");
		int g = (int)db_res_ll(r, i, "generation", 1) + 1;
		char token[FEED_TOKEN_SIZE], hash[CRYPTO_SHA256_HEX_SIZE], gen[16];
		if (feeds_token_derive(secret, tenant, key, g, token))
			return err_set(ei, ERR_INVALID, "secret", "the server secret is missing or too short");
		crypto_token_hash(token, hash);
		memset(token, 0, sizeof token);
		snprintf(gen, sizeof gen, "%d", g);
		e = DB_EXEC(db, a, NULL, ei,
			    "UPDATE feed_tokens SET generation = $2::int, token_hash = $3, rotated_at = now() WHERE feed_key = $1",
			    key, gen, hash);
	}
	if (!e) {
		char n[16];
		snprintf(n, sizeof n, "%d", db_res_rows(r));
		e = DB_EXEC(db, a, NULL, ei,
			    "SELECT audit_event('ics.token.rotate_all', 'feed_tokens', NULL, jsonb_build_object('feeds', $1::int))",
			    n);
	}
	if (!e)
		*count = db_res_rows(r);
	return e;
}

enum err feeds_user_by_email(struct db *db, struct arena *a, const char *email, char out[37], struct errinfo *ei)
{
	struct db_res *r;
	enum err e = DB_EXEC(db, a, &r, ei, "SELECT id::text AS id FROM users WHERE lower(email) = lower($1)", email);
	if (e)
		return e;
	if (db_res_rows(r) != 1)
		return err_set(ei, ERR_NOT_FOUND, "--user", "no person with e-mail %s in this department", email);
	snprintf(out, 37, "%s", db_res_val(r, 0, "id"));
	return ERR_OK;
}

/* ---- serving ------------------------------------------------------------------------- */

enum err feeds_resolve(struct db *db, struct arena *a, const unsigned char token_hash[32], struct feed_ref *out,
		       bool *found, struct errinfo *ei)
{
	char hex[CRYPTO_SHA256_HEX_SIZE];
	crypto_hex_encode(hex, token_hash, 32);
	struct db_res *r;
	*found = false;
	enum err e = DB_EXEC(db, a, &r, ei,
			     "SELECT tenant_id::text AS t, feed_key, generation, version, changed_at, config_version, available"
			     " FROM feed_resolve($1)",
			     hex);
	if (e || db_res_rows(r) != 1)
		return e;
	memset(out, 0, sizeof *out);
	snprintf(out->tenant_id, sizeof out->tenant_id, "%s", db_res_val(r, 0, "t"));
	snprintf(out->feed_key, sizeof out->feed_key, "%s", db_res_val(r, 0, "feed_key"));
	out->generation = (int)db_res_ll(r, 0, "generation", 0);
	out->version = db_res_ll(r, 0, "version", 0);
	out->changed_at = db_res_ll(r, 0, "changed_at", 0);
	out->config_version = (int)db_res_ll(r, 0, "config_version", 0);
	out->available = db_res_bool(r, 0, "available");
	*found = true;
	return ERR_OK;
}

bool feeds_ref_same(const struct feed_ref *a, const struct feed_ref *b)
{
	return !strcmp(a->tenant_id, b->tenant_id) && !strcmp(a->feed_key, b->feed_key) &&
	       a->generation == b->generation && a->version == b->version && a->changed_at == b->changed_at &&
	       a->config_version == b->config_version && a->available == b->available;
}

/* One statement, one snapshot: the feed's state and window (feed_window, PL/pgSQL in
 * db/migrations/0007_ics_feeds.sql) and its events, in feed order (rn). The events are plain
 * SQL planned with the statement: no function result to materialise, and a person's feed
 * reads the person's name once instead of joining it to every event. With no events the
 * LEFT JOIN still gives one row (event columns NULL). */
#define EVENT_COLS                                                                                          \
	"pe.assignment_id::text AS aid, pe.shift_code, pe.all_day, pe.day - date '1970-01-01' AS day_n,"     \
	" floor(date_part('epoch', pe.start_at))::bigint AS s_utc, floor(date_part('epoch', pe.end_at))::bigint AS e_utc," \
	" pe.sequence, floor(date_part('epoch', pe.last_modified))::bigint AS lm"
static const char render_user_sql[] =
	"SELECT w.*, u.name AS p_name, u.short_name AS p_short, e.* FROM feed_window($1, $3::uuid) w"
	" LEFT JOIN users u ON u.id = $3::uuid"
	" LEFT JOIN LATERAL (SELECT row_number() OVER (ORDER BY pe.day, pe.start_at NULLS FIRST, pe.shift_code, pe.assignment_id) AS rn, "
	EVENT_COLS
	" FROM published_events pe WHERE pe.user_id = $3::uuid AND pe.day >= w.ws AND pe.day < w.we"
	" ORDER BY pe.day, pe.start_at NULLS FIRST, pe.shift_code, pe.assignment_id LIMIT $2::int) e ON true"
	" ORDER BY e.rn";
static const char render_master_sql[] =
	"SELECT w.*, e.* FROM feed_window($1, NULL) w"
	" LEFT JOIN LATERAL (SELECT row_number() OVER (ORDER BY pe.day, pe.start_at NULLS FIRST, pe.shift_code, pu.name, pe.assignment_id) AS rn, "
	EVENT_COLS ", pu.name AS p_name, pu.short_name AS p_short"
	" FROM published_events pe JOIN users pu ON pu.tenant_id = pe.tenant_id AND pu.id = pe.user_id"
	" WHERE pe.day >= w.ws AND pe.day < w.we"
	" ORDER BY pe.day, pe.start_at NULLS FIRST, pe.shift_code, pu.name, pe.assignment_id LIMIT $2::int) e ON true"
	" ORDER BY e.rn";

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

enum err feeds_render(struct db *db, struct arena *a, const char *base_url, const char *feed_key, struct buf *out,
		      struct feed_rendered *meta, struct errinfo *ei)
{
	if (!feeds_key_ok(feed_key))
		return err_set(ei, ERR_INVALID, "feed", "a feed is 'master' or a person's id");
	bool master = !strcmp(feed_key, FEED_MASTER);
	char limit[16];
	snprintf(limit, sizeof limit, "%d", ICS_FEED_MAX_EVENTS + 1);
	struct db_res *r;
	int64_t t0 = mono_ns();
	enum err e = master ? DB_EXEC(db, a, &r, ei, render_master_sql, feed_key, limit)
			    : DB_EXEC(db, a, &r, ei, render_user_sql, feed_key, limit, feed_key);
	if (e)
		return e;
	int64_t t1 = mono_ns();
	int rows = db_res_rows(r);
	if (rows < 1)
		return err_set(ei, ERR_NOT_FOUND, "", "no tenant in the transaction");
	if (!master && !db_res_val(r, 0, "user_name"))
		return err_set(ei, ERR_NOT_FOUND, "feed", "no such person in this department");
	const char *tenant = db_res_val(r, 0, "tenant");
	int cv = (int)db_res_ll(r, 0, "cv", 0);
	const struct feed_config *cfg;
	if ((e = feeds_config_get(db, a, tenant, cv, &cfg, ei)))
		return e;

	memset(meta, 0, sizeof *meta);
	struct feed_ref *ref = &meta->ref;
	snprintf(ref->tenant_id, sizeof ref->tenant_id, "%s", tenant);
	snprintf(ref->feed_key, sizeof ref->feed_key, "%s", feed_key);
	ref->generation = (int)db_res_ll(r, 0, "generation", 0);
	ref->version = db_res_ll(r, 0, "version", 0);
	ref->changed_at = db_res_ll(r, 0, "changed_at", 0);
	ref->config_version = cv;
	ref->available = db_res_bool(r, 0, "tenant_ok") && (master || db_res_bool(r, 0, "user_active"));
	meta->expires_at = db_res_ll(r, 0, "next_midnight", 0);
	int64_t lm = ref->changed_at, moved = db_res_ll(r, 0, "moved_at", 0);
	if (moved > lm)
		lm = moved;

	const char *dept = cfg->department ? cfg->department : db_res_val(r, 0, "tenant_name");
	struct ics_calendar cal = {.tzid = db_res_val(r, 0, "tz"), .summary_format = cfg->summary_format,
				   .refresh_seconds = cfg->refresh_seconds};
	cal.name = master ? arena_sprintf(a, "%s \xE2\x80\x94 all shifts", dept)
			  : arena_sprintf(a, "%s \xE2\x80\x94 %s", db_res_val(r, 0, "user_name"), dept);
	if (!parse_date(db_res_val(r, 0, "ws"), &cal.window_start) || !parse_date(db_res_val(r, 0, "we"), &cal.window_end))
		return err_set(ei, ERR_INTERNAL, "", "feed window unreadable");

	int n = db_res_get(r, 0, db_res_col(r, "aid")) ? rows : 0;
	if (n > ICS_FEED_MAX_EVENTS)
		return err_set(ei, ERR_TOO_LARGE, "", "the feed would hold more than %d events", ICS_FEED_MAX_EVENTS);
	struct ics_event *ev = n ? arena_try_alloc(a, (size_t)n * sizeof *ev) : NULL;
	if (n && !ev)
		return err_set(ei, ERR_TOO_LARGE, "", "feed too large for the request");
	int c_aid = db_res_col(r, "aid"), c_code = db_res_col(r, "shift_code"), c_allday = db_res_col(r, "all_day"),
	    c_su = db_res_col(r, "s_utc"), c_eu = db_res_col(r, "e_utc"), c_day = db_res_col(r, "day_n"),
	    c_seq = db_res_col(r, "sequence"), c_lm = db_res_col(r, "lm"), c_name = db_res_col(r, "p_name"),
	    c_short = db_res_col(r, "p_short");
	/* the zone over the window (and a year more, for a night that ends after it) */
	const struct ics_tz_period *zone = NULL;
	struct ics_tz_period *owned = NULL;
	if (n && (e = ics_tz_period_get(cal.tzid, cal.window_start.year, cal.window_end.year + 1, &zone, &owned, ei)))
		return e;
	if (owned)
		arena_defer(a, period_free_cb, owned);
	const char *prev_name = NULL, *prev_in = NULL, *prev_short = NULL;
	for (int i = 0; i < n; i++) {
		struct ics_event *x = &ev[i];
		const char *aid = db_res_get(r, i, c_aid);
		const char *code = db_res_get(r, i, c_code);
		const char *pname = db_res_get(r, i, c_name);
		const struct feed_shift *sh = feeds_config_shift(cfg, code);
		uid_of(a, tenant, aid, &x->uid);
		x->fields.shift_code = code;
		x->fields.shift_name = sh ? sh->name : code;
		x->fields.subspecialty = sh ? sh->subspecialty : "";
		const char *shrt = db_res_get(r, i, c_short);
		if (i == 0 || !same_str(pname, prev_name) || !same_str(shrt, prev_in)) {
			prev_short = short_of(a, shrt, pname); /* a person's feed: once */
			prev_name = pname;
			prev_in = shrt;
		}
		x->fields.user_short = prev_short;
		x->fields.user_name = pname;
		x->transparent = sh && sh->transparent;
		x->all_day = db_res_get(r, i, c_allday)[0] == 't';
		x->description = ARENA_CONCAT(a, sh ? sh->name : code, " (", code, ")\n", pname, "\n", dept);
		x->url = ARENA_CONCAT(a, base_url, "/assignments/", aid);
		if (x->all_day) {
			int64_t dn = strtoll(db_res_get(r, i, c_day), NULL, 10);
			x->start = day_of(dn);
			x->end = day_of(dn + 1);
		} else {
			x->start_utc = strtoll(db_res_get(r, i, c_su), NULL, 10);
			x->end_utc = strtoll(db_res_get(r, i, c_eu), NULL, 10);
			x->start = local_of(zone, x->start_utc);
			x->end = local_of(zone, x->end_utc);
		}
		x->sequence = (uint32_t)strtoul(db_res_get(r, i, c_seq), NULL, 10);
		x->last_modified = x->dtstamp = strtoll(db_res_get(r, i, c_lm), NULL, 10);
	}
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
