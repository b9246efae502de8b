/* outbox.h — the durable email outbox (table email_messages).
 * outbox_enqueue renders the template now (subject/HTML/text stored with the payload JSON
 * for audit and replay) and inserts the message in the caller's transaction together with
 * a `mail.send` job, so an email exists iff the business change committed. The
 * idempotency key is derived from (template, recipient, subject entity): a second enqueue
 * with the same key creates nothing (*created = false) and sends nothing. */
#ifndef RS_INTEGRATIONS_MAIL_OUTBOX_H
#define RS_INTEGRATIONS_MAIL_OUTBOX_H

#include <jansson.h>
#include <stdbool.h>

#include "db/db.h"
#include "domain/platform.h"

struct outbox_msg {
	const char *template;  /* a mail template name (templates/mail), e.g. "magic_link" */
	const char *stream;    /* "outbound", "broadcast" or "system" */
	const char *to_email;
	const char *to_name;   /* may be NULL */
	const char *entity;    /* the subject entity for the key, e.g. "magic_link:<id>", "publication:<id>:<n>" */
	const json_t *payload; /* render data (borrowed); tenant branding is added */
};

enum err outbox_enqueue(const struct platform *pf, struct db *db, struct arena *a, const struct outbox_msg *m,
			bool *created, struct errinfo *ei) RS_MUST_CHECK;


/* Build the configured provider once per process (from RADSCHED_MAIL_* and the platform's
 * mail_provider / mail_from). ERR_INVALID with the option in ei->path on bad settings. */
enum err outbox_init(const struct platform *pf, struct errinfo *ei) RS_MUST_CHECK;
void outbox_fini(void);

struct queue_job;
/* The `mail.send` job: payload {"id": "<email_messages.id>"} in the job's tenant.
 * queued → sending (attempts+1) → provider → sent | failed | suppressed, or back to queued
 * for a retry. A message found in `sending` was interrupted between the provider call and
 * the record (crash): it is left for the replay runbook, never resent automatically. */
enum err outbox_send_job(struct queue_job *job) RS_MUST_CHECK;

#endif
