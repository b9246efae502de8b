/* RS256 ID token verification against a JWKS, OIDC claim checks, HS256 session tokens,
 * JWKS parsing, and malformed input of every kind (errors, never crashes). Keys are made
 * in the test with EVP; tokens are built here. */
#include <openssl/pem.h>

#include "crypto/crypto_jwt.h"
#include "jwt_testkit.h"

#define ISS "https://accounts.example.com"
#define CLIENT "radsched-client"
#define NONCE "n-0S6_WzA2Mj"
#define HDR_A "{\"alg\":\"RS256\",\"kid\":\"a1\",\"typ\":\"JWT\"}"

static EVP_PKEY *key_a, *key_b;
static struct crypto_jwks *jwks_a; /* holds key_a as kid "a1" */

static void keys_setup(void)
{
	key_a = tk_rsa_new(2048);
	key_b = tk_rsa_new(2048);
	char *txt = tk_jwks_text(tk_jwk(key_a, "a1"), NULL);
	struct errinfo ei = {0};
	if (crypto_jwks_parse(txt, strlen(txt), &jwks_a, &ei) != ERR_OK)
		abort();
	free(txt);
}

static void keys_teardown(void)
{
	crypto_jwks_release(jwks_a);
	EVP_PKEY_free(key_a);
	EVP_PKEY_free(key_b);
}

/* Claims text with the good values, one member replaced or removed: set edit to
 * "\"exp\":123" to override, or name a member in drop to leave it out. */
static char *claims_text(const char *drop, const char *edit)
{
	json_t *c = json_pack("{s:s, s:s, s:i, s:i, s:s, s:s, s:s, s:b}", "iss", ISS, "aud", CLIENT, "exp",
			      TK_NOW + 600, "iat", TK_NOW - 5, "nonce", NONCE, "sub", "1234567890", "email",
			      "rad@example.org", "email_verified", 1);
	if (drop)
		json_object_del(c, drop);
	if (edit) {
		char buf[512];
		snprintf(buf, sizeof buf, "{%s}", edit);
		json_t *e = json_loads(buf, 0, NULL);
		ck_assert_ptr_nonnull(e);
		json_object_update(c, e);
		json_decref(e);
	}
	char *s = json_dumps(c, JSON_COMPACT);
	json_decref(c);
	return s;
}

static char *good_token(const char *drop, const char *edit)
{
	char *claims = claims_text(drop, edit);
	char *tok = tk_sign_rs256(key_a, HDR_A, claims);
	free(claims);
	return tok;
}

/* Verify with jwks_a; returns the code and fills *ei; frees claims. */
static enum err verify(const char *tok, struct errinfo *ei)
{
	json_t *claims = (json_t *)1;
	err_clear(ei);
	enum err e = crypto_jwt_verify_rs256(jwks_a, tok, strlen(tok), &claims, ei);
	if (e)
		ck_assert_ptr_null(claims);
	json_decref(claims);
	return e;
}

static const struct crypto_oidc_expect expect = {ISS, CLIENT, NONCE, TK_NOW, CRYPTO_JWT_LEEWAY_S};

/* Verify then check claims; returns the first error. */
static enum err verify_oidc(const char *tok, struct errinfo *ei)
{
	json_t *claims = NULL;
	err_clear(ei);
	enum err e = crypto_jwt_verify_rs256(jwks_a, tok, strlen(tok), &claims, ei);
	if (!e)
		e = crypto_jwt_check_oidc(claims, &expect, ei);
	json_decref(claims);
	return e;
}

START_TEST(rs256_valid_token)
{
	char *tok = good_token(NULL, NULL);
	json_t *claims = NULL;
	struct errinfo ei = {0};
	ck_assert_int_eq(crypto_jwt_verify_rs256(jwks_a, tok, strlen(tok), &claims, &ei), ERR_OK);
	ck_assert_str_eq(json_string_value(json_object_get(claims, "sub")), "1234567890");
	ck_assert_int_eq(crypto_jwt_check_oidc(claims, &expect, &ei), ERR_OK);
	json_decref(claims);
	free(tok);
	/* typ is optional and case-insensitive */
	char *c = claims_text(NULL, NULL);
	tok = tk_sign_rs256(key_a, "{\"kid\":\"a1\",\"alg\":\"RS256\",\"typ\":\"jwt\"}", c);
	ck_assert_int_eq(verify_oidc(tok, &ei), ERR_OK);
	free(tok);
	tok = tk_sign_rs256(key_a, "{\"kid\":\"a1\",\"alg\":\"RS256\"}", c);
	ck_assert_int_eq(verify_oidc(tok, &ei), ERR_OK);
	free(tok);
	free(c);
}
END_TEST

