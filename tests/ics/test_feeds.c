/* Feed tokens, links, the process cache of rendered feeds, HTTP validators, the parsed
 * config, and (against a real database) token rows, rotation, resolution and rendering
 * read back by the line checker and libical. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http/request.h"
#include "check_main.h"
#include "crypto/crypto_hash.h"
#include "crypto/crypto_kdf.h"
#include "crypto/crypto_random.h"
#include "db/db.h"
#include "domain/feeds.h"
#include "domain/feeds_cache.h"
#include "domain/feeds_config.h"
#include "ics/ics_lint.h"
#include "ics/ics_verify.h"
#include "testdb.h"
#include "web/ics_http.h"

#define SECRET "test-secret-0123456789abcdef0123456789abcdef"
#define TENANT "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"
#define USER1 "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"

/* ---- tokens and links ---------------------------------------------------------------- */

START_TEST(token_is_deterministic_and_bound_to_everything)
{
	char a[FEED_TOKEN_SIZE], b[FEED_TOKEN_SIZE];
	ck_assert_int_eq(feeds_token_derive(SECRET, TENANT, "master", 1, a), ERR_OK);
	ck_assert_int_eq(feeds_token_derive(SECRET, TENANT, "master", 1, b), ERR_OK);
	ck_assert_str_eq(a, b);
	ck_assert_uint_eq(strlen(a), FEED_TOKEN_LEN);
	ck_assert(feeds_token_shape_ok(a, strlen(a)));
	/* 192 bits: 24 bytes of HMAC output */
	unsigned char raw[32];
	size_t n = 0;
	ck_assert_int_eq(crypto_b64url_decode(a, strlen(a), raw, sizeof raw, &n), ERR_OK);
	ck_assert_uint_eq(n, 24);
	ck_assert_uint_ge(n * 8, 128);
	const char *variants[][3] = {{TENANT, "master", "2"}, {TENANT, USER1, "1"}, {USER1, "master", "1"}};
	for (size_t i = 0; i < 3; i++) {
		ck_assert_int_eq(feeds_token_derive(SECRET, variants[i][0], variants[i][1], atoi(variants[i][2]), b), ERR_OK);
		ck_assert_str_ne(a, b);
	}
	ck_assert_int_eq(feeds_token_derive(SECRET "x", TENANT, "master", 1, b), ERR_OK);
	ck_assert_str_ne(a, b);
	/* the token is the HMAC the docs describe, under the "ics" key */
	unsigned char key[32], mac[32];
	ck_assert_int_eq(crypto_key_derive(SECRET, strlen(SECRET), "ics", key), ERR_OK);
	const char msg[] = "radsched-ics-token/v1\0" TENANT "\0master\0" "1";
	crypto_hmac_sha256(key, sizeof key, msg, sizeof msg - 1, mac);
	char want[FEED_TOKEN_SIZE];
	crypto_b64url_encode(want, mac, 24);
	ck_assert_str_eq(a, want);
}
END_TEST

