/* Config versions through the domain: validated saves (nothing saved when invalid), patches
 * on a base version with test operations, stale bases and two concurrent patches (one wins,
 * one gets ERR_CONFLICT with the current number), diffs, immutability and audit rows. */
#include <pthread.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

#include "domain/config_store.h"
#include "json/json_patch.h"
#include "json/json_value.h"
#include "test_sched_fixture.h"

static struct fx F;

static void setup(void) { fx_open(&F, "cfgv"); }
static void teardown(void) { fx_close(&F); }

static json_t *patch_of(const char *text)
{
	json_t *p;
	struct errinfo ei = {0};
	ck_assert_int_eq(json_parse_strict(text, strlen(text), NULL, &p, &ei), ERR_OK);
	return p;
}

static enum err commit_patch(struct db *db, struct arena *a, int base, const char *text, struct config_saved *out,
			     struct errinfo *ei)
{
	json_t *p = patch_of(text);
	struct config_save in = {.patch = p, .base = base, .message = "test"};
	enum err e = config_store_commit(db, a, &in, out, ei);
	json_decref(p);
	return e;
}

START_TEST(patch_on_base_makes_next_version_with_audit)
{
	struct config_saved s;
	struct errinfo ei = {0};
	fx_begin(&F);
	ck_assert_msg(commit_patch(F.db, F.a, 1,
				   "[{\"op\":\"test\",\"path\":\"/rules/maxConsecutiveWorkingDays\",\"value\":7},"
				   " {\"op\":\"replace\",\"path\":\"/rules/maxConsecutiveWorkingDays\",\"value\":8}]",
				   &s, &ei) == ERR_OK,
		      "%s %s", ei.path, ei.message);
	ck_assert_int_eq(s.number, 2);
	json_decref(s.document);
	int cur;
	json_t *doc;
	ck_assert_int_eq(config_store_current(F.db, F.a, &cur, &doc, &ei), ERR_OK);
	ck_assert_int_eq(cur, 2);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(doc, "rules"), "maxConsecutiveWorkingDays")), 8);
	json_decref(doc);
	/* the diff between the two versions is exactly the change */
	json_t *d;
	ck_assert_int_eq(config_store_diff(F.db, F.a, 1, 2, &d, &ei), ERR_OK);
	json_t *want = patch_of("[{\"op\":\"replace\",\"path\":\"/rules/maxConsecutiveWorkingDays\",\"value\":8}]");
	ck_assert(json_value_equal(d, want));
	json_decref(want);
	json_decref(d);
	/* a version as the API shows it */
	json_t *v;
	ck_assert_int_eq(config_store_get(F.db, F.a, 2, false, &v, &ei), ERR_OK);
	ck_assert_int_eq(json_integer_value(json_object_get(v, "parent")), 1);
	ck_assert_str_eq(json_string_value(json_object_get(v, "actorKind")), "USER");
	ck_assert_str_eq(json_string_value(json_object_get(v, "actorUserId")), F.admin);
	ck_assert(json_is_true(json_object_get(v, "current")));
	ck_assert_ptr_null(json_object_get(v, "document"));
	json_decref(v);
	fx_commit(&F);
	ck_assert_int_eq(fx_count(&F, "SELECT count(*) FROM audit_log WHERE entity = 'config_versions' AND entity_id IS NULL"
				      " AND action = 'INSERT' AND actor_kind = 'USER' AND request_id = 'req-test'"
				      " AND after->>'number' = '2' AND NOT (after ?| ARRAY['document', 'feed_config', 'feed_tz'])"),
			 1);
	ck_assert_int_eq(fx_count(&F, "SELECT count(*) FROM audit_log WHERE entity = 'tenants' AND action = 'UPDATE'"
				      " AND after->>'config_version' = '2' AND actor_user_id = '%s'",
				      F.admin),
			 1);
}
END_TEST

