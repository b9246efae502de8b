#include "cmd/jobs.h"
#include "web/auth/auth_jobs.h"
#include "integrations/mail/outbox.h"
#include "domain/engine_run.h"

/* Platform housekeeping: prune finished jobs after a week, old cron slots after a day. */
static enum err prune(struct db *db, void *arg, struct errinfo *ei)
{
	struct queue_job *job = arg;
	return DB_EXEC0(db, job->arena, NULL, ei, "SELECT queue_prune(interval '7 days')");
}

static enum err job_prune(struct queue_job *job) { return db_with_tx(job->pool, &job->ctx, prune, job, &job->err); }

void jobs_register_all(struct queue_worker *w)
{
	queue_worker_handle(w, "queue.prune", job_prune);
	queue_worker_handle(w, "mail.send", outbox_send_job);
	queue_worker_handle(w, ENGINE_RUN_JOB, engine_run_job);
	queue_worker_cron(w, "queue-prune-hourly", 3600, "queue.prune", "{}");
	queue_worker_handle(w, "auth.prune", auth_prune_job);
	queue_worker_cron(w, "auth-prune-daily", 86400, "auth.prune", "{}");
}