START_TEST(token_refuses_bad_input)
{
	char t[FEED_TOKEN_SIZE];
	ck_assert_int_eq(feeds_token_derive("short", TENANT, "master", 1, t), ERR_INVALID);
	ck_assert_int_eq(feeds_token_derive(SECRET, "not-a-uuid", "master", 1, t), ERR_INVALID);
	ck_assert_int_eq(feeds_token_derive(SECRET, TENANT, "everyone", 1, t), ERR_INVALID);
	ck_assert_int_eq(feeds_token_derive(SECRET, TENANT, "master", 0, t), ERR_INVALID);
	ck_assert(!feeds_token_shape_ok("abc", 3));
	ck_assert(!feeds_token_shape_ok("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", 32));
	ck_assert(!feeds_token_shape_ok("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/", 32));
	ck_assert(!feeds_token_shape_ok("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 33));
	ck_assert(feeds_token_shape_ok("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA_", 32));
}
END_TEST

START_TEST(links_are_short_https_and_webcal)
{
	char t[FEED_TOKEN_SIZE];
	ck_assert_int_eq(feeds_token_derive(SECRET, TENANT, USER1, 3, t), ERR_OK);
	struct feed_link l;
	ck_assert_int_eq(feeds_link_format("https://schedule.lakeside-radiology.example", t, &l), ERR_OK);
	char want[200];
	snprintf(want, sizeof want, "https://schedule.lakeside-radiology.example/ics/%s.ics", t);
	ck_assert_str_eq(l.https, want);
	snprintf(want, sizeof want, "webcal://schedule.lakeside-radiology.example/ics/%s.ics", t);
	ck_assert_str_eq(l.webcal, want);
	ck_assert_uint_lt(strlen(l.https), 200);
	ck_assert_int_eq(feeds_link_format("http://127.0.0.1:8080/", t, &l), ERR_OK);
	ck_assert(!strncmp(l.https, "http://127.0.0.1:8080/ics/", 26));
	ck_assert(!strncmp(l.webcal, "webcal://127.0.0.1:8080/ics/", 28));
	ck_assert_int_eq(feeds_link_format("ftp://x", t, &l), ERR_INVALID);
}
END_TEST

/* ---- HTTP validators ----------------------------------------------------------------- */

START_TEST(http_dates_round_trip_in_three_forms)
{
	char s[32];
	ics_http_date_format(784111777, s);
	ck_assert_str_eq(s, "Sun, 06 Nov 1994 08:49:37 GMT");
	int64_t t = 0;
	ck_assert(ics_http_date_parse("Sun, 06 Nov 1994 08:49:37 GMT", &t));
	ck_assert_int_eq(t, 784111777);
	ck_assert(ics_http_date_parse("Sunday, 06-Nov-94 08:49:37 GMT", &t));
	ck_assert_int_eq(t, 784111777);
	ck_assert(ics_http_date_parse("Sun Nov  6 08:49:37 1994", &t));
	ck_assert_int_eq(t, 784111777);
	ics_http_date_format(1804291200, s); /* 2027-03-06 */
	ck_assert(ics_http_date_parse(s, &t));
	ck_assert_int_eq(t, 1804291200);
	const char *bad[] = {"", "yesterday", "Sun, 06 Nov 1994 08:49:37", "Sun, 31 Feb 1994 08:49:37 GMT",
			     "Sun, 06 Nov 1994 25:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 GMT trailing"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(!ics_http_date_parse(bad[i], &t), "accepted %s", bad[i]);
}
END_TEST

START_TEST(etag_lists_compare_weakly)
{
	const char *e = "\"abc\"";
	ck_assert(http_etag_listed("\"abc\"", e));
	ck_assert(http_etag_listed("W/\"abc\"", e));
	ck_assert(http_etag_listed("\"x\", \"abc\"", e));
	ck_assert(http_etag_listed("*", e));
	ck_assert(!http_etag_listed("\"abcd\"", e));
	ck_assert(!http_etag_listed("\"ab\"", e));
	ck_assert(!http_etag_listed("", e));
	ck_assert(!http_etag_listed("abc", e));
}
END_TEST

/* ---- the cache ----------------------------------------------------------------------- */

static void key_of(int i, unsigned char key[32])
{
	char s[32];
	snprintf(s, sizeof s, "token-%d", i);
	crypto_sha256(s, strlen(s), key);
}

static struct feed_ref ref_of(long long version)
{
	struct feed_ref r = {.generation = 1, .version = version, .changed_at = 1000, .config_version = 1, .available = true};
	snprintf(r.tenant_id, sizeof r.tenant_id, "%s", TENANT);
	snprintf(r.feed_key, sizeof r.feed_key, "master");
	return r;
}

START_TEST(cache_fresh_only_while_listening_and_checked)
{
	feeds_cache_clear();
	feeds_cache_set_max(0);
	feeds_cache_set_listening(true);
	unsigned char k[32];
	key_of(1, k);
	bool fresh = true;
	ck_assert_ptr_null(feeds_cache_get(k, 100, &fresh));
	uint64_t ep = feeds_cache_epoch();
	struct feed_ref r = ref_of(7);
	const struct feed_entry *e = feeds_cache_put(k, &r, 900, 2000, "BEGIN:VCALENDAR\r\n", 17, ep);
	/* strong ETag from the body: "base64url(SHA-256[0..16))" */
	unsigned char h[32];
	crypto_sha256("BEGIN:VCALENDAR\r\n", 17, h);
	char want[40] = "\"";
	crypto_b64url_encode(want + 1, h, 16);
	strcat(want, "\"");
	ck_assert_str_eq(e->etag, want);
	feeds_cache_release(e);
	e = feeds_cache_get(k, 100, &fresh);
	ck_assert_ptr_nonnull(e);
	ck_assert(fresh);
	ck_assert_uint_eq(e->len, 17);
	ck_assert(feeds_ref_same(&e->ref, &r));
	feeds_cache_release(e);
	/* a notification (or a change in this process) makes it stale until checked again */
	feeds_cache_invalidate();
	e = feeds_cache_get(k, 100, &fresh);
	ck_assert(!fresh);
	uint64_t ep2 = feeds_cache_epoch();
	feeds_cache_checked(e, ep2);
	feeds_cache_checked(e, ep); /* an older check never undoes a newer one */
	feeds_cache_release(e);
	e = feeds_cache_get(k, 100, &fresh);
	ck_assert(fresh);
	feeds_cache_release(e);
	/* the window moves at local midnight */
	e = feeds_cache_get(k, 2000, &fresh);
	ck_assert(!fresh);
	feeds_cache_release(e);
	/* without the listener nothing is fresh */
	feeds_cache_set_listening(false);
	e = feeds_cache_get(k, 100, &fresh);
	ck_assert(!fresh);
	feeds_cache_release(e);
	feeds_cache_remove(k);
	ck_assert_ptr_null(feeds_cache_get(k, 100, &fresh));
}
END_TEST

START_TEST(cache_is_bounded_by_bytes_lru_first)
{
	feeds_cache_clear();
	feeds_cache_set_listening(true);
	static char body[10000];
	memset(body, 'x', sizeof body);
	feeds_cache_set_max(50000); /* room for about four entries */
	struct feed_ref r = ref_of(1);
	unsigned char k[32];
	for (int i = 0; i < 4; i++) {
		key_of(i, k);
		feeds_cache_release(feeds_cache_put(k, &r, 1, 0, body, sizeof body, feeds_cache_epoch()));
	}
	bool fresh;
	key_of(0, k); /* touch 0: 1 is now the least recently used */
	feeds_cache_release(feeds_cache_get(k, 1, &fresh));
	key_of(4, k);
	const struct feed_entry *held = feeds_cache_put(k, &r, 1, 0, body, sizeof body, feeds_cache_epoch());
	struct feeds_cache_stats st;
	feeds_cache_stats(&st);
	ck_assert_uint_le(st.bytes, 50000);
	key_of(1, k);
	ck_assert_ptr_null(feeds_cache_get(k, 1, &fresh));
	key_of(0, k);
	const struct feed_entry *e = feeds_cache_get(k, 1, &fresh);
	ck_assert_ptr_nonnull(e);
	feeds_cache_release(e);
	/* an entry in use survives its eviction until released */
	feeds_cache_clear();
	ck_assert_uint_eq(held->len, sizeof body);
	ck_assert_int_eq(held->body[9999], 'x');
	feeds_cache_release(held);
	/* too large for the cache: served but not kept */
	key_of(9, k);
	e = feeds_cache_put(k, &r, 1, 0, body, sizeof body, 1);
	ck_assert_uint_eq(e->len, sizeof body);
	feeds_cache_release(e);
	feeds_cache_set_max(40000);
	e = feeds_cache_put(k, &r, 1, 0, body, sizeof body, 1);
	feeds_cache_release(e);
	ck_assert_ptr_null(feeds_cache_get(k, 1, &fresh));
	/* replacing an entry keeps one */
	feeds_cache_set_max(0);
	feeds_cache_release(feeds_cache_put(k, &r, 1, 0, "a", 1, 1));
	feeds_cache_release(feeds_cache_put(k, &r, 1, 0, "bb", 2, 1));
	e = feeds_cache_get(k, 1, &fresh);
	ck_assert_uint_eq(e->len, 2);
	feeds_cache_release(e);
	feeds_cache_stats(&st);
	ck_assert_uint_eq(st.entries, 1);
	feeds_cache_clear();
}
END_TEST

static void *hammer(void *arg)
{
	int id = (int)(long)arg;
	struct feed_ref r = ref_of(id);
	char body[300];
	memset(body, 'a' + id, sizeof body);
	for (int i = 0; i < 20000; i++) {
		unsigned char k[32];
		key_of(i % 37, k);
		bool fresh;
		const struct feed_entry *e = feeds_cache_get(k, 1, &fresh);
		if (e) {
			/* an entry is immutable while referenced */
			char c = e->body[0];
			for (size_t j = 0; j < e->len; j++)
				if (e->body[j] != c)
					return (void *)1;
			feeds_cache_checked(e, feeds_cache_epoch());
			feeds_cache_release(e);
		}
		if (i % 3 == 0)
			feeds_cache_release(feeds_cache_put(k, &r, 1, 0, body, sizeof body - (size_t)(i % 50), feeds_cache_epoch()));
		if (i % 97 == 0)
			feeds_cache_invalidate();
		if (i % 101 == 0)
			feeds_cache_remove(k);
	}
	return NULL;
}

START_TEST(cache_survives_concurrent_use)
{
	feeds_cache_clear();
	feeds_cache_set_max(8000);
	feeds_cache_set_listening(true);
	pthread_t t[4];
	for (long i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, hammer, (void *)i), 0);
	for (int i = 0; i < 4; i++) {
		void *rv;
		pthread_join(t[i], &rv);
		ck_assert_ptr_null(rv);
	}
	struct feeds_cache_stats st;
	feeds_cache_stats(&st);
	ck_assert_uint_le(st.bytes, 8000);
	feeds_cache_clear();
	feeds_cache_set_max(0);
}
END_TEST

/* ---- the parsed config --------------------------------------------------------------- */

START_TEST(config_parts_feeds_use)
{
	const char *doc = "{\"department\":{\"name\":\"Lakeside\"},"
			  "\"subspecialties\":[{\"code\":\"NEURO\",\"name\":\"Neuroradiology\"}],"
			  "\"shiftTypes\":[{\"code\":\"OVN\",\"name\":\"Overnight\",\"showAsBusy\":true},"
			  "{\"code\":\"NEURO_D\",\"name\":\"Neuro room\",\"subspecialty\":\"NEURO\",\"showAsBusy\":true},"
			  "{\"code\":\"CALL\",\"name\":\"Home call\",\"subspecialty\":\"IR\",\"showAsBusy\":false}],"
			  "\"integrations\":{\"calendar\":{\"eventSummaryFormat\":\"{SHIFT_CODE} {NOPE}\"}},"
			  "\"ics\":{\"refreshIntervalMinutes\":15}}";
	struct feed_config *c;
	struct errinfo ei = {0};
	ck_assert_int_eq(feeds_config_parse(doc, &c, &ei), ERR_OK);
	ck_assert_str_eq(c->department, "Lakeside");
	ck_assert_int_eq(c->refresh_seconds, 900);
	ck_assert_str_eq(c->summary_format, "{SHIFT_CODE} \xE2\x80\x94 {SUBSPECIALTY} ({USER_SHORT})"); /* invalid → default */
	const struct feed_shift *s = feeds_config_shift(c, "NEURO_D");
	ck_assert_str_eq(s->subspecialty, "Neuroradiology");
	ck_assert(!s->transparent);
	s = feeds_config_shift(c, "OVN");
	ck_assert_str_eq(s->subspecialty, "Overnight"); /* no subspecialty: the shift's name */
	s = feeds_config_shift(c, "CALL");
	ck_assert_str_eq(s->subspecialty, "IR"); /* unknown subspecialty: its code */
	ck_assert(s->transparent);
	ck_assert_ptr_null(feeds_config_shift(c, "NOPE"));
	feeds_config_free(c);
	ck_assert_int_eq(feeds_config_parse("{", &c, &ei), ERR_MALFORMED);
}
END_TEST

/* ---- against the database ------------------------------------------------------------ */

static struct testdb T;
static char tenant[37], user1[37];

static void db_setup(void)
{
	if (testdb_create("feeds", &T))
		ck_abort_msg("cannot create test database");
	const char *cfg =
		"{\"timezone\":\"America/Toronto\",\"department\":{\"name\":\"Test Dept\"},"
		"\"subspecialties\":[{\"code\":\"NEURO\",\"name\":\"Neuroradiology\"}],"
		"\"shiftTypes\":[{\"code\":\"OVN\",\"name\":\"Overnight\",\"showAsBusy\":true},"
		"{\"code\":\"NEURO_D\",\"name\":\"Neuro room\",\"subspecialty\":\"NEURO\",\"showAsBusy\":true},"
		"{\"code\":\"IR_CALL\",\"name\":\"IR call\",\"showAsBusy\":false}],\"ics\":{\"windowDaysBack\":30,"
		"\"windowMonthsAhead\":12}}";
	char sql[4096];
	snprintf(sql, sizeof sql,
		 "SELECT tenant_create('feeds', 'Feeds', 'America/Toronto');"
		 "INSERT INTO users (tenant_id, email, name, short_name, role) SELECT id, 'li@x.example', 'Li, Zoë; \\ 李', '', 'RAD'"
		 "  FROM tenants WHERE slug = 'feeds';"
		 "INSERT INTO config_versions (tenant_id, number, actor_kind, document) SELECT id, 1, 'SYSTEM', '%s'"
		 "  FROM tenants WHERE slug = 'feeds';"
		 "UPDATE tenants SET config_version = 1 WHERE slug = 'feeds';",
		 cfg);
	ck_assert_int_eq(testdb_super_exec(&T, sql), 0);
}

static void ids(void)
{
	struct db *db;
	struct errinfo ei = {0};
	struct arena *a = arena_new(0);
	ck_assert_int_eq(db_connect(T.super, &db, &ei), ERR_OK);
	struct db_res *r;
	ck_assert_int_eq(DB_EXEC0(db, a, &r, &ei,
				  "SELECT t.id::text AS t, u.id::text AS u FROM tenants t JOIN users u ON u.tenant_id = t.id"
				  " WHERE t.slug = 'feeds'"),
			 ERR_OK);
	snprintf(tenant, sizeof tenant, "%s", db_res_val(r, 0, "t"));
	snprintf(user1, sizeof user1, "%s", db_res_val(r, 0, "u"));
	db_close(db);
	arena_free(a);
}

struct tx {
	enum { GET, ROTATE, ROTATE_ALL, RENDER } op;
	const char *key;
	struct feed_link link;
	struct buf out;
	struct feed_rendered meta;
	int count;
};

static enum err tx_fn(struct db *db, void *arg, struct errinfo *ei)
{
	struct tx *t = arg;
	struct arena *a = arena_new(0);
	enum err e;
	switch (t->op) {
	case GET:
		e = feeds_link_get(db, a, SECRET, "https://rs.example", t->key, &t->link, ei);
		break;
	case ROTATE:
		e = feeds_rotate(db, a, SECRET, "https://rs.example", t->key, &t->link, ei);
		break;
	case ROTATE_ALL:
		e = feeds_rotate_all(db, a, SECRET, &t->count, ei);
		break;
	default:
		buf_reset(&t->out);
		e = feeds_render(db, a, "https://rs.example", t->key, &t->out, &t->meta, ei);
	}
	arena_free(a);
	return e;
}

static enum err run(struct tx *t)
{
	struct db_pool *p;
	struct errinfo ei = {0};
	ck_assert_int_eq(db_pool_new(T.app, 1, &p, &ei), ERR_OK);
	struct db_ctx ctx = {.tenant_id = tenant, .actor = DB_ACTOR_SYSTEM, .snapshot = t->op == RENDER};
	enum err e = db_with_tx(p, &ctx, tx_fn, t, &ei);
	if (e)
		fprintf(stderr, "tx: %s\n", ei.message);
	db_pool_free(p);
	return e;
}

static bool resolve(const char *url, struct feed_ref *ref)
{
	const char *tok = strstr(url, "/ics/") + 5;
	unsigned char h[32];
	crypto_sha256(tok, FEED_TOKEN_LEN, h);
	struct db *db;
	struct errinfo ei = {0};
	struct arena *a = arena_new(0);
	ck_assert_int_eq(db_connect(T.app, &db, &ei), ERR_OK);
	ck_assert_int_eq(db_begin(db, &(struct db_ctx){0}, &ei), ERR_OK);
	bool found = false;
	ck_assert_int_eq(feeds_resolve(db, a, h, ref, &found, &ei), ERR_OK);
	db_rollback(db);
	db_close(db);
	arena_free(a);
	return found;
}

START_TEST(tokens_stored_hashed_rotated_and_resolved)
{
	ids();
	struct tx t = {.op = GET, .key = user1};
	ck_assert_int_eq(run(&t), ERR_OK);
	struct feed_link first = t.link;
	ck_assert_int_eq(first.generation, 1);
	const char *tok = strstr(first.https, "/ics/") + 5;
	char hash[CRYPTO_SHA256_HEX_SIZE], sql[400], token[FEED_TOKEN_SIZE];
	snprintf(token, sizeof token, "%.*s", FEED_TOKEN_LEN, tok);
	crypto_token_hash(token, hash);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM feed_tokens WHERE token_hash = '%s' AND generation = 1", hash);
	ck_assert_int_eq(testdb_super_long(&T, sql), 1);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM feed_tokens WHERE token_hash LIKE '%%%s%%'", token);
	ck_assert_int_eq(testdb_super_long(&T, sql), 0); /* never the token itself */
	/* reading again: the same link */
	ck_assert_int_eq(run(&t), ERR_OK);
	ck_assert_str_eq(t.link.https, first.https);
	struct feed_ref ref;
	ck_assert(resolve(first.https, &ref));
	ck_assert_str_eq(ref.tenant_id, tenant);
	ck_assert_str_eq(ref.feed_key, user1);
	ck_assert_int_eq(ref.generation, 1);
	ck_assert(ref.available);
	/* rotation: generation 2, the old token resolves to nothing */
	t.op = ROTATE;
	ck_assert_int_eq(run(&t), ERR_OK);
	ck_assert_int_eq(t.link.generation, 2);
	ck_assert_str_ne(t.link.https, first.https);
	ck_assert(!resolve(first.https, &ref));
	ck_assert(resolve(t.link.https, &ref));
	ck_assert_int_eq(ref.generation, 2);
	ck_assert_int_eq(testdb_super_long(&T, "SELECT count(*) FROM audit_log WHERE action = 'ics.token.rotate'"), 1);
	/* a feed without a token row starts at generation 2 when rotated */
	t.key = "master";
	ck_assert_int_eq(run(&t), ERR_OK);
	ck_assert_int_eq(t.link.generation, 2);
	t.op = ROTATE_ALL;
	ck_assert_int_eq(run(&t), ERR_OK);
	ck_assert_int_eq(t.count, 2);
	ck_assert_int_eq(testdb_super_long(&T, "SELECT min(generation) FROM feed_tokens"), 3);
	/* the secret changed behind the rows: reading re-keys them to the derivation */
	ck_assert_int_eq(testdb_super_exec(&T, "UPDATE feed_tokens SET token_hash = md5(token_hash)"), 0);
	t.op = GET;
	ck_assert_int_eq(run(&t), ERR_OK);
	ck_assert(resolve(t.link.https, &ref));
	/* unknown person */
	t.key = "00000000-0000-4000-8000-000000000000";
	ck_assert_int_eq(run(&t), ERR_NOT_FOUND);
	/* deactivated: the row stays, the feed is unavailable */
	ck_assert_int_eq(testdb_super_exec(&T, "UPDATE users SET active = false WHERE email = 'li@x.example'"), 0);
	t.key = user1;
	ck_assert_int_eq(run(&t), ERR_OK);
	ck_assert(resolve(t.link.https, &ref));
	ck_assert(!ref.available);
}
END_TEST

START_TEST(render_window_names_and_last_modified)
{
	ids();
	char sql[3000];
	/* -40 (left the window 10 days ago), -29, today (a night across nothing special), +100
	 * all-day, and 13 months ahead (not yet in) */
	snprintf(sql, sizeof sql,
		 "WITH d AS (SELECT (now() AT TIME ZONE 'America/Toronto')::date AS today)"
		 " INSERT INTO published_events (tenant_id, assignment_id, period_id, user_id, day, shift_code, all_day, start_at,"
		 " end_at, content_hash)"
		 " SELECT '%s', gen_random_uuid(), gen_random_uuid(), '%s', x.day, x.code, x.code = 'IR_CALL',"
		 "   CASE WHEN x.code = 'IR_CALL' THEN NULL ELSE (shift_instants(x.day, x.s, x.e, 'America/Toronto')).start_at END,"
		 "   CASE WHEN x.code = 'IR_CALL' THEN NULL ELSE (shift_instants(x.day, x.s, x.e, 'America/Toronto')).end_at END, 'h'"
		 " FROM d, LATERAL (VALUES (d.today - 40, 'NEURO_D', '08:00'::time, '16:30'::time),"
		 "   (d.today - 29, 'NEURO_D', '08:00', '16:30'), (d.today, 'OVN', '23:00', '08:00'),"
		 "   (d.today + 100, 'IR_CALL', NULL, NULL), ((d.today + interval '13 months')::date, 'OVN', '23:00', '08:00'))"
		 "   x(day, code, s, e)",
		 tenant, user1);
	ck_assert_int_eq(testdb_super_exec(&T, sql), 0);
	struct tx t = {.op = RENDER, .key = user1};
	buf_init(&t.out, 1 << 20);
	ck_assert_int_eq(run(&t), ERR_OK);
	ck_assert_uint_eq(t.meta.events, 3);
	ck_assert_str_eq(t.meta.ref.tenant_id, tenant);
	ck_assert_int_ge(t.meta.ref.version, 1);
	ck_assert(t.meta.ref.available);
	ck_assert_int_gt(t.meta.expires_at, (long long)time(NULL));
	ck_assert_int_le(t.meta.expires_at, (long long)time(NULL) + 26 * 3600);
	/* the event of day -40 left the window at the midnight starting day -9: later than
	 * nothing, earlier than now; the feed's own change clock is newer still */
	ck_assert_int_ge(t.meta.last_modified, t.meta.ref.changed_at);
	const char *txt = t.out.data;
	ck_assert_ptr_nonnull(strstr(txt, "X-WR-CALNAME:Li\\, Zoë\\; \\\\ 李 — Test Dept\r\n"));
	/* no short name: the initials of "Li, Zoë; \\ 李", TEXT-escaped */
	ck_assert_ptr_nonnull(strstr(txt, "SUMMARY:NEURO_D — Neuroradiology (LZ\\\\李)\r\n"));
	ck_assert_ptr_nonnull(strstr(txt, "SUMMARY:OVN — Overnight ("));
	ck_assert_ptr_nonnull(strstr(txt, "TRANSP:TRANSPARENT\r\n"));
	ck_assert_ptr_nonnull(strstr(txt, "URL:https://rs.example/assignments/"));
	struct errinfo ei = {0};
	ck_assert_int_eq(ics_lint_check(t.out.data, t.out.len, NULL, &ei), ERR_OK);
	struct ics_verify_report rep;
	ck_assert_int_eq(ics_verify_libical(t.out.data, t.out.len, NULL, NULL, &rep, &ei), ERR_OK);
	ck_assert_msg(rep.errors == 0, "libical: %s", rep.first_error);
	ck_assert_uint_eq(rep.events, 3);
	/* the master feed shows the same events; the same bytes twice (stable) */
	struct tx m = {.op = RENDER, .key = "master"};
	buf_init(&m.out, 1 << 20);
	ck_assert_int_eq(run(&m), ERR_OK);
	ck_assert_uint_eq(m.meta.events, 3);
	char *once = strdup(m.out.data);
	ck_assert_int_eq(run(&m), ERR_OK);
	ck_assert_str_eq(once, m.out.data);
	free(once);
	/* a person of another tenant or nobody: not found */
	t.key = "00000000-0000-4000-8000-000000000000";
	ck_assert_int_eq(run(&t), ERR_NOT_FOUND);
	buf_fini(&t.out);
	buf_fini(&m.out);
}
END_TEST

/* Last-Modified also moves when the window moves over one of the feed's events: an event
 * of day d leaves at the local midnight starting d + back + 1, and enters at the first
 * midnight t with t + ahead months > d. The feed's own change clock is set far back here
 * (triggers off) so only the window's moves count. */
static long long local_midnight(const char *date_sql)
{
	char sql[400];
	snprintf(sql, sizeof sql, "SELECT extract(epoch FROM ((%s)::timestamp AT TIME ZONE 'America/Toronto'))::bigint",
		 date_sql);
	return testdb_super_long(&T, sql);
}

static void clock_far_back(void)
{
	ck_assert_int_eq(testdb_super_exec(&T, "SET session_replication_role = replica;"
					       " UPDATE feed_state SET changed_at = '2001-01-01';"
					       " SET session_replication_role = origin"),
			 0);
}

START_TEST(last_modified_follows_the_moving_window)
{
	ids();
	char sql[1200];
	/* a day shift 40 days back (left the window 9 days ago) and an all-day call 100 days ahead */
	snprintf(sql, sizeof sql,
		 "WITH d AS (SELECT (now() AT TIME ZONE 'America/Toronto')::date AS today)"
		 " INSERT INTO published_events (tenant_id, assignment_id, period_id, user_id, day, shift_code, all_day, start_at,"
		 " end_at, content_hash)"
		 " SELECT '%s'::uuid, gen_random_uuid(), gen_random_uuid(), '%s'::uuid, d.today - 40, 'NEURO_D', false,"
		 "   (shift_instants(d.today - 40, '08:00', '16:30', 'America/Toronto')).start_at,"
		 "   (shift_instants(d.today - 40, '08:00', '16:30', 'America/Toronto')).end_at, 'h' FROM d"
		 " UNION ALL SELECT '%s', gen_random_uuid(), gen_random_uuid(), '%s', d.today + 100, 'IR_CALL', true, NULL, NULL,"
		 "   'h' FROM d",
		 tenant, user1, tenant, user1);
	ck_assert_int_eq(testdb_super_exec(&T, sql), 0);
	clock_far_back();
	const char *today = "(now() AT TIME ZONE 'America/Toronto')::date";
	char left[200], entered[400];
	snprintf(left, sizeof left, "%s - 9", today);
	/* the first t with t + 12 months > today + 100, by counting days (not the product's formula) */
	snprintf(entered, sizeof entered,
		 "(SELECT min(x)::date FROM generate_series(%s - 400, %s + 100, interval '1 day') x"
		 " WHERE (x + interval '12 months')::date > %s + 100)",
		 today, today, today);
	long long want_left = local_midnight(left), want_entered = local_midnight(entered);
	ck_assert_int_gt(want_left, want_entered);
	struct tx t = {.op = RENDER, .key = user1};
	buf_init(&t.out, 1 << 20);
	ck_assert_int_eq(run(&t), ERR_OK);
	ck_assert_uint_eq(t.meta.events, 1);
	ck_assert_int_eq(t.meta.ref.changed_at, 978307200); /* 2001-01-01 UTC */
	ck_assert_int_eq(t.meta.last_modified, want_left);
	/* without the departed event, the entry of the call is the latest move */
	ck_assert_int_eq(testdb_super_exec(&T, "DELETE FROM published_events WHERE shift_code = 'NEURO_D'"), 0);
	clock_far_back();
	ck_assert_int_eq(run(&t), ERR_OK);
	ck_assert_int_eq(t.meta.last_modified, want_entered);
	/* the master feed's window moved at the same instant */
	struct tx m = {.op = RENDER, .key = "master"};
	buf_init(&m.out, 1 << 20);
	ck_assert_int_eq(run(&m), ERR_OK);
	ck_assert_int_eq(m.meta.last_modified, want_entered);
	buf_fini(&t.out);
	buf_fini(&m.out);
}
END_TEST

/* The feed's state and its events come from two statements: outside a snapshot transaction
 * they could disagree, so the render refuses to run there. */
START_TEST(render_needs_a_snapshot)
{
	ids();
	struct db_pool *p;
	struct errinfo ei = {0};
	ck_assert_int_eq(db_pool_new(T.app, 1, &p, &ei), ERR_OK);
	struct tx t = {.op = RENDER, .key = user1};
	buf_init(&t.out, 1 << 20);
	struct db_ctx ctx = {.tenant_id = tenant, .actor = DB_ACTOR_SYSTEM};
	ck_assert_int_eq(db_with_tx(p, &ctx, tx_fn, &t, &ei), ERR_INTERNAL);
	ck_assert_ptr_nonnull(strstr(ei.message, "snapshot"));
	ctx.snapshot = true;
	ck_assert_int_eq(db_with_tx(p, &ctx, tx_fn, &t, &ei), ERR_OK);
	buf_fini(&t.out);
	db_pool_free(p);
}
END_TEST

/* The database sends a process only the config members feeds use (feed_config_part in
 * migration 0010): parsed, they give the same feed config as the whole document. Here the
 * demo department's config and one with every optional member feeds read. */
static void same_config(const struct feed_config *x, const struct feed_config *y)
{
	ck_assert_pstr_eq(x->department, y->department);
	ck_assert_str_eq(x->summary_format, y->summary_format);
	ck_assert_int_eq(x->refresh_seconds, y->refresh_seconds);
	ck_assert_uint_eq(x->nshifts, y->nshifts);
	for (size_t i = 0; i < x->nshifts; i++) {
		ck_assert_str_eq(x->shifts[i].code, y->shifts[i].code);
		ck_assert_str_eq(x->shifts[i].name, y->shifts[i].name);
		ck_assert_str_eq(x->shifts[i].subspecialty, y->shifts[i].subspecialty);
		ck_assert_int_eq(x->shifts[i].transparent, y->shifts[i].transparent);
	}
}

START_TEST(config_part_keeps_what_feeds_read)
{
	json_t *demo = test_json_file("config/demo/lakeside.json");
	char *demo_text = json_dumps(demo, JSON_COMPACT);
	json_decref(demo);
	const char *rich =
		"{\"department\":{\"name\":\"Rich, \\\"quoted\\\" — 李\"},\"timezone\":\"Australia/Sydney\","
		"\"subspecialties\":[{\"code\":\"NEURO\",\"name\":\"Neuroradiology\"},{\"code\":\"BODY\"}],"
		"\"shiftTypes\":[{\"code\":\"B\",\"name\":\"Body\",\"subspecialty\":\"BODY\",\"showAsBusy\":false},"
		"{\"code\":\"A\",\"subspecialty\":\"NEURO\"},{\"name\":\"no code\"}],"
		"\"integrations\":{\"calendar\":{\"eventSummaryFormat\":\"{USER_NAME}: {SHIFT_NAME}\"}},"
		"\"ics\":{\"refreshIntervalMinutes\":5,\"windowDaysBack\":3}}";
	const char *docs[] = {demo_text, rich, "{}"};
	struct db *db;
	struct errinfo ei = {0};
	struct arena *a = arena_new(0);
	ck_assert_int_eq(db_connect(T.super, &db, &ei), ERR_OK);
	for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
		struct db_res *r;
		ck_assert_int_eq(DB_EXEC(db, a, &r, &ei, "SELECT feed_config_part($1::jsonb) AS p", docs[i]), ERR_OK);
		struct feed_config *whole, *part;
		ck_assert_int_eq(feeds_config_parse(docs[i], &whole, &ei), ERR_OK);
		ck_assert_int_eq(feeds_config_parse(db_res_val(r, 0, "p"), &part, &ei), ERR_OK);
		same_config(whole, part);
		ck_assert_uint_lt(strlen(db_res_val(r, 0, "p")), strlen(docs[i]) + 300);
		feeds_config_free(whole);
		feeds_config_free(part);
	}
	db_close(db);
	arena_free(a);
	free(demo_text);
}
END_TEST

static void insert_event(void);

/* A process that parsed version 1 gets version 2's config with the next render. */
START_TEST(a_new_config_version_reaches_a_warm_process)
{
	ids();
	insert_event();
	struct tx t = {.op = RENDER, .key = user1};
	buf_init(&t.out, 1 << 20);
	ck_assert_int_eq(run(&t), ERR_OK);
	ck_assert_ptr_nonnull(strstr(t.out.data, "SUMMARY:IR_CALL — IR call ("));
	ck_assert_int_eq(feeds_config_cached_version(tenant), 1);
	ck_assert_int_eq(testdb_super_exec(&T, "INSERT INTO config_versions (tenant_id, number, actor_kind, document)"
					       " SELECT tenant_id, 2, 'SYSTEM', jsonb_set(document, '{integrations}',"
					       " '{\"calendar\":{\"eventSummaryFormat\":\"{SHIFT_NAME} for {USER_NAME}\"}}')"
					       " FROM config_versions WHERE number = 1;"
					       " UPDATE tenants SET config_version = 2 WHERE slug = 'feeds'"),
			 0);
	ck_assert_int_eq(run(&t), ERR_OK);
	ck_assert_ptr_nonnull(strstr(t.out.data, "SUMMARY:IR call for Li\\, Zoë\\; \\\\ 李\r\n"));
	ck_assert_int_eq(t.meta.ref.config_version, 2);
	ck_assert_int_eq(feeds_config_cached_version(tenant), 2);
	buf_fini(&t.out);
}
END_TEST

static void insert_event(void)
{
	char sql[800];
	snprintf(sql, sizeof sql,
		 "INSERT INTO published_events (tenant_id, assignment_id, period_id, user_id, day, shift_code, all_day,"
		 " content_hash) VALUES ('%s', '11111111-1111-4111-8111-111111111111', gen_random_uuid(), '%s',"
		 " current_date, 'IR_CALL', true, 'a')",
		 tenant, user1);
	ck_assert_int_eq(testdb_super_exec(&T, sql), 0);
}

static long state_of(const char *what)
{
	char sql[300];
	snprintf(sql, sizeof sql, "SELECT %s FROM feed_state WHERE feed_key = '%s'", what, user1);
	return testdb_super_long(&T, sql);
}

#define SEQ_SQL "SELECT sequence FROM published_events WHERE assignment_id = '11111111-1111-4111-8111-111111111111'"

START_TEST(feed_state_moves_once_per_transaction_and_always_forward)
{
	ids();
	insert_event();
	long v1 = state_of("version"), c1 = state_of("extract(epoch FROM changed_at)::bigint");
	ck_assert_int_ge(v1, 1);
	ck_assert_int_eq(testdb_super_long(&T, "SELECT count(*) FROM feed_state WHERE feed_key = 'master'"), 1);
	/* three changes in one transaction, one of them trying to move the clock back: one move */
	ck_assert_int_eq(testdb_super_exec(&T, "BEGIN; UPDATE published_events SET content_hash = 'b';"
					       " UPDATE published_events SET content_hash = 'c';"
					       " UPDATE feed_state SET version = version + 1, changed_at = now() - interval '1 day'; COMMIT"),
			 0);
	ck_assert_int_eq(state_of("version"), v1 + 1);
	long c2 = state_of("extract(epoch FROM changed_at)::bigint");
	ck_assert_int_gt(c2, c1); /* forward, by at least a second */
	/* SEQUENCE: +1 for changed content (once per update), never lower */
	ck_assert_int_eq(testdb_super_long(&T, SEQ_SQL), 2);
	ck_assert_int_eq(testdb_super_exec(&T, "UPDATE published_events SET sequence = 0"), 0);
	ck_assert_int_eq(testdb_super_long(&T, SEQ_SQL), 2);
	/* a deleted event that comes back continues its SEQUENCE; the deletion moved the feed */
	long v2 = state_of("version");
	ck_assert_int_eq(testdb_super_exec(&T, "DELETE FROM published_events"), 0);
	ck_assert_int_eq(state_of("version"), v2 + 1);
	ck_assert_int_gt(state_of("extract(epoch FROM changed_at)::bigint"), c2);
	insert_event();
	ck_assert_int_eq(testdb_super_long(&T, SEQ_SQL), 3);
	/* a name change moves the person's feed and the master feed */
	long m = testdb_super_long(&T, "SELECT version FROM feed_state WHERE feed_key = 'master'");
	ck_assert_int_eq(testdb_super_exec(&T, "UPDATE users SET short_name = 'LZ' WHERE email = 'li@x.example'"), 0);
	ck_assert_int_eq(testdb_super_long(&T, "SELECT version FROM feed_state WHERE feed_key = 'master'"), m + 1);
	/* a config change outside what feeds show does not move them; one inside does */
	long v = state_of("version");
	ck_assert_int_eq(testdb_super_exec(&T, "INSERT INTO config_versions (tenant_id, number, actor_kind, document)"
					       " SELECT tenant_id, 2, 'SYSTEM', document || '{\"fairness\": {}}' FROM config_versions"
					       " WHERE number = 1; UPDATE tenants SET config_version = 2 WHERE slug = 'feeds'"),
			 0);
	ck_assert_int_eq(state_of("version"), v);
	ck_assert_int_eq(testdb_super_exec(&T, "INSERT INTO config_versions (tenant_id, number, actor_kind, document)"
					       " SELECT tenant_id, 3, 'SYSTEM', jsonb_set(document, '{department,name}', '\"New\"')"
					       " FROM config_versions WHERE number = 2; UPDATE tenants SET config_version = 3"
					       " WHERE slug = 'feeds'"),
			 0);
	ck_assert_int_eq(state_of("version"), v + 1);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("feeds");
	TCase *tc = tcase_create("pure");
	tcase_add_test(tc, token_is_deterministic_and_bound_to_everything);
	tcase_add_test(tc, token_refuses_bad_input);
	tcase_add_test(tc, links_are_short_https_and_webcal);
	tcase_add_test(tc, http_dates_round_trip_in_three_forms);
	tcase_add_test(tc, etag_lists_compare_weakly);
	tcase_add_test(tc, cache_fresh_only_while_listening_and_checked);
	tcase_add_test(tc, cache_is_bounded_by_bytes_lru_first);
	tcase_add_test(tc, cache_survives_concurrent_use);
	tcase_add_test(tc, config_parts_feeds_use);
	suite_add_tcase(s, tc);
	TCase *db = tcase_create("database");
	tcase_add_checked_fixture(db, db_setup, NULL);
	tcase_set_timeout(db, 60);
	tcase_add_test(db, tokens_stored_hashed_rotated_and_resolved);
	tcase_add_test(db, render_window_names_and_last_modified);
	tcase_add_test(db, feed_state_moves_once_per_transaction_and_always_forward);
	tcase_add_test(db, last_modified_follows_the_moving_window);
	tcase_add_test(db, render_needs_a_snapshot);
	tcase_add_test(db, config_part_keeps_what_feeds_read);
	tcase_add_test(db, a_new_config_version_reaches_a_warm_process);
	suite_add_tcase(s, db);
	return s;
}
