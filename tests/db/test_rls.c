/* Tenancy and RLS: the catalog walk, cross-tenant isolation for every operation, the
 * append-only audit trail, and the migration runner's guarantees. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_main.h"
#include "db/db.h"
#include "db/migrate.h"
#include "testdb.h"

static struct testdb T;

static void setup(void)
{
	if (testdb_create("rls", &T))
		ck_abort_msg("cannot create test database");
}

START_TEST(every_tenant_table_has_forced_rls_with_tenant_policy)
{
	/* any table with a tenant_id column (or the tenants table) lacking RLS, FORCE, or a
	 * policy on app_tenant() in both USING and WITH CHECK is listed */
	const char *sql =
		"SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
		" WHERE n.nspname = 'public' AND c.relkind = 'r'"
		"   AND (c.relname = 'tenants' OR EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid"
		"        AND a.attname = 'tenant_id' AND NOT a.attisdropped))"
		"   AND NOT (c.relrowsecurity AND c.relforcerowsecurity AND EXISTS ("
		"        SELECT 1 FROM pg_policies p WHERE p.schemaname = 'public' AND p.tablename = c.relname"
		"          AND p.qual LIKE '%app_tenant()%' AND p.with_check LIKE '%app_tenant()%'))";
	long bad = testdb_super_long(&T, sql);
	ck_assert_int_eq(bad, 0);
	/* and there are tenant tables at all (the walk is not vacuous) */
	ck_assert_int_ge(testdb_super_long(&T, "SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
					       " WHERE a.attname = 'tenant_id' AND c.relkind = 'r'"),
			 3);
	/* app_tenant() reads the transaction-local setting */
	ck_assert_int_eq(testdb_super_long(&T, "SELECT count(*) FROM pg_proc WHERE proname = 'app_tenant'"
					       " AND prosrc LIKE '%current_setting(''app.tenant_id'', true)%'"),
			 1);
}
END_TEST

START_TEST(runtime_role_is_not_owner_nor_bypassrls)
{
	ck_assert_int_eq(testdb_super_long(&T, "SELECT count(*) FROM pg_roles WHERE rolname = 'radsched_app'"
					       " AND NOT rolbypassrls AND NOT rolsuper"),
			 1);
	ck_assert_int_eq(testdb_super_long(&T, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
					       " AND tableowner = 'radsched_app'"),
			 0);
}
END_TEST

struct two_tenants {
	char a[37], b[37], ua[37], ub[37];
};

static void make_tenants(struct db *db, struct arena *ar, struct two_tenants *t)
{
	struct errinfo ei = {0};
	struct db_res *r;
	const char *slugs[2] = {"alpha", "bravo"};
	char *ids[2] = {t->a, t->b}, *uids[2] = {t->ua, t->ub};
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(db_begin(db, &(struct db_ctx){0}, &ei), ERR_OK);
		ck_assert_int_eq(DB_EXEC(db, ar, &r, &ei, "SELECT tenant_create($1, $2, 'America/Toronto') AS id", slugs[i], slugs[i]),
				 ERR_OK);
		snprintf(ids[i], 37, "%s", db_res_val(r, 0, "id"));
		ck_assert_int_eq(db_commit(db, &ei), ERR_OK);
		ck_assert_int_eq(db_begin(db, &(struct db_ctx){.tenant_id = ids[i], .actor = DB_ACTOR_SYSTEM}, &ei), ERR_OK);
		ck_assert_int_eq(DB_EXEC(db, ar, &r, &ei,
					 "INSERT INTO users (tenant_id, email, name, role) VALUES ($1, $2, 'Dr X', 'RAD') RETURNING id",
					 ids[i], i ? "x@bravo.example" : "x@alpha.example"),
				 ERR_OK);
		snprintf(uids[i], 37, "%s", db_res_val(r, 0, "id"));
		ck_assert_int_eq(db_commit(db, &ei), ERR_OK);
	}
}

