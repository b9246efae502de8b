#include "json/json_pointer.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool json_pointer_index(const char *t, size_t limit, size_t *out)
{
	if (!t[0] || (t[0] == '0' && t[1]))
		return false;
	size_t v = 0;
	for (const char *p = t; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		if (v > (SIZE_MAX - (size_t)(*p - '0')) / 10)
			return false;
		v = v * 10 + (size_t)(*p - '0');
	}
	if (v >= limit)
		return false;
	*out = v;
	return true;
}

/* Unescape one token [s, e) into dst (at least e-s+1 bytes). false on a bad "~". */
static bool unescape(const char *s, const char *e, char *dst)
{
	while (s < e) {
		if (*s == '~') {
			if (s + 1 >= e || (s[1] != '0' && s[1] != '1'))
				return false;
			*dst++ = s[1] == '0' ? '~' : '/';
			s += 2;
		} else {
			*dst++ = *s++;
		}
	}
	*dst = 0;
	return true;
}

enum err json_pointer_split(const char *ptr, struct arena *a, char ***tokens, size_t *n, struct errinfo *ei)
{
	*tokens = NULL;
	*n = 0;
	if (!*ptr)
		return ERR_OK;
	if (*ptr != '/')
		return err_set(ei, ERR_INVALID, ptr, "a JSON Pointer must be empty or start with \"/\"");
	size_t count = 0;
	for (const char *p = ptr; *p; p++)
		count += *p == '/';
	char **v = arena_alloc(a, count * sizeof *v);
	const char *s = ptr + 1;
	for (size_t i = 0; i < count; i++) {
		const char *e = strchr(s, '/');
		if (!e)
			e = s + strlen(s);
		v[i] = arena_alloc(a, (size_t)(e - s) + 1);
		if (!unescape(s, e, v[i]))
			return err_set(ei, ERR_INVALID, ptr, "\"~\" must be followed by 0 or 1 in a JSON Pointer");
		s = e + 1;
	}
	*tokens = v;
	*n = count;
	return ERR_OK;
}

enum err json_pointer_get(const json_t *doc, const char *ptr, json_t **out, struct errinfo *ei)
{
	*out = NULL;
	if (*ptr && *ptr != '/')
		return err_set(ei, ERR_INVALID, ptr, "a JSON Pointer must be empty or start with \"/\"");
	const json_t *cur = doc;
	const char *s = ptr;
	size_t cap = strlen(ptr) + 1;
	char stackbuf[256];
	char *tok = cap <= sizeof stackbuf ? stackbuf : xmalloc(cap);
	enum err rc = ERR_OK;
	while (*s) {
		s++; /* past "/" */
		const char *e = strchr(s, '/');
		if (!e)
			e = s + strlen(s);
		if (!unescape(s, e, tok)) {
			rc = err_set(ei, ERR_INVALID, ptr, "\"~\" must be followed by 0 or 1 in a JSON Pointer");
			break;
		}
		const json_t *next = NULL;
		size_t idx;
		if (json_is_object(cur))
			next = json_object_get(cur, tok);
		else if (json_is_array(cur) && json_pointer_index(tok, json_array_size(cur), &idx))
			next = json_array_get(cur, idx);
		if (!next) {
			char prefix[256];
			snprintf(prefix, sizeof prefix, "%.*s", (int)(e - ptr), ptr);
			rc = err_set(ei, ERR_NOT_FOUND, prefix, "nothing at %s", prefix);
			break;
		}
		cur = next;
		s = e;
	}
	if (tok != stackbuf)
		free(tok);
	if (rc == ERR_OK)
		*out = (json_t *)cur;
	return rc;
}

enum err json_pointer_append(struct buf *b, const char *token)
{
	enum err e = buf_putc(b, '/');
	for (const char *p = token; e == ERR_OK && *p; p++) {
		if (*p == '~')
			e = buf_puts(b, "~0");
		else if (*p == '/')
			e = buf_puts(b, "~1");
		else
			e = buf_putc(b, *p);
	}
	return e;
}

enum err json_pointer_append_index(struct buf *b, size_t i)
{
	return buf_printf(b, "/%zu", i);
}

char *json_pointer_join(struct arena *a, const char *base, const char *token)
{
	size_t bl = strlen(base), extra = 0;
	for (const char *p = token; *p; p++)
		extra += (*p == '~' || *p == '/');
	char *out = arena_alloc(a, bl + 1 + strlen(token) + extra + 1);
	memcpy(out, base, bl);
	char *d = out + bl;
	*d++ = '/';
	for (const char *p = token; *p; p++) {
		if (*p == '~' || *p == '/') {
			*d++ = '~';
			*d++ = *p == '~' ? '0' : '1';
		} else {
			*d++ = *p;
		}
	}
	*d = 0;
	return out;
}

char *json_pointer_join_index(struct arena *a, const char *base, size_t i)
{
	return arena_sprintf(a, "%s/%zu", base, i);
}
