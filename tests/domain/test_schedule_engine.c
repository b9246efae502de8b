/* The scheduling engine in the product, against a real PostgreSQL: a department's config,
 * roster, time off, locks and history mapped to the engine model (eligibility lists, fellow
 * rule, holidays, time off as days off, locked assignments), every hard rule respected on a
 * minimal department where it binds (checked on the written draft), the dry run's wording
 * for an infeasible day, and runs as jobs (a run writes the draft keeping locked
 * assignments; a cancelled run leaves the previous draft untouched). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "check_main.h"
#include "domain/config_store.h"
#include "domain/dates.h"
#include "domain/engine_run.h"
#include "domain/people.h"
#include "domain/periods.h"
#include "json/json_parse.h"
#include "queue/queue.h"
#include "testdb.h"

#define WK7 "[\"mon\",\"tue\",\"wed\",\"thu\",\"fri\",\"sat\",\"sun\"]"
#define WORK 20 /* engine work per slice for the small departments, megaticks (about 0.1 s): deterministic */

static struct testdb T;
static struct db *DB;
static struct arena *A;
static char TENANT[37];
static int slug_n;

static void suite_setup(void)
{
	log_set_level(LOG_ERROR);
	if (testdb_create("sched_engine", &T))
		ck_abort_msg("cannot create test database");
}

static void setup(void)
{
	config_store_set_share_dir(test_root());
	struct errinfo ei = {0};
	ck_assert_msg(db_connect(T.app, &DB, &ei) == ERR_OK, "connect: %s", ei.message);
	A = arena_new(0);
}

static void teardown(void)
{
	db_close(DB);
	arena_free(A);
}

static json_t *parse(const char *text)
{
	json_t *v;
	struct errinfo ei = {0};
	ck_assert_msg(json_parse_strict(text, strlen(text), NULL, &v, &ei) == ERR_OK, "%s: %s", text, ei.message);
	return v;
}

static void begin(void)
{
	struct errinfo ei = {0};
	ck_assert_msg(db_begin(DB, &(struct db_ctx){.tenant_id = TENANT, .actor = DB_ACTOR_SYSTEM}, &ei) == ERR_OK, "begin: %s",
		      ei.message);
}

static void commit(void)
{
	struct errinfo ei = {0};
	ck_assert_msg(db_commit(DB, &ei) == ERR_OK, "commit: %s", ei.message);
}

static void super(const char *fmt, ...) RS_PRINTF(1, 2);
static void super(const char *fmt, ...)
{
	char sql[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sql, sizeof sql, fmt, ap);
	va_end(ap);
	ck_assert_msg(testdb_super_exec(&T, sql) == 0, "%s", sql);
}

static long count(const char *fmt, ...) RS_PRINTF(1, 2);
static long count(const char *fmt, ...)
{
	char sql[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sql, sizeof sql, fmt, ap);
	va_end(ap);
	return testdb_super_long(&T, sql);
}

/* A new department with people (JSON roster form) and config. */
static void department(json_t *people, json_t *config)
{
	struct errinfo ei = {0};
	struct db_res *r;
	char slug[32];
	snprintf(slug, sizeof slug, "dept-%d-%d", (int)getpid(), ++slug_n);
	ck_assert_int_eq(db_begin(DB, &(struct db_ctx){.actor = DB_ACTOR_SYSTEM}, &ei), ERR_OK);
	ck_assert_int_eq(DB_EXEC(DB, A, &r, &ei, "SELECT tenant_create($1, 'Test', 'America/Toronto') AS id", slug), ERR_OK);
	snprintf(TENANT, sizeof TENANT, "%s", db_res_val(r, 0, "id"));
	commit();
	begin();
	size_t i;
	json_t *p;
	json_array_foreach(people, i, p)
	{
		struct person_in in;
		char id[37];
		ck_assert_msg(person_from_json(p, A, &in, &ei) == ERR_OK, "person: %s", ei.message);
		ck_assert_msg(person_create(DB, A, &in, id, &ei) == ERR_OK, "person: %s", ei.message);
	}
	int number = 0;
	ck_assert_msg(config_store_save(DB, A, config, "test", 0, &number, &ei) == ERR_OK, "config: %s %s", ei.path,
		      ei.message);
	commit();
	json_decref(people);
	json_decref(config);
}

/* people: "email:SUBS:fte[:fellow]" … (SUBS comma-separated, may be empty) */
static json_t *people_of(const char *const *spec)
{
	json_t *arr = json_array();
	for (int i = 0; spec[i]; i++) {
		char buf[200], *save = NULL;
		snprintf(buf, sizeof buf, "%s", spec[i]);
		char *email = strtok_r(buf, ":", &save), *subs = strtok_r(NULL, ":", &save), *fte = strtok_r(NULL, ":", &save),
		     *fel = strtok_r(NULL, ":", &save);
		json_t *sa = json_array();
		char *s2 = NULL;
		for (char *t = subs && strcmp(subs, "-") ? strtok_r(subs, ",", &s2) : NULL; t; t = strtok_r(NULL, ",", &s2))
			json_array_append_new(sa, json_string(t));
		char name[64];
		char *at = strchr(email, '@');
		snprintf(name, sizeof name, "Dr %.*s", (int)(at - email), email);
		name[3] = (char)(name[3] - 32);
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:f, s:b, s:o}", "email", email, "name", name, "role",
						     i == 0 ? "CHIEF" : "RAD", "fte", fte ? atof(fte) : 1.0, "fellow",
						     fel && !strcmp(fel, "fellow"), "subspecialties", sa));
	}
	return arr;
}

/* A small valid config (tests/domain/config_fixtures/valid_minimal.json) with these shift
 * types, coverage and rules (JSON texts); eligibility and equivalences optional. */
static json_t *config_of(const char *shifts, const char *coverage, const char *rules, const char *eligibility,
			 const char *equivalences)
{
	json_t *c = test_json_file("tests/domain/config_fixtures/valid_minimal.json");
	json_object_set_new(c, "shiftTypes", parse(shifts));
	json_object_set_new(c, "coverage", parse(coverage));
	json_object_set_new(c, "rules", parse(rules ? rules : "{}"));
	json_object_set_new(c, "eligibility",
			    parse(eligibility ? eligibility
					      : "{\"default\": \"bySubspecialty\", \"lists\": [], \"fellows\": {\"default\": "
						"\"withAttending\", \"overrides\": []}}"));
	json_object_set_new(c, "equivalences", parse(equivalences ? equivalences : "[]"));
	json_object_set_new(json_object_get(c, "fairness"), "balance", json_array());
	json_object_set_new(json_object_get(c, "auth"), "allowedDomains", parse("[\"t.example\"]"));
	return c;
}