START_TEST(rs256_wrong_signature)
{
	struct errinfo ei;
	char *c = claims_text(NULL, NULL);
	char *tok = tk_sign_rs256(key_b, HDR_A, c); /* signed by B, claims to be a1 */
	ck_assert_int_eq(verify(tok, &ei), ERR_UNAUTHORIZED);
	ck_assert_ptr_nonnull(strstr(ei.message, "signature does not verify"));
	free(tok);
	/* a changed claim breaks the signature */
	tok = good_token(NULL, NULL);
	char *forged_claims = claims_text(NULL, "\"sub\":\"admin\"");
	char *forged = tk_signing_input(HDR_A, forged_claims);
	const char *sig = strrchr(tok, '.');
	char *t2 = malloc(strlen(forged) + strlen(sig) + 1);
	strcpy(t2, forged);
	strcat(t2, sig);
	ck_assert_int_eq(verify(t2, &ei), ERR_UNAUTHORIZED);
	/* every signature character changed: never accepted */
	size_t n = strlen(tok);
	for (size_t i = n - 342; i < n; i += 7) {
		char saved = tok[i];
		tok[i] = saved == 'A' ? 'B' : 'A';
		enum err e = verify(tok, &ei);
		ck_assert_msg(e == ERR_UNAUTHORIZED || e == ERR_MALFORMED, "pos %zu: %d", i, e);
		tok[i] = saved;
	}
	ck_assert_int_eq(verify(tok, &ei), ERR_OK);
	/* a signature one byte short */
	unsigned char raw[256];
	size_t rl = 0;
	char *sigpos = strrchr(tok, '.') + 1;
	ck_assert_int_eq(crypto_b64url_decode(sigpos, strlen(sigpos), raw, sizeof raw, &rl), ERR_OK);
	crypto_b64url_encode(sigpos, raw, rl - 1);
	ck_assert_int_eq(verify(tok, &ei), ERR_UNAUTHORIZED);
	ck_assert_ptr_nonnull(strstr(ei.message, "255 bytes"));
	free(t2);
	free(forged);
	free(forged_claims);
	free(tok);
	free(c);
}
END_TEST

START_TEST(rs256_rejects_alg_none_and_others)
{
	struct errinfo ei;
	char *c = claims_text(NULL, NULL);
	char *input = tk_signing_input("{\"alg\":\"none\",\"kid\":\"a1\"}", c);
	char tok[4096];
	snprintf(tok, sizeof tok, "%s.", input); /* unsigned token */
	ck_assert_int_eq(verify(tok, &ei), ERR_UNAUTHORIZED);
	snprintf(tok, sizeof tok, "%s.c2ln", input); /* "none" with some signature */
	ck_assert_int_eq(verify(tok, &ei), ERR_UNAUTHORIZED);
	ck_assert_str_eq(ei.path, "/alg");
	ck_assert_ptr_nonnull(strstr(ei.message, "\"none\""));
	free(input);
	static const char *headers[] = {
		"{\"kid\":\"a1\"}",                                  /* missing alg */
		"{\"alg\":\"rs256\",\"kid\":\"a1\"}",                /* case matters */
		"{\"alg\":\"RS512\",\"kid\":\"a1\"}",
		"{\"alg\":\"PS256\",\"kid\":\"a1\"}",
		"{\"alg\":\"RS256 \",\"kid\":\"a1\"}",
		"{\"alg\":\"RS256\\u0000\",\"kid\":\"a1\"}",
		"{\"alg\":[\"RS256\"],\"kid\":\"a1\"}",
		"{\"alg\":null,\"kid\":\"a1\"}",
		"{\"alg\":\"RS256\",\"kid\":\"a1\",\"crit\":[\"exp\"],\"exp\":1}",
		"{\"alg\":\"RS256\",\"kid\":\"a1\",\"typ\":\"logout+jwt\"}",
	};
	for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++) {
		char *t = tk_sign_rs256(key_a, headers[i], c); /* correctly signed: the header alone decides */
		enum err e = verify(t, &ei);
		ck_assert_msg(e == ERR_UNAUTHORIZED || e == ERR_MALFORMED, "header %zu: %d", i, e);
		free(t);
	}
	free(c);
}
END_TEST

