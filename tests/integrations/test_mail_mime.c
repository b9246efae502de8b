/* test_mail_mime.c — MIME building and message checks of src/integrations/mail/:
 * structure, RFC 2047 subjects, quoted-printable/base64 bodies, header injection refused. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/strutil.h"
#include "check_main.h"
#include "integrations/mail/mail_message.h"
#include "integrations/mail/mail_mime.h"

static struct mail_message sample(void)
{
	struct mail_message m = {
		.stream = "system",
		.from = "Radsched <noreply@radsched.test>",
		.to = "Dr. Zoë Ålund <zoe@hospital.test>",
		.subject = "Schedule published",
		.text = "Hello Zoë,\nyour schedule is ready: https://radsched.test/s/1\n",
		.html = "<p>Hello Zo&euml;,</p><p><a href=\"https://radsched.test/s/1\">Open</a></p>",
		.tag = "publication",
		.message_id = "6b1f9d4e-2c1a-4d7e-9a55-0c3e1f2a9b10",
	};
	return m;
}

/* Build m; returns the message (caller frees) or NULL with *e set. */
static char *build(const struct mail_message *m, enum err *e)
{
	struct mail_checked c;
	struct errinfo ei = {0};
	*e = mail_message_check(m, NULL, &c, &ei);
	if (*e)
		return NULL;
	struct buf b;
	buf_init(&b, 0);
	char msgid[MAIL_MIME_MSGID_SIZE];
	*e = mail_mime_build(m, &c, 1700000000, &b, msgid, sizeof msgid, &ei);
	return buf_steal(&b, NULL);
}

static void assert_wire_form(const char *s, size_t header_max, size_t body_max)
{
	bool in_headers = true;
	const char *line = s;
	for (const char *p = s; *p; p++) {
		if (*p == '\n')
			ck_assert_msg(p > s && p[-1] == '\r', "bare LF at offset %zu", (size_t)(p - s));
		if (*p == '\r')
			ck_assert_msg(p[1] == '\n', "bare CR at offset %zu", (size_t)(p - s));
		if ((unsigned char)*p >= 0x80)
			ck_abort_msg("8-bit byte at offset %zu", (size_t)(p - s));
		if (*p == '\r') {
			size_t len = (size_t)(p - line);
			if (len == 0)
				in_headers = false;
			ck_assert_msg(len <= (in_headers ? header_max : body_max), "line of %zu chars: %.*s", len,
				      (int)len, line);
			line = p + 2;
		}
	}
}

static int b64val(char c)
{
	const char *t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c ? strchr(t, c) : NULL;
	return p ? (int)(p - t) : -1;
}

/* Decode base64 text of n characters into out; returns the byte count. */
static size_t b64dec(const char *s, size_t n, char *out)
{
	size_t o = 0;
	unsigned acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		int v = b64val(s[i]);
		if (v < 0)
			continue;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)((acc >> bits) & 0xFF);
		}
	}
	out[o] = 0;
	return o;
}

/* Decode the encoded words of an unfolded header value; checks each word on its own. */
static void decode_words(const char *v, char *out)
{
	out[0] = 0;
	const char *p = v;
	while ((p = strstr(p, "=?UTF-8?B?"))) {
		const char *start = p + 10, *end = strstr(start, "?=");
		ck_assert_ptr_nonnull(end);
		ck_assert_msg(end + 2 - p <= 75, "encoded word of %d chars", (int)(end + 2 - p));
		char word[128];
		size_t n = b64dec(start, (size_t)(end - start), word);
		ck_assert_msg(str_utf8_valid(word, n), "an encoded word splits a UTF-8 character");
		strcat(out, word);
		p = end + 2;
	}
}

static int hexval(char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1; }

static char *qp_decode(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;
	for (const char *p = s; *p; p++) {
		if (*p == '=' && p[1] == '\r' && p[2] == '\n') {
			p += 2;
		} else if (*p == '=') {
			ck_assert(hexval(p[1]) >= 0 && hexval(p[2]) >= 0);
			*o++ = (char)(hexval(p[1]) * 16 + hexval(p[2]));
			p += 2;
		} else {
			*o++ = *p;
		}
	}
	*o = 0;
	return out;
}

