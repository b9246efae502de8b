/* cmd_ics.c — ICS feed links from the command line (docs/ics.md):
 *   radsched ics-url    --tenant SLUG (--user EMAIL | --master) [--webcal]
 *       prints the feed's current URL (re-derived from the server secret; the database
 *       keeps only a hash of the token)
 *   radsched ics-rotate --tenant SLUG (--user EMAIL | --master | --all) [--webcal]
 *       new token: the old URL answers 404 at once; prints the new URL (or the count)
 *   radsched ics-lint FILE [--events]
 *       line checker + libical on an iCalendar file; one JSON line; exit 1 on problems
 *   radsched ics-bench --tenant SLUG (--user EMAIL | --master) [--runs N]
 *       render timings of one feed (scripts/bench-ics.sh)
 * Database and secret as for the server (--database-url and --secret, or the embedded
 * cluster and secret under --data-dir); links use --base-url like the server does.
 * Exit 0 ok, 1 run-time failure or a problem found, 2 bad usage or unknown tenant/person. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/argflags.h"
#include "cmd/commands.h"
#include "cmd/runtime.h"
#include "domain/feeds.h"
#include "domain/feeds_config.h"
#include "ics/ics_tz.h"
#include "ics/ics_lint.h"
#include "ics/ics_verify.h"

#define ICS_OPTS                                                                                                    \
	((1ull << OPT_DATABASE_URL) | (1ull << OPT_DATA_DIR) | (1ull << OPT_SHARE_DIR) | (1ull << OPT_LOG_LEVEL) |       \
	 (1ull << OPT_SECRET) | (1ull << OPT_BASE_URL) | (1ull << OPT_TENANT) | (1ull << OPT_USER) |                     \
	 (1ull << OPT_MASTER) | (1ull << OPT_ALL))

struct job {
	bool rotate, all, master;
	const char *email, *secret, *base_url;
	char user_id[37];
	struct feed_link link;
	int count;
};

static enum err job_tx(struct db *db, void *arg, struct errinfo *ei)
{
	struct job *j = arg;
	struct arena *a = arena_new(0);
	enum err e = ERR_OK;
	if (j->all) {
		e = feeds_rotate_all(db, a, j->secret, &j->count, ei);
	} else {
		const char *key = FEED_MASTER;
		if (!j->master) {
			e = feeds_user_by_email(db, a, j->email, j->user_id, ei);
			key = j->user_id;
		}
		if (!e)
			e = j->rotate ? feeds_rotate(db, a, j->secret, j->base_url, key, &j->link, ei)
				      : feeds_link_get(db, a, j->secret, j->base_url, key, &j->link, ei);
	}
	arena_free(a);
	return e;
}

static int links(int argc, char **argv, bool rotate)
{
	const char *name = rotate ? "ics-rotate" : "ics-url";
	bool webcal = take_switch(&argc, argv, "--webcal");
	struct runtime rt = {0};
	int rc = options_parse(argc - 1, argv + 1, ICS_OPTS, &rt.opts);
	if (rc)
		return rc;
	struct job j = {.rotate = rotate, .all = rt.opts.given[OPT_ALL], .master = rt.opts.given[OPT_MASTER],
			.email = rt.opts.given[OPT_USER] ? opt(&rt.opts, OPT_USER) : NULL};
	const char *slug = opt(&rt.opts, OPT_TENANT);
	int chosen = (j.email != NULL) + j.master + j.all;
	if (rt.opts.nrest || !*slug || chosen != 1 || (j.all && !rotate)) {
		fprintf(stderr, "usage: radsched %s --tenant SLUG (--user EMAIL | --master%s) [--webcal]\n", name,
			rotate ? " | --all" : "");
		return 2;
	}
	rt.pool_size = 1;
	if ((rc = runtime_open(&rt, RUNTIME_DB, false)))
		return rc;
	j.secret = rt.secret;
	j.base_url = rt.base_url;
	struct errinfo ei = {0};
	char tenant[37];
	enum err e = runtime_tenant_id(&rt, slug, tenant, &ei);
	if (!e) {
		struct db_ctx ctx = {.tenant_id = tenant, .actor = DB_ACTOR_SYSTEM};
		e = db_with_tx(rt.pool, &ctx, job_tx, &j, &ei);
	}
	runtime_close(&rt);
	if (e) {
		fprintf(stderr, "radsched %s: %s%s%s\n", name, ei.path, ei.path[0] ? ": " : "", ei.message);
		return e == ERR_INVALID || e == ERR_NOT_FOUND ? 2 : 1;
	}
	if (j.all) {
		printf("%d feed link(s) rotated\n", j.count);
		fprintf(stderr, "every old link of tenant %s now answers 404; `radsched ics-url` prints the new ones\n", slug);
	} else {
		printf("%s\n", webcal ? j.link.webcal : j.link.https);
		if (rotate)
			fprintf(stderr, "rotated: the previous link now answers 404 (generation %d)\n", j.link.generation);
	}
	return 0;
}

int cmd_ics_url(int argc, char **argv) { return links(argc, argv, false); }
int cmd_ics_rotate(int argc, char **argv) { return links(argc, argv, true); }

/* ---- ics-lint ------------------------------------------------------------------------ */

