/* Evaluator cross-checks: every published roster in the benchmark's solutions/ folder must
 * score exactly the objective in its file name, with zero hard violations; the reader
 * rejects malformed instances with a line number; the evaluator sees each hard rule. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "engine/engine_curtois.h"
#include "engine/engine_eval.h"

static const char *bench_dir(char *out, size_t n)
{
	snprintf(out, n, "%s/../shared/bench/curtois", test_root());
	return out;
}

/* "Instance12.origin.4040.roster.tsv" → instance "Instance12", objective 4040. */
static bool parse_solution_name(const char *name, char *inst, size_t instsz, long *obj)
{
	if (strncmp(name, "Instance", 8) != 0 || !strstr(name, ".roster.tsv"))
		return false;
	const char *dot = strchr(name, '.');
	snprintf(inst, instsz, "%.*s", (int)(dot - name), name);
	const char *end = strstr(name, ".roster.tsv");
	const char *p = end;
	while (p > name && p[-1] != '.')
		p--;
	*obj = strtol(p, NULL, 10);
	return true;
}

START_TEST(every_published_roster_scores_its_objective)
{
	char dir[1024], sol[1100];
	bench_dir(dir, sizeof dir);
	snprintf(sol, sizeof sol, "%s/solutions", dir);
	DIR *dh = opendir(sol);
	ck_assert_msg(dh != NULL, "cannot open %s", sol);
	int checked = 0;
	struct dirent *de;
	while ((de = readdir(dh))) {
		char inst[64], path[1400];
		long want;
		if (!parse_solution_name(de->d_name, inst, sizeof inst, &want))
			continue;
		struct arena *a = arena_new(0);
		struct errinfo ei = {0};
		struct engine_model *m;
		snprintf(path, sizeof path, "%s/%s.txt", dir, inst);
		ck_assert_msg(engine_curtois_load(path, a, &m, &ei) == ERR_OK, "%s", ei.message);
		struct engine_roster r;
		snprintf(path, sizeof path, "%s/%s", sol, de->d_name);
		ck_assert_msg(engine_roster_load_tsv(m, path, a, &r, &ei) == ERR_OK, "%s", ei.message);
		struct engine_eval *ev = arena_alloc(a, sizeof *ev);
		ck_assert_int_eq(engine_eval_roster(m, &r, a, ev, &ei), ERR_OK);
		ck_assert_msg(ev->objective == want && ev->nhard == 0, "%s: objective %lld hard %d, want %ld",
			      de->d_name, (long long)ev->objective, ev->nhard, want);
		checked++;
		arena_free(a);
	}
	closedir(dh);
	ck_assert_int_ge(checked, 17);
}
END_TEST

START_TEST(instance1_optimum_breakdown)
{
	char dir[1024], path[1200];
	bench_dir(dir, sizeof dir);
	struct arena *a = arena_new(0);
	struct errinfo ei = {0};
	struct engine_model *m;
	snprintf(path, sizeof path, "%s/Instance1.txt", dir);
	ck_assert_int_eq(engine_curtois_load(path, a, &m, &ei), ERR_OK);
	ck_assert_int_eq(m->ndays, 14);
	ck_assert_int_eq(m->npeople, 8);
	ck_assert_int_eq(m->nshifts, 1);
	struct engine_roster r;
	snprintf(path, sizeof path, "%s/solutions/Instance1.vanrooijen.607.roster.tsv", dir);
	ck_assert_int_eq(engine_roster_load_tsv(m, path, a, &r, &ei), ERR_OK);
	struct engine_eval *ev = arena_alloc(a, sizeof *ev);
	ck_assert_int_eq(engine_eval_roster(m, &r, a, ev, &ei), ERR_OK);
	/* README: 6 missing cover units (600) + 4 on-request points + 3 off-request points */
	ck_assert_int_eq(ev->term[ENGINE_TERM_COVER_UNDER], 600);
	ck_assert_int_eq(ev->term[ENGINE_TERM_ON_REQUESTS], 4);
	ck_assert_int_eq(ev->term[ENGINE_TERM_OFF_REQUESTS], 3);
	arena_free(a);
}
END_TEST

static const char *tiny =
	"# tiny\nSECTION_HORIZON\n7\n\nSECTION_SHIFTS\nD,480,\nN,600,D|N\n\n"
	"SECTION_STAFF\nA,D=7|N=1,2400,960,3,2,2,1\nB,D=7|N=0,2400,0,3,1,1,0\n\n"
	"SECTION_DAYS_OFF\nA,6\n\nSECTION_SHIFT_ON_REQUESTS\nA,0,D,2\n\n"
	"SECTION_SHIFT_OFF_REQUESTS\nB,1,D,3\n\n"
	"SECTION_COVER\n0,D,1,100,1\n1,D,1,100,1\n";

static enum err parse_text(struct arena *a, const char *text, struct engine_model **m, struct errinfo *ei)
{
	return engine_curtois_parse("t.txt", text, strlen(text), a, m, ei);
}

