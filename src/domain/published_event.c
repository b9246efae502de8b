/* published_event.c — one published assignment for its page (published_event.h).
 *
 * Contract: one parameterised statement in the caller's tenant transaction; RLS alone
 * scopes it to the tenant (no tenant id is passed). PostgreSQL formats the day and the
 * wall-clock times in the department's zone, read from the view the feeds use
 * (feed_window_now, db/migrations/0010_feed_render_plain.sql); the shift's display name comes from the parsed
 * config that the feeds use (feeds_config_get), so page and feed agree. */
#include "domain/published_event.h"

#include <string.h>

#include "base/strutil.h"
#include "domain/feeds_config.h"

/* The tenant, its config version and zone from feed_window_now, the view the feeds read. */
static const char event_sql[] =
	"SELECT pe.assignment_id::text AS aid, pe.user_id::text AS uid, u.name AS person, p.name AS period,"
	"       pe.shift_code, pe.all_day, pe.sequence, pe.day::text AS day,"
	"       to_char(pe.day, 'FMDay FMDD FMMonth YYYY') AS day_label,"
	"       w.tenant_id::text AS tenant, w.cv, w.tz,"
	"       to_char(pe.start_at AT TIME ZONE w.tz, 'HH24:MI') AS start_time,"
	"       to_char(pe.end_at AT TIME ZONE w.tz, 'HH24:MI') AS end_time,"
	"       CASE WHEN (pe.end_at AT TIME ZONE w.tz)::date <> pe.day"
	"            THEN to_char((pe.end_at AT TIME ZONE w.tz)::date, 'FMDay FMDD FMMonth YYYY') END AS end_day_label"
	"  FROM published_events pe"
	"  JOIN feed_window_now w ON w.tenant_id = pe.tenant_id"
	"  JOIN users u ON u.tenant_id = pe.tenant_id AND u.id = pe.user_id"
	"  LEFT JOIN periods p ON p.tenant_id = pe.tenant_id AND p.id = pe.period_id"
" WHERE pe.assignment_id = $1::uuid";

/* Row 0 of r into out (strings stay in r's arena). */
static void fill(const struct db_res *r, struct published_event *out)
{
	*out = (struct published_event){
		.assignment_id = db_res_val(r, 0, "aid"),
		.user_id = db_res_val(r, 0, "uid"),
		.person = db_res_val(r, 0, "person"),
		.period = db_res_val(r, 0, "period"),
		.shift_code = db_res_val(r, 0, "shift_code"),
		.day = db_res_val(r, 0, "day"),
		.day_label = db_res_val(r, 0, "day_label"),
		.timezone = db_res_val(r, 0, "tz"),
		.all_day = db_res_bool(r, 0, "all_day"),
		.start_time = db_res_val(r, 0, "start_time"),
		.end_time = db_res_val(r, 0, "end_time"),
		.end_day_label = db_res_val(r, 0, "end_day_label"),
		.sequence = (int)db_res_ll(r, 0, "sequence", 0),
	};
	if (out->all_day)
		out->start_time = out->end_time = out->end_day_label = NULL;
}

/* The shift type's name in the tenant's current config; the code when it has none. */
static enum err shift_name(struct db *db, struct arena *a, const struct db_res *r, struct published_event *out,
			   struct errinfo *ei)
{
	const struct feed_config *cfg;
	enum err e = feeds_config_get(db, a, db_res_val(r, 0, "tenant"), (int)db_res_ll(r, 0, "cv", 0), &cfg, ei);
	if (e)
		return e;
	const struct feed_shift *sh = feeds_config_shift(cfg, out->shift_code);
	out->shift_name = arena_strdup(a, sh ? sh->name : out->shift_code);
	return ERR_OK;
}

enum err published_event_get(struct db *db, struct arena *a, const char *assignment_id, struct published_event *out,
			     struct errinfo *ei)
{
	memset(out, 0, sizeof *out);
	if (!assignment_id || !str_is_uuid(assignment_id))
		return err_set(ei, ERR_NOT_FOUND, "", "no such published assignment");
	struct db_res *r;
	enum err e = DB_EXEC(db, a, &r, ei, event_sql, assignment_id);
	if (e)
		return e;
	if (db_res_rows(r) != 1)
		return err_set(ei, ERR_NOT_FOUND, "", "no such published assignment");
	fill(r, out);
	return shift_name(db, a, r, out, ei);
}
