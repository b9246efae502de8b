#include "testdb.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "db/migrate.h"

static int exec_on(const char *conninfo, const char *sql)
{
	PGconn *c = PQconnectdb(conninfo);
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "testdb: connect: %s", PQerrorMessage(c));
		PQfinish(c);
		return -1;
	}
	PGresult *r = PQexec(c, sql);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
	if (!ok)
		fprintf(stderr, "testdb: %s: %s", sql, PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	return ok ? 0 : -1;
}

static void with_db(const char *base, const char *db, char *out, size_t n)
{
	/* base is key=value with dbname=postgres; a later dbname wins in libpq */
	snprintf(out, n, "%s dbname=%s", base, db);
}

int testdb_create(const char *prefix, struct testdb *t)
{
	static int counter;
	const char *base = getenv("RADSCHED_TEST_PG");
	if (!base || !*base) {
		fprintf(stderr, "testdb: RADSCHED_TEST_PG is not set (run through scripts/test.sh)\n");
		return -1;
	}
	memset(t, 0, sizeof *t);
	snprintf(t->name, sizeof t->name, "%s_%d_%d", prefix, (int)getpid(), ++counter);
	char sql[512];
	/* roles are cluster-wide; create them once (ignore the race between parallel tests) */
	exec_on(base, "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname='radsched_owner') THEN "
		      "CREATE ROLE radsched_owner NOLOGIN BYPASSRLS; END IF; "
		      "IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname='radsched_app') THEN "
		      "CREATE ROLE radsched_app LOGIN NOBYPASSRLS; END IF; END $$");
	snprintf(sql, sizeof sql, "CREATE DATABASE %s OWNER radsched_owner", t->name);
	if (exec_on(base, sql))
		return -1;
	with_db(base, t->name, t->super, sizeof t->super);
	char app_base[512];
	snprintf(app_base, sizeof app_base, "%s user=radsched_app", base);
	with_db(app_base, t->name, t->app, sizeof t->app);
	struct errinfo ei = {0};
	int applied = 0;
	if (db_migrate(t->super, "radsched_owner", test_root(), &applied, &ei)) {
		fprintf(stderr, "testdb: migrate: %s\n", ei.message);
		return -1;
	}
	return 0;
}

int testdb_super_exec(const struct testdb *t, const char *sql) { return exec_on(t->super, sql); }

long testdb_super_long(const struct testdb *t, const char *sql)
{
	PGconn *c = PQconnectdb(t->super);
	long v = -1;
	if (PQstatus(c) == CONNECTION_OK) {
		PGresult *r = PQexec(c, sql);
		if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
			v = atol(PQgetvalue(r, 0, 0));
		else if (PQresultStatus(r) != PGRES_TUPLES_OK)
			fprintf(stderr, "testdb: %s: %s", sql, PQerrorMessage(c));
		PQclear(r);
	}
	PQfinish(c);
	return v;
}
