/* crypto_jwt.h — our own small JWT / JWKS code (OpenSSL EVP + jansson).
 *
 * Two separate verifiers so one can never accept the other's tokens:
 *   crypto_jwt_verify_rs256   third-party ID tokens (OIDC), alg exactly "RS256", key by kid
 *                             from a JWKS; never HS256, never "none", never a key in the token.
 *   crypto_jwt_verify_hs256   our own session access tokens, HMAC-SHA256 with our key.
 * Error codes of the verifiers (detail in *ei, each failure with its own message and,
 * for claims, the claim as JSON Pointer in ei->path):
 *   ERR_TOO_LARGE   token over CRYPTO_JWT_MAX_LEN, JSON nested deeper than CRYPTO_JSON_MAX_DEPTH
 *   ERR_MALFORMED   not compact JWS, bad base64url, bad JSON, header/claims not objects
 *   ERR_NOT_FOUND   (RS256 only) the header's kid is not in this key set: refresh and retry
 *   ERR_UNAUTHORIZED wrong alg, crit header, bad signature, failed claim checks
 * Claims come back as a new json_t object the caller json_decref()s. */
#ifndef RS_CRYPTO_JWT_H
#define RS_CRYPTO_JWT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "base/buf.h"
#include "base/err.h"

#define CRYPTO_JWT_MAX_LEN 16384      /* bytes of compact token */
#define CRYPTO_JSON_MAX_DEPTH 16      /* nesting of header, claims and JWKS JSON */
#define CRYPTO_JWKS_MAX_BYTES 65536   /* JWKS document */
#define CRYPTO_JWKS_MAX_KEYS 32       /* entries of "keys" (all types) */
#define CRYPTO_JWT_KID_MAX 128
#define CRYPTO_JWT_LEEWAY_S 60        /* recommended clock leeway for third-party tokens */
#define CRYPTO_RSA_MIN_BITS 2048
#define CRYPTO_RSA_MAX_BITS 8192
#define CRYPTO_HS256_MIN_KEY 32       /* bytes */

/* ---- JWKS: an immutable, reference-counted set of RS256 verification keys ---- */
struct crypto_jwks;

/* Parse a JWKS document {"keys":[...]}. Keys kept: kty "RSA" whose "use" (if present)
 * is "sig", whose "key_ops" (if present) include "verify", whose "alg" (if present) is
 * "RS256", with a kid; others are skipped. A kept key with bad n/e (not strict
 * base64url, modulus outside 2048..8192 bits, even or tiny exponent, failing OpenSSL's
 * public-key check) or a duplicate kid rejects the whole set, as does a set with no
 * usable key. Returns a set with one reference. */
enum err crypto_jwks_parse(const char *json, size_t len, struct crypto_jwks **out, struct errinfo *ei) RS_MUST_CHECK;
struct crypto_jwks *crypto_jwks_ref(struct crypto_jwks *jwks);
void crypto_jwks_release(struct crypto_jwks *jwks); /* NULL is fine; frees at the last reference */
size_t crypto_jwks_count(const struct crypto_jwks *jwks);
bool crypto_jwks_has_kid(const struct crypto_jwks *jwks, const char *kid);

/* Verify a compact JWS signed with RS256 by a key of jwks (chosen by the header's kid).
 * Checks only the header and signature: call crypto_jwt_check_oidc() on the claims. */
enum err crypto_jwt_verify_rs256(const struct crypto_jwks *jwks, const char *token, size_t len, json_t **claims_out,
				 struct errinfo *ei) RS_MUST_CHECK;

/* ---- OIDC ID token claims (OpenID Connect Core §3.1.3.7) ---- */
struct crypto_oidc_expect {
	const char *issuer;    /* exact match of "iss" */
	const char *client_id; /* in "aud"; equals "azp" when azp is present or aud has several */
	const char *nonce;     /* the nonce of this login attempt; required */
	time_t now;            /* 0 = time(NULL) */
	int leeway_s;          /* clock skew allowed for exp / iat / nbf; CRYPTO_JWT_LEEWAY_S */
};

