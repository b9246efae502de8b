/* cluster.h — the embedded PostgreSQL of `radsched dev`.
 * A private cluster under DATA_DIR/pg, listening only on a Unix socket in DATA_DIR/run
 * (no TCP port). Created on first use (initdb), reused afterwards (data survives restarts),
 * stopped by db_cluster_stop(). When the process is root, initdb and postgres run as the
 * unprivileged user RADSCHED_PG_USER (default `postgres`), which owns the cluster files.
 * After start the database `radsched`, the owner role radsched_owner (BYPASSRLS, NOLOGIN)
 * and the runtime role radsched_app (LOGIN, NOBYPASSRLS) exist. */
#ifndef RS_DB_CLUSTER_H
#define RS_DB_CLUSTER_H

#include "base/err.h"

struct db_cluster {
	char data_dir[512];
	char pg_dir[600];
	char sock_dir[600];
	char bindir[512];
	char owner_conninfo[800]; /* connect as superuser; SET ROLE radsched_owner to migrate */
	char app_conninfo[800];   /* runtime role */
	int started_here;         /* 1 when this process started the server (so stops it) */
};

enum err db_cluster_start(const char *data_dir, struct db_cluster *c, struct errinfo *ei) RS_MUST_CHECK;
void db_cluster_stop(struct db_cluster *c);

#endif
