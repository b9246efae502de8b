/* cmd_roster.c — benchmark subcommands on the scheduling engine.
 *
 *   radsched roster-eval INSTANCE.txt ROSTER.tsv
 *   radsched roster-bench INSTANCE.txt --time-limit SECONDS [--seed N] [--threads N]
 *                         [--work MEGATICKS] [--out ROSTER.tsv] [--verbose]
 *
 * Both print the objective by term, the hard violations in words, and end with the line
 * "objective=N hard_violations=M". Bad arguments or unreadable/malformed files print one
 * line on stderr and exit 2. Entry points (argv[0] is the subcommand name):
 *   int cmd_roster_eval(int argc, char **argv);
 *   int cmd_roster_bench(int argc, char **argv);  */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/strutil.h"
#include "engine/engine_curtois.h"
#include "engine/engine_eval.h"
#include "engine/engine_solve.h"

int cmd_roster_eval(int argc, char **argv);
int cmd_roster_bench(int argc, char **argv);

static int usage_error(const char *cmd, const char *msg)
{
	fprintf(stderr, "radsched %s: %s\n", cmd, msg);
	return 2;
}

static void print_eval(const struct engine_model *m, const struct engine_eval *ev)
{
	for (int t = 0; t < ENGINE_TERM__COUNT; t++)
		printf("%s%s=%lld", t ? " " : "", engine_term_name((enum engine_term)t), (long long)ev->term[t]);
	printf("\n");
	for (int i = 0; i < ev->nlisted; i++) {
		char line[512];
		engine_violation_describe(m, &ev->hard[i], line, sizeof line);
		printf("hard %s: %s\n", engine_rule_name(ev->hard[i].rule), line);
	}
	if (ev->nhard > ev->nlisted)
		printf("hard: … and %d more\n", ev->nhard - ev->nlisted);
	printf("objective=%lld hard_violations=%d\n", (long long)ev->objective, ev->nhard);
}

int cmd_roster_eval(int argc, char **argv)
{
	const char *cmd = argc > 0 ? argv[0] : "roster-eval";
	if (argc != 3)
		return usage_error(cmd, "usage: roster-eval INSTANCE.txt ROSTER.tsv");
	struct arena *a = arena_new(0);
	struct errinfo ei = {0};
	struct engine_model *m;
	struct engine_roster r;
	if (engine_curtois_load(argv[1], a, &m, &ei) || engine_roster_load_tsv(m, argv[2], a, &r, &ei)) {
		fprintf(stderr, "radsched %s: %s\n", cmd, ei.message);
		arena_free(a);
		return 2;
	}
	struct engine_eval *ev = arena_alloc(a, sizeof *ev);
	if (engine_eval_roster(m, &r, a, ev, &ei)) {
		fprintf(stderr, "radsched %s: %s\n", cmd, ei.message);
		arena_free(a);
		return 2;
	}
	print_eval(m, ev);
	arena_free(a);
	return 0;
}

static bool parse_num(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);
	if (!*s || *end || !(v > 0) || v > 86400.0 * 7)
		return false;
	*out = v;
	return true;
}

static int write_roster(const char *cmd, const struct engine_model *m, const struct engine_roster *r,
			const char *path)
{
	struct buf b;
	buf_init(&b, 0);
	if (engine_roster_format_tsv(m, r, &b)) {
		buf_fini(&b);
		return usage_error(cmd, "cannot format the roster");
	}
	FILE *f = fopen(path, "wb");
	bool ok = f && fwrite(b.data, 1, b.len, f) == b.len;
	if (f && fclose(f) != 0)
		ok = false;
	buf_fini(&b);
	if (!ok) {
		fprintf(stderr, "radsched %s: cannot write %s\n", cmd, path);
		return 2;
	}
	return 0;
}

int cmd_roster_bench(int argc, char **argv)
{
	const char *cmd = argc > 0 ? argv[0] : "roster-bench";
	const char *inst = NULL, *outp = NULL;
	struct engine_solve_opts o = {.seed = 1, .threads = 1};
	for (int i = 1; i < argc; i++) {
		const char *k = argv[i];
		bool has = i + 1 < argc;
		int64_t v;
		if (strcmp(k, "--time-limit") == 0 && has) {
			if (!parse_num(argv[++i], &o.time_limit))
				return usage_error(cmd, "--time-limit needs seconds > 0");
		} else if (strcmp(k, "--seed") == 0 && has) {
			if (!str_to_i64(argv[++i], 0, INT64_MAX, &v))
				return usage_error(cmd, "--seed needs a non-negative integer");
			o.seed = (uint64_t)v;
		} else if (strcmp(k, "--threads") == 0 && has) {
			if (!str_to_i64(argv[++i], 1, 16, &v))
				return usage_error(cmd, "--threads needs 1..16");
			o.threads = (int)v;
		} else if (strcmp(k, "--work") == 0 && has) {
			if (!str_to_i64(argv[++i], 1, INT64_MAX / (1 << 30), &v))
				return usage_error(cmd, "--work needs a positive amount of work (megaticks)");
			o.work_limit = v;
			o.deterministic = true; /* a work limit asks for the same roster on any machine */
		} else if (strcmp(k, "--out") == 0 && has) {
			outp = argv[++i];
		} else if (strcmp(k, "--verbose") == 0) {
			o.verbose = true;
		} else if (k[0] == '-' || inst) {
			char msg[200];
			snprintf(msg, sizeof msg, "unexpected argument \"%.60s\"", k);
			return usage_error(cmd, msg);
		} else {
			inst = k;
		}
	}
	if (!inst || (o.time_limit <= 0 && o.work_limit <= 0))
		return usage_error(cmd, "usage: roster-bench INSTANCE.txt --time-limit SECONDS [--seed N] "
					"[--threads N] [--work MEGATICKS] [--out ROSTER.tsv]");
	struct arena *a = arena_new(0);
	struct errinfo ei = {0};
	struct engine_model *m;
	if (engine_curtois_load(inst, a, &m, &ei)) {
		fprintf(stderr, "radsched %s: %s\n", cmd, ei.message);
		arena_free(a);
		return 2;
	}
	struct engine_solve_result *res = arena_alloc(a, sizeof *res);
	if (engine_solve(m, &o, a, res, &ei)) {
		fprintf(stderr, "radsched %s: %s\n", cmd, ei.message);
		arena_free(a);
		return 1;
	}
	int rc = outp ? write_roster(cmd, m, &res->roster, outp) : 0;
	printf("instance=%s days=%d staff=%d shift_types=%d seed=%llu threads=%d\n", inst, m->ndays, m->npeople,
	       m->nshifts, (unsigned long long)o.seed, o.threads);
	printf("elapsed=%.2f time_to_best=%.2f steps=%lld megaticks=%lld\n", res->elapsed, res->time_to_best,
	       (long long)res->steps, (long long)(res->ticks / 1000000));
	if (res->lower_bound > -1e300)
		printf("lower_bound=%.3f proven_optimal=%s\n", res->lower_bound, res->proven_optimal ? "yes" : "no");
	print_eval(m, &res->eval);
	arena_free(a);
	return rc;
}
