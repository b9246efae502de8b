/* Assignments through the domain: instants resolved in the department's zone across DST
 * nights (America/Toronto spring forward 2026-03-08 and fall back 2026-11-01,
 * Australia/Sydney fall back 2026-04-05 and spring forward 2026-10-04), all-day call as a
 * date, and the hard rules a manual edit must keep (each refused naming the rule, or
 * accepted with an override that is stored and audited). */
#include "domain/assignments.h"
#include "domain/periods.h"
#include "domain/schedule_rules.h"
#include "domain/vacation.h"
#include "test_sched_fixture.h"

static struct fx F;

static void setup(void) { fx_open(&F, "sched"); }
static void teardown(void) { fx_close(&F); }

/* Add shift type NIGHT10 (22:00–08:00, every day, no subspecialty). */
static void add_night10(void)
{
	const char *p = "[{\"op\":\"add\",\"path\":\"/shiftTypes/-\",\"value\":{\"code\":\"NIGHT10\",\"name\":\"Long night\","
			"\"category\":\"call\",\"kind\":\"timed\",\"start\":\"22:00\",\"end\":\"08:00\","
			"\"days\":[\"mon\",\"tue\",\"wed\",\"thu\",\"fri\",\"sat\",\"sun\"],\"points\":2,\"showAsBusy\":true}}]";
	json_t *patch;
	struct errinfo ei = {0};
	ck_assert_int_eq(json_parse_strict(p, strlen(p), NULL, &patch, &ei), ERR_OK);
	struct config_save in = {.patch = patch, .base = -1, .message = "night"};
	struct config_saved s;
	fx_begin(&F);
	ck_assert_msg(config_store_commit(F.db, F.a, &in, &s, &ei) == ERR_OK, "%s %s", ei.path, ei.message);
	fx_commit(&F);
	json_decref(s.document);
	json_decref(patch);
}

static const char *period(const char *name, const char *from, const char *to)
{
	json_t *in = json_pack("{s:s, s:s, s:s}", "name", name, "startDate", from, "endDate", to), *out;
	struct problems pr;
	problems_init(&pr, F.a);
	struct errinfo ei = {0};
	fx_begin(&F);
	ck_assert_msg(period_create(F.db, F.a, in, &out, &pr, &ei) == ERR_OK, "period: %s", ei.message);
	fx_commit(&F);
	const char *id = arena_strdup(F.a, json_string_value(json_object_get(out, "id")));
	json_decref(in);
	json_decref(out);
	return id;
}

/* One edit in its own transaction (committed when it succeeds). *out may be NULL. */
static enum err assign(const char *per, const char *day, const char *code, const char *email, const char *override,
		       struct problems *pr, json_t **out)
{
	struct errinfo ei = {0};
	fx_begin(&F);
	struct assignment_in in = {.period_id = per, .day = day, .shift_code = code, .user_id = fx_user(&F, email),
				   .override_reason = override};
	json_t *o = NULL;
	problems_init(pr, F.a);
	enum err e = assignment_create(F.db, F.a, &in, &o, pr, &ei);
	if (e)
		db_rollback(F.db);
	else
		fx_commit(&F);
	if (out)
		*out = o;
	else
		json_decref(o);
	return e;
}

static void assign_ok(const char *per, const char *day, const char *code, const char *email, json_t **out)
{
	struct problems pr;
	enum err e = assign(per, day, code, email, NULL, &pr, out);
	ck_assert_msg(e == ERR_OK, "%s %s %s: %d %s", day, code, email, e, pr.n ? pr.v[0].message : "");
}

static bool has_rule(const struct problems *pr, const char *code)
{
	for (size_t i = 0; i < pr->n; i++)
		if (!strcmp(pr->v[i].code, code))
			return true;
	return false;
}

static void refused(const char *per, const char *day, const char *code, const char *email, const char *rule)
{
	struct problems pr;
	enum err e = assign(per, day, code, email, NULL, &pr, NULL);
	ck_assert_msg(e == ERR_CONFLICT && has_rule(&pr, rule), "%s %s %s: expected %s, got %d (%zu problems: %s)", day,
		      code, email, rule, e, pr.n, pr.n ? pr.v[0].code : "-");
}

static long minutes(const json_t *a) { return (long)json_integer_value(json_object_get(a, "durationMinutes")); }
static const char *str(const json_t *a, const char *k) { return json_string_value(json_object_get(a, k)); }

