#include "integrations/mail/outbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto_hash.h"
#include "integrations/mail/mail_render.h"
#include "queue/queue.h"

static bool stream_ok(const char *s)
{
	return s && (!strcmp(s, "outbound") || !strcmp(s, "broadcast") || !strcmp(s, "system"));
}

/* The key is a digest of (template, lower-cased recipient, entity): stable and bounded. */
static void idempotency_key(const struct outbox_msg *m, char out[CRYPTO_SHA256_HEX_SIZE])
{
	char to[256];
	size_t i = 0;
	for (; m->to_email[i] && i < sizeof to - 1; i++)
		to[i] = (char)((m->to_email[i] >= 'A' && m->to_email[i] <= 'Z') ? m->to_email[i] + 32 : m->to_email[i]);
	to[i] = 0;
	struct crypto_part parts[] = {{m->template, strlen(m->template)}, {"\n", 1}, {to, strlen(to)}, {"\n", 1},
				      {m->entity, strlen(m->entity)}};
	unsigned char d[CRYPTO_SHA256_LEN];
	crypto_sha256_parts(parts, sizeof parts / sizeof parts[0], d);
	crypto_hex_encode(out, d, sizeof d);
}

/* Tenant branding from the tenant row, added to every payload. */
static enum err with_branding(struct db *db, struct arena *a, const json_t *payload, json_t **out, struct errinfo *ei)
{
	struct db_res *r;
	enum err e = DB_EXEC0(db, a, &r, ei,
			      "SELECT t.name, t.slug, coalesce(cv.document->'department'->>'accentColor', '') AS accent"
			      " FROM tenants t LEFT JOIN config_versions cv ON cv.tenant_id = t.id AND cv.number = t.config_version"
			      " WHERE t.id = app_tenant()");
	if (e)
		return e;
	if (db_res_rows(r) != 1)
		return err_set(ei, ERR_INTERNAL, "", "email enqueued without a tenant");
	json_t *p = json_deep_copy(payload);
	if (!json_is_object(p)) {
		json_decref(p);
		return err_set(ei, ERR_INVALID, "/payload", "an email payload must be an object");
	}
	json_t *tenant = json_object_get(p, "tenant");
	if (!json_is_object(tenant)) {
		tenant = json_object();
		json_object_set_new(p, "tenant", tenant);
	}
	if (!json_object_get(tenant, "name"))
		json_object_set_new(tenant, "name", json_string(db_res_val(r, 0, "name")));
	if (!json_object_get(tenant, "slug"))
		json_object_set_new(tenant, "slug", json_string(db_res_val(r, 0, "slug")));
	const char *accent = db_res_val(r, 0, "accent");
	if (accent && *accent && !json_object_get(tenant, "accent_color"))
		json_object_set_new(tenant, "accent_color", json_string(accent));
	*out = p;
	return ERR_OK;
}

enum err outbox_enqueue(const struct platform *pf, struct db *db, struct arena *a, const struct outbox_msg *m,
			bool *created, struct errinfo *ei)
{
	*created = false;
	if (!m->template || !mail_template_known(m->template))
		return err_set(ei, ERR_INVALID, "template", "unknown email template %s", m->template ? m->template : "(none)");
	if (!stream_ok(m->stream))
		return err_set(ei, ERR_INVALID, "stream", "stream must be outbound, broadcast or system");
	if (!m->to_email || !*m->to_email || strlen(m->to_email) > 254 || !strchr(m->to_email, '@'))
		return err_set(ei, ERR_INVALID, "to", "a recipient address is required");
	if (!m->entity || !*m->entity)
		return err_set(ei, ERR_INVALID, "entity", "an email needs the entity it is about (idempotency)");
	char key[CRYPTO_SHA256_HEX_SIZE];
	idempotency_key(m, key);
	/* a known key sends nothing and renders nothing */
	struct db_res *r;
	enum err e = DB_EXEC(db, a, &r, ei, "SELECT 1 FROM email_messages WHERE tenant_id = app_tenant() AND idempotency_key = $1", key);
	if (e || db_res_rows(r))
		return e;
	json_t *payload = NULL;
	if ((e = with_branding(db, a, m->payload, &payload, ei)))
		return e;
	json_t *recipient = json_object_get(payload, "recipient");
	if (!json_is_object(recipient)) {
		recipient = json_object();
		json_object_set_new(payload, "recipient", recipient);
	}
	if (!json_object_get(recipient, "email"))
		json_object_set_new(recipient, "email", json_string(m->to_email));
	if (m->to_name && !json_object_get(recipient, "name"))
		json_object_set_new(recipient, "name", json_string(m->to_name));
	char dir[1100];
	snprintf(dir, sizeof dir, "%s/templates/mail", pf->share_dir);
	struct mail_rendered mr;
	e = mail_render(dir, m->template, payload, a, &mr, ei);
	char *ptext = e ? NULL : json_dumps(payload, JSON_COMPACT);
	json_decref(payload);
	if (e)
		return e;
	e = DB_EXEC(db, a, &r, ei,
		    "INSERT INTO email_messages (tenant_id, template, stream, to_email, to_name, idempotency_key, subject,"
		    " html_body, text_body, payload) VALUES (app_tenant(), $1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)"
		    " ON CONFLICT (tenant_id, idempotency_key) DO NOTHING RETURNING id",
		    m->template, m->stream, m->to_email, m->to_name, key, mr.subject, mr.html, mr.text, ptext);
	free(ptext);
	if (e || db_res_rows(r) == 0)
		return e;
	char *job = arena_sprintf(a, "{\"id\":\"%s\"}", db_res_val(r, 0, "id"));
	char *unique = arena_sprintf(a, "mail:%s", db_res_val(r, 0, "id"));
	e = queue_enqueue(db, "mail.send", job, &(struct queue_opts){.unique_key = unique, .max_attempts = 8, .priority = 10},
			  NULL, ei);
	if (!e)
		*created = true;
	return e;
}
