/* testdb.h — a fresh, migrated database in the throwaway test cluster.
 * scripts/test.sh starts the cluster and exports RADSCHED_TEST_PG (superuser conninfo).
 * testdb_create() makes database NAME_<pid>_<n> with the owner and runtime roles, applies
 * every migration, and fills the conninfo strings: app (runtime role radsched_app, RLS
 * applies) and super (postgres, bypasses RLS: for test setup and inspection only). */
#ifndef RS_TESTS_TESTDB_H
#define RS_TESTS_TESTDB_H

#include <stddef.h>

struct testdb {
	char name[64];
	char app[512];
	char super[512];
};

/* Returns 0 on success; on failure prints why and returns -1 (tests should ck_abort). */
int testdb_create(const char *prefix, struct testdb *t);
/* Run SQL as superuser in that database; returns 0 on success. */
int testdb_super_exec(const struct testdb *t, const char *sql);
/* First column of the first row of a superuser query as a long (or -1). */
long testdb_super_long(const struct testdb *t, const char *sql);

#endif