START_TEST(rs256_rejects_alg_confusion)
{
	/* The classic forgery: HS256 keyed with the RSA public key an attacker can download. */
	struct errinfo ei;
	BIO *bio = BIO_new(BIO_s_mem());
	ck_assert(PEM_write_bio_PUBKEY(bio, key_a));
	char *pem;
	long pemlen = BIO_get_mem_data(bio, &pem);
	char *c = claims_text(NULL, NULL);
	char *tok = tk_sign_hs256(pem, (size_t)pemlen, "{\"alg\":\"HS256\",\"kid\":\"a1\",\"typ\":\"JWT\"}", c);
	ck_assert_int_eq(verify(tok, &ei), ERR_UNAUTHORIZED);
	ck_assert_str_eq(ei.path, "/alg");
	ck_assert_ptr_nonnull(strstr(ei.message, "HS256"));
	/* the HS256 verifier with our real session key rejects it as well */
	unsigned char session_key[32];
	memset(session_key, 7, sizeof session_key);
	json_t *claims = NULL;
	ck_assert_int_eq(crypto_jwt_verify_hs256(session_key, 32, tok, strlen(tok), TK_NOW, &claims, &ei),
			 ERR_UNAUTHORIZED);
	free(tok);
	/* and an RS256 token never passes the HS256 verifier, whatever the key */
	tok = good_token(NULL, NULL);
	ck_assert_int_eq(crypto_jwt_verify_hs256(pem, (size_t)pemlen, tok, strlen(tok), TK_NOW, &claims, &ei),
			 ERR_UNAUTHORIZED);
	ck_assert_str_eq(ei.path, "/alg");
	free(tok);
	free(c);
	BIO_free(bio);
}
END_TEST

START_TEST(rs256_kid_rules)
{
	struct errinfo ei;
	char *c = claims_text(NULL, NULL);
	char *tok = tk_sign_rs256(key_a, "{\"alg\":\"RS256\",\"kid\":\"zz9\"}", c);
	ck_assert_int_eq(verify(tok, &ei), ERR_NOT_FOUND); /* distinct: the caller refreshes */
	ck_assert_ptr_nonnull(strstr(ei.message, "zz9"));
	free(tok);
	tok = tk_sign_rs256(key_a, "{\"alg\":\"RS256\"}", c);
	ck_assert_int_eq(verify(tok, &ei), ERR_UNAUTHORIZED);
	ck_assert_str_eq(ei.path, "/kid");
	free(tok);
	tok = tk_sign_rs256(key_a, "{\"alg\":\"RS256\",\"kid\":7}", c);
	ck_assert_int_eq(verify(tok, &ei), ERR_UNAUTHORIZED);
	free(tok);
	/* a key embedded in the header is never used */
	json_t *jwk = tk_jwk(key_b, "a1");
	json_t *h = json_pack("{s:s, s:s, s:o}", "alg", "RS256", "kid", "a1", "jwk", jwk);
	char *hs = json_dumps(h, JSON_COMPACT);
	tok = tk_sign_rs256(key_b, hs, c);
	ck_assert_int_eq(verify(tok, &ei), ERR_UNAUTHORIZED);
	free(tok);
	free(hs);
	json_decref(h);
	free(c);
}
END_TEST

