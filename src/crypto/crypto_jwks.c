/* crypto_jwks.c — JSON Web Key Set → RSA public keys (EVP_PKEY_fromdata). */
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "crypto/crypto_hash.h"
#include "crypto/crypto_jwt_internal.h"

struct jwk_rsa {
	char kid[CRYPTO_JWT_KID_MAX + 1];
	EVP_PKEY *pkey;
};

struct crypto_jwks {
	atomic_int refs;
	size_t n;
	struct jwk_rsa keys[CRYPTO_JWKS_MAX_KEYS];
};

struct crypto_jwks *crypto_jwks_ref(struct crypto_jwks *jwks)
{
	atomic_fetch_add(&jwks->refs, 1);
	return jwks;
}

void crypto_jwks_release(struct crypto_jwks *jwks)
{
	if (!jwks || atomic_fetch_sub(&jwks->refs, 1) != 1)
		return;
	for (size_t i = 0; i < jwks->n; i++)
		EVP_PKEY_free(jwks->keys[i].pkey);
	free(jwks);
}

size_t crypto_jwks_count(const struct crypto_jwks *jwks)
{
	return jwks->n;
}

EVP_PKEY *jwks_key_find(const struct crypto_jwks *jwks, const char *kid)
{
	for (size_t i = 0; i < jwks->n; i++)
		if (strcmp(jwks->keys[i].kid, kid) == 0)
			return jwks->keys[i].pkey;
	return NULL;
}

bool crypto_jwks_has_kid(const struct crypto_jwks *jwks, const char *kid)
{
	return jwks_key_find(jwks, kid) != NULL;
}

/* Decode one base64url big-endian integer member of key i into a BIGNUM. */
static enum err jwk_bn(const json_t *key, const char *name, size_t i, BIGNUM **out, struct errinfo *ei)
{
	const json_t *v = json_object_get(key, name);
	*out = NULL;
	if (!json_is_string(v) || json_string_length(v) == 0)
		return err_set(ei, ERR_INVALID, "", "JWKS key %zu: \"%s\" is missing or not a string", i, name);
	unsigned char *raw;
	size_t n;
	char what[64];
	snprintf(what, sizeof what, "JWKS key %zu \"%s\"", i, name);
	enum err e = jwt_segment_bytes(json_string_value(v), json_string_length(v), what, &raw, &n, ei);
	if (e)
		return e;
	*out = BN_bin2bn(raw, (int)n, NULL); /* leading zero octets (seen in the wild) vanish here */
	free(raw);
	if (!*out)
		abort(); /* out of memory */
	return ERR_OK;
}

/* Build an RSA public EVP_PKEY from n and e through OSSL_PARAM. */
static enum err jwk_rsa_key(const json_t *key, size_t i, EVP_PKEY **out, struct errinfo *ei)
{
	BIGNUM *n = NULL, *e = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL, *chk = NULL;
	enum err r = jwk_bn(key, "n", i, &n, ei);
	if (!r)
		r = jwk_bn(key, "e", i, &e, ei);
	if (r)
		goto out;
	int bits = BN_num_bits(n);
	if (bits < CRYPTO_RSA_MIN_BITS || bits > CRYPTO_RSA_MAX_BITS) {
		r = err_set(ei, ERR_INVALID, "", "JWKS key %zu: RSA modulus of %d bits is outside %d..%d", i, bits,
			    CRYPTO_RSA_MIN_BITS, CRYPTO_RSA_MAX_BITS);
		goto out;
	}
	if (!BN_is_odd(e) || BN_num_bits(e) < 2 || BN_num_bits(e) > 64) {
		r = err_set(ei, ERR_INVALID, "", "JWKS key %zu: RSA exponent must be odd, at least 3 and at most 64 bits",
			    i);
		goto out;
	}
	bld = OSSL_PARAM_BLD_new();
	if (!bld || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) || !(params = OSSL_PARAM_BLD_to_param(bld)))
		abort(); /* out of memory */
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (!ctx || EVP_PKEY_fromdata_init(ctx) != 1 || EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) != 1) {
		r = err_set(ei, ERR_INVALID, "", "JWKS key %zu: OpenSSL refused the RSA public key", i);
		goto out;
	}
	chk = EVP_PKEY_CTX_new_from_pkey(NULL, *out, NULL);
	if (!chk || EVP_PKEY_public_check(chk) != 1) {
		EVP_PKEY_free(*out);
		*out = NULL;
		r = err_set(ei, ERR_INVALID, "", "JWKS key %zu: RSA public key fails OpenSSL's validity check", i);
	}