START_TEST(multipart_structure)
{
	struct mail_message m = sample();
	enum err e;
	char *s = build(&m, &e);
	ck_assert_int_eq(e, ERR_OK);
	assert_wire_form(s, 78, 76);
	ck_assert(!strncmp(s, "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n", 39));
	ck_assert_ptr_nonnull(strstr(s, "\r\nFrom: Radsched <noreply@radsched.test>\r\n"));
	ck_assert_ptr_nonnull(strstr(s, "\r\nSubject: Schedule published\r\n"));
	ck_assert_ptr_nonnull(strstr(s, "\r\nMessage-ID: <6b1f9d4e-2c1a-4d7e-9a55-0c3e1f2a9b10@radsched.test>\r\n"));
	ck_assert_ptr_nonnull(strstr(s, "\r\nMIME-Version: 1.0\r\n"));
	ck_assert_ptr_nonnull(strstr(s, "\r\nX-Radsched-Template: publication\r\n"));
	const char *ct = strstr(s, "\r\nContent-Type: multipart/alternative; boundary=\"");
	ck_assert_ptr_nonnull(ct);
	char bnd[64];
	ck_assert_int_eq(sscanf(ct, "\r\nContent-Type: multipart/alternative; boundary=\"%63[^\"]\"", bnd), 1);
	ck_assert(!strncmp(bnd, "=_rs_", 5));
	char delim[80], close_delim[84];
	snprintf(delim, sizeof delim, "\r\n--%s\r\n", bnd);
	snprintf(close_delim, sizeof close_delim, "\r\n--%s--\r\n", bnd);
	const char *p1 = strstr(s, delim), *plain = strstr(s, "Content-Type: text/plain; charset=UTF-8");
	const char *html = strstr(s, "Content-Type: text/html; charset=UTF-8");
	ck_assert_ptr_nonnull(p1);
	ck_assert_ptr_nonnull(plain);
	ck_assert_ptr_nonnull(html);
	ck_assert(p1 < plain && plain < html);
	ck_assert_ptr_nonnull(strstr(plain, delim));
	ck_assert(str_ends_with(s, close_delim));
	/* the headers end before the first part, and the body is only in parts */
	ck_assert(strstr(s, "\r\n\r\n") < p1);
	free(s);
}
END_TEST

START_TEST(single_part_when_one_body)
{
	struct mail_message m = sample();
	m.html = NULL;
	enum err e;
	char *s = build(&m, &e);
	ck_assert_int_eq(e, ERR_OK);
	ck_assert_ptr_null(strstr(s, "multipart"));
	ck_assert_ptr_nonnull(strstr(s, "\r\nContent-Type: text/plain; charset=UTF-8\r\n"
					 "Content-Transfer-Encoding: quoted-printable\r\n\r\nHello Zo=C3=AB,\r\n"));
	free(s);
}
END_TEST

START_TEST(subject_utf8_encoded_word)
{
	struct mail_message m = sample();
	m.subject = "Dienstplan veröffentlicht";
	enum err e;
	char *s = build(&m, &e);
	ck_assert_int_eq(e, ERR_OK);
	ck_assert_ptr_nonnull(strstr(s, "\r\nSubject: =?UTF-8?B?RGllbnN0cGxhbiB2ZXLDtmZmZW50bGljaHQ=?=\r\n"));
	free(s);
}
END_TEST

START_TEST(subject_long_utf8_folds_on_character_boundaries)
{
	struct buf subj;
	buf_init(&subj, 0);
	for (int i = 0; i < 40; i++)
		ck_assert_int_eq(buf_puts(&subj, "Wochenübersicht ✓ 李 "), ERR_OK);
	struct buf out;
	buf_init(&out, 0);
	ck_assert_int_eq(mail_mime_header_text(&out, "Subject", subj.data), ERR_OK);
	assert_wire_form(out.data, 78, 78);
	/* unfold: drop CRLF and the folding space, then words are separated by nothing */
	char *unf = malloc(out.len + 1), *o = unf;
	for (const char *p = out.data + 9; *p;) {
		if (p[0] == '\r' && p[1] == '\n') {
			p += 2; /* CRLF and the one folding space */
			if (*p == ' ')
				p++;
			continue;
		}
		*o++ = *p++;
	}
	*o = 0;
	char *dec = malloc(out.len + 1);
	decode_words(unf, dec);
	ck_assert_str_eq(dec, subj.data);
	free(unf);
	free(dec);
	buf_fini(&out);
	buf_fini(&subj);
}
END_TEST

