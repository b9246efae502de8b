/* mail_postmark.c — the Postmark back end: POST {base}/email and {base}/email/batch with
 * X-Postmark-Server-Token, one message stream per message.
 *
 * Classification (Postmark's documented HTTP statuses and API ErrorCodes):
 *   200 + ErrorCode 0                       sent, provider id = MessageID
 *   401 (ErrorCode 10, bad or missing token) failed: configuration
 *   422 + ErrorCode 406 inactive recipient  rejected, suppress (hard bounce, complaint, manual)
 *   422 + ErrorCode 300 invalid email       rejected, suppress (the address is unusable)
 *   422 + 400/401 sender signature, 1235 unknown message stream   failed: configuration
 *   422 + 405/412/413 account may not send  failed: account
 *   422 + 402/403/409/410 bad JSON / batch  failed: a bug of ours
 *   422 + 100 maintenance                   retry
 *   422 + anything else                     rejected (permanent, address kept)
 *   413 payload too large                   rejected
 *   429, 500, 503, other 5xx                retry (Retry-After honoured when present)
 *   other statuses (404, 415, …)            failed: check RADSCHED_POSTMARK_URL
 * /email/batch answers 200 with one result object per message, in order; each is
 * classified by its ErrorCode as above. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/strutil.h"
#include "http/client.h"
#include "integrations/mail/mail_json.h"
#include "integrations/mail/mail_provider_impl.h"

#define PM_BATCH_BYTES (40u * 1024u * 1024u) /* Postmark caps a batch call at 50 MB */
#define PM_METADATA_VALUE_MAX 80

#define J(x)                    \
	do {                    \
		if (!e)         \
			e = (x); \
	} while (0)

/* "addr" or "Name <addr>" with the name quoted when it has specials (Postmark requires it). */
static enum err pm_addr(struct buf *b, const struct mail_addr *a)
{
	if (!a->name[0])
		return str_json_escape(b, a->addr);
	bool plain = true;
	for (const unsigned char *p = (const unsigned char *)a->name; *p; p++)
		if (!(*p >= 0x80 || *p == ' ' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("!#$%&'*+-/=?^_`{|}~", *p)))
			plain = false;
	struct buf t;
	buf_init(&t, 0);
	enum err e = ERR_OK;
	if (plain) {
		J(buf_printf(&t, "%s <%s>", a->name, a->addr));
	} else {
		J(buf_putc(&t, '"'));
		for (const char *p = a->name; *p; p++) {
			if (*p == '"' || *p == '\\')
				J(buf_putc(&t, '\\'));
			J(buf_putc(&t, *p));
		}
		J(buf_printf(&t, "\" <%s>", a->addr));
	}
	J(str_json_escape(b, t.data ? t.data : ""));
	buf_fini(&t);
	return e;
}

static enum err pm_field(struct buf *b, const char *name, const char *value)
{
	enum err e = buf_printf(b, ",\"%s\":", name);
	return e ? e : str_json_escape(b, value);
}

/* One message as a Postmark JSON object. */
static enum err pm_message_json(struct buf *b, const struct mail_message *m, const struct mail_checked *c)
{
	enum err e = buf_puts(b, "{\"From\":");
	J(pm_addr(b, &c->from));
	J(buf_puts(b, ",\"To\":"));
	J(pm_addr(b, &c->to));
	if (c->has_reply_to) {
		J(buf_puts(b, ",\"ReplyTo\":"));
		J(pm_addr(b, &c->reply_to));
	}
	J(pm_field(b, "Subject", m->subject));
	if (m->html && *m->html)
		J(pm_field(b, "HtmlBody", m->html));
	if (m->text && *m->text)
		J(pm_field(b, "TextBody", m->text));
	if (m->tag && *m->tag)
		J(pm_field(b, "Tag", m->tag));
	J(pm_field(b, "MessageStream", c->stream));
	/* sign-in links and tokens must reach people unrewritten and untracked */
	J(buf_puts(b, ",\"TrackOpens\":false,\"TrackLinks\":\"None\""));
	if (strlen(c->message_id) <= PM_METADATA_VALUE_MAX) {
		J(buf_puts(b, ",\"Metadata\":{\"rs_message_id\":"));
		J(str_json_escape(b, c->message_id));
		J(buf_putc(b, '}'));
	}
	if (m->nheaders) {
		J(buf_puts(b, ",\"Headers\":["));
		for (size_t i = 0; i < m->nheaders; i++) {
			J(buf_printf(b, "%s{\"Name\":", i ? "," : ""));
			J(str_json_escape(b, m->headers[i].name));
			J(pm_field(b, "Value", m->headers[i].value));
			J(buf_putc(b, '}'));
		}
		J(buf_putc(b, ']'));
	}
	J(buf_putc(b, '}'));
	return e;
}

