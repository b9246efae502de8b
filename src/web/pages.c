/* The first pages: home (what radsched is, where to sign in, links for the signed-in). */
#include <jansson.h>

#include "domain/platform.h"
#include "web/page.h"
#include "web/principal.h"
#include "web/roles.h"
#include "web/routes.h"

static enum err home(struct http_request *req, struct http_response *res)
{
	json_t *d = json_pack("{s:s}", "title", "Radiology scheduling");
	enum err e = web_page(req, res, 200, "home", d);
	json_decref(d);
	return e;
}

static const struct http_route routes[] = {
	{.method = "GET", .pattern = "/", .min_role = ROLE_PUBLIC, .handler = home},
};

WEB_ROUTES(pages, routes)
