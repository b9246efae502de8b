/* cmd_token.c — API tokens for automation and the MCP endpoint:
 *   radsched token create --tenant SLUG --user EMAIL [--name N] [--scope api,mcp]
 *       prints the new token (only now; it is stored hashed) on stdout, its id on stderr
 *   radsched token revoke --tenant SLUG (--id UUID | --user EMAIL [--name N])
 *   radsched token list   --tenant SLUG [--user EMAIL]
 * Database options as for `radsched migrate` (--database-url, or the embedded cluster
 * under --data-dir). Exit 0 ok, 1 runtime failure or nothing matched, 2 bad usage. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strutil.h"
#include "cmd/commands.h"
#include "cmd/runtime.h"
#include "web/auth/auth_tokens.h"

#define TOKEN_OPTS                                                                                            \
	((1ull << OPT_DATABASE_URL) | (1ull << OPT_DATA_DIR) | (1ull << OPT_SHARE_DIR) | (1ull << OPT_LOG_LEVEL) | \
	 (1ull << OPT_SECRET) | (1ull << OPT_TENANT) | (1ull << OPT_USER) | (1ull << OPT_NAME) | (1ull << OPT_ID) |  \
	 (1ull << OPT_SCOPE))

static int usage(void)
{
	fputs("usage: radsched token create --tenant SLUG --user EMAIL [--name N] [--scope api,mcp]\n"
	      "       radsched token revoke --tenant SLUG (--id UUID | --user EMAIL [--name N])\n"
	      "       radsched token list --tenant SLUG [--user EMAIL]\n",
	      stderr);
	return 2;
}

struct job {
	const char *sub, *email, *name, *scope, *id;
	char user_id[37];
	char token[AUTH_API_TOKEN_SIZE], new_id[37];
	int count;
	char msg[300];
};

/* The active person with this email in the transaction's tenant. */
static enum err find_user(struct db *db, struct arena *a, struct job *j, struct errinfo *ei)
{
	struct db_res *r;
	enum err e = DB_EXEC(db, a, &r, ei,
			     "SELECT id::text, active FROM users WHERE tenant_id = app_tenant() AND lower(email) = lower($1)", j->email);
	if (e)
		return e;
	if (db_res_rows(r) != 1)
		return err_set(ei, ERR_NOT_FOUND, "--user", "no person %s in this tenant", j->email);
	if (!db_res_bool(r, 0, "active"))
		return err_set(ei, ERR_INVALID, "--user", "%s is deactivated", j->email);
	snprintf(j->user_id, sizeof j->user_id, "%s", db_res_val(r, 0, "id"));
	return ERR_OK;
}

static enum err run_tx(struct db *db, void *arg, struct errinfo *ei)
{
	struct job *j = arg;
	struct arena *a = arena_new(0);
	enum err e = j->email ? find_user(db, a, j, ei) : ERR_OK;
	if (!e && !strcmp(j->sub, "create")) {
		e = auth_api_token_create(db, a, j->user_id, j->name, j->scope, j->token, j->new_id, ei);
	} else if (!e && !strcmp(j->sub, "revoke") && j->id) {
		bool done;
		e = auth_api_token_revoke(db, a, NULL, j->id, &done, ei);
		j->count = done;
	} else if (!e) { /* revoke by person (and name), or list */
		json_t *list;
		e = auth_api_tokens_list(db, a, j->email ? j->user_id : NULL, &list, ei);
		size_t i;
		json_t *t;
		json_array_foreach(list, i, t)
		{
			const char *id = json_string_value(json_object_get(t, "id"));
			const char *name = json_string_value(json_object_get(t, "name"));
			bool live = json_is_null(json_object_get(t, "revoked_at"));
			if (!strcmp(j->sub, "list")) {
				char *scopes = json_dumps(json_object_get(t, "scopes"), JSON_COMPACT);
				const char *used = json_string_value(json_object_get(t, "last_used_at"));
				printf("%s  %-30s  %-28s  %-13s  %s  %s\n", id, json_string_value(json_object_get(t, "user_email")),
				       name, scopes, live ? "live   " : "revoked", used ? used : "never used");
				free(scopes);
				j->count++;
			} else if (!e && live && (!j->name || !strcmp(j->name, name))) {
				bool done;
				e = auth_api_token_revoke(db, a, NULL, id, &done, ei);
				j->count += done;
			}
		}
		json_decref(list);
	}
	arena_free(a);
	return e;
}

int cmd_token(int argc, char **argv)
{
	if (argc < 2 || (strcmp(argv[1], "create") && strcmp(argv[1], "revoke") && strcmp(argv[1], "list")))
		return usage();
	struct runtime rt = {0};
	int rc = options_parse(argc - 2, argv + 2, TOKEN_OPTS, &rt.opts);
	if (rc)
		return rc;
	struct job j = {.sub = argv[1], .email = rt.opts.given[OPT_USER] ? opt(&rt.opts, OPT_USER) : NULL,
			.name = rt.opts.given[OPT_NAME] ? opt(&rt.opts, OPT_NAME) : NULL, .scope = opt(&rt.opts, OPT_SCOPE),
			.id = rt.opts.given[OPT_ID] ? opt(&rt.opts, OPT_ID) : NULL};
	const char *slug = opt(&rt.opts, OPT_TENANT);
	if (rt.opts.nrest || !*slug || (!strcmp(j.sub, "create") && !j.email) ||
	    (!strcmp(j.sub, "revoke") && !j.id == !j.email) || (j.id && !str_is_uuid(j.id)))
		return usage();
	if (!strcmp(j.sub, "create") && !j.name)
		j.name = "cli";
	/* token commands never sign anything: a database URL needs no master secret here */
	if (!rt.opts.given[OPT_SECRET] && *opt(&rt.opts, OPT_DATABASE_URL))
		rt.opts.v[OPT_SECRET] = "token-commands-sign-nothing-0123456789";
	rt.pool_size = 1;
	if ((rc = runtime_open(&rt, RUNTIME_DB, false)))
		return rc;
	struct errinfo ei = {0};
	char tenant[37];
	enum err e = runtime_tenant_id(&rt, slug, tenant, &ei);
	if (!e) {
		struct db_ctx ctx = {.tenant_id = tenant, .actor = DB_ACTOR_SYSTEM};
		e = db_with_tx(rt.pool, &ctx, run_tx, &j, &ei);
	}
	runtime_close(&rt);
	if (e) {
		fprintf(stderr, "radsched token: %s%s%s\n", ei.path, ei.path[0] ? ": " : "", ei.message);
		return e == ERR_INVALID || e == ERR_NOT_FOUND ? 2 : 1;
	}
	if (!strcmp(j.sub, "create")) {
		printf("%s\n", j.token);
		fprintf(stderr, "token %s created for %s (%s); it is shown only now\n", j.new_id, j.email, j.scope);
	} else if (!strcmp(j.sub, "revoke")) {
		fprintf(stderr, "%d token(s) revoked\n", j.count);
		if (!j.count)
			return 1;
	}
	return 0;
}
