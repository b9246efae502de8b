/* auth_jobs.h — background work of sign-in: housekeeping of spent tokens. */
#ifndef RS_WEB_AUTH_JOBS_H
#define RS_WEB_AUTH_JOBS_H

#include "queue/queue.h"

#define AUTH_PRUNE_JOB "auth.prune"

/* Job handler: delete ended sessions, spent refresh tokens and magic links older than a
 * week (auth_prune(); the audit trail keeps the sign-in events). Register it with a
 * daily cron entry: queue_worker_cron(w, "auth-prune-daily", 86400, AUTH_PRUNE_JOB, "{}"). */
enum err auth_prune_job(struct queue_job *job) RS_MUST_CHECK;

#endif
