#include "integrations/mail/mail_message.h"

#include <string.h>
#include <strings.h>

#include "base/ids.h"
#include "base/strutil.h"

static bool is_atext(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

static bool has_ctl(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return true;
	return false;
}

bool mail_addr_spec_valid(const char *addr)
{
	const char *at = strrchr(addr, '@');
	size_t len = strlen(addr);
	if (!at || at == addr || len > MAIL_ADDR_MAX)
		return false;
	size_t local = (size_t)(at - addr);
	if (local > 64 || addr[0] == '.' || addr[local - 1] == '.')
		return false;
	for (size_t i = 0; i < local; i++) {
		unsigned char c = (unsigned char)addr[i];
		if (c == '.') {
			if (addr[i + 1] == '.')
				return false;
		} else if (!is_atext(c)) {
			return false;
		}
	}
	const char *d = at + 1;
	if (!*d)
		return false;
	size_t label = 0;
	for (const char *p = d;; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '.' || c == 0) {
			if (label == 0 || label > 63 || p[-1] == '-')
				return false;
			if (!c)
				break;
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			   (c == '-' && label > 0)) {
			label++;
		} else {
			return false;
		}
	}
	return true;
}

enum err mail_addr_parse(const char *s, struct mail_addr *out, const char *field, struct errinfo *ei)
{
	memset(out, 0, sizeof *out);
	if (!s || !*s)
		return err_set(ei, ERR_INVALID, field, "an email address is required");
	if (has_ctl(s))
		return err_set(ei, ERR_INVALID, field, "control characters (CR, LF, ...) are not allowed in an address");
	if (!str_utf8_valid(s, strlen(s)))
		return err_set(ei, ERR_INVALID, field, "address is not valid UTF-8");
	const char *lt = strrchr(s, '<');
	const char *spec = s;
	size_t spec_len = strlen(s);
	if (lt) {
		const char *gt = strchr(lt, '>');
		if (!gt || gt[1] != 0)
			return err_set(ei, ERR_INVALID, field, "expected \"Name <addr@example.org>\"");
		spec = lt + 1;
		spec_len = (size_t)(gt - spec);
		/* display name: everything before '<', trimmed, optionally a quoted-string */
		const char *n = s, *ne = lt;
		while (n < ne && *n == ' ')
			n++;
		while (ne > n && ne[-1] == ' ')
			ne--;
		size_t o = 0;
		if (ne - n >= 2 && *n == '"' && ne[-1] == '"') {
			for (const char *p = n + 1; p < ne - 1; p++) {
				if (*p == '\\' && p + 1 < ne - 1)
					p++;
				else if (*p == '"' || *p == '\\')
					return err_set(ei, ERR_INVALID, field, "unbalanced quotes in the display name");
				if (o >= MAIL_NAME_MAX)
					return err_set(ei, ERR_TOO_LARGE, field, "display name is over %d bytes", MAIL_NAME_MAX);
				out->name[o++] = *p;
			}
		} else {
			if (memchr(n, '"', (size_t)(ne - n)) || memchr(n, '>', (size_t)(ne - n)))
				return err_set(ei, ERR_INVALID, field, "quote the display name when it contains '\"' or '>'");
			if ((size_t)(ne - n) > MAIL_NAME_MAX)
				return err_set(ei, ERR_TOO_LARGE, field, "display name is over %d bytes", MAIL_NAME_MAX);
			memcpy(out->name, n, (size_t)(ne - n));
			o = (size_t)(ne - n);
		}
		out->name[o] = 0;
		if (!str_utf8_valid(out->name, o))
			return err_set(ei, ERR_INVALID, field, "display name is not valid UTF-8");
	} else if (strchr(s, '>')) {
		return err_set(ei, ERR_INVALID, field, "unbalanced '>' in the address");
	}
	while (spec_len && *spec == ' ')
		spec++, spec_len--;
	while (spec_len && spec[spec_len - 1] == ' ')
		spec_len--;
	if (spec_len == 0 || spec_len > MAIL_ADDR_MAX)
		return err_set(ei, ERR_INVALID, field, "address is empty or over %d bytes", MAIL_ADDR_MAX);
	memcpy(out->addr, spec, spec_len);
	out->addr[spec_len] = 0;
	if (!mail_addr_spec_valid(out->addr))
		return err_set(ei, ERR_INVALID, field, "\"%s\" is not an address radsched can send to", out->addr);
	return ERR_OK;
}

static bool token_ok(const char *s, size_t max, const char *extra)
{
	size_t n = strlen(s);
	if (n == 0 || n > max)
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      strchr(extra, *p)))
			return false;
	return true;
}

/* Headers a caller may not set: the builder and the providers own them. */
static const char *const reserved_headers[] = {
	"from", "to", "cc", "bcc", "reply-to", "subject", "date", "message-id", "mime-version",
	"content-type", "content-transfer-encoding", "sender", "return-path", "received",
	"dkim-signature", "x-radsched-template", NULL,
};