START_TEST(stale_base_and_failed_test_are_conflicts)
{
	struct config_saved s;
	struct errinfo ei = {0};
	fx_begin(&F);
	ck_assert_int_eq(commit_patch(F.db, F.a, 1, "[{\"op\":\"replace\",\"path\":\"/ics/windowDaysBack\",\"value\":10}]", &s,
				      &ei),
			 ERR_OK);
	json_decref(s.document);
	/* made against version 1, but 2 is current */
	ck_assert_int_eq(commit_patch(F.db, F.a, 1, "[{\"op\":\"replace\",\"path\":\"/ics/windowDaysBack\",\"value\":11}]", &s,
				      &ei),
			 ERR_CONFLICT);
	ck_assert_str_eq(ei.path, "/baseVersion");
	ck_assert_int_eq(s.current, 2);
	ck_assert_ptr_nonnull(strstr(ei.message, "current version is 2"));
	/* a failing test operation */
	ck_assert_int_eq(commit_patch(F.db, F.a, 2,
				      "[{\"op\":\"replace\",\"path\":\"/ics/windowDaysBack\",\"value\":12},"
				      " {\"op\":\"test\",\"path\":\"/timezone\",\"value\":\"Europe/Paris\"}]",
				      &s, &ei),
			 ERR_CONFLICT);
	ck_assert_str_eq(ei.path, "/patch/1");
	json_decref(s.document);
	/* an operation that cannot apply */
	ck_assert_int_eq(commit_patch(F.db, F.a, 2, "[{\"op\":\"remove\",\"path\":\"/nope\"}]", &s, &ei), ERR_INVALID);
	ck_assert_str_eq(ei.path, "/patch/0");
	/* no change at all */
	ck_assert_int_eq(commit_patch(F.db, F.a, 2, "[]", &s, &ei), ERR_INVALID);
	json_decref(s.document);
	fx_commit(&F);
	ck_assert_int_eq(fx_count(&F, "SELECT count(*) FROM config_versions"), 2);
}
END_TEST

START_TEST(invalid_document_is_never_saved)
{
	struct config_saved s;
	struct errinfo ei = {0};
	fx_begin(&F);
	/* schema error (unknown member), semantic error (unknown shift type), unknown person */
	ck_assert_int_eq(commit_patch(F.db, F.a, 1,
				      "[{\"op\":\"add\",\"path\":\"/rules/maxConsecutiveWorkingDay\",\"value\":3},"
				      " {\"op\":\"add\",\"path\":\"/coverage/requirements/-\",\"value\":{\"shiftType\":\"NOPE\",\"count\":1}},"
				      " {\"op\":\"add\",\"path\":\"/eligibility/lists/0/people/-\",\"value\":\"ghost@lakeside.example\"}]",
				      &s, &ei),
			 ERR_INVALID);
	ck_assert_int_ge(s.report.n_errors, 3);
	bool unknown_prop = false, unknown_shift = false, unknown_person = false;
	for (size_t i = 0; i < s.report.n; i++) {
		const struct config_problem *p = &s.report.v[i];
		unknown_prop |= !strcmp(p->code, "SCHEMA_UNKNOWN_PROPERTY") && !strcmp(p->pointer, "/rules/maxConsecutiveWorkingDay");
		unknown_shift |= !strcmp(p->code, "UNKNOWN_SHIFT_TYPE");
		unknown_person |= !strcmp(p->code, "UNKNOWN_PERSON");
	}
	ck_assert(unknown_prop && unknown_shift && unknown_person);
	json_decref(s.document);
	/* a full document that is not even an object of the right shape */
	json_t *bad = json_pack("{s:i}", "schemaVersion", 2);
	struct config_save in = {.document = bad, .base = 1};
	ck_assert_int_eq(config_store_commit(F.db, F.a, &in, &s, &ei), ERR_INVALID);
	ck_assert_int_gt(s.report.n_errors, 5);
	json_decref(s.document);
	json_decref(bad);
	/* dry run: valid, nothing saved */
	json_t *p = patch_of("[{\"op\":\"replace\",\"path\":\"/ics/windowDaysBack\",\"value\":5}]");
	struct config_save dry = {.patch = p, .base = 1, .dry_run = true};
	ck_assert_int_eq(config_store_commit(F.db, F.a, &dry, &s, &ei), ERR_OK);
	ck_assert_int_eq(s.number, 0);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(s.document, "ics"), "windowDaysBack")), 5);
	json_decref(s.document);
	json_decref(p);
	fx_commit(&F);
	ck_assert_int_eq(fx_count(&F, "SELECT count(*) FROM config_versions"), 1);
	ck_assert_int_eq(fx_count(&F, "SELECT config_version FROM tenants WHERE slug = 'lakeside'"), 1);
}
END_TEST

