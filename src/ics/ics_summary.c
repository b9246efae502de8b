/* ics_summary.c — the tenant's eventSummaryFormat ("{SHIFT_CODE} — {SUBSPECIALTY} …"). */
#include <stdio.h>
#include <string.h>

#include "ics/ics_feed.h"

enum ph { PH_SHIFT_CODE, PH_SHIFT_NAME, PH_SUBSPECIALTY, PH_USER_SHORT, PH_USER_NAME, PH_DATE, PH__N };

static const char *const ph_names[PH__N] = {"SHIFT_CODE", "SHIFT_NAME", "SUBSPECIALTY", "USER_SHORT", "USER_NAME",
					    "DATE"};

static int ph_lookup(const char *name, size_t n)
{
	for (int i = 0; i < PH__N; i++)
		if (strlen(ph_names[i]) == n && memcmp(ph_names[i], name, n) == 0)
			return i;
	return -1;
}

static enum err put(struct buf *out, const char *s)
{
	return s ? buf_puts(out, s) : ERR_OK;
}

/* Walk fmt; with out == NULL only validate. */
static enum err expand(const char *fmt, const struct ics_summary_fields *f, struct buf *out, struct errinfo *ei)
{
	if (!fmt)
		fmt = ICS_DEFAULT_SUMMARY_FORMAT;
	if (strlen(fmt) > ICS_TEXT_MAX)
		return err_set(ei, ERR_TOO_LARGE, "summaryFormat", "the summary format is longer than %d octets",
			       ICS_TEXT_MAX);
	size_t start_len = out ? out->len : 0;
	enum err e = ERR_OK;
	const char *p = fmt;
	while (*p && !e) {
		const char *brace = strchr(p, '{');
		size_t lit = brace ? (size_t)(brace - p) : strlen(p);
		if (out && lit)
			e = buf_append(out, p, lit);
		if (!brace || e)
			break;
		if (brace[1] == '{') {
			if (out)
				e = buf_putc(out, '{');
			p = brace + 2;
			continue;
		}
		const char *close = strchr(brace + 1, '}');
		int ph = close ? ph_lookup(brace + 1, (size_t)(close - brace - 1)) : -1;
		if (ph < 0) {
			size_t shown = close ? (size_t)(close - brace + 1) : strlen(brace);
			if (out) {
				out->len = start_len;
				if (out->data)
					out->data[start_len] = 0;
			}
			return err_set(ei, ERR_INVALID, "summaryFormat",
				       "unknown placeholder \"%.*s\"; use {SHIFT_CODE}, {SHIFT_NAME}, {SUBSPECIALTY}, "
				       "{USER_SHORT}, {USER_NAME}, {DATE}, or {{ for a literal brace",
				       (int)(shown > 40 ? 40 : shown), brace);
		}
		p = close + 1;
		if (!out)
			continue;
		switch (ph) {
		case PH_SHIFT_CODE: e = put(out, f->shift_code); break;
		case PH_SHIFT_NAME: e = put(out, f->shift_name); break;
		case PH_SUBSPECIALTY: e = put(out, f->subspecialty); break;
		case PH_USER_SHORT: e = put(out, f->user_short); break;
		case PH_USER_NAME: e = put(out, f->user_name); break;
		case PH_DATE:
			if (f->date.year)
				e = buf_printf(out, "%04d-%02d-%02d", f->date.year, f->date.month, f->date.day);
			break;
		}
	}
	if (e && out) {
		out->len = start_len;
		if (out->data)
			out->data[start_len] = 0;
		return err_set(ei, e, "summaryFormat", "the formatted summary does not fit");
	}
	return e;
}

enum err ics_summary_format(const char *fmt, const struct ics_summary_fields *f, struct buf *out, struct errinfo *ei)
{
	static const struct ics_summary_fields none;
	return expand(fmt, f ? f : &none, out, ei);
}

enum err ics_summary_format_check(const char *fmt, struct errinfo *ei) { return expand(fmt, NULL, NULL, ei); }
