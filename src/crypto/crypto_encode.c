/* crypto_encode.c — hex and base64url codecs (declared in crypto_hash.h). */
#include <string.h>

#include "base/strutil.h"
#include "crypto/crypto_hash.h"

static const char b64url_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Value of a base64url character, -1 for anything else. */
static int b64url_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

void crypto_hex_encode(char *out, const void *in, size_t n)
{
	str_hex(out, in, n);
}

enum err crypto_hex_decode(const char *in, size_t inlen, void *out, size_t outcap, size_t *outlen)
{
	unsigned char *o = out;
	if (inlen % 2)
		return ERR_MALFORMED;
	if (inlen / 2 > outcap)
		return ERR_TOO_LARGE;
	for (size_t i = 0; i < inlen; i += 2) {
		int hi = str_hex_value((unsigned char)in[i]), lo = str_hex_value((unsigned char)in[i + 1]);
		if (hi < 0 || lo < 0)
			return ERR_MALFORMED;
		o[i / 2] = (unsigned char)(hi << 4 | lo);
	}
	*outlen = inlen / 2;
	return ERR_OK;
}

size_t crypto_b64url_len(size_t n)
{
	return n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0);
}

void crypto_b64url_encode(char *out, const void *in, size_t n)
{
	const unsigned char *p = in;
	size_t o = 0, i = 0;
	for (; i + 3 <= n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
		out[o++] = b64url_alphabet[v >> 18];
		out[o++] = b64url_alphabet[(v >> 12) & 63];
		out[o++] = b64url_alphabet[(v >> 6) & 63];
		out[o++] = b64url_alphabet[v & 63];
	}
	if (n - i == 1) {
		unsigned v = (unsigned)p[i] << 16;
		out[o++] = b64url_alphabet[v >> 18];
		out[o++] = b64url_alphabet[(v >> 12) & 63];
	} else if (n - i == 2) {
		unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8;
		out[o++] = b64url_alphabet[v >> 18];
		out[o++] = b64url_alphabet[(v >> 12) & 63];
		out[o++] = b64url_alphabet[(v >> 6) & 63];
	}
	out[o] = 0;
}

enum err crypto_b64url_append(struct buf *b, const void *in, size_t n)
{
	const unsigned char *p = in;
	size_t need = crypto_b64url_len(n);
	if (b->max && (need > b->max || b->len > b->max - need))
		return ERR_TOO_LARGE;
	/* encode in chunks of whole groups through a small stack buffer */
	char tmp[4 * 64 + 1];
	enum err e = ERR_OK;
	for (size_t i = 0; i < n && !e; i += 3 * 64) {
		size_t chunk = n - i < 3 * 64 ? n - i : 3 * 64;
		crypto_b64url_encode(tmp, p + i, chunk);
		e = buf_append(b, tmp, crypto_b64url_len(chunk));
	}
	return e;
}

size_t crypto_b64url_decoded_max(size_t inlen)
{
	return inlen / 4 * 3 + (inlen % 4 > 1 ? inlen % 4 - 1 : 0);
}

enum err crypto_b64url_decode(const char *in, size_t inlen, void *out, size_t outcap, size_t *outlen)
{
	unsigned char *o = out;
	size_t rem = inlen % 4, full = inlen - rem, k = 0;
	if (rem == 1)
		return ERR_MALFORMED;
	if (crypto_b64url_decoded_max(inlen) > outcap)
		return ERR_TOO_LARGE;
	for (size_t i = 0; i < full; i += 4) {
		int a = b64url_value((unsigned char)in[i]), b = b64url_value((unsigned char)in[i + 1]);
		int c = b64url_value((unsigned char)in[i + 2]), d = b64url_value((unsigned char)in[i + 3]);
		if ((a | b | c | d) < 0)
			return ERR_MALFORMED;
		unsigned v = (unsigned)a << 18 | (unsigned)b << 12 | (unsigned)c << 6 | (unsigned)d;
		o[k++] = (unsigned char)(v >> 16);
		o[k++] = (unsigned char)(v >> 8);
		o[k++] = (unsigned char)v;
	}
	if (rem) {
		int a = b64url_value((unsigned char)in[full]), b = b64url_value((unsigned char)in[full + 1]);
		int c = rem == 3 ? b64url_value((unsigned char)in[full + 2]) : 0;
		if ((a | b | c) < 0)
			return ERR_MALFORMED;
		unsigned v = (unsigned)a << 18 | (unsigned)b << 12 | (unsigned)c << 6;
		/* the bits past the last whole byte must be zero: one text per byte string */
		if (rem == 2 && (b & 0x0F))
			return ERR_MALFORMED;
		if (rem == 3 && (c & 0x03))
			return ERR_MALFORMED;
		o[k++] = (unsigned char)(v >> 16);
		if (rem == 3)
			o[k++] = (unsigned char)(v >> 8);
	}
	*outlen = k;
	return ERR_OK;
}
