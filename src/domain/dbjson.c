#include "domain/dbjson.h"

#include <string.h>

#include "base/strutil.h"
#include "crypto/crypto_hash.h"
#include "json/json_parse.h"

enum err dbjson_parse(const char *text, json_t **out, struct errinfo *ei)
{
	*out = NULL;
	if (!text)
		return err_set(ei, ERR_INTERNAL, "", "the database returned no JSON");
	struct errinfo pe = {0};
	if (json_parse_strict(text, strlen(text), &(struct json_caps){DBJSON_MAX_BYTES, 128}, out, &pe) != ERR_OK)
		return err_set(ei, ERR_INTERNAL, "", "the database returned bad JSON: %s", pe.message);
	return ERR_OK;
}

enum err dbjson_one(struct db *db, struct arena *a, json_t **out, struct errinfo *ei, const char *what,
		    const char *sql, int n, const char *const *params)
{
	*out = NULL;
	struct db_res *r;
	enum err e = db_exec(db, a, &r, ei, sql, n, params);
	if (e)
		return e;
	if (db_res_rows(r) < 1)
		return err_set(ei, ERR_NOT_FOUND, "", "%s not found", what);
	return dbjson_parse(db_res_val(r, 0, "j"), out, ei);
}

enum err dbjson_page(struct db *db, struct arena *a, int limit, struct dbjson_page *out, struct errinfo *ei,
		     const char *sql, int n, const char *const *params)
{
	out->items = NULL;
	out->next_cursor = NULL;
	struct db_res *r;
	enum err e = db_exec(db, a, &r, ei, sql, n, params);
	if (e)
		return e;
	int rows = db_res_rows(r);
	json_t *items = json_array();
	for (int i = 0; i < rows && i < limit; i++) {
		json_t *v;
		if ((e = dbjson_parse(db_res_val(r, i, "j"), &v, ei))) {
			json_decref(items);
			return e;
		}
		json_array_append_new(items, v);
	}
	if (rows > limit && limit > 0) {
		const char *k = db_res_val(r, limit - 1, "k");
		size_t kl = k ? strlen(k) : 0;
		char *c = arena_alloc(a, crypto_b64url_len(kl) + 1);
		crypto_b64url_encode(c, k ? k : "", kl);
		out->next_cursor = c;
	}
	out->items = items;
	return ERR_OK;
}

enum err dbjson_cursor_key(struct arena *a, const char *cursor, const char **key, struct errinfo *ei)
{
	*key = NULL;
	if (!cursor)
		return ERR_OK;
	size_t n = strlen(cursor);
	if (n == 0 || n > crypto_b64url_len(DBJSON_CURSOR_MAX))
		return err_set(ei, ERR_INVALID, "cursor", "not a cursor from this API");
	char *k = arena_alloc(a, crypto_b64url_decoded_max(n) + 1);
	size_t kl;
	if (crypto_b64url_decode(cursor, n, k, crypto_b64url_decoded_max(n), &kl) != ERR_OK || kl == 0)
		return err_set(ei, ERR_INVALID, "cursor", "not a cursor from this API");
	k[kl] = 0;
	for (size_t i = 0; i < kl; i++)
		if ((unsigned char)k[i] < 0x20 || (unsigned char)k[i] == 0x7f)
			return err_set(ei, ERR_INVALID, "cursor", "not a cursor from this API");
	if (!str_utf8_valid(k, kl))
		return err_set(ei, ERR_INVALID, "cursor", "not a cursor from this API");
	*key = k;
	return ERR_OK;
}

enum err dbjson_limit(const char *text, int *limit, struct errinfo *ei)
{
	*limit = DBJSON_LIMIT_DEFAULT;
	if (!text)
		return ERR_OK;
	int64_t v;
	if (!str_to_i64(text, 1, DBJSON_LIMIT_MAX, &v))
		return err_set(ei, ERR_INVALID, "limit", "limit must be a whole number from 1 to %d", DBJSON_LIMIT_MAX);
	*limit = (int)v;
	return ERR_OK;
}

const char *dbjson_limit_param(struct arena *a, int limit) { return arena_sprintf(a, "%d", limit + 1); }