START_TEST(toronto_dst_nights)
{
	add_night10();
	const char *spring = period("March", "2026-03-01", "2026-03-31");
	const char *fall = period("Fall", "2026-10-15", "2026-11-14");
	json_t *a;
	/* an ordinary night: OVN 23:00–08:00 is 9 h, NIGHT10 10 h */
	assign_ok(spring, "2026-03-03", "OVN", "daniel.hughes@lakeside.example", &a);
	ck_assert_int_eq(minutes(a), 540);
	ck_assert_str_eq(str(a, "startAt"), "2026-03-04T04:00:00Z");
	json_decref(a);
	assign_ok(spring, "2026-03-04", "NIGHT10", "marc.tremblay@lakeside.example", &a);
	ck_assert_int_eq(minutes(a), 600);
	json_decref(a);
	/* spring forward (02:00 → 03:00 on 2026-03-08): 8 h and 9 h */
	assign_ok(spring, "2026-03-07", "OVN", "priya.raman@lakeside.example", &a);
	ck_assert_int_eq(minutes(a), 480);
	ck_assert_str_eq(str(a, "startAt"), "2026-03-08T04:00:00Z");
	ck_assert_str_eq(str(a, "endAt"), "2026-03-08T12:00:00Z");
	json_decref(a);
	assign_ok(spring, "2026-03-07", "NIGHT10", "grace.kim@lakeside.example", &a);
	ck_assert_int_eq(minutes(a), 540);
	ck_assert_str_eq(str(a, "startAt"), "2026-03-08T03:00:00Z");
	ck_assert_str_eq(str(a, "startLocal"), "2026-03-07T22:00");
	ck_assert_str_eq(str(a, "endLocal"), "2026-03-08T08:00");
	json_decref(a);
	/* fall back (02:00 → 01:00 on 2026-11-01): 10 h and 11 h */
	assign_ok(fall, "2026-10-31", "OVN", "elena.petrova@lakeside.example", &a);
	ck_assert_int_eq(minutes(a), 600);
	json_decref(a);
	assign_ok(fall, "2026-10-31", "NIGHT10", "kevin.obrien@lakeside.example", &a);
	ck_assert_int_eq(minutes(a), 660);
	ck_assert_str_eq(str(a, "startAt"), "2026-11-01T02:00:00Z");
	ck_assert_str_eq(str(a, "endAt"), "2026-11-01T13:00:00Z");
	json_decref(a);
	/* all-day home call is a date without instants */
	assign_ok(spring, "2026-03-07", "IR_CALL", "victor.nguyen@lakeside.example", &a);
	ck_assert(json_is_true(json_object_get(a, "allDay")));
	ck_assert(json_is_null(json_object_get(a, "startAt")));
	ck_assert(json_is_null(json_object_get(a, "durationMinutes")));
	json_decref(a);
	ck_assert_int_eq(fx_count(&F, "SELECT count(*) FROM assignments WHERE all_day AND start_at IS NULL"), 1);
}
END_TEST

START_TEST(sydney_dst_nights)
{
	fx_tenant(&F, "harbour", "Australia/Sydney");
	add_night10();
	const char *autumn = period("April", "2026-04-01", "2026-04-30");
	const char *spring = period("October", "2026-10-01", "2026-10-31");
	json_t *a;
	/* fall back (03:00 AEDT → 02:00 AEST on 2026-04-05): 11 h and 10 h */
	assign_ok(autumn, "2026-04-04", "NIGHT10", "grace.kim@lakeside.example", &a);
	ck_assert_int_eq(minutes(a), 660);
	ck_assert_str_eq(str(a, "startAt"), "2026-04-04T11:00:00Z");
	ck_assert_str_eq(str(a, "endAt"), "2026-04-04T22:00:00Z");
	json_decref(a);
	assign_ok(autumn, "2026-04-04", "OVN", "daniel.hughes@lakeside.example", &a);
	ck_assert_int_eq(minutes(a), 600);
	json_decref(a);
	assign_ok(autumn, "2026-04-08", "NIGHT10", "marc.tremblay@lakeside.example", &a);
	ck_assert_int_eq(minutes(a), 600);
	json_decref(a);
	/* spring forward (02:00 AEST → 03:00 AEDT on 2026-10-04): 9 h */
	assign_ok(spring, "2026-10-03", "NIGHT10", "kevin.obrien@lakeside.example", &a);
	ck_assert_int_eq(minutes(a), 540);
	json_decref(a);
	/* the department's zone follows its config */
	ck_assert_int_eq(fx_count(&F, "SELECT count(*) FROM tenants WHERE slug = 'harbour' AND timezone = 'Australia/Sydney'"), 1);
}
END_TEST

