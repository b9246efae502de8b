/* cmd_config_show.c — `radsched config show --tenant SLUG [--version N] [db options]`:
 * a tenant's current (or a given) config document as JSON on stdout; and `radsched config`,
 * which routes `validate` (cmd_config.c) and `show` (here).
 * Exit 0 printed; 1 run-time failure; 2 bad arguments, unknown tenant or version. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/strutil.h"
#include "cmd/argflags.h"
#include "cmd/commands.h"
#include "cmd/runtime.h"
#include "domain/config_store.h"
#include "json/json_value.h"

struct show {
	const char *slug;
	int number;
	json_t *doc;
	int rc;
};

static enum err find_tenant(struct db *db, void *arg, struct errinfo *ei)
{
	struct show *s = arg;
	struct arena *a = arena_new(0);
	struct db_res *r;
	enum err e = DB_EXEC(db, a, &r, ei, "SELECT id FROM tenant_by_slug($1)", s->slug);
	if (!e && db_res_rows(r) != 1)
		e = err_set(ei, ERR_NOT_FOUND, "--tenant", "there is no tenant \"%s\"", s->slug);
	if (!e)
		s->slug = xstrdup(db_res_val(r, 0, "id")); /* now the id; freed by the caller */
	arena_free(a);
	return e;
}

static enum err load_doc(struct db *db, void *arg, struct errinfo *ei)
{
	struct show *s = arg;
	struct arena *a = arena_new(0);
	json_t *v = NULL;
	enum err e = config_store_get(db, a, s->number, true, &v, ei);
	if (e == ERR_NOT_FOUND)
		e = s->number ? err_set(ei, ERR_NOT_FOUND, "--version", "there is no configuration version %d", s->number)
			      : err_set(ei, ERR_NOT_FOUND, "--tenant", "this tenant has no configuration yet");
	if (!e)
		s->doc = json_incref(json_object_get(v, "document"));
	json_decref(v);
	arena_free(a);
	return e;
}

static int usage(void)
{
	fputs("usage: radsched config show --tenant SLUG [--version N] [--data-dir DIR | --database-url URL]\n", stderr);
	return 2;
}

int cmd_config_show(int argc, char **argv)
{
	const char *version = NULL;
	if (take_value(&argc, argv, "--version", &version) < 0)
		return usage();
	int64_t n = 0;
	if (version && !str_to_i64(version, 1, 1000000000, &n)) {
		fprintf(stderr, "radsched: --version: expected a version number (got '%s')\n", version);
		return 2;
	}
	struct runtime rt = {0};
	int rc = options_parse(argc - 1, argv + 1,
			       (1ull << OPT_DATABASE_URL) | (1ull << OPT_DATA_DIR) | (1ull << OPT_SHARE_DIR) |
				       (1ull << OPT_LOG_LEVEL) | (1ull << OPT_SECRET) | (1ull << OPT_TENANT),
			       &rt.opts);
	if (rc)
		return rc;
	if (rt.opts.nrest)
		return usage();
	struct show s = {.slug = opt(&rt.opts, OPT_TENANT), .number = (int)n};
	if (!*s.slug) {
		fprintf(stderr, "radsched: --tenant: required (the tenant's slug, e.g. demo)\n");
		return 2;
	}
	rt.pool_size = 1;
	if ((rc = runtime_open(&rt, RUNTIME_DB, true)))
		return rc;
	struct errinfo ei = {0};
	enum err e = db_with_tx(rt.pool, &(struct db_ctx){.actor = DB_ACTOR_SYSTEM}, find_tenant, &s, &ei);
	const char *tenant = e ? NULL : s.slug;
	if (!e)
		e = db_with_tx(rt.pool, &(struct db_ctx){.tenant_id = tenant, .actor = DB_ACTOR_SYSTEM}, load_doc, &s, &ei);
	if (e) {
		fprintf(stderr, "radsched: config show: %s%s%s\n", ei.path, ei.path[0] ? ": " : "", ei.message);
		rc = e == ERR_NOT_FOUND || e == ERR_INVALID ? 2 : 1;
	} else {
		struct buf b;
		buf_init(&b, 0);
		if (json_text_encode(s.doc, JSON_ENC_PRETTY, &b) == ERR_OK) {
			fwrite(b.data, 1, b.len, stdout);
			fputc('\n', stdout);
		} else {
			rc = 1;
		}
		buf_fini(&b);
	}
	json_decref(s.doc);
	free((char *)tenant);
	runtime_close(&rt);
	return rc;
}

int cmd_config(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "validate"))
		return cmd_config_validate(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "show"))
		return cmd_config_show(argc - 1, argv + 1);
	fputs("usage: radsched config validate FILE [--roster FILE]\n"
	      "       radsched config show --tenant SLUG [--version N] [--data-dir DIR | --database-url URL]\n",
	      stderr);
	return 2;
}
