/* AES-256-GCM secrets at rest: keyring parsing, round trip, tampering, AAD binding,
 * key rotation; HKDF-SHA256 (RFC 5869 test cases 1 and 3) and purpose keys. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "crypto/crypto_aead.h"
#include "crypto/crypto_hash.h"
#include "crypto/crypto_kdf.h"

/* "kid:<fresh key>" into out (size 80). */
static void new_entry(const char *kid, char *out)
{
	struct buf b;
	buf_init(&b, 0);
	ck_assert_int_eq(crypto_keyring_entry_new(kid, &b), ERR_OK);
	ck_assert_uint_lt(b.len, 80);
	strcpy(out, b.data);
	crypto_buf_wipe(&b);
}

static struct crypto_keyring *ring(const char *spec)
{
	struct crypto_keyring *kr = NULL;
	struct errinfo ei = {0};
	enum err e = crypto_keyring_parse(spec, &kr, &ei);
	ck_assert_msg(e == ERR_OK, "keyring: %s", ei.message);
	return kr;
}

static char *seal(const struct crypto_keyring *kr, const char *pt, const char *aad)
{
	struct buf b;
	struct errinfo ei = {0};
	buf_init(&b, 0);
	ck_assert_int_eq(crypto_seal(kr, pt, strlen(pt), aad, &b, &ei), ERR_OK);
	return buf_steal(&b, NULL);
}

/* Open and compare; returns the error code. */
static enum err open_as(const struct crypto_keyring *kr, const char *sealed, const char *aad, const char *want)
{
	struct buf b;
	struct errinfo ei = {0};
	buf_init(&b, 0);
	enum err e = crypto_open(kr, sealed, aad, &b, &ei);
	if (e == ERR_OK && want)
		ck_assert_str_eq(b.data ? b.data : "", want);
	if (e != ERR_OK)
		ck_assert_uint_eq(b.len, 0);
	crypto_buf_wipe(&b);
	return e;
}

START_TEST(round_trip)
{
	char e1[80];
	new_entry("k1", e1);
	struct crypto_keyring *kr = ring(e1);
	ck_assert_str_eq(crypto_keyring_current_kid(kr), "k1");
	const char *aad = "tenant=6f1c0a3e-0000-4000-8000-000000000001;purpose=google_refresh";
	char *s = seal(kr, "1//0refresh-token-value", aad);
	ck_assert(strncmp(s, "v1.k1.", 6) == 0);
	ck_assert_ptr_null(strstr(s, "refresh"));
	ck_assert_int_eq(open_as(kr, s, aad, "1//0refresh-token-value"), ERR_OK);
	/* two seals of the same secret differ (fresh nonce) */
	char *s2 = seal(kr, "1//0refresh-token-value", aad);
	ck_assert_str_ne(s, s2);
	/* empty plaintext and NULL aad */
	char *s3 = seal(kr, "", NULL);
	ck_assert_int_eq(open_as(kr, s3, NULL, ""), ERR_OK);
	ck_assert_int_eq(open_as(kr, s3, "", ""), ERR_OK); /* NULL and "" are the same empty aad */
	free(s);
	free(s2);
	free(s3);
	crypto_keyring_free(kr);
}
END_TEST

START_TEST(wrong_aad_fails)
{
	char e1[80];
	new_entry("k1", e1);
	struct crypto_keyring *kr = ring(e1);
	char *s = seal(kr, "secret", "tenant=a;purpose=google_refresh");
	ck_assert_int_eq(open_as(kr, s, "tenant=b;purpose=google_refresh", NULL), ERR_INVALID);
	ck_assert_int_eq(open_as(kr, s, "tenant=a;purpose=smtp_password", NULL), ERR_INVALID);
	ck_assert_int_eq(open_as(kr, s, NULL, NULL), ERR_INVALID);
	free(s);
	crypto_keyring_free(kr);
}
END_TEST

