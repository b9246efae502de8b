/* Until sign-in sessions land (issue: sign-in and access), only bearer API tokens
 * authenticate; a request with just a cookie is anonymous. */
#include "web/session.h"

enum err web_session_authenticate(struct platform *pf, struct http_request *req, struct principal *out)
{
	(void)pf;
	(void)req;
	(void)out;
	return ERR_UNAUTHORIZED;
}

enum err web_session_check_csrf(struct http_request *req)
{
	(void)req;
	return ERR_OK;
}
