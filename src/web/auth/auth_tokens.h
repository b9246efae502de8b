/* auth_tokens.h — API tokens for automation and the MCP endpoint (table api_tokens,
 * migration 0003): "rsk_" + 256 random bits, stored as SHA-256, scoped (api, mcp),
 * revocable; a token acts with its person's current role and dies with deactivation.
 * All functions run in the caller's tenant transaction. */
#ifndef RS_WEB_AUTH_TOKENS_H
#define RS_WEB_AUTH_TOKENS_H

#include <jansson.h>
#include <stdbool.h>

#include "db/db.h"

#define AUTH_API_TOKEN_PREFIX "rsk_"
#define AUTH_API_TOKEN_SIZE 64 /* prefix + 43 characters + NUL, rounded up */

/* Check a comma-separated scope list ("api", "mcp", "api,mcp") into a PostgreSQL array
 * literal (arena); NULL when a scope is unknown or the list is empty. */
const char *auth_api_scopes_parse(struct arena *a, const char *csv);

/* Create a token for user_id; token (shown once, never stored) and id out. ERR_INVALID
 * for a bad name (1..100 printable characters) or scope list. */
enum err auth_api_token_create(struct db *db, struct arena *a, const char *user_id, const char *name,
			       const char *scopes_csv, char token[AUTH_API_TOKEN_SIZE], char id[37],
			       struct errinfo *ei) RS_MUST_CHECK;

/* Revoke token id (of user_id when not NULL). *revoked false when there was no such live token. */
enum err auth_api_token_revoke(struct db *db, struct arena *a, const char *user_id, const char *id, bool *revoked,
			       struct errinfo *ei) RS_MUST_CHECK;

/* The tokens of user_id (all of the tenant when NULL), newest first, as a JSON array of
 * {id, name, scopes[], created_at, last_used_at, expires_at, revoked_at, user_email}. */
enum err auth_api_tokens_list(struct db *db, struct arena *a, const char *user_id, json_t **out,
			      struct errinfo *ei) RS_MUST_CHECK;

#endif
