/* Tokens made by a real peer (npm jose): the committed fixture
 * tests/crypto/fixtures/jose_tokens.json, or fresh cases named by RADSCHED_JWT_PEER_CASES
 * (jwt_peer.test.mjs does that). Each case says what our verifier + OIDC checks must
 * answer. When RADSCHED_JWT_PEER_OUT is set, an HS256 session token signed here with the
 * fixture's hs256_key is written there for jose to verify. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "crypto/crypto_hash.h"
#include "crypto/crypto_jwt.h"

static json_t *load_cases(void)
{
	char path[1024];
	const char *env = getenv("RADSCHED_JWT_PEER_CASES");
	if (env && *env)
		snprintf(path, sizeof path, "%s", env);
	else
		snprintf(path, sizeof path, "%s/tests/crypto/fixtures/jose_tokens.json", test_root());
	json_error_t jerr;
	json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	ck_assert_msg(doc != NULL, "%s: %s", path, jerr.text);
	return doc;
}

START_TEST(jose_tokens)
{
	json_t *doc = load_cases();
	char *jwks_text = json_dumps(json_object_get(doc, "jwks"), JSON_COMPACT);
	struct crypto_jwks *jwks = NULL;
	struct errinfo ei = {0};
	ck_assert_msg(crypto_jwks_parse(jwks_text, strlen(jwks_text), &jwks, &ei) == ERR_OK, "%s", ei.message);
	ck_assert_uint_eq(crypto_jwks_count(jwks), 1); /* the EC key is skipped */
	struct crypto_oidc_expect x = {
		json_string_value(json_object_get(doc, "issuer")), json_string_value(json_object_get(doc, "client_id")),
		json_string_value(json_object_get(doc, "nonce")), (time_t)json_integer_value(json_object_get(doc, "now")),
		CRYPTO_JWT_LEEWAY_S};
	size_t i, n = 0;
	json_t *c;
	json_array_foreach(json_object_get(doc, "cases"), i, c) {
		const char *name = json_string_value(json_object_get(c, "name"));
		const char *tok = json_string_value(json_object_get(c, "token"));
		const char *want = json_string_value(json_object_get(c, "want"));
		const json_t *path = json_object_get(c, "path");
		json_t *claims = NULL;
		err_clear(&ei);
		enum err e = crypto_jwt_verify_rs256(jwks, tok, strlen(tok), &claims, &ei);
		if (!e)
			e = crypto_jwt_check_oidc(claims, &x, &ei);
		json_decref(claims);
		ck_assert_msg(strcmp(err_name(e), want) == 0, "%s: got %s (%s), want %s", name, err_name(e), ei.message,
			      want);
		if (path)
			ck_assert_msg(strcmp(ei.path, json_string_value(path)) == 0, "%s: path %s, want %s", name, ei.path,
				      json_string_value(path));
		n++;
	}
	ck_assert_uint_ge(n, 10);
	crypto_jwks_release(jwks);
	free(jwks_text);
	json_decref(doc);
}
END_TEST

START_TEST(hs256_for_jose)
{
	json_t *doc = load_cases();
	const char *kb64 = json_string_value(json_object_get(doc, "hs256_key"));
	unsigned char key[64];
	size_t klen = 0;
	ck_assert_int_eq(crypto_b64url_decode(kb64, strlen(kb64), key, sizeof key, &klen), ERR_OK);
	json_int_t now = json_integer_value(json_object_get(doc, "now"));
	json_t *claims = json_pack("{s:s, s:I, s:I}", "sub", "c-peer", "iat", now, "exp", now + 600);
	struct buf b;
	struct errinfo ei = {0};
	buf_init(&b, 0);
	ck_assert_int_eq(crypto_jwt_sign_hs256(key, klen, claims, &b, &ei), ERR_OK);
	json_t *back = NULL;
	ck_assert_int_eq(crypto_jwt_verify_hs256(key, klen, b.data, b.len, (time_t)now, &back, &ei), ERR_OK);
	json_decref(back);
	const char *out = getenv("RADSCHED_JWT_PEER_OUT");
	if (out && *out) {
		FILE *f = fopen(out, "w");
		ck_assert_ptr_nonnull(f);
		fputs(b.data, f);
		fclose(f);
	}
	buf_fini(&b);
	json_decref(claims);
	json_decref(doc);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("crypto_jwt_peer");
	TCase *tc = tcase_create("jose");
	tcase_add_test(tc, jose_tokens);
	tcase_add_test(tc, hs256_for_jose);
	suite_add_tcase(s, tc);
	return s;
}
