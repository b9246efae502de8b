/* Statement batches (db_exec_batch): one round trip, prepared once per connection, the
 * first error stops the rest; snapshot transactions (db_ctx.snapshot). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "db/db.h"
#include "testdb.h"

static struct testdb T;

static void setup(void)
{
	if (testdb_create("batch", &T))
		ck_abort_msg("cannot create test database");
	ck_assert_int_eq(testdb_super_exec(&T, "CREATE SEQUENCE probe_seq; CREATE TABLE probe (v int);"
					       " GRANT SELECT, INSERT ON probe TO radsched_app;"
					       " GRANT USAGE, SELECT ON probe_seq TO radsched_app"),
			 0);
}

static const struct db_stmt plus_one = {"test_plus_one", "SELECT $1::int + 1 AS v"};
static const struct db_stmt shout = {"test_shout", "SELECT upper($1) AS v"};
static const struct db_stmt next_probe = {"test_next_probe", "SELECT nextval('probe_seq') AS v"};
static const struct db_stmt divide = {"test_divide", "SELECT 1 / $1::int AS v"};
static const struct db_stmt broken = {"test_broken", "SELEC 1"};
static const struct db_stmt count_probe = {"test_count_probe", "SELECT count(*) AS v FROM probe"};

static long prepared_here(struct db *db, struct arena *a)
{
	struct db_res *r;
	struct errinfo ei = {0};
	ck_assert_int_eq(DB_EXEC0(db, a, &r, &ei, "SELECT count(*) AS n FROM pg_prepared_statements"), ERR_OK);
	return (long)db_res_ll(r, 0, "n", -1);
}

START_TEST(batch_returns_each_result_and_prepares_once)
{
	struct db *db;
	struct errinfo ei = {0};
	struct arena *a = arena_new(0);
	ck_assert_int_eq(db_connect(T.app, &db, &ei), ERR_OK);
	for (int round = 0; round < 3; round++) {
		struct db_res *r1 = NULL, *r2 = NULL, *r3 = NULL;
		const char *p1[] = {"41"}, *p2[] = {"quiet"}, *p3[] = {"6"};
		struct db_call calls[] = {{&plus_one, 1, p1, &r1}, {&shout, 1, p2, &r2}, {&plus_one, 1, p3, &r3}};
		ck_assert_int_eq(db_exec_batch(db, a, calls, 3, &ei), ERR_OK);
		ck_assert_str_eq(db_res_val(r1, 0, "v"), "42");
		ck_assert_str_eq(db_res_val(r2, 0, "v"), "QUIET");
		ck_assert_str_eq(db_res_val(r3, 0, "v"), "7"); /* the same statement twice in one batch */
		ck_assert_int_eq(prepared_here(db, a), 2);
	}
	/* a call without an out runs too */
	struct db_call quiet[] = {{&next_probe, 0, NULL, NULL}};
	ck_assert_int_eq(db_exec_batch(db, a, quiet, 1, &ei), ERR_OK);
	ck_assert_int_eq(testdb_super_long(&T, "SELECT last_value FROM probe_seq"), 1);
	db_close(db);
	arena_free(a);
}
END_TEST

