/* Purpose keys from the master secret, signed short-lived values, CSRF tokens. */
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "crypto/crypto_hash.h"
#include "crypto/crypto_jwt.h"
#include "crypto/crypto_kdf.h"
#include "web/auth/auth.h"

enum err auth_key(const struct platform *pf, const char *purpose, unsigned char out[32])
{
	if (!pf->secret || strlen(pf->secret) < CRYPTO_MASTER_MIN_LEN)
		return ERR_INTERNAL;
	return crypto_key_derive(pf->secret, strlen(pf->secret), purpose, out);
}

enum err auth_signed_make(const struct platform *pf, const char *purpose, json_t *claims, int ttl_s, struct arena *a,
			  char **out, struct errinfo *ei)
{
	unsigned char key[32];
	if (auth_key(pf, purpose, key))
		return err_set(ei, ERR_INTERNAL, "", "no master secret to sign with");
	time_t now = time(NULL);
	json_object_set_new(claims, "exp", json_integer((json_int_t)now + ttl_s));
	struct buf b;
	buf_init(&b, 8192);
	enum err e = crypto_jwt_sign_hs256(key, sizeof key, claims, &b, ei);
	if (!e)
		*out = arena_strndup(a, b.data, b.len);
	buf_fini(&b);
	memset(key, 0, sizeof key);
	return e;
}

enum err auth_signed_read(const struct platform *pf, const char *purpose, const char *text, json_t **claims,
			  struct errinfo *ei)
{
	unsigned char key[32];
	*claims = NULL;
	if (!text || !*text)
		return err_set(ei, ERR_UNAUTHORIZED, "", "missing");
	if (auth_key(pf, purpose, key))
		return err_set(ei, ERR_INTERNAL, "", "no master secret to verify with");
	enum err e = crypto_jwt_verify_hs256(key, sizeof key, text, strlen(text), 0, claims, ei);
	memset(key, 0, sizeof key);
	if (e && e != ERR_INTERNAL)
		e = ERR_UNAUTHORIZED;
	return e;
}

enum err auth_csrf_token(const struct platform *pf, const char *session_id, char out[64])
{
	unsigned char key[32], mac[CRYPTO_SHA256_LEN];
	if (auth_key(pf, "csrf", key))
		return ERR_INTERNAL;
	struct crypto_part parts[] = {{"csrf:", 5}, {session_id, strlen(session_id)}};
	crypto_hmac_sha256_parts(key, sizeof key, parts, 2, mac);
	memset(key, 0, sizeof key);
	crypto_b64url_encode(out, mac, sizeof mac);
	return ERR_OK;
}