/* Each claim failure: its own code path, JSON Pointer and message. */
START_TEST(oidc_claim_failures)
{
	static const struct {
		const char *drop, *edit, *path;
	} v[] = {
		{NULL, "\"exp\":1699999939", "/exp"},            /* expired 61 s ago, beyond leeway */
		{"exp", NULL, "/exp"},
		{NULL, "\"exp\":\"1700000600\"", "/exp"},
		{NULL, "\"iat\":1700000061", "/iat"},            /* issued in the future */
		{"iat", NULL, "/iat"},
		{NULL, "\"nbf\":1700000100", "/nbf"},
		{NULL, "\"aud\":\"someone-else\"", "/aud"},
		{"aud", NULL, "/aud"},
		{NULL, "\"aud\":[]", "/aud"},
		{NULL, "\"aud\":[\"x\",\"y\"]", "/aud"},
		{NULL, "\"aud\":[\"radsched-client\",\"other\"]", "/azp"}, /* several audiences, no azp */
		{NULL, "\"aud\":[\"radsched-client\",\"other\"],\"azp\":\"other\"", "/azp"},
		{NULL, "\"azp\":\"other\"", "/azp"},
		{NULL, "\"iss\":\"https://evil.example.com\"", "/iss"},
		{NULL, "\"iss\":\"https://accounts.example.com/\"", "/iss"},
		{"iss", NULL, "/iss"},
		{NULL, "\"nonce\":\"n-other\"", "/nonce"},
		{"nonce", NULL, "/nonce"},
		{"sub", NULL, "/sub"},
		{"email", NULL, "/email"},
		{NULL, "\"email_verified\":false", "/email_verified"},
		{NULL, "\"email_verified\":\"true\"", "/email_verified"},
		{"email_verified", NULL, "/email_verified"},
	};
	char msgs[sizeof v / sizeof v[0]][512];
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		struct errinfo ei;
		char *tok = good_token(v[i].drop, v[i].edit);
		ck_assert_msg(verify_oidc(tok, &ei) == ERR_UNAUTHORIZED, "case %zu accepted", i);
		ck_assert_msg(strcmp(ei.path, v[i].path) == 0, "case %zu: path %s, message %s", i, ei.path, ei.message);
		strcpy(msgs[i], ei.message);
		free(tok);
	}
	/* the main failures the brief names have distinct messages */
	static const size_t distinct[] = {0, 3, 6, 10, 13, 16, 20};
	for (size_t i = 0; i < sizeof distinct / sizeof distinct[0]; i++)
		for (size_t j = i + 1; j < sizeof distinct / sizeof distinct[0]; j++)
			ck_assert_str_ne(msgs[distinct[i]], msgs[distinct[j]]);
}
END_TEST

START_TEST(oidc_claims_accepted)
{
	static const char *ok[] = {
		"\"exp\":1699999941",                                           /* expired 59 s ago: leeway */
		"\"iat\":1700000059",                                           /* 59 s in the future: leeway */
		"\"aud\":[\"radsched-client\"]",                                /* one-element array */
		"\"aud\":[\"radsched-client\",\"other\"],\"azp\":\"radsched-client\"",
		"\"azp\":\"radsched-client\"",
		"\"nbf\":1700000000",
		"\"exp\":1700000600.5",
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		struct errinfo ei;
		char *tok = good_token(NULL, ok[i]);
		ck_assert_msg(verify_oidc(tok, &ei) == ERR_OK, "case %zu: %s", i, ei.message);
		free(tok);
	}
	/* an incomplete expectation is a bug in the caller, not a token problem */
	json_t *claims = json_object();
	struct crypto_oidc_expect bad = {ISS, CLIENT, NULL, TK_NOW, 60};
	struct errinfo ei;
	ck_assert_int_eq(crypto_jwt_check_oidc(claims, &bad, &ei), ERR_INTERNAL);
	json_decref(claims);
}
END_TEST

