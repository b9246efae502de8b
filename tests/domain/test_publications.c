/* Periods, publications and the published view feeds read; vacation requests; people;
 * idempotency keys; tenant isolation of the new table. */
#include "domain/assignments.h"
#include "domain/idempotency.h"
#include "domain/periods.h"
#include "domain/publications.h"
#include "domain/vacation.h"
#include "test_sched_fixture.h"

static struct fx F;

static void setup(void) { fx_open(&F, "pub"); }
static void teardown(void) { fx_close(&F); }

static const char *str(const json_t *a, const char *k) { return json_string_value(json_object_get(a, k)); }

static const char *new_period(const char *from, const char *to)
{
	json_t *in = json_pack("{s:s, s:s, s:s}", "name", "P", "startDate", from, "endDate", to), *out;
	struct problems pr;
	problems_init(&pr, F.a);
	struct errinfo ei = {0};
	ck_assert_msg(period_create(F.db, F.a, in, &out, &pr, &ei) == ERR_OK, "%s", ei.message);
	const char *id = arena_strdup(F.a, str(out, "id"));
	json_decref(in);
	json_decref(out);
	return id;
}

static const char *add(const char *per, const char *day, const char *code, const char *email)
{
	struct errinfo ei = {0};
	struct problems pr;
	problems_init(&pr, F.a);
	struct assignment_in in = {.period_id = per, .day = day, .shift_code = code, .user_id = fx_user(&F, email)};
	json_t *o;
	ck_assert_msg(assignment_create(F.db, F.a, &in, &o, &pr, &ei) == ERR_OK, "%s %s", ei.message,
		      pr.n ? pr.v[0].message : "");
	const char *id = arena_strdup(F.a, str(o, "id"));
	json_decref(o);
	return id;
}

static json_t *publish(const char *per, bool *created)
{
	struct errinfo ei = {0};
	json_t *o;
	ck_assert_msg(publication_publish(F.db, F.a, per, &o, created, &ei) == ERR_OK, "%s", ei.message);
	return o;
}