START_TEST(first_error_stops_the_batch_and_the_connection_stays_usable)
{
	struct db *db;
	struct errinfo ei = {0};
	struct arena *a = arena_new(0);
	ck_assert_int_eq(db_connect(T.app, &db, &ei), ERR_OK);
	/* sequences do not roll back: they show which calls ran */
	const char *zero[] = {"0"};
	struct db_res *r = NULL;
	struct db_call calls[] = {{&next_probe, 0, NULL, NULL}, {&divide, 1, zero, &r}, {&next_probe, 0, NULL, NULL}};
	ck_assert_int_eq(db_exec_batch(db, a, calls, 3, &ei), ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(ei.message, "division by zero"));
	ck_assert_ptr_null(r);
	ck_assert_int_eq(testdb_super_long(&T, "SELECT last_value FROM probe_seq"), 1);
	/* a statement the server cannot parse: refused, not remembered as prepared */
	struct db_call bad[] = {{&broken, 0, NULL, NULL}, {&next_probe, 0, NULL, NULL}};
	ck_assert_int_eq(db_exec_batch(db, a, bad, 2, &ei), ERR_DB);
	ck_assert_ptr_nonnull(strstr(ei.message, "syntax error"));
	ck_assert_int_eq(testdb_super_long(&T, "SELECT last_value FROM probe_seq"), 1);
	/* inside a transaction: roll back and go on */
	ck_assert_int_eq(db_begin(db, &(struct db_ctx){0}, &ei), ERR_OK);
	ck_assert_int_eq(db_exec_batch(db, a, bad, 2, &ei), ERR_DB);
	db_rollback(db);
	const char *one[] = {"1"};
	struct db_call good[] = {{&divide, 1, one, &r}, {&next_probe, 0, NULL, NULL}};
	ck_assert_int_eq(db_exec_batch(db, a, good, 2, &ei), ERR_OK);
	ck_assert_str_eq(db_res_val(r, 0, "v"), "1");
	ck_assert_int_eq(testdb_super_long(&T, "SELECT last_value FROM probe_seq"), 2);
	ck_assert_int_eq(prepared_here(db, a), 2); /* divide and next_probe; never broken */
	db_close(db);
	arena_free(a);
}
END_TEST

START_TEST(statements_past_the_per_connection_cap_run_unnamed)
{
	enum { N = DB_PREPARED_MAX + 6 };
	struct db_stmt *many = calloc(N, sizeof *many);
	char(*names)[32] = calloc(N, 32), (*sqls)[64] = calloc(N, 64);
	for (int i = 0; i < N; i++) {
		snprintf(names[i], 32, "test_many_%d", i);
		snprintf(sqls[i], 64, "SELECT %d + $1::int AS v", i);
		many[i] = (struct db_stmt){names[i], sqls[i]};
	}
	struct db *db;
	struct errinfo ei = {0};
	struct arena *a = arena_new(0);
	ck_assert_int_eq(db_connect(T.app, &db, &ei), ERR_OK);
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < N; i += 2) {
			struct db_res *r1, *r2;
			const char *p[] = {"1000"};
			struct db_call calls[] = {{&many[i], 1, p, &r1}, {&many[i + 1], 1, p, &r2}};
			ck_assert_int_eq(db_exec_batch(db, a, calls, 2, &ei), ERR_OK);
			ck_assert_int_eq(db_res_ll(r1, 0, "v", -1), 1000 + i);
			ck_assert_int_eq(db_res_ll(r2, 0, "v", -1), 1001 + i);
		}
	ck_assert_int_eq(prepared_here(db, a), DB_PREPARED_MAX);
	db_close(db);
	arena_free(a);
	free(many);
	free(names);
	free(sqls);
}
END_TEST

/* A batch libpq refuses to send part-way (here a statement without SQL, a programming
 * error) leaves commands in the connection's buffer: the connection is retired, so they
 * cannot run in the next unit of work, and the transaction's writes are gone. */
static const struct db_stmt no_sql = {"test_no_sql", NULL};

