/* The one-message page (refusals, expired links, "check your email"). */
#include "web/auth/auth.h"
#include "web/page.h"

enum err auth_page_message(struct http_request *req, struct http_response *res, int status, const char *title,
			   const char *message, const char *link_href, const char *link_label)
{
	json_t *d = json_pack("{s:s, s:s, s:b}", "title", title, "message", message, "is_error", status >= 400);
	if (link_href)
		json_object_set_new(d, "link", json_pack("{s:s, s:s}", "href", link_href, "label", link_label ? link_label : link_href));
	enum err e = web_page(req, res, status, "auth_message", d);
	json_decref(d);
	return e;
}