START_TEST(tampering_never_opens)
{
	char e1[80], e2[80], spec[170];
	new_entry("k1", e1);
	new_entry("k2", e2);
	snprintf(spec, sizeof spec, "%s,%s", e1, e2);
	struct crypto_keyring *kr = ring(spec);
	char *s = seal(kr, "a secret of some length", "aad");
	size_t n = strlen(s);
	/* change every character after "v1." to another base64url character */
	for (size_t i = 3; i < n; i++) {
		if (s[i] == '.')
			continue;
		char saved = s[i];
		s[i] = saved == 'A' ? 'B' : 'A';
		if (i == 4 && saved == '1')
			s[i] = '2'; /* kid k1 → k2: a real key, still must fail */
		enum err e = open_as(kr, s, "aad", NULL);
		ck_assert_msg(e == ERR_INVALID || e == ERR_MALFORMED || e == ERR_NOT_FOUND, "pos %zu opened: %d", i, e);
		s[i] = saved;
	}
	ck_assert_int_eq(open_as(kr, s, "aad", "a secret of some length"), ERR_OK);
	/* truncation, extension, structure */
	char *t = strdup(s);
	t[n - 1] = 0;
	ck_assert_int_ne(open_as(kr, t, "aad", NULL), ERR_OK);
	t[n - 5] = 0;
	ck_assert_int_ne(open_as(kr, t, "aad", NULL), ERR_OK);
	free(t);
	char big[512];
	snprintf(big, sizeof big, "%sAAAA", s);
	ck_assert_int_ne(open_as(kr, big, "aad", NULL), ERR_OK);
	snprintf(big, sizeof big, "%s.x", s);
	ck_assert_int_eq(open_as(kr, big, "aad", NULL), ERR_MALFORMED);
	snprintf(big, sizeof big, "v2%s", s + 2);
	ck_assert_int_eq(open_as(kr, big, "aad", NULL), ERR_MALFORMED);
	static const char *junk[] = {"", "v1", "v1.", "v1.k1", "v1.k1.", "v1.k1.AAAAAAAAAAAAAAAA.",
				     "v1.k1.AAAAAAAAAAAAAAAA.AAAA", "v1.k1.AAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
				     "v1.k1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA==", "v1.k 1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA"};
	for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++)
		ck_assert_msg(open_as(kr, junk[i], "aad", NULL) == ERR_MALFORMED, "junk %zu", i);
	ck_assert_int_eq(open_as(kr, "v1.k1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA", "aad", NULL), ERR_INVALID);
	ck_assert_int_eq(open_as(kr, "v1.k9.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA", "aad", NULL), ERR_NOT_FOUND);
	free(s);
	crypto_keyring_free(kr);
}
END_TEST

START_TEST(key_rotation)
{
	char e1[80], e2[80], spec[170];
	new_entry("k1", e1);
	new_entry("k2", e2);
	struct crypto_keyring *old = ring(e1);
	char *s1 = seal(old, "secret one", "aad");

	snprintf(spec, sizeof spec, "%s,%s", e2, e1); /* k2 current, k1 decrypt-only */
	struct crypto_keyring *rot = ring(spec);
	ck_assert_str_eq(crypto_keyring_current_kid(rot), "k2");
	ck_assert_uint_eq(crypto_keyring_count(rot), 2);
	ck_assert_int_eq(open_as(rot, s1, "aad", "secret one"), ERR_OK);
	ck_assert(!crypto_sealed_is_current(rot, s1));
	char *s2 = seal(rot, "secret two", "aad");
	ck_assert(strncmp(s2, "v1.k2.", 6) == 0);
	ck_assert(crypto_sealed_is_current(rot, s2));
	ck_assert_int_eq(open_as(old, s2, "aad", NULL), ERR_NOT_FOUND); /* old ring cannot read new seals */

	/* after resealing, k1 is removed: anything still under k1 is reported as such */
	struct crypto_keyring *fin = ring(e2);
	ck_assert_int_eq(open_as(fin, s2, "aad", "secret two"), ERR_OK);
	struct buf b;
	struct errinfo ei = {0};
	buf_init(&b, 0);
	ck_assert_int_eq(crypto_open(fin, s1, "aad", &b, &ei), ERR_NOT_FOUND);
	ck_assert_ptr_nonnull(strstr(ei.message, "\"k1\""));
	buf_fini(&b);
	free(s1);
	free(s2);
	crypto_keyring_free(old);
	crypto_keyring_free(rot);
	crypto_keyring_free(fin);
}
END_TEST

