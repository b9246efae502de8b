#include "db/db.h"

#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"

struct db {
	PGconn *conn;
	char *conninfo;
	struct db *next_free;
	const struct db_stmt *prepared[DB_PREPARED_MAX]; /* named statements this connection knows */
	int nprepared;
	char tenant[40]; /* the context of the open transaction */
	bool broken;     /* a pipeline could not be finished: never reuse (db_ok false) */
};

struct db_res {
	PGresult *res;
};

const char *db_actor_name(enum db_actor a)
{
	return a == DB_ACTOR_USER ? "USER" : a == DB_ACTOR_AGENT ? "AGENT" : "SYSTEM";
}

static void notice_quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

enum err db_connect(const char *conninfo, struct db **out, struct errinfo *ei)
{
	PGconn *c = PQconnectdb(conninfo);
	if (PQstatus(c) != CONNECTION_OK) {
		enum err e = err_set(ei, ERR_DB, "", "database connection failed: %s", PQerrorMessage(c));
		PQfinish(c);
		return e;
	}
	PQsetNoticeProcessor(c, notice_quiet, NULL);
	struct db *db = xcalloc(1, sizeof *db);
	db->conn = c;
	db->conninfo = xstrdup(conninfo);
	*out = db;
	return ERR_OK;
}

void db_close(struct db *db)
{
	if (!db)
		return;
	PQfinish(db->conn);
	free(db->conninfo);
	free(db);
}

/* Usable for a new unit of work: connected, no transaction or pipeline left open. */
bool db_ok(struct db *db)
{
	return db && !db->broken && PQstatus(db->conn) == CONNECTION_OK && PQtransactionStatus(db->conn) == PQTRANS_IDLE &&
	       PQpipelineStatus(db->conn) == PQ_PIPELINE_OFF;
}

static void res_clear(void *p) { PQclear(p); }

static enum err map_error(PGresult *r, PGconn *c, struct errinfo *ei)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *detail = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL) : NULL;
	const char *constraint = r ? PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME) : NULL;
	if (!msg)
		msg = PQerrorMessage(c);
	enum err code = ERR_DB;
	if (!state)
		code = ERR_DB;
	else if (!strcmp(state, "23505"))
		code = ERR_CONFLICT;
	else if (!strcmp(state, "40001") || !strcmp(state, "40P01"))
		code = ERR_CONFLICT;
	else if (!strncmp(state, "23", 2) || !strncmp(state, "22", 2) || !strcmp(state, "P0001"))
		code = ERR_INVALID;
	else if (!strcmp(state, "42501"))
		code = ERR_FORBIDDEN;
	else if (!strcmp(state, "P0002"))
		code = ERR_NOT_FOUND;
	else if (!strcmp(state, "55P03"))
		code = ERR_CONFLICT;
	if (code == ERR_DB)
		log_kv(LOG_ERROR, "database error", "sqlstate", state ? state : "", "error", msg, NULL);
	return err_set(ei, code, constraint ? constraint : "", "%s%s%s", msg, detail ? ": " : "", detail ? detail : "");
}

enum err db_exec(struct db *db, struct arena *a, struct db_res **out, struct errinfo *ei, const char *sql, int n,
		 const char *const *params)
{
	PGresult *r = PQexecParams(db->conn, sql, n, NULL, params, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		enum err e = map_error(r, db->conn, ei);
		PQclear(r);
		return e;
	}
	if (!out) {
		PQclear(r);
		return ERR_OK;
	}
	struct db_res *res = arena_alloc(a, sizeof *res);
	res->res = r;
	arena_defer(a, res_clear, r);
	*out = res;
	return ERR_OK;
}

enum err db_exec_script(struct db *db, const char *sql, struct errinfo *ei)
{
	PGresult *r = PQexec(db->conn, sql);
	ExecStatusType st = PQresultStatus(r);
	/* PQexec returns the last statement's result; errors stop the script. */
	enum err e = ERR_OK;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY)
		e = map_error(r, db->conn, ei);
	PQclear(r);
	return e;
}

/* What a pipeline's commands gave: per command, whether it succeeded, and its result when
 * wanted (want[i]); NULL arrays = not asked. */
struct pipe_out {
	int ncmd;
	const bool *want;
	PGresult **res;
	bool *ok;
};

/* Read a pipeline's results up to its sync point; the first error wins. libpq ends each
 * command's results with a NULL. */
