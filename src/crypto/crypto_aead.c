#include "crypto/crypto_aead.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/log.h"
#include "crypto/crypto_hash.h"
#include "crypto/crypto_random.h"

#define NONCE_LEN 12
#define TAG_LEN 16
#define KEY_B64_LEN 43 /* base64url of 32 bytes */

struct crypto_key {
	char kid[CRYPTO_KID_MAX + 1];
	unsigned char key[CRYPTO_AEAD_KEY_LEN];
};

struct crypto_keyring {
	size_t n;
	struct crypto_key keys[CRYPTO_KEYRING_MAX];
};

static bool kid_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* Length of the run of kid characters at s; 0 when empty or longer than CRYPTO_KID_MAX. */
static size_t kid_span(const char *s)
{
	size_t n = 0;
	while (s[n] && kid_char(s[n]))
		n++;
	return n <= CRYPTO_KID_MAX ? n : 0;
}

void crypto_keyring_free(struct crypto_keyring *kr)
{
	if (!kr)
		return;
	OPENSSL_cleanse(kr, sizeof *kr);
	free(kr);
}

enum err crypto_keyring_parse(const char *spec, struct crypto_keyring **out, struct errinfo *ei)
{
	*out = NULL;
	if (!spec || !*spec)
		return err_set(ei, ERR_INVALID, "", "the keyring is empty: expected \"kid:base64urlkey[,kid:key...]\"");
	struct crypto_keyring *kr = xcalloc(1, sizeof *kr);
	const char *p = spec;
	enum err e = ERR_OK;
	for (size_t idx = 0;; idx++) {
		if (kr->n == CRYPTO_KEYRING_MAX) {
			e = err_set(ei, ERR_TOO_LARGE, "", "the keyring has more than %d entries", CRYPTO_KEYRING_MAX);
			break;
		}
		size_t kl = kid_span(p);
		if (kl == 0 || p[kl] != ':') {
			e = err_set(ei, ERR_INVALID, "", "keyring entry %zu: expected \"kid:key\" with a kid of 1-%d chars of "
				    "[A-Za-z0-9_-]", idx + 1, CRYPTO_KID_MAX);
			break;
		}
		struct crypto_key *k = &kr->keys[kr->n];
		memcpy(k->kid, p, kl);
		k->kid[kl] = 0;
		for (size_t j = 0; j < kr->n; j++)
			if (strcmp(kr->keys[j].kid, k->kid) == 0) {
				e = err_set(ei, ERR_INVALID, "", "keyring entry %zu: kid \"%s\" appears twice", idx + 1,
					    k->kid);
				goto done;
			}
		const char *key = p + kl + 1;
		size_t keylen = strcspn(key, ",");
		size_t got = 0;
		if (keylen != KEY_B64_LEN || crypto_b64url_decode(key, keylen, k->key, sizeof k->key, &got) != ERR_OK ||
		    got != CRYPTO_AEAD_KEY_LEN) {
			e = err_set(ei, ERR_INVALID, "", "keyring entry %zu (kid \"%s\"): the key must be exactly 32 bytes "
				    "as unpadded base64url (43 chars)", idx + 1, k->kid);
			break;
		}
		kr->n++;
		p = key + keylen;
		if (!*p)
			break;
		p++; /* ',' — an empty entry after it fails the kid check */
	}
done:
	if (e) {
		crypto_keyring_free(kr);
		return e;
	}
	*out = kr;
	return ERR_OK;
}

const char *crypto_keyring_current_kid(const struct crypto_keyring *kr)
{
	return kr->keys[0].kid;
}

size_t crypto_keyring_count(const struct crypto_keyring *kr)
{
	return kr->n;
}

static const struct crypto_key *keyring_find(const struct crypto_keyring *kr, const char *kid, size_t kidlen)
{
	for (size_t i = 0; i < kr->n; i++)
		if (strlen(kr->keys[i].kid) == kidlen && memcmp(kr->keys[i].kid, kid, kidlen) == 0)
			return &kr->keys[i];
	return NULL;
}

