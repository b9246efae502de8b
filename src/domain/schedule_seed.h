/* schedule_seed.h — a published schedule for a department that has none yet (the demo
 * department of `radsched dev`), so calendars and feeds have content from the first start. */
#ifndef RS_DOMAIN_SCHEDULE_SEED_H
#define RS_DOMAIN_SCHEDULE_SEED_H

#include "db/db.h"

#define SCHEDULE_SEED_WORK 200 /* engine work per slice, megaticks (about 1 s; up to 6 slices a month): deterministic */

/* For `months` calendar months from the one containing today (in the department's zone),
 * each with no period overlapping it yet: create a period named after the month, solve it
 * with a fixed seed in slices of fixed work until every rule holds (the same schedule on
 * every machine), write
 * it as the draft and publish it. One transaction per month, with tenant_id's context and
 * actor SYSTEM. Months already covered are left alone. */
enum err schedule_seed_months(struct db_pool *pool, const char *tenant_id, int months,
			      struct errinfo *ei) RS_MUST_CHECK;

#endif
