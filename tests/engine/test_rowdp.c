/* The row dynamic programme is exact: on random small people (rules, days off, locks,
 * costs) its optimum equals brute force over every row, for the whole horizon and for
 * windows inside a fixed row. The solver's row check agrees with the evaluator. */
#include <string.h>

#include "check_main.h"
#include "engine/engine_eval.h"
#include "engine/engine_search.h"

static uint64_t rng = 12345;
static int rnd(int n) { return engine_rng_int(&rng, n); }

static struct engine_model *random_model(struct arena *a, int days)
{
	struct engine_model *m;
	struct errinfo ei = {0};
	ck_assert_int_eq(engine_model_new(a, days, 3, 1, &m, &ei), ERR_OK);
	for (int s = 0; s < 3; s++) {
		m->shifts[s].minutes = 240 * (1 + rnd(3));
		m->shifts[s].forbidden_next = (engine_mask)rnd(8);
	}
	struct engine_person *pp = &m->people[0];
	pp->eligible = 1 | (engine_mask)rnd(8);
	for (int s = 0; s < 3; s++)
		pp->max_count[s] = rnd(3) ? ENGINE_NO_LIMIT : rnd(days);
	pp->max_consec = rnd(2) ? 0 : 2 + rnd(4);
	pp->min_consec = rnd(2) ? 0 : 1 + rnd(pp->max_consec ? pp->max_consec : 3);
	pp->min_consec_off = rnd(2) ? 0 : 1 + rnd(3);
	pp->max_weekends = rnd(2) ? ENGINE_NO_LIMIT : rnd(2);
	pp->min_minutes = rnd(2) ? 0 : 240 * rnd(days);
	pp->max_minutes = rnd(2) ? ENGINE_NO_LIMIT : pp->min_minutes + 240 * rnd(days * 2);
	for (int d = 0; d < days; d++) {
		if (rnd(8) == 0)
			m->day_off[d] = 1;
		else if (rnd(12) == 0)
			m->lock[d] = (int16_t)(rnd(2) ? ENGINE_OFF : 0);
	}
	if (engine_model_finalize(m, &ei) != ERR_OK)
		return NULL;
	return m;
}

/* Brute force: the cheapest feasible row agreeing with fixed[] outside [a, b]. */
static int64_t brute(const struct engine_static *st, const int16_t *fixed, int a, int b, const int64_t *cost)
{
	int H = st->H, V = st->V;
	int16_t row[16];
	int64_t best = ENGINE_INF;
	long total = 1;
	for (int i = a; i <= b; i++)
		total *= V;
	for (long code = 0; code < total; code++) {
		memcpy(row, fixed, sizeof row[0] * (size_t)H);
		long c = code;
		int64_t x = 0;
		for (int d = a; d <= b; d++) {
			row[d] = (int16_t)(c % V - 1);
			c /= V;
			x += cost[(d - a) * V + row[d] + 1];
		}
		if (x < best && engine_row_feasible(st, 0, row))
			best = x;
	}
	return best;
}

START_TEST(dp_matches_brute_force)
{
	int checked = 0;
	for (int trial = 0; trial < 400; trial++) {
		struct arena *a = arena_new(0);
		int H = 7 + rnd(3);
		struct engine_model *m = random_model(a, H);
		if (!m) {
			arena_free(a);
			continue;
		}
		struct engine_static st;
		engine_static_init(&st, m, a);
		struct engine_rowdp *w = engine_rowdp_new();
		int64_t cost[16 * 4];
		int16_t fixed[16], out[16];
		for (int i = 0; i < H * st.V; i++)
			cost[i] = rnd(21) - 10;
		for (int d = 0; d < H; d++)
			fixed[d] = ENGINE_OFF;
		int64_t want = brute(&st, fixed, 0, H - 1, cost), got = 0;
		int r = engine_rowdp_solve(w, &st, 0, fixed, 0, H - 1, cost, &rng, out, &got);
		ck_assert_int_eq(r, want < ENGINE_INF ? 1 : 0);
		if (r == 1) {
			ck_assert_int_eq(got, want);
			ck_assert(engine_row_feasible(&st, 0, out));
			/* windows inside that feasible row */
			memcpy(fixed, out, sizeof fixed[0] * (size_t)H);
			for (int k = 0; k < 4; k++) {
				int lo = rnd(H), hi = lo + rnd(H - lo);
				int64_t wc[16 * 4];
				for (int i = 0; i < (hi - lo + 1) * st.V; i++)
					wc[i] = rnd(21) - 10;
				int64_t bw = brute(&st, fixed, lo, hi, wc), gw = 0;
				ck_assert_int_eq(engine_rowdp_solve(w, &st, 0, fixed, lo, hi, wc, NULL, out, &gw), 1);
				ck_assert_int_eq(gw, bw);
			}
			checked++;
		}
		engine_rowdp_free(w);
		arena_free(a);
	}
	ck_assert_int_ge(checked, 100);
}
END_TEST

START_TEST(row_check_agrees_with_evaluator)
{
	for (int trial = 0; trial < 300; trial++) {
		struct arena *a = arena_new(0);
		int H = 7 + rnd(8);
		struct engine_model *m = random_model(a, H);
		if (!m) {
			arena_free(a);
			continue;
		}
		struct engine_static st;
		engine_static_init(&st, m, a);
		struct engine_roster r;
		engine_roster_init(&r, m, a);
		for (int k = 0; k < 50; k++) {
			for (int d = 0; d < H; d++)
				r.cell[d] = (int16_t)(rnd(4) - 1);
			struct engine_eval ev;
			struct errinfo ei;
			ck_assert_int_eq(engine_eval_roster(m, &r, a, &ev, &ei), ERR_OK);
			ck_assert_int_eq(engine_row_feasible(&st, 0, r.cell), ev.nhard == 0);
		}
		arena_free(a);
	}
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("engine_rowdp");
	TCase *tc = tcase_create("rowdp");
	tcase_set_timeout(tc, 120); /* brute force comparison: slow under ASan */
	tcase_add_test(tc, dp_matches_brute_force);
	tcase_add_test(tc, row_check_agrees_with_evaluator);
	suite_add_tcase(s, tc);
	return s;
}
