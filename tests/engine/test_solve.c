/* Solver and dry-run tests: determinism, each hard rule on a minimal fixture where the
 * cheapest schedule would break it, locked cells kept, infeasible fixtures diagnosed.
 * Runs are bounded by work (steps), not time, so results do not depend on the machine. */
#include <stdio.h>
#include <string.h>

#include "check_main.h"
#include "engine/engine_curtois.h"
#include "engine/engine_diagnose.h"
#include "engine/engine_eval.h"
#include "engine/engine_solve.h"

/* days × shifts × people; shifts "D" (480 min) and "N" (600 min, forbids D next); people
 * "Dr A", "Dr B", …; every cover row wants nobody, over-cover costs 1. */
static struct engine_model *fixture(struct arena *a, int days, int shifts, int people)
{
	struct engine_model *m;
	struct errinfo ei = {0};
	ck_assert_int_eq(engine_model_new(a, days, shifts, people, &m, &ei), ERR_OK);
	static const char *const codes[] = {"D", "N", "E"};
	static const char *const labels[] = {"Day", "Overnight", "Evening"};
	for (int s = 0; s < shifts; s++) {
		m->shifts[s].code = codes[s];
		m->shifts[s].label = labels[s];
		m->shifts[s].minutes = s == 1 ? 600 : 480;
	}
	if (shifts > 1)
		m->shifts[1].forbidden_next = 1; /* no Day after an Overnight */
	for (int p = 0; p < people; p++) {
		m->people[p].code = arena_sprintf(a, "%c", 'A' + p);
		m->people[p].label = arena_sprintf(a, "Dr %c", 'A' + p);
	}
	for (int i = 0; i < days * shifts; i++)
		m->cover[i] = (struct engine_cover){.req = 0, .w_under = 100, .w_over = 1};
	return m;
}

static void want(struct engine_model *m, int d, int s, int req, int w_under)
{
	m->cover[d * m->nshifts + s].req = req;
	m->cover[d * m->nshifts + s].w_under = w_under;
}

static struct engine_solve_result *solve(struct arena *a, struct engine_model *m, uint64_t seed, int threads,
					 int64_t megaticks)
{
	struct errinfo ei = {0};
	ck_assert_msg(engine_model_finalize(m, &ei) == ERR_OK, "%s", ei.message);
	struct engine_solve_opts o = {.work_limit = megaticks, .seed = seed, .threads = threads, .deterministic = true};
	struct engine_solve_result *r = arena_alloc(a, sizeof *r);
	ck_assert_msg(engine_solve(m, &o, a, r, &ei) == ERR_OK, "%s", ei.message);
	return r;
}

static int cellv(const struct engine_solve_result *r, int p, int d) { return r->roster.cell[p * r->roster.ndays + d]; }

static struct engine_model *instance(struct arena *a, int n)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/../shared/bench/curtois/Instance%d.txt", test_root(), n);
	struct engine_model *m;
	struct errinfo ei = {0};
	ck_assert_msg(engine_curtois_load(path, a, &m, &ei) == ERR_OK, "%s", ei.message);
	return m;
}

/* Same seed and work: same schedule, run after run and whatever the number of threads
 * (threads only run the same workers in parallel). */
START_TEST(same_seed_same_schedule)
{
	struct arena *a = arena_new(0);
	struct engine_model *m = instance(a, 5);
	size_t n = sizeof(int16_t) * (size_t)m->npeople * (size_t)m->ndays;
	struct engine_solve_result *r1 = solve(a, m, 7, 1, 150);
	struct engine_solve_result *r2 = solve(a, m, 7, 1, 150);
	struct engine_solve_result *r3 = solve(a, m, 7, 2, 150);
	ck_assert(r1->feasible && r2->feasible && r3->feasible);
	ck_assert_int_eq(r1->eval.objective, r2->eval.objective);
	ck_assert_int_eq(r1->eval.objective, r3->eval.objective);
	ck_assert(memcmp(r1->roster.cell, r2->roster.cell, n) == 0);
	ck_assert(memcmp(r1->roster.cell, r3->roster.cell, n) == 0);
	struct engine_solve_result *r4 = solve(a, m, 8, 1, 150);
	ck_assert(r4->feasible);
	arena_free(a);
}
END_TEST