START_TEST(tenant_a_cannot_touch_tenant_b)
{
	struct db *db;
	struct errinfo ei = {0};
	ck_assert_int_eq(db_connect(T.app, &db, &ei), ERR_OK);
	struct arena *ar = arena_new(0);
	struct two_tenants t;
	make_tenants(db, ar, &t);
	struct db_res *r;

	/* no tenant set: nothing visible */
	ck_assert_int_eq(db_begin(db, &(struct db_ctx){0}, &ei), ERR_OK);
	ck_assert_int_eq(DB_EXEC0(db, ar, &r, &ei, "SELECT count(*) AS n FROM users"), ERR_OK);
	ck_assert_int_eq(db_res_ll(r, 0, "n", -1), 0);
	ck_assert_int_eq(DB_EXEC0(db, ar, &r, &ei, "SELECT count(*) AS n FROM tenants"), ERR_OK);
	ck_assert_int_eq(db_res_ll(r, 0, "n", -1), 0);
	db_rollback(db);

	ck_assert_int_eq(db_begin(db, &(struct db_ctx){.tenant_id = t.a, .actor = DB_ACTOR_USER, .user_id = t.ua}, &ei), ERR_OK);
	/* select */
	ck_assert_int_eq(DB_EXEC0(db, ar, &r, &ei, "SELECT tenant_id FROM users"), ERR_OK);
	ck_assert_int_eq(db_res_rows(r), 1);
	ck_assert_str_eq(db_res_val(r, 0, "tenant_id"), t.a);
	/* update and delete of B's row touch nothing */
	ck_assert_int_eq(DB_EXEC(db, ar, &r, &ei, "UPDATE users SET name = 'hijacked' WHERE id = $1", t.ub), ERR_OK);
	ck_assert_int_eq(db_res_affected(r), 0);
	ck_assert_int_eq(DB_EXEC(db, ar, &r, &ei, "DELETE FROM users WHERE id = $1", t.ub), ERR_OK);
	ck_assert_int_eq(db_res_affected(r), 0);
	/* moving own row into B is refused by WITH CHECK */
	ck_assert_int_eq(DB_EXEC(db, ar, &r, &ei, "UPDATE users SET tenant_id = $1 WHERE id = $2", t.b, t.ua), ERR_FORBIDDEN);
	db_rollback(db);
	/* insert into B is refused */
	ck_assert_int_eq(db_begin(db, &(struct db_ctx){.tenant_id = t.a}, &ei), ERR_OK);
	ck_assert_int_eq(DB_EXEC(db, ar, &r, &ei,
				 "INSERT INTO users (tenant_id, email, name, role) VALUES ($1, 'y@b.example', 'Y', 'RAD')", t.b),
			 ERR_FORBIDDEN);
	ck_assert_str_ne(ei.message, "");
	db_rollback(db);
	/* B's row is intact */
	ck_assert_int_eq(testdb_super_long(&T, "SELECT count(*) FROM users WHERE name = 'Dr X'"), 2);
	arena_free(ar);
	db_close(db);
}
END_TEST

START_TEST(audit_rows_written_by_trigger_and_append_only)
{
	struct db *db;
	struct errinfo ei = {0};
	ck_assert_int_eq(db_connect(T.app, &db, &ei), ERR_OK);
	struct arena *ar = arena_new(0);
	struct two_tenants t;
	make_tenants(db, ar, &t);
	struct db_res *r;
	ck_assert_int_eq(db_begin(db, &(struct db_ctx){.tenant_id = t.a, .user_id = t.ua, .actor = DB_ACTOR_AGENT,
						      .request_id = "req-123"},
				  &ei),
			 ERR_OK);
	ck_assert_int_eq(DB_EXEC(db, ar, &r, &ei, "UPDATE users SET name = 'Dr Renamed' WHERE id = $1", t.ua), ERR_OK);
	ck_assert_int_eq(DB_EXEC(db, ar, &r, &ei,
				 "SELECT actor_kind, actor_user_id, request_id, before->>'name' AS b, after->>'name' AS a"
				 " FROM audit_log WHERE entity = 'users' AND action = 'UPDATE'"),
			 ERR_OK);
	ck_assert_int_eq(db_res_rows(r), 1);
	ck_assert_str_eq(db_res_val(r, 0, "actor_kind"), "AGENT");
	ck_assert_str_eq(db_res_val(r, 0, "actor_user_id"), t.ua);
	ck_assert_str_eq(db_res_val(r, 0, "request_id"), "req-123");
	ck_assert_str_eq(db_res_val(r, 0, "b"), "Dr X");
	ck_assert_str_eq(db_res_val(r, 0, "a"), "Dr Renamed");
	ck_assert_int_eq(db_commit(db, &ei), ERR_OK);
	/* the runtime role can neither update nor delete audit rows */
	ck_assert_int_eq(db_begin(db, &(struct db_ctx){.tenant_id = t.a}, &ei), ERR_OK);
	ck_assert_int_eq(DB_EXEC0(db, ar, &r, &ei, "UPDATE audit_log SET action = 'x'"), ERR_FORBIDDEN);
	db_rollback(db);
	ck_assert_int_eq(db_begin(db, &(struct db_ctx){.tenant_id = t.a}, &ei), ERR_OK);
	ck_assert_int_eq(DB_EXEC0(db, ar, &r, &ei, "DELETE FROM audit_log"), ERR_FORBIDDEN);
	db_rollback(db);
	/* not even the superuser: the trigger refuses */
	ck_assert_int_ne(testdb_super_exec(&T, "UPDATE audit_log SET action = 'x'"), 0);
	ck_assert_int_ne(testdb_super_exec(&T, "DELETE FROM audit_log"), 0);
	ck_assert_int_gt(testdb_super_long(&T, "SELECT count(*) FROM audit_log"), 3);
	arena_free(ar);
	db_close(db);
}
END_TEST

