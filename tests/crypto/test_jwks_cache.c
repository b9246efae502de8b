/* JWKS cache: first fetch, unknown kid → one rate-limited refresh, fetch failures keep
 * the old keys, max age, concurrent verifiers. Fetches go through a scripted callback and
 * time through a fake clock. */
#include <pthread.h>
#include <stdatomic.h>

#include "crypto/crypto_jwt.h"
#include "jwt_testkit.h"

static EVP_PKEY *key_a, *key_b;
static char *jwks_a, *jwks_ab; /* documents: {a1} and {a1, b2} */
static char *claims;

static void keys_setup(void)
{
	key_a = tk_rsa_new(2048);
	key_b = tk_rsa_new(2048);
	jwks_a = tk_jwks_text(tk_jwk(key_a, "a1"), NULL);
	jwks_ab = tk_jwks_text(tk_jwk(key_a, "a1"), tk_jwk(key_b, "b2"), NULL);
	claims = strdup("{\"sub\":\"1\",\"exp\":1700000600}");
}

static void keys_teardown(void)
{
	EVP_PKEY_free(key_a);
	EVP_PKEY_free(key_b);
	free(jwks_a);
	free(jwks_ab);
	free(claims);
}

/* The scripted provider. */
static _Atomic long fake_now = TK_NOW;
static const char *serve;        /* document to return */
static enum err serve_err;       /* or this error */
static atomic_int fetches;

static time_t fake_clock(void)
{
	return (time_t)atomic_load(&fake_now);
}

static enum err fake_fetch(void *arg, char **json_out)
{
	(void)arg;
	atomic_fetch_add(&fetches, 1);
	if (serve_err)
		return serve_err;
	*json_out = strdup(serve);
	return ERR_OK;
}

static struct crypto_jwks_cache *cache_new(void)
{
	atomic_store(&fake_now, TK_NOW);
	atomic_store(&fetches, 0);
	serve = jwks_a;
	serve_err = ERR_OK;
	struct crypto_jwks_cache_opts o = {fake_fetch, NULL, 30, 3600, fake_clock};
	return crypto_jwks_cache_new(&o);
}

static enum err cverify(struct crypto_jwks_cache *c, const char *tok, struct errinfo *ei)
{
	json_t *out = NULL;
	err_clear(ei);
	enum err e = crypto_jwks_cache_verify_rs256(c, tok, strlen(tok), &out, ei);
	json_decref(out);
	return e;
}

START_TEST(unknown_kid_triggers_one_refresh)
{
	struct crypto_jwks_cache *c = cache_new();
	struct errinfo ei;
	char *ta = tk_sign_rs256(key_a, "{\"alg\":\"RS256\",\"kid\":\"a1\"}", claims);
	char *tb = tk_sign_rs256(key_b, "{\"alg\":\"RS256\",\"kid\":\"b2\"}", claims);
	char *tz = tk_sign_rs256(key_b, "{\"alg\":\"RS256\",\"kid\":\"zz\"}", claims);
	ck_assert_int_eq(cverify(c, ta, &ei), ERR_OK); /* first use fetches */
	ck_assert_int_eq(atomic_load(&fetches), 1);
	ck_assert_int_eq(crypto_jwks_cache_fetched_at(c), TK_NOW);
	/* provider rotates: b2 appears; a token with kid b2 makes the cache refresh */
	serve = jwks_ab;
	atomic_store(&fake_now, TK_NOW + 31);
	ck_assert_int_eq(cverify(c, tb, &ei), ERR_OK);
	ck_assert_int_eq(atomic_load(&fetches), 2);
	ck_assert_int_eq(crypto_jwks_cache_fetch_count(c), 2);
	/* a kid nobody has: within the minimum interval no fetch happens, and it is refused */
	atomic_store(&fake_now, TK_NOW + 40);
	ck_assert_int_eq(cverify(c, tz, &ei), ERR_UNAUTHORIZED);
	ck_assert_str_eq(ei.path, "/kid");
	ck_assert_int_eq(cverify(c, tz, &ei), ERR_UNAUTHORIZED);
	ck_assert_int_eq(atomic_load(&fetches), 2);
	ck_assert_int_eq(crypto_jwks_cache_refresh(c, &ei), ERR_RATE_LIMITED);
	/* after the interval one more fetch, still unknown */
	atomic_store(&fake_now, TK_NOW + 62);
	ck_assert_int_eq(cverify(c, tz, &ei), ERR_UNAUTHORIZED);
	ck_assert_int_eq(atomic_load(&fetches), 3);
	/* known kids never fetch */
	ck_assert_int_eq(cverify(c, ta, &ei), ERR_OK);
	ck_assert_int_eq(cverify(c, tb, &ei), ERR_OK);
	ck_assert_int_eq(atomic_load(&fetches), 3);
	free(ta);
	free(tb);
	free(tz);
	crypto_jwks_cache_free(c);
}
END_TEST

