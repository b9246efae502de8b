/* mail_provider.h — send one rendered email (or a batch) through the configured provider.
 *
 * Providers behind this one interface, chosen by configuration (docs/email.md):
 *   postmark   HTTP API, POST /email and /email/batch, message streams
 *   sendgrid   HTTP API v3, POST /v3/mail/send
 *   smtp       any SMTP relay (STARTTLS + AUTH), MIME built by mail_mime.c
 *   file       the `radsched dev` default: one .eml per message under DATA_DIR/outbox/
 *
 * Every send is classified into one outcome the outbox job acts on:
 *   MAIL_SENT      accepted; provider_id is the provider's message id (Postmark MessageID,
 *                  SendGrid X-Message-Id, our Message-ID for smtp and file)
 *   MAIL_RETRY     transient (timeout, 429, 5xx, SMTP 4xx): try again after retry_after_s
 *                  seconds when > 0, else after the job's own backoff
 *   MAIL_REJECTED  permanent for this message: do not retry. When suppress is true the
 *                  recipient address itself is dead (inactive, hard bounce, invalid): add it
 *                  to the suppression list
 *   MAIL_FAILED    permanent configuration or programming error (bad token, unverified
 *                  sender, malformed request): do not retry this message as is; alert
 *
 * No provider offers an idempotency key that covers us (Postmark has none), so delivery is
 * at-least-once: the caller marks the outbox row `sending` before calling, records
 * provider_id after. A crash, or a timeout after the request left, between the two can send
 * the message twice; see docs/email.md for the lease and replay runbook.
 *
 * Each send is logged (log_kv "mail sent" / "mail not sent": provider, outcome, message id,
 * template, stream, provider id; the thread's correlation ids come from the log context)
 * and observed in the histogram radsched_mail_provider_seconds{provider,outcome}.
 * A provider object is immutable after mail_provider_new and may be shared by threads. */
#ifndef RS_INTEGRATIONS_MAIL_PROVIDER_H
#define RS_INTEGRATIONS_MAIL_PROVIDER_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "http/smtp_client.h"

#define MAIL_BATCH_MAX 500               /* Postmark's limit per /email/batch call */
#define MAIL_BODY_MAX (2u * 1024u * 1024u) /* per part (text, html) */
#define MAIL_SUBJECT_MAX 998
#define MAIL_HEADERS_MAX 16

enum mail_outcome { MAIL_SENT, MAIL_RETRY, MAIL_REJECTED, MAIL_FAILED };

struct mail_header {
	const char *name; /* e.g. "List-Unsubscribe"; structural headers are refused */
	const char *value; /* printable ASCII, no CR/LF */
};

struct mail_message {
	const char *stream;   /* Postmark message stream: "outbound", "broadcast", "system"; NULL = outbound */
	const char *from;     /* "addr@x" or "Display Name <addr@x>"; NULL = config default_from */
	const char *to;       /* one recipient, same forms */
	const char *reply_to; /* optional */
	const char *subject;  /* UTF-8, one line */
	const char *html;     /* UTF-8; html and/or text must be given */
	const char *text;
	const char *tag;             /* template name: Postmark Tag, SendGrid category, X-Radsched-Template */
	const char *idempotency_key; /* the outbox key; logged only (no provider honours it) */
	const char *message_id;      /* our id (outbox row UUID): [A-Za-z0-9._-]; NULL = random */
	const struct mail_header *headers;
	size_t nheaders;
};

struct mail_result {
	enum mail_outcome outcome;
	bool suppress;         /* with MAIL_REJECTED: the address is dead */
	int retry_after_s;     /* with MAIL_RETRY: provider's hint, 0 = none */
	int status;            /* HTTP status or SMTP reply code; 0 when none */
	int provider_code;     /* Postmark ErrorCode; 0 otherwise */
	char provider_id[128]; /* with MAIL_SENT; may be "" when the provider did not say */
	char error[512];       /* why, for people; "" when sent */
};

struct mail_provider_config {
	const char *provider;       /* "postmark" | "sendgrid" | "smtp" | "file" */
	const char *default_from;   /* RADSCHED_MAIL_FROM */
	const char *postmark_url;   /* default https://api.postmarkapp.com */
	const char *postmark_token; /* X-Postmark-Server-Token */
	const char *sendgrid_url;   /* default https://api.sendgrid.com */
	const char *sendgrid_key;
	const char *smtp_url; /* smtp://host:587 or smtps://host:465 */
	const char *smtp_user;
	const char *smtp_password;
	enum smtp_tls smtp_tls;
	const char *outbox_dir; /* file provider: where .eml files go */
	long timeout_ms;        /* per provider call; 0 = 30 s (HTTP) / 60 s (SMTP) */
};

struct mail_provider;

/* Check cfg and build the provider (strings are copied). ERR_INVALID with the option name
 * in ei->path when a required setting is missing or unusable. */
enum err mail_provider_new(const struct mail_provider_config *cfg, struct mail_provider **out,
			   struct errinfo *ei) RS_MUST_CHECK;
void mail_provider_free(struct mail_provider *p);
const char *mail_provider_name(const struct mail_provider *p);

/* Fill cfg from the RADSCHED_MAIL_* / RADSCHED_POSTMARK_* / RADSCHED_SENDGRID_* /
 * RADSCHED_SMTP_* environment (pointers into the environment; keep it unchanged while cfg is
 * used). An unset RADSCHED_MAIL_PROVIDER means "file" with outbox data_dir/outbox, whose
 * path string is allocated in *outbox_path (caller frees; may be NULL on return). */
enum err mail_provider_config_from_env(struct mail_provider_config *cfg, const char *data_dir,
				       char **outbox_path, struct errinfo *ei) RS_MUST_CHECK;

/* Send one message. *r is always filled. Returns ERR_OK exactly when r->outcome is
 * MAIL_SENT; otherwise an error matching the outcome (ERR_TIMEOUT / ERR_UPSTREAM /
 * ERR_RATE_LIMITED for retry, ERR_UPSTREAM_PERM for rejected, ERR_INVALID /
 * ERR_UNAUTHORIZED / ERR_FORBIDDEN / ERR_PRECONDITION for failed) with r->error in ei. */
enum err mail_provider_send(const struct mail_provider *p, const struct mail_message *m, struct mail_result *r,
			    struct errinfo *ei) RS_MUST_CHECK;

/* Send n <= MAIL_BATCH_MAX messages; results[i] belongs to msgs[i]. Postmark sends them in
 * one /email/batch call (or a few, to stay under its payload cap); the other providers send
 * one by one. Returns ERR_OK when every message is MAIL_SENT, else the error of the first
 * that is not (every result is filled either way). */
enum err mail_provider_send_batch(const struct mail_provider *p, const struct mail_message *msgs, size_t n,
				  struct mail_result *results, struct errinfo *ei) RS_MUST_CHECK;

/* "sent" | "retry" | "rejected" | "failed" */
const char *mail_outcome_name(enum mail_outcome o);

#endif