START_TEST(publish_snapshots_and_maintains_feeds)
{
	fx_begin(&F);
	const char *per = new_period("2026-02-02", "2026-02-08");
	const char *a1 = add(per, "2026-02-02", "NEURO_D", "daniel.hughes@lakeside.example");
	const char *a2 = add(per, "2026-02-03", "NEURO_D", "priya.raman@lakeside.example");
	const char *a3 = add(per, "2026-02-04", "IR_CALL", "victor.nguyen@lakeside.example");
	(void)a3;
	bool created;
	json_t *p = publish(per, &created);
	ck_assert(created);
	ck_assert_int_eq(json_integer_value(json_object_get(p, "number")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(p, "assignmentCount")), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(p, "changedEvents")), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(p, "affectedPeople")), 3);
	const char *hash1 = arena_strdup(F.a, str(p, "contentHash"));
	ck_assert_int_eq(strlen(hash1), 64);
	json_decref(p);
	fx_commit(&F);
	ck_assert_int_eq(fx_count(&F, "SELECT count(*) FROM published_events WHERE sequence = 0"), 3);
	ck_assert_int_eq(fx_count(&F, "SELECT count(*) FROM published_events WHERE all_day AND start_at IS NULL"), 1);
	ck_assert_int_eq(fx_count(&F, "SELECT count(*) FROM feed_state f JOIN published_events e ON e.user_id::text = f.feed_key"),
			 3);
	ck_assert_int_eq(fx_count(&F, "SELECT count(*) FROM feed_state WHERE feed_key = 'master'"), 1);
	ck_assert_int_eq(fx_count(&F, "SELECT count(*) FROM periods WHERE status = 'published' AND config_number = 1"), 1);

	/* the same content again: nothing new */
	fx_begin(&F);
	p = publish(per, &created);
	ck_assert(!created);
	ck_assert_int_eq(json_integer_value(json_object_get(p, "number")), 1);
	json_decref(p);
	fx_commit(&F);

	/* reassign a1, delete a2, add one: publication 2 */
	/* an hour ago (triggers off: they never let clocks go back) */
	ck_assert_int_eq(testdb_super_exec(&F.t, "SET session_replication_role = replica;"
						 " UPDATE feed_state SET changed_at = now() - interval '1 hour';"
						 " UPDATE published_events SET last_modified = now() - interval '1 hour'"),
			 0);
	struct errinfo ei = {0};
	struct problems pr;
	json_t *o;
	fx_begin(&F);
	problems_init(&pr, F.a);
	const char *samuel = fx_user(&F, "samuel.lavoie@lakeside.example");
	const char *daniel = fx_user(&F, "daniel.hughes@lakeside.example");
	const char *priya = fx_user(&F, "priya.raman@lakeside.example");
	ck_assert_int_eq(assignment_update(F.db, F.a, a1, samuel, -1, NULL, &o, &pr, &ei), ERR_OK);
	json_decref(o);
	ck_assert_int_eq(assignment_delete(F.db, F.a, a2, &ei), ERR_OK);
	add(per, "2026-02-05", "BODY_D", "marc.tremblay@lakeside.example");
	json_t *period;
	ck_assert_int_eq(period_get(F.db, F.a, per, &period, &ei), ERR_OK);
	ck_assert(json_is_true(json_object_get(period, "unpublishedChanges")));
	json_decref(period);
	p = publish(per, &created);
	ck_assert(created);
	ck_assert_int_eq(json_integer_value(json_object_get(p, "number")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(p, "changedEvents")), 3); /* updated, deleted, added */
	ck_assert_int_eq(json_integer_value(json_object_get(p, "affectedPeople")), 4); /* daniel, samuel, priya, marc */
	ck_assert_str_ne(str(p, "contentHash"), hash1);
	json_decref(p);
	fx_commit(&F);
	ck_assert_int_eq(fx_count(&F, "SELECT sequence FROM published_events WHERE assignment_id = '%s' AND user_id = '%s'"
				      " AND last_modified > now() - interval '1 minute'",
				      a1, samuel),
			 1);
	ck_assert_int_eq(fx_count(&F, "SELECT count(*) FROM published_events WHERE assignment_id = '%s'", a2), 0);
	/* the unchanged IR_CALL event did not move */
	ck_assert_int_eq(fx_count(&F, "SELECT count(*) FROM published_events WHERE shift_code = 'IR_CALL' AND sequence = 0"
				      " AND last_modified < now() - interval '30 minutes'"),
			 1);
	/* feeds that changed moved (deletion included), the others did not */
	ck_assert_int_eq(fx_count(&F, "SELECT count(*) FROM feed_state WHERE changed_at > now() - interval '1 minute'"
				      " AND feed_key IN ('master', '%s', '%s', '%s')",
				      daniel, samuel, priya),
			 4);
	ck_assert_int_eq(fx_count(&F, "SELECT count(*) FROM feed_state f JOIN users u ON u.id::text = f.feed_key"
				      " WHERE u.email = 'victor.nguyen@lakeside.example' AND f.changed_at < now() - interval '30 minutes'"),
			 1);
	/* publications are immutable; a published period is kept */
	ck_assert_int_ne(testdb_super_exec(&F.t, "UPDATE publications SET content_hash = 'x'"), 0);
	ck_assert_int_ne(testdb_super_exec(&F.t, "DELETE FROM publications"), 0);
	fx_begin(&F);
	ck_assert_int_eq(period_delete(F.db, F.a, per, &ei), ERR_CONFLICT);
	db_rollback(F.db);
	/* audit */
	ck_assert_int_eq(fx_count(&F, "SELECT count(*) FROM audit_log WHERE action = 'period.publish' AND entity_id = '%s'"
				      " AND actor_kind = 'USER' AND request_id = 'req-test'",
				      per),
			 2);
	ck_assert_int_eq(fx_count(&F, "SELECT count(*) FROM audit_log WHERE entity = 'publications' AND action = 'INSERT'"
				      " AND NOT (after ? 'snapshot')"),
			 2);
	/* the stored snapshot */
	fx_begin(&F);
	ck_assert_int_eq(publication_get(F.db, F.a, per, 1, &p, &ei), ERR_OK);
	ck_assert_int_eq(json_array_size(json_object_get(json_object_get(p, "snapshot"), "assignments")), 3);
	json_decref(p);
	ck_assert_int_eq(publication_get(F.db, F.a, per, 3, &p, &ei), ERR_NOT_FOUND);
	db_rollback(F.db);
}
END_TEST

