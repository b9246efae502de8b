#include "domain/config_store.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "json/json_patch.h"
#include "json/json_value.h"

/* ---- the process-wide validator ---------------------------------------------------- */

static pthread_mutex_t validator_lock = PTHREAD_MUTEX_INITIALIZER;
static struct config_validator *validator;
static char schema_dir[PATH_MAX];

void config_store_set_share_dir(const char *share_dir)
{
	pthread_mutex_lock(&validator_lock);
	if (!schema_dir[0] && share_dir && *share_dir)
		snprintf(schema_dir, sizeof schema_dir, "%s", share_dir);
	pthread_mutex_unlock(&validator_lock);
}

static bool readable(const char *p) { return access(p, R_OK) == 0; }

/* The schema file to load, by the order documented in the header. */
static void schema_file(char *out, size_t n)
{
	if (schema_dir[0]) {
		snprintf(out, n, "%s/%s", schema_dir, CONFIG_SCHEMA_DEFAULT_PATH);
		return;
	}
	const char *p = config_schema_path();
	if (readable(p) && (getenv("RADSCHED_SCHEMA") || getenv("RADSCHED_ROOT"))) {
		snprintf(out, n, "%s", p);
		return;
	}
	const char *share = getenv("RADSCHED_SHARE_DIR");
	if (share && *share) {
		snprintf(out, n, "%s/%s", share, CONFIG_SCHEMA_DEFAULT_PATH);
		if (readable(out))
			return;
	}
	char exe[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (len > 0) {
		exe[len] = 0;
		for (int up = 0; up < 3; up++) {
			char *slash = strrchr(exe, '/');
			if (!slash)
				break;
			*slash = 0;
			snprintf(out, n, "%s/%s", exe, CONFIG_SCHEMA_DEFAULT_PATH);
			if (readable(out))
				return;
		}
	}
	snprintf(out, n, "%s", CONFIG_SCHEMA_DEFAULT_PATH);
}

enum err config_store_validator(const struct config_validator **out, struct errinfo *ei)
{
	pthread_mutex_lock(&validator_lock);
	enum err e = ERR_OK;
	if (!validator) {
		char path[PATH_MAX + 64];
		schema_file(path, sizeof path);
		e = config_validator_load(path, &validator, ei);
	}
	*out = validator;
	pthread_mutex_unlock(&validator_lock);
	return e;
}

/* ---- validation ---------------------------------------------------------------------- */

enum err config_store_roster(struct db *db, struct arena *a, struct config_roster *out, struct errinfo *ei)
{
	memset(out, 0, sizeof *out);
	json_t *j;
	enum err e = dbjson_one(
		db, a, &j, ei, "roster",
		"SELECT jsonb_build_object('people', coalesce(jsonb_agg(jsonb_strip_nulls(jsonb_build_object("
		" 'id', u.id, 'email', u.email, 'name', u.name, 'role', u.role, 'fte', u.fte, 'fellow', u.is_fellow,"
		" 'active', u.active, 'schedulable', u.schedulable, 'subspecialties', to_jsonb(u.subspecialties),"
		" 'startDate', u.start_date)) ORDER BY lower(u.email)), '[]'::jsonb)) AS j FROM users u",
		0, NULL);
	if (e)
		return e;
	e = config_roster_from_json(j, a, out, ei);
	json_decref(j);
	return e;
}

/* PostgreSQL resolves every instant with its own tz database, which may be older than the
 * server's that config_validate read: a zone it does not know is an error at /timezone. */
static enum err zone_known_to_database(struct db *db, struct arena *a, const json_t *doc, struct config_report *rep,
				       struct errinfo *ei)
{
	const char *tz = json_string_value(json_object_get(doc, "timezone"));
	if (!tz || config_report_has_error_at(rep, "/timezone"))
		return ERR_OK;
	struct db_res *r;
	enum err e = DB_EXEC(db, a, &r, ei, "SELECT tz_known($1) AS ok", tz);
	if (e || db_res_bool(r, 0, "ok"))
		return e;
	config_report_add(rep, CONFIG_ERROR, "/timezone", "INVALID_TIMEZONE",
			  "\"%s\" is not a time zone the database knows (its tz data may be older than the server's)", tz);
	config_report_sort(rep);
	return ERR_OK;
}

enum err config_store_validate(struct db *db, struct arena *a, const json_t *doc, struct config_report *rep,
			       struct errinfo *ei)
{
	config_report_init(rep, a);
	const struct config_validator *v;
	struct config_roster roster;
	enum err e = config_store_validator(&v, ei);
	if (!e)
		e = config_store_roster(db, a, &roster, ei);
	if (e)
		return e == ERR_INVALID ? ERR_INTERNAL : e;
	e = config_validate(v, doc, &roster, a, rep);
	if ((e == ERR_OK || e == ERR_INVALID) && (e = zone_known_to_database(db, a, doc, rep, ei)) == ERR_OK &&
	    rep->n_errors)
		e = ERR_INVALID;
	if (e == ERR_INVALID)
		err_set(ei, ERR_INVALID, rep->n ? rep->v[0].pointer : "", "the configuration has %zu error(s)%s%s",
			rep->n_errors, rep->n ? ": " : "", rep->n ? rep->v[0].message : "");
	return e;
}

/* ---- reading ---------------------------------------------------------------------------- */

#define VERSION_JSON                                                                                          \
	"jsonb_build_object('number', v.number, 'parent', v.parent_number, 'actorKind', v.actor_kind,"        \
	" 'actorUserId', v.actor_user_id, 'message', v.message, 'createdAt', api_instant(v.created_at),"      \
	" 'current', v.number = (SELECT config_version FROM tenants WHERE id = app_tenant()))"

enum err config_store_current(struct db *db, struct arena *a, int *number, json_t **doc, struct errinfo *ei)
{
	*number = 0;
	if (doc)
		*doc = NULL;
	struct db_res *r;
	enum err e = DB_EXEC(db, a, &r, ei,
			     "SELECT t.config_version AS n, CASE WHEN $1::boolean THEN v.document::text END AS j"
			     " FROM tenants t LEFT JOIN config_versions v ON v.tenant_id = t.id AND v.number = t.config_version"
			     " WHERE t.id = app_tenant()",
			     doc ? "true" : "false");
	if (e)
		return e;
	if (db_res_rows(r) != 1)
		return err_set(ei, ERR_NOT_FOUND, "", "no tenant in this context");
	*number = (int)db_res_ll(r, 0, "n", 0);
	if (doc && *number > 0)
		return dbjson_parse(db_res_val(r, 0, "j"), doc, ei);
	return ERR_OK;
}

enum err config_store_get(struct db *db, struct arena *a, int number, bool with_document, json_t **out,
			  struct errinfo *ei)
{
	char num[16];
	snprintf(num, sizeof num, "%d", number);
	return DBJSON_ONE(db, a, out, ei, number ? "configuration version" : "configuration",
			  "SELECT " VERSION_JSON " || CASE WHEN $2::boolean THEN jsonb_build_object('document', v.document)"
			  " ELSE '{}'::jsonb END AS j FROM config_versions v"
			  " WHERE v.number = CASE WHEN $1::int = 0 THEN (SELECT config_version FROM tenants WHERE id = app_tenant())"
			  " ELSE $1::int END",
			  num, with_document ? "true" : "false");
}

enum err config_store_list(struct db *db, struct arena *a, int limit, const char *cursor_key, struct dbjson_page *out,
			   struct errinfo *ei)
{
	if (cursor_key) {
		char *end;
		long k = strtol(cursor_key, &end, 10);
		if (*end || k < 1 || k > INT_MAX)
			return err_set(ei, ERR_INVALID, "cursor", "not a cursor from this API");
	}
	return DBJSON_PAGE(db, a, limit, out, ei,
			   "SELECT " VERSION_JSON " AS j, v.number::text AS k FROM config_versions v"
			   " WHERE $1::int IS NULL OR v.number < $1::int ORDER BY v.number DESC LIMIT $2::int",
			   cursor_key, dbjson_limit_param(a, limit));
}

static enum err version_document(struct db *db, struct arena *a, int number, const char *field, json_t **doc,
				 struct errinfo *ei)
{
	char num[16];
	snprintf(num, sizeof num, "%d", number);
	enum err e = DBJSON_ONE(db, a, doc, ei, "configuration version",
				"SELECT document::text AS j FROM config_versions WHERE number = $1::int", num);
	if (e == ERR_NOT_FOUND)
		err_set(ei, ERR_NOT_FOUND, field, "there is no configuration version %d", number);
	return e;
}

enum err config_store_diff(struct db *db, struct arena *a, int from, int to, json_t **patch, struct errinfo *ei)
{
	*patch = NULL;
	json_t *f = NULL, *t = NULL;
	enum err e = version_document(db, a, from, "from", &f, ei);
	if (!e)
		e = version_document(db, a, to, "to", &t, ei);
	if (!e)
		*patch = json_patch_diff(f, t);
	json_decref(f);
	json_decref(t);
	return e;
}

/* ---- saving ------------------------------------------------------------------------------ */

/* Assignments from today on (in the department's zone, after the save) take the shift
 * times of the config just saved: a shift type's new hours, a timed shift become all-day
 * or the reverse, a new zone. Earlier days keep the times they were worked. Published
 * events change only with the next publication (the period then shows unpublished
 * changes). Nothing moves when one of the new times cannot exist (a short shift inside the
 * hour a DST change skips would end before it starts): the first such day is reported. */
static const char retime_sql[] =
	"WITH st AS (SELECT s->>'code' AS code, s->>'kind' IS DISTINCT FROM 'timed' AS all_day,"
	"                   (s->>'start')::time AS st, (s->>'end')::time AS en"
	"              FROM jsonb_array_elements(CASE jsonb_typeof($1::jsonb->'shiftTypes')"
	"                                        WHEN 'array' THEN $1::jsonb->'shiftTypes' END) s),"
	" z AS (SELECT timezone AS tz FROM tenants WHERE id = app_tenant()),"
	" n AS (SELECT a.id, a.day, a.shift_code, st.all_day,"
	"              CASE WHEN NOT st.all_day THEN (shift_instants(a.day, st.st, st.en, z.tz)).start_at END AS s,"
	"              CASE WHEN NOT st.all_day THEN (shift_instants(a.day, st.st, st.en, z.tz)).end_at END AS e"
	"         FROM assignments a JOIN st ON st.code = a.shift_code CROSS JOIN z"
	"        WHERE a.day >= (now() AT TIME ZONE z.tz)::date),"
	" bad AS (SELECT day, shift_code FROM n WHERE NOT all_day AND e <= s ORDER BY day, shift_code LIMIT 1),"
	" u AS (UPDATE assignments a SET all_day = n.all_day, start_at = n.s, end_at = n.e FROM n"
	"        WHERE a.id = n.id AND NOT EXISTS (SELECT 1 FROM bad)"
	"          AND (a.all_day, a.start_at, a.end_at) IS DISTINCT FROM (n.all_day, n.s, n.e) RETURNING 1)"
	" SELECT (SELECT count(*) FROM u) AS moved, (SELECT day::text FROM bad) AS bad_day,"
	"        (SELECT shift_code FROM bad) AS bad_code, (SELECT tz FROM z) AS tz";

/* "/shiftTypes/N" of the shift type with code (or "/shiftTypes"). */
static const char *shift_pointer(struct arena *a, const json_t *doc, const char *code)
{
	size_t i;
	const json_t *t;
	json_array_foreach(json_object_get(doc, "shiftTypes"), i, t)
	{
		const char *c = json_string_value(json_object_get(t, "code"));
		if (c && !strcmp(c, code))
			return arena_sprintf(a, "/shiftTypes/%zu", i);
	}
	return "/shiftTypes";
}

static enum err retime(struct db *db, struct arena *a, const json_t *doc, const char *doc_text, int *retimed,
		       struct errinfo *ei)
{
	struct db_res *r;
	enum err e = DB_EXEC(db, a, &r, ei, retime_sql, doc_text);
	if (e)
		return e;
	const char *day = db_res_val(r, 0, "bad_day"), *code = db_res_val(r, 0, "bad_code");
	if (day && code)
		return err_set(ei, ERR_INVALID, shift_pointer(a, doc, code),
			       "%s on %s would end before it starts in %s (the clocks change during it): change its times",
			       code, day, db_res_val(r, 0, "tz"));
	*retimed = (int)db_res_ll(r, 0, "moved", 0);
	return ERR_OK;
}

static enum err insert_version(struct db *db, struct arena *a, const json_t *doc, const char *message, int current,
			       int *retimed, struct errinfo *ei)
{
	struct buf b;
	buf_init(&b, 0);
	if (json_text_encode(doc, JSON_ENC_COMPACT, &b) != ERR_OK) {
		buf_fini(&b);
		return err_set(ei, ERR_INVALID, "", "the configuration cannot be encoded");
	}
	char num[16], parent[16];
	snprintf(num, sizeof num, "%d", current + 1);
	snprintf(parent, sizeof parent, "%d", current);
	const char *tz = json_string_value(json_object_get(doc, "timezone"));
	enum err e = DB_EXEC(db, a, NULL, ei,
			     "INSERT INTO config_versions (tenant_id, number, parent_number, actor_kind, actor_user_id, message,"
			     " document) VALUES (app_tenant(), $1::int, nullif($2::int, 0), app_actor(), app_user(), $3, $4::jsonb)",
			     num, parent, message ? message : "", b.data);
	/* the department's zone follows its config (feeds and instants read tenants.timezone) */
	if (!e)
		e = DB_EXEC(db, a, NULL, ei,
			    "UPDATE tenants SET config_version = $1::int, timezone = coalesce($2, timezone) WHERE id = app_tenant()",
			    num, tz);
	*retimed = 0;
	if (!e)
		e = retime(db, a, doc, b.data, retimed, ei);
	buf_fini(&b);
	return e;
}

enum err config_store_commit(struct db *db, struct arena *a, const struct config_save *in, struct config_saved *out,
			     struct errinfo *ei)
{
	memset(out, 0, sizeof *out);
	config_report_init(&out->report, a);
	if (!in->document == !in->patch)
		return err_set(ei, ERR_INVALID, "", "give either a document or a patch");
	struct db_res *r;
	enum err e = in->dry_run ? DB_EXEC0(db, a, &r, ei, "SELECT config_version FROM tenants WHERE id = app_tenant()")
				 : DB_EXEC0(db, a, &r, ei,
					    "SELECT config_version FROM tenants WHERE id = app_tenant() FOR NO KEY UPDATE");
	if (e)
		return e;
	if (db_res_rows(r) != 1)
		return err_set(ei, ERR_NOT_FOUND, "", "no tenant in this context");
	int current = (int)db_res_ll(r, 0, "config_version", 0);
	out->current = current;
	if (in->base >= 0 && in->base != current)
		return err_set(ei, ERR_CONFLICT, "/baseVersion",
			       "the configuration changed: this change was made against version %d, the current version is %d",
			       in->base, current);
	json_t *base = NULL;
	if (current > 0 && (e = version_document(db, a, current, "/baseVersion", &base, ei)))
		return e;
	if (in->patch) {
		if (!base)
			return err_set(ei, ERR_INVALID, "/baseVersion", "there is no configuration yet to patch: save a document");
		struct errinfo pe = {0};
		e = json_patch_apply(base, in->patch, &out->document, &pe);
		if (e) {
			json_decref(base);
			const char *ptr = arena_sprintf(a, "/patch%s", pe.path);
			if (e == ERR_PRECONDITION)
				return err_set(ei, ERR_CONFLICT, ptr, "%s", pe.message);
			return err_set(ei, e == ERR_TOO_LARGE ? ERR_TOO_LARGE : ERR_INVALID, ptr, "%s", pe.message);
		}
	} else {
		out->document = json_deep_copy(in->document);
	}
	e = config_store_validate(db, a, out->document, &out->report, ei);
	if (!e && !in->dry_run && base && json_value_equal(base, out->document))
		e = err_set(ei, ERR_INVALID, in->patch ? "/patch" : "/document",
			    "nothing changed: the document equals version %d", current);
	json_decref(base);
	if (e || in->dry_run)
		return e;
	if ((e = insert_version(db, a, out->document, in->message, current, &out->retimed, ei)))
		return e;
	out->number = current + 1;
	out->current = current + 1;
	return ERR_OK;
}

enum err config_store_save(struct db *db, struct arena *a, const json_t *doc, const char *message, int expected_base,
			   int *number, struct errinfo *ei)
{
	struct config_save in = {.document = doc, .base = expected_base ? expected_base : -1, .message = message};
	struct config_saved out;
	enum err e = config_store_commit(db, a, &in, &out, ei);
	json_decref(out.document);
	if (!e)
		*number = out.number;
	return e;
}