START_TEST(subject_ascii_long_folds_at_spaces)
{
	struct buf out;
	buf_init(&out, 0);
	const char *v = "Your on-call schedule for the radiology department has been published for the "
			"weeks 42 to 47 please review it";
	ck_assert_int_eq(mail_mime_header_text(&out, "Subject", v), ERR_OK);
	assert_wire_form(out.data, 78, 78);
	ck_assert_ptr_nonnull(strstr(out.data, "\r\n "));
	/* unfolding (removing CRLF) gives the value back */
	char *unf = malloc(out.len + 1), *o = unf;
	for (const char *p = out.data; *p; p++)
		if (*p != '\r' && *p != '\n')
			*o++ = *p;
	*o = 0;
	ck_assert_str_eq(unf + 9, v);
	free(unf);
	buf_fini(&out);
}
END_TEST

START_TEST(subject_that_looks_encoded_is_encoded)
{
	struct buf out;
	buf_init(&out, 0);
	ck_assert_int_eq(mail_mime_header_text(&out, "Subject", "=?UTF-8?B?SGk=?="), ERR_OK);
	char dec[64];
	decode_words(out.data, dec);
	ck_assert_str_eq(dec, "=?UTF-8?B?SGk=?=");
	buf_fini(&out);
}
END_TEST

START_TEST(display_names_quoted_or_encoded)
{
	struct mail_addr a;
	struct buf out;
	buf_init(&out, 0);
	ck_assert_int_eq(mail_addr_parse("Dr. Who <who@tardis.test>", &a, "to", NULL), ERR_OK);
	ck_assert_int_eq(mail_mime_header_addr(&out, "To", &a), ERR_OK);
	ck_assert_str_eq(out.data, "To: \"Dr. Who\" <who@tardis.test>\r\n");
	buf_reset(&out);
	ck_assert_int_eq(mail_addr_parse("\"O'Neil, \\\"Jack\\\"\" <jack@sgc.test>", &a, "to", NULL), ERR_OK);
	ck_assert_str_eq(a.name, "O'Neil, \"Jack\"");
	ck_assert_int_eq(mail_mime_header_addr(&out, "To", &a), ERR_OK);
	ck_assert_str_eq(out.data, "To: \"O'Neil, \\\"Jack\\\"\" <jack@sgc.test>\r\n");
	buf_reset(&out);
	ck_assert_int_eq(mail_addr_parse("Zoë <zoe@x.test>", &a, "to", NULL), ERR_OK);
	ck_assert_int_eq(mail_mime_header_addr(&out, "To", &a), ERR_OK);
	ck_assert_str_eq(out.data, "To: =?UTF-8?B?Wm/Dqw==?= <zoe@x.test>\r\n");
	buf_reset(&out);
	ck_assert_int_eq(mail_addr_parse("plain@x.test", &a, "to", NULL), ERR_OK);
	ck_assert_int_eq(mail_mime_header_addr(&out, "To", &a), ERR_OK);
	ck_assert_str_eq(out.data, "To: plain@x.test\r\n");
	buf_fini(&out);
}
END_TEST

START_TEST(address_syntax)
{
	struct mail_addr a;
	const char *good[] = {"a@b.c", "first.last+tag@sub.example.org", "<x@y.z>", "  Name   <x@localhost>",
			      "o'hara@x.test"};
	const char *bad[] = {"", "no-at", "@x.test", "a@", "a..b@x.test", ".a@x.test", "a.@x.test", "a@-x.test",
			     "a@x-.test", "a@x..test", "a b@x.test", "\"q\"@x.test", "a@x.test>", "Name <a@x.test",
			     "Name <a@x.test> trailing", "ü@x.test", "a@bü.test", "Bad \"quote <a@x.test>"};
	for (size_t i = 0; i < sizeof good / sizeof *good; i++)
		ck_assert_msg(mail_addr_parse(good[i], &a, "to", NULL) == ERR_OK, "refused %s", good[i]);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		ck_assert_msg(mail_addr_parse(bad[i], &a, "to", NULL) != ERR_OK, "accepted %s", bad[i]);
}
END_TEST