START_TEST(periods_do_not_overlap_and_keep_their_assignments)
{
	struct errinfo ei = {0};
	struct problems pr;
	fx_begin(&F);
	const char *p1 = new_period("2026-03-02", "2026-03-29");
	json_t *in = json_pack("{s:s, s:s, s:s}", "name", "Overlap", "startDate", "2026-03-20", "endDate", "2026-04-10"), *o;
	problems_init(&pr, F.a);
	ck_assert_int_eq(period_create(F.db, F.a, in, &o, &pr, &ei), ERR_CONFLICT);
	ck_assert_str_eq(pr.v[0].code, "PERIOD_OVERLAP");
	json_decref(in);
	in = json_pack("{s:s, s:s, s:s}", "name", "Reversed", "startDate", "2026-05-20", "endDate", "2026-05-10");
	problems_init(&pr, F.a);
	ck_assert_int_eq(period_create(F.db, F.a, in, &o, &pr, &ei), ERR_INVALID);
	ck_assert_str_eq(pr.v[0].pointer, "/endDate");
	json_decref(in);
	add(p1, "2026-03-25", "NEURO_D", "daniel.hughes@lakeside.example");
	in = json_pack("{s:s}", "endDate", "2026-03-20");
	problems_init(&pr, F.a);
	ck_assert_int_eq(period_update(F.db, F.a, p1, in, &o, &pr, &ei), ERR_CONFLICT);
	ck_assert_str_eq(pr.v[0].code, "ASSIGNMENTS_OUTSIDE");
	json_decref(in);
	in = json_pack("{s:s}", "name", "March block");
	problems_init(&pr, F.a);
	ck_assert_int_eq(period_update(F.db, F.a, p1, in, &o, &pr, &ei), ERR_OK);
	ck_assert_str_eq(str(o, "name"), "March block");
	ck_assert_int_eq(json_integer_value(json_object_get(o, "assignmentCount")), 1);
	json_decref(o);
	json_decref(in);
	/* a draft period is deleted with its assignments */
	ck_assert_int_eq(period_delete(F.db, F.a, p1, &ei), ERR_OK);
	ck_assert_int_eq(period_delete(F.db, F.a, p1, &ei), ERR_NOT_FOUND);
	fx_commit(&F);
	ck_assert_int_eq(fx_count(&F, "SELECT count(*) FROM assignments"), 0);
}
END_TEST

