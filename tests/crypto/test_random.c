/* Random bytes, tokens and their stored hashes, PKCE (RFC 7636 appendix B). */
#include <stdio.h>
#include <string.h>

#include "check_main.h"
#include "crypto/crypto_pkce.h"
#include "crypto/crypto_random.h"

START_TEST(random_bytes_differ)
{
	unsigned char a[32], b[32], zero[32] = {0};
	crypto_random_bytes(a, sizeof a);
	crypto_random_bytes(b, sizeof b);
	ck_assert(memcmp(a, b, sizeof a) != 0);
	ck_assert(memcmp(a, zero, sizeof a) != 0);
	crypto_random_bytes(NULL, 0);
}
END_TEST

START_TEST(token_shape_and_caps)
{
	char t1[CRYPTO_TOKEN_SIZE(CRYPTO_TOKEN_BYTES)], t2[CRYPTO_TOKEN_SIZE(CRYPTO_TOKEN_BYTES)];
	ck_assert_uint_eq(sizeof t1, 44);
	ck_assert_int_eq(crypto_random_token(t1, sizeof t1, CRYPTO_TOKEN_BYTES), ERR_OK);
	ck_assert_int_eq(crypto_random_token(t2, sizeof t2, CRYPTO_TOKEN_BYTES), ERR_OK);
	ck_assert_uint_eq(strlen(t1), 43);
	ck_assert_str_ne(t1, t2);
	ck_assert_uint_eq(strspn(t1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), 43);
	char big[CRYPTO_TOKEN_SIZE(CRYPTO_TOKEN_MAX_BYTES)];
	ck_assert_int_eq(crypto_random_token(big, sizeof big, CRYPTO_TOKEN_MAX_BYTES), ERR_OK);
	ck_assert_uint_eq(strlen(big), sizeof big - 1);
	ck_assert_int_eq(crypto_random_token(big, sizeof big, 8), ERR_INVALID);
	ck_assert_int_eq(crypto_random_token(big, sizeof big, CRYPTO_TOKEN_MAX_BYTES + 1), ERR_INVALID);
	ck_assert_int_eq(crypto_random_token(t1, sizeof t1 - 1, CRYPTO_TOKEN_BYTES), ERR_TOO_LARGE);
}
END_TEST

START_TEST(token_hash_storage)
{
	char h[CRYPTO_SHA256_HEX_SIZE];
	crypto_token_hash("abc", h);
	ck_assert_str_eq(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	ck_assert(crypto_token_hash_matches("abc", h));
	ck_assert(!crypto_token_hash_matches("abd", h));
	ck_assert(!crypto_token_hash_matches("abc", "ba7816bf"));
	ck_assert(!crypto_token_hash_matches("abc", ""));
	char longer[80];
	snprintf(longer, sizeof longer, "%s00", h);
	ck_assert(!crypto_token_hash_matches("abc", longer));
}
END_TEST

START_TEST(pkce_rfc7636_example)
{
	char ch[CRYPTO_PKCE_CHALLENGE_SIZE];
	ck_assert_int_eq(crypto_pkce_challenge_s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", ch), ERR_OK);
	ck_assert_str_eq(ch, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}
END_TEST

START_TEST(pkce_verifier_rules)
{
	char v[CRYPTO_PKCE_VERIFIER_SIZE], ch[CRYPTO_PKCE_CHALLENGE_SIZE];
	crypto_pkce_verifier_new(v);
	ck_assert_uint_eq(strlen(v), 43);
	ck_assert_int_eq(crypto_pkce_challenge_s256(v, ch), ERR_OK);
	ck_assert_uint_eq(strlen(ch), 43);
	char s[140];
	memset(s, 'a', sizeof s);
	s[42] = 0;
	ck_assert_int_eq(crypto_pkce_challenge_s256(s, ch), ERR_INVALID); /* 42 chars */
	memset(s, '~', 128);
	s[128] = 0;
	ck_assert_int_eq(crypto_pkce_challenge_s256(s, ch), ERR_OK); /* 128 unreserved chars */
	s[128] = 'a';
	s[129] = 0;
	ck_assert_int_eq(crypto_pkce_challenge_s256(s, ch), ERR_INVALID); /* 129 */
	ck_assert_int_eq(crypto_pkce_challenge_s256("dBjftJeZ4CVP+mB92K27uhbUJU1p1r_wW1gFWFOEjXk", ch), ERR_INVALID);
	ck_assert_int_eq(crypto_pkce_challenge_s256(NULL, ch), ERR_INVALID);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("crypto_random");
	TCase *tc = tcase_create("random");
	tcase_add_test(tc, random_bytes_differ);
	tcase_add_test(tc, token_shape_and_caps);
	tcase_add_test(tc, token_hash_storage);
	tcase_add_test(tc, pkce_rfc7636_example);
	tcase_add_test(tc, pkce_verifier_rules);
	suite_add_tcase(s, tc);
	return s;
}
