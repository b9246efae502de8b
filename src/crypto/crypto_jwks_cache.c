/* crypto_jwks_cache.c — the provider's key set, shared by threads, refreshed on demand.
 * Two locks: mu guards the fields below and is held only for pointer swaps; fetch_mu
 * serialises fetches (so a burst of tokens with a new kid causes one fetch) and is held
 * across the callback. Lock order: fetch_mu, then mu. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/log.h"
#include "crypto/crypto_jwt_internal.h"

struct crypto_jwks_cache {
	struct crypto_jwks_cache_opts o;
	pthread_mutex_t mu, fetch_mu;
	struct crypto_jwks *keys; /* NULL until the first good fetch */
	time_t fetched_at;        /* last good fetch */
	time_t attempted_at;      /* last fetch attempt, good or not */
	unsigned attempts;
};

static time_t cache_now(const struct crypto_jwks_cache *c)
{
	return c->o.clock ? c->o.clock() : time(NULL);
}

struct crypto_jwks_cache *crypto_jwks_cache_new(const struct crypto_jwks_cache_opts *opts)
{
	struct crypto_jwks_cache *c = xcalloc(1, sizeof *c);
	c->o = *opts;
	if (c->o.min_refresh_s <= 0)
		c->o.min_refresh_s = 30;
	if (c->o.max_age_s <= 0)
		c->o.max_age_s = 3600;
	pthread_mutex_init(&c->mu, NULL);
	pthread_mutex_init(&c->fetch_mu, NULL);
	return c;
}

void crypto_jwks_cache_free(struct crypto_jwks_cache *c)
{
	if (!c)
		return;
	crypto_jwks_release(c->keys);
	pthread_mutex_destroy(&c->mu);
	pthread_mutex_destroy(&c->fetch_mu);
	free(c);
}

/* Fetch and install a new key set. Caller holds fetch_mu. */
static enum err cache_fetch_locked(struct crypto_jwks_cache *c, struct errinfo *ei)
{
	time_t now = cache_now(c);
	pthread_mutex_lock(&c->mu);
	bool too_soon = c->attempts && now - c->attempted_at < c->o.min_refresh_s;
	if (!too_soon) {
		c->attempted_at = now;
		c->attempts++;
	}
	pthread_mutex_unlock(&c->mu);
	if (too_soon)
		return err_set(ei, ERR_RATE_LIMITED, "", "JWKS was fetched less than %d s ago; not fetching again",
			       c->o.min_refresh_s);
	char *json = NULL;
	enum err e = c->o.fetch(c->o.arg, &json);
	if (e) {
		free(json);
		log_warn("crypto: JWKS fetch failed (%s); keeping the previous keys", err_name(e));
		return err_set(ei, e, "", "JWKS fetch failed: %s", err_name(e));
	}
	struct crypto_jwks *set = NULL;
	e = json ? crypto_jwks_parse(json, strlen(json), &set, ei) : err_set(ei, ERR_UPSTREAM, "", "JWKS fetch "
									     "returned nothing");
	free(json);
	if (e) {
		log_warn("crypto: fetched JWKS rejected (%s: %s); keeping the previous keys", err_name(e),
			 ei ? ei->message : "");
		return e;
	}
	pthread_mutex_lock(&c->mu);
	struct crypto_jwks *old = c->keys;
	c->keys = set;
	c->fetched_at = now;
	pthread_mutex_unlock(&c->mu);
	crypto_jwks_release(old);
	return ERR_OK;
}

enum err crypto_jwks_cache_refresh(struct crypto_jwks_cache *c, struct errinfo *ei)
{
	pthread_mutex_lock(&c->fetch_mu);
	enum err e = cache_fetch_locked(c, ei);
	pthread_mutex_unlock(&c->fetch_mu);
	return e;
}

/* The current set with a reference, or NULL. */
static struct crypto_jwks *cache_current(struct crypto_jwks_cache *c, bool *stale)
{
	pthread_mutex_lock(&c->mu);
	struct crypto_jwks *k = c->keys ? crypto_jwks_ref(c->keys) : NULL;
	*stale = !k || cache_now(c) - c->fetched_at >= c->o.max_age_s;
	pthread_mutex_unlock(&c->mu);
	return k;
}

enum err crypto_jwks_cache_get(struct crypto_jwks_cache *c, struct crypto_jwks **out, struct errinfo *ei)
{
	bool stale;
	struct crypto_jwks *k = cache_current(c, &stale);
	*out = NULL;
	if (stale) {
		struct errinfo local;
		enum err e = crypto_jwks_cache_refresh(c, &local);
		if (e == ERR_OK || !k) {
			crypto_jwks_release(k);
			k = cache_current(c, &stale);
		}
		if (!k) {
			if (ei)
				*ei = local;
			return e == ERR_RATE_LIMITED
				       ? err_set(ei, ERR_UPSTREAM, "", "no JWKS yet and the last fetch failed recently")
				       : (e ? e : err_set(ei, ERR_UPSTREAM, "", "no JWKS available"));
		}
	}
	*out = k;
	return ERR_OK;
}

enum err crypto_jwks_cache_verify_rs256(struct crypto_jwks_cache *c, const char *token, size_t len,
					json_t **claims_out, struct errinfo *ei)
{
	struct crypto_jwks *k;
	*claims_out = NULL;
	enum err e = crypto_jwks_cache_get(c, &k, ei);
	if (e)
		return e;
	e = crypto_jwt_verify_rs256(k, token, len, claims_out, ei);
	if (e == ERR_NOT_FOUND) {
		struct errinfo local;
		RS_IGNORE(crypto_jwks_cache_refresh(c, &local)); /* rate limited or failed: the old keys decide */
		bool stale;
		struct crypto_jwks *k2 = cache_current(c, &stale);
		if (k2 && k2 != k)
			e = crypto_jwt_verify_rs256(k2, token, len, claims_out, ei);
		crypto_jwks_release(k2);
		if (e == ERR_NOT_FOUND)
			e = err_set(ei, ERR_UNAUTHORIZED, "/kid", "JWT kid is not in the provider's key set, even after "
				    "a refresh");
	}
	crypto_jwks_release(k);
	return e;
}

unsigned crypto_jwks_cache_fetch_count(struct crypto_jwks_cache *c)
{
	pthread_mutex_lock(&c->mu);
	unsigned n = c->attempts;
	pthread_mutex_unlock(&c->mu);
	return n;
}

time_t crypto_jwks_cache_fetched_at(struct crypto_jwks_cache *c)
{
	pthread_mutex_lock(&c->mu);
	time_t t = c->fetched_at;
	pthread_mutex_unlock(&c->mu);
	return t;
}