static const char *shift(const char *code, const char *sub, const char *start, const char *end, const char *days)
{
	if (!start)
		return arena_sprintf(A,
				     "{\"code\": \"%s\", \"name\": \"%s\"%s%s%s, \"kind\": \"allDay\", \"days\": %s, \"points\": 1,"
				     " \"showAsBusy\": false}",
				     code, code, sub ? ", \"subspecialty\": \"" : "", sub ? sub : "", sub ? "\"" : "", days);
	return arena_sprintf(A,
			     "{\"code\": \"%s\", \"name\": \"%s\"%s%s%s, \"kind\": \"timed\", \"start\": \"%s\", \"end\": \"%s\","
			     " \"days\": %s, \"points\": 1, \"showAsBusy\": true}",
			     code, code, sub ? ", \"subspecialty\": \"" : "", sub ? sub : "", sub ? "\"" : "", start, end, days);
}

static const char *period(const char *name, const char *from, const char *to)
{
	json_t *in = json_pack("{s:s, s:s, s:s}", "name", name, "startDate", from, "endDate", to), *out;
	struct problems pr;
	problems_init(&pr, A);
	struct errinfo ei = {0};
	begin();
	ck_assert_msg(period_create(DB, A, in, &out, &pr, &ei) == ERR_OK, "period: %s", ei.message);
	commit();
	const char *id = arena_strdup(A, json_string_value(json_object_get(out, "id")));
	json_decref(in);
	json_decref(out);
	return id;
}

static const char *user(const char *email)
{
	struct errinfo ei = {0};
	struct db_res *r;
	begin();
	ck_assert_int_eq(DB_EXEC(DB, A, &r, &ei, "SELECT id FROM users WHERE lower(email) = lower($1)", email), ERR_OK);
	ck_assert_msg(db_res_rows(r) == 1, "no person %s", email);
	const char *id = arena_strdup(A, db_res_val(r, 0, "id"));
	commit();
	return id;
}

static void assign(const char *per, const char *day, const char *code, const char *email, bool locked)
{
	super("INSERT INTO assignments (tenant_id, period_id, day, shift_code, user_id, source, locked, all_day)"
	      " SELECT '%s', '%s', '%s', '%s', id, 'manual', %s, true FROM users WHERE tenant_id = '%s' AND email = '%s'",
	      TENANT, per, day, code, locked ? "true" : "false", TENANT, email);
}

static void time_off(const char *email, const char *from, const char *to, const char *status)
{
	super("INSERT INTO vacation_requests (tenant_id, user_id, start_date, end_date, kind, status)"
	      " SELECT '%s', id, '%s', '%s', 'vacation', '%s' FROM users WHERE tenant_id = '%s' AND email = '%s'",
	      TENANT, from, to, status, TENANT, email);
}

static void load(const char *per, struct sched_loaded *l)
{
	struct errinfo ei = {0};
	begin();
	ck_assert_msg(engine_run_load(DB, A, per, l, &ei) == ERR_OK, "load: %s", ei.message);
	commit();
}

/* Solve the period into its draft; returns the rule violations the checker found. */
static int solve(const char *per)
{
	struct errinfo ei = {0};
	struct sched_loaded l;
	int hard = -1;
	double secs;
	begin();
	ck_assert_msg(engine_run_load(DB, A, per, &l, &ei) == ERR_OK, "load: %s", ei.message);
	ck_assert_msg(engine_run_solve_into_draft(DB, A, &l, 42, WORK, &hard, &secs, &ei) == ERR_OK, "solve: %s", ei.message);
	commit();
	return hard;
}

/* ---- mapping ----------------------------------------------------------------------------- */