START_TEST(hard_rules_refuse_with_the_rule)
{
	const char *jan = period("January", "2026-01-01", "2026-01-31");
	/* eligibility: list, subspecialty */
	refused(jan, "2026-01-05", "MA1", "priya.raman@lakeside.example", "NOT_ELIGIBLE");
	refused(jan, "2026-01-05", "NEURO_D", "grace.kim@lakeside.example", "NOT_ELIGIBLE");
	/* calendar: weekday the shift does not run, a closed holiday */
	refused(jan, "2026-01-10", "NEURO_D", "daniel.hughes@lakeside.example", "SHIFT_NOT_RUN");
	refused(jan, "2026-01-01", "NEURO_D", "daniel.hughes@lakeside.example", "DAY_CLOSED");
	/* a holiday override staffs weekend call on a Thursday (New Year's Day 2026) */
	assign_ok(jan, "2026-01-01", "WE_GEN", "marc.tremblay@lakeside.example", NULL);
	/* forbidden succession, both directions */
	assign_ok(jan, "2026-01-05", "OVN", "daniel.hughes@lakeside.example", NULL);
	refused(jan, "2026-01-06", "NEURO_D", "daniel.hughes@lakeside.example", "FORBIDDEN_SUCCESSION");
	assign_ok(jan, "2026-01-07", "NEURO_D", "priya.raman@lakeside.example", NULL);
	refused(jan, "2026-01-06", "OVN", "priya.raman@lakeside.example", "FORBIDDEN_SUCCESSION");
	/* one compatible shift a day */
	assign_ok(jan, "2026-01-12", "NEURO_D", "samuel.lavoie@lakeside.example", NULL);
	refused(jan, "2026-01-12", "EVE", "samuel.lavoie@lakeside.example", "ONE_SHIFT_PER_DAY");
	assign_ok(jan, "2026-01-12", "IR_D", "victor.nguyen@lakeside.example", NULL);
	assign_ok(jan, "2026-01-12", "IR_CALL", "victor.nguyen@lakeside.example", NULL); /* sameDayAllowed */
	/* the same shift twice is a conflict, not a rule */
	struct problems pr;
	ck_assert_int_eq(assign(jan, "2026-01-12", "IR_D", "victor.nguyen@lakeside.example", "twice please", &pr, NULL),
			 ERR_CONFLICT);
	/* runs of working days: 7 allowed, the 8th refused */
	const char *days[] = {"2026-01-19", "2026-01-20", "2026-01-21", "2026-01-22", "2026-01-23"};
	for (int i = 0; i < 5; i++)
		assign_ok(jan, days[i], "MSK_D", "elena.petrova@lakeside.example", NULL);
	assign_ok(jan, "2026-01-24", "WE_NEURO", "elena.petrova@lakeside.example", NULL);
	assign_ok(jan, "2026-01-25", "WE_NEURO", "elena.petrova@lakeside.example", NULL);
	refused(jan, "2026-01-26", "MSK_D", "elena.petrova@lakeside.example", "MAX_CONSECUTIVE_DAYS");
	/* approved time off */
	struct errinfo ei = {0};
	fx_begin(&F);
	json_t *req = json_pack("{s:s, s:s}", "startDate", "2026-01-26", "endDate", "2026-01-30"), *v;
	problems_init(&pr, F.a);
	ck_assert_int_eq(vacation_create(F.db, F.a, fx_user(&F, "kevin.obrien@lakeside.example"), req, &v, &pr, &ei), ERR_OK);
	const char *vid = arena_strdup(F.a, str(v, "id"));
	json_decref(v);
	ck_assert_int_eq(vacation_decide(F.db, F.a, vid, "approved", "enjoy", &v, &ei), ERR_OK);
	json_decref(v);
	json_decref(req);
	fx_commit(&F);
	refused(jan, "2026-01-27", "MSK_D", "kevin.obrien@lakeside.example", "TIME_OFF");
	/* per-type maximum: OVN at most 7 a month */
	const char *nights[] = {"2026-01-02", "2026-01-04", "2026-01-06", "2026-01-08", "2026-01-10", "2026-01-12", "2026-01-14"};
	for (int i = 0; i < 7; i++)
		assign_ok(jan, nights[i], "OVN", "hannah.schultz@lakeside.example", NULL);
	refused(jan, "2026-01-16", "OVN", "hannah.schultz@lakeside.example", "MAX_SHIFTS");
	/* employment dates: the fellow starts in July */
	refused(jan, "2026-01-13", "NEURO_D", "omar.haddad@lakeside.example", "OUTSIDE_EMPLOYMENT");
	/* nothing refused was written */
	ck_assert_int_eq(fx_count(&F, "SELECT count(*) FROM assignments"), 20);
}
END_TEST

