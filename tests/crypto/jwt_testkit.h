/* jwt_testkit.h — helpers for the JWT tests: RSA keys made with EVP, their JWKs, and
 * tokens signed here (RS256 with EVP_DigestSign, HS256 with our HMAC). Header-only
 * (the Makefile links one test file per binary); functions are static inline. */
#ifndef RS_TESTS_JWT_TESTKIT_H
#define RS_TESTS_JWT_TESTKIT_H

#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "crypto/crypto_hash.h"

#define TK_NOW 1700000000

static inline EVP_PKEY *tk_rsa_new(unsigned bits)
{
	EVP_PKEY *k = EVP_RSA_gen(bits);
	ck_assert_ptr_nonnull(k);
	return k;
}

static inline char *tk_b64(const void *p, size_t n)
{
	char *s = malloc(crypto_b64url_len(n) + 1);
	crypto_b64url_encode(s, p, n);
	return s;
}

/* base64url of a BIGNUM parameter ("n" or "e") of an RSA key. */
static inline char *tk_bn_b64(const EVP_PKEY *k, const char *name)
{
	BIGNUM *bn = NULL;
	ck_assert(EVP_PKEY_get_bn_param(k, name, &bn));
	int n = BN_num_bytes(bn);
	unsigned char *raw = malloc((size_t)n);
	BN_bn2bin(bn, raw);
	char *s = tk_b64(raw, (size_t)n);
	free(raw);
	BN_free(bn);
	return s;
}

/* A JWK object for k (new reference). */
static inline json_t *tk_jwk(const EVP_PKEY *k, const char *kid)
{
	char *n = tk_bn_b64(k, OSSL_PKEY_PARAM_RSA_N), *e = tk_bn_b64(k, OSSL_PKEY_PARAM_RSA_E);
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "kty", "RSA", "kid", kid, "use", "sig", "alg", "RS256",
			      "n", n, "e", e);
	free(n);
	free(e);
	return j;
}

/* {"keys":[...]} text from a NULL-terminated list of JWK objects (references stolen). */
static inline char *tk_jwks_text(json_t *first, ...)
{
	json_t *arr = json_array();
	va_list ap;
	va_start(ap, first);
	for (json_t *k = first; k; k = va_arg(ap, json_t *))
		json_array_append_new(arr, k);
	va_end(ap);
	json_t *doc = json_pack("{s:o}", "keys", arr);
	char *s = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	return s;
}

/* "b64(header).b64(claims)" of two JSON texts (used verbatim). */
static inline char *tk_signing_input(const char *header, const char *claims)
{
	char *h = tk_b64(header, strlen(header)), *c = tk_b64(claims, strlen(claims));
	size_t n = strlen(h) + strlen(c) + 2;
	char *s = malloc(n);
	snprintf(s, n, "%s.%s", h, c);
	free(h);
	free(c);
	return s;
}

static inline char *tk_join_sig(char *input, const unsigned char *sig, size_t siglen)
{
	char *sb = tk_b64(sig, siglen);
	size_t n = strlen(input) + strlen(sb) + 2;
	char *tok = malloc(n);
	snprintf(tok, n, "%s.%s", input, sb);
	free(sb);
	free(input);
	return tok;
}

/* RS256-sign header.claims with k. */
static inline char *tk_sign_rs256(EVP_PKEY *k, const char *header, const char *claims)
{
	char *input = tk_signing_input(header, claims);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	size_t siglen = 0;
	ck_assert(EVP_DigestSignInit_ex(md, NULL, "SHA256", NULL, NULL, k, NULL) == 1);
	ck_assert(EVP_DigestSign(md, NULL, &siglen, (const unsigned char *)input, strlen(input)) == 1);
	unsigned char *sig = malloc(siglen);
	ck_assert(EVP_DigestSign(md, sig, &siglen, (const unsigned char *)input, strlen(input)) == 1);
	EVP_MD_CTX_free(md);
	char *tok = tk_join_sig(input, sig, siglen);
	free(sig);
	return tok;
}

/* HMAC-SHA256-sign header.claims with key (for our tokens and for alg-confusion forgeries). */
static inline char *tk_sign_hs256(const void *key, size_t keylen, const char *header, const char *claims)
{
	char *input = tk_signing_input(header, claims);
	unsigned char mac[CRYPTO_SHA256_LEN];
	crypto_hmac_sha256(key, keylen, input, strlen(input), mac);
	return tk_join_sig(input, mac, sizeof mac);
}

#endif
