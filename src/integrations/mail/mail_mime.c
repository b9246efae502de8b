#include "integrations/mail/mail_mime.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/ids.h"

#define TRY(x)                        \
	do {                          \
		enum err try_e_ = (x); \
		if (try_e_)            \
			return try_e_; \
	} while (0)

#define LINE_SOFT 78   /* RFC 5322 SHOULD */
#define LINE_HARD 998  /* RFC 5322 MUST */
#define EW_BYTES 45    /* UTF-8 bytes per encoded word: 60 base64 chars + 12 = 72 <= 75 */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static enum err b64_chunk(struct buf *out, const unsigned char *p, size_t n)
{
	char q[4];
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		q[0] = b64[(v >> 18) & 63];
		q[1] = b64[(v >> 12) & 63];
		q[2] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		q[3] = i + 2 < n ? b64[v & 63] : '=';
		TRY(buf_append(out, q, 4));
	}
	return ERR_OK;
}

enum err mail_mime_base64(struct buf *out, const void *data, size_t len)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < len; i += 57) { /* 57 bytes -> 76 characters */
		TRY(b64_chunk(out, p + i, len - i < 57 ? len - i : 57));
		TRY(buf_puts(out, "\r\n"));
	}
	return ERR_OK;
}

/* Length of the UTF-8 sequence starting with byte c (input was validated). */
static size_t u8len(unsigned char c) { return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4; }

/* Encoded words for s, each of whole characters and at most 75 characters long; the first
 * continues the current line (*col characters so far), each next one starts a folded line.
 * *col is updated. */
static enum err encoded_words(struct buf *out, const char *s, size_t *col)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0;
	bool first = true;
	while (i < n) {
		if (!first) {
			TRY(buf_puts(out, "\r\n "));
			*col = 1;
		}
		size_t avail = *col < 76 ? 76 - *col : 0;
		size_t maxb = avail > 12 ? ((avail - 12) / 4) * 3 : 0;
		if (maxb > EW_BYTES)
			maxb = EW_BYTES;
		if (maxb < 4) { /* not even one character fits here */
			TRY(buf_puts(out, "\r\n "));
			*col = 1;
			continue;
		}
		size_t take = 0;
		while (i + take < n) {
			size_t l = u8len(p[i + take]);
			if (take + l > maxb)
				break;
			take += l;
		}
		TRY(buf_puts(out, "=?UTF-8?B?"));
		TRY(b64_chunk(out, p + i, take));
		TRY(buf_puts(out, "?="));
		*col += 12 + ((take + 2) / 3) * 4;
		i += take;
		first = false;
	}
	return ERR_OK;
}

static bool printable_ascii(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p > 0x7e)
			return false;
	return true;
}

static size_t longest_word(const char *s)
{
	size_t best = 0, cur = 0;
	for (; *s; s++) {
		cur = *s == ' ' ? 0 : cur + 1;
		if (cur > best)
			best = cur;
	}
	return best;
}

enum err mail_mime_header_text(struct buf *out, const char *name, const char *value)
{
	size_t col = strlen(name) + 2;
	TRY(buf_printf(out, "%s: ", name));
	if (!printable_ascii(value) || strstr(value, "=?") || col + longest_word(value) + 1 > LINE_HARD) {
		TRY(encoded_words(out, value, &col));
		return buf_puts(out, "\r\n");
	}
	const char *p = value;
	bool first = true;
	while (*p) {
		size_t sp = strspn(p, " ");
		size_t w = strcspn(p + sp, " ");
		if (!first && w > 0 && sp > 0 && col + sp + w > LINE_SOFT) {
			TRY(buf_puts(out, "\r\n"));
			col = 0;
		}
		TRY(buf_append(out, p, sp + w));
		col += sp + w;
		p += sp + w;
		first = false;
	}
	return buf_puts(out, "\r\n");
}

static bool is_atext_or_space(unsigned char c)
{
	return c == ' ' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

enum err mail_mime_header_addr(struct buf *out, const char *name, const struct mail_addr *a)
{
	size_t col = strlen(name) + 2;
	TRY(buf_printf(out, "%s: ", name));
	if (!a->name[0]) {
		TRY(buf_puts(out, a->addr));
		return buf_puts(out, "\r\n");
	}
	const char *d = a->name;
	if (!printable_ascii(d) || strstr(d, "=?")) {
		TRY(encoded_words(out, d, &col));
	} else {
		bool plain = true;
		for (const unsigned char *p = (const unsigned char *)d; *p; p++)
			plain = plain && is_atext_or_space(*p);
		if (plain) {
			TRY(buf_puts(out, d));
			col += strlen(d);
		} else {
			TRY(buf_putc(out, '"'));
			for (const char *p = d; *p; p++) {
				if (*p == '"' || *p == '\\')
					TRY(buf_putc(out, '\\'));
				TRY(buf_putc(out, *p));
				col++;
			}
			TRY(buf_putc(out, '"'));
			col += 2;
		}
	}
	if (col + strlen(a->addr) + 3 > LINE_SOFT)
		TRY(buf_puts(out, "\r\n"));
	TRY(buf_printf(out, " <%s>\r\n", a->addr));
	return ERR_OK;
}

static const char hexd[] = "0123456789ABCDEF";

/* One input line (no line break) as quoted-printable, soft-wrapped at 76. */
static enum err qp_line(struct buf *out, const unsigned char *p, size_t n)
{
	size_t col = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];
		bool last = i + 1 == n;
		char enc[3];
		size_t elen;
		bool literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !last);
		/* "From " at the start of a line is mangled by mbox tools; a leading '.' by some relays */
		if (col == 0 && i == 0 && ((c == 'F' && n >= 5 && !memcmp(p, "From ", 5)) || c == '.'))
			literal = false;
		if (literal) {
			enc[0] = (char)c;
			elen = 1;
		} else {
			enc[0] = '=';
			enc[1] = hexd[c >> 4];
			enc[2] = hexd[c & 15];
			elen = 3;
		}
		/* keep room for the soft break '=' unless this is the line's last character */
		size_t limit = last ? 76 : 75;
		if (col + elen > limit) {
			TRY(buf_puts(out, "=\r\n"));
			col = 0;
		}
		TRY(buf_append(out, enc, elen));
		col += elen;
	}
	return buf_puts(out, "\r\n");
}