START_TEST(mapping_demo_department)
{
	json_t *roster = test_json_file("config/demo/roster.json");
	department(json_incref(json_object_get(roster, "people")), test_json_file("config/demo/lakeside.json"));
	json_decref(roster);
	const char *per = period("December 2026", "2026-12-01", "2026-12-31");
	time_off("priya.raman@lakeside.example", "2026-12-07", "2026-12-11", "approved");
	time_off("elena.petrova@lakeside.example", "2026-12-14", "2026-12-15", "requested");
	assign(per, "2026-12-03", "MA1", "grace.kim@lakeside.example", true);
	assign(per, "2026-12-03", "IR_D", "victor.nguyen@lakeside.example", true);
	assign(per, "2026-12-03", "IR_CALL", "victor.nguyen@lakeside.example", true);
	struct sched_loaded l;
	load(per, &l);
	struct sched_model *sm;
	struct errinfo ei = {0};
	ck_assert_msg(sched_model_build(&l.in, A, &sm, &ei) == ERR_OK, "build: %s", ei.message);
	int grace = engine_run_person_index(&l, user("grace.kim@lakeside.example"));
	int samuel = engine_run_person_index(&l, user("samuel.lavoie@lakeside.example"));
	int omar = engine_run_person_index(&l, user("omar.haddad@lakeside.example"));
	int isabelle = engine_run_person_index(&l, user("isabelle.roy@lakeside.example"));
	int priya = engine_run_person_index(&l, user("priya.raman@lakeside.example"));
	int admin = engine_run_person_index(&l, user("admin@lakeside.example"));
	ck_assert(grace >= 0 && samuel >= 0 && omar >= 0 && isabelle >= 0 && priya >= 0 && admin >= 0);
	/* eligibility lists: by shift type (MA1) and by subspecialty (PEDS) */
	ck_assert_int_eq(sched_eligibility(sm, grace, sched_base_find(sm, "MA1")), 1);
	ck_assert_int_eq(sched_eligibility(sm, samuel, sched_base_find(sm, "MA1")), 0);
	ck_assert_int_eq(sched_eligibility(sm, grace, sched_base_find(sm, "PEDS_D")), 1);
	ck_assert_int_eq(sched_eligibility(sm, isabelle, sched_base_find(sm, "PEDS_D")), 1);
	ck_assert_int_eq(sched_eligibility(sm, samuel, sched_base_find(sm, "NEURO_D")), 1);
	ck_assert_int_eq(sched_eligibility(sm, samuel, sched_base_find(sm, "BODY_D")), 0);
	/* fellow rule: beside an attending by default, never where an override says so */
	ck_assert_int_eq(sched_eligibility(sm, omar, sched_base_find(sm, "NEURO_D")), 2);
	ck_assert_int_eq(sched_eligibility(sm, omar, sched_base_find(sm, "OVN")), 0);
	int om = sm->engine_of[omar];
	int fv = engine_model_shift_find(sm->m, "NEURO_D (fellow)");
	ck_assert_int_ge(fv, 0);
	ck_assert(sm->m->people[om].eligible >> fv & 1);
	ck_assert(!(sm->m->people[om].eligible >> sched_base_find(sm, "NEURO_D") & 1));
	ck_assert_int_eq(sm->m->cover[sched_day_of(sm, date_from_ymd(2026, 12, 7)) * sm->m->nshifts + fv].hard_min, 0);
	/* the admin is not scheduled */
	ck_assert_int_eq(sm->engine_of[admin], -1);
	/* holidays and overrides */
	long xmas = date_from_ymd(2026, 12, 25), eve = date_from_ymd(2026, 12, 24), wed = date_from_ymd(2026, 12, 2);
	int dx = sched_day_of(sm, xmas), de = sched_day_of(sm, eve), dw = sched_day_of(sm, wed);
	ck_assert(sm->holiday[dx]);
	ck_assert_str_eq(sm->day_name[dx], "Christmas Day");
	ck_assert_int_eq(sm->count[dx * sm->nbase + sched_base_find(sm, "NEURO_D")], 0);
	ck_assert_int_eq(sm->count[dx * sm->nbase + sched_base_find(sm, "WE_NEURO")], 1);
	ck_assert_int_eq(sm->m->cover[dx * sm->m->nshifts + sched_base_find(sm, "WE_NEURO")].hard_min, 1);
	ck_assert_int_eq(sm->count[de * sm->nbase + sched_base_find(sm, "NEURO_D")], 1);
	ck_assert_int_eq(sm->count[de * sm->nbase + sched_base_find(sm, "EVE")], 1);
	ck_assert_int_eq(sm->count[dw * sm->nbase + sched_base_find(sm, "IR_D")], 1);
	ck_assert_int_eq(sm->count[(dw + 1) * sm->nbase + sched_base_find(sm, "IR_D")], 2);
	/* approved time off is a day off with its reason; a pending request is a wish */
	int pr = sm->engine_of[priya], d7 = sched_day_of(sm, date_from_ymd(2026, 12, 7));
	ck_assert_int_ne(sm->m->day_off[pr * sm->m->ndays + d7], 0);
	ck_assert_str_eq(sm->m->off_reasons[sm->m->day_off[pr * sm->m->ndays + d7]], "on vacation");
	ck_assert_int_eq(sm->m->day_off[pr * sm->m->ndays + d7 + 5], 0);
	ck_assert_int_eq(sm->m->nrequests, 2);
	/* locked assignments are locked cells; a compatible pair is one combined cell */
	int d3 = sched_day_of(sm, date_from_ymd(2026, 12, 3));
	int gk = sm->engine_of[grace], vn = sm->engine_of[engine_run_person_index(&l, user("victor.nguyen@lakeside.example"))];
	ck_assert_int_eq(sm->m->lock[gk * sm->m->ndays + d3], sched_base_find(sm, "MA1"));
	ck_assert_int_eq(sm->m->lock[vn * sm->m->ndays + d3], engine_model_shift_find(sm->m, "IR_D+IR_CALL"));
	ck_assert_int_eq(sm->m->lock[vn * sm->m->ndays + d3 + 1], ENGINE_UNLOCKED);
	/* no day shift after an overnight */
	int ovn = sched_base_find(sm, "OVN");
	ck_assert(sm->m->shifts[ovn].forbidden_next >> sched_base_find(sm, "NEURO_D") & 1);
	ck_assert(!(sm->m->shifts[ovn].forbidden_next >> ovn & 1));
}
END_TEST

/* ---- each hard rule on a small department where it binds --------------------------------------- */

static const char *const FIVE[] = {"ann@t.example:NEURO:1", "ben@t.example:NEURO:1", "cho@t.example:BODY:1",
				   "dev@t.example:BODY,IR:1", "eli@t.example:IR:1", NULL};

START_TEST(rule_coverage_minimum)
{
	department(people_of(FIVE),
		   config_of(arena_sprintf(A, "[%s]", shift("DAY", NULL, "08:00", "16:00", WK7)),
			     "{\"requirements\": [{\"shiftType\": \"DAY\", \"count\": 3}], \"overrides\": []}", NULL, NULL, NULL));
	const char *per = period("P", "2026-12-01", "2026-12-14");
	ck_assert_int_eq(solve(per), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM (SELECT day FROM assignments WHERE period_id = '%s' GROUP BY day"
			       " HAVING count(*) >= 3) x", per),
			 14);
}
END_TEST

START_TEST(rule_eligibility)
{
	department(people_of(FIVE),
		   config_of(arena_sprintf(A, "[%s, %s]", shift("NEURO_D", "NEURO", "08:00", "16:00", WK7),
					   shift("GEN", NULL, "08:00", "16:00", WK7)),
			     "{\"requirements\": [{\"shiftType\": \"NEURO_D\", \"count\": 1}, {\"shiftType\": \"GEN\", \"count\": 1}],"
			     " \"overrides\": []}",
			     NULL,
			     "{\"default\": \"bySubspecialty\", \"lists\": [{\"name\": \"Gen pool\", \"shiftTypes\": [\"GEN\"],"
			     " \"people\": [\"cho@t.example\", \"eli@t.example\"]}], \"fellows\": {\"default\": \"withAttending\","
			     " \"overrides\": []}}",
			     NULL));
	const char *per = period("P", "2026-12-01", "2026-12-10");
	ck_assert_int_eq(solve(per), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM assignments a JOIN users u ON u.id = a.user_id WHERE period_id = '%s'"
			       " AND shift_code = 'NEURO_D' AND NOT ('NEURO' = ANY (u.subspecialties))", per),
			 0);
	ck_assert_int_eq(count("SELECT count(*) FROM assignments a JOIN users u ON u.id = a.user_id WHERE period_id = '%s'"
			       " AND shift_code = 'GEN' AND u.email NOT IN ('cho@t.example', 'eli@t.example')", per),
			 0);
	ck_assert_int_eq(count("SELECT count(*) FROM assignments WHERE period_id = '%s' AND shift_code = 'GEN'", per), 10);
}
END_TEST

