/* radsched mail-replay --status failed|sending|queued [--since TIME] [--template NAME]
 *                      [--older-than MINUTES] [--dry-run]
 * The email replay runbook (docs/runbooks.md), through email_replay() (migration 0005):
 * requeues the matching messages of every tenant and gives each a new mail.send job.
 * Messages already sent or suppressed are never touched, nor one whose job is still
 * unfinished, so a second replay sends nothing twice. Exit 0 done (also when nothing
 * matched), 2 bad arguments, 1 database failure. */
#include <stdio.h>
#include <string.h>

#include "base/strutil.h"
#include "cmd/argflags.h"
#include "cmd/commands.h"
#include "cmd/runtime.h"
#include "integrations/mail/mail_render.h"
#include "integrations/mail/outbox.h"

static int usage(const char *flag, const char *why)
{
	fprintf(stderr, "radsched: %s: %s\n", flag, why);
	return 2;
}

int cmd_mail_replay(int argc, char **argv)
{
	const char *status = NULL, *since = NULL, *tmpl = NULL, *older = NULL;
	if (take_value(&argc, argv, "--status", &status) < 0 || take_value(&argc, argv, "--since", &since) < 0 ||
	    take_value(&argc, argv, "--template", &tmpl) < 0 || take_value(&argc, argv, "--older-than", &older) < 0)
		return usage("mail-replay", "a flag is missing its value (--status, --since, --template, --older-than)");
	bool dry = take_switch(&argc, argv, "--dry-run");
	if (!status || (strcmp(status, "failed") && strcmp(status, "sending") && strcmp(status, "queued")))
		return usage("--status", "must be failed, sending or queued");
	if (tmpl && !mail_template_known(tmpl))
		return usage("--template", "not a mail template name (see templates/mail/, e.g. swap_offer)");
	int64_t minutes = OUTBOX_STUCK_MINUTES;
	if (older && !str_to_i64(older, 1, 60 * 24 * 30, &minutes)) {
		fprintf(stderr, "radsched: --older-than: expected minutes from 1 to 43200 (got '%s')\n", older);
		return 2;
	}
	if (older && !strcmp(status, "failed"))
		return usage("--older-than", "only applies to --status sending or queued");
	struct runtime rt = {0};
	int rc = options_parse(argc - 1, argv + 1,
			       (1ull << OPT_DATABASE_URL) | (1ull << OPT_DATA_DIR) | (1ull << OPT_SHARE_DIR) |
				       (1ull << OPT_LOG_LEVEL) | (1ull << OPT_SECRET),
			       &rt.opts);
	if (rc)
		return rc;
	if (rt.opts.nrest)
		return usage("mail-replay", "unexpected argument");
	rt.pool_size = 1;
	if ((rc = runtime_open(&rt, RUNTIME_DB, true)))
		return rc;
	struct db *db = db_pool_get(rt.pool);
	struct arena *a = arena_new(0);
	struct errinfo ei = {0};
	struct db_res *r = NULL;
	char interval[32];
	snprintf(interval, sizeof interval, "%lld minutes", (long long)minutes);
	/* --since is checked on its own first, so a bad value is named as such */
	if (since && DB_EXEC(db, a, NULL, &ei, "SELECT $1::timestamptz", since)) {
		fprintf(stderr, "radsched: --since: expected a date or time such as 2026-11-20 or '2026-11-20 08:00+01'"
				" (got '%s')\n",
			since);
		rc = 2;
		goto done;
	}
	enum err e = db_begin(db, &(struct db_ctx){.actor = DB_ACTOR_SYSTEM}, &ei);
	if (!e)
		e = DB_EXEC(db, a, &r, &ei,
			    "SELECT * FROM email_replay($1, $2::timestamptz, $3, $4::interval, $5::boolean)", status, since, tmpl,
			    interval, dry ? "true" : "false");
	if (!e)
		e = db_commit(db, &ei);
	else
		db_rollback(db);
	if (e) {
		fprintf(stderr, "radsched: mail-replay: %s\n", ei.message);
		rc = e == ERR_INVALID ? 2 : 1;
		goto done;
	}
	for (int i = 0; i < db_res_rows(r); i++) {
		const char *err = db_res_val(r, i, "last_error");
		printf("%s %s tenant=%s template=%s to=%s attempts=%s status=%s%s%s\n", dry ? "would replay" : "replayed",
		       db_res_val(r, i, "id"), db_res_val(r, i, "tenant_id"), db_res_val(r, i, "template"),
		       db_res_val(r, i, "to_email"), db_res_val(r, i, "attempts"), db_res_val(r, i, "status"),
		       err ? " error=" : "", err ? err : "");
	}
	printf("%d message(s) %s\n", db_res_rows(r), dry ? "would be replayed (dry run: nothing changed)" : "requeued");
done:
	arena_free(a);
	db_pool_put(rt.pool, db);
	runtime_close(&rt);
	return rc;
}
