#include "ics/ics_write.h"

#include <string.h>

#include "ics/ics_time.h"

void icsw_init(struct icsw *w, struct buf *out)
{
	w->out = out;
	buf_init(&w->line, ICS_LOGICAL_LINE_MAX);
	w->err = ERR_OK;
}

void icsw_fini(struct icsw *w) { buf_fini(&w->line); }

void icsw_raw(struct icsw *w, const char *s, size_t n)
{
	if (w->err)
		return;
	w->err = buf_append(&w->line, s, n);
}

void icsw_str(struct icsw *w, const char *s) { icsw_raw(w, s, strlen(s)); }

/* Length of the valid UTF-8 sequence at p (at most n bytes available), 0 when invalid
 * (bad lead, truncated, bad continuation, overlong, surrogate, above U+10FFFF). */
static size_t utf8_seq_len(const unsigned char *p, size_t n)
{
	unsigned c = p[0];
	if (c < 0x80)
		return 1;
	if (c < 0xC2)
		return 0;
	if (c < 0xE0) {
		return (n >= 2 && (p[1] & 0xC0) == 0x80) ? 2 : 0;
	}
	if (c < 0xF0) {
		if (n < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
			return 0;
		if (c == 0xE0 && p[1] < 0xA0)
			return 0; /* overlong */
		if (c == 0xED && p[1] >= 0xA0)
			return 0; /* surrogate */
		return 3;
	}
	if (c < 0xF5) {
		if (n < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
			return 0;
		if (c == 0xF0 && p[1] < 0x90)
			return 0; /* overlong */
		if (c == 0xF4 && p[1] >= 0x90)
			return 0; /* above U+10FFFF */
		return 4;
	}
	return 0;
}

void icsw_text(struct icsw *w, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	while (p < end && !w->err) {
		/* copy the longest run that needs no change in one append */
		const unsigned char *run = p;
		while (p < end) {
			unsigned c = *p;
			if (c >= 0x80) {
				size_t k = utf8_seq_len(p, (size_t)(end - p));
				if (!k)
					break;
				p += k;
			} else if (c < 0x20 || c == 0x7F || c == '\\' || c == ';' || c == ',') {
				if (c == '\t') {
					p++;
					continue;
				}
				break;
			} else {
				p++;
			}
		}
		if (p > run)
			icsw_raw(w, (const char *)run, (size_t)(p - run));
		if (p >= end)
			break;
		unsigned c = *p;
		if (c == '\\' || c == ';' || c == ',') {
			char esc[2] = {'\\', (char)c};
			icsw_raw(w, esc, 2);
			p++;
		} else if (c == '\r' || c == '\n') {
			icsw_raw(w, "\\n", 2);
			p += (c == '\r' && p + 1 < end && p[1] == '\n') ? 2 : 1;
		} else if (c >= 0x80) {
			icsw_raw(w, "\xEF\xBF\xBD", 3); /* U+FFFD for one bad byte */
			p++;
		} else {
			p++; /* other control character: dropped */
		}
	}
}

static char *put_digits(char *q, int64_t v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		q[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return q + width;
}

void icsw_int(struct icsw *w, int64_t v)
{
	char tmp[24];
	size_t i = sizeof tmp;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	do {
		tmp[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		tmp[--i] = '-';
	icsw_raw(w, tmp + i, sizeof tmp - i);
}

void icsw_date(struct icsw *w, int64_t y, int m, int d)
{
	char tmp[8];
	char *q = put_digits(tmp, y, 4);
	q = put_digits(q, m, 2);
	put_digits(q, d, 2);
	icsw_raw(w, tmp, 8);
}

static void put_datetime(struct icsw *w, int64_t secs, int zulu)
{
	int64_t days = ics_floor_days(secs), y;
	int64_t sod = secs - days * ICS_SECS_PER_DAY;
	int m, d;
	ics_civil_from_days(days, &y, &m, &d);
	char tmp[16];
	char *q = put_digits(tmp, y, 4);
	q = put_digits(q, m, 2);
	q = put_digits(q, d, 2);
	*q++ = 'T';
	q = put_digits(q, sod / 3600, 2);
	q = put_digits(q, sod / 60 % 60, 2);
	q = put_digits(q, sod % 60, 2);
	if (zulu)
		*q++ = 'Z';
	icsw_raw(w, tmp, (size_t)(q - tmp));
}

void icsw_local(struct icsw *w, int64_t local_secs) { put_datetime(w, local_secs, 0); }
void icsw_utc(struct icsw *w, int64_t unix_secs) { put_datetime(w, unix_secs, 1); }

void icsw_duration(struct icsw *w, int64_t secs)
{
	if (secs < 0)
		secs = 0;
	int64_t days = secs / ICS_SECS_PER_DAY, rem = secs % ICS_SECS_PER_DAY;
	int64_t h = rem / 3600, m = rem / 60 % 60, s = rem % 60;
	icsw_raw(w, "P", 1);
	if (days || !rem) {
		icsw_int(w, days);
		icsw_raw(w, "D", 1);
	}
	if (!rem)
		return;
	icsw_raw(w, "T", 1);
	/* dur-time grammar: hours [minutes [seconds]] | minutes [seconds] | seconds */
	if (h) {
		icsw_int(w, h);
		icsw_raw(w, "H", 1);
	}
	if (m || (h && s)) {
		icsw_int(w, m);
		icsw_raw(w, "M", 1);
	}
	if (s) {
		icsw_int(w, s);
		icsw_raw(w, "S", 1);
	}
}

void icsw_utc_offset(struct icsw *w, int32_t secs)
{
	char tmp[8], *q = tmp;
	int64_t a = secs < 0 ? -(int64_t)secs : secs;
	*q++ = secs < 0 ? '-' : '+';
	q = put_digits(q, a / 3600, 2);
	q = put_digits(q, a / 60 % 60, 2);
	if (a % 60)
		q = put_digits(q, a % 60, 2);
	icsw_raw(w, tmp, (size_t)(q - tmp));
}

enum err ics_fold_append(struct buf *out, const char *p, size_t n)
{
	size_t start_len = out->len, pos = 0;
	enum err e = ERR_OK;
	size_t limit = ICS_LINE_OCTETS;
	while (!e) {
		size_t cut = n - pos <= limit ? n : pos + limit;
		if (cut < n) {
			/* never split a UTF-8 sequence: back off to its lead byte */
			while (cut > pos && ((unsigned char)p[cut] & 0xC0) == 0x80)
				cut--;
			if (cut == pos)
				cut = pos + limit; /* not UTF-8 at all; cannot happen for our own text */
		}
		if (pos > 0)
			e = buf_append(out, " ", 1);
		if (!e)
			e = buf_append(out, p + pos, cut - pos);
		if (!e)
			e = buf_append(out, "\r\n", 2);
		pos = cut;
		if (pos >= n)
			break;
		limit = ICS_LINE_OCTETS - 1; /* the leading space counts */
	}
	if (e) {
		out->len = start_len;
		if (out->data)
			out->data[start_len] = 0;
	}
	return e;
}

void icsw_end(struct icsw *w)
{
	if (!w->err)
		w->err = ics_fold_append(w->out, w->line.data ? w->line.data : "", w->line.len);
	buf_reset(&w->line);
}

void icsw_line(struct icsw *w, const char *name_and_colon, const char *raw_value)
{
	icsw_str(w, name_and_colon);
	icsw_str(w, raw_value);
	icsw_end(w);
}

void icsw_verbatim(struct icsw *w, const char *s, size_t n)
{
	if (!w->err)
		w->err = buf_append(w->out, s, n);
}
