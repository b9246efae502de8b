/* radsched mail-replay --status failed|sending [--since TIME] [--template NAME]
 *                      [--older-than MINUTES] [--dry-run]
 * The email replay runbook (docs/runbooks.md): requeues matching messages; messages already
 * sent or suppressed are never touched, and the idempotency key keeps one row per email. */
#include <stdio.h>
#include <string.h>

#include "base/strutil.h"
#include "cmd/argflags.h"
#include "cmd/commands.h"
#include "cmd/runtime.h"

int cmd_mail_replay(int argc, char **argv)
{
	const char *status = NULL, *since = NULL, *tmpl = NULL, *older = NULL;
	if (take_value(&argc, argv, "--status", &status) < 0 || take_value(&argc, argv, "--since", &since) < 0 ||
	    take_value(&argc, argv, "--template", &tmpl) < 0 || take_value(&argc, argv, "--older-than", &older) < 0) {
		fprintf(stderr, "radsched: mail-replay: a flag is missing its value\n");
		return 2;
	}
	bool dry = take_switch(&argc, argv, "--dry-run");
	if (!status || (strcmp(status, "failed") && strcmp(status, "sending"))) {
		fprintf(stderr, "radsched: --status: must be failed or sending\n");
		return 2;
	}
	int64_t minutes = 15;
	if (older && !str_to_i64(older, 1, 60 * 24 * 30, &minutes)) {
		fprintf(stderr, "radsched: --older-than: expected minutes from 1 to 43200 (got '%s')\n", older);
		return 2;
	}
	struct runtime rt = {0};
	int rc = options_parse(argc - 1, argv + 1,
			       (1ull << OPT_DATABASE_URL) | (1ull << OPT_DATA_DIR) | (1ull << OPT_SHARE_DIR) |
				       (1ull << OPT_LOG_LEVEL) | (1ull << OPT_SECRET),
			       &rt.opts);
	if (rc)
		return rc;
	rt.pool_size = 1;
	if ((rc = runtime_open(&rt, RUNTIME_DB, true)))
		return rc;
	struct db *db = db_pool_get(rt.pool);
	struct arena *a = arena_new(0);
	struct errinfo ei = {0};
	struct db_res *r = NULL;
	char interval[32];
	snprintf(interval, sizeof interval, "%lld minutes", (long long)minutes);
	enum err e = db_begin(db, &(struct db_ctx){.actor = DB_ACTOR_SYSTEM}, &ei);
	if (!e)
		e = DB_EXEC(db, a, &r, &ei, "SELECT * FROM email_replay($1, $2::timestamptz, $3, $4::interval, $5::boolean)",
			    status, since, tmpl, interval, dry ? "true" : "false");
	if (!e)
		e = db_commit(db, &ei);
	else
		db_rollback(db);
	if (e) {
		fprintf(stderr, "radsched: mail-replay: %s\n", ei.message);
		rc = e == ERR_INVALID ? 2 : 1;
	} else {
		for (int i = 0; i < db_res_rows(r); i++)
			printf("%s %s %s %s (%s)\n", dry ? "would replay" : "replayed", db_res_val(r, i, "id"),
			       db_res_val(r, i, "template"), db_res_val(r, i, "to_email"),
			       db_res_val(r, i, "last_error") ? db_res_val(r, i, "last_error") : "");
		printf("%d message(s) %s\n", db_res_rows(r), dry ? "would be replayed" : "requeued");
	}
	arena_free(a);
	db_pool_put(rt.pool, db);
	runtime_close(&rt);
	return rc;
}
