#include "domain/publications.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PUBLICATION_JSON                                                                                      \
	"jsonb_build_object('periodId', x.period_id, 'number', x.number, 'contentHash', x.content_hash,"      \
	" 'publishedAt', api_instant(x.published_at), 'publishedBy', x.published_by,"                          \
	" 'assignmentCount', jsonb_array_length(x.snapshot->'assignments'))"

static enum err period_exists(struct db *db, struct arena *a, const char *id, bool lock, struct errinfo *ei)
{
	struct db_res *r;
	enum err e = lock ? DB_EXEC(db, a, &r, ei, "SELECT 1 FROM periods WHERE id = $1::uuid FOR UPDATE", id)
			  : DB_EXEC(db, a, &r, ei, "SELECT 1 FROM periods WHERE id = $1::uuid", id);
	if (!e && db_res_rows(r) != 1)
		e = err_set(ei, ERR_NOT_FOUND, "", "period not found");
	return e;
}

/* Bring published_events of the period in line with publication `number`; returns how many
 * events changed and the people whose feeds moved (text[] literal, arena). */
static enum err sync_events(struct db *db, struct arena *a, const char *period_id, const char *number,
			    long long *changed, const char **users, long long *nusers, struct errinfo *ei)
{
	struct db_res *r;
	enum err e = DB_EXEC(
		db, a, &r, ei,
		"WITH cur AS ("
		"  SELECT x.id AS assignment_id, x.\"userId\" AS user_id, x.day, x.\"shiftCode\" AS shift_code,"
		"         x.\"allDay\" AS all_day, x.\"startAt\"::timestamptz AS start_at, x.\"endAt\"::timestamptz AS end_at,"
		"         content_hash(jsonb_build_array(x.\"userId\", x.day, x.\"shiftCode\", x.\"allDay\", x.\"startAt\","
		"                                        x.\"endAt\")) AS h"
		"    FROM publications p, jsonb_to_recordset(p.snapshot->'assignments') AS x(id uuid, \"userId\" uuid, day date,"
		"         \"shiftCode\" text, \"allDay\" boolean, \"startAt\" text, \"endAt\" text)"
		"   WHERE p.period_id = $1::uuid AND p.number = $2::int),"
		" old_owner AS (SELECT pe.user_id FROM published_events pe JOIN cur c ON c.assignment_id = pe.assignment_id"
		"                WHERE pe.content_hash <> c.h),"
		" del AS (DELETE FROM published_events pe WHERE pe.period_id = $1::uuid"
		"          AND NOT EXISTS (SELECT 1 FROM cur c WHERE c.assignment_id = pe.assignment_id) RETURNING pe.user_id),"
		" up AS (INSERT INTO published_events (tenant_id, assignment_id, period_id, user_id, day, shift_code, all_day,"
		"          start_at, end_at, content_hash)"
		"        SELECT app_tenant(), c.assignment_id, $1::uuid, c.user_id, c.day, c.shift_code, c.all_day, c.start_at,"
		"               c.end_at, c.h FROM cur c"
		"        ON CONFLICT (tenant_id, assignment_id) DO UPDATE SET user_id = EXCLUDED.user_id, day = EXCLUDED.day,"
		"          shift_code = EXCLUDED.shift_code, all_day = EXCLUDED.all_day, start_at = EXCLUDED.start_at,"
		"          end_at = EXCLUDED.end_at, content_hash = EXCLUDED.content_hash,"
		"          sequence = published_events.sequence + 1, last_modified = now()"
		"        WHERE published_events.content_hash <> EXCLUDED.content_hash RETURNING user_id),"
		" affected AS (SELECT user_id FROM old_owner UNION SELECT user_id FROM del UNION SELECT user_id FROM up)"
		" SELECT (SELECT count(*) FROM up) + (SELECT count(*) FROM del) AS changed,"
		"        (SELECT count(*) FROM affected) AS n,"
		"        (SELECT coalesce(array_agg(user_id::text ORDER BY user_id), '{}') FROM affected)::text AS users",
		period_id, number);
	if (e)
		return e;
	*changed = db_res_ll(r, 0, "changed", 0);
	*nusers = db_res_ll(r, 0, "n", 0);
	*users = arena_strdup(a, db_res_val(r, 0, "users"));
	if (*nusers == 0)
		return ERR_OK;
	/* every feed that shows a changed event: the master feed and each person's */
	return DB_EXEC(db, a, NULL, ei,
		       "INSERT INTO feed_state (tenant_id, feed_key) SELECT app_tenant(), k"
		       " FROM unnest($1::text[] || ARRAY['master']) k"
		       " ON CONFLICT (tenant_id, feed_key) DO UPDATE SET changed_at = now(), version = feed_state.version + 1",
		       *users);
}

