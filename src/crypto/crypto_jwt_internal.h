/* crypto_jwt_internal.h — pieces shared by the JWT / JWKS files of src/crypto only.
 * Not for other layers. */
#ifndef RS_CRYPTO_JWT_INTERNAL_H
#define RS_CRYPTO_JWT_INTERNAL_H

#include <openssl/evp.h>

#include "crypto/crypto_jwt.h"

/* Parse untrusted JSON text: nesting checked against CRYPTO_JSON_MAX_DEPTH before jansson
 * sees it (ERR_TOO_LARGE), duplicate keys rejected, top level must be an object
 * (ERR_MALFORMED). what names the document in messages ("JWT header"). */
enum err jwt_json_load(const char *text, size_t len, const char *what, json_t **out,
		       struct errinfo *ei) RS_MUST_CHECK;

/* The three segments of a compact JWS, pointing into the token. */
struct jwt_compact {
	const char *head, *body, *sig;
	size_t headlen, bodylen, siglen;
	size_t signed_len; /* bytes of "head.body", the signing input starting at head */
};

/* Split and sanity-check a compact token: length cap, only base64url characters and
 * exactly two dots, no empty segment. */
enum err jwt_compact_split(const char *token, size_t len, struct jwt_compact *c, struct errinfo *ei) RS_MUST_CHECK;
/* base64url-decode a segment into a new malloc'd buffer (*out, freed by the caller). */
enum err jwt_segment_bytes(const char *seg, size_t len, const char *what, unsigned char **out, size_t *outlen,
			   struct errinfo *ei) RS_MUST_CHECK;
/* base64url-decode then jwt_json_load a segment. */
enum err jwt_segment_json(const char *seg, size_t len, const char *what, json_t **out,
			  struct errinfo *ei) RS_MUST_CHECK;
/* alg must be exactly want_alg; "crit" must be absent; "typ", when present, "JWT" in
 * any case. */
enum err jwt_header_check(const json_t *hdr, const char *want_alg, struct errinfo *ei) RS_MUST_CHECK;

/* The verification key for kid, or NULL. Borrowed from the set. */
EVP_PKEY *jwks_key_find(const struct crypto_jwks *jwks, const char *kid);

#endif