static void copy_file(const char *from, const char *to, const char *append)
{
	size_t n;
	char *s = test_read_file(from, &n);
	ck_assert_ptr_nonnull(s);
	FILE *f = fopen(to, "w");
	fwrite(s, 1, n, f);
	if (append)
		fputs(append, f);
	fclose(f);
	free(s);
}

START_TEST(changed_migration_refuses_to_start)
{
	char dir[] = "/tmp/rsmigXXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char p[512], src[512];
	snprintf(p, sizeof p, "%s/db", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof p, "%s/db/migrations", dir);
	mkdir(p, 0755);
	snprintf(src, sizeof src, "%s/db/grants.sql", test_root());
	snprintf(p, sizeof p, "%s/db/grants.sql", dir);
	copy_file(src, p, NULL);
	snprintf(src, sizeof src, "%s/db/migrations/0001_foundation.sql", test_root());
	snprintf(p, sizeof p, "%s/db/migrations/0001_foundation.sql", dir);
	copy_file(src, p, "\n-- edited after it was applied\n");
	struct errinfo ei = {0};
	int applied = -1;
	ck_assert_int_eq(db_migrate(T.super, "radsched_owner", dir, &applied, &ei), ERR_CONFLICT);
	ck_assert_ptr_nonnull(strstr(ei.message, "0001_foundation.sql was changed after it was applied"));
	/* the unchanged set is current: nothing pending */
	struct db *db;
	ck_assert_int_eq(db_connect(T.app, &db, &ei), ERR_OK);
	int pending = -1;
	ck_assert_int_eq(db_migrations_pending(db, test_root(), &pending, &ei), ERR_OK);
	ck_assert_int_eq(pending, 0);
	db_close(db);
}
END_TEST

START_TEST(concurrent_migrations_apply_once)
{
	/* a fresh database, migrated by 3 processes at once */
	struct testdb fresh;
	const char *base = getenv("RADSCHED_TEST_PG");
	snprintf(fresh.name, sizeof fresh.name, "rls_conc_%d", (int)getpid());
	char sql[256];
	snprintf(sql, sizeof sql, "CREATE DATABASE %s OWNER radsched_owner", fresh.name);
	snprintf(fresh.super, sizeof fresh.super, "%s", base);
	ck_assert_int_eq(testdb_super_exec(&fresh, sql), 0);
	snprintf(fresh.super, sizeof fresh.super, "%s dbname=%s", base, fresh.name);
	pid_t kids[3];
	for (int i = 0; i < 3; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			struct errinfo ei = {0};
			int applied = 0;
			_exit(db_migrate(fresh.super, "radsched_owner", test_root(), &applied, &ei) ? 1 : 0);
		}
	}
	for (int i = 0; i < 3; i++) {
		int st;
		waitpid(kids[i], &st, 0);
		ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	ck_assert_int_eq(testdb_super_long(&fresh, "SELECT count(*) FROM schema_migrations"),
			 testdb_super_long(&T, "SELECT count(*) FROM schema_migrations"));
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("db");
	TCase *tc = tcase_create("rls");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, every_tenant_table_has_forced_rls_with_tenant_policy);
	tcase_add_test(tc, runtime_role_is_not_owner_nor_bypassrls);
	tcase_add_test(tc, tenant_a_cannot_touch_tenant_b);
	tcase_add_test(tc, audit_rows_written_by_trigger_and_append_only);
	tcase_add_test(tc, changed_migration_refuses_to_start);
	tcase_add_test(tc, concurrent_migrations_apply_once);
	suite_add_tcase(s, tc);
	return s;
}