START_TEST(malformed_tokens)
{
	struct errinfo ei;
	char *c = claims_text(NULL, NULL);
	char *good = good_token(NULL, NULL);
	const char *dot1 = strchr(good, '.'), *dot2 = strrchr(good, '.');
	char buf[20000];
	static const char *junk[] = {
		"", ".", "..", "...", "a.b", "a.b.c.d", "abc", "eyJ.eyJ.", "!!!.eyJ.abc", "a b.c.d",
		"eyJhbGciOiJSUzI1NiJ9=.e30.c2ln",  /* padding */
		"e30.e30.c2ln",                     /* {} header: no alg */
		"W10.e30.c2ln",                     /* [] header */
		"bnVsbA.e30.c2ln",                  /* null */
		"eyJhbGciOiJSUzI1NiJ9eyJ9.e30.c2ln", /* trailing garbage after JSON */
		"Zg.e30.c2ln",                       /* "f": not JSON */
		"Zh.e30.c2ln",                       /* non-canonical base64url */
	};
	for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
		enum err e = verify(junk[i], &ei);
		ck_assert_msg(e == ERR_MALFORMED || e == ERR_UNAUTHORIZED, "junk %zu: %d", i, e);
		ck_assert(ei.message[0]);
	}
	/* duplicate member in the header */
	char *t = tk_sign_rs256(key_a, "{\"alg\":\"RS256\",\"kid\":\"a1\",\"alg\":\"RS256\"}", c);
	ck_assert_int_eq(verify(t, &ei), ERR_MALFORMED);
	free(t);
	/* claims that are not JSON or not an object, correctly signed */
	t = tk_sign_rs256(key_a, HDR_A, "[1,2]");
	ck_assert_int_eq(verify(t, &ei), ERR_MALFORMED);
	ck_assert_ptr_nonnull(strstr(ei.message, "claims"));
	free(t);
	t = tk_sign_rs256(key_a, HDR_A, "{\"sub\":\"x\"");
	ck_assert_int_eq(verify(t, &ei), ERR_MALFORMED);
	free(t);
	t = tk_sign_rs256(key_a, HDR_A, "{\"s\":\"\xff\"}"); /* bad UTF-8 */
	ck_assert_int_eq(verify(t, &ei), ERR_MALFORMED);
	free(t);
	/* nesting beyond the cap, in claims and in the header */
	char deep[200] = "{\"a\":";
	for (int i = 0; i < 20; i++)
		strcat(deep, "[");
	for (int i = 0; i < 20; i++)
		strcat(deep, "]");
	strcat(deep, "}");
	t = tk_sign_rs256(key_a, HDR_A, deep);
	ck_assert_int_eq(verify(t, &ei), ERR_TOO_LARGE);
	free(t);
	char deephdr[300];
	snprintf(deephdr, sizeof deephdr, "{\"alg\":\"RS256\",\"kid\":\"a1\",\"x\":%s}", deep + 5);
	t = tk_sign_rs256(key_a, deephdr, c);
	ck_assert_int_eq(verify(t, &ei), ERR_TOO_LARGE);
	free(t);
	/* brackets inside strings do not count as nesting */
	t = tk_sign_rs256(key_a, HDR_A, "{\"s\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\"[[[[\",\"sub\":\"1\"}");
	ck_assert_int_eq(verify(t, &ei), ERR_OK);
	free(t);
	/* oversize token: refused before any parsing */
	memset(buf, 'A', sizeof buf);
	buf[CRYPTO_JWT_MAX_LEN + 1] = 0;
	buf[10] = '.';
	buf[20] = '.';
	ck_assert_int_eq(verify(buf, &ei), ERR_TOO_LARGE);
	/* NUL or a dot inside the segments */
	size_t gl = strlen(good);
	memcpy(buf, good, gl + 1);
	buf[(size_t)(dot1 - good) + 3] = 0;
	json_t *claims = NULL;
	ck_assert_int_eq(crypto_jwt_verify_rs256(jwks_a, buf, gl, &claims, &ei), ERR_MALFORMED);
	memcpy(buf, good, gl + 1);
	buf[(size_t)(dot2 - good) + 5] = '.';
	ck_assert_int_eq(verify(buf, &ei), ERR_MALFORMED);
	/* a JWE-shaped token */
	ck_assert_int_eq(verify("eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d", &ei), ERR_MALFORMED);
	ck_assert_int_eq(crypto_jwt_verify_rs256(jwks_a, NULL, 0, &claims, &ei), ERR_MALFORMED);
	free(good);
	free(c);
}
END_TEST

