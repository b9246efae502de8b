/* crypto_aead.h — secrets at rest: AES-256-GCM with a key id for rotation.
 *
 * A keyring is loaded once per process from text such as
 *     "k2:<base64url 32 bytes>,k1:<base64url 32 bytes>"
 * The first entry is the current key (every seal uses it); the others only open.
 * Sealed text:  "v1.<kid>.<base64url 12-byte nonce>.<base64url ciphertext || 16-byte tag>"
 * The GCM additional data is "v1.<kid>." followed by the caller's aad, so the header
 * cannot be edited and a secret sealed for one (tenant, purpose) cannot be opened for
 * another. Nonces are random; keep well under 2^32 seals per key (rotate long before).
 * Key derivation for other purposes lives in crypto_kdf.h.
 * A keyring is immutable after parsing and may be shared by threads. */
#ifndef RS_CRYPTO_AEAD_H
#define RS_CRYPTO_AEAD_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

#define CRYPTO_AEAD_KEY_LEN 32
#define CRYPTO_KID_MAX 32              /* kid: 1..32 chars of [A-Za-z0-9_-] */
#define CRYPTO_KEYRING_MAX 16          /* entries in one keyring */
#define CRYPTO_SEAL_MAX_PLAINTEXT (1u << 20)

struct crypto_keyring;

/* Parse a keyring spec (see above). Strict: no spaces, no empty entries, no duplicate
 * kid, each key exactly 32 bytes of unpadded base64url. Messages never quote key bytes.
 * ERR_INVALID / ERR_TOO_LARGE with a message in *ei. Owner frees with crypto_keyring_free. */
enum err crypto_keyring_parse(const char *spec, struct crypto_keyring **out, struct errinfo *ei) RS_MUST_CHECK;
/* Wipes the key bytes. NULL is fine. */
void crypto_keyring_free(struct crypto_keyring *kr);
const char *crypto_keyring_current_kid(const struct crypto_keyring *kr);
size_t crypto_keyring_count(const struct crypto_keyring *kr);

/* Generate a new keyring entry "<kid>:<fresh base64url key>" into out (for operators
 * rotating keys: prepend it to the spec). ERR_INVALID for a bad kid. */
enum err crypto_keyring_entry_new(const char *kid, struct buf *out) RS_MUST_CHECK;

/* Seal ptlen bytes with the current key; append the sealed text to out.
 * aad (NUL-terminated, NULL = empty) names what the secret belongs to, e.g.
 * "tenant=<uuid>;purpose=google_refresh"; the same aad must be given to open.
 * ERR_TOO_LARGE past CRYPTO_SEAL_MAX_PLAINTEXT or out's cap. */
enum err crypto_seal(const struct crypto_keyring *kr, const void *pt, size_t ptlen, const char *aad,
		     struct buf *out, struct errinfo *ei) RS_MUST_CHECK;

/* Open sealed text; append the plaintext to out only when the tag verifies.
 *   ERR_MALFORMED  not sealed text of a known version
 *   ERR_NOT_FOUND  kid not in the keyring (a key removed before its secrets were resealed)
 *   ERR_INVALID    authentication failed: tampered text, wrong key or wrong aad
 * out is not wiped by buf_fini: release it with crypto_buf_wipe(). */
enum err crypto_open(const struct crypto_keyring *kr, const char *sealed, const char *aad, struct buf *out,
		     struct errinfo *ei) RS_MUST_CHECK;

/* true when sealed text was made with the current key (a rotation job reseals the rest). */
bool crypto_sealed_is_current(const struct crypto_keyring *kr, const char *sealed);

/* Overwrite a buffer's bytes with zeros, then buf_fini it. */
void crypto_buf_wipe(struct buf *b);

#endif
