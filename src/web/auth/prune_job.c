/* The auth.prune job (auth_jobs.h). */
#include "web/auth/auth_jobs.h"

static enum err prune(struct db *db, void *arg, struct errinfo *ei)
{
	struct queue_job *job = arg;
	return DB_EXEC0(db, job->arena, NULL, ei, "SELECT auth_prune(interval '7 days')");
}

enum err auth_prune_job(struct queue_job *job) { return db_with_tx(job->pool, &job->ctx, prune, job, &job->err); }