START_TEST(keyring_parse_rejects)
{
	char e1[80], e2[80], spec[2000];
	new_entry("k1", e1);
	new_entry("k2", e2);
	const char *key1 = strchr(e1, ':') + 1;
	struct {
		const char *spec;
		enum err want;
	} v[] = {
		{"", ERR_INVALID}, {"k1", ERR_INVALID}, {"k1:", ERR_INVALID}, {"k1:AAAA", ERR_INVALID},
		{":AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", ERR_INVALID},
		{"k 1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", ERR_INVALID},
		{"k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", ERR_INVALID},
		{"k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB", ERR_INVALID}, /* non-zero unused bits */
		{"k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+", ERR_INVALID},
		{"k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA ", ERR_INVALID},
		{"k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA,", ERR_INVALID},
		{",k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", ERR_INVALID},
		{"k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA,k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		 ERR_INVALID},
		{"abcdefghijabcdefghijabcdefghijabc:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", ERR_INVALID},
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		struct crypto_keyring *kr = (void *)1;
		struct errinfo ei = {0};
		ck_assert_msg(crypto_keyring_parse(v[i].spec, &kr, &ei) == v[i].want, "case %zu", i);
		ck_assert_ptr_null(kr);
		ck_assert(ei.message[0]);
	}
	/* a bad second key is reported without quoting any key */
	snprintf(spec, sizeof spec, "%s,k2:%.42s", e1, key1);
	struct crypto_keyring *kr = NULL;
	struct errinfo ei = {0};
	ck_assert_int_eq(crypto_keyring_parse(spec, &kr, &ei), ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(ei.message, "entry 2"));
	ck_assert_ptr_null(strstr(ei.message, "AAAA"));
	ck_assert_ptr_null(strstr(ei.message, key1 + 10));
	/* 17 entries: over the cap */
	spec[0] = 0;
	for (int i = 0; i < CRYPTO_KEYRING_MAX + 1; i++) {
		char e[80];
		char kid[8];
		snprintf(kid, sizeof kid, "k%d", i);
		new_entry(kid, e);
		if (i)
			strcat(spec, ",");
		strcat(spec, e);
	}
	ck_assert_int_eq(crypto_keyring_parse(spec, &kr, &ei), ERR_TOO_LARGE);
	/* entry_new checks the kid */
	struct buf b;
	buf_init(&b, 0);
	ck_assert_int_eq(crypto_keyring_entry_new("bad kid", &b), ERR_INVALID);
	ck_assert_int_eq(crypto_keyring_entry_new("", &b), ERR_INVALID);
	buf_fini(&b);
	(void)e2;
}
END_TEST

START_TEST(seal_caps)
{
	char e1[80];
	new_entry("k1", e1);
	struct crypto_keyring *kr = ring(e1);
	struct buf b;
	struct errinfo ei = {0};
	buf_init(&b, 20); /* too small for any sealed text */
	ck_assert_int_eq(crypto_seal(kr, "x", 1, NULL, &b, &ei), ERR_TOO_LARGE);
	ck_assert_uint_eq(b.len, 0);
	buf_fini(&b);
	buf_init(&b, 0);
	static char huge[CRYPTO_SEAL_MAX_PLAINTEXT + 1];
	ck_assert_int_eq(crypto_seal(kr, huge, sizeof huge, NULL, &b, &ei), ERR_TOO_LARGE);
	ck_assert_int_eq(crypto_seal(kr, huge, sizeof huge - 1, NULL, &b, &ei), ERR_OK);
	struct buf pt;
	buf_init(&pt, 0);
	ck_assert_int_eq(crypto_open(kr, b.data, NULL, &pt, &ei), ERR_OK);
	ck_assert_uint_eq(pt.len, CRYPTO_SEAL_MAX_PLAINTEXT);
	crypto_buf_wipe(&pt);
	buf_fini(&b);
	crypto_keyring_free(kr);
}
END_TEST

static void hex_bytes(const char *hex, unsigned char *out, size_t *n)
{
	ck_assert_int_eq(crypto_hex_decode(hex, strlen(hex), out, 256, n), ERR_OK);
}

START_TEST(hkdf_rfc5869)
{
	unsigned char ikm[22], salt[13], info[10], okm[42];
	char hex[85];
	memset(ikm, 0x0b, sizeof ikm);
	size_t n;
	unsigned char tmp[256];
	hex_bytes("000102030405060708090a0b0c", tmp, &n);
	memcpy(salt, tmp, sizeof salt);
	hex_bytes("f0f1f2f3f4f5f6f7f8f9", tmp, &n);
	memcpy(info, tmp, sizeof info);
	ck_assert_int_eq(crypto_hkdf_sha256(ikm, sizeof ikm, salt, sizeof salt, info, sizeof info, okm, sizeof okm), ERR_OK);
	crypto_hex_encode(hex, okm, sizeof okm);
	ck_assert_str_eq(hex, "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
	ck_assert_int_eq(crypto_hkdf_sha256(ikm, sizeof ikm, NULL, 0, NULL, 0, okm, sizeof okm), ERR_OK);
	crypto_hex_encode(hex, okm, sizeof okm);
	ck_assert_str_eq(hex, "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
	ck_assert_int_eq(crypto_hkdf_sha256(ikm, sizeof ikm, NULL, 0, NULL, 0, okm, 0), ERR_INVALID);
	static unsigned char big[255 * 32 + 1];
	ck_assert_int_eq(crypto_hkdf_sha256(ikm, sizeof ikm, NULL, 0, NULL, 0, big, sizeof big), ERR_INVALID);
}
END_TEST

START_TEST(purpose_keys)
{
	unsigned char master[32], a[32], a2[32], b[32], c[32];
	memset(master, 0x42, sizeof master);
	ck_assert_int_eq(crypto_key_derive(master, sizeof master, "ics", a), ERR_OK);
	ck_assert_int_eq(crypto_key_derive(master, sizeof master, "ics", a2), ERR_OK);
	ck_assert_int_eq(crypto_key_derive(master, sizeof master, "session", b), ERR_OK);
	ck_assert_int_eq(crypto_key_derive(master, sizeof master, "csrf", c), ERR_OK);
	ck_assert(memcmp(a, a2, 32) == 0);
	ck_assert(memcmp(a, b, 32) != 0 && memcmp(b, c, 32) != 0 && memcmp(a, c, 32) != 0);
	/* pinned: the derivation must never change silently (stored ICS URLs depend on it) */
	unsigned char info[] = "radsched/ics";
	unsigned char want[32];
	ck_assert_int_eq(crypto_hkdf_sha256(master, 32, "radsched/hkdf/v1", 16, info, sizeof info - 1, want, 32), ERR_OK);
	ck_assert(memcmp(a, want, 32) == 0);
	ck_assert_int_eq(crypto_key_derive(master, 31, "ics", a), ERR_INVALID);
	ck_assert_int_eq(crypto_key_derive(master, 32, "", a), ERR_INVALID);
	ck_assert_int_eq(crypto_key_derive(master, 32, "ICS", a), ERR_INVALID);
	ck_assert_int_eq(crypto_key_derive(master, 32, "a/b", a), ERR_INVALID);
	ck_assert_int_eq(crypto_key_derive(master, 32, NULL, a), ERR_INVALID);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("crypto_aead");
	TCase *tc = tcase_create("aead");
	tcase_add_test(tc, round_trip);
	tcase_add_test(tc, wrong_aad_fails);
	tcase_add_test(tc, tampering_never_opens);
	tcase_add_test(tc, key_rotation);
	tcase_add_test(tc, keyring_parse_rejects);
	tcase_add_test(tc, seal_caps);
	suite_add_tcase(s, tc);
	TCase *kdf = tcase_create("kdf");
	tcase_add_test(kdf, hkdf_rfc5869);
	tcase_add_test(kdf, purpose_keys);
	suite_add_tcase(s, kdf);
	return s;
}