static enum err parse_jwks(const char *txt, struct errinfo *ei, size_t *count)
{
	struct crypto_jwks *s = NULL;
	err_clear(ei);
	enum err e = crypto_jwks_parse(txt, strlen(txt), &s, ei);
	if (count)
		*count = s ? crypto_jwks_count(s) : 0;
	crypto_jwks_release(s);
	return e;
}

START_TEST(jwks_parsing)
{
	struct errinfo ei;
	size_t n;
	/* non-RSA, encryption and non-RS256 keys are skipped; keys without kid too */
	json_t *enc = tk_jwk(key_b, "enc1"), *oaep = tk_jwk(key_b, "oaep1"), *ops = tk_jwk(key_b, "ops1"),
	       *nokid = tk_jwk(key_b, "x");
	json_object_set_new(enc, "use", json_string("enc"));
	json_object_set_new(oaep, "alg", json_string("RSA-OAEP"));
	json_object_set_new(ops, "key_ops", json_pack("[s]", "encrypt"));
	json_object_del(nokid, "kid");
	json_t *ec = json_pack("{s:s, s:s, s:s, s:s, s:s}", "kty", "EC", "crv", "P-256", "kid", "ec1", "x",
			       "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y", "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0");
	json_t *plain = tk_jwk(key_a, "a1");
	json_object_del(plain, "use");
	json_object_del(plain, "alg");
	char *txt = tk_jwks_text(ec, enc, oaep, ops, nokid, plain, tk_jwk(key_b, "b2"), NULL);
	ck_assert_int_eq(parse_jwks(txt, &ei, &n), ERR_OK);
	ck_assert_uint_eq(n, 2);
	struct crypto_jwks *s = NULL;
	ck_assert_int_eq(crypto_jwks_parse(txt, strlen(txt), &s, &ei), ERR_OK);
	ck_assert(crypto_jwks_has_kid(s, "a1") && crypto_jwks_has_kid(s, "b2"));
	ck_assert(!crypto_jwks_has_kid(s, "enc1") && !crypto_jwks_has_kid(s, "ec1"));
	crypto_jwks_release(s);
	free(txt);

	/* a modulus with a leading zero octet (seen in the wild) is accepted */
	json_t *lz = tk_jwk(key_a, "lz");
	BIGNUM *bn = NULL;
	ck_assert(EVP_PKEY_get_bn_param(key_a, OSSL_PKEY_PARAM_RSA_N, &bn));
	unsigned char raw[257] = {0};
	BN_bn2bin(bn, raw + 1);
	BN_free(bn);
	char *nz = tk_b64(raw, sizeof raw);
	json_object_set_new(lz, "n", json_string(nz));
	free(nz);
	txt = tk_jwks_text(lz, NULL);
	ck_assert_int_eq(parse_jwks(txt, &ei, &n), ERR_OK);
	free(txt);

	/* rejected sets */
	EVP_PKEY *small = tk_rsa_new(1024);
	txt = tk_jwks_text(tk_jwk(small, "s1"), NULL);
	ck_assert_int_eq(parse_jwks(txt, &ei, NULL), ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(ei.message, "1024 bits"));
	free(txt);
	EVP_PKEY_free(small);
	json_t *e1 = tk_jwk(key_a, "e1");
	json_object_set_new(e1, "e", json_string("AQ")); /* e = 1: every signature would verify */
	txt = tk_jwks_text(e1, NULL);
	ck_assert_int_eq(parse_jwks(txt, &ei, NULL), ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(ei.message, "exponent"));
	free(txt);
	json_t *even = tk_jwk(key_a, "ev");
	json_object_set_new(even, "e", json_string("AQAA"));
	txt = tk_jwks_text(even, NULL);
	ck_assert_int_eq(parse_jwks(txt, &ei, NULL), ERR_INVALID);
	free(txt);
	json_t *badn = tk_jwk(key_a, "bn");
	json_object_set_new(badn, "n", json_string("not base64!"));
	txt = tk_jwks_text(badn, NULL);
	ck_assert_int_eq(parse_jwks(txt, &ei, NULL), ERR_MALFORMED);
	free(txt);
	json_t *nonum = tk_jwk(key_a, "nn");
	json_object_set_new(nonum, "n", json_integer(5));
	txt = tk_jwks_text(nonum, NULL);
	ck_assert_int_eq(parse_jwks(txt, &ei, NULL), ERR_INVALID);
	free(txt);
	txt = tk_jwks_text(tk_jwk(key_a, "d"), tk_jwk(key_b, "d"), NULL);
	ck_assert_int_eq(parse_jwks(txt, &ei, NULL), ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(ei.message, "twice"));
	free(txt);
	static const char *docs[] = {"{\"keys\":[]}", "{}", "{\"keys\":{}}", "[]", "{\"keys\":[1]}", "nope", "",
				     "{\"keys\":[{\"kty\":\"EC\"}]}"};
	static const enum err want[] = {ERR_INVALID, ERR_MALFORMED, ERR_MALFORMED, ERR_MALFORMED,
					ERR_MALFORMED, ERR_MALFORMED, ERR_MALFORMED, ERR_INVALID};
	for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++)
		ck_assert_msg(parse_jwks(docs[i], &ei, NULL) == want[i], "doc %zu: %s", i, ei.message);
	/* caps: number of keys, document size, depth */
	json_t *arr = json_array();
	for (int i = 0; i < CRYPTO_JWKS_MAX_KEYS + 1; i++)
		json_array_append_new(arr, json_pack("{s:s}", "kty", "oct"));
	json_t *doc = json_pack("{s:o}", "keys", arr);
	txt = json_dumps(doc, JSON_COMPACT);
	ck_assert_int_eq(parse_jwks(txt, &ei, NULL), ERR_TOO_LARGE);
	free(txt);
	json_decref(doc);
	char *big = malloc(CRYPTO_JWKS_MAX_BYTES + 2);
	memset(big, ' ', CRYPTO_JWKS_MAX_BYTES + 1);
	big[CRYPTO_JWKS_MAX_BYTES + 1] = 0;
	ck_assert_int_eq(parse_jwks(big, &ei, NULL), ERR_TOO_LARGE);
	free(big);
	char deep[100] = "{\"keys\":[],\"x\":";
	for (int i = 0; i < 20; i++)
		strcat(deep, "[");
	ck_assert_int_eq(parse_jwks(deep, &ei, NULL), ERR_TOO_LARGE);
}
END_TEST