enum err mail_mime_qp(struct buf *out, const char *text, size_t len)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t i = 0;
	while (i < len) {
		size_t j = i;
		while (j < len && p[j] != '\r' && p[j] != '\n')
			j++;
		TRY(qp_line(out, p + i, j - i));
		if (j < len && p[j] == '\r' && j + 1 < len && p[j + 1] == '\n')
			j++;
		i = j + 1;
	}
	return ERR_OK;
}

/* text with any line endings -> CRLF, ending with CRLF */
static enum err crlf_normalise(struct buf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\r' || s[i] == '\n') {
			if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')
				i++;
			TRY(buf_puts(out, "\r\n"));
		} else {
			TRY(buf_putc(out, s[i]));
		}
	}
	if (n && s[n - 1] != '\n' && s[n - 1] != '\r')
		TRY(buf_puts(out, "\r\n"));
	return ERR_OK;
}

static enum err body_part(struct buf *out, const char *subtype, const char *s)
{
	size_t n = strlen(s), high = 0;
	for (size_t i = 0; i < n; i++)
		high += (unsigned char)s[i] >= 0x80;
	bool use_b64 = high * 3 > n; /* mostly non-ASCII: base64 is shorter than =XX=XX */
	TRY(buf_printf(out, "Content-Type: text/%s; charset=UTF-8\r\nContent-Transfer-Encoding: %s\r\n\r\n", subtype,
		       use_b64 ? "base64" : "quoted-printable"));
	if (!use_b64)
		return mail_mime_qp(out, s, n);
	struct buf canon;
	buf_init(&canon, 0);
	enum err e = crlf_normalise(&canon, s, n);
	if (!e)
		e = mail_mime_base64(out, canon.data ? canon.data : "", canon.len);
	buf_fini(&canon);
	return e;
}

void mail_mime_date(time_t t, char *out, size_t n)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	struct tm tm;
	gmtime_r(&t, &tm);
	snprintf(out, n, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
		 tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

enum err mail_mime_build(const struct mail_message *m, const struct mail_checked *c, time_t date, struct buf *out,
			 char *msgid, size_t n, struct errinfo *ei)
{
	const char *domain = strrchr(c->from.addr, '@') + 1;
	int w = snprintf(msgid, n, "<%s@%s>", c->message_id, domain);
	if (w < 0 || (size_t)w >= n)
		return err_set(ei, ERR_INTERNAL, "message_id", "Message-ID buffer too small");
	char when[40];
	mail_mime_date(date, when, sizeof when);
	enum err e = ERR_OK;
#define OUT(x)                  \
	do {                    \
		if (!e)         \
			e = (x); \
	} while (0)
	OUT(buf_printf(out, "Date: %s\r\n", when));
	OUT(mail_mime_header_addr(out, "From", &c->from));
	OUT(mail_mime_header_addr(out, "To", &c->to));
	if (c->has_reply_to)
		OUT(mail_mime_header_addr(out, "Reply-To", &c->reply_to));
	OUT(mail_mime_header_text(out, "Subject", m->subject));
	OUT(buf_printf(out, "Message-ID: %s\r\nMIME-Version: 1.0\r\n", msgid));
	if (m->tag && *m->tag)
		OUT(buf_printf(out, "X-Radsched-Template: %s\r\n", m->tag));
	for (size_t i = 0; i < m->nheaders; i++)
		OUT(mail_mime_header_text(out, m->headers[i].name, m->headers[i].value));
	bool has_text = m->text && *m->text, has_html = m->html && *m->html;
	if (has_text && has_html) {
		char bnd[40] = "=_rs_";
		ids_hex(bnd + 5, 12);
		OUT(buf_printf(out,
			       "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n"
			       "This is a multi-part message in MIME format.\r\n\r\n--%s\r\n",
			       bnd, bnd));
		OUT(body_part(out, "plain", m->text));
		OUT(buf_printf(out, "--%s\r\n", bnd));
		OUT(body_part(out, "html", m->html));
		OUT(buf_printf(out, "--%s--\r\n", bnd));
	} else {
		OUT(body_part(out, has_text ? "plain" : "html", has_text ? m->text : m->html));
	}
#undef OUT
	if (e)
		return err_set(ei, e, "", "message is over the size cap");
	return ERR_OK;
}
