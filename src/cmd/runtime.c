#include "cmd/runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/ids.h"
#include "base/log.h"
#include "base/strutil.h"
#include "db/migrate.h"

static bool is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int runtime_find_share_dir(const struct options *o, char *out, size_t n)
{
	const char *given = opt(o, OPT_SHARE_DIR);
	char probe[PATH_MAX + 32];
	if (*given) {
		snprintf(probe, sizeof probe, "%s/db/migrations", given);
		if (!is_dir(probe)) {
			fprintf(stderr, "radsched: --share-dir: %s has no db/migrations\n", given);
			return 2;
		}
		if (!realpath(given, out))
			snprintf(out, n, "%s", given);
		return 0;
	}
	char exe[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (len > 0) {
		exe[len] = 0;
		char *dir = dirname(exe); /* …/build */
		for (int up = 0; up < 3; up++) {
			snprintf(probe, sizeof probe, "%s/db/migrations", dir);
			if (is_dir(probe)) {
				snprintf(out, n, "%s", dir);
				return 0;
			}
			dir = dirname(dir);
		}
	}
	if (is_dir("db/migrations") && realpath(".", out))
		return 0;
	fprintf(stderr, "radsched: --share-dir: cannot find db/migrations next to the binary; set --share-dir\n");
	return 2;
}

/* DATA_DIR/secret: generated once (0600), so links stay valid across restarts. */
static int load_or_make_secret(const char *data_dir, char *out, size_t n)
{
	char path[PATH_MAX + 16];
	snprintf(path, sizeof path, "%s/secret", data_dir);
	FILE *f = fopen(path, "r");
	if (f) {
		bool ok = fgets(out, (int)n, f) != NULL;
		fclose(f);
		out[strcspn(out, "\r\n")] = 0;
		if (ok && strlen(out) >= 32)
			return 0;
	}
	char hex[65];
	ids_hex(hex, 32);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, hex, 64) != 64) {
		if (fd >= 0)
			close(fd);
		fprintf(stderr, "radsched: --data-dir: cannot write %s: %s\n", path, strerror(errno));
		return 1;
	}
	close(fd);
	snprintf(out, n, "%s", hex);
	return 0;
}

int runtime_open(struct runtime *rt, enum runtime_db dbmode, bool allow_generated_secret)
{
	int rc = runtime_find_share_dir(&rt->opts, rt->share_dir, sizeof rt->share_dir);
	if (rc)
		return rc;
	const char *lvl = opt(&rt->opts, OPT_LOG_LEVEL);
	log_set_level(!strcmp(lvl, "debug") ? LOG_DEBUG : !strcmp(lvl, "warn") ? LOG_WARN : !strcmp(lvl, "error") ? LOG_ERROR : LOG_INFO);
	const char *dd = opt(&rt->opts, OPT_DATA_DIR);
	if (mkdir(dd, 0755) && errno != EEXIST) {
		fprintf(stderr, "radsched: --data-dir: cannot create %s: %s\n", dd, strerror(errno));
		return 2;
	}
	if (!realpath(dd, rt->data_dir)) {
		fprintf(stderr, "radsched: --data-dir: %s: %s\n", dd, strerror(errno));
		return 2;
	}
	const char *url = opt(&rt->opts, OPT_DATABASE_URL);
	const char *secret = opt(&rt->opts, OPT_SECRET);
	if (*secret) {
		snprintf(rt->secret, sizeof rt->secret, "%s", secret);
	} else if (allow_generated_secret || !*url) {
		if ((rc = load_or_make_secret(rt->data_dir, rt->secret, sizeof rt->secret)))
			return rc;
	} else {
		fprintf(stderr, "radsched: --secret: required when --database-url is set (RADSCHED_SECRET)\n");
		return 2;
	}
	const char *base = opt(&rt->opts, OPT_BASE_URL);
	if (*base)
		snprintf(rt->base_url, sizeof rt->base_url, "%s", base);
	else
		snprintf(rt->base_url, sizeof rt->base_url, "http://%s", opt(&rt->opts, OPT_LISTEN));
	size_t bl = strlen(rt->base_url);
	if (bl && rt->base_url[bl - 1] == '/')
		rt->base_url[bl - 1] = 0;
	if (dbmode == RUNTIME_NO_DB)
		return 0;

	struct errinfo ei = {0};
	if (*url) {
		rt->embedded = false;
		snprintf(rt->app_conninfo, sizeof rt->app_conninfo, "%s", url);
		const char *mu = opt(&rt->opts, OPT_MIGRATE_URL);
		snprintf(rt->owner_conninfo, sizeof rt->owner_conninfo, "%s", *mu ? mu : url);
		snprintf(rt->set_role, sizeof rt->set_role, "%s", opt(&rt->opts, OPT_MIGRATE_ROLE));
	} else {
		rt->embedded = true;
		if (db_cluster_start(rt->data_dir, &rt->cluster, &ei)) {
			fprintf(stderr, "radsched: %s%s%s\n", ei.path, ei.path[0] ? ": " : "", ei.message);
			return 1;
		}
		snprintf(rt->app_conninfo, sizeof rt->app_conninfo, "%s", rt->cluster.app_conninfo);
		snprintf(rt->owner_conninfo, sizeof rt->owner_conninfo, "%s", rt->cluster.owner_conninfo);
		snprintf(rt->set_role, sizeof rt->set_role, "radsched_owner");
	}
	if (dbmode == RUNTIME_DB_MIGRATE) {
		int applied = 0;
		if (db_migrate(rt->owner_conninfo, rt->set_role, rt->share_dir, &applied, &ei)) {
			fprintf(stderr, "radsched: migrate: %s\n", ei.message);
			runtime_close(rt);
			return 1;
		}
		char n[16];
		snprintf(n, sizeof n, "%d", applied);
		log_kv(LOG_INFO, "database migrated", "applied", n, NULL);
	}
	int size = rt->pool_size > 0 ? rt->pool_size : opt_int(&rt->opts, OPT_HTTP_THREADS) + 4;
	if (db_pool_new(rt->app_conninfo, size, &rt->pool, &ei)) {
		fprintf(stderr, "radsched: --database-url: %s\n", ei.message);
		runtime_close(rt);
		return 1;
	}
	if (dbmode == RUNTIME_DB) {
		/* commands that do not migrate need a current schema: say so plainly */
		struct db *db = db_pool_get(rt->pool);
		int pending = 0;
		enum err e = db_migrations_pending(db, rt->share_dir, &pending, &ei);
		db_pool_put(rt->pool, db);
		if (e || pending) {
			fprintf(stderr, "radsched: the database is not migrated (%s): run radsched migrate first\n",
				e ? ei.message : "migrations pending");
			runtime_close(rt);
			return 1;
		}
	}
	return 0;
}

void runtime_close(struct runtime *rt)
{
	db_pool_free(rt->pool);
	rt->pool = NULL;
	if (rt->embedded)
		db_cluster_stop(&rt->cluster);
}

enum err runtime_tenant_id(struct runtime *rt, const char *slug, char out[37], struct errinfo *ei)
{
	struct arena *a = arena_new(0);
	struct db *db = db_pool_get(rt->pool);
	struct db_res *r;
	enum err e = DB_EXEC(db, a, &r, ei, "SELECT id::text AS id FROM tenant_by_slug($1)", slug);
	db_pool_put(rt->pool, db);
	if (!e && db_res_rows(r) != 1)
		e = err_set(ei, ERR_NOT_FOUND, "--tenant", "no tenant %s", slug);
	if (!e)
		snprintf(out, 37, "%s", db_res_val(r, 0, "id"));
	arena_free(a);
	return e;
}