static void event_json(void *arg, const struct ics_parsed_event *ev)
{
	json_array_append_new(arg, json_pack("{s:s?, s:b, s:I, s:I, s:i}", "uid", ev->uid, "allDay", ev->all_day, "start",
					     (json_int_t)ev->start, "end", (json_int_t)ev->end, "sequence", ev->sequence));
}

int cmd_ics_lint(int argc, char **argv)
{
	bool events = take_switch(&argc, argv, "--events");
	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: radsched ics-lint FILE [--events]\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "rb");
	if (!f) {
		fprintf(stderr, "radsched ics-lint: cannot read %s\n", argv[1]);
		return 2;
	}
	struct buf b;
	buf_init(&b, 256u << 20);
	char chunk[65536];
	size_t n;
	enum err e = ERR_OK;
	while (!e && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
		e = buf_append(&b, chunk, n);
	fclose(f);
	if (e) {
		buf_fini(&b);
		fprintf(stderr, "radsched ics-lint: %s is larger than 256 MiB\n", argv[1]);
		return 2;
	}
	struct errinfo lei = {0}, vei = {0};
	struct ics_lint_stats st = {0};
	enum err le = ics_lint_check(b.data, b.len, &st, &lei);
	json_t *list = json_array();
	struct ics_verify_report rep;
	enum err ve = ics_verify_libical(b.data, b.len, events ? event_json : NULL, list, &rep, &vei);
	buf_fini(&b);
	json_t *out = json_pack("{s:s, s:s, s:I, s:I}", "file", argv[1], "lint", le ? lei.message : "ok", "lines",
				(json_int_t)st.physical_lines, "components", (json_int_t)st.components);
	json_object_set_new(out, "libicalErrors", json_integer(ve ? 1 : (json_int_t)rep.errors));
	json_object_set_new(out, "libicalFirstError", ve ? json_string(vei.message)
							 : rep.errors ? json_string(rep.first_error) : json_null());
	json_object_set_new(out, "events", json_integer(ve ? 0 : (json_int_t)rep.events));
	if (events)
		json_object_set(out, "eventList", list);
	json_decref(list);
	char *text = json_dumps(out, JSON_COMPACT);
	json_decref(out);
	printf("%s\n", text);
	free(text);
	return le || ve || rep.errors ? 1 : 0;
}

/* ---- ics-bench ----------------------------------------------------------------------- */

struct bench {
	const char *key, *base_url;
	struct buf out;
	struct feed_rendered meta;
};

static enum err bench_tx(struct db *db, void *arg, struct errinfo *ei)
{
	struct bench *b = arg;
	struct arena *a = arena_new(0);
	buf_reset(&b->out);
	enum err e = feeds_render(db, a, b->base_url, b->key, &b->out, &b->meta, ei);
	arena_free(a);
	return e;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_d(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return a < b ? -1 : a > b;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_d);
	return n ? v[n / 2] : 0;
}

/* radsched ics-bench --tenant SLUG (--user EMAIL | --master) [--runs N]
 * Render one feed N times in its tenant's transaction (what a feed request does on a cache
 * miss) and print one line of timings in milliseconds: first = the first render in the
 * process; cold = medians with the process caches (parsed config, VTIMEZONE built from the
 * TZif file) emptied before each render; warm = medians with them kept; db = the feed
 * query; build = its rows turned into events; render = ics_feed_render alone. */
