/* feeds.c — feed tokens, links, rotation and resolution (see feeds.h; rendering is in
 * feeds_render.c). */
#include "domain/feeds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/strutil.h"
#include "crypto/crypto_hash.h"
#include "crypto/crypto_kdf.h"
#include "crypto/crypto_random.h"

static const char token_label[] = "radsched-ics-token/v1";

/* ---- tokens -------------------------------------------------------------------------- */

bool feeds_key_ok(const char *feed_key)
{
	return feed_key && (!strcmp(feed_key, FEED_MASTER) || str_is_uuid(feed_key));
}

enum err feeds_token_derive(const char *secret, const char *tenant_id, const char *feed_key, int generation,
			    char out[FEED_TOKEN_SIZE])
{
	if (!secret || !tenant_id || !str_is_uuid(tenant_id) || !feeds_key_ok(feed_key) || generation < 1)
		return ERR_INVALID;
	unsigned char key[CRYPTO_DERIVED_KEY_LEN];
	enum err e = crypto_key_derive(secret, strlen(secret), "ics", key);
	if (e)
		return e;
	char gen[16];
	int gl = snprintf(gen, sizeof gen, "%d", generation);
	struct crypto_part parts[] = {
		{token_label, sizeof token_label}, /* the NUL separates the fields */
		{tenant_id, strlen(tenant_id) + 1},
		{feed_key, strlen(feed_key) + 1},
		{gen, (size_t)gl},
	};
	unsigned char mac[CRYPTO_SHA256_LEN];
	crypto_hmac_sha256_parts(key, sizeof key, parts, sizeof parts / sizeof parts[0], mac);
	crypto_b64url_encode(out, mac, FEED_TOKEN_BYTES);
	memset(key, 0, sizeof key);
	memset(mac, 0, sizeof mac);
	return ERR_OK;
}

bool feeds_token_shape_ok(const char *s, size_t len)
{
	if (len != FEED_TOKEN_LEN)
		return false;
	unsigned char raw[FEED_TOKEN_BYTES + 4];
	size_t n = 0;
	return crypto_b64url_decode(s, len, raw, sizeof raw, &n) == ERR_OK && n == FEED_TOKEN_BYTES;
}

enum err feeds_link_format(const char *base_url, const char *token, struct feed_link *out)
{
	const char *rest;
	if (str_starts_with(base_url, "https://"))
		rest = base_url + 8;
	else if (str_starts_with(base_url, "http://"))
		rest = base_url + 7;
	else
		return ERR_INVALID;
	size_t bl = strlen(base_url);
	while (bl > 0 && base_url[bl - 1] == '/')
		bl--;
	size_t rl = bl - (size_t)(rest - base_url);
	int n1 = snprintf(out->https, sizeof out->https, "%.*s/ics/%s.ics", (int)bl, base_url, token);
	int n2 = snprintf(out->webcal, sizeof out->webcal, "webcal://%.*s/ics/%s.ics", (int)rl, rest, token);
	if (n1 < 0 || n2 < 0 || (size_t)n1 >= sizeof out->https || (size_t)n2 >= sizeof out->webcal)
		return ERR_TOO_LARGE;
	return ERR_OK;
}

/* ---- links and rotation -------------------------------------------------------------- */

static enum err tenant_of_tx(struct db *db, struct arena *a, char out[37], struct errinfo *ei)
{
	struct db_res *r;
	enum err e = DB_EXEC0(db, a, &r, ei, "SELECT app_tenant()::text AS t");
	if (e)
		return e;
	const char *t = db_res_val(r, 0, "t");
	if (!t)
		return err_set(ei, ERR_INTERNAL, "", "feeds: no tenant in the transaction");
	snprintf(out, 37, "%s", t);
	return ERR_OK;
}

/* A person's feed needs the person in this tenant. */
static enum err key_exists(struct db *db, struct arena *a, const char *feed_key, struct errinfo *ei)
{
	if (!feeds_key_ok(feed_key))
		return err_set(ei, ERR_INVALID, "feed", "a feed is 'master' or a person's id");
	if (!strcmp(feed_key, FEED_MASTER))
		return ERR_OK;
	struct db_res *r;
	enum err e = DB_EXEC(db, a, &r, ei, "SELECT 1 FROM users WHERE id = $1::uuid", feed_key);
	if (!e && db_res_rows(r) != 1)
		e = err_set(ei, ERR_NOT_FOUND, "user", "no such person in this department");
	return e;
}

