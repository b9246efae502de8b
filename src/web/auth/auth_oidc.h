/* auth_oidc.h — OpenID Connect relying party (docs/security.md "Single sign-on").
 * Written against the standard (Discovery 1.0, Core 1.0 §3.1 code flow, RFC 7636 PKCE)
 * so any issuer works; Google is the configured one. Scopes: openid email profile.
 * The discovery document and the issuer's keys (crypto_jwks_cache: refreshed when a
 * token names an unknown kid) are kept per issuer for the process. ID tokens are
 * verified by src/crypto (RS256 only) and crypto_jwt_check_oidc (iss, aud/azp, exp, iat,
 * nonce, email_verified). */
#ifndef RS_WEB_AUTH_OIDC_H
#define RS_WEB_AUTH_OIDC_H

#include <stdbool.h>

#include "base/arena.h"
#include "domain/platform.h"

#define AUTH_OIDC_SCOPES "openid email profile"

/* Issuer, client id and secret are all set. */
bool auth_oidc_configured(const struct platform *pf);
/* "Sign in with Google" for Google, else "Sign in with <issuer host>" (arena-free static
 * or platform-lifetime text). */
const char *auth_oidc_button_label(const struct platform *pf);

/* The authorization request URL (discovery first when needed): response_type=code,
 * scope, state, nonce, PKCE S256 challenge, redirect_uri BASE_URL/auth/oidc/callback.
 * ERR_UPSTREAM when the issuer cannot be discovered; ERR_UNSUPPORTED when not configured. */
enum err auth_oidc_authorize_url(const struct platform *pf, struct arena *a, const char *state, const char *nonce,
				 const char *challenge, char **url, struct errinfo *ei) RS_MUST_CHECK;

struct auth_oidc_identity {
	char email[255];     /* verified, normalised */
	char name[201];      /* "" when the issuer gave none */
	char hd[254];        /* Google Workspace domain, "" when absent */
	bool domain_vouched; /* the email's domain may enrol via allowedDomains */
};

/* Redeem the code at the token endpoint (client authentication, PKCE verifier), verify
 * the ID token and its claims, and extract the identity. ERR_UNAUTHORIZED (refused code,
 * forged / expired / foreign token, unverified email), ERR_UPSTREAM (issuer unreachable,
 * no keys); detail in *ei for the log, never for the page. */
enum err auth_oidc_redeem(const struct platform *pf, struct arena *a, const char *code, const char *verifier,
			  const char *nonce, struct auth_oidc_identity *out, struct errinfo *ei) RS_MUST_CHECK;

#endif
