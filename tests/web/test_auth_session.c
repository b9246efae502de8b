/* Sign-in and sessions against a migrated database: who may enter (admission rules,
 * domain enrolment, restricted tenants, deactivation), magic links (peek consumes nothing,
 * one POST consumes, reuse and expiry fail), sessions (cookie → principal, refresh
 * rotation, reuse revokes the family, role change / deactivation / sign-out end access),
 * and the small text checks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "check_main.h"
#include "testdb.h"
#include "web/auth/auth.h"
#include "web/auth/auth_identity.h"
#include "web/auth/auth_magic.h"
#include "web/auth/auth_session.h"
#include "web/auth/auth_tokens.h"
#include "web/roles.h"
#include "web/session.h"

/* ---- pure rules ----------------------------------------------------------------------- */

START_TEST(admission_rules)
{
	bool enrol;
	struct auth_member m = {.member = true, .active = true};
	ck_assert_int_eq(auth_admission(&m, false, &enrol), AUTH_ADMIT);
	ck_assert(!enrol);
	m.restricted = true;
	ck_assert_int_eq(auth_admission(&m, true, &enrol), AUTH_REFUSE_DOMAIN);
	m.domain_allowed = true;
	ck_assert_int_eq(auth_admission(&m, false, &enrol), AUTH_ADMIT);
	m.active = false;
	ck_assert_int_eq(auth_admission(&m, true, &enrol), AUTH_REFUSE_DEACTIVATED);
	struct auth_member stranger = {.domain_allowed = true};
	ck_assert_int_eq(auth_admission(&stranger, true, &enrol), AUTH_ADMIT);
	ck_assert(enrol);
	/* a Google consumer account (no hd) does not vouch for the domain */
	ck_assert_int_eq(auth_admission(&stranger, false, &enrol), AUTH_REFUSE_NOT_MEMBER);
	ck_assert(!enrol);
	stranger.restricted = true;
	ck_assert_int_eq(auth_admission(&stranger, false, &enrol), AUTH_REFUSE_DOMAIN);
	struct auth_member other = {.restricted = false};
	ck_assert_int_eq(auth_admission(&other, true, &enrol), AUTH_REFUSE_NOT_MEMBER);
	other.restricted = true;
	ck_assert_int_eq(auth_admission(&other, true, &enrol), AUTH_REFUSE_DOMAIN);
}
END_TEST

START_TEST(text_checks)
{
	struct arena *a = arena_new(0);
	ck_assert_str_eq(auth_email_normalize(a, "  Priya.Raman@Lakeside.EXAMPLE \n"), "priya.raman@lakeside.example");
	const char *bad[] = {"", "x", "a@b", "no-at.example", "a@@b.example", "a b@c.example", "a@b..example", "a@.b.example",
			     "<a@b.example>", "a@b.example,c@d.example", "a@b_c.example", "\"q\"@b.example", NULL};
	for (int i = 0; bad[i]; i++)
		ck_assert_msg(auth_email_normalize(a, bad[i]) == NULL, "accepted %s", bad[i]);
	char longlocal[300];
	memset(longlocal, 'a', 70);
	snprintf(longlocal + 70, sizeof longlocal - 70, "@b.example");
	ck_assert_ptr_null(auth_email_normalize(a, longlocal));

	ck_assert_str_eq(auth_next_path("/schedule?week=2"), "/schedule?week=2");
	const char *unsafe[] = {NULL, "", "https://evil.example/", "//evil.example", "/\\evil.example", "/a b", "schedule",
				"/x\r\nSet-Cookie:a=b", NULL};
	for (int i = 1; unsafe[i]; i++)
		ck_assert_str_eq(auth_next_path(unsafe[i]), "/");
	ck_assert_str_eq(auth_next_path(NULL), "/");

	ck_assert(auth_token_shape_ok("OXn5f0Z3mixtj1Wp31B8Pmilz0rEokfsB3OPB6z4DTs"));
	ck_assert(!auth_token_shape_ok("OXn5f0Z3mixtj1Wp31B8Pmilz0rEokfsB3OPB6z4DT"));
	ck_assert(!auth_token_shape_ok("OXn5f0Z3mixtj1Wp31B8Pmilz0rEokfsB3OPB6z4DT="));
	ck_assert(!auth_token_shape_ok(NULL));

	ck_assert_str_eq(auth_api_scopes_parse(a, "api"), "{api}");
	ck_assert_str_eq(auth_api_scopes_parse(a, "mcp, api"), "{api,mcp}");
	ck_assert_ptr_null(auth_api_scopes_parse(a, ""));
	ck_assert_ptr_null(auth_api_scopes_parse(a, "admin"));
	ck_assert_ptr_null(auth_api_scopes_parse(a, "api,,mcp"));

	ck_assert_str_eq(auth_device_label(a, "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"),
			 "Firefox on Windows");
	ck_assert_str_eq(auth_device_label(a, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
					      "Version/17.0 Mobile/15E148 Safari/604.1"),
			 "Safari on iPhone");
	ck_assert_ptr_null(auth_device_label(a, "curl/8.0"));
	struct buf b;
	buf_init(&b, 0);
	ck_assert_int_eq(auth_url_encode(&b, "a b/c?d=é~"), ERR_OK);
	ck_assert_str_eq(b.data, "a%20b%2Fc%3Fd%3D%C3%A9~");
	buf_fini(&b);
	arena_free(a);
}
END_TEST