START_TEST(rest_after_run_and_weekends_per_window)
{
	const char *feb = period("February", "2026-02-01", "2026-02-28");
	/* a run of 7 (Mon 2 – Sun 8) needs 2 days off after it (rules.restAfterRun) */
	const char *run[] = {"2026-02-02", "2026-02-03", "2026-02-04", "2026-02-05", "2026-02-06"};
	for (int i = 0; i < 5; i++)
		assign_ok(feb, run[i], "MSK_D", "elena.petrova@lakeside.example", NULL);
	assign_ok(feb, "2026-02-07", "WE_NEURO", "elena.petrova@lakeside.example", NULL);
	assign_ok(feb, "2026-02-08", "WE_NEURO", "elena.petrova@lakeside.example", NULL);
	refused(feb, "2026-02-10", "MSK_D", "elena.petrova@lakeside.example", "REST_AFTER_RUN");
	assign_ok(feb, "2026-02-11", "MSK_D", "elena.petrova@lakeside.example", NULL);
	/* at most 2 worked weekends in any 4 (rules.weekends) */
	assign_ok(feb, "2026-02-14", "WE_NEURO", "priya.raman@lakeside.example", NULL);
	assign_ok(feb, "2026-02-15", "WE_NEURO", "priya.raman@lakeside.example", NULL); /* same weekend */
	assign_ok(feb, "2026-02-21", "WE_NEURO", "priya.raman@lakeside.example", NULL);
	refused(feb, "2026-02-28", "WE_NEURO", "priya.raman@lakeside.example", "MAX_WEEKENDS");
	ck_assert_int_eq(fx_count(&F, "SELECT count(*) FROM assignments"), 11);
}
END_TEST

START_TEST(fellows_need_an_attending)
{
	const char *jul = period("July", "2026-07-01", "2026-07-31");
	refused(jul, "2026-07-06", "NEURO_D", "omar.haddad@lakeside.example", "FELLOW_NEEDS_ATTENDING");
	refused(jul, "2026-07-06", "OVN", "omar.haddad@lakeside.example", "NOT_ELIGIBLE"); /* policy never */
	assign_ok(jul, "2026-07-06", "NEURO_D", "daniel.hughes@lakeside.example", NULL);
	assign_ok(jul, "2026-07-06", "NEURO_D", "omar.haddad@lakeside.example", NULL);
}
END_TEST

START_TEST(override_is_stored_and_audited)
{
	const char *jan = period("January", "2026-01-01", "2026-01-31");
	assign_ok(jan, "2026-01-05", "OVN", "daniel.hughes@lakeside.example", NULL);
	struct problems pr;
	json_t *a;
	ck_assert_int_eq(assign(jan, "2026-01-06", "NEURO_D", "daniel.hughes@lakeside.example", "short-staffed, agreed", &pr, &a),
			 ERR_OK);
	ck_assert_str_eq(str(a, "overrideReason"), "short-staffed, agreed");
	json_t *ov = json_object_get(a, "overridden");
	ck_assert_int_eq(json_array_size(ov), 1);
	ck_assert_str_eq(str(json_array_get(ov, 0), "code"), "FORBIDDEN_SUCCESSION");
	ck_assert_int_eq(fx_count(&F, "SELECT count(*) FROM audit_log WHERE action = 'assignment.override'"
				      " AND entity_id = '%s' AND after->>'reason' = 'short-staffed, agreed'"
				      " AND after->'rules'->0->>'code' = 'FORBIDDEN_SUCCESSION' AND actor_kind = 'USER'"
				      " AND request_id = 'req-test'",
				      str(a, "id")),
			 1);
	ck_assert_int_eq(fx_count(&F, "SELECT count(*) FROM audit_log WHERE entity = 'assignments' AND action = 'INSERT'"
				      " AND actor_user_id = '%s'",
				      F.admin),
			 2);
	json_decref(a);
	/* no violation: the reason is not recorded */
	ck_assert_int_eq(assign(jan, "2026-01-06", "BODY_D", "marc.tremblay@lakeside.example", "not needed", &pr, &a), ERR_OK);
	ck_assert(json_is_null(json_object_get(a, "overrideReason")));
	json_decref(a);
}
END_TEST