START_TEST(reader_maps_fields)
{
	struct arena *a = arena_new(0);
	struct errinfo ei = {0};
	struct engine_model *m;
	ck_assert_msg(parse_text(a, tiny, &m, &ei) == ERR_OK, "%s", ei.message);
	ck_assert_int_eq(m->nshifts, 2);
	ck_assert_int_eq(m->shifts[1].minutes, 600);
	ck_assert(m->shifts[1].forbidden_next == 3);
	ck_assert(m->people[1].eligible == 1);
	ck_assert_int_eq(m->people[0].max_count[1], 1);
	ck_assert_int_eq(m->people[0].min_minutes, 960);
	ck_assert_int_eq(m->people[0].min_consec_off, 2);
	ck_assert_int_eq(m->day_off[6], 1);
	ck_assert_int_eq(m->nrequests, 2);
	ck_assert(m->requests[1].on == false && m->requests[1].weight == 3);
	ck_assert_int_eq(m->cover[2].req, 1); /* day 1, shift D */
	ck_assert_int_eq(m->nweekends, 1);
	ck_assert_int_eq(m->weekend_of[5], 0);
	arena_free(a);
}
END_TEST

static void expect_error(const char *text, const char *needle)
{
	struct arena *a = arena_new(0);
	struct errinfo ei = {0};
	struct engine_model *m;
	ck_assert_int_eq(parse_text(a, text, &m, &ei), ERR_INVALID);
	ck_assert_msg(strstr(ei.message, needle) != NULL, "message \"%s\" lacks \"%s\"", ei.message, needle);
	arena_free(a);
}

START_TEST(reader_rejects_malformed_with_line_numbers)
{
	expect_error("SECTION_HORIZON\n8\n\nSECTION_SHIFTS\nD,480,\n\nSECTION_STAFF\nA,D=1,1,0,1,1,1,1\n\n"
		     "SECTION_COVER\n",
		     "t.txt:2: horizon 8 is not a multiple of 7");
	expect_error("SECTION_HORIZON\n7\n\nSECTION_SHIFTS\nD,480,X\n\nSECTION_STAFF\nA,D=1,1,0,1,1,1,1\n\n"
		     "SECTION_COVER\n",
		     "t.txt:5: forbidden successor \"X\"");
	expect_error("SECTION_HORIZON\n7\n\nSECTION_SHIFTS\nD,480,\n\nSECTION_STAFF\nA,D=1,1,0,1,1,1\n\n"
		     "SECTION_COVER\n",
		     "t.txt:8: staff line needs 8 fields");
	expect_error("SECTION_HORIZON\n7\n\nSECTION_SHIFTS\nD,480,\n\nSECTION_STAFF\nA,D=1,100,0,1,1,1,1\n\n"
		     "SECTION_COVER\n0,D,1,100,1\n0,D,1,100,1\n",
		     "t.txt:12: second cover line");
	expect_error("SECTION_HORIZON\n7\n\nSECTION_SHIFTS\nD,480,\n\nSECTION_STAFF\nA,D=1,100,0,1,1,1,1\n\n"
		     "SECTION_COVER\n7,D,1,100,1\n",
		     "t.txt:11: day must be an integer in 0..6");
	expect_error("SECTION_HORIZON\n7\n\nSECTION_SHIFTS\nD,480,\n\nSECTION_STAFF\nA,D=1,100,0,1,1,1,1\n\n"
		     "SECTION_SHIFT_ON_REQUESTS\nZ,0,D,1\n\nSECTION_COVER\n",
		     "t.txt:11: unknown staff ID \"Z\"");
	expect_error("SECTION_SHIFTS\nD,480,\n\nSECTION_HORIZON\n7\n", "t.txt:4: SECTION_HORIZON is out of order");
	expect_error("SECTION_HORIZON\n7\n\nSECTION_SHIFTS\nD,480,\n", "missing SECTION_STAFF");
	expect_error("SECTION_HORIZON\n7\nSECTION_SHIFTS\nD,4x0,\n\nSECTION_STAFF\nA,D=1,1,0,1,1,1,1\n\nSECTION_COVER\n",
		     "t.txt:4: shift minutes must be an integer");
}
END_TEST

static struct engine_eval *eval_rows(struct arena *a, const struct engine_model *m, const char *rows)
{
	struct engine_roster r;
	struct errinfo ei = {0};
	ck_assert_msg(engine_roster_parse_tsv(m, "r.tsv", rows, strlen(rows), a, &r, &ei) == ERR_OK, "%s",
		      ei.message);
	struct engine_eval *ev = arena_alloc(a, sizeof *ev);
	ck_assert_int_eq(engine_eval_roster(m, &r, a, ev, &ei), ERR_OK);
	return ev;
}

static bool has_rule(const struct engine_eval *ev, enum engine_rule rule)
{
	for (int i = 0; i < ev->nlisted; i++)
		if (ev->hard[i].rule == rule)
			return true;
	return false;
}

