/* The mail.send job, the process's provider, and the outbox metrics. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/log.h"
#include "base/metrics.h"
#include "integrations/mail/mail_provider.h"
#include "integrations/mail/outbox.h"
#include "queue/queue.h"

#define METRIC_EMAILS "radsched_emails_total"
#define METRIC_OUTBOX "radsched_emails"
#define METRIC_STUCK "radsched_emails_stuck"

static struct mail_provider *provider;
static char *outbox_path;
static bool collector_added;

/* Outbox statistics at scrape time (all tenants, through a SECURITY DEFINER function). */
static void collect(void *arg)
{
	struct db_pool *pool = arg;
	struct db *db = db_pool_get(pool);
	struct arena *a = arena_new(0);
	struct db_res *r;
	struct errinfo ei = {0};
	char stuck[32];
	snprintf(stuck, sizeof stuck, "%d minutes", OUTBOX_STUCK_MINUTES);
	if (DB_EXEC(db, a, &r, &ei, "SELECT status, n, stuck FROM email_outbox_stats($1::interval)", stuck) == ERR_OK) {
		metrics_gauge_clear(METRIC_OUTBOX);
		metrics_gauge_clear(METRIC_STUCK);
		static const char *const states[] = {"queued", "sending", "sent", "failed", "suppressed"};
		for (size_t s = 0; s < sizeof states / sizeof states[0]; s++) {
			double n = 0, k = 0;
			for (int i = 0; i < db_res_rows(r); i++)
				if (!strcmp(db_res_val(r, i, "status"), states[s])) {
					n = (double)db_res_ll(r, i, "n", 0);
					k = (double)db_res_ll(r, i, "stuck", 0);
				}
			char labels[64];
			snprintf(labels, sizeof labels, "status=\"%s\"", states[s]);
			metrics_gauge_set(METRIC_OUTBOX, labels, n);
			if (!strcmp(states[s], "sending") || !strcmp(states[s], "queued"))
				metrics_gauge_set(METRIC_STUCK, labels, k);
		}
	} else {
		log_warn("outbox metrics unavailable: %s", ei.message);
	}
	arena_free(a);
	db_pool_put(pool, db);
}

enum err outbox_init(const struct platform *pf, struct errinfo *ei)
{
	if (provider)
		return ERR_OK;
	struct mail_provider_config cfg;
	enum err e = mail_provider_config_from_env(&cfg, pf->data_dir, &outbox_path, ei);
	if (e)
		return e;
	if (pf->mail_provider && *pf->mail_provider)
		cfg.provider = pf->mail_provider;
	if (pf->mail_from && *pf->mail_from)
		cfg.default_from = pf->mail_from;
	if (!strcmp(cfg.provider, "file") && !cfg.outbox_dir) {
		if (!pf->data_dir || !*pf->data_dir)
			return err_set(ei, ERR_INVALID, "--data-dir", "the file mail provider needs the data directory");
		size_t n = strlen(pf->data_dir) + sizeof "/outbox";
		outbox_path = xmalloc(n);
		snprintf(outbox_path, n, "%s/outbox", pf->data_dir);
		cfg.outbox_dir = outbox_path;
	}
	metrics_declare(METRIC_EMAILS, METRIC_COUNTER,
			"Email send outcomes by template, stream and status (sent, retry, failed, suppressed).");
	metrics_declare(METRIC_OUTBOX, METRIC_GAUGE, "Emails in the outbox by status (all tenants).");
	metrics_declare(METRIC_STUCK, METRIC_GAUGE,
			"Emails in sending, or queued without a job, for more than 15 minutes: see the replay runbook.");
	if (pf->pool && !collector_added) {
		metrics_add_collector(collect, pf->pool);
		collector_added = true;
	}
	e = mail_provider_new(&cfg, &provider, ei);
	if (e) {
		free(outbox_path);
		outbox_path = NULL;
	}
	return e;
}

void outbox_fini(void)
{
	mail_provider_free(provider);
	provider = NULL;
	free(outbox_path);
	outbox_path = NULL;
}

