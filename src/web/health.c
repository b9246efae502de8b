/* /healthz (process alive), /readyz (database, migrations, worker heartbeat), /metrics. */
#include <stdio.h>
#include <string.h>

#include "base/metrics.h"
#include "db/migrate.h"
#include "domain/platform.h"
#include "web/roles.h"
#include "web/routes.h"

#define WORKER_STALE_SECONDS 30

static enum err healthz(struct http_request *req, struct http_response *res)
{
	(void)req;
	http_respond_json(res, 200, "{\"status\":\"ok\"}");
	return ERR_OK;
}

static enum err readyz(struct http_request *req, struct http_response *res)
{
	struct platform *pf = req->app;
	struct db *db = db_pool_get(pf->pool);
	struct errinfo ei = {0};
	const char *dbs = "ok", *migs = "ok", *wrk = "ok";
	char wbuf[96], mbuf[96];
	struct db_res *r;
	if (DB_EXEC0(db, req->arena, &r, &ei,
		     "SELECT extract(epoch FROM now() - worker_last_heartbeat())::bigint AS age") != ERR_OK) {
		dbs = "unreachable";
		migs = wrk = "unknown";
	} else {
		long long age = db_res_ll(r, 0, "age", -1);
		if (age < 0 || age > WORKER_STALE_SECONDS) {
			snprintf(wbuf, sizeof wbuf, age < 0 ? "no worker has reported" : "last heartbeat %lld s ago", age);
			wrk = wbuf;
		}
		int pending = 0;
		if (db_migrations_pending(db, pf->share_dir, &pending, &ei) != ERR_OK) {
			migs = "unknown";
		} else if (pending) {
			snprintf(mbuf, sizeof mbuf, "%d pending", pending);
			migs = mbuf;
		}
	}
	db_pool_put(pf->pool, db);
	bool ok = !strcmp(dbs, "ok") && !strcmp(migs, "ok") && !strcmp(wrk, "ok");
	char *body = arena_sprintf(req->arena,
				   "{\"status\":\"%s\",\"checks\":{\"database\":\"%s\",\"migrations\":\"%s\",\"worker\":\"%s\"}}",
				   ok ? "ok" : "fail", dbs, migs, wrk);
	http_respond_json(res, ok ? 200 : 503, body);
	return ERR_OK;
}

static enum err metrics(struct http_request *req, struct http_response *res)
{
	struct buf b;
	buf_init(&b, 8u << 20);
	enum err e = metrics_render(&b);
	if (e) {
		buf_fini(&b);
		return err_set(&req->err, e, "", "metrics too large");
	}
	char *copy = arena_strndup(req->arena, b.data, b.len);
	http_respond_body(res, 200, "text/plain; version=0.0.4; charset=utf-8", copy, b.len);
	buf_fini(&b);
	return ERR_OK;
}

static const struct http_route routes[] = {
	{.method = "GET", .pattern = "/healthz", .min_role = ROLE_PUBLIC, .handler = healthz},
	{.method = "GET", .pattern = "/readyz", .min_role = ROLE_PUBLIC, .handler = readyz},
	{.method = "GET", .pattern = "/metrics", .min_role = ROLE_PUBLIC, .handler = metrics},
};

WEB_ROUTES(health, routes)