/* Check iss, aud/azp, exp (required), iat (required, not in the future beyond leeway),
 * nbf (if present), nonce, sub (non-empty), email (non-empty) and email_verified (must be
 * JSON true). ERR_UNAUTHORIZED with ei->path = "/<claim>" and a message naming the
 * problem; ERR_INTERNAL when the expectation itself is incomplete. */
enum err crypto_jwt_check_oidc(const json_t *claims, const struct crypto_oidc_expect *x,
			       struct errinfo *ei) RS_MUST_CHECK;

/* ---- JWKS cache: thread-safe, fetches through the caller's callback ---- */

/* Fetch the provider's JWKS document: on ERR_OK *json_out is a malloc'd NUL-terminated
 * string the cache frees. Called with no cache lock held but never twice at once. */
typedef enum err (*jwks_fetch_fn)(void *arg, char **json_out);

struct crypto_jwks_cache_opts {
	jwks_fetch_fn fetch;   /* required */
	void *arg;
	int min_refresh_s;     /* never fetch twice within this many seconds; 0 = 30 */
	int max_age_s;         /* refetch keys older than this on next use; 0 = 3600 */
	time_t (*clock)(void); /* NULL = time(NULL); tests inject a fake clock */
};

struct crypto_jwks_cache;

struct crypto_jwks_cache *crypto_jwks_cache_new(const struct crypto_jwks_cache_opts *opts);
void crypto_jwks_cache_free(struct crypto_jwks_cache *c); /* NULL is fine */

/* The current key set with a reference the caller releases. Fetches first when there is
 * none or it is older than max_age (keeping the old set when that fetch fails).
 * ERR_UPSTREAM (or the fetch's / parser's code) when no key set could be had. */
enum err crypto_jwks_cache_get(struct crypto_jwks_cache *c, struct crypto_jwks **out, struct errinfo *ei) RS_MUST_CHECK;

/* "A token names a kid we do not know: refresh." Fetches now unless a fetch was tried
 * less than min_refresh_s ago (ERR_RATE_LIMITED, keys unchanged). On fetch or parse
 * failure the previous keys stay and the error is returned. */
enum err crypto_jwks_cache_refresh(struct crypto_jwks_cache *c, struct errinfo *ei) RS_MUST_CHECK;

/* crypto_jwt_verify_rs256 against the cached keys; on an unknown kid refreshes once (rate
 * limited) and retries with the new keys. An unknown kid after that is ERR_UNAUTHORIZED. */
enum err crypto_jwks_cache_verify_rs256(struct crypto_jwks_cache *c, const char *token, size_t len,
					json_t **claims_out, struct errinfo *ei) RS_MUST_CHECK;

/* Number of fetch attempts so far and time of the last successful one (0 = never). */
unsigned crypto_jwks_cache_fetch_count(struct crypto_jwks_cache *c);
time_t crypto_jwks_cache_fetched_at(struct crypto_jwks_cache *c);

/* ---- HS256: our own session access tokens ---- */

/* Append header {"alg":"HS256","typ":"JWT"} . claims . HMAC-SHA256 to out. claims must
 * be an object with a numeric "exp". key: at least CRYPTO_HS256_MIN_KEY bytes (derive it
 * with crypto_key_derive(master, "session")). */
enum err crypto_jwt_sign_hs256(const void *key, size_t keylen, const json_t *claims, struct buf *out,
			       struct errinfo *ei) RS_MUST_CHECK;

/* Verify a token made by crypto_jwt_sign_hs256: header exactly alg HS256 (+ typ JWT),
 * signature in constant time, "exp" required and > now, "iat" (if present) not beyond
 * now + CRYPTO_JWT_LEEWAY_S, "nbf" (if present) <= now. now 0 = time(NULL). */
enum err crypto_jwt_verify_hs256(const void *key, size_t keylen, const char *token, size_t len, time_t now,
				 json_t **claims_out, struct errinfo *ei) RS_MUST_CHECK;

#endif
