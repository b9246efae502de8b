/* options.h — radsched configuration: every option has a flag, a RADSCHED_* variable and a
 * default, all listed by `radsched help`. Precedence: flag > environment > default.
 * A bad value stops the command with one line naming the option and exit status 2. */
#ifndef RS_CMD_OPTIONS_H
#define RS_CMD_OPTIONS_H

#include <stdbool.h>

enum opt_id {
	OPT_DATABASE_URL,
	OPT_MIGRATE_URL,
	OPT_MIGRATE_ROLE,
	OPT_DATA_DIR,
	OPT_LISTEN,
	OPT_BASE_URL,
	OPT_SECRET,
	OPT_ENCRYPTION_KEYS,
	OPT_HTTP_THREADS,
	OPT_CONCURRENCY,
	OPT_NO_WORKER,
	OPT_LOG_LEVEL,
	OPT_SHARE_DIR,
	OPT_MAIL_PROVIDER,
	OPT_MAIL_FROM,
	OPT_BODY_LIMIT,
	OPT_REQUEST_TIMEOUT,
	OPT_TENANT,
	OPT_USER,
	OPT_MASTER,
	OPT_ALL,
	OPT_OIDC_ISSUER,
	OPT_OIDC_CLIENT_ID,
	OPT_OIDC_CLIENT_SECRET,
	OPT_OIDC_JWKS_MIN_REFRESH,
	OPT_NAME,
	OPT_ID,
	OPT_SCOPE,
	OPT__COUNT
};

struct options {
	const char *v[OPT__COUNT]; /* resolved text values ("" = unset) */
	bool given[OPT__COUNT];    /* set by a flag or the environment */
	const char *rest[64];      /* positional arguments */
	int nrest;
};

/* Parse argv (after the subcommand) + environment. allowed: bitmask of 1u << OPT_x the
 * command accepts (others are refused by name). Returns 0, or 2 after printing the error. */
int options_parse(int argc, char **argv, unsigned long long allowed, struct options *o);
const char *opt(const struct options *o, enum opt_id id);
int opt_int(const struct options *o, enum opt_id id);
void options_print_help(void);
const char *options_flag_name(enum opt_id id);

#define OPTS_SERVER                                                                                       \
	((1ull << OPT_DATABASE_URL) | (1ull << OPT_MIGRATE_URL) | (1ull << OPT_MIGRATE_ROLE) | (1ull << OPT_DATA_DIR) | (1ull << OPT_LISTEN) | \
	 (1ull << OPT_BASE_URL) | (1ull << OPT_SECRET) | (1ull << OPT_ENCRYPTION_KEYS) |                        \
	 (1ull << OPT_HTTP_THREADS) | (1ull << OPT_CONCURRENCY) | (1ull << OPT_NO_WORKER) |                    \
	 (1ull << OPT_LOG_LEVEL) | (1ull << OPT_SHARE_DIR) | (1ull << OPT_MAIL_PROVIDER) |                     \
	 (1ull << OPT_MAIL_FROM) | (1ull << OPT_BODY_LIMIT) | (1ull << OPT_REQUEST_TIMEOUT) |                  \
	 (1ull << OPT_OIDC_ISSUER) | (1ull << OPT_OIDC_CLIENT_ID) | (1ull << OPT_OIDC_CLIENT_SECRET) |           \
	 (1ull << OPT_OIDC_JWKS_MIN_REFRESH))

#endif
