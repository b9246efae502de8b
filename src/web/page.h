/* page.h — server-rendered HTML pages: templates/pages/NAME.mustache, each a child of
 * templates/pages/layout.mustache (blocks title, content). The data gets `me` (the signed-in
 * principal or null), `base_url` and `csrf` added. Compiled templates are cached for the
 * process (web_pages_init). */
#ifndef RS_WEB_PAGE_H
#define RS_WEB_PAGE_H

#include <jansson.h>

#include "http/response.h"
#include "http/request.h"

enum err web_pages_init(const char *share_dir, struct errinfo *ei) RS_MUST_CHECK;
void web_pages_fini(void);
/* Render NAME with data (borrowed; may be NULL) as the response with status. */
enum err web_page(struct http_request *req, struct http_response *res, int status, const char *name,
		  json_t *data) RS_MUST_CHECK;

#endif