START_TEST(versions_are_immutable)
{
	struct errinfo ei = {0};
	struct db_res *r;
	fx_begin(&F);
	ck_assert_int_eq(DB_EXEC0(F.db, F.a, &r, &ei, "UPDATE config_versions SET message = 'rewritten'"), ERR_FORBIDDEN);
	db_rollback(F.db);
	fx_begin(&F);
	ck_assert_int_eq(DB_EXEC0(F.db, F.a, &r, &ei, "DELETE FROM config_versions"), ERR_FORBIDDEN);
	db_rollback(F.db);
	/* not even the superuser */
	ck_assert_int_ne(testdb_super_exec(&F.t, "UPDATE config_versions SET message = 'x'"), 0);
	ck_assert_int_eq(fx_count(&F, "SELECT count(*) FROM config_versions WHERE message = 'demo'"), 1);
}
END_TEST

START_TEST(list_pages_newest_first)
{
	struct errinfo ei = {0};
	fx_begin(&F);
	for (int i = 0; i < 4; i++) {
		struct config_saved s;
		char p[128];
		snprintf(p, sizeof p, "[{\"op\":\"replace\",\"path\":\"/ics/windowDaysBack\",\"value\":%d}]", 40 + i);
		ck_assert_int_eq(commit_patch(F.db, F.a, 1 + i, p, &s, &ei), ERR_OK);
		json_decref(s.document);
	}
	struct dbjson_page pg;
	ck_assert_int_eq(config_store_list(F.db, F.a, 2, NULL, &pg, &ei), ERR_OK);
	ck_assert_int_eq(json_array_size(pg.items), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(pg.items, 0), "number")), 5);
	ck_assert_ptr_nonnull(pg.next_cursor);
	const char *key;
	ck_assert_int_eq(dbjson_cursor_key(F.a, pg.next_cursor, &key, &ei), ERR_OK);
	json_decref(pg.items);
	ck_assert_int_eq(config_store_list(F.db, F.a, 2, key, &pg, &ei), ERR_OK);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(pg.items, 0), "number")), 3);
	json_decref(pg.items);
	ck_assert_int_eq(dbjson_cursor_key(F.a, "!!", &key, &ei), ERR_INVALID);
	fx_commit(&F);
}
END_TEST

/* Two patches on the same base from two connections at once: one wins, one conflicts. */
struct racer {
	struct fx *f;
	pthread_barrier_t *go;
	int value;
	enum err result;
	int current;
};

static void *race(void *arg)
{
	struct racer *r = arg;
	struct db *db;
	struct errinfo ei = {0};
	if (db_connect(r->f->t.app, &db, &ei) != ERR_OK)
		return NULL;
	struct arena *a = arena_new(0);
	struct db_ctx ctx = {.tenant_id = r->f->tenant, .user_id = r->f->admin, .actor = DB_ACTOR_USER};
	pthread_barrier_wait(r->go);
	r->result = db_begin(db, &ctx, &ei);
	char p[128];
	snprintf(p, sizeof p, "[{\"op\":\"replace\",\"path\":\"/ics/windowDaysBack\",\"value\":%d}]", r->value);
	struct config_saved s = {0};
	if (!r->result)
		r->result = commit_patch(db, a, 1, p, &s, &ei);
	r->current = s.current;
	json_decref(s.document);
	if (!r->result)
		r->result = db_commit(db, &ei);
	else
		db_rollback(db);
	arena_free(a);
	db_close(db);
	return NULL;
}

