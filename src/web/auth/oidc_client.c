/* The OpenID Connect relying party's conversations with the issuer: discovery, the
 * authorization URL, the token request, the keys (auth_oidc.h). */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/log.h"
#include "crypto/crypto_jwt.h"
#include "http/client.h"
#include "web/auth/auth_oidc.h"
#include "web/auth/auth_text.h"

#define DISCOVERY_MAX_AGE_S (24 * 3600)
#define DISCOVERY_RETRY_S 10      /* after a failed discovery, do not hammer the issuer */
#define PROVIDER_TIMEOUT_MS 10000L
#define URL_MAX 1024
#define GOOGLE_ISSUER "https://accounts.google.com"

/* One issuer + client. Endpoints change only under mu (a rediscovery); readers copy. */
struct provider {
	char issuer[URL_MAX], client_id[256];
	char authorization_endpoint[URL_MAX], token_endpoint[URL_MAX], jwks_uri[URL_MAX];
	bool basic_auth;
	time_t discovered_at, tried_at;
	struct crypto_jwks_cache *jwks;
	struct provider *next;
};

/* Providers live as long as the process (a handful at most: one per configured issuer). */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t discover_mu = PTHREAD_MUTEX_INITIALIZER;
static struct provider *providers;

bool auth_oidc_configured(const struct platform *pf)
{
	return pf->oidc_issuer && *pf->oidc_issuer && pf->oidc_client_id && *pf->oidc_client_id &&
	       pf->oidc_client_secret && *pf->oidc_client_secret;
}

const char *auth_oidc_button_label(const struct platform *pf)
{
	static __thread char label[300];
	if (!strcmp(pf->oidc_issuer, GOOGLE_ISSUER))
		return "Sign in with Google";
	const char *h = strstr(pf->oidc_issuer, "://");
	h = h ? h + 3 : pf->oidc_issuer;
	snprintf(label, sizeof label, "Sign in with %.*s", (int)strcspn(h, "/"), h);
	return label;
}

/* https, or http to a loopback host (tests against a local issuer). */
static bool url_ok(const char *u)
{
	if (!strncmp(u, "https://", 8))
		return strlen(u) > 8;
	return !strncmp(u, "http://127.0.0.1", 16) || !strncmp(u, "http://localhost", 16) || !strncmp(u, "http://[::1]", 12);
}

/* ---- HTTP ------------------------------------------------------------------------------ */

static enum err http_get(struct arena *a, const char *url, size_t max, struct http_client_response *resp, struct errinfo *ei)
{
	struct http_client_header h[] = {{"Accept", "application/json"}};
	struct http_client_request rq = {.method = "GET", .url = url, .headers = h, .nheaders = 1,
				  .timeout_ms = PROVIDER_TIMEOUT_MS, .body_max = max};
	enum err e = http_client_do(a, &rq, resp, ei);
	if (e)
		return e == ERR_TOO_LARGE ? e : err_set(ei, ERR_UPSTREAM, "", "GET %s: %s", url, ei ? ei->message : "failed");
	if (resp->status != 200)
		return err_set(ei, ERR_UPSTREAM, "", "GET %s: HTTP %ld", url, resp->status);
	return ERR_OK;
}