START_TEST(header_injection_refused)
{
	static const struct mail_header bcc = {"Bcc", "victim@x.test"};
	static const struct mail_header bad_name = {"X-A\r\nBcc", "v"};
	static const struct mail_header colon_name = {"X-A:B", "v"};
	static const struct mail_header bad_value = {"List-Unsubscribe", "<https://x.test/u>\r\nBcc: victim@x.test"};
	static const struct mail_header nonascii = {"X-Note", "café"};
	static const struct mail_header ok = {"List-Unsubscribe", "<https://radsched.test/u/1>"};
	struct {
		const char *what;
		struct mail_message m;
	} cases[8];
	for (int i = 0; i < 8; i++)
		cases[i].m = sample();
	cases[0].what = "subject CRLF", cases[0].m.subject = "Hi\r\nBcc: victim@x.test";
	cases[1].what = "subject LF", cases[1].m.subject = "Hi\nthere";
	cases[2].what = "to CRLF", cases[2].m.to = "a@x.test\r\nBcc: victim@x.test";
	cases[3].what = "from name LF", cases[3].m.from = "Eve\n <eve@x.test>";
	cases[4].what = "reply-to CR", cases[4].m.reply_to = "r@x.test\r";
	cases[5].what = "tag CRLF", cases[5].m.tag = "invite\r\nBcc: v@x.test";
	cases[6].what = "message id CRLF", cases[6].m.message_id = "abc\r\nBcc: v@x.test";
	cases[7].what = "subject NUL-free control", cases[7].m.subject = "Hi\x1b[31m";
	for (int i = 0; i < 8; i++) {
		enum err e;
		char *s = build(&cases[i].m, &e);
		ck_assert_msg(e == ERR_INVALID, "%s: got %s", cases[i].what, err_name(e));
		ck_assert_ptr_null(s);
	}
	const struct mail_header *hs[] = {&bcc, &bad_name, &colon_name, &bad_value, &nonascii};
	for (size_t i = 0; i < sizeof hs / sizeof *hs; i++) {
		struct mail_message m = sample();
		m.headers = hs[i];
		m.nheaders = 1;
		enum err e;
		char *s = build(&m, &e);
		ck_assert_msg(e == ERR_INVALID, "header %zu: got %s", i, err_name(e));
		ck_assert_ptr_null(s);
	}
	struct mail_message m = sample();
	m.headers = &ok;
	m.nheaders = 1;
	enum err e;
	char *s = build(&m, &e);
	ck_assert_int_eq(e, ERR_OK);
	ck_assert_ptr_nonnull(strstr(s, "\r\nList-Unsubscribe: <https://radsched.test/u/1>\r\n"));
	free(s);
}
END_TEST

START_TEST(invalid_utf8_and_missing_fields_refused)
{
	struct mail_message m = sample();
	enum err e;
	m.subject = "caf\xC3";
	ck_assert_ptr_null(build(&m, &e));
	ck_assert_int_eq(e, ERR_INVALID);
	m = sample();
	m.text = "bad \xFF byte";
	ck_assert_ptr_null(build(&m, &e));
	ck_assert_int_eq(e, ERR_INVALID);
	m = sample();
	m.text = m.html = NULL;
	ck_assert_ptr_null(build(&m, &e));
	ck_assert_int_eq(e, ERR_INVALID);
	m = sample();
	m.subject = "";
	ck_assert_ptr_null(build(&m, &e));
	ck_assert_int_eq(e, ERR_INVALID);
	m = sample();
	m.from = NULL;
	ck_assert_ptr_null(build(&m, &e)); /* no default_from either */
	ck_assert_int_eq(e, ERR_INVALID);
}
END_TEST