START_TEST(instance1_reaches_optimum)
{
	struct arena *a = arena_new(0);
	struct engine_model *m = instance(a, 1);
	struct engine_solve_result *r = solve(a, m, 1, 1, 100);
	ck_assert(r->feasible);
	ck_assert_int_eq(r->eval.objective, 607);
	arena_free(a);
}
END_TEST

START_TEST(rule_forbidden_succession)
{
	struct arena *a = arena_new(0);
	struct engine_model *m = fixture(a, 7, 2, 1);
	want(m, 2, 1, 1, 100); /* Overnight on day 2 */
	want(m, 3, 0, 1, 90);  /* Day on day 3: forbidden after the Overnight */
	struct engine_solve_result *r = solve(a, m, 1, 1, 40);
	ck_assert(r->feasible);
	ck_assert_int_eq(cellv(r, 0, 2), 1);
	ck_assert_int_ne(cellv(r, 0, 3), 0);
	arena_free(a);
}
END_TEST

START_TEST(rule_per_type_maximum_and_eligibility)
{
	struct arena *a = arena_new(0);
	struct engine_model *m = fixture(a, 7, 2, 2);
	for (int d = 0; d < 7; d++)
		want(m, d, 1, 2, 100);
	m->people[0].max_count[1] = 2;
	m->people[1].eligible = 1; /* Dr B: Day only */
	struct engine_solve_result *r = solve(a, m, 1, 1, 40);
	ck_assert(r->feasible);
	int n = 0;
	for (int d = 0; d < 7; d++) {
		n += cellv(r, 0, d) == 1;
		ck_assert_int_ne(cellv(r, 1, d), 1);
	}
	ck_assert_int_eq(n, 2);
	arena_free(a);
}
END_TEST

START_TEST(rule_total_minutes)
{
	struct arena *a = arena_new(0);
	struct engine_model *m = fixture(a, 7, 1, 2);
	for (int d = 0; d < 7; d++)
		want(m, d, 0, 1, 100);
	m->people[0].max_minutes = 3 * 480; /* wants all days but may work 3 */
	m->people[1].min_minutes = 2 * 480; /* Dr B must work 2 days even if over-covering */
	m->people[1].max_minutes = 2 * 480;
	struct engine_solve_result *r = solve(a, m, 1, 1, 40);
	ck_assert(r->feasible);
	int na = 0, nb = 0;
	for (int d = 0; d < 7; d++) {
		na += cellv(r, 0, d) >= 0;
		nb += cellv(r, 1, d) >= 0;
	}
	ck_assert_int_eq(na, 3);
	ck_assert_int_eq(nb, 2);
	ck_assert_int_eq(r->eval.objective, 200); /* 2 days left uncovered */
	arena_free(a);
}
END_TEST

static int longest_run(const struct engine_solve_result *r, int p, bool work)
{
	int best = 0, cur = 0;
	for (int d = 0; d < r->roster.ndays; d++) {
		cur = ((cellv(r, p, d) >= 0) == work) ? cur + 1 : 0;
		if (cur > best)
			best = cur;
	}
	return best;
}

START_TEST(rule_max_consecutive)
{
	struct arena *a = arena_new(0);
	struct engine_model *m = fixture(a, 14, 1, 1);
	for (int d = 0; d < 14; d++)
		want(m, d, 0, 1, 100);
	m->people[0].max_consec = 3;
	struct engine_solve_result *r = solve(a, m, 1, 1, 40);
	ck_assert(r->feasible);
	ck_assert_int_le(longest_run(r, 0, true), 3);
	ck_assert_int_eq(r->eval.objective, 300); /* 11 of 14 days: 3 uncovered */
	arena_free(a);
}
END_TEST

START_TEST(rule_min_consecutive_work_and_off)
{
	struct arena *a = arena_new(0);
	struct engine_model *m = fixture(a, 14, 1, 2);
	for (int d = 1; d < 13; d += 2) /* alternate days wanted: inner runs of 1 */
		want(m, d, 0, 1, 100);
	m->people[0].min_consec = 3;
	m->people[1].min_consec_off = 3;
	m->people[1].max_consec = 1;
	struct engine_solve_result *r = solve(a, m, 1, 1, 40);
	ck_assert(r->feasible);
	ck_assert_int_eq(r->eval.nhard, 0);
	arena_free(a);
}
END_TEST