/* Classify one Postmark API ErrorCode (from a 422 or a batch entry). */
static enum err pm_classify_code(const struct mail_pm_reply *rep, struct mail_result *r)
{
	int code = rep->error_code;
	r->provider_code = code;
	const char *msg = rep->message[0] ? rep->message : "no message";
	switch (code) {
	case 0:
		snprintf(r->provider_id, sizeof r->provider_id, "%s", rep->message_id);
		r->outcome = MAIL_SENT;
		r->error[0] = 0;
		return ERR_OK;
	case 406:
	case 300:
		r->suppress = true;
		return mail_result_set(r, MAIL_REJECTED, ERR_UPSTREAM_PERM, "Postmark ErrorCode %d: %s", code, msg);
	case 10:
		return mail_result_set(r, MAIL_FAILED, ERR_UNAUTHORIZED,
				       "Postmark refused the server token (ErrorCode 10): check RADSCHED_POSTMARK_TOKEN");
	case 400:
	case 401:
	case 1235:
		return mail_result_set(r, MAIL_FAILED, ERR_PRECONDITION,
				       "Postmark ErrorCode %d (sender signature or message stream not set up): %s", code, msg);
	case 405:
	case 412:
	case 413:
		return mail_result_set(r, MAIL_FAILED, ERR_FORBIDDEN, "Postmark account may not send (ErrorCode %d): %s",
				       code, msg);
	case 402:
	case 403:
	case 409:
	case 410:
		return mail_result_set(r, MAIL_FAILED, ERR_INTERNAL, "Postmark refused our request (ErrorCode %d): %s",
				       code, msg);
	case 100:
		return mail_result_set(r, MAIL_RETRY, ERR_UPSTREAM, "Postmark under maintenance (ErrorCode 100): %s", msg);
	default:
		return mail_result_set(r, MAIL_REJECTED, ERR_UPSTREAM_PERM, "Postmark ErrorCode %d: %s", code, msg);
	}
}

/* Classify a whole HTTP answer that is not a 200 (applies to every message it carried). */
static enum err pm_classify_status(const struct http_client_response *resp, struct mail_result *r)
{
	long st = resp->status;
	r->status = (int)st;
	struct mail_pm_reply rep = {0};
	bool have = mail_json_postmark_replies(resp->body, resp->body_len, &rep, 1) == 1 && rep.has_code;
	if (st == 401) {
		r->provider_code = have ? rep.error_code : 0;
		return mail_result_set(r, MAIL_FAILED, ERR_UNAUTHORIZED,
				       "Postmark answered 401 (%s): check RADSCHED_POSTMARK_TOKEN",
				       have && rep.message[0] ? rep.message : "unauthorized");
	}
	if (st == 422) {
		if (have)
			return pm_classify_code(&rep, r);
		return mail_result_set(r, MAIL_REJECTED, ERR_UPSTREAM_PERM, "Postmark answered 422 without an ErrorCode");
	}
	if (st == 429 || st >= 500) {
		long ra = http_client_retry_after(resp, time(NULL));
		r->retry_after_s = ra > 0 ? (int)ra : 0;
		r->provider_code = have ? rep.error_code : 0;
		return mail_result_set(r, MAIL_RETRY, st == 429 ? ERR_RATE_LIMITED : ERR_UPSTREAM, "Postmark answered %ld%s%s",
				       st, have && rep.message[0] ? ": " : "", have ? rep.message : "");
	}
	if (st == 413)
		return mail_result_set(r, MAIL_REJECTED, ERR_UPSTREAM_PERM, "Postmark answered 413: message too large");
	return mail_result_set(r, MAIL_FAILED, ERR_UPSTREAM_PERM,
			       "Postmark answered %ld: check RADSCHED_POSTMARK_URL", st);
}

static enum err pm_post(const struct mail_provider *p, struct arena *a, const char *path, const struct buf *body,
			struct http_client_response *resp, struct errinfo *ei)
{
	struct http_client_header h[] = {
		{"Accept", "application/json"},
		{"Content-Type", "application/json"},
		{"X-Postmark-Server-Token", p->cfg.postmark_token},
	};
	struct http_client_request req = {
		.method = "POST",
		.url = arena_sprintf(a, "%s%s", p->cfg.postmark_url, path),
		.headers = h,
		.nheaders = sizeof h / sizeof h[0],
		.body = body->data,
		.body_len = body->len,
		.timeout_ms = p->cfg.timeout_ms,
	};
	return http_client_do(a, &req, resp, ei);
}