static enum err pipeline_drain(struct db *db, struct pipe_out *po, struct errinfo *ei)
{
	enum err e = ERR_OK;
	int empty = 0, cmd = 0;
	for (;;) {
		PGresult *r = PQgetResult(db->conn);
		if (!r) {
			cmd++;
			if (++empty > 1) { /* two ends in a row: the connection gave out before the sync */
				const char *why = PQerrorMessage(db->conn);
				return e ? e : err_set(ei, ERR_DB, "", "database pipeline ended early: %s", *why ? why : "no sync");
			}
			continue;
		}
		empty = 0;
		ExecStatusType st = PQresultStatus(r);
		if (st == PGRES_PIPELINE_SYNC) {
			PQclear(r);
			return e;
		}
		bool good = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
		if (!e && !good)
			e = map_error(r, db->conn, ei);
		bool mine = po && cmd < po->ncmd;
		if (mine && po->ok)
			po->ok[cmd] = good;
		if (mine && good && po->want && po->want[cmd] && !po->res[cmd])
			po->res[cmd] = r;
		else
			PQclear(r);
	}
}

/* Send what queue() queues as one pipeline and read it back. */
typedef bool (*pipeline_fill)(struct db *db, const void *arg);
static enum err pipeline_run(struct db *db, pipeline_fill queue, const void *arg, struct pipe_out *po,
			     struct errinfo *ei)
{
	if (!PQenterPipelineMode(db->conn))
		return err_set(ei, ERR_DB, "", "database pipeline refused: %s", PQerrorMessage(db->conn));
	enum err e = ERR_OK;
	if (!queue(db, arg) || !PQpipelineSync(db->conn))
		e = err_set(ei, ERR_DB, "", "database pipeline send failed: %s", PQerrorMessage(db->conn));
	else
		e = pipeline_drain(db, po, ei);
	if (!PQexitPipelineMode(db->conn)) {
		/* commands may still sit in libpq's buffer: they would run with the next unit of
		 * work, inside whatever transaction this one left open */
		db->broken = true;
		if (!e)
			e = err_set(ei, ERR_DB, "", "database pipeline left busy: %s", PQerrorMessage(db->conn));
	}
	return e;
}

struct begin_args {
	const char *begin;
	const char *params[4];
};

static bool queue_begin(struct db *db, const void *arg)
{
	const struct begin_args *b = arg;
	return PQsendQueryParams(db->conn, b->begin, 0, NULL, NULL, NULL, NULL, 0) &&
	       PQsendQueryParams(db->conn,
				 "SELECT set_config('app.tenant_id',$1,true), set_config('app.user_id',$2,true),"
				 " set_config('app.actor',$3,true), set_config('app.request_id',$4,true)",
				 4, NULL, b->params, NULL, NULL, 0);
}

/* BEGIN and the transaction's context in one round trip (libpq pipeline mode). */
enum err db_begin(struct db *db, const struct db_ctx *ctx, struct errinfo *ei)
{
	struct begin_args b = {
		.begin = ctx && ctx->snapshot ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN",
		.params = {ctx && ctx->tenant_id ? ctx->tenant_id : "", ctx && ctx->user_id ? ctx->user_id : "",
			   db_actor_name(ctx ? ctx->actor : DB_ACTOR_SYSTEM), ctx && ctx->request_id ? ctx->request_id : ""},
	};
	snprintf(db->tenant, sizeof db->tenant, "%s", b.params[0]);
	enum err e = pipeline_run(db, queue_begin, &b, NULL, ei);
	if (e)
		db_rollback(db);
	return e;
}

const char *db_tenant(const struct db *db) { return db->tenant; }

/* ---- prepared statements and batches ---------------------------------------------------- */

static bool is_prepared(const struct db *db, const struct db_stmt *s)
{
	for (int i = 0; i < db->nprepared; i++)
		if (db->prepared[i] == s)
			return true;
	return false;
}

struct batch {
	const struct db_call *calls;
	int n;
	bool parse[DB_PREPARED_MAX]; /* call i is preceded by the Parse of its statement */
	bool named[DB_PREPARED_MAX]; /* call i runs its statement by name */
};

static bool queue_batch(struct db *db, const void *arg)
{
	const struct batch *b = arg;
	for (int i = 0; i < b->n; i++) {
		const struct db_call *c = &b->calls[i];
		if (b->parse[i] && !PQsendPrepare(db->conn, c->stmt->name, c->stmt->sql, 0, NULL))
			return false;
		if (b->named[i] ? !PQsendQueryPrepared(db->conn, c->stmt->name, c->n, c->params, NULL, NULL, 0)
				: !PQsendQueryParams(db->conn, c->stmt->sql, c->n, NULL, c->params, NULL, NULL, 0))
			return false;
	}
	return true;
}

