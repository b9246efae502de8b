/* runtime.h — what every long-running command shares: resolved options, the share dir
 * (db/, templates/, static/, config/), the data dir, the database (embedded cluster or
 * URL), migrations, the master secret, and the connection pool. */
#ifndef RS_CMD_RUNTIME_H
#define RS_CMD_RUNTIME_H

#include <limits.h>
#include <stdbool.h>

#include "cmd/options.h"
#include "db/cluster.h"
#include "db/db.h"

struct runtime {
	struct options opts;
	char share_dir[PATH_MAX];
	char data_dir[PATH_MAX];
	bool embedded;
	struct db_cluster cluster;
	char app_conninfo[1024];
	char owner_conninfo[1024];
	char set_role[64];
	char secret[256];
	char base_url[512];
	struct db_pool *pool;
	int pool_size;
};

enum runtime_db { RUNTIME_NO_DB, RUNTIME_DB, RUNTIME_DB_MIGRATE };

/* Resolve everything; returns 0 or the exit status (2 bad config, 1 runtime failure) after
 * printing one line. */
int runtime_open(struct runtime *rt, enum runtime_db db, bool allow_generated_secret);
void runtime_close(struct runtime *rt);
/* The id of the tenant with this slug (for commands taking --tenant): ERR_NOT_FOUND naming
 * --tenant when there is none. */
enum err runtime_tenant_id(struct runtime *rt, const char *slug, char out[37], struct errinfo *ei) RS_MUST_CHECK;
/* Find the share dir next to the binary (…/build/radsched → …/) or from --share-dir. */
int runtime_find_share_dir(const struct options *o, char *out, size_t n);

#endif
