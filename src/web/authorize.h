/* authorize.h — the http_authorize_fn of radsched (deny by default, role ladder). */
#ifndef RS_WEB_AUTHORIZE_H
#define RS_WEB_AUTHORIZE_H

#include "http/router.h"
#include "web/principal.h"

int web_authorize(struct http_request *req, const struct http_route *route);
/* Resolve req->principal now (ERR_UNAUTHORIZED when nobody is signed in). */
enum err web_authenticate(struct http_request *req) RS_MUST_CHECK;

#endif