out:
	EVP_PKEY_CTX_free(chk);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	ERR_clear_error();
	return r;
}

static bool str_member_is(const json_t *key, const char *name, const char *want)
{
	const json_t *v = json_object_get(key, name);
	return json_is_string(v) && strcmp(json_string_value(v), want) == 0;
}

/* true when key is one we verify RS256 signatures with; other keys are skipped. */
static bool jwk_usable(const json_t *key)
{
	if (!str_member_is(key, "kty", "RSA"))
		return false;
	if (json_object_get(key, "use") && !str_member_is(key, "use", "sig"))
		return false;
	if (json_object_get(key, "alg") && !str_member_is(key, "alg", "RS256"))
		return false;
	const json_t *ops = json_object_get(key, "key_ops");
	if (ops) {
		bool verify = false;
		size_t j;
		const json_t *op;
		json_array_foreach(ops, j, op) verify |= json_is_string(op) && strcmp(json_string_value(op), "verify") == 0;
		if (!verify)
			return false;
	}
	return true;
}

enum err crypto_jwks_parse(const char *json, size_t len, struct crypto_jwks **out, struct errinfo *ei)
{
	*out = NULL;
	if (len > CRYPTO_JWKS_MAX_BYTES)
		return err_set(ei, ERR_TOO_LARGE, "", "JWKS of %zu bytes is over the %d-byte cap", len,
			       CRYPTO_JWKS_MAX_BYTES);
	json_t *doc;
	enum err e = jwt_json_load(json, len, "JWKS", &doc, ei);
	if (e)
		return e;
	const json_t *keys = json_object_get(doc, "keys");
	if (!json_is_array(keys)) {
		json_decref(doc);
		return err_set(ei, ERR_MALFORMED, "/keys", "JWKS has no \"keys\" array");
	}
	if (json_array_size(keys) > CRYPTO_JWKS_MAX_KEYS) {
		json_decref(doc);
		return err_set(ei, ERR_TOO_LARGE, "/keys", "JWKS has %zu keys, over the cap of %d",
			       json_array_size(keys), CRYPTO_JWKS_MAX_KEYS);
	}
	struct crypto_jwks *set = xcalloc(1, sizeof *set);
	atomic_init(&set->refs, 1);
	size_t i;
	const json_t *key;
	json_array_foreach(keys, i, key) {
		if (!json_is_object(key)) {
			e = err_set(ei, ERR_MALFORMED, "/keys", "JWKS key %zu is not an object", i);
			break;
		}
		if (!jwk_usable(key))
			continue;
		const json_t *kid = json_object_get(key, "kid");
		size_t kl = json_is_string(kid) ? json_string_length(kid) : 0;
		if (kl == 0 || kl > CRYPTO_JWT_KID_MAX || strlen(json_string_value(kid)) != kl)
			continue; /* no usable kid: a token could never select it */
		if (jwks_key_find(set, json_string_value(kid))) {
			e = err_set(ei, ERR_INVALID, "/keys", "JWKS key %zu: kid \"%s\" appears twice", i,
				    json_string_value(kid));
			break;
		}
		struct jwk_rsa *k = &set->keys[set->n];
		e = jwk_rsa_key(key, i, &k->pkey, ei);
		if (e)
			break;
		memcpy(k->kid, json_string_value(kid), kl + 1);
		set->n++;
	}
	json_decref(doc);
	if (!e && set->n == 0)
		e = err_set(ei, ERR_INVALID, "/keys", "JWKS has no usable RS256 signing key");
	if (e) {
		crypto_jwks_release(set);
		return e;
	}
	*out = set;
	return ERR_OK;
}
