/* mail_sendgrid.c — the SendGrid back end: POST {base}/v3/mail/send with a bearer key.
 *
 * Classification (SendGrid v3 documented statuses):
 *   202                 sent, provider id = X-Message-Id response header
 *   400                 rejected; suppress when an error names the recipient field
 *                       (personalizations.N.to…: the address is invalid)
 *   401, 403            failed: configuration (bad key, key without mail.send, unverified sender)
 *   413                 rejected (payload too large)
 *   429                 retry after X-RateLimit-Reset (epoch seconds) or Retry-After
 *   5xx                 retry
 *   other               failed: check RADSCHED_SENDGRID_URL
 * SendGrid has no message streams: the stream goes into custom_args (rs_stream), the template
 * into categories, our message id into custom_args (rs_message_id) for event webhooks.
 * Suppressed recipients are accepted with 202 and dropped by SendGrid; they come back through
 * the event webhook, not here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/strutil.h"
#include "http/client.h"
#include "integrations/mail/mail_json.h"
#include "integrations/mail/mail_provider_impl.h"

#define J(x)                    \
	do {                    \
		if (!e)         \
			e = (x); \
	} while (0)

static enum err sg_addr(struct buf *b, const struct mail_addr *a)
{
	enum err e = buf_puts(b, "{\"email\":");
	J(str_json_escape(b, a->addr));
	if (a->name[0]) {
		J(buf_puts(b, ",\"name\":"));
		J(str_json_escape(b, a->name));
	}
	J(buf_putc(b, '}'));
	return e;
}

static enum err sg_json(struct buf *b, const struct mail_message *m, const struct mail_checked *c)
{
	enum err e = buf_puts(b, "{\"personalizations\":[{\"to\":[");
	J(sg_addr(b, &c->to));
	J(buf_puts(b, "]}],\"from\":"));
	J(sg_addr(b, &c->from));
	if (c->has_reply_to) {
		J(buf_puts(b, ",\"reply_to\":"));
		J(sg_addr(b, &c->reply_to));
	}
	J(buf_puts(b, ",\"subject\":"));
	J(str_json_escape(b, m->subject));
	/* text/plain must come before text/html */
	J(buf_puts(b, ",\"content\":["));
	bool any = false;
	if (m->text && *m->text) {
		J(buf_puts(b, "{\"type\":\"text/plain\",\"value\":"));
		J(str_json_escape(b, m->text));
		J(buf_putc(b, '}'));
		any = true;
	}
	if (m->html && *m->html) {
		J(buf_puts(b, any ? ",{\"type\":\"text/html\",\"value\":" : "{\"type\":\"text/html\",\"value\":"));
		J(str_json_escape(b, m->html));
		J(buf_putc(b, '}'));
	}
	J(buf_putc(b, ']'));
	if (m->tag && *m->tag) {
		J(buf_puts(b, ",\"categories\":["));
		J(str_json_escape(b, m->tag));
		J(buf_putc(b, ']'));
	}
	J(buf_puts(b, ",\"custom_args\":{\"rs_message_id\":"));
	J(str_json_escape(b, c->message_id));
	J(buf_puts(b, ",\"rs_stream\":"));
	J(str_json_escape(b, c->stream));
	J(buf_putc(b, '}'));
	if (m->nheaders) {
		J(buf_puts(b, ",\"headers\":{"));
		for (size_t i = 0; i < m->nheaders; i++) {
			J(buf_puts(b, i ? "," : ""));
			J(str_json_escape(b, m->headers[i].name));
			J(buf_putc(b, ':'));
			J(str_json_escape(b, m->headers[i].value));
		}
		J(buf_putc(b, '}'));
	}
	/* sign-in links and tokens must reach people unrewritten and untracked */
	J(buf_puts(b, ",\"tracking_settings\":{\"click_tracking\":{\"enable\":false,\"enable_text\":false},"
		      "\"open_tracking\":{\"enable\":false}}}"));
	return e;
}

