/* crypto_jwt_hs256.c — our own session access tokens: HS256 sign and verify. */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto_hash.h"
#include "crypto/crypto_jwt_internal.h"

/* base64url of {"alg":"HS256","typ":"JWT"}: the one header we produce */
static const char hs256_header[] = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

enum err crypto_jwt_sign_hs256(const void *key, size_t keylen, const json_t *claims, struct buf *out,
			       struct errinfo *ei)
{
	if (keylen < CRYPTO_HS256_MIN_KEY)
		return err_set(ei, ERR_INVALID, "", "HS256 key of %zu bytes is shorter than %d", keylen,
			       CRYPTO_HS256_MIN_KEY);
	if (!json_is_object(claims) || !json_is_number(json_object_get(claims, "exp")))
		return err_set(ei, ERR_INVALID, "/exp", "session token claims must be an object with a numeric \"exp\"");
	char *body = json_dumps(claims, JSON_COMPACT);
	if (!body)
		return err_set(ei, ERR_INVALID, "", "session token claims cannot be serialised");
	size_t mark = out->len;
	enum err e = buf_puts(out, hs256_header);
	if (!e)
		e = buf_putc(out, '.');
	if (!e)
		e = crypto_b64url_append(out, body, strlen(body));
	free(body);
	unsigned char mac[CRYPTO_SHA256_LEN];
	if (!e) {
		crypto_hmac_sha256(key, keylen, out->data + mark, out->len - mark, mac);
		e = buf_putc(out, '.');
	}
	if (!e)
		e = crypto_b64url_append(out, mac, sizeof mac);
	if (!e && out->len - mark > CRYPTO_JWT_MAX_LEN)
		e = ERR_TOO_LARGE; /* we could never verify it */
	if (e) {
		out->len = mark;
		if (out->data)
			out->data[mark] = 0;
		return err_set(ei, e, "", "session token does not fit (output cap or %d bytes)", CRYPTO_JWT_MAX_LEN);
	}
	return ERR_OK;
}

/* Only "alg" and "typ" may appear in our own header. */
static enum err hs256_header_check(const json_t *hdr, struct errinfo *ei)
{
	enum err e = jwt_header_check(hdr, "HS256", ei);
	if (e)
		return e;
	const char *name;
	const json_t *v;
	json_object_foreach((json_t *)hdr, name, v) {
		if (strcmp(name, "alg") != 0 && strcmp(name, "typ") != 0)
			return err_set(ei, ERR_UNAUTHORIZED, "", "session token header has unexpected member \"%.32s\"",
				       name);
	}
	return ERR_OK;
}

static enum err hs256_times(const json_t *claims, time_t now, struct errinfo *ei)
{
	const json_t *exp = json_object_get(claims, "exp"), *iat = json_object_get(claims, "iat"),
		     *nbf = json_object_get(claims, "nbf");
	if (!json_is_number(exp))
		return err_set(ei, ERR_UNAUTHORIZED, "/exp", "session token has no numeric \"exp\"");
	if ((double)now >= json_number_value(exp))
		return err_set(ei, ERR_UNAUTHORIZED, "/exp", "session token expired");
	if (iat && (!json_is_number(iat) || json_number_value(iat) > (double)now + CRYPTO_JWT_LEEWAY_S))
		return err_set(ei, ERR_UNAUTHORIZED, "/iat", "session token \"iat\" is in the future or not numeric");
	if (nbf && (!json_is_number(nbf) || json_number_value(nbf) > (double)now))
		return err_set(ei, ERR_UNAUTHORIZED, "/nbf", "session token is not valid yet");
	return ERR_OK;
}

enum err crypto_jwt_verify_hs256(const void *key, size_t keylen, const char *token, size_t len, time_t now,
				 json_t **claims_out, struct errinfo *ei)
{
	struct jwt_compact c;
	json_t *hdr = NULL, *claims = NULL;
	unsigned char *sig = NULL;
	size_t siglen = 0;
	*claims_out = NULL;
	if (keylen < CRYPTO_HS256_MIN_KEY)
		return err_set(ei, ERR_INVALID, "", "HS256 key of %zu bytes is shorter than %d", keylen,
			       CRYPTO_HS256_MIN_KEY);
	if (now == 0)
		now = time(NULL);
	enum err e = jwt_compact_split(token, len, &c, ei);
	if (!e)
		e = jwt_segment_json(c.head, c.headlen, "JWT header", &hdr, ei);
	if (!e)
		e = hs256_header_check(hdr, ei);
	if (!e)
		e = jwt_segment_bytes(c.sig, c.siglen, "JWT signature", &sig, &siglen, ei);
	if (e)
		goto out;
	unsigned char mac[CRYPTO_SHA256_LEN];
	crypto_hmac_sha256(key, keylen, c.head, c.signed_len, mac);
	if (!crypto_ct_equal(mac, sizeof mac, sig, siglen)) {
		e = err_set(ei, ERR_UNAUTHORIZED, "", "session token signature does not verify");
		goto out;
	}
	e = jwt_segment_json(c.body, c.bodylen, "JWT claims", &claims, ei);
	if (!e)
		e = hs256_times(claims, now, ei);
	if (e) {
		json_decref(claims);
		goto out;
	}
	*claims_out = claims;
out:
	free(sig);
	json_decref(hdr);
	return e;
}
