/* API tokens: create, revoke, list (auth_tokens.h). */
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/strutil.h"
#include "crypto/crypto_random.h"
#include "web/auth/auth_tokens.h"

const char *auth_api_scopes_parse(struct arena *a, const char *csv)
{
	bool api = false, mcp = false;
	const char *p = csv ? csv : "";
	while (*p) {
		size_t n = strcspn(p, ",");
		while (n && p[0] == ' ')
			p++, n--;
		size_t m = n;
		while (m && p[m - 1] == ' ')
			m--;
		if (m == 3 && !strncmp(p, "api", 3))
			api = true;
		else if (m == 3 && !strncmp(p, "mcp", 3))
			mcp = true;
		else
			return NULL;
		p += n;
		if (*p == ',')
			p++;
	}
	if (!api && !mcp)
		return NULL;
	return arena_strdup(a, api && mcp ? "{api,mcp}" : api ? "{api}" : "{mcp}");
}

static bool name_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n < 1 || n > 100 || !str_utf8_valid(s, n))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

enum err auth_api_token_create(struct db *db, struct arena *a, const char *user_id, const char *name,
			       const char *scopes_csv, char token[AUTH_API_TOKEN_SIZE], char id[37], struct errinfo *ei)
{
	if (!name_ok(name))
		return err_set(ei, ERR_INVALID, "name", "a token needs a name of 1 to 100 characters (what it is for)");
	const char *scopes = auth_api_scopes_parse(a, scopes_csv);
	if (!scopes)
		return err_set(ei, ERR_INVALID, "scope", "scopes are api, mcp or both (comma-separated)");
	char body[CRYPTO_TOKEN_SIZE(CRYPTO_TOKEN_BYTES)], hash[CRYPTO_SHA256_HEX_SIZE];
	if (crypto_random_token(body, sizeof body, CRYPTO_TOKEN_BYTES))
		return err_set(ei, ERR_INTERNAL, "", "cannot make a token");
	snprintf(token, AUTH_API_TOKEN_SIZE, AUTH_API_TOKEN_PREFIX "%s", body);
	crypto_token_hash(token, hash);
	struct db_res *r;
	enum err e = DB_EXEC(db, a, &r, ei,
			     "INSERT INTO api_tokens (tenant_id, user_id, name, token_hash, scopes)"
			     " SELECT app_tenant(), u.id, $2, $3, $4::text[] FROM users u"
			     "  WHERE u.tenant_id = app_tenant() AND u.id = $1 AND u.active RETURNING id::text",
			     user_id, name, hash, scopes);
	if (!e && db_res_rows(r) != 1)
		e = err_set(ei, ERR_NOT_FOUND, "user", "no active person to make the token for");
	if (!e)
		snprintf(id, 37, "%s", db_res_val(r, 0, "id"));
	else
		memset(token, 0, AUTH_API_TOKEN_SIZE);
	return e;
}

enum err auth_api_token_revoke(struct db *db, struct arena *a, const char *user_id, const char *id, bool *revoked,
			       struct errinfo *ei)
{
	*revoked = false;
	if (!id || !str_is_uuid(id))
		return ERR_OK;
	struct db_res *r;
	enum err e = DB_EXEC(db, a, &r, ei,
			     "UPDATE api_tokens SET revoked_at = now() WHERE tenant_id = app_tenant() AND id = $1"
			     " AND ($2::uuid IS NULL OR user_id = $2::uuid) AND revoked_at IS NULL RETURNING id",
			     id, user_id);
	if (!e)
		*revoked = db_res_rows(r) == 1;
	return e;
}

enum err auth_api_tokens_list(struct db *db, struct arena *a, const char *user_id, json_t **out, struct errinfo *ei)
{
	struct db_res *r;
	*out = NULL;
	enum err e = DB_EXEC(db, a, &r, ei,
			     "SELECT coalesce(jsonb_agg(jsonb_build_object('id', t.id, 'name', t.name, 'scopes', t.scopes,"
			     "  'created_at', t.created_at, 'last_used_at', t.last_used_at, 'expires_at', t.expires_at,"
			     "  'revoked_at', t.revoked_at, 'user_email', u.email) ORDER BY t.created_at DESC), '[]')::text AS j"
			     " FROM api_tokens t JOIN users u ON u.tenant_id = t.tenant_id AND u.id = t.user_id"
			     " WHERE t.tenant_id = app_tenant() AND ($1::uuid IS NULL OR t.user_id = $1::uuid)",
			     user_id);
	if (e)
		return e;
	json_error_t je;
	*out = json_loads(db_res_val(r, 0, "j"), 0, &je);
	return *out ? ERR_OK : err_set(ei, ERR_INTERNAL, "", "token list is not JSON");
}
