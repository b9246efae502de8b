/* Text checks and encodings for sign-in (auth_text.h). */
#include <string.h>

#include "web/auth/auth_text.h"

const char *auth_next_path(const char *next)
{
	if (!next || next[0] != '/' || next[1] == '/' || next[1] == '\\' || strlen(next) > AUTH_NEXT_MAX)
		return "/";
	for (const unsigned char *p = (const unsigned char *)next; *p; p++)
		if (*p < 0x21 || *p >= 0x7f || *p == '\\')
			return "/";
	return next;
}

const char *auth_device_label(struct arena *a, const char *ua)
{
	if (!ua)
		return NULL;
	static const char *const browsers[][2] = {{"Edg/", "Edge"},	    {"OPR/", "Opera"},   {"Firefox/", "Firefox"},
						  {"Chrome/", "Chrome"}, {"Safari/", "Safari"}};
	static const char *const systems[][2] = {{"iPhone", "iPhone"}, {"iPad", "iPad"},   {"Android", "Android"},
						 {"Windows", "Windows"}, {"CrOS", "ChromeOS"}, {"Mac OS X", "macOS"},
						 {"Linux", "Linux"}};
	const char *b = NULL, *s = NULL;
	for (size_t i = 0; !b && i < sizeof browsers / sizeof browsers[0]; i++)
		if (strstr(ua, browsers[i][0]))
			b = browsers[i][1];
	for (size_t i = 0; !s && i < sizeof systems / sizeof systems[0]; i++)
		if (strstr(ua, systems[i][0]))
			s = systems[i][1];
	if (b && s)
		return arena_sprintf(a, "%s on %s", b, s);
	return b ? b : s;
}

char *auth_email_normalize(struct arena *a, const char *in)
{
	if (!in)
		return NULL;
	while (*in == ' ' || *in == '\t' || *in == '\r' || *in == '\n')
		in++;
	size_t n = strlen(in);
	while (n && (in[n - 1] == ' ' || in[n - 1] == '\t' || in[n - 1] == '\r' || in[n - 1] == '\n'))
		n--;
	if (n < 3 || n > AUTH_EMAIL_MAX)
		return NULL;
	char *s = arena_strndup(a, in, n);
	char *at = NULL;
	for (char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c <= 0x20 || c >= 0x7f || strchr("<>()[]\\,;:\"", c))
			return NULL;
		if (c >= 'A' && c <= 'Z')
			*p = (char)(c + 32);
		if (c == '@') {
			if (at)
				return NULL;
			at = p;
		}
	}
	if (!at || at == s || at - s > 64)
		return NULL;
	const char *dom = at + 1;
	size_t dl = strlen(dom);
	if (dl < 3 || !strchr(dom, '.') || dom[0] == '.' || dom[0] == '-' || dom[dl - 1] == '.' || strstr(dom, ".."))
		return NULL;
	for (const char *p = dom; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '.'))
			return NULL;
	return s;
}

bool auth_token_shape_ok(const char *t)
{
	size_t n = t ? strlen(t) : 0;
	if (n != 43)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((t[i] >= 'A' && t[i] <= 'Z') || (t[i] >= 'a' && t[i] <= 'z') || (t[i] >= '0' && t[i] <= '9') ||
		      t[i] == '-' || t[i] == '_'))
			return false;
	return true;
}

enum err auth_url_encode(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		bool keep = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
			    *p == '.' || *p == '_' || *p == '~';
		enum err e = keep ? buf_putc(b, (char)*p)
				  : buf_printf(b, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
		if (e)
			return e;
	}
	return ERR_OK;
}
