#include "db/migrate.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/strutil.h"
#include "db/db.h"
#include "db/sqlfile.h"

#define MAX_MIGRATIONS 1000

struct mfile {
	char name[256];
	int version;
};

static int by_name(const void *a, const void *b) { return strcmp(((const struct mfile *)a)->name, ((const struct mfile *)b)->name); }

/* List NNNN_name.sql files, sorted; a malformed name is an error (a typo must not be skipped). */
static enum err list_migrations(const char *dir, struct mfile **out, int *n, struct errinfo *ei)
{
	DIR *d = opendir(dir);
	if (!d)
		return err_set(ei, ERR_IO, dir, "cannot open migrations directory %s", dir);
	struct mfile *v = xcalloc(MAX_MIGRATIONS, sizeof *v);
	int k = 0;
	struct dirent *de;
	enum err e = ERR_OK;
	while ((de = readdir(d)) && !e) {
		const char *nm = de->d_name;
		if (nm[0] == '.')
			continue;
		int64_t ver;
		char num[5] = {0};
		memcpy(num, nm, strlen(nm) >= 4 ? 4 : strlen(nm));
		if (!str_ends_with(nm, ".sql") || strlen(nm) < 10 || nm[4] != '_' || !str_to_i64(num, 1, 9999, &ver) ||
		    strlen(nm) >= sizeof v[0].name) {
			e = err_set(ei, ERR_INVALID, nm, "migration file %s/%s is not named NNNN_name.sql", dir, nm);
			break;
		}
		if (k == MAX_MIGRATIONS) {
			e = err_set(ei, ERR_TOO_LARGE, dir, "more than %d migrations", MAX_MIGRATIONS);
			break;
		}
		snprintf(v[k].name, sizeof v[k].name, "%s", nm);
		v[k++].version = (int)ver;
	}
	closedir(d);
	if (e) {
		free(v);
		return e;
	}
	qsort(v, (size_t)k, sizeof *v, by_name);
	for (int i = 1; i < k; i++)
		if (v[i].version == v[i - 1].version) {
			e = err_set(ei, ERR_INVALID, v[i].name, "two migrations share version %04d: %s and %s", v[i].version,
				    v[i - 1].name, v[i].name);
			free(v);
			return e;
		}
	*out = v;
	*n = k;
	return ERR_OK;
}

static const char *const setup_sql =
	"CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL,"
	" checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())";

static enum err apply_one(struct db *db, struct arena *a, const char *dir, const struct mfile *m, int *applied,
			  struct errinfo *ei)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", dir, m->name);
	char *sql;
	enum err e = sqlfile_read(path, a, &sql, ei);
	if (e)
		return e;
	char ver[16];
	snprintf(ver, sizeof ver, "%d", m->version);
	struct db_res *r;
	e = DB_EXEC(db, a, &r, ei,
		    "SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex') AS sum,"
		    " (SELECT checksum FROM schema_migrations WHERE version = $2::int) AS recorded,"
		    " (SELECT name FROM schema_migrations WHERE version = $2::int) AS recorded_name",
		    sql, ver);
	if (e)
		return e;
	const char *sum = db_res_val(r, 0, "sum"), *recorded = db_res_val(r, 0, "recorded");
	if (recorded) {
		if (strcmp(sum, recorded))
			return err_set(ei, ERR_CONFLICT, m->name,
				       "migration %s was changed after it was applied (recorded sha256 %.12s…, file %.12s…); "
				       "restore the file and put the change in a new migration",
				       m->name, recorded, sum);
		return ERR_OK;
	}
	e = db_exec_script(db, "BEGIN", ei);
	if (!e)
		e = db_exec_script(db, sql, ei);
	if (!e)
		e = DB_EXEC(db, a, NULL, ei, "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1::int, $2, $3)",
			    ver, m->name, sum);
	if (!e)
		e = db_commit(db, ei);
	if (e) {
		db_rollback(db);
		char msg[sizeof ei->message];
		snprintf(msg, sizeof msg, "%s", ei ? ei->message : "");
		return err_set(ei, e, m->name, "migration %s failed: %s", m->name, msg);
	}
	log_kv(LOG_INFO, "migration applied", "migration", m->name, NULL);
	(*applied)++;
	return ERR_OK;
}

enum err db_migrate(const char *owner_conninfo, const char *set_role, const char *share_dir, int *applied,
		    struct errinfo *ei)
{
	*applied = 0;
	char dir[1024];
	snprintf(dir, sizeof dir, "%s/db/migrations", share_dir);
	struct mfile *files = NULL;
	int n = 0;
	enum err e = list_migrations(dir, &files, &n, ei);
	if (e)
		return e;
	struct db *db;
	e = db_connect(owner_conninfo, &db, ei);
	if (e) {
		free(files);
		return e;
	}
	struct arena *a = arena_new(0);
	if (set_role && *set_role) {
		char *q = arena_sprintf(a, "SET ROLE \"%s\"", set_role);
		e = db_exec_script(db, q, ei);
	}
	if (!e)
		e = db_exec_script(db, "SELECT pg_advisory_lock(7263534201)", ei);
	if (!e)
		e = db_exec_script(db, setup_sql, ei);
	/* every recorded checksum is checked before anything new is applied */
	for (int pass = 0; pass < 2 && !e; pass++)
		for (int i = 0; i < n && !e; i++) {
			int dummy = 0;
			if (pass == 0) {
				struct db_res *r;
				char ver[16];
				snprintf(ver, sizeof ver, "%d", files[i].version);
				e = DB_EXEC(db, a, &r, ei, "SELECT 1 FROM schema_migrations WHERE version = $1::int", ver);
				if (!e && db_res_rows(r))
					e = apply_one(db, a, dir, &files[i], &dummy, ei);
			} else {
				e = apply_one(db, a, dir, &files[i], applied, ei);
			}
		}
	if (!e) {
		char gpath[1024];
		char *grants;
		snprintf(gpath, sizeof gpath, "%s/db/grants.sql", share_dir);
		e = sqlfile_read(gpath, a, &grants, ei);
		if (!e)
			e = db_exec_script(db, grants, ei);
	}
	RS_IGNORE(db_exec_script(db, "SELECT pg_advisory_unlock(7263534201)", NULL)); /* session end unlocks anyway */
	arena_free(a);
	db_close(db);
	free(files);
	return e;
}

enum err db_migrations_pending(struct db *db, const char *share_dir, int *pending, struct errinfo *ei)
{
	char dir[1024];
	snprintf(dir, sizeof dir, "%s/db/migrations", share_dir);
	struct mfile *files = NULL;
	int n = 0;
	enum err e = list_migrations(dir, &files, &n, ei);
	if (e)
		return e;
	struct arena *a = arena_new(0);
	struct db_res *r;
	e = DB_EXEC0(db, a, &r, ei, "SELECT coalesce(max(version), 0) AS v, count(*) AS n FROM schema_migrations");
	if (!e) {
		long long maxv = db_res_ll(r, 0, "v", 0);
		int p = 0;
		for (int i = 0; i < n; i++)
			if (files[i].version > maxv)
				p++;
		*pending = p;
	}
	arena_free(a);
	free(files);
	return e;
}