static enum err latest_json(struct db *db, struct arena *a, const char *period_id, const char *number, json_t **out,
			    struct errinfo *ei)
{
	return DBJSON_ONE(db, a, out, ei, "publication",
			  "SELECT " PUBLICATION_JSON " AS j FROM publications x WHERE x.period_id = $1::uuid AND x.number = $2::int",
			  period_id, number);
}

enum err publication_publish(struct db *db, struct arena *a, const char *period_id, json_t **out, bool *created,
			     struct errinfo *ei)
{
	*out = NULL;
	*created = false;
	enum err e = period_exists(db, a, period_id, true, ei);
	struct db_res *r;
	if (!e)
		e = DB_EXEC(db, a, &r, ei,
			    "WITH s AS (SELECT period_snapshot($1::uuid) AS snap),"
			    " h AS (SELECT snap, content_hash(snap) AS hash FROM s),"
			    " last AS (SELECT content_hash AS hash, number FROM publications WHERE period_id = $1::uuid"
			    "          ORDER BY number DESC LIMIT 1),"
			    " ins AS (INSERT INTO publications (tenant_id, period_id, number, content_hash, snapshot, published_by)"
			    "         SELECT app_tenant(), $1::uuid, coalesce((SELECT number FROM last), 0) + 1, h.hash, h.snap, app_user()"
			    "           FROM h WHERE h.hash IS DISTINCT FROM (SELECT hash FROM last) RETURNING number, content_hash)"
			    " SELECT (SELECT number FROM ins) AS created, (SELECT number FROM last) AS last,"
			    "        (SELECT content_hash FROM ins) AS hash",
			    period_id);
	if (e)
		return e;
	const char *made = db_res_val(r, 0, "created");
	if (!made)
		return latest_json(db, a, period_id, db_res_val(r, 0, "last"), out, ei);
	made = arena_strdup(a, made);
	const char *hash = arena_strdup(a, db_res_val(r, 0, "hash"));
	*created = true;
	long long changed = 0, nusers = 0;
	const char *users = NULL;
	e = DB_EXEC(db, a, NULL, ei,
		    "UPDATE periods SET status = 'published',"
		    " config_number = (SELECT config_version FROM tenants WHERE id = app_tenant()) WHERE id = $1::uuid",
		    period_id);
	if (!e)
		e = sync_events(db, a, period_id, made, &changed, &users, &nusers, ei);
	char details[256];
	snprintf(details, sizeof details,
		 "{\"number\": %s, \"contentHash\": \"%s\", \"changedEvents\": %lld, \"affectedPeople\": %lld}", made, hash,
		 changed, nusers);
	if (!e)
		e = DB_EXEC(db, a, NULL, ei, "SELECT audit_event('period.publish', 'periods', $1, $2::jsonb)", period_id,
			    details);
	if (!e)
		e = latest_json(db, a, period_id, made, out, ei);
	if (!e) {
		json_object_set_new(*out, "changedEvents", json_integer(changed));
		json_object_set_new(*out, "affectedPeople", json_integer(nusers));
	}
	return e;
}

enum err publication_list(struct db *db, struct arena *a, const char *period_id, int limit, const char *cursor_key,
			  struct dbjson_page *out, struct errinfo *ei)
{
	enum err e = period_exists(db, a, period_id, false, ei);
	if (e)
		return e;
	if (cursor_key && strspn(cursor_key, "0123456789") != strlen(cursor_key))
		return err_set(ei, ERR_INVALID, "cursor", "not a cursor from this API");
	return DBJSON_PAGE(db, a, limit, out, ei,
			   "SELECT " PUBLICATION_JSON " AS j, x.number::text AS k FROM publications x WHERE x.period_id = $1::uuid"
			   " AND ($2::int IS NULL OR x.number < $2::int) ORDER BY x.number DESC LIMIT $3::int",
			   period_id, cursor_key, dbjson_limit_param(a, limit));
}

enum err publication_get(struct db *db, struct arena *a, const char *period_id, int number, json_t **out,
			 struct errinfo *ei)
{
	char num[16];
	snprintf(num, sizeof num, "%d", number);
	return DBJSON_ONE(db, a, out, ei, "publication",
			  "SELECT " PUBLICATION_JSON " || jsonb_build_object('snapshot', x.snapshot) AS j FROM publications x"
			  " WHERE x.period_id = $1::uuid AND x.number = $2::int",
			  period_id, num);
}
