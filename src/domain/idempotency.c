#include "domain/idempotency.h"

#include <stdio.h>
#include <string.h>

bool idempotency_key_ok(const char *key)
{
	size_t n = key ? strlen(key) : 0;
	if (n < 1 || n > IDEMPOTENCY_KEY_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)key[i] < 0x21 || (unsigned char)key[i] > 0x7e)
			return false;
	return true;
}

enum err idempotency_claim(struct db *db, struct arena *a, const char *key, const char *request_hash,
			   struct idempotency_claim *out, struct errinfo *ei)
{
	memset(out, 0, sizeof *out);
	if (!idempotency_key_ok(key))
		return err_set(ei, ERR_INVALID, "Idempotency-Key", "an Idempotency-Key is 1 to %d printable characters",
			       IDEMPOTENCY_KEY_MAX);
	/* expired answers go first (this key's, and a few others without waiting on anyone), so
	 * an old key may be used again and the table stays small */
	enum err e = DB_EXEC(db, a, NULL, ei,
			     "DELETE FROM idempotency_keys WHERE ctid IN (SELECT ctid FROM idempotency_keys"
			     " WHERE created_at < now() - interval '24 hours' AND key <> $1 LIMIT 100 FOR UPDATE SKIP LOCKED)"
			     " OR (key = $1 AND created_at < now() - interval '24 hours')",
			     key);
	struct db_res *r;
	if (!e)
		e = DB_EXEC(db, a, &r, ei,
			    "INSERT INTO idempotency_keys (tenant_id, key, user_id, request_hash, status, response)"
			    " VALUES (app_tenant(), $1, app_user(), $2, 0, '') ON CONFLICT (tenant_id, key) DO NOTHING"
			    " RETURNING 1 AS claimed",
			    key, request_hash);
	if (e || db_res_rows(r) == 1)
		return e;
	/* someone answered this key before (their transaction has committed: we waited on it) */
	e = DB_EXEC(db, a, &r, ei, "SELECT request_hash, status, response FROM idempotency_keys WHERE key = $1", key);
	if (e)
		return e;
	if (db_res_rows(r) != 1)
		return err_set(ei, ERR_CONFLICT, "Idempotency-Key", "the request with this Idempotency-Key is still running");
	if (strcmp(db_res_val(r, 0, "request_hash"), request_hash))
		return err_set(ei, ERR_INVALID, "Idempotency-Key",
			       "this Idempotency-Key was already used for a different request");
	out->replay = true;
	out->status = (int)db_res_ll(r, 0, "status", 500);
	out->response = db_res_val(r, 0, "response");
	return ERR_OK;
}

enum err idempotency_store(struct db *db, struct arena *a, const char *key, int status, const char *response,
			   struct errinfo *ei)
{
	char st[16];
	snprintf(st, sizeof st, "%d", status);
	return DB_EXEC(db, a, NULL, ei, "UPDATE idempotency_keys SET status = $2::int, response = $3 WHERE key = $1", key,
		       st, response);
}
