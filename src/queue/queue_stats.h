/* queue_stats.h — radsched_jobs{kind,state} gauge, computed from the database at scrape time. */
#ifndef RS_QUEUE_STATS_H
#define RS_QUEUE_STATS_H

#include "db/db.h"

void queue_metrics_register(struct db_pool *pool);

#endif