/* Seconds until X-RateLimit-Reset (epoch seconds), else Retry-After; 0 when neither. */
static int sg_retry_after(const struct http_client_response *resp)
{
	time_t now = time(NULL);
	const char *reset = http_client_header(resp, "X-RateLimit-Reset");
	int64_t at;
	if (reset && str_to_i64(reset, 0, INT64_MAX / 2, &at)) {
		if (at <= now)
			return 1;
		return at - now > 86400 ? 86400 : (int)(at - now);
	}
	long ra = http_client_retry_after(resp, now);
	return ra > 0 ? (int)ra : 0;
}

static enum err sg_classify(const struct http_client_response *resp, struct mail_result *r)
{
	long st = resp->status;
	r->status = (int)st;
	if (st == 202 || st == 200) {
		const char *id = http_client_header(resp, "X-Message-Id");
		snprintf(r->provider_id, sizeof r->provider_id, "%s", id ? id : "");
		if (!id)
			log_kv(LOG_WARN, "sendgrid reply without X-Message-Id", NULL);
		r->outcome = MAIL_SENT;
		r->error[0] = 0;
		return ERR_OK;
	}
	char why[400];
	bool recipient;
	mail_json_sendgrid_errors(resp->body, resp->body_len, why, sizeof why, &recipient);
	const char *w = why[0] ? why : "no error text";
	if (st == 400) {
		r->suppress = recipient;
		return mail_result_set(r, MAIL_REJECTED, ERR_UPSTREAM_PERM, "SendGrid answered 400: %s", w);
	}
	if (st == 401 || st == 403)
		return mail_result_set(r, MAIL_FAILED, st == 401 ? ERR_UNAUTHORIZED : ERR_FORBIDDEN,
				       "SendGrid answered %ld (%s): check RADSCHED_SENDGRID_KEY and the sender identity", st, w);
	if (st == 413)
		return mail_result_set(r, MAIL_REJECTED, ERR_UPSTREAM_PERM, "SendGrid answered 413: message too large");
	if (st == 429 || st >= 500) {
		long ra = st == 429 ? sg_retry_after(resp) : http_client_retry_after(resp, time(NULL));
		r->retry_after_s = ra > 0 ? (int)ra : 0;
		return mail_result_set(r, MAIL_RETRY, st == 429 ? ERR_RATE_LIMITED : ERR_UPSTREAM, "SendGrid answered %ld: %s",
				       st, w);
	}
	return mail_result_set(r, MAIL_FAILED, ERR_UPSTREAM_PERM, "SendGrid answered %ld (%s): check RADSCHED_SENDGRID_URL",
			       st, w);
}

static enum err sg_send(const struct mail_provider *p, const struct mail_message *m, const struct mail_checked *c,
			struct mail_result *r)
{
	struct buf body;
	buf_init(&body, 0);
	enum err e = sg_json(&body, m, c);
	if (e) {
		buf_fini(&body);
		return mail_result_set(r, MAIL_FAILED, e, "could not build the SendGrid request");
	}
	struct arena *a = arena_new(0);
	struct http_client_header h[] = {
		{"Accept", "application/json"},
		{"Content-Type", "application/json"},
		{"Authorization", arena_sprintf(a, "Bearer %s", p->cfg.sendgrid_key)},
	};
	struct http_client_request req = {
		.method = "POST",
		.url = arena_sprintf(a, "%s/v3/mail/send", p->cfg.sendgrid_url),
		.headers = h,
		.nheaders = sizeof h / sizeof h[0],
		.body = body.data,
		.body_len = body.len,
		.timeout_ms = p->cfg.timeout_ms,
	};
	struct http_client_response resp;
	struct errinfo ei = {0};
	e = http_client_do(a, &req, &resp, &ei);
	buf_fini(&body);
	e = e ? mail_result_transport(r, e, &ei) : sg_classify(&resp, r);
	arena_free(a);
	return e;
}

const struct mail_provider_ops mail_sendgrid_ops = {
	.name = "sendgrid",
	.send = sg_send,
	.send_batch = NULL,
};