static enum err link_of(const char *secret, const char *base_url, const char *tenant, const char *feed_key,
			int generation, struct feed_link *out, char hash[CRYPTO_SHA256_HEX_SIZE], struct errinfo *ei)
{
	char token[FEED_TOKEN_SIZE];
	if (feeds_token_derive(secret, tenant, feed_key, generation, token))
		return err_set(ei, ERR_INVALID, "secret", "the server secret is missing or shorter than %d bytes",
			       CRYPTO_MASTER_MIN_LEN);
	crypto_token_hash(token, hash);
	memset(out, 0, sizeof *out);
	snprintf(out->feed_key, sizeof out->feed_key, "%s", feed_key);
	out->generation = generation;
	enum err e = feeds_link_format(base_url, token, out);
	memset(token, 0, sizeof token);
	if (e)
		return err_set(ei, e, "base_url", "the base URL cannot carry a feed link");
	return ERR_OK;
}

enum err feeds_link_get(struct db *db, struct arena *a, const char *secret, const char *base_url, const char *feed_key,
			struct feed_link *out, struct errinfo *ei)
{
	char tenant[37], hash[CRYPTO_SHA256_HEX_SIZE], gen[16];
	enum err e = key_exists(db, a, feed_key, ei);
	if (!e)
		e = tenant_of_tx(db, a, tenant, ei);
	if (!e)
		e = link_of(secret, base_url, tenant, feed_key, 1, out, hash, ei);
	struct db_res *r;
	if (!e)
		e = DB_EXEC(db, a, NULL, ei,
			    "INSERT INTO feed_tokens (tenant_id, feed_key, generation, token_hash)"
			    " VALUES (app_tenant(), $1, 1, $2) ON CONFLICT (tenant_id, feed_key) DO NOTHING",
			    feed_key, hash);
	if (!e)
		e = DB_EXEC(db, a, &r, ei, "SELECT generation, token_hash FROM feed_tokens WHERE feed_key = $1", feed_key);
	if (e)
		return e;
	if (db_res_rows(r) != 1)
		return err_set(ei, ERR_INTERNAL, "", "feed token row vanished");
	int g = (int)db_res_ll(r, 0, "generation", 1);
	if ((e = link_of(secret, base_url, tenant, feed_key, g, out, hash, ei)))
		return e;
	const char *stored = db_res_val(r, 0, "token_hash");
	if (!stored || !crypto_ct_equal(stored, strlen(stored), hash, strlen(hash))) {
		/* the secret changed since this token was stored: its URLs are dead already */
		snprintf(gen, sizeof gen, "%d", g);
		e = DB_EXEC(db, a, NULL, ei, "UPDATE feed_tokens SET token_hash = $2 WHERE feed_key = $1 AND generation = $3::int",
			    feed_key, hash, gen);
		if (!e)
			log_kv(LOG_WARN, "feed token re-keyed: the server secret changed", "feed", feed_key, NULL);
	}
	return e;
}

enum err feeds_rotate(struct db *db, struct arena *a, const char *secret, const char *base_url, const char *feed_key,
		      struct feed_link *out, struct errinfo *ei)
{
	char tenant[37], hash[CRYPTO_SHA256_HEX_SIZE], gen[16];
	enum err e = key_exists(db, a, feed_key, ei);
	if (!e)
		e = tenant_of_tx(db, a, tenant, ei);
	struct db_res *r;
	/* lock the row (or learn there is none) so two rotations serialise */
	if (!e)
		e = DB_EXEC(db, a, &r, ei, "SELECT generation FROM feed_tokens WHERE feed_key = $1 FOR UPDATE", feed_key);
	if (e)
		return e;
	/* a feed that never had a token starts at 2: even a derived generation-1 URL stays dead */
	int g = db_res_rows(r) == 1 ? (int)db_res_ll(r, 0, "generation", 1) + 1 : 2;
	if ((e = link_of(secret, base_url, tenant, feed_key, g, out, hash, ei)))
		return e;
	snprintf(gen, sizeof gen, "%d", g);
	e = DB_EXEC(db, a, NULL, ei,
		    "INSERT INTO feed_tokens (tenant_id, feed_key, generation, token_hash) VALUES (app_tenant(), $1, $2::int, $3)"
		    " ON CONFLICT (tenant_id, feed_key) DO UPDATE"
		    " SET generation = EXCLUDED.generation, token_hash = EXCLUDED.token_hash, rotated_at = now()",
		    feed_key, gen, hash);
	if (!e)
		e = DB_EXEC(db, a, NULL, ei,
			    "SELECT audit_event('ics.token.rotate', 'feed_tokens', $1, jsonb_build_object('feed', $1::text,"
			    " 'generation', $2::int))",
			    feed_key, gen);
	return e;
}

