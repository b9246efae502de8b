/* principal.h — who is making a request, as resolved by the authorize hook. Lives in the
 * request arena (req->principal). */
#ifndef RS_WEB_PRINCIPAL_H
#define RS_WEB_PRINCIPAL_H

#include <stdbool.h>

#include "db/db.h"
#include "http/request.h"

enum principal_via { VIA_API_TOKEN = 1, VIA_SESSION };

struct principal {
	char tenant_id[37];
	char tenant_slug[64];
	char user_id[37];
	char email[256];
	char name[201];
	int role;          /* enum role */
	bool is_fellow;
	enum principal_via via;
	char session_id[37]; /* VIA_SESSION */
	char csrf[64];       /* VIA_SESSION: the token forms must echo */
};

/* The request's principal or NULL (public routes). */
const struct principal *web_principal(const struct http_request *req);
/* The database context for the request: tenant and user from the principal, actor USER,
 * request id for the audit trail. */
struct db_ctx web_db_ctx(const struct http_request *req);

#endif