START_TEST(rule_fellow_beside_attending)
{
	static const char *const people[] = {"ann@t.example:NEURO:1", "ben@t.example:NEURO:1", "fay@t.example:NEURO:1:fellow",
					     "gil@t.example:NEURO:1:fellow", NULL};
	department(people_of(people),
		   config_of(arena_sprintf(A, "[%s, %s]", shift("NEURO_D", "NEURO", "08:00", "16:00", "[\"mon\",\"tue\",\"wed\",\"thu\",\"fri\"]"),
					   shift("NIGHT", "NEURO", "23:00", "08:00", WK7)),
			     "{\"requirements\": [{\"shiftType\": \"NEURO_D\", \"count\": 1}, {\"shiftType\": \"NIGHT\", \"count\": 0}],"
			     " \"overrides\": []}",
			     NULL,
			     "{\"default\": \"bySubspecialty\", \"lists\": [], \"fellows\": {\"default\": \"withAttending\","
			     " \"overrides\": [{\"shiftTypes\": [\"NIGHT\"], \"policy\": \"never\"}]}}",
			     NULL));
	const char *per = period("P", "2026-12-01", "2026-12-14");
	ck_assert_int_eq(solve(per), 0);
	/* fellows work (their FTE share pulls them in), never alone and never on weekends when it is closed */
	ck_assert_int_gt(count("SELECT count(*) FROM assignments a JOIN users u ON u.id = a.user_id WHERE a.period_id = '%s'"
			       " AND u.is_fellow",
			       per),
			 0);
	ck_assert_int_eq(count("SELECT count(*) FROM assignments a JOIN users u ON u.id = a.user_id WHERE a.period_id = '%s'"
			       " AND u.is_fellow AND NOT EXISTS (SELECT 1 FROM assignments b JOIN users v ON v.id = b.user_id"
			       " WHERE b.period_id = a.period_id AND b.day = a.day AND b.shift_code = a.shift_code AND NOT v.is_fellow)",
			       per),
			 0);
	ck_assert_int_eq(count("SELECT count(*) FROM assignments a JOIN users u ON u.id = a.user_id WHERE a.period_id = '%s'"
			       " AND u.is_fellow AND (a.shift_code = 'NIGHT' OR extract(isodow FROM a.day) >= 6)",
			       per),
			 0);
}
END_TEST

START_TEST(rule_one_set_per_day)
{
	/* two people, three shift types a day: only IR_D + IR_CALL may be combined */
	static const char *const people[] = {"dev@t.example:IR:1", "eli@t.example:IR:1", NULL};
	department(people_of(people),
		   config_of(arena_sprintf(A, "[%s, %s, %s]", shift("IR_D", "IR", "08:00", "16:00", WK7),
					   shift("IR_CALL", "IR", NULL, NULL, WK7), shift("IR_EVE", "IR", "16:00", "22:00", WK7)),
			     "{\"requirements\": [{\"shiftType\": \"IR_D\", \"count\": 1}, {\"shiftType\": \"IR_CALL\", \"count\": 1},"
			     " {\"shiftType\": \"IR_EVE\", \"count\": 1}], \"overrides\": []}",
			     "{\"sameDayAllowed\": [{\"shiftTypes\": [\"IR_D\", \"IR_CALL\"]}]}", NULL, NULL));
	const char *per = period("P", "2026-12-01", "2026-12-07");
	ck_assert_int_eq(solve(per), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM assignments WHERE period_id = '%s'", per), 21);
	/* every day one person does IR_D + IR_CALL and the other IR_EVE: nobody has another pair */
	ck_assert_int_eq(count("SELECT count(*) FROM (SELECT user_id, day, array_agg(shift_code ORDER BY shift_code) s"
			       " FROM assignments WHERE period_id = '%s' GROUP BY 1, 2) x WHERE cardinality(s) > 1"
			       " AND s <> ARRAY['IR_CALL', 'IR_D']",
			       per),
			 0);
}
END_TEST

START_TEST(rule_time_off)
{
	department(people_of(FIVE),
		   config_of(arena_sprintf(A, "[%s]", shift("NEURO_D", "NEURO", "08:00", "16:00", WK7)),
			     "{\"requirements\": [{\"shiftType\": \"NEURO_D\", \"count\": 1}], \"overrides\": []}", NULL, NULL,
			     NULL));
	time_off("ben@t.example", "2026-12-01", "2026-12-05", "approved");
	time_off("ann@t.example", "2026-12-06", "2026-12-10", "approved");
	const char *per = period("P", "2026-12-01", "2026-12-10");
	ck_assert_int_eq(solve(per), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM assignments a JOIN users u ON u.id = a.user_id WHERE period_id = '%s'"
			       " AND ((u.email = 'ben@t.example' AND day <= '2026-12-05') OR (u.email = 'ann@t.example' AND day >= '2026-12-06'))",
			       per),
			 0);
	ck_assert_int_eq(count("SELECT count(*) FROM assignments WHERE period_id = '%s'", per), 10);
}
END_TEST

START_TEST(rule_forbidden_succession)
{
	static const char *const people[] = {"ann@t.example:-:1", "ben@t.example:-:1", "cho@t.example:-:1", NULL};
	department(people_of(people),
		   config_of(arena_sprintf(A, "[%s, %s]", shift("DAY", NULL, "08:00", "16:00", WK7),
					   shift("NIGHT", NULL, "23:00", "08:00", WK7)),
			     "{\"requirements\": [{\"shiftType\": \"DAY\", \"count\": 1}, {\"shiftType\": \"NIGHT\", \"count\": 1}],"
			     " \"overrides\": []}",
			     "{\"forbiddenSuccessions\": [{\"after\": [\"NIGHT\"], \"forbid\": [\"DAY\"], \"days\": 1}]}", NULL, NULL));
	const char *per = period("P", "2026-12-01", "2026-12-14");
	ck_assert_int_eq(solve(per), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM assignments a JOIN assignments b ON a.user_id = b.user_id"
			       " AND b.day = a.day + 1 WHERE a.period_id = '%s' AND a.shift_code = 'NIGHT' AND b.shift_code = 'DAY'",
			       per),
			 0);
}
END_TEST

