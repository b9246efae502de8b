/* jobs.h — registers every job kind's handler and every cron entry on a worker. */
#ifndef RS_CMD_JOBS_H
#define RS_CMD_JOBS_H

#include "queue/queue.h"

void jobs_register_all(struct queue_worker *w);

#endif
