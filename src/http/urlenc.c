#include "http/urlenc.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/strutil.h"

enum err http_pct_decode(struct arena *a, const char *s, size_t n, bool plus_space, char **out,
			 size_t *outlen, struct errinfo *ei)
{
	char *d = arena_alloc(a, n + 1);
	size_t j = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%') {
			int hi = i + 1 < n ? str_hex_value((unsigned char)s[i + 1]) : -1;
			int lo = i + 2 < n ? str_hex_value((unsigned char)s[i + 2]) : -1;
			if (hi < 0 || lo < 0)
				return err_set(ei, ERR_MALFORMED, "", "bad percent-encoding at byte %zu", i);
			c = (unsigned char)(hi * 16 + lo);
			i += 2;
		} else if (c == '+' && plus_space) {
			c = ' ';
		}
		if (c == 0)
			return err_set(ei, ERR_MALFORMED, "", "NUL byte in percent-encoded text");
		d[j++] = (char)c;
	}
	d[j] = 0;
	if (!str_utf8_valid(d, j))
		return err_set(ei, ERR_MALFORMED, "", "percent-encoded text is not valid UTF-8");
	*out = d;
	if (outlen)
		*outlen = j;
	return ERR_OK;
}

enum err http_urlencoded_parse(struct arena *a, const char *s, size_t n, size_t max_fields,
			       const char *what, struct http_kv **out, size_t *count,
			       struct errinfo *ei)
{
	size_t pairs = 0;
	for (size_t i = 0; i < n; i++)
		pairs += s[i] == '&';
	pairs++;
	*out = NULL;
	*count = 0;
	struct http_kv *kv = arena_alloc(a, (pairs < max_fields + 1 ? pairs : max_fields + 1) * sizeof *kv);
	size_t k = 0, i = 0;
	while (i < n) {
		const char *p = s + i;
		const char *amp = memchr(p, '&', n - i);
		size_t len = amp ? (size_t)(amp - p) : n - i;
		i += len + 1;
		if (len == 0)
			continue;
		if (k == max_fields)
			return err_set(ei, ERR_TOO_LARGE, "", "more than %zu %s fields", max_fields, what);
		const char *eq = memchr(p, '=', len);
		size_t nlen = eq ? (size_t)(eq - p) : len;
		char *name, *value;
		enum err e = http_pct_decode(a, p, nlen, true, &name, NULL, ei);
		if (!e)
			e = eq ? http_pct_decode(a, eq + 1, len - nlen - 1, true, &value, NULL, ei)
			       : (value = arena_strdup(a, ""), ERR_OK);
		if (e) {
			char why[sizeof ei->message];
			snprintf(why, sizeof why, "%s", ei ? ei->message : "bad encoding");
			return err_set(ei, e, "", "%s field %zu: %s", what, k + 1, why);
		}
		kv[k].name = name;
		kv[k].value = value;
		k++;
	}
	*out = kv;
	*count = k;
	return ERR_OK;
}

const char *http_kv_find(const struct http_kv *kv, size_t n, const char *name, bool nocase)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (nocase ? !strcasecmp(kv[i].name, name) : !strcmp(kv[i].name, name))
			return kv[i].value;
	return NULL;
}
