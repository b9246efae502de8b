/* outbox.h — the durable email outbox (table email_messages, migration 0005).
 *
 * outbox_enqueue renders the template now (subject, HTML and text stored with the payload
 * JSON, for audit and replay) and inserts the message in the caller's transaction together
 * with its `mail.send` job, so an email exists iff the business change committed. The
 * idempotency key is derived from (template, recipient, subject entity): a second enqueue
 * with the same key creates nothing, renders nothing and sends nothing.
 *
 * The `mail.send` job (outbox_send_job) moves a message
 *     queued → sending → sent | failed | suppressed        (or sending → queued: retry)
 * committing `sending` before the provider call. A message found in `sending` was
 * interrupted between the provider call and the record (crash, lost database): the
 * provider may have it, so it is never resent automatically; `radsched mail-replay
 * --status sending` is the operator's decision (docs/runbooks.md). A timeout after the
 * request left is retried like any transient failure, so delivery is at-least-once
 * (docs/email.md, "Delivery semantics"). */
#ifndef RS_INTEGRATIONS_MAIL_OUTBOX_H
#define RS_INTEGRATIONS_MAIL_OUTBOX_H

#include <jansson.h>
#include <stdbool.h>

#include "db/db.h"
#include "domain/platform.h"
#include "integrations/mail/mail_provider.h"

#define OUTBOX_KEY_SIZE 65      /* hex SHA-256 + NUL */
#define OUTBOX_MAX_ATTEMPTS 12  /* provider attempts per message (job attempts), ~35 min of backoff */
#define OUTBOX_ENTITY_MAX 512   /* bytes of a subject entity */
#define OUTBOX_STUCK_MINUTES 15 /* sending (or jobless queued) longer than this: stuck, see the runbook */

struct outbox_msg {
	const char *template;  /* a mail template name (templates/mail), e.g. "magic_link" */
	const char *stream;    /* "outbound", "broadcast" or "system"; NULL = outbox_template_stream() */
	const char *to_email;
	const char *to_name;   /* may be NULL */
	const char *entity;    /* what the email is about, e.g. "magic_link:<id>", "publication:<id>:<n>" */
	const json_t *payload; /* render data (borrowed); the tenant's branding replaces payload.tenant's
	                          name, slug and timezone; recipient.email/name default to to_email/to_name */
};

struct outbox_enqueued {
	char id[37];     /* the message (new or the one already holding the key) */
	bool created;    /* false: the key existed, nothing was done */
	char status[16]; /* the message's status now ("queued" when created) */
};

/* The idempotency key: lower-case hex SHA-256 over the length-prefixed fields template,
 * lower-cased to_email and entity (so no two different triples share an encoding).
 * Deterministic and tenant-independent (the table's key is (tenant_id, idempotency_key)). */
void outbox_idempotency_key(const char *template, const char *to_email, const char *entity,
			    char out[OUTBOX_KEY_SIZE]);

/* The stream a template is sent on by default (spec §2.1): "system" for invite and
 * magic_link, "broadcast" for the vacation window announcements, "outbound" otherwise. */
const char *outbox_template_stream(const char *template);

/* Enqueue in db's current transaction (tenant from its context). Checks the template, the
 * stream, the address (dot-atom local@host, no control characters, <= 254 bytes) and the
 * entity (1..OUTBOX_ENTITY_MAX bytes) first: ERR_INVALID with the field in ei->path. Render
 * errors as mail_render(). out may be NULL. */
enum err outbox_enqueue_msg(const struct platform *pf, struct db *db, struct arena *a, const struct outbox_msg *m,
			    struct outbox_enqueued *out, struct errinfo *ei) RS_MUST_CHECK;
/* The same, reporting only whether a message was created. */
enum err outbox_enqueue(const struct platform *pf, struct db *db, struct arena *a, const struct outbox_msg *m,
			bool *created, struct errinfo *ei) RS_MUST_CHECK;

/* The branding of the tenant of db's transaction as a mail payload's `tenant` object (new
 * reference): name (the current config's department.name, else the tenant's name), slug,
 * timezone. ERR_INTERNAL when no tenant is set. */
enum err outbox_tenant_branding(struct db *db, struct arena *a, json_t **out, struct errinfo *ei) RS_MUST_CHECK;

/* mail_sample_payload(template) with its tenant replaced by branding (borrowed) and, when
 * to_email is given, its recipient replaced by {name, first_name, email}. New reference, or
 * NULL for an unknown template. */
json_t *outbox_sample_payload(const char *template, const json_t *branding, const char *to_email, const char *to_name);

/* Build the configured provider once per process (from RADSCHED_MAIL_* and the platform's
 * mail_provider / mail_from), declare the metrics and register the outbox statistics
 * collector on pf->pool. ERR_INVALID with the option in ei->path on bad settings. */
enum err outbox_init(const struct platform *pf, struct errinfo *ei) RS_MUST_CHECK;
void outbox_fini(void);

/* What the send job does with a provider outcome: "sent", "suppressed", "failed", or
 * "queued" (retry later; "failed" instead on the last attempt). */
const char *outbox_next_status(enum mail_outcome outcome, bool suppress, bool last_attempt);

struct queue_job;
/* The `mail.send` job: payload {"id": "<email_messages.id>"} in the job's tenant. Returns
 * ERR_OK when the message reached a final state or needs nobody (already decided, left in
 * sending, not found is ERR_INVALID: discarded); an upstream error when it should be retried
 * (the queue's backoff decides when). Counts radsched_emails_total{template,stream,status}. */
enum err outbox_send_job(struct queue_job *job) RS_MUST_CHECK;

#endif