static const char *jstr(const json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

static bool jarray_has(const json_t *arr, const char *v)
{
	size_t i;
	json_t *x;
	json_array_foreach(arr, i, x)
	if (json_is_string(x) && !strcmp(json_string_value(x), v))
		return true;
	return false;
}

/* Fetch and check the discovery document; fill p's endpoints (caller holds discover_mu). */
static enum err discover(struct provider *p, struct errinfo *ei)
{
	struct arena *a = arena_new(0);
	char url[URL_MAX + 64];
	size_t il = strlen(p->issuer);
	snprintf(url, sizeof url, "%.*s/.well-known/openid-configuration", (int)(il && p->issuer[il - 1] == '/' ? il - 1 : il),
		 p->issuer);
	struct http_client_response resp;
	enum err e = http_get(a, url, 256 * 1024, &resp, ei);
	json_t *d = NULL;
	if (!e) {
		json_error_t je;
		d = json_loadb(resp.body, resp.body_len, JSON_REJECT_DUPLICATES, &je);
		if (!json_is_object(d))
			e = err_set(ei, ERR_UPSTREAM, "", "discovery document of %s is not a JSON object", p->issuer);
	}
	const char *iss = NULL, *az = NULL, *tok = NULL, *jwks = NULL;
	if (!e) {
		iss = jstr(d, "issuer");
		az = jstr(d, "authorization_endpoint");
		tok = jstr(d, "token_endpoint");
		jwks = jstr(d, "jwks_uri");
		if (!iss || strcmp(iss, p->issuer))
			e = err_set(ei, ERR_UPSTREAM, "/issuer", "discovery document names issuer %s, expected %s",
				    iss ? iss : "(none)", p->issuer);
		else if (!az || !tok || !jwks || !url_ok(az) || !url_ok(tok) || !url_ok(jwks) || strlen(az) >= URL_MAX ||
			 strlen(tok) >= URL_MAX || strlen(jwks) >= URL_MAX)
			e = err_set(ei, ERR_UPSTREAM, "", "discovery document of %s lacks usable https endpoints", p->issuer);
	}
	if (!e) {
		json_t *algs = json_object_get(d, "id_token_signing_alg_values_supported");
		if (algs && !jarray_has(algs, "RS256"))
			e = err_set(ei, ERR_UPSTREAM, "/id_token_signing_alg_values_supported",
				    "%s does not sign ID tokens with RS256, the only algorithm radsched accepts", p->issuer);
	}
	if (!e) {
		json_t *methods = json_object_get(d, "token_endpoint_auth_methods_supported");
		pthread_mutex_lock(&mu);
		snprintf(p->authorization_endpoint, sizeof p->authorization_endpoint, "%s", az);
		snprintf(p->token_endpoint, sizeof p->token_endpoint, "%s", tok);
		snprintf(p->jwks_uri, sizeof p->jwks_uri, "%s", jwks);
		p->basic_auth = !methods || jarray_has(methods, "client_secret_basic") || !jarray_has(methods, "client_secret_post");
		p->discovered_at = time(NULL);
		pthread_mutex_unlock(&mu);
	}
	json_decref(d);
	arena_free(a);
	return e;
}

/* The JWKS fetch callback of the key cache. */
static enum err jwks_fetch(void *arg, char **json_out)
{
	struct provider *p = arg;
	char url[URL_MAX];
	pthread_mutex_lock(&mu);
	snprintf(url, sizeof url, "%s", p->jwks_uri);
	pthread_mutex_unlock(&mu);
	struct arena *a = arena_new(0);
	struct http_client_response resp;
	struct errinfo ei = {0};
	enum err e = url[0] ? http_get(a, url, CRYPTO_JWKS_MAX_BYTES, &resp, &ei) : ERR_UPSTREAM;
	if (!e)
		*json_out = xstrdup(resp.body);
	else
		log_kv(LOG_WARN, "OIDC: cannot fetch the issuer's keys", "error", ei.message, NULL);
	arena_free(a);
	return e;
}

/* The provider for pf, discovered (again when stale). */
static enum err provider_get(const struct platform *pf, struct provider **out, struct errinfo *ei)
{
	if (!auth_oidc_configured(pf))
		return err_set(ei, ERR_UNSUPPORTED, "", "single sign-on is not configured");
	if (!url_ok(pf->oidc_issuer) || strlen(pf->oidc_issuer) >= URL_MAX || strlen(pf->oidc_client_id) >= 256)
		return err_set(ei, ERR_UPSTREAM, "", "the OIDC issuer must be an https URL (http only on loopback)");
	pthread_mutex_lock(&mu);
	struct provider *p = providers;
	while (p && (strcmp(p->issuer, pf->oidc_issuer) || strcmp(p->client_id, pf->oidc_client_id)))
		p = p->next;
	if (!p) {
		p = xcalloc(1, sizeof *p);
		snprintf(p->issuer, sizeof p->issuer, "%s", pf->oidc_issuer);
		snprintf(p->client_id, sizeof p->client_id, "%s", pf->oidc_client_id);
		struct crypto_jwks_cache_opts o = {.fetch = jwks_fetch, .arg = p, .min_refresh_s = pf->oidc_jwks_min_refresh_s};
		p->jwks = crypto_jwks_cache_new(&o);
		p->next = providers;
		providers = p;
	}
	time_t now = time(NULL);
	bool need = !p->discovered_at || now - p->discovered_at > DISCOVERY_MAX_AGE_S;
	bool have = p->discovered_at != 0;
	pthread_mutex_unlock(&mu);
	if (need) {
		pthread_mutex_lock(&discover_mu);
		enum err e = ERR_OK;
		pthread_mutex_lock(&mu);
		bool still = !p->discovered_at || time(NULL) - p->discovered_at > DISCOVERY_MAX_AGE_S;
		bool too_soon = p->tried_at && time(NULL) - p->tried_at < DISCOVERY_RETRY_S;
		if (still && !too_soon)
			p->tried_at = time(NULL);
		pthread_mutex_unlock(&mu);
		if (still && too_soon && !have)
			e = err_set(ei, ERR_UPSTREAM, "", "the issuer %s could not be reached a moment ago", p->issuer);
		else if (still && !too_soon)
			e = discover(p, ei);
		pthread_mutex_unlock(&discover_mu);
		if (e) {
			log_kv(LOG_WARN, "OIDC discovery failed", "issuer", p->issuer, "error", ei ? ei->message : "", NULL);
			if (!have)
				return e; /* a stale document still works */
		}
	}
	*out = p;
	return ERR_OK;
}

/* ---- the authorization request ----------------------------------------------------- */

static enum err redirect_uri(const struct platform *pf, struct buf *b)
{
	return buf_printf(b, "%s/auth/oidc/callback", pf->base_url);
}

enum err auth_oidc_authorize_url(const struct platform *pf, struct arena *a, const char *state, const char *nonce,
				 const char *challenge, char **url, struct errinfo *ei)
{
	struct provider *p;
	enum err e = provider_get(pf, &p, ei);
	if (e)
		return e;
	struct buf b, ru;
	buf_init(&b, 8192);
	buf_init(&ru, 2048);
	pthread_mutex_lock(&mu);
	e = buf_puts(&b, p->authorization_endpoint);
	pthread_mutex_unlock(&mu);
	if (!e)
		e = buf_puts(&b, strchr(b.data, '?') ? "&" : "?");
	if (!e)
		e = buf_puts(&b, "response_type=code&client_id=");
	if (!e)
		e = auth_url_encode(&b, pf->oidc_client_id);
	if (!e)
		e = redirect_uri(pf, &ru);
	if (!e)
		e = buf_puts(&b, "&redirect_uri=");
	if (!e)
		e = auth_url_encode(&b, ru.data);
	if (!e)
		e = buf_puts(&b, "&scope=");
	if (!e)
		e = auth_url_encode(&b, AUTH_OIDC_SCOPES);
	if (!e)
		e = buf_printf(&b, "&state=%s&nonce=%s&code_challenge=%s&code_challenge_method=S256", state, nonce, challenge);
	if (!e)
		*url = arena_strndup(a, b.data, b.len);
	buf_fini(&b);
	buf_fini(&ru);
	return e ? err_set(ei, ERR_INTERNAL, "", "authorization URL too long") : ERR_OK;
}

/* ---- the token request --------------------------------------------------------------- */

/* Standard base64 with padding (HTTP Basic). */
static void b64_std(struct buf *b, const char *in)
{
	static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *s = (const unsigned char *)in;
	size_t n = strlen(in);
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)s[i] << 16 | (i + 1 < n ? (unsigned)s[i + 1] << 8 : 0) | (i + 2 < n ? s[i + 2] : 0);
		char q[5] = {tbl[v >> 18 & 63], tbl[v >> 12 & 63], i + 1 < n ? tbl[v >> 6 & 63] : '=', i + 2 < n ? tbl[v & 63] : '=', 0};
		RS_IGNORE(buf_puts(b, q)); /* uncapped buffer */
	}
}

