/* crypto_kdf.h — HKDF-SHA256 (RFC 5869, OpenSSL EVP_KDF "HKDF").
 * One master secret (RADSCHED_MASTER_KEY) yields independent keys per purpose
 * ("ics", "session", "csrf", ...): a leak of one derived key reveals neither the master
 * nor the other purposes' keys. The at-rest AEAD keyring is separate (crypto_aead.h)
 * because it must rotate on its own schedule. */
#ifndef RS_CRYPTO_KDF_H
#define RS_CRYPTO_KDF_H

#include <stddef.h>

#include "base/err.h"

#define CRYPTO_MASTER_MIN_LEN 32  /* bytes of master secret required by crypto_key_derive */
#define CRYPTO_DERIVED_KEY_LEN 32
#define CRYPTO_PURPOSE_MAX 64

/* Plain HKDF-SHA256 (extract + expand). salt and info may be empty (len 0). outlen is
 * 1 .. 255*32. ERR_INVALID on impossible lengths; EVP failure aborts. */
enum err crypto_hkdf_sha256(const void *ikm, size_t ikmlen, const void *salt, size_t saltlen, const void *info,
			    size_t infolen, void *out, size_t outlen) RS_MUST_CHECK;

/* The radsched derivation: HKDF-SHA256(ikm = master, salt = "radsched/hkdf/v1",
 * info = "radsched/" purpose) → 32 bytes. purpose: 1..64 chars of [a-z0-9_.-].
 * ERR_INVALID when the master is shorter than CRYPTO_MASTER_MIN_LEN or the purpose is bad.
 * Changing the salt or info text changes every derived key: never edit them. */
enum err crypto_key_derive(const void *master, size_t masterlen, const char *purpose,
			   unsigned char out[CRYPTO_DERIVED_KEY_LEN]) RS_MUST_CHECK;

#endif