START_TEST(signed_values_are_bound_to_their_purpose)
{
	struct platform pf = {.secret = "test-secret-0123456789abcdef0123456789abcdef"};
	struct arena *a = arena_new(0);
	json_t *c = json_pack("{s:s}", "st", "x");
	char *text;
	struct errinfo ei = {0};
	ck_assert_int_eq(auth_signed_make(&pf, "oidc-state", c, 60, a, &text, &ei), ERR_OK);
	json_decref(c);
	json_t *back = NULL;
	ck_assert_int_eq(auth_signed_read(&pf, "oidc-state", text, &back, &ei), ERR_OK);
	ck_assert_str_eq(json_string_value(json_object_get(back, "st")), "x");
	json_decref(back);
	ck_assert_int_eq(auth_signed_read(&pf, "session", text, &back, &ei), ERR_UNAUTHORIZED);
	ck_assert_int_eq(auth_signed_read(&pf, "oidc-pending", text, &back, &ei), ERR_UNAUTHORIZED);
	struct platform other = {.secret = "another-secret-0123456789abcdef0123456789"};
	ck_assert_int_eq(auth_signed_read(&other, "oidc-state", text, &back, &ei), ERR_UNAUTHORIZED);
	char t1[64], t2[64];
	ck_assert_int_eq(auth_csrf_token(&pf, "11111111-1111-4111-8111-111111111111", t1), ERR_OK);
	ck_assert_int_eq(auth_csrf_token(&pf, "22222222-2222-4222-8222-222222222222", t2), ERR_OK);
	ck_assert_uint_eq(strlen(t1), 43);
	ck_assert_str_ne(t1, t2);
	arena_free(a);
}
END_TEST

/* ---- against the database ---------------------------------------------------------- */

static struct testdb T;
static struct platform pf;
static struct db_pool *pool;
static char tenant[37], restricted_tenant[37];

static void sql(const char *q) { ck_assert_msg(testdb_super_exec(&T, q) == 0, "%s", q); }