/* POST the code; *id_token (arena) from a 200 answer. */
static enum err token_request(const struct platform *pf, struct provider *p, struct arena *a, const char *code,
			      const char *verifier, const char **id_token, struct errinfo *ei)
{
	struct buf body, ru, cred, auth;
	buf_init(&body, 0);
	buf_init(&ru, 0);
	buf_init(&cred, 0);
	buf_init(&auth, 0);
	enum err e = buf_puts(&body, "grant_type=authorization_code&code=");
	if (!e)
		e = auth_url_encode(&body, code);
	if (!e)
		e = redirect_uri(pf, &ru);
	if (!e)
		e = buf_puts(&body, "&redirect_uri=");
	if (!e)
		e = auth_url_encode(&body, ru.data);
	if (!e)
		e = buf_puts(&body, "&code_verifier=");
	if (!e)
		e = auth_url_encode(&body, verifier);
	char endpoint[URL_MAX];
	pthread_mutex_lock(&mu);
	snprintf(endpoint, sizeof endpoint, "%s", p->token_endpoint);
	bool basic = p->basic_auth;
	pthread_mutex_unlock(&mu);
	if (!e && basic) {
		/* RFC 6749 §2.3.1: form-encode id and secret, then base64 "id:secret" */
		e = auth_url_encode(&cred, pf->oidc_client_id);
		if (!e)
			e = buf_putc(&cred, ':');
		if (!e)
			e = auth_url_encode(&cred, pf->oidc_client_secret);
		if (!e)
			e = buf_puts(&auth, "Basic ");
		if (!e)
			b64_std(&auth, cred.data);
	} else if (!e) {
		e = buf_puts(&body, "&client_id=");
		if (!e)
			e = auth_url_encode(&body, pf->oidc_client_id);
		if (!e)
			e = buf_puts(&body, "&client_secret=");
		if (!e)
			e = auth_url_encode(&body, pf->oidc_client_secret);
	}
	struct http_client_header h[] = {{"Content-Type", "application/x-www-form-urlencoded"},
				  {"Accept", "application/json"},
				  {"Authorization", auth.data}};
	struct http_client_request rq = {.method = "POST", .url = endpoint, .headers = h, .nheaders = basic ? 3 : 2,
				  .body = body.data, .body_len = body.len, .timeout_ms = PROVIDER_TIMEOUT_MS};
	struct http_client_response resp = {0};
	if (!e)
		e = http_client_do(a, &rq, &resp, ei);
	if (e && e != ERR_TIMEOUT)
		e = ERR_UPSTREAM;
	json_t *j = NULL;
	if (!e) {
		json_error_t je;
		j = json_loadb(resp.body, resp.body_len, JSON_REJECT_DUPLICATES, &je);
		const char *idt = jstr(j, "id_token");
		if (resp.status != 200) {
			const char *err = jstr(j, "error");
			e = resp.status >= 500 ? err_set(ei, ERR_UPSTREAM, "", "token endpoint: HTTP %ld", resp.status)
					       : err_set(ei, ERR_UNAUTHORIZED, "", "token endpoint refused the code: %s",
							 err ? err : "(no error code)");
		} else if (!idt) {
			e = err_set(ei, ERR_UNAUTHORIZED, "/id_token", "token endpoint answered without an id_token");
		} else {
			*id_token = arena_strdup(a, idt);
		}
	}
	json_decref(j);
	if (cred.data)
		memset(cred.data, 0, cred.len);
	buf_fini(&body);
	buf_fini(&ru);
	buf_fini(&cred);
	buf_fini(&auth);
	return e;
}

