/* crypto_pkce.h — PKCE for the OAuth / OIDC authorisation code flow (RFC 7636, S256 only). */
#ifndef RS_CRYPTO_PKCE_H
#define RS_CRYPTO_PKCE_H

#include <stddef.h>

#include "base/err.h"

#define CRYPTO_PKCE_VERIFIER_MIN 43
#define CRYPTO_PKCE_VERIFIER_MAX 128
#define CRYPTO_PKCE_VERIFIER_SIZE 44  /* what crypto_pkce_verifier_new writes: 43 chars + NUL */
#define CRYPTO_PKCE_CHALLENGE_SIZE 44 /* base64url SHA-256: 43 chars + NUL */

/* A fresh verifier: 32 random bytes as base64url (43 chars). */
void crypto_pkce_verifier_new(char out[CRYPTO_PKCE_VERIFIER_SIZE]);

/* code_challenge = BASE64URL(SHA-256(ASCII(verifier))). ERR_INVALID unless the verifier is
 * 43..128 chars of [A-Za-z0-9-._~]. */
enum err crypto_pkce_challenge_s256(const char *verifier, char out[CRYPTO_PKCE_CHALLENGE_SIZE]) RS_MUST_CHECK;

#endif