/* A tenant with people and an auth config; returns its id. */
static void make_tenant(const char *slug, const char *auth_json, char out[37])
{
	char q[2048];
	snprintf(q, sizeof q,
		 "WITH t AS (INSERT INTO tenants (slug, name, timezone, config_version) VALUES ('%s', 'Dept %s', 'America/Toronto', 1)"
		 " RETURNING id) INSERT INTO config_versions (tenant_id, number, actor_kind, document)"
		 " SELECT id, 1, 'SYSTEM', '{\"auth\": %s}' FROM t",
		 slug, slug, auth_json);
	sql(q);
	snprintf(q, sizeof q, "SELECT 1 FROM tenants WHERE slug = '%s'", slug);
	struct db *db = db_pool_get(pool);
	struct arena *a = arena_new(0);
	struct db_res *r;
	struct errinfo ei = {0};
	ck_assert_int_eq(DB_EXEC(db, a, &r, &ei, "SELECT id::text FROM tenant_by_slug($1)", slug), ERR_OK);
	snprintf(out, 37, "%s", db_res_val(r, 0, "id"));
	arena_free(a);
	db_pool_put(pool, db);
	snprintf(q, sizeof q,
		 "INSERT INTO users (tenant_id, email, name, role) VALUES ('%s', 'Admin@Lakeside.example', 'Dr. Ada Admin', 'ADMIN'),"
		 " ('%s', 'rad@lakeside.example', 'Dr. Rita Rad', 'RAD'), ('%s', 'locum@gmail.example', 'Dr. Lou Locum', 'RAD'),"
		 " ('%s', 'gone@lakeside.example', 'Dr. Gone', 'RAD')",
		 out, out, out, out);
	sql(q);
	snprintf(q, sizeof q, "UPDATE users SET active = false WHERE tenant_id = '%s' AND email = 'gone@lakeside.example'", out);
	sql(q);
}

static void db_setup(void)
{
	if (testdb_create("auth", &T))
		ck_abort_msg("cannot create test database");
	struct errinfo ei = {0};
	ck_assert_int_eq(db_pool_new(T.app, 3, &pool, &ei), ERR_OK);
	pf = (struct platform){.pool = pool, .share_dir = test_root(), .base_url = "http://127.0.0.1:9",
			       .secret = "test-secret-0123456789abcdef0123456789abcdef"};
	make_tenant("open", "{\"magicLinkEnabled\": true, \"allowedDomains\": [\"lakeside.example\"], \"domainRestrictedSignup\": false}",
		    tenant);
	make_tenant("closed", "{\"magicLinkEnabled\": true, \"allowedDomains\": [\"lakeside.example\"], \"domainRestrictedSignup\": true}",
		    restricted_tenant);
}

static void db_teardown(void) { db_pool_free(pool); }

static enum err signin(const char *tid, const char *email, bool vouched, struct auth_signin *s)
{
	*s = (struct auth_signin){.email = email, .method = "oidc", .domain_vouched = vouched, .ua = "test", .ip = "127.0.0.1"};
	struct errinfo ei = {0};
	return auth_signin_run(&pf, tid, NULL, s, &ei);
}

/* Authenticate a request carrying an access cookie for t signed under signer's secret. */
static enum err authenticate_signed(const struct platform *signer, const struct auth_issued *t, struct principal *p)
{
	struct arena *a = arena_new(0);
	char *access;
	struct errinfo ei = {0};
	ck_assert_int_eq(auth_access_token_make(signer, t, a, &access, &ei), ERR_OK);
	struct http_request *req = http_request_new(a);
	ck_assert_int_eq(http_request_set_target(req, "GET", "/api/v1/me"), ERR_OK);
	ck_assert_int_eq(http_request_add_header(req, "Cookie", arena_sprintf(a, "other=1; rs_session=%s", access)), ERR_OK);
	req->app = &pf;
	enum err e = web_session_authenticate(&pf, req, p);
	arena_free(a);
	return e;
}

static enum err authenticate(const struct auth_issued *t, struct principal *p) { return authenticate_signed(&pf, t, p); }

static long count(const char *q) { return testdb_super_long(&T, q); }

