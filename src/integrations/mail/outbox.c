#include "integrations/mail/outbox.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto_hash.h"
#include "integrations/mail/mail_message.h"
#include "integrations/mail/mail_render.h"
#include "queue/queue.h"

static bool stream_ok(const char *s)
{
	return s && (!strcmp(s, "outbound") || !strcmp(s, "broadcast") || !strcmp(s, "system"));
}

const char *outbox_template_stream(const char *template)
{
	if (!template)
		return "outbound";
	if (!strcmp(template, "invite") || !strcmp(template, "magic_link"))
		return "system";
	if (!strncmp(template, "vacation_window_", 16))
		return "broadcast";
	return "outbound";
}

/* Each field as an 8-byte big-endian length and its bytes: unambiguous whatever the fields
 * contain. The recipient is lower-cased (ASCII): addresses differing only in case are one
 * mailbox in practice, and the suppression list compares them the same way. */
void outbox_idempotency_key(const char *template, const char *to_email, const char *entity, char out[OUTBOX_KEY_SIZE])
{
	const char *fields[3] = {template ? template : "", to_email ? to_email : "", entity ? entity : ""};
	size_t total = 0;
	for (int i = 0; i < 3; i++)
		total += 8 + strlen(fields[i]);
	unsigned char *buf = xmalloc(total ? total : 1), *p = buf;
	for (int i = 0; i < 3; i++) {
		uint64_t n = strlen(fields[i]);
		for (int k = 7; k >= 0; k--)
			*p++ = (unsigned char)(n >> (8 * k));
		for (size_t j = 0; j < n; j++) {
			unsigned char c = (unsigned char)fields[i][j];
			*p++ = (unsigned char)(i == 1 && c >= 'A' && c <= 'Z' ? c + 32 : c);
		}
	}
	unsigned char d[CRYPTO_SHA256_LEN];
	crypto_sha256(buf, total, d);
	free(buf);
	crypto_hex_encode(out, d, sizeof d);
}

static bool has_control(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return true;
	return false;
}

enum err outbox_tenant_branding(struct db *db, struct arena *a, json_t **out, struct errinfo *ei)
{
	*out = NULL;
	struct db_res *r;
	enum err e = DB_EXEC0(db, a, &r, ei,
			      "SELECT coalesce(nullif(cv.document->'department'->>'name', ''), t.name) AS name, t.slug, t.timezone"
			      " FROM tenants t LEFT JOIN config_versions cv ON cv.tenant_id = t.id AND cv.number = t.config_version"
			      " WHERE t.id = app_tenant()");
	if (e)
		return e;
	if (db_res_rows(r) != 1)
		return err_set(ei, ERR_INTERNAL, "", "tenant branding asked for without a tenant");
	*out = json_pack("{s:s, s:s, s:s}", "name", db_res_val(r, 0, "name"), "slug", db_res_val(r, 0, "slug"), "timezone",
			 db_res_val(r, 0, "timezone"));
	return ERR_OK;
}

/* "Dr. Priya Raman" → "Priya"; "Linda Chen" → "Linda"; "" → "". */
static json_t *first_name_of(const char *name)
{
	const char *p = name ? name : "";
	for (;;) {
		while (*p == ' ')
			p++;
		size_t n = strcspn(p, " ");
		if (n && p[n - 1] == '.' && p[n] == ' ') { /* a title: Dr. Prof. */
			p += n;
			continue;
		}
		return json_stringn(p, n);
	}
}

json_t *outbox_sample_payload(const char *template, const json_t *branding, const char *to_email, const char *to_name)
{
	json_t *p = mail_sample_payload(template);
	if (!p)
		return NULL;
	if (json_is_object(branding))
		json_object_set_new(p, "tenant", json_deep_copy(branding));
	if (to_email && *to_email) {
		const char *name = to_name && *to_name ? to_name : to_email;
		json_object_set_new(p, "recipient",
				    json_pack("{s:s, s:o, s:s}", "name", name, "first_name",
					      first_name_of(to_name && *to_name ? to_name : ""), "email", to_email));
	}
	return p;
}

/* payload + the tenant's branding + recipient defaults (new reference). */
static enum err payload_for(struct db *db, struct arena *a, const struct outbox_msg *m, json_t **out,
			    struct errinfo *ei)
{
	*out = NULL;
	if (m->payload && !json_is_object(m->payload))
		return err_set(ei, ERR_INVALID, "payload", "an email payload must be a JSON object");
	json_t *brand;
	enum err e = outbox_tenant_branding(db, a, &brand, ei);
	if (e)
		return e;
	json_t *p = m->payload ? json_deep_copy(m->payload) : json_object();
	json_t *tenant = json_object_get(p, "tenant");
	if (!json_is_object(tenant)) {
		tenant = json_object();
		json_object_set_new(p, "tenant", tenant);
	}
	json_object_update(tenant, brand); /* the tenant's own name, slug and zone always win */
	json_decref(brand);
	json_t *recipient = json_object_get(p, "recipient");
	if (!json_is_object(recipient)) {
		recipient = json_object();
		json_object_set_new(p, "recipient", recipient);
	}
	json_object_set_new(recipient, "email", json_string(m->to_email));
	if (!json_object_get(recipient, "name"))
		json_object_set_new(recipient, "name", json_string(m->to_name ? m->to_name : m->to_email));
	if (!json_object_get(recipient, "first_name"))
		json_object_set_new(recipient, "first_name", first_name_of(m->to_name));
	*out = p;
	return ERR_OK;
}

