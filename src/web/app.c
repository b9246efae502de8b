#include "web/app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "http/server.h"
#include "http/static.h"
#include "web/auth/auth_routes.h"
#include "web/authorize.h"
#include "web/page.h"
#include "web/roles.h"
#include "web/routes.h"

struct web_app {
	struct platform *pf;
	struct http_router *router;
	struct http_static *st;
	struct http_server *server;
};

#define REGISTER_MODULE(name)                                                  \
	if (!e) {                                                              \
		const struct http_route *t;                                    \
		size_t n = web_routes_##name(&t);                              \
		e = http_router_add_all(app->router, t, n, ei);                \
	}

enum err web_app_new(struct platform *pf, struct web_app **out, struct errinfo *ei)
{
	struct web_app *app = xcalloc(1, sizeof *app);
	app->pf = pf;
	app->router = http_router_new(pf, web_authorize);
	http_router_set_deny(app->router, web_auth_deny);
	char dir[1100];
	snprintf(dir, sizeof dir, "%s/static", pf->share_dir);
	enum err e = http_static_new(dir, 0, &app->st, ei);
	if (!e)
		e = web_pages_init(pf->share_dir, ei);
	WEB_ROUTE_MODULES(REGISTER_MODULE)
	if (!e) {
		struct http_route r = {.method = "GET", .pattern = "/static/{*file}", .min_role = ROLE_PUBLIC,
				       .handler = http_static_handler, .data = app->st, .name = "/static"};
		e = http_router_add(app->router, &r, ei);
	}
	if (e) {
		web_app_free(app);
		return e;
	}
	*out = app;
	return ERR_OK;
}

const struct http_router *web_app_router(const struct web_app *app) { return app->router; }

enum err web_app_listen(struct web_app *app, const struct web_app_config *cfg, struct errinfo *ei)
{
	struct http_server_config sc = {.host = cfg->host, .port = cfg->port, .threads = cfg->threads,
					.body_max = cfg->body_max, .request_timeout_s = cfg->request_timeout_s,
					.hsts = app->pf->secure_cookies, .router = app->router};
	app->server = http_server_new(&sc);
	return http_server_start(app->server, ei);
}

uint16_t web_app_port(const struct web_app *app) { return app->server ? http_server_port(app->server) : 0; }

void web_app_stop(struct web_app *app)
{
	if (app->server)
		http_server_stop(app->server);
}

void web_app_free(struct web_app *app)
{
	if (!app)
		return;
	http_server_free(app->server);
	http_router_free(app->router);
	http_static_free(app->st);
	web_pages_fini();
	free(app);
}
