#include "crypto/crypto_kdf.h"

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"

static EVP_KDF *hkdf_alg;
static pthread_once_t hkdf_once = PTHREAD_ONCE_INIT;

static void hkdf_fetch(void)
{
	hkdf_alg = EVP_KDF_fetch(NULL, "HKDF", NULL);
}

enum err crypto_hkdf_sha256(const void *ikm, size_t ikmlen, const void *salt, size_t saltlen, const void *info,
			    size_t infolen, void *out, size_t outlen)
{
	if (ikmlen == 0 || outlen == 0 || outlen > 255 * 32)
		return ERR_INVALID;
	pthread_once(&hkdf_once, hkdf_fetch);
	EVP_KDF_CTX *ctx = hkdf_alg ? EVP_KDF_CTX_new(hkdf_alg) : NULL;
	OSSL_PARAM params[5], *p = params;
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)ikm, ikmlen);
	if (saltlen)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, saltlen);
	if (infolen)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, infolen);
	*p = OSSL_PARAM_construct_end();
	if (!ctx || EVP_KDF_derive(ctx, out, outlen, params) != 1) {
		log_error("crypto: HKDF-SHA256 failed inside OpenSSL; aborting");
		abort();
	}
	EVP_KDF_CTX_free(ctx);
	return ERR_OK;
}

static const char derive_salt[] = "radsched/hkdf/v1";
static const char derive_info_prefix[] = "radsched/";

enum err crypto_key_derive(const void *master, size_t masterlen, const char *purpose,
			   unsigned char out[CRYPTO_DERIVED_KEY_LEN])
{
	if (masterlen < CRYPTO_MASTER_MIN_LEN || !purpose)
		return ERR_INVALID;
	size_t plen = strnlen(purpose, CRYPTO_PURPOSE_MAX + 1);
	if (plen == 0 || plen > CRYPTO_PURPOSE_MAX)
		return ERR_INVALID;
	for (size_t i = 0; i < plen; i++) {
		char c = purpose[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
			return ERR_INVALID;
	}
	char info[sizeof derive_info_prefix + CRYPTO_PURPOSE_MAX];
	size_t ilen = sizeof derive_info_prefix - 1;
	memcpy(info, derive_info_prefix, ilen);
	memcpy(info + ilen, purpose, plen);
	ilen += plen;
	return crypto_hkdf_sha256(master, masterlen, derive_salt, sizeof derive_salt - 1, info, ilen, out,
				  CRYPTO_DERIVED_KEY_LEN);
}