START_TEST(who_enters_where)
{
	struct auth_signin s;
	ck_assert_int_eq(signin(tenant, "admin@lakeside.example", false, &s), ERR_OK); /* case-insensitive match */
	ck_assert(!s.enrolled);
	ck_assert_int_eq(signin(tenant, "locum@gmail.example", false, &s), ERR_OK);     /* member outside the domains */
	ck_assert_int_eq(signin(restricted_tenant, "locum@gmail.example", true, &s), ERR_FORBIDDEN);
	ck_assert_int_eq(s.refusal, AUTH_REFUSE_DOMAIN);
	ck_assert_int_eq(signin(tenant, "gone@lakeside.example", true, &s), ERR_FORBIDDEN);
	ck_assert_int_eq(s.refusal, AUTH_REFUSE_DEACTIVATED);
	ck_assert_int_eq(signin(tenant, "stranger@elsewhere.example", true, &s), ERR_FORBIDDEN);
	ck_assert_int_eq(s.refusal, AUTH_REFUSE_NOT_MEMBER);
	/* domain enrolment needs a vouching sign-in */
	ck_assert_int_eq(signin(tenant, "newbie@lakeside.example", false, &s), ERR_FORBIDDEN);
	ck_assert_int_eq(count("SELECT count(*) FROM users WHERE email = 'newbie@lakeside.example'"), 0);
	ck_assert_int_eq(signin(tenant, "newbie@lakeside.example", true, &s), ERR_OK);
	ck_assert(s.enrolled);
	ck_assert_int_eq(count("SELECT count(*) FROM users WHERE email = 'newbie@lakeside.example' AND role = 'RAD'"
			       " AND NOT schedulable AND active"),
			 1);
	ck_assert_int_eq(count("SELECT count(*) FROM audit_log WHERE action = 'enrolled'"), 1);
	ck_assert_int_ge(count("SELECT count(*) FROM audit_log WHERE action = 'sign_in' AND actor_kind = 'USER'"
			       " AND actor_user_id IS NOT NULL"),
			 3);
	/* refusals changed nothing */
	ck_assert_int_eq(count("SELECT count(*) FROM auth_sessions"), 3);
	/* candidates across tenants: the admin is a person in both */
	struct arena *a = arena_new(0);
	struct auth_candidate *c;
	size_t n;
	struct errinfo ei = {0};
	ck_assert_int_eq(auth_candidates_find(&pf, a, "admin@lakeside.example", NULL, &c, &n, &ei), ERR_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(auth_candidates_find(&pf, a, "someone@lakeside.example", NULL, &c, &n, &ei), ERR_OK);
	ck_assert_uint_eq(n, 2); /* both list lakeside.example */
	ck_assert(!c[0].m.member && c[0].m.domain_allowed);
	ck_assert_int_eq(auth_candidates_find(&pf, a, "someone@gmail.example", NULL, &c, &n, &ei), ERR_OK);
	ck_assert_uint_eq(n, 0);
	arena_free(a);
}
END_TEST

START_TEST(sessions_rotate_and_end)
{
	struct auth_signin s;
	ck_assert_int_eq(signin(tenant, "rad@lakeside.example", false, &s), ERR_OK);
	struct principal p;
	ck_assert_int_eq(authenticate(&s.issued, &p), ERR_OK);
	ck_assert_str_eq(p.email, "rad@lakeside.example");
	ck_assert_int_eq(p.role, ROLE_RAD);
	ck_assert_str_eq(p.tenant_slug, "open");
	ck_assert_int_eq(p.via, VIA_SESSION);
	ck_assert_uint_eq(strlen(p.csrf), 43);

	/* rotation: the old token is spent, the new one works once */
	enum auth_rotate o;
	struct auth_issued t2, t3;
	struct errinfo ei = {0};
	ck_assert_int_eq(auth_refresh_rotate(&pf, s.issued.refresh, NULL, &o, &t2, &ei), ERR_OK);
	ck_assert_int_eq(o, AUTH_ROTATED);
	ck_assert_str_eq(t2.session_id, s.issued.session_id);
	ck_assert_str_ne(t2.refresh, s.issued.refresh);
	ck_assert_int_eq(authenticate(&t2, &p), ERR_OK);
	/* the spent token again: reuse, the family ends, the new token is dead too */
	ck_assert_int_eq(auth_refresh_rotate(&pf, s.issued.refresh, NULL, &o, &t3, &ei), ERR_OK);
	ck_assert_int_eq(o, AUTH_ROTATE_REUSED);
	ck_assert_int_eq(auth_refresh_rotate(&pf, t2.refresh, NULL, &o, &t3, &ei), ERR_OK);
	ck_assert_int_eq(o, AUTH_ROTATE_INVALID);
	ck_assert_int_eq(authenticate(&t2, &p), ERR_UNAUTHORIZED);
	ck_assert_int_eq(count("SELECT count(*) FROM auth_sessions WHERE revoked_reason = 'refresh_reuse'"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM audit_log WHERE action = 'session_revoked'"), 1);
	/* garbage and unknown tokens */
	ck_assert_int_eq(auth_refresh_rotate(&pf, "nonsense", NULL, &o, &t3, &ei), ERR_OK);
	ck_assert_int_eq(o, AUTH_ROTATE_INVALID);
	ck_assert_int_eq(auth_refresh_rotate(&pf, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL, &o, &t3, &ei), ERR_OK);
	ck_assert_int_eq(o, AUTH_ROTATE_INVALID);

	/* role change ends the session at once */
	ck_assert_int_eq(signin(tenant, "rad@lakeside.example", false, &s), ERR_OK);
	ck_assert_int_eq(authenticate(&s.issued, &p), ERR_OK);
	sql("UPDATE users SET role = 'CHIEF' WHERE email = 'rad@lakeside.example'");
	ck_assert_int_eq(authenticate(&s.issued, &p), ERR_UNAUTHORIZED);
	ck_assert_int_eq(auth_refresh_rotate(&pf, s.issued.refresh, NULL, &o, &t3, &ei), ERR_OK);
	ck_assert_int_eq(o, AUTH_ROTATE_INVALID);
	/* a new sign-in carries the new role; deactivation ends it */
	ck_assert_int_eq(signin(tenant, "rad@lakeside.example", false, &s), ERR_OK);
	ck_assert_int_eq(authenticate(&s.issued, &p), ERR_OK);
	ck_assert_int_eq(p.role, ROLE_CHIEF);
	sql("UPDATE users SET active = false WHERE email = 'rad@lakeside.example'");
	ck_assert_int_eq(authenticate(&s.issued, &p), ERR_UNAUTHORIZED);
	ck_assert_int_eq(count("SELECT count(*) FROM auth_sessions WHERE revoked_reason = 'deactivated'"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM auth_sessions WHERE revoked_reason = 'role_change'"), 1);
	sql("UPDATE users SET active = true WHERE email = 'rad@lakeside.example'");

	/* sign-out by refresh token, and by access token */
	ck_assert_int_eq(signin(tenant, "rad@lakeside.example", false, &s), ERR_OK);
	ck_assert_int_eq(auth_session_end_presented(&pf, s.issued.refresh, NULL, NULL, NULL, &ei), ERR_OK);
	ck_assert_int_eq(authenticate(&s.issued, &p), ERR_UNAUTHORIZED);
	ck_assert_int_eq(signin(tenant, "rad@lakeside.example", false, &s), ERR_OK);
	ck_assert_int_eq(auth_session_end_presented(&pf, NULL, s.issued.tenant_id, s.issued.session_id, NULL, &ei), ERR_OK);
	ck_assert_int_eq(authenticate(&s.issued, &p), ERR_UNAUTHORIZED);
	ck_assert_int_eq(count("SELECT count(*) FROM audit_log WHERE action = 'sign_out'"), 2);

	/* a forged access token (another secret) and a token naming another tenant */
	ck_assert_int_eq(signin(tenant, "rad@lakeside.example", false, &s), ERR_OK);
	struct platform other = pf;
	other.secret = "another-secret-0123456789abcdef0123456789";
	ck_assert_int_eq(authenticate_signed(&other, &s.issued, &p), ERR_UNAUTHORIZED);
	ck_assert_int_eq(authenticate(&s.issued, &p), ERR_OK);
	struct auth_issued forged = s.issued;
	snprintf(forged.tenant_id, sizeof forged.tenant_id, "%s", restricted_tenant);
	ck_assert_int_eq(authenticate(&forged, &p), ERR_UNAUTHORIZED); /* RLS: no such session there */

	/* housekeeping removes ended sessions (and their tokens), keeps live ones */
	long live = count("SELECT count(*) FROM auth_sessions WHERE revoked_at IS NULL");
	ck_assert_int_gt(count("SELECT count(*) FROM auth_sessions WHERE revoked_at IS NOT NULL"), 0);
	struct db *db = db_pool_get(pool);
	struct arena *a = arena_new(0);
	ck_assert_int_eq(DB_EXEC0(db, a, NULL, &ei, "SELECT auth_prune(interval '0 seconds')"), ERR_OK);
	arena_free(a);
	db_pool_put(pool, db);
	ck_assert_int_eq(count("SELECT count(*) FROM auth_sessions"), live);
	ck_assert_int_eq(count("SELECT count(*) FROM auth_refresh_tokens r WHERE NOT EXISTS (SELECT 1 FROM auth_sessions s"
			       " WHERE s.id = r.session_id)"),
			 0);
	ck_assert_int_eq(authenticate(&s.issued, &p), ERR_OK);
}
END_TEST

static enum auth_magic_state consume(const char *token, struct auth_signin *s, enum err *e)
{
	enum auth_magic_state st;
	char next[AUTH_NEXT_SIZE];
	struct errinfo ei = {0};
	*s = (struct auth_signin){.ua = "test", .ip = "127.0.0.1"};
	*e = auth_magic_link_consume(&pf, token, NULL, &st, s, next, &ei);
	return st;
}

START_TEST(magic_links_are_single_use)
{
	struct auth_magic_issue m = {.tenant_id = tenant, .email = "admin@lakeside.example", .next = "/account", .ip = "127.0.0.1"};
	struct errinfo ei = {0};
	ck_assert_int_eq(auth_magic_link_issue(&pf, &m, NULL, &ei), ERR_OK);
	const char *token = strstr(m.url, "token=") + 6;
	ck_assert_uint_eq(strlen(token), 43);
	ck_assert_int_eq(count("SELECT count(*) FROM magic_links WHERE length(token_hash) = 64"
			       " AND expires_at BETWEEN now() + interval '14 minutes' AND now() + interval '15 minutes'"),
			 1);
	/* the token itself is nowhere in the database */
	char q[256];
	snprintf(q, sizeof q, "SELECT count(*) FROM magic_links WHERE token_hash = '%s' OR next_path LIKE '%%%s%%'", token, token);
	ck_assert_int_eq(count(q), 0);
	/* looking (the GET page) consumes nothing, however often */
	struct auth_magic_view v;
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(auth_magic_link_peek(&pf, token, NULL, &v, &ei), ERR_OK);
		ck_assert_int_eq(v.state, AUTH_MAGIC_VALID);
	}
	ck_assert_str_eq(v.tenant_name, "Dept open");
	struct auth_signin s;
	enum err e;
	ck_assert_int_eq(consume(token, &s, &e), AUTH_MAGIC_VALID);
	ck_assert_int_eq(e, ERR_OK);
	struct principal p;
	ck_assert_int_eq(authenticate(&s.issued, &p), ERR_OK);
	ck_assert_str_eq(p.email, "Admin@Lakeside.example");
	/* reuse */
	ck_assert_int_eq(consume(token, &s, &e), AUTH_MAGIC_USED);
	ck_assert_int_eq(e, ERR_NOT_FOUND);
	ck_assert_int_eq(auth_magic_link_peek(&pf, token, NULL, &v, &ei), ERR_OK);
	ck_assert_int_eq(v.state, AUTH_MAGIC_USED);
	/* expiry */
	ck_assert_int_eq(auth_magic_link_issue(&pf, &m, NULL, &ei), ERR_OK);
	sql("UPDATE magic_links SET expires_at = now() - interval '1 second' WHERE consumed_at IS NULL");
	long sessions = count("SELECT count(*) FROM auth_sessions");
	ck_assert_int_eq(consume(strstr(m.url, "token=") + 6, &s, &e), AUTH_MAGIC_EXPIRED);
	ck_assert_int_eq(e, ERR_NOT_FOUND);
	ck_assert_int_eq(count("SELECT count(*) FROM magic_links WHERE consumed_at IS NULL"), 1);
	/* unknown and malformed */
	ck_assert_int_eq(consume("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &s, &e), AUTH_MAGIC_UNKNOWN);
	ck_assert_int_eq(consume("short", &s, &e), AUTH_MAGIC_UNKNOWN);
	ck_assert_int_eq(consume(NULL, &s, &e), AUTH_MAGIC_UNKNOWN);
	ck_assert_int_eq(count("SELECT count(*) FROM auth_sessions"), sessions);
	/* a link to a person deactivated since: refused, link left unconsumed */
	struct auth_magic_issue g = {.tenant_id = tenant, .email = "rad@lakeside.example", .next = "/", .ip = ""};
	ck_assert_int_eq(auth_magic_link_issue(&pf, &g, NULL, &ei), ERR_OK);
	sql("UPDATE users SET active = false WHERE email = 'rad@lakeside.example'");
	ck_assert_int_eq(consume(strstr(g.url, "token=") + 6, &s, &e), AUTH_MAGIC_UNKNOWN);
	ck_assert_int_eq(e, ERR_FORBIDDEN);
	ck_assert_int_eq(s.refusal, AUTH_REFUSE_DEACTIVATED);
	ck_assert_int_eq(count("SELECT count(*) FROM magic_links WHERE email = 'rad@lakeside.example' AND consumed_at IS NULL"), 1);
}
END_TEST

START_TEST(rate_limits_count_per_bucket)
{
	struct db *db = db_pool_get(pool);
	struct arena *a = arena_new(0);
	struct db_res *r;
	struct errinfo ei = {0};
	for (int i = 1; i <= 4; i++) {
		ck_assert_int_eq(DB_EXEC0(db, a, &r, &ei, "SELECT auth_rate_hit('t:x', 3, 60) AS ok"), ERR_OK);
		ck_assert_int_eq(db_res_bool(r, 0, "ok"), i <= 3);
	}
	ck_assert_int_eq(DB_EXEC0(db, a, &r, &ei, "SELECT auth_rate_hit('t:y', 3, 60) AS ok"), ERR_OK);
	ck_assert(db_res_bool(r, 0, "ok"));
	/* the runtime role cannot touch the table directly */
	ck_assert_int_eq(DB_EXEC0(db, a, &r, &ei, "DELETE FROM auth_rate_limits"), ERR_FORBIDDEN);
	arena_free(a);
	db_pool_put(pool, db);
	/* an old window starts again */
	sql("UPDATE auth_rate_limits SET window_start = now() - interval '2 minutes' WHERE bucket = 't:x'");
	db = db_pool_get(pool);
	a = arena_new(0);
	ck_assert_int_eq(DB_EXEC0(db, a, &r, &ei, "SELECT auth_rate_hit('t:x', 3, 60) AS ok"), ERR_OK);
	ck_assert(db_res_bool(r, 0, "ok"));
	arena_free(a);
	db_pool_put(pool, db);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("auth_session");
	TCase *pure = tcase_create("rules");
	tcase_set_timeout(pure, 30);
	tcase_add_test(pure, admission_rules);
	tcase_add_test(pure, text_checks);
	tcase_add_test(pure, signed_values_are_bound_to_their_purpose);
	suite_add_tcase(s, pure);
	TCase *db = tcase_create("database");
	tcase_add_checked_fixture(db, db_setup, db_teardown);
	tcase_set_timeout(db, 120);
	tcase_add_test(db, who_enters_where);
	tcase_add_test(db, sessions_rotate_and_end);
	tcase_add_test(db, magic_links_are_single_use);
	tcase_add_test(db, rate_limits_count_per_bucket);
	suite_add_tcase(s, db);
	return s;
}
