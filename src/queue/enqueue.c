#include <stdio.h>
#include <stdlib.h>

#include "base/log.h"
#include "queue/queue.h"

enum err queue_enqueue(struct db *db, const char *kind, const char *payload_json, const struct queue_opts *opts,
		       int64_t *job_id, struct errinfo *ei)
{
	struct queue_opts o = opts ? *opts : (struct queue_opts){0};
	char prio[16], delay[32], maxa[16], tp[64] = "";
	snprintf(prio, sizeof prio, "%d", o.priority);
	snprintf(delay, sizeof delay, "%lld", (long long)(o.delay_ms > 0 ? o.delay_ms : 0));
	snprintf(maxa, sizeof maxa, "%d", o.max_attempts > 0 ? o.max_attempts : 20);
	/* carry the caller's trace into the job: the worker continues it */
	const struct log_ctx *lc = log_ctx_get();
	if (lc->trace_id[0] && lc->span_id[0])
		snprintf(tp, sizeof tp, "00-%s-%s-01", lc->trace_id, lc->span_id);
	struct arena *a = arena_new(0);
	struct db_res *r;
	enum err e = DB_EXEC(db, a, &r, ei,
			     "SELECT queue_enqueue($1, $2::jsonb, $3, $4::int, $5::bigint, $6::int, $7) AS id", kind,
			     payload_json ? payload_json : "{}", o.unique_key, prio, delay, maxa, tp[0] ? tp : NULL);
	if (!e && job_id)
		*job_id = db_res_ll(r, 0, "id", 0);
	arena_free(a);
	return e;
}
