/* app.h — the web application: every route module registered on one router with the
 * radsched authorize hook, static files, page templates, and the HTTP server. */
#ifndef RS_WEB_APP_H
#define RS_WEB_APP_H

#include <stdint.h>

#include "domain/platform.h"
#include "http/router.h"

struct web_app_config {
	const char *host;
	uint16_t port;
	unsigned threads;
	size_t body_max;
	unsigned request_timeout_s;
};

struct web_app;

/* Build the router (all routes) without listening: tests walk it for the role matrix. */
enum err web_app_new(struct platform *pf, struct web_app **out, struct errinfo *ei) RS_MUST_CHECK;
const struct http_router *web_app_router(const struct web_app *app);
enum err web_app_listen(struct web_app *app, const struct web_app_config *cfg, struct errinfo *ei) RS_MUST_CHECK;
uint16_t web_app_port(const struct web_app *app);
/* Graceful: in-flight requests finish. */
void web_app_stop(struct web_app *app);
void web_app_free(struct web_app *app);

#endif
