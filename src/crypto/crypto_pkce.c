#include "crypto/crypto_pkce.h"

#include <string.h>

#include "crypto/crypto_hash.h"
#include "crypto/crypto_random.h"

void crypto_pkce_verifier_new(char out[CRYPTO_PKCE_VERIFIER_SIZE])
{
	unsigned char raw[32];
	crypto_random_bytes(raw, sizeof raw);
	crypto_b64url_encode(out, raw, sizeof raw);
}

enum err crypto_pkce_challenge_s256(const char *verifier, char out[CRYPTO_PKCE_CHALLENGE_SIZE])
{
	size_t n = verifier ? strnlen(verifier, CRYPTO_PKCE_VERIFIER_MAX + 1) : 0;
	if (n < CRYPTO_PKCE_VERIFIER_MIN || n > CRYPTO_PKCE_VERIFIER_MAX)
		return ERR_INVALID;
	for (size_t i = 0; i < n; i++) {
		char c = verifier[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
		      c == '.' || c == '_' || c == '~'))
			return ERR_INVALID;
	}
	unsigned char md[CRYPTO_SHA256_LEN];
	crypto_sha256(verifier, n, md);
	crypto_b64url_encode(out, md, sizeof md);
	return ERR_OK;
}
