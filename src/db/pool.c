#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "db/db.h"

/* A fixed-size pool; connections are created up front so start-up fails fast when the
 * database is unreachable. A connection found broken on return is replaced lazily. */
struct db_pool {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct db **idle;
	int nidle, size;
	char *conninfo;
};

enum err db_pool_new(const char *conninfo, int size, struct db_pool **out, struct errinfo *ei)
{
	struct db_pool *p = xcalloc(1, sizeof *p);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	p->size = size < 1 ? 1 : size;
	p->idle = xcalloc((size_t)p->size, sizeof *p->idle);
	p->conninfo = xstrdup(conninfo);
	for (int i = 0; i < p->size; i++) {
		enum err e = db_connect(conninfo, &p->idle[i], ei);
		if (e) {
			p->nidle = i;
			db_pool_free(p);
			return e;
		}
	}
	p->nidle = p->size;
	*out = p;
	return ERR_OK;
}

void db_pool_free(struct db_pool *p)
{
	if (!p)
		return;
	for (int i = 0; i < p->nidle; i++)
		db_close(p->idle[i]);
	free(p->idle);
	free(p->conninfo);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	free(p);
}

struct db *db_pool_get(struct db_pool *p)
{
	pthread_mutex_lock(&p->mu);
	while (p->nidle == 0)
		pthread_cond_wait(&p->cv, &p->mu);
	struct db *db = p->idle[--p->nidle];
	pthread_mutex_unlock(&p->mu);
	if (!db_ok(db)) {
		struct db *fresh;
		struct errinfo ei = {0};
		if (db_connect(p->conninfo, &fresh, &ei) == ERR_OK) {
			db_close(db);
			db = fresh;
		} else {
			log_warn("database reconnect failed: %s", ei.message);
		}
	}
	return db;
}

void db_pool_put(struct db_pool *p, struct db *db)
{
	pthread_mutex_lock(&p->mu);
	p->idle[p->nidle++] = db;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

enum err db_with_tx(struct db_pool *p, const struct db_ctx *ctx, db_tx_fn fn, void *arg, struct errinfo *ei)
{
	struct db *db = db_pool_get(p);
	enum err e = ERR_OK;
	for (int attempt = 0; attempt < 3; attempt++) {
		err_clear(ei);
		e = db_begin(db, ctx, ei);
		if (e)
			break;
		e = fn(db, arg, ei);
		if (e == ERR_OK)
			e = db_commit(db, ei);
		else
			db_rollback(db);
		/* retry only serialization failures/deadlocks (reported as conflicts by the database) */
		if (!(e == ERR_CONFLICT && ei && (strstr(ei->message, "could not serialize") || strstr(ei->message, "deadlock"))))
			break;
	}
	db_pool_put(p, db);
	return e;
}
