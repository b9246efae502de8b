/* Known-answer tests: SHA-256 (FIPS 180-2 examples), HMAC-SHA256 (RFC 4231),
 * hex and base64url (RFC 4648 §10) with strict decoding, constant-time compare. */
#include <string.h>

#include "check_main.h"
#include "crypto/crypto_hash.h"

static void hex_of(char *out, const unsigned char *md, size_t n)
{
	crypto_hex_encode(out, md, n);
}

START_TEST(sha256_vectors)
{
	static const struct {
		const char *msg, *hex;
	} v[] = {
		{"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
		{"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		char hex[CRYPTO_SHA256_HEX_SIZE];
		crypto_sha256_hex(v[i].msg, strlen(v[i].msg), hex);
		ck_assert_str_eq(hex, v[i].hex);
	}
}
END_TEST

START_TEST(sha256_million_a_in_parts)
{
	static char block[1000];
	memset(block, 'a', sizeof block);
	struct crypto_part parts[1000];
	for (int i = 0; i < 1000; i++)
		parts[i] = (struct crypto_part){block, sizeof block};
	unsigned char md[CRYPTO_SHA256_LEN];
	char hex[CRYPTO_SHA256_HEX_SIZE];
	crypto_sha256_parts(parts, 1000, md);
	hex_of(hex, md, sizeof md);
	ck_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}
END_TEST

START_TEST(sha256_parts_equal_one_shot)
{
	const char *msg = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	struct crypto_part parts[] = {{msg, 5}, {"", 0}, {msg + 5, strlen(msg) - 5}};
	unsigned char a[CRYPTO_SHA256_LEN], b[CRYPTO_SHA256_LEN];
	crypto_sha256(msg, strlen(msg), a);
	crypto_sha256_parts(parts, 3, b);
	ck_assert(crypto_ct_equal(a, sizeof a, b, sizeof b));
}
END_TEST

START_TEST(hmac_rfc4231)
{
	unsigned char k1[20], k3[20], d3[50], k4[25], d4[50], k5[20], k6[131];
	memset(k1, 0x0b, sizeof k1);
	memset(k3, 0xaa, sizeof k3);
	memset(d3, 0xdd, sizeof d3);
	for (int i = 0; i < 25; i++)
		k4[i] = (unsigned char)(i + 1);
	memset(d4, 0xcd, sizeof d4);
	memset(k5, 0x0c, sizeof k5);
	memset(k6, 0xaa, sizeof k6);
	static const char d6[] = "Test Using Larger Than Block-Size Key - Hash Key First";
	static const char d7[] = "This is a test using a larger than block-size key and a larger than block-size data. "
				 "The key needs to be hashed before being used by the HMAC algorithm.";
	const struct {
		const void *key;
		size_t keylen;
		const void *data;
		size_t datalen;
		const char *hex;
	} v[] = {
		{k1, 20, "Hi There", 8, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
		{"Jefe", 4, "what do ya want for nothing?", 28,
		 "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
		{k3, 20, d3, 50, "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
		{k4, 25, d4, 50, "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
		{k5, 20, "Test With Truncation", 20, "a3b6167473100ee06e0c796c2955552b"}, /* truncated to 128 bits */
		{k6, 131, d6, sizeof d6 - 1, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
		{k6, 131, d7, sizeof d7 - 1, "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		unsigned char mac[CRYPTO_SHA256_LEN];
		char hex[CRYPTO_SHA256_HEX_SIZE];
		crypto_hmac_sha256(v[i].key, v[i].keylen, v[i].data, v[i].datalen, mac);
		hex_of(hex, mac, strlen(v[i].hex) / 2);
		ck_assert_msg(strcmp(hex, v[i].hex) == 0, "RFC 4231 case %zu: %s", i + 1, hex);
	}
	/* several parts give the same MAC as one */
	struct crypto_part parts[] = {{"what do ya ", 11}, {"want for nothing?", 17}};
	unsigned char mac[CRYPTO_SHA256_LEN];
	char hex[CRYPTO_SHA256_HEX_SIZE];
	crypto_hmac_sha256_parts("Jefe", 4, parts, 2, mac);
	hex_of(hex, mac, sizeof mac);
	ck_assert_str_eq(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}
END_TEST

START_TEST(ct_equal)
{
	ck_assert(crypto_ct_equal("abc", 3, "abc", 3));
	ck_assert(!crypto_ct_equal("abc", 3, "abd", 3));
	ck_assert(!crypto_ct_equal("abc", 3, "abcd", 4));
	ck_assert(crypto_ct_equal("", 0, "", 0));
}
END_TEST

START_TEST(hex_codec)
{
	unsigned char out[4];
	size_t n = 0;
	ck_assert_int_eq(crypto_hex_decode("00fFa9", 6, out, sizeof out, &n), ERR_OK);
	ck_assert_uint_eq(n, 3);
	ck_assert(out[0] == 0 && out[1] == 0xff && out[2] == 0xa9);
	char hex[7];
	crypto_hex_encode(hex, out, 3);
	ck_assert_str_eq(hex, "00ffa9");
	ck_assert_int_eq(crypto_hex_decode("abc", 3, out, sizeof out, &n), ERR_MALFORMED);
	ck_assert_int_eq(crypto_hex_decode("0g", 2, out, sizeof out, &n), ERR_MALFORMED);
	ck_assert_int_eq(crypto_hex_decode(" 0", 2, out, sizeof out, &n), ERR_MALFORMED);
	ck_assert_int_eq(crypto_hex_decode("0011223344", 10, out, sizeof out, &n), ERR_TOO_LARGE);
}
END_TEST

START_TEST(b64url_rfc4648)
{
	static const char *plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	static const char *enc[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
	for (int i = 0; i < 7; i++) {
		char out[16];
		unsigned char back[16];
		size_t n = 99;
		crypto_b64url_encode(out, plain[i], strlen(plain[i]));
		ck_assert_str_eq(out, enc[i]);
		ck_assert_uint_eq(crypto_b64url_len(strlen(plain[i])), strlen(enc[i]));
		ck_assert_int_eq(crypto_b64url_decode(enc[i], strlen(enc[i]), back, sizeof back, &n), ERR_OK);
		ck_assert_uint_eq(n, strlen(plain[i]));
		ck_assert(memcmp(back, plain[i], n) == 0);
	}
	/* the URL-safe alphabet: 0xfb 0xff → "-_8" */
	char out[8];
	crypto_b64url_encode(out, "\xfb\xff", 2);
	ck_assert_str_eq(out, "-_8");
}
END_TEST

START_TEST(b64url_round_trip_all_bytes)
{
	unsigned char in[300], back[300];
	for (int i = 0; i < 300; i++)
		in[i] = (unsigned char)(i * 7 + 3);
	for (size_t len = 0; len <= 300; len += 1) {
		char enc[401];
		size_t n = 0;
		crypto_b64url_encode(enc, in, len);
		ck_assert_int_eq(crypto_b64url_decode(enc, strlen(enc), back, sizeof back, &n), ERR_OK);
		ck_assert_uint_eq(n, len);
		ck_assert(memcmp(in, back, len) == 0);
		struct buf b;
		buf_init(&b, 0);
		ck_assert_int_eq(crypto_b64url_append(&b, in, len), ERR_OK);
		ck_assert_str_eq(b.data ? b.data : "", enc);
		buf_fini(&b);
	}
}
END_TEST

START_TEST(b64url_strict_rejects)
{
	static const char *bad[] = {
		"Zg==", "Zm8=", "Z",      /* padding, impossible length */
		"Zh", "Zm9",              /* non-zero unused bits: a second spelling of "f" / "fo" */
		"Zm9v+g", "Zm9/", "Zm 9v", "Zm\n9v", " Zg", "Zg\0A", "Zm9v\xc3\xa9",
	};
	static const size_t len[] = {4, 4, 1, 2, 3, 6, 4, 5, 5, 3, 4, 6};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		unsigned char out[16];
		size_t n;
		ck_assert_msg(crypto_b64url_decode(bad[i], len[i], out, sizeof out, &n) == ERR_MALFORMED, "case %zu", i);
	}
	unsigned char small[2];
	size_t n;
	ck_assert_int_eq(crypto_b64url_decode("Zm9vYmFy", 8, small, sizeof small, &n), ERR_TOO_LARGE);
	struct buf b;
	buf_init(&b, 4);
	ck_assert_int_eq(crypto_b64url_append(&b, "foobar", 6), ERR_TOO_LARGE);
	ck_assert_uint_eq(b.len, 0);
	buf_fini(&b);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("crypto_hash");
	TCase *tc = tcase_create("hash");
	tcase_add_test(tc, sha256_vectors);
	tcase_add_test(tc, sha256_million_a_in_parts);
	tcase_add_test(tc, sha256_parts_equal_one_shot);
	tcase_add_test(tc, hmac_rfc4231);
	tcase_add_test(tc, ct_equal);
	tcase_add_test(tc, hex_codec);
	tcase_add_test(tc, b64url_rfc4648);
	tcase_add_test(tc, b64url_round_trip_all_bytes);
	tcase_add_test(tc, b64url_strict_rejects);
	suite_add_tcase(s, tc);
	return s;
}