const char *outbox_next_status(enum mail_outcome outcome, bool suppress, bool last_attempt)
{
	switch (outcome) {
	case MAIL_SENT:
		return "sent";
	case MAIL_REJECTED:
		return suppress ? "suppressed" : "failed";
	case MAIL_RETRY:
		return last_attempt ? "failed" : "queued";
	case MAIL_FAILED:
		break;
	}
	return "failed";
}

static void count(const char *template, const char *stream, const char *status)
{
	char t[100], s[32], labels[256];
	metrics_label_escape(t, sizeof t, template);
	metrics_label_escape(s, sizeof s, stream);
	snprintf(labels, sizeof labels, "template=\"%s\",stream=\"%s\",status=\"%s\"", t, s, status);
	metrics_counter_add(METRIC_EMAILS, labels, 1);
}

struct claim {
	struct queue_job *job;
	const char *id;
	struct db_res *row;
	bool send; /* claimed: call the provider */
};

/* In one transaction: lock the message, decide, and commit `sending` before any provider
 * call. Only a `queued` message is claimed. */
static enum err claim_message(struct db *db, void *arg, struct errinfo *ei)
{
	struct claim *c = arg;
	struct arena *a = c->job->arena;
	c->send = false;
	enum err e = DB_EXEC(db, a, &c->row, ei,
			     "SELECT m.id, m.template, m.stream, m.to_email, m.to_name, m.subject, m.html_body, m.text_body,"
			     " m.status, m.attempts, m.idempotency_key,"
			     " EXISTS (SELECT 1 FROM email_suppressions s WHERE s.tenant_id = m.tenant_id"
			     "         AND s.email = lower(m.to_email)) AS suppressed"
			     " FROM email_messages m WHERE m.tenant_id = app_tenant() AND m.id = $1::uuid FOR UPDATE",
			     c->id);
	if (e)
		return e;
	if (db_res_rows(c->row) != 1)
		return err_set(ei, ERR_INVALID, "/id", "email message %s does not exist in this tenant", c->id);
	const char *status = db_res_val(c->row, 0, "status");
	const char *template = db_res_val(c->row, 0, "template");
	if (!strcmp(status, "sending")) {
		log_kv(LOG_WARN, "mail left in sending: interrupted between the provider call and its record; "
				 "not resent (see the replay runbook)",
		       "message_id", c->id, "template", template, "attempts", db_res_val(c->row, 0, "attempts"), NULL);
		return ERR_OK;
	}
	if (strcmp(status, "queued"))
		return ERR_OK; /* sent, failed or suppressed: already decided */
	if (db_res_bool(c->row, 0, "suppressed")) {
		e = DB_EXEC(db, a, NULL, ei,
			    "UPDATE email_messages SET status = 'suppressed', last_error = 'recipient is on the suppression list'"
			    " WHERE tenant_id = app_tenant() AND id = $1::uuid",
			    c->id);
		if (!e) {
			log_kv(LOG_INFO, "mail suppressed: the recipient is on the suppression list", "message_id", c->id,
			       "template", template, "stream", db_res_val(c->row, 0, "stream"), NULL);
			count(template, db_res_val(c->row, 0, "stream"), "suppressed");
		}
		return e;
	}
	c->send = true;
	return DB_EXEC(db, a, NULL, ei,
		       "UPDATE email_messages SET status = 'sending', attempts = attempts + 1, sending_at = now(), provider = $2"
		       " WHERE tenant_id = app_tenant() AND id = $1::uuid",
		       c->id, mail_provider_name(provider));
}

struct record {
	struct claim *c;
	const struct mail_result *res;
	const char *status;
	const char *error;
};

/* Record the outcome, guarded by status = 'sending' (nobody else may have moved it). */
static enum err record_result(struct db *db, void *arg, struct errinfo *ei)
{
	struct record *r = arg;
	struct arena *a = r->c->job->arena;
	struct db_res *res;
	enum err e = DB_EXEC(db, a, &res, ei,
			     "UPDATE email_messages SET status = $2, provider_message_id = nullif($3, ''),"
			     " last_error = nullif(left($4, 2000), ''), sent_at = CASE WHEN $2 = 'sent' THEN now() END"
			     " WHERE tenant_id = app_tenant() AND id = $1::uuid AND status = 'sending'",
			     r->c->id, r->status, r->res->provider_id, r->error);
	if (e)
		return e;
	if (db_res_affected(res) != 1)
		return err_set(ei, ERR_CONFLICT, "", "email %s left sending while its provider call ran", r->c->id);
	if (!strcmp(r->status, "suppressed"))
		e = DB_EXEC(db, a, NULL, ei,
			    "INSERT INTO email_suppressions (tenant_id, email, reason) VALUES (app_tenant(), lower($1), $2)"
			    " ON CONFLICT DO NOTHING",
			    db_res_val(r->c->row, 0, "to_email"), r->res->error[0] ? r->res->error : "rejected by the provider");
	return e;
}