START_TEST(vacation_requests_flow)
{
	struct errinfo ei = {0};
	struct problems pr;
	json_t *o;
	fx_begin(&F);
	const char *kim = fx_user(&F, "grace.kim@lakeside.example");
	json_t *in = json_pack("{s:s, s:s, s:s}", "startDate", "2026-06-01", "endDate", "2026-06-05", "note", "family");
	problems_init(&pr, F.a);
	ck_assert_int_eq(vacation_create(F.db, F.a, kim, in, &o, &pr, &ei), ERR_OK);
	ck_assert_str_eq(str(o, "status"), "requested");
	const char *id = arena_strdup(F.a, str(o, "id"));
	json_decref(o);
	/* overlapping open request */
	problems_init(&pr, F.a);
	ck_assert_int_eq(vacation_create(F.db, F.a, kim, in, &o, &pr, &ei), ERR_CONFLICT);
	ck_assert_str_eq(pr.v[0].code, "OVERLAPS");
	json_decref(in);
	/* blackout dates of the config */
	in = json_pack("{s:s, s:s}", "startDate", "2026-12-22", "endDate", "2026-12-23");
	problems_init(&pr, F.a);
	ck_assert_int_eq(vacation_create(F.db, F.a, kim, in, &o, &pr, &ei), ERR_INVALID);
	ck_assert_str_eq(pr.v[0].code, "BLACKOUT");
	json_decref(in);
	/* approve: assignments inside are listed */
	const char *per = new_period("2026-06-01", "2026-06-07");
	add(per, "2026-06-02", "BODY_D", "grace.kim@lakeside.example");
	ck_assert_int_eq(vacation_decide(F.db, F.a, id, "approved", NULL, &o, &ei), ERR_OK);
	ck_assert_str_eq(str(o, "decidedBy"), F.admin);
	ck_assert_int_eq(json_array_size(json_object_get(o, "conflicts")), 1);
	json_decref(o);
	ck_assert_int_eq(vacation_decide(F.db, F.a, id, "denied", NULL, &o, &ei), ERR_CONFLICT);
	ck_assert_int_eq(vacation_cancel(F.db, F.a, id, false, &o, &ei), ERR_CONFLICT);
	ck_assert_int_eq(vacation_time_off(F.db, F.a, "2026-06-01", "2026-06-30", NULL, &o, &ei), ERR_OK);
	ck_assert_int_eq(json_array_size(o), 1);
	json_decref(o);
	ck_assert_int_eq(vacation_cancel(F.db, F.a, id, true, &o, &ei), ERR_OK);
	ck_assert_str_eq(str(o, "status"), "cancelled");
	json_decref(o);
	fx_commit(&F);
	ck_assert_int_eq(fx_count(&F, "SELECT count(*) FROM audit_log WHERE entity = 'vacation_requests'"), 3);
}
END_TEST

START_TEST(people_roster)
{
	struct errinfo ei = {0};
	struct problems pr;
	json_t *o;
	fx_begin(&F);
	json_t *in = json_pack("{s:s, s:s, s:s, s:f, s:[s]}", "email", "new.person@lakeside.example", "name", "Dr. New", "role",
			       "RAD", "fte", 0.5, "subspecialties", "MSK");
	problems_init(&pr, F.a);
	ck_assert_int_eq(people_create(F.db, F.a, in, &o, &pr, &ei), ERR_OK);
	const char *id = arena_strdup(F.a, str(o, "id"));
	ck_assert(json_real_value(json_object_get(o, "fte")) == 0.5);
	json_decref(o);
	problems_init(&pr, F.a);
	ck_assert_int_eq(people_create(F.db, F.a, in, &o, &pr, &ei), ERR_CONFLICT);
	ck_assert_str_eq(ei.path, "/email");
	db_rollback(F.db);
	fx_begin(&F);
	ck_assert_int_eq(people_create(F.db, F.a, in, &o, &pr, &ei), ERR_OK);
	id = arena_strdup(F.a, str(o, "id"));
	json_decref(o);
	json_decref(in);
	/* fte 0 only for people never scheduled; end before start */
	in = json_pack("{s:f, s:s, s:s}", "fte", 0.0, "startDate", "2026-05-01", "endDate", "2026-04-01");
	problems_init(&pr, F.a);
	ck_assert_int_eq(people_update(F.db, F.a, id, in, &o, &pr, &ei), ERR_INVALID);
	ck_assert_int_eq(pr.n, 2);
	json_decref(in);
	in = json_pack("{s:b, s:n}", "fellow", 1, "shortName");
	problems_init(&pr, F.a);
	ck_assert_int_eq(people_update(F.db, F.a, id, in, &o, &pr, &ei), ERR_OK);
	ck_assert(json_is_true(json_object_get(o, "fellow")));
	ck_assert_str_eq(str(o, "shortName"), "");
	json_decref(o);
	json_decref(in);
	ck_assert_int_eq(people_deactivate(F.db, F.a, id, &o, &ei), ERR_OK);
	ck_assert(json_is_false(json_object_get(o, "active")));
	ck_assert(json_is_string(json_object_get(o, "deactivatedAt")));
	json_decref(o);
	struct dbjson_page pg;
	ck_assert_int_eq(people_list(F.db, F.a, &(struct people_filter){.active = "false"}, 10, NULL, &pg, &ei), ERR_OK);
	ck_assert_int_eq(json_array_size(pg.items), 1);
	json_decref(pg.items);
	fx_commit(&F);
	ck_assert_int_eq(fx_count(&F, "SELECT count(*) FROM users"), 26); /* kept */
}
END_TEST

