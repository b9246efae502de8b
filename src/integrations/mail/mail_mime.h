/* mail_mime.h — builds the RFC 5322 / MIME bytes of a checked message for the smtp and file
 * providers: CRLF line endings, Date and Message-ID, UTF-8 header text as RFC 2047 encoded
 * words, multipart/alternative (text/plain first, then text/html) or a single part, each
 * body quoted-printable (mostly ASCII) or base64 (mostly not), lines <= 78 characters.
 * Header values were checked by mail_message_check (no CR/LF), and every value is written
 * through the encoders below, so no input can start a header line of its own. */
#ifndef RS_INTEGRATIONS_MAIL_MIME_H
#define RS_INTEGRATIONS_MAIL_MIME_H

#include <stddef.h>
#include <time.h>

#include "base/buf.h"
#include "integrations/mail/mail_message.h"

#define MAIL_MIME_MSGID_SIZE (MAIL_MSGID_TOKEN_MAX + MAIL_ADDR_MAX + 8)

/* Append the whole message m to out; c is what mail_message_check(m) returned (it must have
 * succeeded). date is the Date header (seconds since the epoch, UTC). msgid (size n >=
 * MAIL_MIME_MSGID_SIZE) receives the Message-ID value "<token@from-domain>". Fails only when
 * out's cap is reached (ERR_TOO_LARGE). */
enum err mail_mime_build(const struct mail_message *m, const struct mail_checked *c, time_t date, struct buf *out,
			 char *msgid, size_t n, struct errinfo *ei) RS_MUST_CHECK;

/* Building blocks, exposed for tests and for other MIME producers. */
/* "Name: value" + CRLF, value as-is when printable ASCII (folded at spaces), else encoded words. */
enum err mail_mime_header_text(struct buf *out, const char *name, const char *value) RS_MUST_CHECK;
/* "Name: display <addr>" + CRLF with the display name quoted or encoded as needed. */
enum err mail_mime_header_addr(struct buf *out, const char *name, const struct mail_addr *a) RS_MUST_CHECK;
/* Quoted-printable of text (any line endings in, CRLF out), lines <= 76. */
enum err mail_mime_qp(struct buf *out, const char *text, size_t len) RS_MUST_CHECK;
/* Base64 of data in CRLF-terminated lines of 76 characters. */
enum err mail_mime_base64(struct buf *out, const void *data, size_t len) RS_MUST_CHECK;
/* RFC 5322 date, e.g. "Tue, 01 Oct 2024 10:00:00 +0000" (out >= 32 bytes). */
void mail_mime_date(time_t t, char *out, size_t n);

#endif