/* longest run of consecutive working days of anyone in the period */
static long longest_run(const char *per)
{
	return count("SELECT coalesce(max(n), 0) FROM (SELECT user_id, count(*) n FROM (SELECT user_id, day,"
		     " day - (row_number() OVER (PARTITION BY user_id ORDER BY day))::int g FROM (SELECT DISTINCT user_id, day"
		     " FROM assignments WHERE period_id = '%s') d) x GROUP BY user_id, g) y",
		     per);
}

START_TEST(rule_max_consecutive)
{
	static const char *const people[] = {"ann@t.example:-:1", "ben@t.example:-:1", NULL};
	department(people_of(people),
		   config_of(arena_sprintf(A, "[%s]", shift("DAY", NULL, "08:00", "16:00", WK7)),
			     "{\"requirements\": [{\"shiftType\": \"DAY\", \"count\": 1}], \"overrides\": []}",
			     "{\"maxConsecutiveWorkingDays\": 3}", NULL, NULL));
	const char *per = period("P", "2026-12-01", "2026-12-21");
	/* ann worked the 3 days before the period: she may not start it */
	const char *prev = period("Before", "2026-11-25", "2026-11-30");
	assign(prev, "2026-11-28", "DAY", "ann@t.example", false);
	assign(prev, "2026-11-29", "DAY", "ann@t.example", false);
	assign(prev, "2026-11-30", "DAY", "ann@t.example", false);
	ck_assert_int_eq(solve(per), 0);
	ck_assert_int_le(longest_run(per), 3);
	ck_assert_int_eq(count("SELECT count(*) FROM assignments a JOIN users u ON u.id = a.user_id WHERE a.period_id = '%s'"
			       " AND a.day = '2026-12-01' AND u.email = 'ann@t.example'",
			       per),
			 0);
}
END_TEST

START_TEST(rule_rest_after_run)
{
	static const char *const people[] = {"ann@t.example:-:1", "ben@t.example:-:1", "cho@t.example:-:1", NULL};
	department(people_of(people),
		   config_of(arena_sprintf(A, "[%s]", shift("DAY", NULL, "08:00", "16:00", WK7)),
			     "{\"requirements\": [{\"shiftType\": \"DAY\", \"count\": 2}], \"overrides\": []}",
			     "{\"maxConsecutiveWorkingDays\": 6, \"restAfterRun\": {\"minRunDays\": 4, \"minDaysOff\": 2}}", NULL,
			     NULL));
	const char *per = period("P", "2026-12-01", "2026-12-21");
	ck_assert_int_eq(solve(per), 0);
	/* every run of 4+ days is followed by 2 days off (within the period) */
	ck_assert_int_eq(count("WITH d AS (SELECT DISTINCT user_id, day FROM assignments WHERE period_id = '%s'),"
			       " r AS (SELECT user_id, min(day) f, max(day) l, count(*) n FROM (SELECT user_id, day,"
			       " day - (row_number() OVER (PARTITION BY user_id ORDER BY day))::int g FROM d) x GROUP BY user_id, g)"
			       " SELECT count(*) FROM r WHERE n >= 4 AND EXISTS (SELECT 1 FROM d WHERE d.user_id = r.user_id"
			       " AND d.day = r.l + 2)",
			       per),
			 0);
}
END_TEST

START_TEST(rule_max_weekends)
{
	static const char *const people[] = {"ann@t.example:-:1", "ben@t.example:-:1", "cho@t.example:-:1", NULL};
	department(people_of(people),
		   config_of(arena_sprintf(A, "[%s, %s]", shift("WE", NULL, "08:00", "18:00", "[\"sat\",\"sun\"]"),
					   shift("DAY", NULL, "08:00", "16:00", "[\"mon\",\"tue\",\"wed\",\"thu\",\"fri\"]")),
			     "{\"requirements\": [{\"shiftType\": \"WE\", \"count\": 1}, {\"shiftType\": \"DAY\", \"count\": 1}],"
			     " \"overrides\": []}",
			     "{\"weekends\": {\"max\": 1, \"periodWeeks\": 3}}", NULL, NULL));
	const char *per = period("P", "2026-12-05", "2026-12-27");
	ck_assert_int_eq(solve(per), 0);
	/* in any 3 consecutive weekends, nobody works more than one */
	ck_assert_int_eq(count("WITH w AS (SELECT DISTINCT user_id, (day - (extract(isodow FROM day)::int - 6))::date sat"
			       " FROM assignments WHERE period_id = '%s' AND extract(isodow FROM day) >= 6)"
			       " SELECT count(*) FROM w a JOIN w b ON a.user_id = b.user_id AND b.sat > a.sat AND b.sat - a.sat < 21",
			       per),
			 0);
}
END_TEST

START_TEST(rule_per_type_maximum)
{
	/* one type alone (hard in the engine) and a set split by a same-day combination (soft in
	 * the engine, exact in the check) */
	static const char *const people[] = {"ann@t.example:IR:1", "ben@t.example:IR:1", "cho@t.example:IR:1",
					     "dev@t.example:-:1", "eli@t.example:-:1", NULL};
	department(people_of(people),
		   config_of(arena_sprintf(A, "[%s, %s, %s]", shift("NIGHT", NULL, "23:00", "08:00", WK7),
					   shift("IR_D", "IR", "08:00", "16:00", WK7), shift("IR_CALL", "IR", NULL, NULL, WK7)),
			     "{\"requirements\": [{\"shiftType\": \"NIGHT\", \"count\": 1}, {\"shiftType\": \"IR_D\", \"count\": 1},"
			     " {\"shiftType\": \"IR_CALL\", \"count\": 1}], \"overrides\": []}",
			     "{\"maxShifts\": [{\"shiftTypes\": [\"NIGHT\"], \"max\": 3, \"per\": \"period\"},"
			     " {\"shiftTypes\": [\"IR_CALL\"], \"max\": 5, \"per\": \"month\"}],"
			     " \"sameDayAllowed\": [{\"shiftTypes\": [\"IR_D\", \"IR_CALL\"]}]}",
			     NULL, NULL));
	const char *per = period("P", "2026-12-01", "2026-12-14");
	ck_assert_int_eq(solve(per), 0);
	ck_assert_int_eq(count("SELECT coalesce(max(n), 0) FROM (SELECT count(*) n FROM assignments WHERE period_id = '%s'"
			       " AND shift_code = 'NIGHT' GROUP BY user_id) x",
			       per),
			 3);
	ck_assert_int_le(count("SELECT coalesce(max(n), 0) FROM (SELECT count(*) n FROM assignments WHERE period_id = '%s'"
			       " AND shift_code = 'IR_CALL' GROUP BY user_id) x",
			       per),
			 5);
}
END_TEST

