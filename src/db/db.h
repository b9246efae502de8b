/* db.h — PostgreSQL access for every layer above (libpq is confined to src/db/).
 * Callers see only these opaque types. Every unit of work runs in a transaction that
 * first sets the tenant context (app.tenant_id, app.user_id, app.actor, app.request_id)
 * with set_config(..., true), so row-level security and the audit triggers see it.
 * SQL is always parameterised: values travel as text parameters, never inside the SQL. */
#ifndef RS_DB_DB_H
#define RS_DB_DB_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/err.h"

struct db;      /* one connection, used by one thread at a time */
struct db_pool; /* a fixed set of connections, thread-safe */
struct db_res;  /* a query result; lives in the arena it was fetched into */

enum db_actor { DB_ACTOR_SYSTEM, DB_ACTOR_USER, DB_ACTOR_AGENT };

struct db_ctx {
	const char *tenant_id;  /* UUID text or NULL (no tenant: RLS shows no tenant rows) */
	const char *user_id;    /* UUID text or NULL */
	enum db_actor actor;
	const char *request_id; /* correlation id for audit rows; may be NULL */
	bool snapshot;          /* read-only REPEATABLE READ: every statement sees one snapshot
				 * (reads made of several statements, see db_exec_batch) */
};

/* Connect one connection (conninfo in libpq form: URL or key=value). */
enum err db_connect(const char *conninfo, struct db **out, struct errinfo *ei) RS_MUST_CHECK;
void db_close(struct db *db);

enum err db_pool_new(const char *conninfo, int size, struct db_pool **out, struct errinfo *ei) RS_MUST_CHECK;
void db_pool_free(struct db_pool *p);
/* Borrow a connection (waits when all are busy); a broken one is reconnected on return. */
struct db *db_pool_get(struct db_pool *p);
void db_pool_put(struct db_pool *p, struct db *db);

/* BEGIN + set the context. */
enum err db_begin(struct db *db, const struct db_ctx *ctx, struct errinfo *ei) RS_MUST_CHECK;
enum err db_commit(struct db *db, struct errinfo *ei) RS_MUST_CHECK;
/* The tenant id of the context db_begin set ("" for none). */
const char *db_tenant(const struct db *db);
void db_rollback(struct db *db);

/* Run fn inside a transaction with ctx on a pooled connection; commit when fn returns
 * ERR_OK, roll back otherwise. Serialization failures and deadlocks are retried (3x). */
typedef enum err (*db_tx_fn)(struct db *db, void *arg, struct errinfo *ei);
enum err db_with_tx(struct db_pool *p, const struct db_ctx *ctx, db_tx_fn fn, void *arg,
		    struct errinfo *ei) RS_MUST_CHECK;

/* Execute sql with n text parameters (NULL entries are SQL NULL). The result (may be
 * NULL-out when out is NULL) is freed with the arena. Errors map SQLSTATE to enum err:
 * unique violation → ERR_CONFLICT, check/foreign key/data errors and RAISE → ERR_INVALID,
 * RLS/privilege → ERR_FORBIDDEN, connection problems → ERR_DB. */
enum err db_exec(struct db *db, struct arena *a, struct db_res **out, struct errinfo *ei, const char *sql,
		 int n, const char *const *params) RS_MUST_CHECK;
/* Convenience: params as a list of const char *. */
#define DB_EXEC(db, a, out, ei, sql, ...)                                                                   \
	db_exec((db), (a), (out), (ei), (sql), (int)(sizeof((const char *[]){NULL, __VA_ARGS__}) / sizeof(char *)) - 1, \
		(const char *const[]){NULL, __VA_ARGS__} + 1)
#define DB_EXEC0(db, a, out, ei, sql) db_exec((db), (a), (out), (ei), (sql), 0, NULL)
/* A statement prepared once per connection and executed by name afterwards: no parsing
 * and planning per call (PostgreSQL plans the first five calls for their parameters, then
 * keeps a generic plan when it costs no more). Declare it `static const`: the address is
 * its identity, the name must be unique in the process. */
struct db_stmt {
	const char *name;
	const char *sql;
};
#define DB_PREPARED_MAX 64 /* per connection; past it statements run unnamed */

/* One statement of a batch: n text parameters; *out gets the result when out is set. */
struct db_call {
	const struct db_stmt *stmt;
	int n;
	const char *const *params;
	struct db_res **out;
};
/* Run the calls in order in one round trip (libpq pipeline) inside the current
 * transaction, preparing each statement on its first use on this connection. The first
 * error wins; the calls after it do not run and the transaction must be rolled back
 * (every *out is NULL then). Each statement has its own snapshot unless the transaction
 * is a db_ctx.snapshot one. The whole batch is written before any result is read: for
 * reads with small parameters (kilobytes), not for bulk input. A connection whose
 * pipeline could not be finished is never reused (db_ok false). */
enum err db_exec_batch(struct db *db, struct arena *a, const struct db_call *calls, int n,
		       struct errinfo *ei) RS_MUST_CHECK;

/* Several statements, no parameters, no result (migrations, DDL). */
enum err db_exec_script(struct db *db, const char *sql, struct errinfo *ei) RS_MUST_CHECK;

int db_res_rows(const struct db_res *r);
int db_res_cols(const struct db_res *r);
/* Column index by name, -1 when absent. */
int db_res_col(const struct db_res *r, const char *name);
/* Text value or NULL for SQL NULL. Valid as long as the arena. */
const char *db_res_get(const struct db_res *r, int row, int col);
/* By column name (NULL when absent or NULL). */
const char *db_res_val(const struct db_res *r, int row, const char *name);
long long db_res_ll(const struct db_res *r, int row, const char *name, long long dflt);
bool db_res_bool(const struct db_res *r, int row, const char *name);
/* Rows affected by INSERT/UPDATE/DELETE. */
long long db_res_affected(const struct db_res *r);

/* LISTEN support: wait up to timeout_ms for a notification on this connection.
 * Returns ERR_OK with *got = true when one arrived (channel copied), ERR_TIMEOUT-free:
 * *got = false on timeout. */
enum err db_wait_notify(struct db *db, int timeout_ms, bool *got, char *channel, size_t chansz,
			struct errinfo *ei) RS_MUST_CHECK;
/* Connected, with no transaction or pipeline left open: fit for the next unit of work. */
bool db_ok(struct db *db);
const char *db_actor_name(enum db_actor a);

#endif