START_TEST(evaluator_sees_each_hard_rule)
{
	struct arena *a = arena_new(0);
	struct errinfo ei = {0};
	struct engine_model *m;
	ck_assert_int_eq(parse_text(a, tiny, &m, &ei), ERR_OK);
	/* feasible: A works D D off off (run at start exempt), B D */
	struct engine_eval *ev = eval_rows(a, m, "D\tD\t\t\t\t\t\nD\t\t\t\t\t\t\n");
	ck_assert_int_eq(ev->nhard, 0);
	ck_assert_int_eq(ev->objective, 0 + 100 * 0 + 1); /* day 0 over by one */
	ck_assert(has_rule(eval_rows(a, m, "N\tN\t\t\t\t\t\nD\t\t\t\t\t\t\n"), ENGINE_RULE_SUCCESSION));
	ck_assert(has_rule(eval_rows(a, m, "N\tN\t\t\t\t\t\nD\t\t\t\t\t\t\n"), ENGINE_RULE_MAX_COUNT));
	ck_assert(has_rule(eval_rows(a, m, "D\tD\tD\tD\tD\t\t\n\t\t\t\t\t\t\n"), ENGINE_RULE_MAX_CONSEC));
	ck_assert(has_rule(eval_rows(a, m, "D\tD\tD\tD\tD\tD\t\n\t\t\t\t\t\t\n"), ENGINE_RULE_MAX_MINUTES));
	ck_assert(has_rule(eval_rows(a, m, "\tD\t\t\tD\tD\t\n\t\t\t\t\t\t\n"), ENGINE_RULE_MIN_CONSEC));
	ck_assert(has_rule(eval_rows(a, m, "D\tD\t\tD\tD\t\t\n\t\t\t\t\t\t\n"), ENGINE_RULE_MIN_CONSEC_OFF));
	ck_assert(has_rule(eval_rows(a, m, "D\t\t\t\t\t\t\n\t\t\t\t\t\t\n"), ENGINE_RULE_MIN_MINUTES));
	ck_assert(has_rule(eval_rows(a, m, "\t\t\t\tD\tD\tD\n\t\t\t\t\t\t\n"), ENGINE_RULE_DAY_OFF));
	ck_assert(has_rule(eval_rows(a, m, "D\tD\t\t\t\t\t\n\t\t\t\t\tD\t\n"), ENGINE_RULE_MAX_WEEKENDS));
	ck_assert(has_rule(eval_rows(a, m, "D\tD\t\t\t\t\t\nN\t\t\t\t\t\t\n"), ENGINE_RULE_ELIGIBILITY));
	/* requests: A on day 0 D missed (2), B off-request day 1 D violated (3) */
	ev = eval_rows(a, m, "\tD\tD\t\t\t\t\n\tD\t\t\t\t\t\n");
	ck_assert_int_eq(ev->term[ENGINE_TERM_ON_REQUESTS], 2);
	ck_assert_int_eq(ev->term[ENGINE_TERM_OFF_REQUESTS], 3);
	ck_assert_int_eq(ev->term[ENGINE_TERM_COVER_UNDER], 100);
	ck_assert_int_eq(ev->term[ENGINE_TERM_COVER_OVER], 1);
	arena_free(a);
}
END_TEST

START_TEST(roster_reader_is_strict)
{
	struct arena *a = arena_new(0);
	struct errinfo ei = {0};
	struct engine_model *m;
	struct engine_roster r;
	ck_assert_int_eq(parse_text(a, tiny, &m, &ei), ERR_OK);
	ck_assert_int_eq(engine_roster_parse_tsv(m, "r.tsv", "D\n", 2, a, &r, &ei), ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(ei.message, "r.tsv:1: 1 cells, expected 7"));
	const char *bad = "D\tD\t\t\t\t\t\nX\t\t\t\t\t\t\n";
	ck_assert_int_eq(engine_roster_parse_tsv(m, "r.tsv", bad, strlen(bad), a, &r, &ei), ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(ei.message, "r.tsv:2: cell 1: unknown shift"));
	const char *crlf = "D\tD\t\t\t\t\t\r\n\t\t\t\t\t\t\r\n";
	ck_assert_int_eq(engine_roster_parse_tsv(m, "r.tsv", crlf, strlen(crlf), a, &r, &ei), ERR_OK);
	struct buf b;
	buf_init(&b, 0);
	ck_assert_int_eq(engine_roster_format_tsv(m, &r, &b), ERR_OK);
	ck_assert_str_eq(b.data, "D\tD\t\t\t\t\t\n\t\t\t\t\t\t\n");
	buf_fini(&b);
	arena_free(a);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("engine_eval");
	TCase *tc = tcase_create("eval");
	tcase_add_test(tc, every_published_roster_scores_its_objective);
	tcase_add_test(tc, instance1_optimum_breakdown);
	tcase_add_test(tc, reader_maps_fields);
	tcase_add_test(tc, reader_rejects_malformed_with_line_numbers);
	tcase_add_test(tc, evaluator_sees_each_hard_rule);
	tcase_add_test(tc, roster_reader_is_strict);
	suite_add_tcase(s, tc);
	return s;
}