START_TEST(rule_locked_and_holiday)
{
	department(people_of(FIVE),
		   config_of(arena_sprintf(A, "[%s, %s]", shift("DAY", NULL, "08:00", "16:00", WK7), shift("CALL", NULL, NULL, NULL, "[]")),
			     "{\"requirements\": [{\"shiftType\": \"DAY\", \"count\": 2}, {\"shiftType\": \"CALL\", \"count\": 0}],"
			     " \"overrides\": [{\"date\": \"2026-12-25\", \"name\": \"Christmas Day\", \"holiday\": true,"
			     " \"otherShifts\": \"closed\", \"counts\": {\"CALL\": 1}}]}",
			     NULL, NULL, NULL));
	const char *per = period("P", "2026-12-20", "2026-12-28");
	assign(per, "2026-12-22", "DAY", "eli@t.example", true);
	assign(per, "2026-12-23", "DAY", "eli@t.example", false); /* unlocked: may be replaced */
	ck_assert_int_eq(solve(per), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM assignments a JOIN users u ON u.id = a.user_id WHERE period_id = '%s'"
			       " AND day = '2026-12-22' AND shift_code = 'DAY' AND u.email = 'eli@t.example' AND locked AND source = 'manual'",
			       per),
			 1);
	ck_assert_int_eq(count("SELECT count(*) FROM assignments WHERE period_id = '%s' AND day = '2026-12-25' AND shift_code = 'DAY'",
			       per),
			 0);
	ck_assert_int_eq(count("SELECT count(*) FROM assignments WHERE period_id = '%s' AND day = '2026-12-25' AND shift_code = 'CALL'",
			       per),
			 1);
	ck_assert_int_eq(count("SELECT count(*) FROM assignments WHERE period_id = '%s' AND shift_code = 'CALL'", per), 1);
	/* the engine's assignments carry their instants (all-day call has none) */
	ck_assert_int_eq(count("SELECT count(*) FROM assignments WHERE period_id = '%s' AND source = 'engine' AND shift_code = 'DAY'"
			       " AND (all_day OR start_at <> (day + time '08:00') AT TIME ZONE 'America/Toronto')",
			       per),
			 0);
}
END_TEST

/* ---- the dry run names the culprits ---------------------------------------------------------- */

START_TEST(dry_run_infeasible_wording)
{
	static const char *const people[] = {"ann@t.example:IR:1", "ben@t.example:IR:1", "cho@t.example:IR:1",
					     "dev@t.example:-:1", NULL};
	department(people_of(people),
		   config_of(arena_sprintf(A, "[%s, %s]", shift("IR_CALL", "IR", NULL, NULL, WK7),
					   shift("NIGHT", NULL, "23:00", "08:00", WK7)),
			     "{\"requirements\": [{\"shiftType\": \"IR_CALL\", \"count\": 0}, {\"shiftType\": \"NIGHT\", \"count\": 0}],"
			     " \"overrides\": [{\"date\": \"2026-12-25\", \"name\": \"Christmas\", \"counts\": {\"NIGHT\": 1}},"
			     " {\"date\": \"2026-12-26\", \"name\": \"Boxing Day\", \"holiday\": true, \"counts\": {\"IR_CALL\": 1}}]}",
			     "{\"forbiddenSuccessions\": [{\"after\": [\"NIGHT\"], \"forbid\": [\"IR_CALL\"], \"days\": 1}],"
			     " \"weekends\": {\"max\": 1, \"periodWeeks\": 2}}",
			     NULL, NULL));
	const char *before = period("Before", "2026-12-14", "2026-12-20");
	const char *per = period("P", "2026-12-21", "2026-12-27");
	time_off("ann@t.example", "2026-12-24", "2026-12-28", "approved");
	assign(per, "2026-12-25", "NIGHT", "ben@t.example", true);
	assign(before, "2026-12-19", "IR_CALL", "cho@t.example", false);
	struct sched_loaded l;
	load(per, &l);
	json_t *out;
	struct errinfo ei = {0};
	ck_assert_msg(engine_run_dry_run(&l, NULL, NULL, 2000, A, &out, &ei) == ERR_OK, "dry run: %s", ei.message);
	ck_assert_str_eq(json_string_value(json_object_get(out, "verdict")), "infeasible");
	ck_assert(json_is_false(json_object_get(out, "feasible")));
	const json_t *probs = json_object_get(out, "problems");
	const char *text = NULL;
	for (size_t i = 0; i < json_array_size(probs); i++) {
		const json_t *p = json_array_get(probs, i);
		if (!strcmp(json_string_value(json_object_get(p, "kind")), "coverage"))
			text = json_string_value(json_object_get(p, "text"));
	}
	ck_assert_msg(text != NULL, "no coverage problem in %s", json_dumps(out, 0));
	ck_assert_msg(strstr(text, "2026-12-26 IR_CALL needs 1; 3 eligible;"), "%s", text);
	ck_assert_msg(strstr(text, "Dr Ann on vacation"), "%s", text);
	ck_assert_msg(strstr(text, "Dr Ben resting after NIGHT"), "%s", text);
	ck_assert_msg(strstr(text, "Dr Cho at the most weekends (1 in 2 weeks)"), "%s", text);
	json_decref(out);
}
END_TEST