enum err crypto_keyring_entry_new(const char *kid, struct buf *out)
{
	size_t kl = kid ? kid_span(kid) : 0;
	if (kl == 0 || kid[kl])
		return ERR_INVALID;
	unsigned char key[CRYPTO_AEAD_KEY_LEN];
	crypto_random_bytes(key, sizeof key);
	enum err e = buf_printf(out, "%s:", kid);
	if (!e)
		e = crypto_b64url_append(out, key, sizeof key);
	OPENSSL_cleanse(key, sizeof key);
	return e;
}

/* GCM in one direction. For decryption, tag holds the expected tag; returns false when
 * it does not verify. "v1.<kid>." then aad go in as additional data. */
static bool gcm_run(bool enc, const struct crypto_key *k, const unsigned char nonce[NONCE_LEN], const char *aad,
		    const unsigned char *in, size_t inlen, unsigned char *out, unsigned char tag[TAG_LEN])
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	if (!ctx) {
		log_error("crypto: EVP_CIPHER_CTX_new failed; aborting");
		abort();
	}
	char head[4 + CRYPTO_KID_MAX + 2];
	int hl = snprintf(head, sizeof head, "v1.%s.", k->kid);
	int n = 0;
	bool ok = EVP_CipherInit_ex2(ctx, EVP_aes_256_gcm(), k->key, nonce, enc ? 1 : 0, NULL) == 1 &&
		  EVP_CipherUpdate(ctx, NULL, &n, (const unsigned char *)head, hl) == 1;
	if (ok && aad && *aad)
		ok = EVP_CipherUpdate(ctx, NULL, &n, (const unsigned char *)aad, (int)strlen(aad)) == 1;
	if (ok && inlen)
		ok = EVP_CipherUpdate(ctx, out, &n, in, (int)inlen) == 1 && (size_t)n == inlen;
	if (ok && !enc) {
		OSSL_PARAM p[] = {OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag, TAG_LEN),
				  OSSL_PARAM_construct_end()};
		ok = EVP_CIPHER_CTX_set_params(ctx, p) == 1;
	}
	if (ok)
		ok = EVP_CipherFinal_ex(ctx, out + inlen, &n) == 1 && n == 0;
	if (ok && enc) {
		OSSL_PARAM p[] = {OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag, TAG_LEN),
				  OSSL_PARAM_construct_end()};
		ok = EVP_CIPHER_CTX_get_params(ctx, p) == 1;
		if (!ok) {
			log_error("crypto: AES-GCM tag read failed; aborting");
			abort();
		}
	}
	EVP_CIPHER_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}

enum err crypto_seal(const struct crypto_keyring *kr, const void *pt, size_t ptlen, const char *aad,
		     struct buf *out, struct errinfo *ei)
{
	if (ptlen > CRYPTO_SEAL_MAX_PLAINTEXT)
		return err_set(ei, ERR_TOO_LARGE, "", "secret of %zu bytes is over the %u-byte cap", ptlen,
			       CRYPTO_SEAL_MAX_PLAINTEXT);
	if (aad && strlen(aad) > CRYPTO_SEAL_MAX_PLAINTEXT)
		return err_set(ei, ERR_TOO_LARGE, "", "additional data is over the cap");
	const struct crypto_key *k = &kr->keys[0];
	unsigned char nonce[NONCE_LEN];
	crypto_random_bytes(nonce, sizeof nonce);
	unsigned char *ct = xmalloc(ptlen + TAG_LEN);
	if (!gcm_run(true, k, nonce, aad, pt, ptlen, ct, ct + ptlen)) {
		log_error("crypto: AES-256-GCM encryption failed inside OpenSSL; aborting");
		abort();
	}
	size_t mark = out->len;
	enum err e = buf_printf(out, "v1.%s.", k->kid);
	if (!e)
		e = crypto_b64url_append(out, nonce, sizeof nonce);
	if (!e)
		e = buf_putc(out, '.');
	if (!e)
		e = crypto_b64url_append(out, ct, ptlen + TAG_LEN);
	free(ct);
	if (e) {
		out->len = mark;
		if (out->data)
			out->data[mark] = 0;
		return err_set(ei, e, "", "sealed secret does not fit the output buffer");
	}
	return ERR_OK;
}

