/* session.h — cookie sessions (web/auth/). web_session_authenticate resolves the session
 * cookie into a principal; web_session_check_csrf refuses cookie-authenticated mutations
 * without a valid CSRF token (bearer-token requests are not cookie-authenticated). */
#ifndef RS_WEB_SESSION_H
#define RS_WEB_SESSION_H

#include "domain/platform.h"
#include "http/request.h"
#include "web/principal.h"

enum err web_session_authenticate(struct platform *pf, struct http_request *req, struct principal *out) RS_MUST_CHECK;
enum err web_session_check_csrf(struct http_request *req) RS_MUST_CHECK;

#endif
