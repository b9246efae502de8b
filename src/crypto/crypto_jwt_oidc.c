/* crypto_jwt_oidc.c — OpenID Connect ID token claim checks. */
#include <string.h>

#include "crypto/crypto_hash.h"
#include "crypto/crypto_jwt_internal.h"

/* A non-empty string claim without NUL bytes, or NULL. */
static const char *claim_str(const json_t *claims, const char *name)
{
	const json_t *v = json_object_get(claims, name);
	if (!json_is_string(v) || json_string_length(v) == 0 || strlen(json_string_value(v)) != json_string_length(v))
		return NULL;
	return json_string_value(v);
}

static enum err check_aud(const json_t *claims, const char *client_id, struct errinfo *ei)
{
	const json_t *aud = json_object_get(claims, "aud");
	size_t n = 0;
	bool ours = false;
	if (!aud)
		return err_set(ei, ERR_UNAUTHORIZED, "/aud", "ID token has no \"aud\" claim");
	if (json_is_string(aud)) {
		n = 1;
		ours = strcmp(json_string_value(aud), client_id) == 0;
	} else if (json_is_array(aud) && json_array_size(aud) > 0) {
		size_t i;
		const json_t *v;
		json_array_foreach(aud, i, v) {
			if (!json_is_string(v))
				return err_set(ei, ERR_UNAUTHORIZED, "/aud", "ID token \"aud\" array holds a non-string");
			ours |= strcmp(json_string_value(v), client_id) == 0;
		}
		n = json_array_size(aud);
	} else {
		return err_set(ei, ERR_UNAUTHORIZED, "/aud", "ID token \"aud\" is neither a string nor a non-empty "
			       "array");
	}
	if (!ours)
		return err_set(ei, ERR_UNAUTHORIZED, "/aud", "ID token audience does not include our client id");
	const json_t *azp = json_object_get(claims, "azp");
	if (n > 1 && !azp)
		return err_set(ei, ERR_UNAUTHORIZED, "/azp", "ID token has %zu audiences but no \"azp\" claim", n);
	if (azp && (!json_is_string(azp) || strcmp(json_string_value(azp), client_id) != 0))
		return err_set(ei, ERR_UNAUTHORIZED, "/azp", "ID token \"azp\" is not our client id");
	return ERR_OK;
}

static enum err check_times(const json_t *claims, double now, double leeway, struct errinfo *ei)
{
	const json_t *exp = json_object_get(claims, "exp"), *iat = json_object_get(claims, "iat"),
		     *nbf = json_object_get(claims, "nbf");
	if (!exp)
		return err_set(ei, ERR_UNAUTHORIZED, "/exp", "ID token has no \"exp\" claim");
	if (!json_is_number(exp))
		return err_set(ei, ERR_UNAUTHORIZED, "/exp", "ID token \"exp\" is not a number");
	if (now >= json_number_value(exp) + leeway)
		return err_set(ei, ERR_UNAUTHORIZED, "/exp", "ID token expired at %.0f (now %.0f, leeway %.0f s)",
			       json_number_value(exp), now, leeway);
	if (!iat)
		return err_set(ei, ERR_UNAUTHORIZED, "/iat", "ID token has no \"iat\" claim");
	if (!json_is_number(iat))
		return err_set(ei, ERR_UNAUTHORIZED, "/iat", "ID token \"iat\" is not a number");
	if (json_number_value(iat) > now + leeway)
		return err_set(ei, ERR_UNAUTHORIZED, "/iat", "ID token was issued in the future (iat %.0f, now %.0f, "
			       "leeway %.0f s): check the clocks", json_number_value(iat), now, leeway);
	if (nbf && !json_is_number(nbf))
		return err_set(ei, ERR_UNAUTHORIZED, "/nbf", "ID token \"nbf\" is not a number");
	if (nbf && json_number_value(nbf) > now + leeway)
		return err_set(ei, ERR_UNAUTHORIZED, "/nbf", "ID token is not valid before %.0f (now %.0f)",
			       json_number_value(nbf), now);
	return ERR_OK;
}

enum err crypto_jwt_check_oidc(const json_t *claims, const struct crypto_oidc_expect *x, struct errinfo *ei)
{
	if (!x || !x->issuer || !*x->issuer || !x->client_id || !*x->client_id || !x->nonce || !*x->nonce ||
	    x->leeway_s < 0)
		return err_set(ei, ERR_INTERNAL, "", "OIDC check needs issuer, client id, nonce and a leeway >= 0");
	if (!json_is_object(claims))
		return err_set(ei, ERR_UNAUTHORIZED, "", "ID token claims are not an object");
	const char *iss = claim_str(claims, "iss");
	if (!iss)
		return err_set(ei, ERR_UNAUTHORIZED, "/iss", "ID token has no \"iss\" claim");
	if (strcmp(iss, x->issuer) != 0)
		return err_set(ei, ERR_UNAUTHORIZED, "/iss", "ID token issuer \"%.128s\" is not the expected \"%.128s\"",
			       iss, x->issuer);
	enum err e = check_aud(claims, x->client_id, ei);
	if (e)
		return e;
	double now = (double)(x->now ? x->now : time(NULL));
	e = check_times(claims, now, (double)x->leeway_s, ei);
	if (e)
		return e;
	const char *nonce = claim_str(claims, "nonce");
	if (!nonce)
		return err_set(ei, ERR_UNAUTHORIZED, "/nonce", "ID token has no \"nonce\" claim");
	if (!crypto_ct_equal(nonce, strlen(nonce), x->nonce, strlen(x->nonce)))
		return err_set(ei, ERR_UNAUTHORIZED, "/nonce", "ID token nonce does not match this login attempt "
			       "(replayed or mixed-up login)");
	if (!claim_str(claims, "sub"))
		return err_set(ei, ERR_UNAUTHORIZED, "/sub", "ID token has no \"sub\" claim");
	if (!claim_str(claims, "email"))
		return err_set(ei, ERR_UNAUTHORIZED, "/email", "ID token has no \"email\" claim");
	const json_t *ev = json_object_get(claims, "email_verified");
	if (!ev)
		return err_set(ei, ERR_UNAUTHORIZED, "/email_verified", "ID token has no \"email_verified\" claim");
	if (!json_is_true(ev))
		return err_set(ei, ERR_UNAUTHORIZED, "/email_verified", "the provider has not verified this email "
			       "address (email_verified is not true)");
	return ERR_OK;
}