START_TEST(dry_run_feasible)
{
	department(people_of(FIVE),
		   config_of(arena_sprintf(A, "[%s]", shift("DAY", NULL, "08:00", "16:00", WK7)),
			     "{\"requirements\": [{\"shiftType\": \"DAY\", \"count\": 2}], \"overrides\": []}", NULL, NULL, NULL));
	const char *per = period("P", "2026-12-01", "2026-12-31");
	struct sched_loaded l;
	load(per, &l);
	json_t *out;
	struct errinfo ei = {0};
	ck_assert_int_eq(engine_run_dry_run(&l, "2026-12-05", "2026-12-12", 1000, A, &out, &ei), ERR_OK);
	ck_assert_str_eq(json_string_value(json_object_get(out, "verdict")), "feasible");
	ck_assert_str_eq(json_string_value(json_object_get(out, "from")), "2026-12-05");
	json_decref(out);
	ck_assert_int_eq(engine_run_dry_run(&l, "2026-11-30", "2026-12-12", 1000, A, &out, &ei), ERR_INVALID);
}
END_TEST

/* ---- runs as jobs ------------------------------------------------------------------------------ */

struct job_run {
	struct db_pool *pool;
	const char *run_id;
	enum err e;
};

static void *run_job(void *arg)
{
	struct job_run *j = arg;
	struct arena *a = arena_new(0);
	volatile int stopping = 0;
	struct queue_job job = {.kind = ENGINE_RUN_JOB, .payload = arena_sprintf(a, "{\"runId\":\"%s\"}", j->run_id),
				.tenant_id = TENANT, .attempt = 1, .max_attempts = 1, .pool = j->pool,
				.ctx = {.tenant_id = TENANT, .actor = DB_ACTOR_SYSTEM}, .arena = a, .stopping = &stopping};
	j->e = engine_run_job(&job);
	arena_free(a);
	return NULL;
}

static const char *start_run(const char *per, int ms)
{
	struct errinfo ei = {0};
	json_t *out;
	begin();
	struct engine_run_in in = {.period_id = per, .time_limit_ms = ms, .seed_set = true, .seed = 7};
	ck_assert_msg(engine_run_start(DB, A, &in, &out, &ei) == ERR_OK, "start: %s", ei.message);
	commit();
	const char *id = arena_strdup(A, json_string_value(json_object_get(out, "id")));
	ck_assert_str_eq(json_string_value(json_object_get(out, "status")), "queued");
	json_decref(out);
	return id;
}

static const char *run_status(const char *id)
{
	struct errinfo ei = {0};
	json_t *out;
	begin();
	ck_assert_int_eq(engine_run_get(DB, A, id, &out, &ei), ERR_OK);
	commit();
	const char *s = arena_strdup(A, json_string_value(json_object_get(out, "status")));
	json_decref(out);
	return s;
}

/* Run k's job on a thread of its own and wait until it is solving. */
static pthread_t run_in_background(struct job_run *k)
{
	pthread_t th;
	ck_assert_int_eq(pthread_create(&th, NULL, run_job, k), 0);
	for (int i = 0; i < 200 && strcmp(run_status(k->run_id), "running"); i++)
		usleep(20000);
	ck_assert_str_eq(run_status(k->run_id), "running");
	return th;
}

static const char *draft_hash(const char *per)
{
	char sql[512];
	snprintf(sql, sizeof sql,
		 "SELECT ('x' || left(md5(coalesce(string_agg(id::text || day || shift_code || user_id || updated_at::text, ','"
		 " ORDER BY id), '')), 12))::bit(48)::bigint FROM assignments WHERE period_id = '%s'",
		 per);
	return arena_sprintf(A, "%ld", testdb_super_long(&T, sql));
}

static void small_department(void)
{
	department(people_of(FIVE),
		   config_of(arena_sprintf(A, "[%s, %s]", shift("DAY", NULL, "08:00", "16:00", WK7),
					   shift("NIGHT", NULL, "23:00", "08:00", WK7)),
			     "{\"requirements\": [{\"shiftType\": \"DAY\", \"count\": 2}, {\"shiftType\": \"NIGHT\", \"count\": 1}],"
			     " \"overrides\": []}",
			     "{\"forbiddenSuccessions\": [{\"after\": [\"NIGHT\"], \"forbid\": [\"DAY\"]}], \"maxConsecutiveWorkingDays\": 5}",
			     NULL, "[{\"id\": \"nights\", \"name\": \"Nights\", \"shiftTypes\": [\"NIGHT\"]}]"));
}

START_TEST(run_writes_draft_keeping_locks)
{
	small_department();
	const char *per = period("P", "2026-12-01", "2026-12-28");
	assign(per, "2026-12-10", "NIGHT", "cho@t.example", true);
	assign(per, "2026-12-11", "DAY", "ann@t.example", false);
	struct errinfo ei = {0};
	struct db_pool *pool;
	ck_assert_int_eq(db_pool_new(T.app, 2, &pool, &ei), ERR_OK);
	const char *id = start_run(per, 500);
	/* a second start while one is queued is refused */
	json_t *out = NULL;
	begin();
	struct engine_run_in in2 = {.period_id = per};
	ck_assert_int_eq(engine_run_start(DB, A, &in2, &out, &ei), ERR_CONFLICT);
	db_rollback(DB);
	struct job_run j = {.pool = pool, .run_id = id};
	run_job(&j);
	ck_assert_int_eq(j.e, ERR_OK);
	ck_assert_str_eq(run_status(id), "succeeded");
	ck_assert_int_eq(count("SELECT hard_violations FROM engine_runs WHERE id = '%s'", id), 0);
	ck_assert_int_eq(count("SELECT (constraints -> 'coverage' ->> 'satisfiedPct')::numeric::int FROM engine_runs WHERE id = '%s'", id),
			 100);
	ck_assert_int_ge(count("SELECT jsonb_array_length(progress) FROM engine_runs WHERE id = '%s'", id), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM assignments WHERE period_id = '%s' AND locked AND day = '2026-12-10'", per), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM assignments WHERE period_id = '%s' AND source = 'manual' AND NOT locked", per),
			 0);
	ck_assert_int_ge(count("SELECT count(*) FROM assignments WHERE period_id = '%s'", per), 28 * 3);
	/* audited: created, queued job noted, running, finished (progress ticks are not) */
	ck_assert_int_eq(count("SELECT count(*) FROM audit_log WHERE entity = 'engine_runs' AND entity_id = '%s'", id), 4);
	db_pool_free(pool);
}
END_TEST