static const unsigned char session_key[32] = "0123456789abcdef0123456789abcdef";

START_TEST(hs256_round_trip)
{
	json_t *claims = json_pack("{s:s, s:s, s:i, s:i}", "sub", "u-1", "tid", "t-1", "iat", TK_NOW, "exp",
				   TK_NOW + 900);
	struct buf b;
	struct errinfo ei = {0};
	buf_init(&b, 0);
	ck_assert_int_eq(crypto_jwt_sign_hs256(session_key, 32, claims, &b, &ei), ERR_OK);
	ck_assert(strncmp(b.data, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.", 37) == 0);
	json_t *out = NULL;
	ck_assert_int_eq(crypto_jwt_verify_hs256(session_key, 32, b.data, b.len, TK_NOW + 10, &out, &ei), ERR_OK);
	ck_assert(json_equal(out, claims));
	json_decref(out);
	/* expired at exp exactly */
	ck_assert_int_eq(crypto_jwt_verify_hs256(session_key, 32, b.data, b.len, TK_NOW + 900, &out, &ei),
			 ERR_UNAUTHORIZED);
	ck_assert_str_eq(ei.path, "/exp");
	ck_assert_ptr_null(out);
	/* another key */
	unsigned char other[32];
	memcpy(other, session_key, 32);
	other[31] ^= 1;
	ck_assert_int_eq(crypto_jwt_verify_hs256(other, 32, b.data, b.len, TK_NOW, &out, &ei), ERR_UNAUTHORIZED);
	ck_assert_ptr_nonnull(strstr(ei.message, "signature"));
	/* changed payload */
	char *forged = tk_sign_hs256(other, 32, "{\"alg\":\"HS256\",\"typ\":\"JWT\"}", "{\"sub\":\"admin\",\"exp\":1800000000}");
	const char *sig = strrchr(b.data, '.');
	char tampered[1024];
	snprintf(tampered, sizeof tampered, "%.*s%s", (int)(strrchr(forged, '.') - forged), forged, sig);
	ck_assert_int_eq(crypto_jwt_verify_hs256(session_key, 32, tampered, strlen(tampered), TK_NOW, &out, &ei),
			 ERR_UNAUTHORIZED);
	free(forged);
	/* short keys refused both ways */
	ck_assert_int_eq(crypto_jwt_verify_hs256(session_key, 31, b.data, b.len, TK_NOW, &out, &ei), ERR_INVALID);
	buf_reset(&b);
	ck_assert_int_eq(crypto_jwt_sign_hs256(session_key, 16, claims, &b, &ei), ERR_INVALID);
	/* claims without exp are refused at signing */
	json_object_del(claims, "exp");
	ck_assert_int_eq(crypto_jwt_sign_hs256(session_key, 32, claims, &b, &ei), ERR_INVALID);
	ck_assert_uint_eq(b.len, 0);
	buf_fini(&b);
	json_decref(claims);
}
END_TEST

START_TEST(hs256_strict_header_and_times)
{
	struct errinfo ei;
	json_t *out = NULL;
	static const struct {
		const char *hdr, *claims, *path;
	} v[] = {
		{"{\"alg\":\"none\",\"typ\":\"JWT\"}", "{\"exp\":1800000000}", "/alg"},
		{"{\"alg\":\"RS256\",\"typ\":\"JWT\"}", "{\"exp\":1800000000}", "/alg"},
		{"{\"typ\":\"JWT\"}", "{\"exp\":1800000000}", "/alg"},
		{"{\"alg\":\"HS256\",\"kid\":\"k\"}", "{\"exp\":1800000000}", ""},
		{"{\"alg\":\"HS256\"}", "{\"sub\":\"x\"}", "/exp"},
		{"{\"alg\":\"HS256\"}", "{\"exp\":\"1800000000\"}", "/exp"},
		{"{\"alg\":\"HS256\"}", "{\"exp\":1800000000,\"iat\":1700000061}", "/iat"},
		{"{\"alg\":\"HS256\"}", "{\"exp\":1800000000,\"nbf\":1700000001}", "/nbf"},
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		char *t = tk_sign_hs256(session_key, 32, v[i].hdr, v[i].claims);
		err_clear(&ei);
		ck_assert_msg(crypto_jwt_verify_hs256(session_key, 32, t, strlen(t), TK_NOW, &out, &ei) ==
				      ERR_UNAUTHORIZED, "case %zu", i);
		ck_assert_msg(strcmp(ei.path, v[i].path) == 0, "case %zu: %s", i, ei.path);
		ck_assert_ptr_null(out);
		free(t);
	}
	char *t = tk_sign_hs256(session_key, 32, "{\"alg\":\"HS256\"}", "{\"exp\":1700000001}");
	ck_assert_int_eq(crypto_jwt_verify_hs256(session_key, 32, t, strlen(t), TK_NOW, &out, &ei), ERR_OK);
	json_decref(out);
	free(t);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("crypto_jwt");
	TCase *rs = tcase_create("rs256");
	tcase_add_unchecked_fixture(rs, keys_setup, keys_teardown);
	tcase_add_test(rs, rs256_valid_token);
	tcase_add_test(rs, rs256_wrong_signature);
	tcase_add_test(rs, rs256_rejects_alg_none_and_others);
	tcase_add_test(rs, rs256_rejects_alg_confusion);
	tcase_add_test(rs, rs256_kid_rules);
	tcase_add_test(rs, oidc_claim_failures);
	tcase_add_test(rs, oidc_claims_accepted);
	tcase_add_test(rs, malformed_tokens);
	tcase_add_test(rs, jwks_parsing);
	suite_add_tcase(s, rs);
	TCase *hs = tcase_create("hs256");
	tcase_add_test(hs, hs256_round_trip);
	tcase_add_test(hs, hs256_strict_header_and_times);
	suite_add_tcase(s, hs);
	return s;
}