START_TEST(rule_max_weekends_and_days_off)
{
	struct arena *a = arena_new(0);
	struct engine_model *m = fixture(a, 14, 1, 1);
	for (int d = 0; d < 14; d++)
		want(m, d, 0, 1, 100);
	m->people[0].max_weekends = 1;
	m->day_off[3] = 1;
	struct engine_solve_result *r = solve(a, m, 1, 1, 40);
	ck_assert(r->feasible);
	int weekends = (cellv(r, 0, 5) >= 0 || cellv(r, 0, 6) >= 0) + (cellv(r, 0, 12) >= 0 || cellv(r, 0, 13) >= 0);
	ck_assert_int_eq(weekends, 1);
	ck_assert_int_eq(cellv(r, 0, 3), ENGINE_OFF);
	arena_free(a);
}
END_TEST

START_TEST(locked_cells_are_kept)
{
	struct arena *a = arena_new(0);
	struct engine_model *m = fixture(a, 7, 2, 2);
	for (int d = 0; d < 7; d++)
		want(m, d, 0, 1, 100);
	m->lock[0 * 7 + 2] = 1;          /* Dr A locked to Overnight on day 2 (nobody wants it) */
	m->lock[1 * 7 + 4] = ENGINE_OFF; /* Dr B locked off on day 4 */
	m->lock[0 * 7 + 4] = ENGINE_OFF;
	struct engine_solve_result *r = solve(a, m, 3, 1, 40);
	ck_assert(r->feasible);
	ck_assert_int_eq(cellv(r, 0, 2), 1);
	ck_assert_int_eq(cellv(r, 1, 4), ENGINE_OFF);
	ck_assert_int_ne(cellv(r, 0, 3), 0); /* and the rest after it holds */
	arena_free(a);
}
END_TEST

START_TEST(hard_cover_minimum_is_met)
{
	struct arena *a = arena_new(0);
	struct engine_model *m = fixture(a, 7, 1, 2);
	for (int d = 0; d < 7; d++) {
		m->cover[d].hard_min = 1; /* nobody is wanted (over costs 1) but one is required */
		m->cover[d].w_under = 0;
	}
	m->people[0].max_consec = 4;
	struct engine_solve_result *r = solve(a, m, 1, 1, 40);
	ck_assert(r->feasible);
	ck_assert_int_eq(r->eval.objective, 7); /* one over-cover point per day, no more */
	for (int d = 0; d < 7; d++)
		ck_assert_int_eq((cellv(r, 0, d) >= 0) + (cellv(r, 1, d) >= 0), 1);
	arena_free(a);
}
END_TEST

static const struct engine_diag_item *find_item(const struct engine_diagnosis *dg, enum engine_diag_kind k)
{
	for (int i = 0; i < dg->nitems; i++)
		if (dg->items[i].kind == k)
			return &dg->items[i];
	return NULL;
}

START_TEST(dry_run_names_culprits)
{
	struct arena *a = arena_new(0);
	struct engine_model *m = fixture(a, 14, 2, 3);
	int vac;
	struct errinfo ei = {0};
	ck_assert_int_eq(engine_model_add_off_reason(m, "on vacation", &vac, &ei), ERR_OK);
	m->days[12].label = "2026-12-26";
	m->cover[12 * 2 + 0].hard_min = 1;         /* Saturday Day shift needs 1 */
	m->day_off[0 * 14 + 12] = (uint8_t)vac;    /* Dr A on vacation */
	m->lock[1 * 14 + 11] = 1;                  /* Dr B on Overnight the evening before */
	m->lock[2 * 14 + 5] = 0;                   /* Dr C worked last weekend ... */
	m->people[2].max_weekends = 1;             /* ... and may work one */
	ck_assert_int_eq(engine_model_finalize(m, &ei), ERR_OK);
	struct engine_diagnosis dg;
	ck_assert_int_eq(engine_diagnose(m, 2.0, a, &dg, &ei), ERR_OK);
	ck_assert_int_eq(dg.verdict, ENGINE_INFEASIBLE);
	const struct engine_diag_item *it = find_item(&dg, ENGINE_DIAG_COVER);
	ck_assert_ptr_nonnull(it);
	ck_assert_str_eq(it->text, "2026-12-26 D needs 1; 3 eligible; Dr A on vacation, Dr B resting after Overnight, "
				   "Dr C at max weekends (1)");
	ck_assert_int_eq(it->have, 0);
	arena_free(a);
}
END_TEST