START_TEST(two_patches_on_one_base_one_wins)
{
	pthread_barrier_t go;
	pthread_barrier_init(&go, NULL, 2);
	struct racer r[2] = {{&F, &go, 21, ERR_INTERNAL, 0}, {&F, &go, 22, ERR_INTERNAL, 0}};
	pthread_t th[2];
	for (int i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, race, &r[i]);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&go);
	int ok = (r[0].result == ERR_OK) + (r[1].result == ERR_OK);
	int conflict = (r[0].result == ERR_CONFLICT) + (r[1].result == ERR_CONFLICT);
	ck_assert_int_eq(ok, 1);
	ck_assert_int_eq(conflict, 1);
	ck_assert_int_eq(r[0].result == ERR_CONFLICT ? r[0].current : r[1].current, 2);
	ck_assert_int_eq(fx_count(&F, "SELECT count(*) FROM config_versions"), 2);
}
END_TEST

/* Shift times follow the config from today on (docs/config.md, "Changing shift times"). */
#define TODAY "(now() AT TIME ZONE 'America/Toronto')::date"
static long ovn_start_hour(const char *day)
{
	return fx_count(&F, "SELECT extract(hour FROM start_at AT TIME ZONE 'America/Toronto')::int FROM assignments"
			    " WHERE shift_code = 'OVN' AND day = %s",
			day);
}

