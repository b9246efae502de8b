/* mail_smtp.c — the SMTP back end: the message is built by mail_mime.c and handed to
 * smtp_client_send (libcurl, STARTTLS required unless configured optional, AUTH when a user
 * is set). The provider id is our Message-ID header.
 *
 * Classification:
 *   250 after DATA                          sent
 *   timeout, connection failure, 4xx reply  retry (a timeout after DATA may mean delivered)
 *   AUTH refused, STARTTLS missing, certificate not trusted, 530   failed: configuration
 *   5xx to MAIL FROM                        failed: the relay refuses our sender
 *   550/551/553 to RCPT TO                  rejected, suppress (no such mailbox)
 *   other 5xx to RCPT TO or DATA            rejected */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "http/smtp_client.h"
#include "integrations/mail/mail_mime.h"
#include "integrations/mail/mail_provider_impl.h"

static enum err smtp_send(const struct mail_provider *p, const struct mail_message *m, const struct mail_checked *c,
			  struct mail_result *r)
{
	struct buf mime;
	buf_init(&mime, 0);
	char msgid[MAIL_MIME_MSGID_SIZE];
	struct errinfo ei = {0};
	enum err e = mail_mime_build(m, c, time(NULL), &mime, msgid, sizeof msgid, &ei);
	if (e) {
		buf_fini(&mime);
		return mail_result_set(r, MAIL_FAILED, e, "could not build the MIME message: %s", ei.message);
	}
	struct smtp_config sc = {
		.url = p->cfg.smtp_url,
		.username = p->cfg.smtp_user,
		.password = p->cfg.smtp_password,
		.tls = p->cfg.smtp_tls,
		.timeout_ms = p->cfg.timeout_ms,
	};
	const char *rcpt[1] = {c->to.addr};
	struct smtp_status st;
	e = smtp_client_send(&sc, c->from.addr, rcpt, 1, mime.data, mime.len, &st, &ei);
	buf_fini(&mime);
	r->status = (int)st.reply_code;
	long code = st.reply_code;
	switch (e) {
	case ERR_OK:
		snprintf(r->provider_id, sizeof r->provider_id, "%s", msgid);
		r->outcome = MAIL_SENT;
		return ERR_OK;
	case ERR_TIMEOUT:
	case ERR_UPSTREAM:
		return mail_result_set(r, MAIL_RETRY, e, "%s", ei.message);
	case ERR_UPSTREAM_PERM:
		if (code == 530 || st.stage == SMTP_AT_MAIL)
			return mail_result_set(r, MAIL_FAILED, ERR_PRECONDITION, "the SMTP relay refuses our sender: %s",
					       ei.message);
		if (st.stage == SMTP_AT_RCPT && (code == 550 || code == 551 || code == 553))
			r->suppress = true;
		return mail_result_set(r, MAIL_REJECTED, e, "%s", ei.message);
	default: /* ERR_UNAUTHORIZED, ERR_PRECONDITION, ERR_INVALID */
		return mail_result_set(r, MAIL_FAILED, e, "%s: check RADSCHED_SMTP_*", ei.message);
	}
}

const struct mail_provider_ops mail_smtp_ops = {
	.name = "smtp",
	.send = smtp_send,
	.send_batch = NULL,
};