enum err auth_oidc_redeem(const struct platform *pf, struct arena *a, const char *code, const char *verifier,
			  const char *nonce, struct auth_oidc_identity *out, struct errinfo *ei)
{
	memset(out, 0, sizeof *out);
	struct provider *p;
	enum err e = provider_get(pf, &p, ei);
	if (e)
		return e;
	if (!code || !*code || strlen(code) > 2048)
		return err_set(ei, ERR_UNAUTHORIZED, "code", "the issuer sent no usable code");
	const char *idt = NULL;
	if ((e = token_request(pf, p, a, code, verifier, &idt, ei)))
		return e;
	json_t *claims = NULL;
	e = crypto_jwks_cache_verify_rs256(p->jwks, idt, strlen(idt), &claims, ei);
	if (e && e != ERR_UPSTREAM)
		e = ERR_UNAUTHORIZED;
	struct crypto_oidc_expect x = {.issuer = p->issuer, .client_id = pf->oidc_client_id, .nonce = nonce,
				       .leeway_s = CRYPTO_JWT_LEEWAY_S};
	if (!e && (e = crypto_jwt_check_oidc(claims, &x, ei)) != ERR_OK)
		e = ERR_UNAUTHORIZED;
	if (!e) {
		const char *email = auth_email_normalize(a, jstr(claims, "email"));
		const char *name = jstr(claims, "name"), *hd = jstr(claims, "hd");
		if (!email) {
			e = err_set(ei, ERR_UNAUTHORIZED, "/email", "the ID token's email is not an address radsched accepts");
		} else {
			snprintf(out->email, sizeof out->email, "%s", email);
			snprintf(out->name, sizeof out->name, "%s", name ? name : "");
			snprintf(out->hd, sizeof out->hd, "%s", hd ? hd : "");
			const char *dom = strchr(out->email, '@') + 1;
			/* Google: only the hd claim vouches for a Workspace domain (a consumer account
			 * may carry any verified address). Other issuers: the verified email does. */
			out->domain_vouched = hd ? !strcasecmp(hd, dom) : strcmp(p->issuer, GOOGLE_ISSUER) != 0;
		}
	}
	json_decref(claims);
	return e;
}
