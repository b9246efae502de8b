/* platform.h — the process-wide context every handler and job sees (req->app, job->app):
 * the database pool, where files live, the public base URL, and the secrets. Built once by
 * the command that starts the process; read-only afterwards (thread-safe to share). */
#ifndef RS_DOMAIN_PLATFORM_H
#define RS_DOMAIN_PLATFORM_H

#include <stdbool.h>

#include "db/db.h"

struct platform {
	struct db_pool *pool;
	const char *conninfo;  /* runtime role, for connections outside the pool (LISTEN) */
	const char *share_dir; /* db/, templates/, static/, config/ */
	const char *data_dir;
	const char *base_url;  /* no trailing slash */
	const char *secret;    /* master secret: purpose keys are derived from it */
	const char *mail_provider;
	const char *mail_from;
	bool secure_cookies;   /* base URL is https */
	/* OpenID Connect sign-in (web/auth): issuer "" = no single sign-on button */
	const char *oidc_issuer;
	const char *oidc_client_id;
	const char *oidc_client_secret;
	int oidc_jwks_min_refresh_s; /* never refetch the provider's keys sooner; 0 = 30 */
	void *ext;             /* room for integration state (providers, caches) */
};

#endif