START_TEST(quoted_printable_round_trip)
{
	struct buf in;
	buf_init(&in, 0);
	ck_assert_int_eq(buf_puts(&in, "a=b trailing space   \nFrom the start\n.dot line\r\ntab\tend\t\n"), ERR_OK);
	for (int i = 0; i < 30; i++)
		ck_assert_int_eq(buf_puts(&in, "Überstunden=ok "), ERR_OK);
	ck_assert_int_eq(buf_puts(&in, "\nlast"), ERR_OK);
	struct buf out;
	buf_init(&out, 0);
	ck_assert_int_eq(mail_mime_qp(&out, in.data, in.len), ERR_OK);
	assert_wire_form(out.data, 76, 76);
	ck_assert(!strncmp(strstr(out.data, "\r\n") + 2, "=46rom the start", 16));
	ck_assert_ptr_nonnull(strstr(out.data, "trailing space  =20\r\n"));
	char *dec = qp_decode(out.data);
	/* expected: the input with CRLF line ends, ending in CRLF */
	struct buf want;
	buf_init(&want, 0);
	for (const char *p = in.data; *p; p++) {
		if (*p == '\r')
			continue;
		ck_assert_int_eq(*p == '\n' ? buf_puts(&want, "\r\n") : buf_putc(&want, *p), ERR_OK);
	}
	ck_assert_int_eq(buf_puts(&want, "\r\n"), ERR_OK);
	ck_assert_str_eq(dec, want.data);
	free(dec);
	buf_fini(&want);
	buf_fini(&out);
	buf_fini(&in);
}
END_TEST

START_TEST(mostly_non_ascii_body_is_base64)
{
	struct mail_message m = sample();
	m.html = NULL;
	m.text = "放射線科の勤務表が公開されました。\n確認してください。\n";
	enum err e;
	char *s = build(&m, &e);
	ck_assert_int_eq(e, ERR_OK);
	assert_wire_form(s, 78, 76);
	const char *b = strstr(s, "Content-Transfer-Encoding: base64\r\n\r\n");
	ck_assert_ptr_nonnull(b);
	b += strlen("Content-Transfer-Encoding: base64\r\n\r\n");
	char dec[512];
	b64dec(b, strlen(b), dec);
	ck_assert_str_eq(dec, "放射線科の勤務表が公開されました。\r\n確認してください。\r\n");
	free(s);
}
END_TEST

START_TEST(date_and_first_link)
{
	char d[40];
	mail_mime_date(0, d, sizeof d);
	ck_assert_str_eq(d, "Thu, 01 Jan 1970 00:00:00 +0000");
	mail_mime_date(1700000000, d, sizeof d);
	ck_assert_str_eq(d, "Tue, 14 Nov 2023 22:13:20 +0000");
	char link[128];
	mail_first_link("Sign in here: https://radsched.test/auth/magic?t=abc. Thanks", link, sizeof link);
	ck_assert_str_eq(link, "https://radsched.test/auth/magic?t=abc");
	mail_first_link("<a href=\"http://x.test/a\">x</a> https://later.test", link, sizeof link);
	ck_assert_str_eq(link, "http://x.test/a");
	mail_first_link("no link", link, sizeof link);
	ck_assert_str_eq(link, "");
}
END_TEST

START_TEST(random_message_id_when_none)
{
	struct mail_message m = sample();
	m.message_id = NULL;
	struct mail_checked c;
	ck_assert_int_eq(mail_message_check(&m, NULL, &c, NULL), ERR_OK);
	ck_assert(str_is_uuid(c.message_id));
	ck_assert_str_eq(c.stream, "system");
	m.stream = NULL;
	ck_assert_int_eq(mail_message_check(&m, NULL, &c, NULL), ERR_OK);
	ck_assert_str_eq(c.stream, "outbound");
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("mail_mime");
	TCase *tc = tcase_create("mime");
	tcase_add_test(tc, multipart_structure);
	tcase_add_test(tc, single_part_when_one_body);
	tcase_add_test(tc, subject_utf8_encoded_word);
	tcase_add_test(tc, subject_long_utf8_folds_on_character_boundaries);
	tcase_add_test(tc, subject_ascii_long_folds_at_spaces);
	tcase_add_test(tc, subject_that_looks_encoded_is_encoded);
	tcase_add_test(tc, display_names_quoted_or_encoded);
	tcase_add_test(tc, address_syntax);
	tcase_add_test(tc, header_injection_refused);
	tcase_add_test(tc, invalid_utf8_and_missing_fields_refused);
	tcase_add_test(tc, quoted_printable_round_trip);
	tcase_add_test(tc, mostly_non_ascii_body_is_base64);
	tcase_add_test(tc, date_and_first_link);
	tcase_add_test(tc, random_message_id_when_none);
	suite_add_tcase(s, tc);
	return s;
}
