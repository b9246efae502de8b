#include "crypto/crypto_hash.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <pthread.h>
#include <stdlib.h>

#include "base/log.h"

static EVP_MAC *hmac_alg;
static pthread_once_t hmac_once = PTHREAD_ONCE_INIT;

static _Noreturn void evp_die(const char *what)
{
	log_error("crypto: %s failed inside OpenSSL; aborting", what);
	abort();
}

static void hmac_fetch(void)
{
	hmac_alg = EVP_MAC_fetch(NULL, "HMAC", NULL);
}

/* SHA-256 fetched once: EVP_sha256() makes OpenSSL 3 look the implementation up on every
 * init, which costs more than hashing a short message (feed UIDs hash one per event). */
static EVP_MD *sha256_alg;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void sha256_fetch(void)
{
	sha256_alg = EVP_MD_fetch(NULL, "SHA256", NULL);
}

void crypto_sha256_parts(const struct crypto_part *parts, size_t nparts, unsigned char out[CRYPTO_SHA256_LEN])
{
	pthread_once(&sha256_once, sha256_fetch);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int n = 0;
	if (!sha256_alg || !ctx || !EVP_DigestInit_ex2(ctx, sha256_alg, NULL))
		evp_die("SHA-256 init");
	for (size_t i = 0; i < nparts; i++)
		if (parts[i].len && !EVP_DigestUpdate(ctx, parts[i].data, parts[i].len))
			evp_die("SHA-256 update");
	if (!EVP_DigestFinal_ex(ctx, out, &n) || n != CRYPTO_SHA256_LEN)
		evp_die("SHA-256 final");
	EVP_MD_CTX_free(ctx);
}

void crypto_sha256(const void *data, size_t len, unsigned char out[CRYPTO_SHA256_LEN])
{
	struct crypto_part p = {data, len};
	crypto_sha256_parts(&p, 1, out);
}

void crypto_sha256_hex(const void *data, size_t len, char out[CRYPTO_SHA256_HEX_SIZE])
{
	unsigned char md[CRYPTO_SHA256_LEN];
	crypto_sha256(data, len, md);
	crypto_hex_encode(out, md, sizeof md);
}

void crypto_hmac_sha256_parts(const void *key, size_t keylen, const struct crypto_part *parts, size_t nparts,
			      unsigned char out[CRYPTO_SHA256_LEN])
{
	static const unsigned char empty_key[1];
	pthread_once(&hmac_once, hmac_fetch);
	if (!hmac_alg)
		evp_die("HMAC fetch");
	EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(hmac_alg);
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
		OSSL_PARAM_construct_end(),
	};
	size_t n = 0;
	if (!ctx || !EVP_MAC_init(ctx, keylen ? key : empty_key, keylen, params))
		evp_die("HMAC init");
	for (size_t i = 0; i < nparts; i++)
		if (parts[i].len && !EVP_MAC_update(ctx, parts[i].data, parts[i].len))
			evp_die("HMAC update");
	if (!EVP_MAC_final(ctx, out, &n, CRYPTO_SHA256_LEN) || n != CRYPTO_SHA256_LEN)
		evp_die("HMAC final");
	EVP_MAC_CTX_free(ctx);
}

void crypto_hmac_sha256(const void *key, size_t keylen, const void *data, size_t len,
			unsigned char out[CRYPTO_SHA256_LEN])
{
	struct crypto_part p = {data, len};
	crypto_hmac_sha256_parts(key, keylen, &p, 1, out);
}

bool crypto_ct_equal(const void *a, size_t alen, const void *b, size_t blen)
{
	if (alen != blen)
		return false;
	return alen == 0 || CRYPTO_memcmp(a, b, alen) == 0;
}
