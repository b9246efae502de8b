/* crypto_jwt_compact.c — compact JWS serialisation: split, decode, header rules. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/arena.h"
#include "crypto/crypto_hash.h"
#include "crypto/crypto_jwt_internal.h"

static bool b64url_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

enum err jwt_compact_split(const char *token, size_t len, struct jwt_compact *c, struct errinfo *ei)
{
	memset(c, 0, sizeof *c);
	if (!token || len == 0)
		return err_set(ei, ERR_MALFORMED, "", "JWT is empty");
	if (len > CRYPTO_JWT_MAX_LEN)
		return err_set(ei, ERR_TOO_LARGE, "", "JWT of %zu bytes is over the %d-byte cap", len,
			       CRYPTO_JWT_MAX_LEN);
	size_t dots[2], nd = 0;
	for (size_t i = 0; i < len; i++) {
		if (token[i] == '.') {
			if (nd == 2)
				return err_set(ei, ERR_MALFORMED, "", "JWT has more than three segments (JWE or "
					       "garbage; only compact JWS is accepted)");
			dots[nd++] = i;
		} else if (!b64url_char(token[i])) {
			return err_set(ei, ERR_MALFORMED, "", "JWT contains a character outside base64url at byte %zu",
				       i);
		}
	}
	if (nd != 2)
		return err_set(ei, ERR_MALFORMED, "", "JWT must have three dot-separated segments, found %zu", nd + 1);
	c->head = token;
	c->headlen = dots[0];
	c->body = token + dots[0] + 1;
	c->bodylen = dots[1] - dots[0] - 1;
	c->sig = token + dots[1] + 1;
	c->siglen = len - dots[1] - 1;
	c->signed_len = dots[1];
	if (!c->headlen || !c->bodylen)
		return err_set(ei, ERR_MALFORMED, "", "JWT has an empty header or payload segment");
	if (!c->siglen)
		return err_set(ei, ERR_UNAUTHORIZED, "/alg", "JWT is unsigned (empty signature segment)");
	return ERR_OK;
}

enum err jwt_segment_bytes(const char *seg, size_t len, const char *what, unsigned char **out, size_t *outlen,
			   struct errinfo *ei)
{
	size_t cap = crypto_b64url_decoded_max(len);
	unsigned char *p = xmalloc(cap + 1);
	if (crypto_b64url_decode(seg, len, p, cap, outlen) != ERR_OK) {
		free(p);
		*out = NULL;
		return err_set(ei, ERR_MALFORMED, "", "%s is not valid unpadded base64url", what);
	}
	p[*outlen] = 0;
	*out = p;
	return ERR_OK;
}

enum err jwt_segment_json(const char *seg, size_t len, const char *what, json_t **out, struct errinfo *ei)
{
	unsigned char *raw;
	size_t n;
	*out = NULL;
	enum err e = jwt_segment_bytes(seg, len, what, &raw, &n, ei);
	if (e)
		return e;
	e = jwt_json_load((const char *)raw, n, what, out, ei);
	free(raw);
	return e;
}

enum err jwt_header_check(const json_t *hdr, const char *want_alg, struct errinfo *ei)
{
	const json_t *alg = json_object_get(hdr, "alg");
	if (!alg)
		return err_set(ei, ERR_UNAUTHORIZED, "/alg", "JWT header has no \"alg\"; expected \"%s\"", want_alg);
	if (!json_is_string(alg))
		return err_set(ei, ERR_UNAUTHORIZED, "/alg", "JWT header \"alg\" is not a string");
	const char *a = json_string_value(alg);
	if (strlen(a) != json_string_length(alg) || strcmp(a, want_alg) != 0)
		return err_set(ei, ERR_UNAUTHORIZED, "/alg", "JWT alg \"%.32s\" is not accepted here; only \"%s\"", a,
			       want_alg);
	if (json_object_get(hdr, "crit"))
		return err_set(ei, ERR_UNAUTHORIZED, "/crit", "JWT header has \"crit\" extensions, which we do not "
			       "support");
	const json_t *typ = json_object_get(hdr, "typ");
	if (typ && (!json_is_string(typ) || strcasecmp(json_string_value(typ), "JWT") != 0))
		return err_set(ei, ERR_UNAUTHORIZED, "/typ", "JWT header \"typ\" must be \"JWT\" when present");
	return ERR_OK;
}
