/* migrate.h — apply db/migrations/NNNN_name.sql in order.
 * Each file runs in its own transaction, under a session advisory lock (two processes
 * starting at once apply each migration once), and is recorded in schema_migrations with
 * its SHA-256. A recorded migration whose file changed since → ERR_CONFLICT naming the
 * file; nothing is applied. After the run db/grants.sql is re-applied.
 * owner_conninfo connects as (or SET ROLEs to) the owner role; set_role may be NULL. */
#ifndef RS_DB_MIGRATE_H
#define RS_DB_MIGRATE_H

#include "base/err.h"

struct db;

enum err db_migrate(const char *owner_conninfo, const char *set_role, const char *share_dir, int *applied,
		    struct errinfo *ei) RS_MUST_CHECK;
/* How many migration files are not applied yet (0 = current); for /readyz. */
enum err db_migrations_pending(struct db *db, const char *share_dir, int *pending, struct errinfo *ei) RS_MUST_CHECK;

#endif
