/* routes.h — each web module exports its route table; web/app.c registers them all.
 * Adding a module: define `static const struct http_route routes[]` and write
 * WEB_ROUTES(name, routes); then add name to the list in web/app.c. */
#ifndef RS_WEB_ROUTES_H
#define RS_WEB_ROUTES_H

#include <stddef.h>

#include "http/router.h"

#define WEB_ROUTES(name, table)                                                  \
	size_t web_routes_##name(const struct http_route **out)                  \
	{                                                                        \
		*out = table;                                                    \
		return sizeof table / sizeof table[0];                           \
	}

#define WEB_ROUTE_MODULES(X) X(health) X(pages) X(api_config) X(api_people) X(api_periods) X(api_assignments) X(api_vacation) X(auth_magic) X(auth_oidc) X(auth_session) X(auth_invite) X(auth_people) X(auth_people_api) X(auth_account) X(mail_admin) X(ics) X(calendar) X(api_engine) X(assignment_page)

#define WEB_DECLARE_ROUTES(name) size_t web_routes_##name(const struct http_route **out);
WEB_ROUTE_MODULES(WEB_DECLARE_ROUTES)

#endif