START_TEST(fetch_failures_keep_old_keys)
{
	struct crypto_jwks_cache *c = cache_new();
	struct errinfo ei;
	char *ta = tk_sign_rs256(key_a, "{\"alg\":\"RS256\",\"kid\":\"a1\"}", claims);
	/* no keys and the provider is down */
	serve_err = ERR_UPSTREAM;
	ck_assert_int_eq(cverify(c, ta, &ei), ERR_UPSTREAM);
	ck_assert_int_eq(cverify(c, ta, &ei), ERR_UPSTREAM); /* rate limited: no second fetch */
	ck_assert_int_eq(atomic_load(&fetches), 1);
	atomic_store(&fake_now, TK_NOW + 30);
	serve_err = ERR_OK;
	ck_assert_int_eq(cverify(c, ta, &ei), ERR_OK);
	ck_assert_int_eq(atomic_load(&fetches), 2);
	/* keys grow old; the refetch fails or returns garbage: the old keys still work */
	atomic_store(&fake_now, TK_NOW + 30 + 3600);
	serve_err = ERR_TIMEOUT;
	ck_assert_int_eq(cverify(c, ta, &ei), ERR_OK);
	ck_assert_int_eq(atomic_load(&fetches), 3);
	atomic_store(&fake_now, TK_NOW + 30 + 3700);
	serve_err = ERR_OK;
	serve = "{\"keys\":[]}";
	ck_assert_int_eq(cverify(c, ta, &ei), ERR_OK);
	ck_assert_int_eq(atomic_load(&fetches), 4);
	ck_assert_int_eq(crypto_jwks_cache_refresh(c, &ei), ERR_RATE_LIMITED);
	atomic_store(&fake_now, TK_NOW + 30 + 3800);
	ck_assert_int_eq(crypto_jwks_cache_refresh(c, &ei), ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(ei.message, "no usable"));
	/* a good fetch after max age replaces the set */
	serve = jwks_ab;
	atomic_store(&fake_now, TK_NOW + 30 + 3900);
	struct crypto_jwks *k = NULL;
	ck_assert_int_eq(crypto_jwks_cache_get(c, &k, &ei), ERR_OK);
	ck_assert_uint_eq(crypto_jwks_count(k), 2);
	crypto_jwks_release(k);
	ck_assert_int_eq(crypto_jwks_cache_fetched_at(c), TK_NOW + 30 + 3900);
	free(ta);
	crypto_jwks_cache_free(c);
}
END_TEST

struct worker {
	struct crypto_jwks_cache *c;
	const char *tok;
	int ok;
};

static void *worker_run(void *p)
{
	struct worker *w = p;
	for (int i = 0; i < 40; i++) {
		json_t *out = NULL;
		if (crypto_jwks_cache_verify_rs256(w->c, w->tok, strlen(w->tok), &out, NULL) == ERR_OK)
			w->ok++;
		json_decref(out);
	}
	return NULL;
}

START_TEST(concurrent_verifiers_share_one_fetch)
{
	struct crypto_jwks_cache *c = cache_new();
	serve = jwks_ab;
	char *tb = tk_sign_rs256(key_b, "{\"alg\":\"RS256\",\"kid\":\"b2\"}", claims);
	struct worker w[8];
	pthread_t th[8];
	for (int i = 0; i < 8; i++) {
		w[i] = (struct worker){c, tb, 0};
		pthread_create(&th[i], NULL, worker_run, &w[i]);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		ck_assert_int_eq(w[i].ok, 40);
	}
	ck_assert_int_eq(atomic_load(&fetches), 1);
	free(tb);
	crypto_jwks_cache_free(c);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("crypto_jwks_cache");
	TCase *tc = tcase_create("cache");
	tcase_add_unchecked_fixture(tc, keys_setup, keys_teardown);
	tcase_add_test(tc, unknown_kid_triggers_one_refresh);
	tcase_add_test(tc, fetch_failures_keep_old_keys);
	tcase_add_test(tc, concurrent_verifiers_share_one_fetch);
	suite_add_tcase(s, tc);
	return s;
}
