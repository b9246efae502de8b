/* The deny hook: pages go through a refresh or to sign-in instead of a bare 401. */
#include <string.h>

#include "web/auth/auth.h"
#include "web/auth/auth_routes.h"

void web_auth_deny(struct http_request *req, struct http_response *res, int status)
{
	bool page = (!strcmp(req->method, "GET") || !strcmp(req->method, "HEAD")) && strncmp(req->path, "/api/", 5) &&
		    !http_header_get(req, "Authorization");
	if (!page)
		return; /* the router writes the problem */
	if (status == 401) {
		struct buf b;
		buf_init(&b, 4096);
		enum err e = buf_puts(&b, "/auth/refresh?next=");
		if (!e)
			e = auth_url_encode(&b, req->target);
		if (!e)
			e = http_respond_redirect(res, b.data);
		buf_fini(&b);
		return;
	}
	RS_IGNORE(auth_page_message(req, res, 403, "Not for your role",
				    "Your role does not give access to this page. If you need it, ask an administrator of "
				    "your department.",
				    "/", "Home")); /* on failure the router's problem answer stands */
}