START_TEST(dry_run_person_and_lock_conflicts)
{
	struct arena *a = arena_new(0);
	struct engine_model *m = fixture(a, 7, 1, 2);
	struct errinfo ei = {0};
	for (int d = 2; d < 7; d++)
		m->day_off[d] = 1;          /* Dr A: 2 days available */
	m->people[0].min_minutes = 3 * 480; /* but must work 3 */
	m->lock[1 * 7 + 1] = 0;
	m->day_off[1 * 7 + 1] = 1;          /* Dr B locked on a day off */
	ck_assert_int_eq(engine_model_finalize(m, &ei), ERR_OK);
	struct engine_diagnosis dg;
	ck_assert_int_eq(engine_diagnose(m, 2.0, a, &dg, &ei), ERR_OK);
	ck_assert_int_eq(dg.verdict, ENGINE_INFEASIBLE);
	const struct engine_diag_item *p = find_item(&dg, ENGINE_DIAG_PERSON);
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p->text, "Dr A can work at most 960 minutes (days off, locks and limits) but needs at least 1440");
	const struct engine_diag_item *l = find_item(&dg, ENGINE_DIAG_LOCK);
	ck_assert_ptr_nonnull(l);
	ck_assert_str_eq(l->text, "Dr B is locked to Day on day 1 but is on leave");
	arena_free(a);
}
END_TEST

START_TEST(dry_run_day_pigeonhole_and_feasible)
{
	struct arena *a = arena_new(0);
	struct engine_model *m = fixture(a, 7, 2, 2);
	struct errinfo ei = {0};
	m->cover[3 * 2 + 0].hard_min = 1;
	m->cover[3 * 2 + 1].hard_min = 1;
	m->day_off[1 * 7 + 3] = 1; /* only Dr A free on day 3, two minimums */
	ck_assert_int_eq(engine_model_finalize(m, &ei), ERR_OK);
	struct engine_diagnosis dg;
	ck_assert_int_eq(engine_diagnose(m, 2.0, a, &dg, &ei), ERR_OK);
	ck_assert_int_eq(dg.verdict, ENGINE_INFEASIBLE);
	const struct engine_diag_item *it = find_item(&dg, ENGINE_DIAG_DAY);
	ck_assert_ptr_nonnull(it);
	ck_assert_str_eq(it->text, "day 3 needs 2 people across its minimums but only 1 can work that day");
	/* lift the day off: feasible, with a witness meeting every minimum */
	m->day_off[1 * 7 + 3] = 0;
	ck_assert_int_eq(engine_model_finalize(m, &ei), ERR_OK);
	ck_assert_int_eq(engine_diagnose(m, 2.0, a, &dg, &ei), ERR_OK);
	ck_assert_int_eq(dg.verdict, ENGINE_FEASIBLE);
	struct engine_eval ev;
	ck_assert_int_eq(engine_eval_roster(m, &dg.witness, a, &ev, &ei), ERR_OK);
	ck_assert_int_eq(ev.nhard, 0);
	arena_free(a);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("engine_solve");
	TCase *tc = tcase_create("solve");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, same_seed_same_schedule);
	tcase_add_test(tc, instance1_reaches_optimum);
	tcase_add_test(tc, rule_forbidden_succession);
	tcase_add_test(tc, rule_per_type_maximum_and_eligibility);
	tcase_add_test(tc, rule_total_minutes);
	tcase_add_test(tc, rule_max_consecutive);
	tcase_add_test(tc, rule_min_consecutive_work_and_off);
	tcase_add_test(tc, rule_max_weekends_and_days_off);
	tcase_add_test(tc, locked_cells_are_kept);
	tcase_add_test(tc, hard_cover_minimum_is_met);
	tcase_add_test(tc, dry_run_names_culprits);
	tcase_add_test(tc, dry_run_person_and_lock_conflicts);
	tcase_add_test(tc, dry_run_day_pigeonhole_and_feasible);
	suite_add_tcase(s, tc);
	return s;
}
