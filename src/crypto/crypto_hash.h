/* crypto_hash.h — SHA-256, HMAC-SHA256, hex and base64url, constant-time compare.
 * OpenSSL 3 EVP underneath. Hashing cannot fail on valid arguments: an EVP failure
 * means the library is broken or out of memory, so these functions log and abort
 * (as allocation does). Decoders are strict and return ERR_MALFORMED on any
 * character outside the alphabet, padding, impossible lengths or non-zero unused
 * bits, and ERR_TOO_LARGE when the output buffer is too small. */
#ifndef RS_CRYPTO_HASH_H
#define RS_CRYPTO_HASH_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

#define CRYPTO_SHA256_LEN 32
#define CRYPTO_SHA256_HEX_SIZE 65 /* 64 hex digits + NUL */

/* One piece of a message hashed or MACed in several parts. */
struct crypto_part {
	const void *data;
	size_t len;
};

void crypto_sha256(const void *data, size_t len, unsigned char out[CRYPTO_SHA256_LEN]);
/* SHA-256 of the concatenation of nparts parts (no separators are added). */
void crypto_sha256_parts(const struct crypto_part *parts, size_t nparts, unsigned char out[CRYPTO_SHA256_LEN]);
/* Lower-case hex SHA-256 of len bytes. */
void crypto_sha256_hex(const void *data, size_t len, char out[CRYPTO_SHA256_HEX_SIZE]);

void crypto_hmac_sha256(const void *key, size_t keylen, const void *data, size_t len,
			unsigned char out[CRYPTO_SHA256_LEN]);
void crypto_hmac_sha256_parts(const void *key, size_t keylen, const struct crypto_part *parts, size_t nparts,
			      unsigned char out[CRYPTO_SHA256_LEN]);

/* true when both byte strings have the same length and content. The time taken depends
 * on the lengths only, never on the content. */
bool crypto_ct_equal(const void *a, size_t alen, const void *b, size_t blen);

/* Lower-case hex of n bytes into out (2n+1 chars, NUL-terminated). */
void crypto_hex_encode(char *out, const void *in, size_t n);
/* Decode inlen hex digits (either case) into out (outcap bytes); *outlen = inlen/2. */
enum err crypto_hex_decode(const char *in, size_t inlen, void *out, size_t outcap, size_t *outlen) RS_MUST_CHECK;

/* base64url (RFC 4648 §5) without padding. */
size_t crypto_b64url_len(size_t n); /* encoded length of n bytes, without the NUL */
/* Encode n bytes into out, which holds crypto_b64url_len(n) + 1 chars (NUL-terminated). */
void crypto_b64url_encode(char *out, const void *in, size_t n);
/* Append the encoding of n bytes to b (ERR_TOO_LARGE past b's cap, b unchanged). */
enum err crypto_b64url_append(struct buf *b, const void *in, size_t n) RS_MUST_CHECK;
/* Upper bound of the decoded size of inlen characters. */
size_t crypto_b64url_decoded_max(size_t inlen);
/* Strict decode: only A-Z a-z 0-9 - _, no '=', no whitespace, length mod 4 != 1, unused
 * low bits of the last character zero (one encoding per byte string). out holds outcap
 * bytes; its content is unspecified after an error. */
enum err crypto_b64url_decode(const char *in, size_t inlen, void *out, size_t outcap, size_t *outlen) RS_MUST_CHECK;

#endif
