/* crypto_jwt_rs256.c — RS256 compact JWS verification against a JWKS. */
#include <openssl/err.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto_jwt_internal.h"

static bool rsa_sha256_verify(EVP_PKEY *pkey, const void *msg, size_t msglen, const unsigned char *sig,
			      size_t siglen)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	bool ok = md && EVP_DigestVerifyInit_ex(md, NULL, "SHA256", NULL, NULL, pkey, NULL) == 1 &&
		  EVP_DigestVerify(md, sig, siglen, msg, msglen) == 1;
	EVP_MD_CTX_free(md);
	ERR_clear_error();
	return ok;
}

enum err crypto_jwt_verify_rs256(const struct crypto_jwks *jwks, const char *token, size_t len, json_t **claims_out,
				 struct errinfo *ei)
{
	struct jwt_compact c;
	json_t *hdr = NULL;
	unsigned char *sig = NULL;
	size_t siglen = 0;
	*claims_out = NULL;
	enum err e = jwt_compact_split(token, len, &c, ei);
	if (!e)
		e = jwt_segment_json(c.head, c.headlen, "JWT header", &hdr, ei);
	if (!e)
		e = jwt_header_check(hdr, "RS256", ei);
	if (e)
		goto out;
	const json_t *kid = json_object_get(hdr, "kid");
	if (!json_is_string(kid) || json_string_length(kid) == 0 || json_string_length(kid) > CRYPTO_JWT_KID_MAX ||
	    strlen(json_string_value(kid)) != json_string_length(kid)) {
		e = err_set(ei, ERR_UNAUTHORIZED, "/kid", "JWT header has no usable \"kid\" to select the signing key");
		goto out;
	}
	EVP_PKEY *pkey = jwks_key_find(jwks, json_string_value(kid));
	if (!pkey) {
		e = err_set(ei, ERR_NOT_FOUND, "/kid", "JWT kid \"%.64s\" is not in the provider's key set",
			    json_string_value(kid));
		goto out;
	}
	e = jwt_segment_bytes(c.sig, c.siglen, "JWT signature", &sig, &siglen, ei);
	if (e)
		goto out;
	if (siglen != (size_t)EVP_PKEY_get_size(pkey)) {
		e = err_set(ei, ERR_UNAUTHORIZED, "", "JWT signature is %zu bytes; the RSA key needs %d", siglen,
			    EVP_PKEY_get_size(pkey));
		goto out;
	}
	if (!rsa_sha256_verify(pkey, c.head, c.signed_len, sig, siglen)) {
		e = err_set(ei, ERR_UNAUTHORIZED, "", "JWT signature does not verify with key \"%.64s\"",
			    json_string_value(kid));
		goto out;
	}
	e = jwt_segment_json(c.body, c.bodylen, "JWT claims", claims_out, ei);
out:
	free(sig);
	json_decref(hdr);
	return e;
}