START_TEST(edits_that_can_never_be_made)
{
	const char *jan = period("January", "2026-01-01", "2026-01-31");
	struct problems pr;
	struct errinfo ei = {0};
	ck_assert_int_eq(assign(jan, "2026-01-05", "NOPE", "daniel.hughes@lakeside.example", "x y z", &pr, NULL), ERR_INVALID);
	ck_assert_int_eq(assign(jan, "2026-02-05", "NEURO_D", "daniel.hughes@lakeside.example", "x y z", &pr, NULL),
			 ERR_INVALID);
	fx_begin(&F);
	ck_assert_int_eq(DB_EXEC(F.db, F.a, NULL, &ei, "UPDATE users SET active = false WHERE email = 'priya.raman@lakeside.example'"),
			 ERR_OK);
	fx_commit(&F);
	ck_assert_int_eq(assign(jan, "2026-01-05", "NEURO_D", "priya.raman@lakeside.example", "x y z", &pr, NULL), ERR_INVALID);
	/* a period that does not exist */
	fx_begin(&F);
	struct assignment_in in = {.period_id = "00000000-0000-4000-8000-000000000000", .day = "2026-01-05",
				   .shift_code = "NEURO_D", .user_id = fx_user(&F, "daniel.hughes@lakeside.example")};
	json_t *o;
	problems_init(&pr, F.a);
	ck_assert_int_eq(assignment_create(F.db, F.a, &in, &o, &pr, &ei), ERR_NOT_FOUND);
	db_rollback(F.db);
	ck_assert_int_eq(fx_count(&F, "SELECT count(*) FROM assignments"), 0);
}
END_TEST

START_TEST(reassign_checks_the_new_person)
{
	const char *jan = period("January", "2026-01-01", "2026-01-31");
	json_t *a;
	assign_ok(jan, "2026-01-05", "NEURO_D", "daniel.hughes@lakeside.example", &a);
	const char *id = arena_strdup(F.a, str(a, "id"));
	json_decref(a);
	struct problems pr;
	struct errinfo ei = {0};
	fx_begin(&F);
	problems_init(&pr, F.a);
	ck_assert_int_eq(assignment_update(F.db, F.a, id, fx_user(&F, "grace.kim@lakeside.example"), -1, NULL, &a, &pr, &ei),
			 ERR_CONFLICT);
	ck_assert(has_rule(&pr, "NOT_ELIGIBLE"));
	db_rollback(F.db);
	fx_begin(&F);
	problems_init(&pr, F.a);
	ck_assert_int_eq(assignment_update(F.db, F.a, id, fx_user(&F, "priya.raman@lakeside.example"), 1, NULL, &a, &pr, &ei),
			 ERR_OK);
	ck_assert(json_is_true(json_object_get(a, "locked")));
	json_decref(a);
	ck_assert_int_eq(assignment_delete(F.db, F.a, id, &ei), ERR_OK);
	ck_assert_int_eq(assignment_delete(F.db, F.a, id, &ei), ERR_NOT_FOUND);
	fx_commit(&F);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("schedule_rules");
	TCase *tc = tcase_create("assignments");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, toronto_dst_nights);
	tcase_add_test(tc, sydney_dst_nights);
	tcase_add_test(tc, hard_rules_refuse_with_the_rule);
	tcase_add_test(tc, rest_after_run_and_weekends_per_window);
	tcase_add_test(tc, fellows_need_an_attending);
	tcase_add_test(tc, override_is_stored_and_audited);
	tcase_add_test(tc, edits_that_can_never_be_made);
	tcase_add_test(tc, reassign_checks_the_new_person);
	suite_add_tcase(s, tc);
	return s;
}