/* payload {"id": "<uuid>"}: the id, or NULL */
static const char *message_id_of(struct queue_job *job)
{
	json_error_t je;
	json_t *p = json_loads(job->payload ? job->payload : "", JSON_REJECT_DUPLICATES, &je);
	const char *id = json_string_value(json_object_get(p, "id"));
	const char *out = NULL;
	if (id && strlen(id) == 36 && strspn(id, "0123456789abcdef-") == 36)
		out = arena_strdup(job->arena, id);
	json_decref(p);
	return out;
}

enum err outbox_send_job(struct queue_job *job)
{
	if (!provider)
		return err_set(&job->err, ERR_INTERNAL, "", "mail provider not initialised (outbox_init)");
	struct claim c = {.job = job, .id = message_id_of(job)};
	if (!c.id)
		return err_set(&job->err, ERR_INVALID, "/id", "mail.send needs {\"id\": \"<uuid>\"}");
	enum err e = db_with_tx(job->pool, &job->ctx, claim_message, &c, &job->err);
	if (e || !c.send)
		return e;

	const struct db_res *row = c.row;
	const char *to_name = db_res_val(row, 0, "to_name");
	const char *to_email = db_res_val(row, 0, "to_email");
	char *to = to_name && *to_name && !strpbrk(to_name, "\"\\")
		? arena_sprintf(job->arena, "\"%s\" <%s>", to_name, to_email)
		: arena_strdup(job->arena, to_email);
	/* automated mail: no out-of-office or other auto-replies back to us (RFC 3834) */
	static const struct mail_header headers[] = {{"Auto-Submitted", "auto-generated"}};
	struct mail_message m = {.stream = db_res_val(row, 0, "stream"), .to = to,
				 .subject = db_res_val(row, 0, "subject"), .html = db_res_val(row, 0, "html_body"),
				 .text = db_res_val(row, 0, "text_body"), .tag = db_res_val(row, 0, "template"),
				 .idempotency_key = db_res_val(row, 0, "idempotency_key"), .message_id = c.id,
				 .headers = headers, .nheaders = 1};
	struct mail_result res;
	struct errinfo send_ei = {0};
	RS_IGNORE(mail_provider_send(provider, &m, &res, &send_ei)); /* the outcome in res decides */

	bool last = job->attempt >= job->max_attempts;
	const char *status = outbox_next_status(res.outcome, res.suppress, last);
	const char *error = res.error;
	if (res.outcome == MAIL_RETRY && res.retry_after_s > 0)
		error = arena_sprintf(job->arena, "%s (provider asked to retry after %d s)", res.error, res.retry_after_s);
	if (res.outcome == MAIL_RETRY && last)
		error = arena_sprintf(job->arena, "%s (gave up after %d attempts)", error, job->attempt);
	struct record rec = {.c = &c, .res = &res, .status = status, .error = error};
	e = db_with_tx(job->pool, &job->ctx, record_result, &rec, &job->err);
	if (e) {
		/* the provider answered but the answer is not stored: the message stays in sending */
		log_kv(LOG_ERROR, "mail outcome not recorded: the message stays in sending (see the replay runbook)",
		       "message_id", c.id, "template", m.tag, "outcome", mail_outcome_name(res.outcome), "provider_message_id",
		       res.provider_id, "error", job->err.message, NULL);
		return e;
	}
	count(m.tag, m.stream, strcmp(status, "queued") ? status : "retry");
	if (!strcmp(status, "queued"))
		return err_set(&job->err, ERR_UPSTREAM, "", "%s", error[0] ? error : "the provider asked to retry");
	return ERR_OK;
}