START_TEST(a_batch_that_cannot_be_sent_retires_the_connection)
{
	struct db_pool *p;
	struct errinfo ei = {0};
	struct arena *a = arena_new(0);
	ck_assert_int_eq(db_pool_new(T.app, 1, &p, &ei), ERR_OK);
	struct db *db = db_pool_get(p);
	ck_assert(db_ok(db));
	ck_assert_int_eq(db_begin(db, &(struct db_ctx){0}, &ei), ERR_OK);
	ck_assert_int_eq(DB_EXEC0(db, a, NULL, &ei, "INSERT INTO probe VALUES (42)"), ERR_OK);
	const char *p1[] = {"1"};
	struct db_call calls[] = {{&plus_one, 1, p1, NULL}, {&no_sql, 0, NULL, NULL}};
	ck_assert_int_eq(db_exec_batch(db, a, calls, 2, &ei), ERR_DB);
	db_rollback(db);
	ck_assert(!db_ok(db));
	db_pool_put(p, db);
	db = db_pool_get(p); /* a fresh connection */
	ck_assert(db_ok(db));
	ck_assert_int_eq(db_begin(db, &(struct db_ctx){0}, &ei), ERR_OK);
	struct db_res *r = NULL;
	struct db_call again[] = {{&plus_one, 1, p1, &r}};
	ck_assert_int_eq(db_exec_batch(db, a, again, 1, &ei), ERR_OK);
	ck_assert_str_eq(db_res_val(r, 0, "v"), "2");
	ck_assert_int_eq(db_commit(db, &ei), ERR_OK);
	db_pool_put(p, db);
	ck_assert_int_eq(testdb_super_long(&T, "SELECT count(*) FROM probe WHERE v = 42"), 0);
	db_pool_free(p);
	arena_free(a);
}
END_TEST

static long count_in(struct db *db, struct arena *a)
{
	struct db_res *r;
	struct errinfo ei = {0};
	struct db_call c[] = {{&count_probe, 0, NULL, &r}};
	ck_assert_int_eq(db_exec_batch(db, a, c, 1, &ei), ERR_OK);
	return (long)db_res_ll(r, 0, "v", -1);
}

START_TEST(snapshot_transactions_read_one_snapshot_and_write_nothing)
{
	struct db *db;
	struct errinfo ei = {0};
	struct arena *a = arena_new(0);
	ck_assert_int_eq(db_connect(T.app, &db, &ei), ERR_OK);
	const char *tenant = "00000000-0000-4000-8000-00000000000a";
	struct db_ctx snap = {.tenant_id = tenant, .snapshot = true}, plain = {.tenant_id = tenant};
	ck_assert_int_eq(db_begin(db, &snap, &ei), ERR_OK);
	ck_assert_str_eq(db_tenant(db), tenant);
	long before = count_in(db, a);
	ck_assert_int_eq(testdb_super_exec(&T, "INSERT INTO probe VALUES (1)"), 0);
	ck_assert_int_eq(count_in(db, a), before); /* the commit beside it is not seen */
	ck_assert_int_ne(DB_EXEC0(db, a, NULL, &ei, "INSERT INTO probe VALUES (2)"), ERR_OK);
	ck_assert_ptr_nonnull(strstr(ei.message, "read-only"));
	db_rollback(db);
	/* an ordinary transaction sees each statement's own snapshot */
	ck_assert_int_eq(db_begin(db, &plain, &ei), ERR_OK);
	long now = count_in(db, a);
	ck_assert_int_eq(now, before + 1);
	ck_assert_int_eq(testdb_super_exec(&T, "INSERT INTO probe VALUES (3)"), 0);
	ck_assert_int_eq(count_in(db, a), now + 1);
	ck_assert_int_eq(db_commit(db, &ei), ERR_OK);
	ck_assert_int_eq(db_begin(db, &(struct db_ctx){0}, &ei), ERR_OK);
	ck_assert_str_eq(db_tenant(db), "");
	db_rollback(db);
	db_close(db);
	arena_free(a);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("db_batch");
	TCase *tc = tcase_create("batch");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, batch_returns_each_result_and_prepares_once);
	tcase_add_test(tc, first_error_stops_the_batch_and_the_connection_stays_usable);
	tcase_add_test(tc, statements_past_the_per_connection_cap_run_unnamed);
	tcase_add_test(tc, snapshot_transactions_read_one_snapshot_and_write_nothing);
	tcase_add_test(tc, a_batch_that_cannot_be_sent_retires_the_connection);
	suite_add_tcase(s, tc);
	return s;
}