enum err feeds_rotate_all(struct db *db, struct arena *a, const char *secret, int *count, struct errinfo *ei)
{
	*count = 0;
	char tenant[37];
	struct db_res *r;
	enum err e = tenant_of_tx(db, a, tenant, ei);
	if (!e)
		e = DB_EXEC0(db, a, &r, ei, "SELECT feed_key, generation FROM feed_tokens ORDER BY feed_key FOR UPDATE");
	if (e)
		return e;
	for (int i = 0; i < db_res_rows(r) && !e; i++) {
		const char *key = db_res_val(r, i, "feed_key");
		int g = (int)db_res_ll(r, i, "generation", 1) + 1;
		char token[FEED_TOKEN_SIZE], hash[CRYPTO_SHA256_HEX_SIZE], gen[16];
		if (feeds_token_derive(secret, tenant, key, g, token))
			return err_set(ei, ERR_INVALID, "secret", "the server secret is missing or too short");
		crypto_token_hash(token, hash);
		memset(token, 0, sizeof token);
		snprintf(gen, sizeof gen, "%d", g);
		e = DB_EXEC(db, a, NULL, ei,
			    "UPDATE feed_tokens SET generation = $2::int, token_hash = $3, rotated_at = now() WHERE feed_key = $1",
			    key, gen, hash);
	}
	if (!e) {
		char n[16];
		snprintf(n, sizeof n, "%d", db_res_rows(r));
		e = DB_EXEC(db, a, NULL, ei,
			    "SELECT audit_event('ics.token.rotate_all', 'feed_tokens', NULL, jsonb_build_object('feeds', $1::int))",
			    n);
	}
	if (!e)
		*count = db_res_rows(r);
	return e;
}

enum err feeds_user_by_email(struct db *db, struct arena *a, const char *email, char out[37], struct errinfo *ei)
{
	struct db_res *r;
	enum err e = DB_EXEC(db, a, &r, ei, "SELECT id::text AS id FROM users WHERE lower(email) = lower($1)", email);
	if (e)
		return e;
	if (db_res_rows(r) != 1)
		return err_set(ei, ERR_NOT_FOUND, "--user", "no person with e-mail %s in this department", email);
	snprintf(out, 37, "%s", db_res_val(r, 0, "id"));
	return ERR_OK;
}

/* ---- serving ------------------------------------------------------------------------- */

enum err feeds_resolve(struct db *db, struct arena *a, const unsigned char token_hash[32], struct feed_ref *out,
		       bool *found, struct errinfo *ei)
{
	char hex[CRYPTO_SHA256_HEX_SIZE];
	crypto_hex_encode(hex, token_hash, 32);
	struct db_res *r;
	*found = false;
	enum err e = DB_EXEC(db, a, &r, ei,
			     "SELECT tenant_id::text AS t, feed_key, generation, version, changed_at, config_version, available"
			     " FROM feed_resolve($1)",
			     hex);
	if (e || db_res_rows(r) != 1)
		return e;
	memset(out, 0, sizeof *out);
	snprintf(out->tenant_id, sizeof out->tenant_id, "%s", db_res_val(r, 0, "t"));
	snprintf(out->feed_key, sizeof out->feed_key, "%s", db_res_val(r, 0, "feed_key"));
	out->generation = (int)db_res_ll(r, 0, "generation", 0);
	out->version = db_res_ll(r, 0, "version", 0);
	out->changed_at = db_res_ll(r, 0, "changed_at", 0);
	out->config_version = (int)db_res_ll(r, 0, "config_version", 0);
	out->available = db_res_bool(r, 0, "available");
	*found = true;
	return ERR_OK;
}

bool feeds_ref_same(const struct feed_ref *a, const struct feed_ref *b)
{
	return !strcmp(a->tenant_id, b->tenant_id) && !strcmp(a->feed_key, b->feed_key) &&
	       a->generation == b->generation && a->version == b->version && a->changed_at == b->changed_at &&
	       a->config_version == b->config_version && a->available == b->available;
}
