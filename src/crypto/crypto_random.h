/* crypto_random.h — secret random bytes and tokens (OpenSSL RAND_bytes).
 * Tokens sent to people (magic links, ICS feeds, invites, API tokens) are random
 * base64url text; the database keeps only crypto_token_hash() of them and a lookup
 * compares with crypto_token_hash_matches() (constant time). Ids that are not secret
 * come from base/ids.h. */
#ifndef RS_CRYPTO_RANDOM_H
#define RS_CRYPTO_RANDOM_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "crypto/crypto_hash.h"

#define CRYPTO_TOKEN_BYTES 32      /* default and minimum for magic links: 256 bits */
#define CRYPTO_TOKEN_MIN_BYTES 16  /* nothing shorter is accepted */
#define CRYPTO_TOKEN_MAX_BYTES 128
/* Size of a char buffer holding the token text of nbytes random bytes, NUL included. */
#define CRYPTO_TOKEN_SIZE(nbytes) ((((nbytes) * 4) + 2) / 3 + 1)

/* Fill out with n cryptographically secure random bytes. Aborts (after logging) if the
 * generator fails: nothing secret may be produced from a broken generator. */
void crypto_random_bytes(void *out, size_t n);

/* Write a fresh token (nbytes random bytes as base64url, no padding) into out.
 * ERR_INVALID when nbytes is outside [CRYPTO_TOKEN_MIN_BYTES, CRYPTO_TOKEN_MAX_BYTES],
 * ERR_TOO_LARGE when outsz < CRYPTO_TOKEN_SIZE(nbytes). */
enum err crypto_random_token(char *out, size_t outsz, size_t nbytes) RS_MUST_CHECK;

/* The form a token is stored in: lower-case hex SHA-256 of its text. Tokens carry at
 * least 128 random bits, so a plain hash (no salt) cannot be reversed by guessing. */
void crypto_token_hash(const char *token, char out[CRYPTO_SHA256_HEX_SIZE]);
/* true when crypto_token_hash(token) equals stored_hex, compared in constant time. */
bool crypto_token_hash_matches(const char *token, const char *stored_hex);

#endif
