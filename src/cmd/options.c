#include "cmd/options.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/strutil.h"

enum kind { K_TEXT, K_INT, K_FLAG, K_HOSTPORT, K_URL, K_LEVEL, K_PROVIDER, K_SECRET };

struct spec {
	const char *flag, *env, *dflt, *help;
	enum kind kind;
	long min, max;
};

static const struct spec specs[OPT__COUNT] = {
	[OPT_DATABASE_URL] = {"--database-url", "RADSCHED_DATABASE_URL", "",
			      "PostgreSQL URL of the runtime role; empty = embedded cluster under --data-dir", K_TEXT},
	[OPT_MIGRATE_URL] = {"--migrate-url", "RADSCHED_MIGRATE_DATABASE_URL", "",
			     "PostgreSQL URL of the owner role used by migrations; empty = --database-url", K_TEXT},
	[OPT_MIGRATE_ROLE] = {"--migrate-role", "RADSCHED_MIGRATE_ROLE", "",
			      "role to SET ROLE to before migrating (owner of the schema); empty = the connecting role", K_TEXT},
	[OPT_DATA_DIR] = {"--data-dir", "RADSCHED_DATA_DIR", "./var",
			  "directory for the embedded database, outbox and generated secrets", K_TEXT},
	[OPT_LISTEN] = {"--listen", "RADSCHED_LISTEN", "127.0.0.1:8080", "HTTP listen address HOST:PORT (port 0 = any free)",
			K_HOSTPORT},
	[OPT_BASE_URL] = {"--base-url", "RADSCHED_BASE_URL", "",
			  "public URL used in links (emails, feeds); empty = http://LISTEN", K_URL},
	[OPT_SECRET] = {"--secret", "RADSCHED_SECRET", "",
			"master secret (>= 32 chars) for signed tokens and feed URLs; dev generates one in --data-dir",
			K_SECRET},
	[OPT_ENCRYPTION_KEYS] = {"--encryption-keys", "RADSCHED_ENCRYPTION_KEYS", "",
				 "AES-256-GCM keyring 'kid:base64url,...' for secrets at rest; dev generates one", K_TEXT},
	[OPT_HTTP_THREADS] = {"--http-threads", "RADSCHED_HTTP_THREADS", "4", "HTTP worker threads", K_INT, 1, 256},
	[OPT_CONCURRENCY] = {"--concurrency", "RADSCHED_WORKER_CONCURRENCY", "2", "job worker threads", K_INT, 1, 64},
	[OPT_NO_WORKER] = {"--no-worker", "RADSCHED_NO_WORKER", "", "serve: do not run job workers in-process", K_FLAG},
	[OPT_LOG_LEVEL] = {"--log-level", "RADSCHED_LOG_LEVEL", "info", "debug, info, warn or error", K_LEVEL},
	[OPT_SHARE_DIR] = {"--share-dir", "RADSCHED_SHARE_DIR", "",
			   "directory holding db/, templates/, static/, config/; empty = next to the binary", K_TEXT},
	[OPT_MAIL_PROVIDER] = {"--mail-provider", "RADSCHED_MAIL_PROVIDER", "file",
			       "postmark, sendgrid, smtp or file (writes .eml under DATA_DIR/outbox)", K_PROVIDER},
	[OPT_MAIL_FROM] = {"--mail-from", "RADSCHED_MAIL_FROM", "radsched <no-reply@radsched.localhost>",
			   "From address of outgoing email", K_TEXT},
	[OPT_BODY_LIMIT] = {"--body-limit", "RADSCHED_BODY_LIMIT", "1048576", "largest request body in bytes", K_INT, 1024,
			    64 << 20},
	[OPT_REQUEST_TIMEOUT] = {"--request-timeout", "RADSCHED_REQUEST_TIMEOUT", "30", "seconds before an idle request is cut",
				 K_INT, 1, 3600},
	[OPT_TENANT] = {"--tenant", NULL, "", "tenant slug", K_TEXT},
	[OPT_USER] = {"--user", NULL, "", "a person's email address", K_TEXT},
	[OPT_MASTER] = {"--master", NULL, "", "the tenant's master feed", K_FLAG},
	[OPT_ALL] = {"--all", NULL, "", "every feed of the tenant", K_FLAG},
	[OPT_OIDC_ISSUER] = {"--oidc-issuer", "RADSCHED_OIDC_ISSUER", "",
			     "OpenID Connect issuer for single sign-on, e.g. https://accounts.google.com; empty = off", K_URL},
	[OPT_OIDC_CLIENT_ID] = {"--oidc-client-id", "RADSCHED_OIDC_CLIENT_ID", "", "OAuth client id registered with the issuer",
				K_TEXT},
	[OPT_OIDC_CLIENT_SECRET] = {"--oidc-client-secret", "RADSCHED_OIDC_CLIENT_SECRET", "",
				    "OAuth client secret (prefer the environment variable)", K_TEXT},
	[OPT_OIDC_JWKS_MIN_REFRESH] = {"--oidc-jwks-min-refresh", "RADSCHED_OIDC_JWKS_MIN_REFRESH", "30",
				       "seconds between two fetches of the issuer's signing keys (unknown kid)", K_INT, 1, 3600},
	[OPT_NAME] = {"--name", NULL, "", "a name (token create: what the API token is for)", K_TEXT},
	[OPT_ID] = {"--id", NULL, "", "an id (token revoke: the token's id)", K_TEXT},
	[OPT_SCOPE] = {"--scope", NULL, "api", "API token scopes, comma-separated: api, mcp", K_TEXT},
};