START_TEST(a_config_save_retimes_assignments_from_today_on)
{
	struct config_saved s;
	struct errinfo ei = {0};
	fx_begin(&F);
	ck_assert_int_eq(DB_EXEC0(F.db, F.a, NULL, &ei,
				  "WITH p AS (INSERT INTO periods (tenant_id, name, start_date, end_date)"
				  "  VALUES (app_tenant(), 'Now', " TODAY " - 5, " TODAY " + 5) RETURNING id),"
				  " u AS (SELECT id FROM users ORDER BY email LIMIT 1)"
				  " INSERT INTO assignments (tenant_id, period_id, day, shift_code, user_id, all_day, start_at, end_at)"
				  " SELECT app_tenant(), p.id, x.day, x.code, u.id, x.code = 'IR_CALL',"
				  "   CASE WHEN x.code = 'OVN' THEN (shift_instants(x.day, '23:00', '08:00', 'America/Toronto')).start_at END,"
				  "   CASE WHEN x.code = 'OVN' THEN (shift_instants(x.day, '23:00', '08:00', 'America/Toronto')).end_at END"
				  " FROM p, u, (VALUES (" TODAY " - 1, 'OVN'), (" TODAY " + 1, 'OVN'), (" TODAY " + 1, 'IR_CALL'))"
				  "   x(day, code)"),
			 ERR_OK);
	/* OVN from 22:00; IR call becomes a timed 17:00-08:00 shift (shift types 11 and 15) */
	ck_assert_msg(commit_patch(F.db, F.a, 1,
				   "[{\"op\":\"test\",\"path\":\"/shiftTypes/11/code\",\"value\":\"OVN\"},"
				   " {\"op\":\"replace\",\"path\":\"/shiftTypes/11/start\",\"value\":\"22:00\"},"
				   " {\"op\":\"test\",\"path\":\"/shiftTypes/15/code\",\"value\":\"IR_CALL\"},"
				   " {\"op\":\"replace\",\"path\":\"/shiftTypes/15/kind\",\"value\":\"timed\"},"
				   " {\"op\":\"add\",\"path\":\"/shiftTypes/15/start\",\"value\":\"17:00\"},"
				   " {\"op\":\"add\",\"path\":\"/shiftTypes/15/end\",\"value\":\"08:00\"}]",
				   &s, &ei) == ERR_OK,
		      "%s %s", ei.path, ei.message);
	json_decref(s.document);
	ck_assert_int_eq(s.retimed, 2);
	fx_commit(&F);
	ck_assert_int_eq(ovn_start_hour(TODAY " + 1"), 22);
	ck_assert_int_eq(ovn_start_hour(TODAY " - 1"), 23); /* worked before the change: kept */
	ck_assert_int_eq(fx_count(&F, "SELECT count(*) FROM assignments WHERE shift_code = 'IR_CALL' AND NOT all_day"
				      " AND start_at = ((" TODAY " + 1) + time '17:00') AT TIME ZONE 'America/Toronto'"
				      " AND end_at = ((" TODAY " + 2) + time '08:00') AT TIME ZONE 'America/Toronto'"),
			 1);
	/* back to an all-day call: no times; a save that touches no shift type moves nothing */
	fx_begin(&F);
	ck_assert_int_eq(commit_patch(F.db, F.a, 2,
				      "[{\"op\":\"replace\",\"path\":\"/shiftTypes/15/kind\",\"value\":\"allDay\"},"
				      " {\"op\":\"remove\",\"path\":\"/shiftTypes/15/start\"},"
				      " {\"op\":\"remove\",\"path\":\"/shiftTypes/15/end\"}]",
				      &s, &ei),
			 ERR_OK);
	json_decref(s.document);
	ck_assert_int_eq(s.retimed, 1);
	ck_assert_int_eq(commit_patch(F.db, F.a, 3,
				      "[{\"op\":\"replace\",\"path\":\"/rules/maxConsecutiveWorkingDays\",\"value\":8}]", &s, &ei),
			 ERR_OK);
	json_decref(s.document);
	ck_assert_int_eq(s.retimed, 0);
	fx_commit(&F);
	ck_assert_int_eq(fx_count(&F, "SELECT count(*) FROM assignments WHERE shift_code = 'IR_CALL' AND all_day"
				      " AND start_at IS NULL AND end_at IS NULL"),
			 1);
	/* each move is in the audit trail with the actor of the save */
	ck_assert_int_eq(fx_count(&F, "SELECT count(*) FROM audit_log WHERE entity = 'assignments' AND action = 'UPDATE'"
				      " AND actor_user_id = '%s'",
				      F.admin),
			 3);
}
END_TEST

/* A new time that cannot exist on a coming day (inside the hour the spring-forward change
 * skips, the shift would end before it starts): the save is refused, naming the shift type
 * and the day, and nothing moves. */