int cmd_ics_bench(int argc, char **argv)
{
	const char *runs_s = "200";
	if (take_value(&argc, argv, "--runs", &runs_s) < 0)
		return 2;
	int runs = atoi(runs_s);
	struct runtime rt = {0};
	int rc = options_parse(argc - 1, argv + 1, ICS_OPTS, &rt.opts);
	if (rc)
		return rc;
	const char *slug = opt(&rt.opts, OPT_TENANT);
	bool master = rt.opts.given[OPT_MASTER];
	const char *email = rt.opts.given[OPT_USER] ? opt(&rt.opts, OPT_USER) : NULL;
	if (rt.opts.nrest || !*slug || master == (email != NULL) || runs < 1 || runs > 100000) {
		fprintf(stderr, "usage: radsched ics-bench --tenant SLUG (--user EMAIL | --master) [--runs N]\n");
		return 2;
	}
	rt.pool_size = 1;
	if ((rc = runtime_open(&rt, RUNTIME_DB, false)))
		return rc;
	struct errinfo ei = {0};
	struct arena *a = arena_new(0);
	char tenant[37] = "";
	enum err e = runtime_tenant_id(&rt, slug, tenant, &ei);
	struct db_ctx ctx = {.tenant_id = e ? NULL : tenant, .actor = DB_ACTOR_SYSTEM};
	struct job j = {.email = email, .master = master, .secret = rt.secret, .base_url = rt.base_url};
	if (!e && email)
		e = db_with_tx(rt.pool, &ctx, job_tx, &j, &ei); /* resolves the person (and makes the link) */
	struct bench b = {.key = master ? FEED_MASTER : j.user_id, .base_url = rt.base_url};
	ctx.snapshot = true;
	buf_init(&b.out, FEED_RENDER_MAX);
	double *cold = calloc((size_t)runs, sizeof *cold), *warm = calloc((size_t)runs, sizeof *warm);
	double *cold_render = calloc((size_t)runs, sizeof *cold_render), *db_ms = calloc((size_t)runs, sizeof *db_ms);
	double *render = calloc((size_t)runs, sizeof *render), *build = calloc((size_t)runs, sizeof *build), first = 0;
	for (int i = 0; !e && i < runs; i++) {
		feeds_config_cache_clear();
		ics_tz_cache_clear();
		double t = now_ms();
		e = db_with_tx(rt.pool, &ctx, bench_tx, &b, &ei);
		cold[i] = now_ms() - t;
		cold_render[i] = (double)b.meta.render_ns / 1e6;
		if (i == 0)
			first = cold[0];
	}
	for (int i = 0; !e && i < runs; i++) {
		double t = now_ms();
		e = db_with_tx(rt.pool, &ctx, bench_tx, &b, &ei);
		warm[i] = now_ms() - t;
		db_ms[i] = (double)b.meta.fetch_ns / 1e6;
		build[i] = (double)b.meta.build_ns / 1e6;
		render[i] = (double)b.meta.render_ns / 1e6;
	}
	if (!e)
		printf("feed=%s events=%zu bytes=%zu runs=%d first_ms=%.3f cold_ms=%.3f cold_render_ms=%.3f warm_ms=%.3f "
		       "db_ms=%.3f build_ms=%.3f render_ms=%.3f\n",
		       master ? "master" : email, b.meta.events, b.out.len, runs, first, median(cold, runs),
		       median(cold_render, runs), median(warm, runs), median(db_ms, runs), median(build, runs),
		       median(render, runs));
	free(cold);
	free(warm);
	free(cold_render);
	free(db_ms);
	free(render);
	free(build);
	buf_fini(&b.out);
	arena_free(a);
	runtime_close(&rt);
	if (e) {
		fprintf(stderr, "radsched ics-bench: %s%s%s\n", ei.path, ei.path[0] ? ": " : "", ei.message);
		return e == ERR_INVALID || e == ERR_NOT_FOUND ? 2 : 1;
	}
	return 0;
}