/* Split "v1.<kid>.<nonce>.<ct>" without copying. */
struct sealed_parts {
	const char *kid, *nonce, *ct;
	size_t kidlen, noncelen, ctlen;
};

static bool sealed_split(const char *s, struct sealed_parts *sp)
{
	if (strncmp(s, "v1.", 3) != 0)
		return false;
	sp->kid = s + 3;
	sp->kidlen = kid_span(sp->kid);
	if (!sp->kidlen || sp->kid[sp->kidlen] != '.')
		return false;
	sp->nonce = sp->kid + sp->kidlen + 1;
	sp->noncelen = strcspn(sp->nonce, ".");
	if (sp->nonce[sp->noncelen] != '.')
		return false;
	sp->ct = sp->nonce + sp->noncelen + 1;
	sp->ctlen = strcspn(sp->ct, ".");
	return sp->ct[sp->ctlen] == 0;
}

bool crypto_sealed_is_current(const struct crypto_keyring *kr, const char *sealed)
{
	struct sealed_parts sp;
	if (!sealed_split(sealed, &sp))
		return false;
	const char *cur = kr->keys[0].kid;
	return strlen(cur) == sp.kidlen && memcmp(cur, sp.kid, sp.kidlen) == 0;
}

enum err crypto_open(const struct crypto_keyring *kr, const char *sealed, const char *aad, struct buf *out,
		     struct errinfo *ei)
{
	struct sealed_parts sp;
	if (!sealed || !sealed_split(sealed, &sp))
		return err_set(ei, ERR_MALFORMED, "", "not a sealed secret (expected \"v1.<kid>.<nonce>.<ciphertext>\")");
	size_t maxct = crypto_b64url_len(CRYPTO_SEAL_MAX_PLAINTEXT + TAG_LEN);
	if (sp.ctlen > maxct || (aad && strlen(aad) > CRYPTO_SEAL_MAX_PLAINTEXT))
		return err_set(ei, ERR_TOO_LARGE, "", "sealed secret is over the size cap");
	unsigned char nonce[NONCE_LEN];
	size_t nlen = 0;
	if (sp.noncelen != crypto_b64url_len(NONCE_LEN) ||
	    crypto_b64url_decode(sp.nonce, sp.noncelen, nonce, sizeof nonce, &nlen) != ERR_OK)
		return err_set(ei, ERR_MALFORMED, "", "sealed secret: the nonce is not 12 bytes of base64url");
	size_t cap = crypto_b64url_decoded_max(sp.ctlen), ctlen = 0;
	unsigned char *ct = xmalloc(cap ? cap : 1);
	if (crypto_b64url_decode(sp.ct, sp.ctlen, ct, cap, &ctlen) != ERR_OK || ctlen < TAG_LEN) {
		free(ct);
		return err_set(ei, ERR_MALFORMED, "", "sealed secret: the ciphertext is not base64url or is shorter "
			       "than the tag");
	}
	const struct crypto_key *k = keyring_find(kr, sp.kid, sp.kidlen);
	if (!k) {
		free(ct);
		return err_set(ei, ERR_NOT_FOUND, "", "sealed secret uses key id \"%.*s\", which is not in the keyring",
			       (int)sp.kidlen, sp.kid);
	}
	size_t ptlen = ctlen - TAG_LEN;
	unsigned char *pt = xmalloc(ptlen + 1);
	enum err e = ERR_OK;
	if (!gcm_run(false, k, nonce, aad, ct, ptlen, pt, ct + ptlen))
		e = err_set(ei, ERR_INVALID, "", "sealed secret failed authentication (tampered, wrong key or wrong "
			    "additional data)");
	else if (buf_append(out, pt, ptlen) != ERR_OK)
		e = err_set(ei, ERR_TOO_LARGE, "", "opened secret does not fit the output buffer");
	OPENSSL_cleanse(pt, ptlen + 1);
	free(pt);
	free(ct);
	return e;
}

void crypto_buf_wipe(struct buf *b)
{
	if (b->data)
		OPENSSL_cleanse(b->data, b->cap);
	buf_fini(b);
}