static enum err pm_send(const struct mail_provider *p, const struct mail_message *m, const struct mail_checked *c,
			struct mail_result *r)
{
	struct buf body;
	buf_init(&body, 0);
	enum err e = pm_message_json(&body, m, c);
	if (e) {
		buf_fini(&body);
		return mail_result_set(r, MAIL_FAILED, e, "could not build the Postmark request");
	}
	struct arena *a = arena_new(0);
	struct http_client_response resp;
	struct errinfo ei = {0};
	e = pm_post(p, a, "/email", &body, &resp, &ei);
	buf_fini(&body);
	if (e) {
		e = mail_result_transport(r, e, &ei);
	} else if (resp.status == 200) {
		struct mail_pm_reply rep = {0};
		r->status = 200;
		if (mail_json_postmark_replies(resp.body, resp.body_len, &rep, 1) == 1 && rep.has_code) {
			e = pm_classify_code(&rep, r);
		} else {
			/* accepted, but the reply is unreadable: do not send twice */
			log_kv(LOG_WARN, "postmark reply without MessageID", "message_id", c->message_id, NULL);
			r->outcome = MAIL_SENT;
			e = ERR_OK;
		}
	} else {
		e = pm_classify_status(&resp, r);
	}
	arena_free(a);
	return e;
}

/* One /email/batch call for msgs[0..n). */
static void pm_batch_call(const struct mail_provider *p, const struct mail_message *const *msgs,
			  const struct mail_checked *const *cs, size_t n, struct mail_result *const *res,
			  const struct buf *body)
{
	struct arena *a = arena_new(0);
	struct http_client_response resp;
	struct errinfo ei = {0};
	enum err e = pm_post(p, a, "/email/batch", body, &resp, &ei);
	if (e) {
		for (size_t i = 0; i < n; i++)
			RS_IGNORE(mail_result_transport(res[i], e, &ei)); /* outcome is in the result */
	} else if (resp.status != 200) {
		for (size_t i = 0; i < n; i++)
			RS_IGNORE(pm_classify_status(&resp, res[i]));
	} else {
		struct mail_pm_reply *reps = arena_alloc(a, n * sizeof *reps);
		int got = mail_json_postmark_replies(resp.body, resp.body_len, reps, n);
		for (size_t i = 0; i < n; i++) {
			res[i]->status = 200;
			if (got >= 0 && i < (size_t)got && reps[i].has_code) {
				RS_IGNORE(pm_classify_code(&reps[i], res[i]));
			} else {
				log_kv(LOG_WARN, "postmark batch reply without a result for this message", "message_id",
				       cs[i]->message_id, NULL);
				res[i]->outcome = MAIL_SENT;
			}
		}
	}
	(void)msgs;
	arena_free(a);
}

static void pm_flush(const struct mail_provider *p, const struct mail_message *const *msgs,
		     const struct mail_checked *const *cs, struct mail_result *const *res, size_t start, size_t *count,
		     struct buf *body)
{
	RS_IGNORE(buf_putc(body, ']')); /* uncapped buffer */
	pm_batch_call(p, msgs + start, cs + start, *count, res + start, body);
	buf_reset(body);
	*count = 0;
}

static void pm_send_batch(const struct mail_provider *p, const struct mail_message *const *msgs,
			  const struct mail_checked *const *cs, size_t n, struct mail_result *const *res)
{
	struct buf body, one;
	buf_init(&body, 0);
	buf_init(&one, 0);
	size_t start = 0, count = 0;
	for (size_t i = 0; i < n; i++) {
		buf_reset(&one);
		bool ok = pm_message_json(&one, msgs[i], cs[i]) == ERR_OK;
		if (count && (!ok || count == MAIL_BATCH_MAX || body.len + one.len + 2 > PM_BATCH_BYTES))
			pm_flush(p, msgs, cs, res, start, &count, &body);
		if (!ok) {
			mail_result_set(res[i], MAIL_FAILED, ERR_INTERNAL, "could not build the Postmark request");
			continue;
		}
		if (!count)
			start = i;
		RS_IGNORE(buf_puts(&body, count ? "," : "[")); /* uncapped buffers */
		RS_IGNORE(buf_append(&body, one.data, one.len));
		count++;
	}
	if (count)
		pm_flush(p, msgs, cs, res, start, &count, &body);
	buf_fini(&one);
	buf_fini(&body);
}

const struct mail_provider_ops mail_postmark_ops = {
	.name = "postmark",
	.send = pm_send,
	.send_batch = pm_send_batch,
};