START_TEST(idempotency_keys_replay_and_refuse)
{
	struct errinfo ei = {0};
	struct idempotency_claim c;
	fx_begin(&F);
	ck_assert_int_eq(idempotency_claim(F.db, F.a, "key-1", "hash-a", &c, &ei), ERR_OK);
	ck_assert(!c.replay);
	ck_assert_int_eq(idempotency_store(F.db, F.a, "key-1", 201, "{\"id\":1}", &ei), ERR_OK);
	fx_commit(&F);
	fx_begin(&F);
	ck_assert_int_eq(idempotency_claim(F.db, F.a, "key-1", "hash-a", &c, &ei), ERR_OK);
	ck_assert(c.replay);
	ck_assert_int_eq(c.status, 201);
	ck_assert_str_eq(c.response, "{\"id\":1}");
	ck_assert_int_eq(idempotency_claim(F.db, F.a, "key-1", "hash-b", &c, &ei), ERR_INVALID);
	ck_assert_int_eq(idempotency_claim(F.db, F.a, "bad key", "hash-b", &c, &ei), ERR_INVALID);
	db_rollback(F.db);
	/* tenant isolation: another department neither sees nor collides with the key */
	char first[37];
	snprintf(first, sizeof first, "%s", F.tenant);
	fx_tenant(&F, "other", NULL);
	fx_begin(&F);
	struct db_res *r;
	ck_assert_int_eq(DB_EXEC0(F.db, F.a, &r, &ei, "SELECT count(*) AS n FROM idempotency_keys"), ERR_OK);
	ck_assert_int_eq(db_res_ll(r, 0, "n", -1), 0);
	ck_assert_int_eq(idempotency_claim(F.db, F.a, "key-1", "hash-b", &c, &ei), ERR_OK);
	ck_assert(!c.replay);
	ck_assert_int_eq(DB_EXEC(F.db, F.a, &r, &ei, "UPDATE idempotency_keys SET status = 500 WHERE tenant_id = $1", first),
			 ERR_OK);
	ck_assert_int_eq(db_res_affected(r), 0);
	ck_assert_int_eq(DB_EXEC(F.db, F.a, &r, &ei,
				 "INSERT INTO idempotency_keys (tenant_id, key, request_hash, status, response)"
				 " VALUES ($1, 'x', 'h', 200, '')",
				 first),
			 ERR_FORBIDDEN);
	db_rollback(F.db);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("publications");
	TCase *tc = tcase_create("publications");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, publish_snapshots_and_maintains_feeds);
	tcase_add_test(tc, periods_do_not_overlap_and_keep_their_assignments);
	tcase_add_test(tc, vacation_requests_flow);
	tcase_add_test(tc, people_roster);
	tcase_add_test(tc, idempotency_keys_replay_and_refuse);
	suite_add_tcase(s, tc);
	return s;
}
