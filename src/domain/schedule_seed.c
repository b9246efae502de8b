/* schedule_seed.c — the demo department's published months (see schedule_seed.h). */
#include "domain/schedule_seed.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "domain/dates.h"
#include "domain/engine_run.h"
#include "domain/periods.h"
#include "domain/publications.h"

static const char *const month_names[12] = {"January", "February", "March",     "April",   "May",      "June",
					    "July",    "August",   "September", "October", "November", "December"};

struct month_args {
	int offset; /* months after the current one */
	bool done;
};

static enum err seed_month(struct db *db, void *arg, struct errinfo *ei)
{
	struct month_args *ma = arg;
	struct arena *a = arena_new(0);
	struct db_res *r;
	/* today in the department's zone */
	enum err e = DB_EXEC0(db, a, &r, ei,
			      "SELECT (now() AT TIME ZONE coalesce((SELECT timezone FROM tenants WHERE id = app_tenant()), 'UTC'))::date AS d,"
			      " (SELECT config_version FROM tenants WHERE id = app_tenant()) AS v");
	long today;
	if (e || !date_parse(db_res_val(r, 0, "d"), &today) || db_res_ll(r, 0, "v", 0) <= 0)
		goto out; /* no config yet: nothing to schedule */
	int y, m, d;
	date_ymd(today, &y, &m, &d);
	m += ma->offset;
	y += (m - 1) / 12;
	m = (m - 1) % 12 + 1;
	long first = date_from_ymd(y, m, 1), last = (m == 12 ? date_from_ymd(y + 1, 1, 1) : date_from_ymd(y, m + 1, 1)) - 1;
	char fs[11], ls[11];
	date_format(first, fs);
	date_format(last, ls);
	e = DB_EXEC(db, a, &r, ei, "SELECT 1 FROM periods WHERE start_date <= $2::date AND end_date >= $1::date", fs, ls);
	if (e || db_res_rows(r) > 0)
		goto out;
	json_t *in = json_pack("{s:s, s:s, s:s}", "name", arena_sprintf(a, "%s %d", month_names[m - 1], y), "startDate", fs,
			       "endDate", ls);
	json_t *period = NULL;
	struct problems pr;
	problems_init(&pr, a);
	e = period_create(db, a, in, &period, &pr, ei);
	json_decref(in);
	if (e)
		goto out;
	const char *pid = arena_strdup(a, json_string_value(json_object_get(period, "id")));
	json_decref(period);
	struct sched_loaded l;
	int hard = 0;
	double secs = 0;
	if ((e = engine_run_load(db, a, pid, &l, ei)) ||
	    (e = engine_run_solve_into_draft(db, a, &l, 20261225u + (uint64_t)(y * 12 + m), SCHEDULE_SEED_WORK, &hard, &secs, ei)))
		goto out;
	json_t *pub = NULL;
	bool created = false;
	e = publication_publish(db, a, pid, &pub, &created, ei);
	json_decref(pub);
	if (e)
		goto out;
	ma->done = true;
	log_kv(LOG_INFO, "demo schedule published", "period", fs, "solve_seconds", arena_sprintf(a, "%.2f", secs),
	       "rule_violations", arena_sprintf(a, "%d", hard), NULL);
out:
	arena_free(a);
	return e;
}

enum err schedule_seed_months(struct db_pool *pool, const char *tenant_id, int months, struct errinfo *ei)
{
	struct db_ctx ctx = {.tenant_id = tenant_id, .actor = DB_ACTOR_SYSTEM};
	for (int i = 0; i < months; i++) {
		struct month_args ma = {.offset = i};
		enum err e = db_with_tx(pool, &ctx, seed_month, &ma, ei);
		if (e)
			return e;
	}
	return ERR_OK;
}
