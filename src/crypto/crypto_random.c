#include "crypto/crypto_random.h"

#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"

void crypto_random_bytes(void *out, size_t n)
{
	unsigned char *p = out;
	while (n) {
		int chunk = n > INT_MAX ? INT_MAX : (int)n;
		if (RAND_bytes(p, chunk) != 1) {
			log_error("crypto: RAND_bytes failed; refusing to continue without a secure random generator");
			abort();
		}
		p += chunk;
		n -= (size_t)chunk;
	}
}

enum err crypto_random_token(char *out, size_t outsz, size_t nbytes)
{
	unsigned char raw[CRYPTO_TOKEN_MAX_BYTES];
	if (nbytes < CRYPTO_TOKEN_MIN_BYTES || nbytes > CRYPTO_TOKEN_MAX_BYTES)
		return ERR_INVALID;
	if (outsz < CRYPTO_TOKEN_SIZE(nbytes))
		return ERR_TOO_LARGE;
	crypto_random_bytes(raw, nbytes);
	crypto_b64url_encode(out, raw, nbytes);
	OPENSSL_cleanse(raw, nbytes);
	return ERR_OK;
}

void crypto_token_hash(const char *token, char out[CRYPTO_SHA256_HEX_SIZE])
{
	crypto_sha256_hex(token, strlen(token), out);
}

bool crypto_token_hash_matches(const char *token, const char *stored_hex)
{
	char h[CRYPTO_SHA256_HEX_SIZE];
	crypto_token_hash(token, h);
	/* the stored value's length is not secret; compare the 64 digits in constant time */
	return crypto_ct_equal(h, CRYPTO_SHA256_HEX_SIZE - 1, stored_hex, strnlen(stored_hex, CRYPTO_SHA256_HEX_SIZE));
}
