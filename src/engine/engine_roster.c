/* engine_roster.c — roster TSV reading and writing (see engine_curtois.h). */
#include <string.h>

#include "engine/engine_curtois.h"

enum err engine_roster_parse_tsv(const struct engine_model *m, const char *name, const char *text, size_t len,
				 struct arena *a, struct engine_roster *out, struct errinfo *ei)
{
	if (len > ENGINE_CURTOIS_MAX_BYTES)
		return err_set(ei, ERR_TOO_LARGE, "", "%s: larger than %u bytes", name, ENGINE_CURTOIS_MAX_BYTES);
	if (memchr(text, 0, len))
		return err_set(ei, ERR_INVALID, "", "%s: contains a NUL byte", name);
	engine_roster_init(out, m, a);
	char *copy = arena_strndup(a, text, len);
	char *s = copy;
	int p = 0, ln = 1;
	while (*s) {
		char *nl = strchr(s, '\n');
		if (nl)
			*nl = 0;
		size_t n = strlen(s);
		if (n && s[n - 1] == '\r')
			s[--n] = 0;
		if (p >= m->npeople) {
			if (n == 0 && !nl)
				break;
			return err_set(ei, ERR_INVALID, "", "%s:%d: more lines than the %d staff", name, ln, m->npeople);
		}
		int d = 0;
		char *c = s;
		for (;;) {
			char *tab = strchr(c, '\t');
			if (tab)
				*tab = 0;
			if (d >= m->ndays)
				return err_set(ei, ERR_INVALID, "", "%s:%d: more than %d cells", name, ln, m->ndays);
			int16_t v = ENGINE_OFF;
			if (*c) {
				int t = engine_model_shift_find(m, c);
				if (t < 0)
					return err_set(ei, ERR_INVALID, "", "%s:%d: cell %d: unknown shift \"%.40s\"", name,
						       ln, d + 1, c);
				v = (int16_t)t;
			}
			out->cell[(size_t)p * (size_t)m->ndays + (size_t)d] = v;
			d++;
			if (!tab)
				break;
			c = tab + 1;
		}
		if (d != m->ndays)
			return err_set(ei, ERR_INVALID, "", "%s:%d: %d cells, expected %d", name, ln, d, m->ndays);
		p++;
		ln++;
		if (!nl)
			break;
		s = nl + 1;
	}
	if (p != m->npeople)
		return err_set(ei, ERR_INVALID, "", "%s: %d lines, expected one per staff member (%d)", name, p,
			       m->npeople);
	return ERR_OK;
}

enum err engine_roster_load_tsv(const struct engine_model *m, const char *path, struct arena *a,
				struct engine_roster *out, struct errinfo *ei)
{
	char *text;
	size_t len;
	enum err e = engine_file_read(path, ENGINE_CURTOIS_MAX_BYTES, a, &text, &len, ei);
	if (e)
		return e;
	const char *base = strrchr(path, '/');
	return engine_roster_parse_tsv(m, base ? base + 1 : path, text, len, a, out, ei);
}

enum err engine_roster_format_tsv(const struct engine_model *m, const struct engine_roster *r, struct buf *out)
{
	enum err e = ERR_OK;
	for (int p = 0; p < m->npeople && !e; p++) {
		for (int d = 0; d < m->ndays && !e; d++) {
			int v = r->cell[(size_t)p * (size_t)m->ndays + (size_t)d];
			if (d)
				e = buf_putc(out, '\t');
			if (!e && v >= 0)
				e = buf_puts(out, m->shifts[v].code);
		}
		if (!e)
			e = buf_putc(out, '\n');
	}
	return e;
}