const char *options_flag_name(enum opt_id id) { return specs[id].flag; }

static int bad(enum opt_id id, const char *why, const char *value)
{
	fprintf(stderr, "radsched: %s: %s (got '%s')\n", specs[id].flag, why, value);
	return 2;
}

static int check(enum opt_id id, const char *v)
{
	const struct spec *s = &specs[id];
	int64_t n;
	switch (s->kind) {
	case K_INT:
		if (!str_to_i64(v, s->min, s->max, &n)) {
			char why[96];
			snprintf(why, sizeof why, "expected a whole number from %ld to %ld", s->min, s->max);
			return bad(id, why, v);
		}
		break;
	case K_HOSTPORT: {
		const char *colon = strrchr(v, ':');
		if (!colon || colon == v || !str_to_i64(colon + 1, 0, 65535, &n))
			return bad(id, "expected HOST:PORT with a port from 0 to 65535", v);
		break;
	}
	case K_URL:
		if (*v && !str_starts_with(v, "http://") && !str_starts_with(v, "https://"))
			return bad(id, "expected an http:// or https:// URL", v);
		break;
	case K_LEVEL:
		if (strcmp(v, "debug") && strcmp(v, "info") && strcmp(v, "warn") && strcmp(v, "error"))
			return bad(id, "expected debug, info, warn or error", v);
		break;
	case K_PROVIDER:
		if (strcmp(v, "postmark") && strcmp(v, "sendgrid") && strcmp(v, "smtp") && strcmp(v, "file"))
			return bad(id, "expected postmark, sendgrid, smtp or file", v);
		break;
	case K_SECRET:
		if (*v && strlen(v) < 32)
			return bad(id, "must be at least 32 characters", "(hidden)");
		break;
	default:
		break;
	}
	return 0;
}

int options_parse(int argc, char **argv, unsigned long long allowed, struct options *o)
{
	memset(o, 0, sizeof *o);
	for (int i = 0; i < OPT__COUNT; i++) {
		const char *env = specs[i].env ? getenv(specs[i].env) : NULL;
		if (env && (allowed & (1ull << i))) {
			o->v[i] = env;
			o->given[i] = true;
		} else {
			o->v[i] = specs[i].dflt;
		}
	}
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (strncmp(a, "--", 2) || !a[2]) {
			if (o->nrest == (int)(sizeof o->rest / sizeof o->rest[0])) {
				fprintf(stderr, "radsched: too many arguments\n");
				return 2;
			}
			o->rest[o->nrest++] = a;
			continue;
		}
		const char *eq = strchr(a, '=');
		size_t len = eq ? (size_t)(eq - a) : strlen(a);
		int found = -1;
		for (int k = 0; k < OPT__COUNT; k++)
			if (strlen(specs[k].flag) == len && !strncmp(specs[k].flag, a, len))
				found = k;
		if (found < 0 || !(allowed & (1ull << found))) {
			fprintf(stderr, "radsched: %.*s: unknown option for this command (see radsched help)\n", (int)len, a);
			return 2;
		}
		const char *val;
		if (specs[found].kind == K_FLAG) {
			if (eq) {
				fprintf(stderr, "radsched: %s: takes no value\n", specs[found].flag);
				return 2;
			}
			val = "1";
		} else if (eq) {
			val = eq + 1;
		} else if (i + 1 < argc) {
			val = argv[++i];
		} else {
			fprintf(stderr, "radsched: %s: needs a value\n", specs[found].flag);
			return 2;
		}
		o->v[found] = val;
		o->given[found] = true;
	}
	for (int i = 0; i < OPT__COUNT; i++)
		if ((allowed & (1ull << i)) && o->given[i] && specs[i].kind != K_FLAG && check((enum opt_id)i, o->v[i]))
			return 2;
	return 0;
}

const char *opt(const struct options *o, enum opt_id id) { return o->v[id] ? o->v[id] : ""; }

int opt_int(const struct options *o, enum opt_id id) { return atoi(opt(o, id)); }

void options_print_help(void)
{
	printf("Options (flag, environment variable, default):\n");
	for (int i = 0; i < OPT__COUNT; i++) {
		const struct spec *s = &specs[i];
		printf("  %-20s %-30s default: %s\n      %s\n", s->flag, s->env ? s->env : "(flag only)",
		       *s->dflt ? s->dflt : (s->kind == K_FLAG ? "off" : "(empty)"), s->help);
	}
}