enum err db_exec_batch(struct db *db, struct arena *a, const struct db_call *calls, int n, struct errinfo *ei)
{
	if (n < 1 || n > DB_PREPARED_MAX)
		return err_set(ei, ERR_INTERNAL, "", "a batch holds 1 to %d statements", DB_PREPARED_MAX);
	for (int i = 0; i < n; i++)
		if (calls[i].out)
			*calls[i].out = NULL;
	struct batch b = {.calls = calls, .n = n};
	enum { MAXCMD = 2 * DB_PREPARED_MAX };
	bool want[MAXCMD] = {0}, ok[MAXCMD] = {0};
	PGresult *res[MAXCMD] = {0};
	int exec_cmd[DB_PREPARED_MAX], ncmd = 0, room = DB_PREPARED_MAX - db->nprepared;
	for (int i = 0; i < n; i++) {
		b.named[i] = is_prepared(db, calls[i].stmt);
		for (int k = 0; k < i && !b.named[i]; k++) /* prepared earlier in this batch */
			b.named[i] = b.parse[k] && calls[k].stmt == calls[i].stmt;
		if (!b.named[i] && room > 0) {
			b.parse[i] = b.named[i] = true;
			room--;
			ncmd++;
		}
		exec_cmd[i] = ncmd++;
		want[exec_cmd[i]] = calls[i].out != NULL;
	}
	struct pipe_out po = {.ncmd = ncmd, .want = want, .res = res, .ok = ok};
	enum err e = pipeline_run(db, queue_batch, &b, &po, ei);
	/* a Parse that went through stays on the connection, whatever happened after it */
	for (int i = 0; i < n; i++)
		if (b.parse[i] && ok[exec_cmd[i] - 1])
			db->prepared[db->nprepared++] = calls[i].stmt;
	for (int i = 0; i < n; i++) {
		PGresult *r = res[exec_cmd[i]];
		if (!r)
			continue;
		if (e) {
			PQclear(r);
			continue;
		}
		struct db_res *out = arena_alloc(a, sizeof *out);
		out->res = r;
		arena_defer(a, res_clear, r);
		*calls[i].out = out;
	}
	return e;
}

enum err db_commit(struct db *db, struct errinfo *ei) { return db_exec_script(db, "COMMIT", ei); }

void db_rollback(struct db *db)
{
	PGresult *r = PQexec(db->conn, "ROLLBACK");
	PQclear(r);
}

int db_res_rows(const struct db_res *r) { return r ? PQntuples(r->res) : 0; }
int db_res_cols(const struct db_res *r) { return r ? PQnfields(r->res) : 0; }
int db_res_col(const struct db_res *r, const char *name) { return r ? PQfnumber(r->res, name) : -1; }

const char *db_res_get(const struct db_res *r, int row, int col)
{
	if (!r || row < 0 || row >= PQntuples(r->res) || col < 0 || col >= PQnfields(r->res))
		return NULL;
	if (PQgetisnull(r->res, row, col))
		return NULL;
	return PQgetvalue(r->res, row, col);
}

const char *db_res_val(const struct db_res *r, int row, const char *name)
{
	return db_res_get(r, row, db_res_col(r, name));
}

long long db_res_ll(const struct db_res *r, int row, const char *name, long long dflt)
{
	const char *v = db_res_val(r, row, name);
	return v ? strtoll(v, NULL, 10) : dflt;
}

bool db_res_bool(const struct db_res *r, int row, const char *name)
{
	const char *v = db_res_val(r, row, name);
	return v && v[0] == 't';
}

long long db_res_affected(const struct db_res *r)
{
	const char *v = r ? PQcmdTuples(r->res) : "";
	return *v ? strtoll(v, NULL, 10) : 0;
}

enum err db_wait_notify(struct db *db, int timeout_ms, bool *got, char *channel, size_t chansz, struct errinfo *ei)
{
	*got = false;
	PGnotify *n;
	if (!PQconsumeInput(db->conn))
		return err_set(ei, ERR_DB, "", "listen connection lost: %s", PQerrorMessage(db->conn));
	if (!(n = PQnotifies(db->conn))) {
		struct pollfd pfd = {.fd = PQsocket(db->conn), .events = POLLIN};
		if (pfd.fd < 0)
			return err_set(ei, ERR_DB, "", "listen connection has no socket");
		int pr = poll(&pfd, 1, timeout_ms);
		if (pr <= 0)
			return ERR_OK;
		if (!PQconsumeInput(db->conn))
			return err_set(ei, ERR_DB, "", "listen connection lost: %s", PQerrorMessage(db->conn));
		n = PQnotifies(db->conn);
	}
	if (n) {
		*got = true;
		if (channel && chansz)
			snprintf(channel, chansz, "%s", n->relname);
		PQfreemem(n);
		/* drain the rest: one wake-up is enough */
		while ((n = PQnotifies(db->conn)))
			PQfreemem(n);
	}
	return ERR_OK;
}
