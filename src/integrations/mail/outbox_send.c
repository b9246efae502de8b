#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/log.h"
#include "base/metrics.h"
#include "integrations/mail/mail_provider.h"
#include "integrations/mail/outbox.h"
#include "queue/queue.h"

static struct mail_provider *provider;
static char *outbox_path;

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
		free(outbox_path);
		outbox_path = NULL;
		size_t n = strlen(pf->data_dir) + sizeof "/outbox";
		outbox_path = xmalloc(n);
		snprintf(outbox_path, n, "%s/outbox", pf->data_dir);
		cfg.outbox_dir = outbox_path;
	}
	metrics_declare("radsched_emails_total", METRIC_COUNTER, "Emails by template, stream and resulting status.");
	return mail_provider_new(&cfg, &provider, ei);
}

void outbox_fini(void)
{
	mail_provider_free(provider);
	provider = NULL;
	free(outbox_path);
	outbox_path = NULL;
}

static void count(const char *template, const char *stream, const char *status)
{
	char t[100], labels[256];
	metrics_label_escape(t, sizeof t, template);
	snprintf(labels, sizeof labels, "template=\"%s\",stream=\"%s\",status=\"%s\"", t, stream, status);
	metrics_counter_add("radsched_emails_total", labels, 1);
}

struct claim {
	struct queue_job *job;
	const char *id;
	struct db_res *row;
	bool go; /* send now */
};

static enum err claim_message(struct db *db, void *arg, struct errinfo *ei)
{
	struct claim *c = arg;
	struct arena *a = c->job->arena;
	enum err e = DB_EXEC(db, a, &c->row, ei,
			     "SELECT m.id, m.template, m.stream, m.to_email, m.to_name, m.subject, m.html_body, m.text_body,"
			     " m.status, m.idempotency_key, t.name AS tenant_name,"
			     " EXISTS (SELECT 1 FROM email_suppressions s WHERE s.tenant_id = m.tenant_id"
			     "         AND s.email = lower(m.to_email)) AS suppressed"
			     " FROM email_messages m JOIN tenants t ON t.id = m.tenant_id"
			     " WHERE m.tenant_id = app_tenant() AND m.id = $1::uuid FOR UPDATE OF m",
			     c->id);
	if (e)
		return e;
	if (db_res_rows(c->row) != 1)
		return err_set(ei, ERR_INVALID, "/id", "email message %s does not exist", c->id);
	const char *status = db_res_val(c->row, 0, "status");
	if (!strcmp(status, "sent") || !strcmp(status, "suppressed") || !strcmp(status, "failed"))
		return ERR_OK; /* already decided: idempotent */
	if (!strcmp(status, "sending")) {
		log_kv(LOG_WARN, "email left in sending (interrupted between provider call and record); see the replay runbook",
		       "email_id", c->id, NULL);
		return ERR_OK;
	}
	if (db_res_bool(c->row, 0, "suppressed")) {
		count(db_res_val(c->row, 0, "template"), db_res_val(c->row, 0, "stream"), "suppressed");
		return DB_EXEC(db, a, NULL, ei,
			       "UPDATE email_messages SET status = 'suppressed', last_error = 'recipient is on the suppression list'"
			       " WHERE tenant_id = app_tenant() AND id = $1::uuid",
			       c->id);
	}
	c->go = true;
	return DB_EXEC(db, a, NULL, ei,
		       "UPDATE email_messages SET status = 'sending', attempts = attempts + 1, sending_at = now(), provider = $2"
		       " WHERE tenant_id = app_tenant() AND id = $1::uuid",
		       c->id, mail_provider_name(provider));
}

struct record {
	struct claim *c;
	const struct mail_result *res;
	const char *status;
};

static enum err record_result(struct db *db, void *arg, struct errinfo *ei)
{
	struct record *r = arg;
	struct arena *a = r->c->job->arena;
	enum err e = DB_EXEC(db, a, NULL, ei,
			     "UPDATE email_messages SET status = $2, provider_message_id = nullif($3, ''),"
			     " last_error = nullif($4, ''), sent_at = CASE WHEN $2 = 'sent' THEN now() END"
			     " WHERE tenant_id = app_tenant() AND id = $1::uuid",
			     r->c->id, r->status, r->res->provider_id, r->res->error);
	if (!e && !strcmp(r->status, "suppressed"))
		e = DB_EXEC(db, a, NULL, ei,
			    "INSERT INTO email_suppressions (tenant_id, email, reason) VALUES (app_tenant(), lower($1), $2)"
			    " ON CONFLICT DO NOTHING",
			    db_res_val(r->c->row, 0, "to_email"), r->res->error);
	return e;
}

enum err outbox_send_job(struct queue_job *job)
{
	if (!provider)
		return err_set(&job->err, ERR_INTERNAL, "", "mail provider not initialised");
	json_error_t je;
	json_t *p = json_loads(job->payload, 0, &je);
	const char *id = json_string_value(json_object_get(p, "id"));
	struct claim c = {.job = job, .id = id ? arena_strdup(job->arena, id) : NULL};
	json_decref(p);
	if (!c.id)
		return err_set(&job->err, ERR_INVALID, "/id", "mail.send needs {\"id\": uuid}");
	enum err e = db_with_tx(job->pool, &job->ctx, claim_message, &c, &job->err);
	if (e || !c.go)
		return e;
	const struct db_res *row = c.row;
	const char *to_name = db_res_val(row, 0, "to_name");
	const char *to_email = db_res_val(row, 0, "to_email");
	char *to = to_name && *to_name && !strpbrk(to_name, "\"<>\\")
		? arena_sprintf(job->arena, "\"%s\" <%s>", to_name, to_email)
		: arena_strdup(job->arena, to_email);
	struct mail_message m = {.stream = db_res_val(row, 0, "stream"), .to = to,
				 .subject = db_res_val(row, 0, "subject"), .html = db_res_val(row, 0, "html_body"),
				 .text = db_res_val(row, 0, "text_body"), .tag = db_res_val(row, 0, "template"),
				 .idempotency_key = db_res_val(row, 0, "idempotency_key"), .message_id = c.id};
	struct mail_result res;
	struct errinfo send_ei = {0};
	enum err se = mail_provider_send(provider, &m, &res, &send_ei);
	(void)se; /* the outcome in res decides */
	bool last_try = job->attempt >= job->max_attempts;
	const char *status = res.outcome == MAIL_SENT			      ? "sent"
			     : res.outcome == MAIL_REJECTED && res.suppress  ? "suppressed"
			     : res.outcome == MAIL_RETRY && !last_try	      ? "queued"
									      : "failed";
	struct record rec = {.c = &c, .res = &res, .status = status};
	e = db_with_tx(job->pool, &job->ctx, record_result, &rec, &job->err);
	if (e)
		return e;
	if (strcmp(status, "queued"))
		count(m.tag, m.stream, status);
	if (!strcmp(status, "queued"))
		return err_set(&job->err, ERR_UPSTREAM, "", "%s", res.error[0] ? res.error : "provider asked to retry");
	return ERR_OK;
}
