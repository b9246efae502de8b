#include <stdio.h>

#include "cmd/commands.h"
#include "cmd/runtime.h"

int cmd_migrate(int argc, char **argv)
{
	struct runtime rt = {0};
	int rc = options_parse(argc - 1, argv + 1,
			       (1ull << OPT_DATABASE_URL) | (1ull << OPT_MIGRATE_URL) | (1ull << OPT_MIGRATE_ROLE) | (1ull << OPT_DATA_DIR) |
				       (1ull << OPT_SHARE_DIR) | (1ull << OPT_LOG_LEVEL) | (1ull << OPT_SECRET),
			       &rt.opts);
	if (rc)
		return rc;
	rt.pool_size = 1;
	rc = runtime_open(&rt, RUNTIME_DB_MIGRATE, true);
	if (rc)
		return rc;
	printf("migrations are current\n");
	runtime_close(&rt);
	return 0;
}