START_TEST(cancel_leaves_previous_draft)
{
	small_department();
	const char *per = period("P", "2026-12-01", "2026-12-28");
	ck_assert_int_eq(solve(per), 0);
	const char *before = draft_hash(per);
	long n_before = count("SELECT count(*) FROM assignments WHERE period_id = '%s'", per);
	struct errinfo ei = {0};
	struct db_pool *pool;
	ck_assert_int_eq(db_pool_new(T.app, 2, &pool, &ei), ERR_OK);

	/* cancelled while queued: the job finds it cancelled and does nothing */
	const char *q = start_run(per, 500);
	json_t *out;
	begin();
	ck_assert_int_eq(engine_run_cancel(DB, A, q, &out, &ei), ERR_OK);
	commit();
	ck_assert_str_eq(json_string_value(json_object_get(out, "status")), "cancelled");
	json_decref(out);
	struct job_run j = {.pool = pool, .run_id = q};
	run_job(&j);
	ck_assert_int_eq(j.e, ERR_OK);
	ck_assert_str_eq(run_status(q), "cancelled");
	ck_assert_str_eq(draft_hash(per), before);
	/* a finished run cannot be cancelled */
	begin();
	ck_assert_int_eq(engine_run_cancel(DB, A, q, &out, &ei), ERR_CONFLICT);
	db_rollback(DB);

	/* cancelled while running: it stops at its next slice and writes nothing */
	const char *r = start_run(per, 20000);
	struct job_run k = {.pool = pool, .run_id = r};
	pthread_t th = run_in_background(&k);
	usleep(300000);
	begin();
	ck_assert_int_eq(engine_run_cancel(DB, A, r, &out, &ei), ERR_OK);
	commit();
	ck_assert(json_is_true(json_object_get(out, "cancelRequested")));
	json_decref(out);
	pthread_join(th, NULL);
	ck_assert_int_eq(k.e, ERR_OK);
	ck_assert_str_eq(run_status(r), "cancelled");
	ck_assert_int_lt(count("SELECT (timings ->> 'totalMs')::int FROM engine_runs WHERE id = '%s'", r), 10000);
	ck_assert_str_eq(draft_hash(per), before);
	ck_assert_int_eq(count("SELECT count(*) FROM assignments WHERE period_id = '%s'", per), n_before);
	/* a new run may start once the others have finished */
	start_run(per, 200);
	db_pool_free(pool);
}
END_TEST

/* A config saved while the engine solves (other rules, other shift times) makes the run
 * fail without writing: its schedule was made for the old version. */
START_TEST(config_change_during_a_run_writes_nothing)
{
	small_department();
	const char *per = period("P", "2026-12-01", "2026-12-28");
	ck_assert_int_eq(solve(per), 0);
	const char *before = draft_hash(per);
	struct errinfo ei = {0};
	struct db_pool *pool;
	ck_assert_int_eq(db_pool_new(T.app, 2, &pool, &ei), ERR_OK);
	const char *r = start_run(per, 1500);
	struct job_run k = {.pool = pool, .run_id = r};
	pthread_t th = run_in_background(&k);
	char sql[800];
	snprintf(sql, sizeof sql,
		 "INSERT INTO config_versions (tenant_id, number, parent_number, actor_kind, message, document)"
		 " SELECT tenant_id, number + 1, number, 'SYSTEM', 'during the run', document FROM config_versions"
		 "  WHERE tenant_id = '%s' AND number = (SELECT config_version FROM tenants WHERE id = '%s');"
		 " UPDATE tenants SET config_version = config_version + 1 WHERE id = '%s'",
		 TENANT, TENANT, TENANT);
	ck_assert_int_eq(testdb_super_exec(&T, sql), 0);
	pthread_join(th, NULL);
	ck_assert_int_eq(k.e, ERR_OK);
	ck_assert_str_eq(run_status(r), "failed");
	ck_assert_int_eq(count("SELECT count(*) FROM engine_runs WHERE id = '%s'"
			       " AND diagnostics ->> 'error' LIKE 'the configuration changed (version 1 to 2)%%'",
			       r),
			 1);
	ck_assert_str_eq(draft_hash(per), before);
	db_pool_free(pool);
}
END_TEST

START_TEST(seed_solve_is_deterministic)
{
	small_department();
	const char *per = period("P", "2026-12-01", "2026-12-28");
	char sql[512];
	snprintf(sql, sizeof sql,
		 "SELECT ('x' || left(md5(string_agg(day || shift_code || user_id, ',' ORDER BY day, shift_code, user_id)), 12))"
		 "::bit(48)::bigint FROM assignments WHERE period_id = '%s'",
		 per);
	ck_assert_int_eq(solve(per), 0);
	long first = testdb_super_long(&T, sql);
	ck_assert_int_eq(solve(per), 0);
	ck_assert_int_eq(testdb_super_long(&T, sql), first);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("schedule_engine");
	TCase *tc = tcase_create("engine");
	tcase_add_unchecked_fixture(tc, suite_setup, NULL);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, mapping_demo_department);
	tcase_add_test(tc, rule_coverage_minimum);
	tcase_add_test(tc, rule_eligibility);
	tcase_add_test(tc, rule_fellow_beside_attending);
	tcase_add_test(tc, rule_one_set_per_day);
	tcase_add_test(tc, rule_time_off);
	tcase_add_test(tc, rule_forbidden_succession);
	tcase_add_test(tc, rule_max_consecutive);
	tcase_add_test(tc, rule_rest_after_run);
	tcase_add_test(tc, rule_max_weekends);
	tcase_add_test(tc, rule_per_type_maximum);
	tcase_add_test(tc, rule_locked_and_holiday);
	tcase_add_test(tc, dry_run_infeasible_wording);
	tcase_add_test(tc, dry_run_feasible);
	tcase_add_test(tc, run_writes_draft_keeping_locks);
	tcase_add_test(tc, cancel_leaves_previous_draft);
	tcase_add_test(tc, config_change_during_a_run_writes_nothing);
	tcase_add_test(tc, seed_solve_is_deterministic);
	suite_add_tcase(s, tc);
	return s;
}