static enum err check_header(const struct mail_header *h, size_t i, struct errinfo *ei)
{
	if (!h->name || !h->value)
		return err_set(ei, ERR_INVALID, "headers", "header %zu needs a name and a value", i);
	size_t nl = strlen(h->name);
	if (nl == 0 || nl > 76)
		return err_set(ei, ERR_INVALID, "headers", "header %zu: name is empty or too long", i);
	for (const unsigned char *p = (const unsigned char *)h->name; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f || *p == ':')
			return err_set(ei, ERR_INVALID, "headers", "header %zu: name must be printable ASCII without ':'",
				       i);
	for (const char *const *r = reserved_headers; *r; r++)
		if (!strcasecmp(h->name, *r))
			return err_set(ei, ERR_INVALID, "headers", "header %s is set by radsched, not by the caller",
				       h->name);
	size_t vl = strlen(h->value);
	if (vl > 900)
		return err_set(ei, ERR_TOO_LARGE, "headers", "header %s: value over 900 bytes", h->name);
	for (const unsigned char *p = (const unsigned char *)h->value; *p; p++)
		if (*p < 0x20 || *p >= 0x7f)
			return err_set(ei, ERR_INVALID, "headers",
				       "header %s: value must be printable ASCII (no CR, LF or other controls)", h->name);
	return ERR_OK;
}

static enum err check_body(const char *s, const char *field, struct errinfo *ei)
{
	size_t n = strlen(s);
	if (n > MAIL_BODY_MAX)
		return err_set(ei, ERR_TOO_LARGE, field, "over %u bytes", MAIL_BODY_MAX);
	if (!str_utf8_valid(s, n))
		return err_set(ei, ERR_INVALID, field, "not valid UTF-8");
	return ERR_OK;
}

enum err mail_message_check(const struct mail_message *m, const char *default_from, struct mail_checked *c,
			    struct errinfo *ei)
{
	memset(c, 0, sizeof *c);
	const char *from = m->from && *m->from ? m->from : default_from;
	enum err e = mail_addr_parse(from, &c->from, "from", ei);
	if (!e)
		e = mail_addr_parse(m->to, &c->to, "to", ei);
	if (!e && m->reply_to && *m->reply_to) {
		c->has_reply_to = true;
		e = mail_addr_parse(m->reply_to, &c->reply_to, "reply_to", ei);
	}
	if (e)
		return e;
	if (!m->subject || !*m->subject)
		return err_set(ei, ERR_INVALID, "subject", "a subject is required");
	size_t sl = strlen(m->subject);
	if (sl > MAIL_SUBJECT_MAX)
		return err_set(ei, ERR_TOO_LARGE, "subject", "over %d bytes", MAIL_SUBJECT_MAX);
	if (has_ctl(m->subject))
		return err_set(ei, ERR_INVALID, "subject", "control characters (CR, LF, ...) are not allowed in a subject");
	if (!str_utf8_valid(m->subject, sl))
		return err_set(ei, ERR_INVALID, "subject", "not valid UTF-8");
	bool has_text = m->text && *m->text, has_html = m->html && *m->html;
	if (!has_text && !has_html)
		return err_set(ei, ERR_INVALID, "text", "a text or an HTML body is required");
	if ((has_text && (e = check_body(m->text, "text", ei))) || (has_html && (e = check_body(m->html, "html", ei))))
		return e;
	if (m->tag && *m->tag && !token_ok(m->tag, 100, "._-:"))
		return err_set(ei, ERR_INVALID, "tag", "template tag must be 1-100 of [A-Za-z0-9._:-]");
	c->stream = m->stream && *m->stream ? m->stream : "outbound";
	if (!token_ok(c->stream, 64, "_-"))
		return err_set(ei, ERR_INVALID, "stream", "stream must be 1-64 of [A-Za-z0-9_-]");
	if (m->message_id && *m->message_id) {
		if (!token_ok(m->message_id, MAIL_MSGID_TOKEN_MAX, "._-"))
			return err_set(ei, ERR_INVALID, "message_id", "message id must be 1-%d of [A-Za-z0-9._-]",
				       MAIL_MSGID_TOKEN_MAX);
		strcpy(c->message_id, m->message_id);
	} else {
		ids_uuid4(c->message_id);
	}
	if (m->idempotency_key && has_ctl(m->idempotency_key))
		return err_set(ei, ERR_INVALID, "idempotency_key", "control characters are not allowed");
	if (m->nheaders > MAIL_HEADERS_MAX)
		return err_set(ei, ERR_TOO_LARGE, "headers", "at most %d extra headers", MAIL_HEADERS_MAX);
	for (size_t i = 0; i < m->nheaders; i++)
		if ((e = check_header(&m->headers[i], i, ei)))
			return e;
	return ERR_OK;
}

void mail_first_link(const char *text, char *out, size_t n)
{
	if (!n)
		return;
	out[0] = 0;
	if (!text)
		return;
	const char *a = strstr(text, "http://"), *b = strstr(text, "https://");
	const char *p = !a ? b : !b ? a : (a < b ? a : b);
	if (!p)
		return;
	size_t len = strcspn(p, " \t\r\n<>\"");
	while (len && strchr(".,;:!?)]", p[len - 1]))
		len--;
	if (len >= n)
		len = n - 1;
	memcpy(out, p, len);
	out[len] = 0;
}