static enum err check_msg(const struct outbox_msg *m, const char **stream, struct errinfo *ei)
{
	if (!m->template || !mail_template_known(m->template))
		return err_set(ei, ERR_INVALID, "template", "unknown email template \"%s\"", m->template ? m->template : "");
	*stream = m->stream ? m->stream : outbox_template_stream(m->template);
	if (!stream_ok(*stream))
		return err_set(ei, ERR_INVALID, "stream", "the stream must be outbound, broadcast or system");
	if (!m->to_email || strlen(m->to_email) > MAIL_ADDR_MAX || !mail_addr_spec_valid(m->to_email))
		return err_set(ei, ERR_INVALID, "to", "the recipient must be one address like name@example.org");
	if (m->to_name && (strlen(m->to_name) > 200 || has_control(m->to_name)))
		return err_set(ei, ERR_INVALID, "to_name", "the recipient's name must be one line of at most 200 bytes");
	if (!m->entity || !*m->entity || strlen(m->entity) > OUTBOX_ENTITY_MAX)
		return err_set(ei, ERR_INVALID, "entity", "an email needs the entity it is about (1 to %d bytes)",
			       OUTBOX_ENTITY_MAX);
	return ERR_OK;
}

static void fill_out(struct outbox_enqueued *out, const struct db_res *r, bool created)
{
	if (!out)
		return;
	snprintf(out->id, sizeof out->id, "%s", db_res_val(r, 0, "id"));
	snprintf(out->status, sizeof out->status, "%s", db_res_val(r, 0, "status"));
	out->created = created;
}

enum err outbox_enqueue_msg(const struct platform *pf, struct db *db, struct arena *a, const struct outbox_msg *m,
			    struct outbox_enqueued *out, struct errinfo *ei)
{
	if (out)
		memset(out, 0, sizeof *out);
	const char *stream = NULL;
	enum err e = check_msg(m, &stream, ei);
	if (e)
		return e;
	char key[OUTBOX_KEY_SIZE];
	outbox_idempotency_key(m->template, m->to_email, m->entity, key);
	/* a known key renders nothing and sends nothing */
	struct db_res *r;
	const char *existing = "SELECT id, status FROM email_messages WHERE tenant_id = app_tenant() AND idempotency_key = $1";
	if ((e = DB_EXEC(db, a, &r, ei, existing, key)))
		return e;
	if (db_res_rows(r)) {
		fill_out(out, r, false);
		return ERR_OK;
	}
	json_t *payload;
	if ((e = payload_for(db, a, m, &payload, ei)))
		return e;
	char dir[1100];
	snprintf(dir, sizeof dir, "%s/templates/mail", pf->share_dir);
	struct mail_rendered mr;
	e = mail_render(dir, m->template, payload, a, &mr, ei);
	char *ptext = e ? NULL : json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(payload);
	if (e)
		return e;
	e = DB_EXEC(db, a, &r, ei,
		    "INSERT INTO email_messages (tenant_id, template, stream, to_email, to_name, idempotency_key, subject,"
		    " html_body, text_body, payload) VALUES (app_tenant(), $1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)"
		    " ON CONFLICT (tenant_id, idempotency_key) DO NOTHING RETURNING id, status",
		    m->template, stream, m->to_email, m->to_name, key, mr.subject, mr.html, mr.text, ptext);
	free(ptext);
	if (e)
		return e;
	if (db_res_rows(r) == 0) { /* a concurrent transaction committed the same key first */
		if ((e = DB_EXEC(db, a, &r, ei, existing, key)))
			return e;
		if (db_res_rows(r) == 0)
			return err_set(ei, ERR_CONFLICT, "", "the same email is being enqueued concurrently");
		fill_out(out, r, false);
		return ERR_OK;
	}
	const char *id = db_res_val(r, 0, "id");
	char *job = arena_sprintf(a, "{\"id\":\"%s\"}", id);
	char *unique = arena_sprintf(a, "mail:%s", id);
	int64_t job_id = 0;
	e = queue_enqueue(db, "mail.send", job,
			  &(struct queue_opts){.unique_key = unique, .max_attempts = OUTBOX_MAX_ATTEMPTS, .priority = 10},
			  &job_id, ei);
	if (e)
		return e;
	if (job_id == 0)
		return err_set(ei, ERR_INTERNAL, "", "a new email %s already has a job", id);
	fill_out(out, r, true);
	return ERR_OK;
}

enum err outbox_enqueue(const struct platform *pf, struct db *db, struct arena *a, const struct outbox_msg *m,
			bool *created, struct errinfo *ei)
{
	struct outbox_enqueued o;
	enum err e = outbox_enqueue_msg(pf, db, a, m, &o, ei);
	*created = !e && o.created;
	return e;
}