START_TEST(a_time_the_clocks_skip_refuses_the_save)
{
	struct config_saved s;
	struct errinfo ei = {0};
	const char *spring = "(SELECT d::date FROM generate_series(" TODAY ", " TODAY " + 400, interval '1 day') d"
			     " WHERE extract(month FROM d) = 3 AND extract(dow FROM d) = 0"
			     " AND extract(day FROM d) BETWEEN 8 AND 14 LIMIT 1)";
	char sql[1200];
	snprintf(sql, sizeof sql,
		 "WITH p AS (INSERT INTO periods (tenant_id, name, start_date, end_date)"
		 "  VALUES (app_tenant(), 'Spring', %s, %s) RETURNING id),"
		 " u AS (SELECT id FROM users ORDER BY email LIMIT 1)"
		 " INSERT INTO assignments (tenant_id, period_id, day, shift_code, user_id, all_day)"
		 " SELECT app_tenant(), p.id, %s, 'IR_CALL', u.id, true FROM p, u",
		 spring, spring, spring);
	fx_begin(&F);
	ck_assert_int_eq(DB_EXEC0(F.db, F.a, NULL, &ei, sql), ERR_OK);
	fx_commit(&F);
	fx_begin(&F);
	ck_assert_int_eq(commit_patch(F.db, F.a, 1,
				      "[{\"op\":\"replace\",\"path\":\"/shiftTypes/15/kind\",\"value\":\"timed\"},"
				      " {\"op\":\"add\",\"path\":\"/shiftTypes/15/start\",\"value\":\"02:30\"},"
				      " {\"op\":\"add\",\"path\":\"/shiftTypes/15/end\",\"value\":\"03:00\"}]",
				      &s, &ei),
			 ERR_INVALID);
	json_decref(s.document);
	db_rollback(F.db);
	ck_assert_str_eq(ei.path, "/shiftTypes/15");
	ck_assert_msg(strstr(ei.message, "IR_CALL on ") && strstr(ei.message, "would end before it starts in America/Toronto"),
		      "%s", ei.message);
	ck_assert_int_eq(fx_count(&F, "SELECT config_version FROM tenants WHERE slug = 'lakeside'"), 1);
	ck_assert_int_eq(fx_count(&F, "SELECT count(*) FROM assignments WHERE shift_code = 'IR_CALL' AND all_day"), 1);
}
END_TEST

/* A zone the server's tz database has but PostgreSQL's does not (here a copy of Toronto's
 * rules under a new name in a private TZDIR): refused at /timezone before anything is saved,
 * since PostgreSQL computes every instant. */
START_TEST(a_zone_the_database_does_not_know_is_refused)
{
	char dir[] = "/tmp/rstzXXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char sub[64], file[96], cmd[300];
	snprintf(sub, sizeof sub, "%s/Test", dir);
	snprintf(file, sizeof file, "%s/Zone", sub);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	snprintf(cmd, sizeof cmd, "cp /usr/share/zoneinfo/America/Toronto %s", file);
	ck_assert_int_eq(system(cmd), 0);
	setenv("TZDIR", dir, 1);
	json_t *doc = test_json_file("config/demo/lakeside.json");
	json_object_set_new(doc, "timezone", json_string("Test/Zone"));
	struct config_report rep;
	struct errinfo ei = {0};
	fx_begin(&F);
	ck_assert_int_eq(config_store_validate(F.db, F.a, doc, &rep, &ei), ERR_INVALID);
	db_rollback(F.db);
	ck_assert_uint_eq(rep.n_errors, 1);
	ck_assert_str_eq(rep.v[0].pointer, "/timezone");
	ck_assert_str_eq(rep.v[0].code, "INVALID_TIMEZONE");
	ck_assert_ptr_nonnull(strstr(rep.v[0].message, "the database knows"));
	/* the same document with a zone both know is valid */
	json_object_set_new(doc, "timezone", json_string("America/Toronto"));
	setenv("TZDIR", "/usr/share/zoneinfo", 1);
	fx_begin(&F);
	ck_assert_int_eq(config_store_validate(F.db, F.a, doc, &rep, &ei), ERR_OK);
	db_rollback(F.db);
	json_decref(doc);
	unlink(file);
	rmdir(sub);
	rmdir(dir);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("config_versions");
	TCase *tc = tcase_create("versions");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, patch_on_base_makes_next_version_with_audit);
	tcase_add_test(tc, stale_base_and_failed_test_are_conflicts);
	tcase_add_test(tc, invalid_document_is_never_saved);
	tcase_add_test(tc, versions_are_immutable);
	tcase_add_test(tc, list_pages_newest_first);
	tcase_add_test(tc, two_patches_on_one_base_one_wins);
	tcase_add_test(tc, a_config_save_retimes_assignments_from_today_on);
	tcase_add_test(tc, a_time_the_clocks_skip_refuses_the_save);
	tcase_add_test(tc, a_zone_the_database_does_not_know_is_refused);
	suite_add_tcase(s, tc);
	return s;
}
