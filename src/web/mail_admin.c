/* Email administration (ADMIN): every template previewed with sample data and the tenant's
 * branding, the outbox's recent messages, and a test send. docs/email.md.
 *   GET  /admin/mail               page: templates (subject, HTML in a sandboxed iframe, text)
 *                                  and the 50 newest messages with status and last error
 *   GET  /admin/mail/{name}/html   one template's HTML part, alone, under a strict CSP
 *                                  (no scripts, no requests but images; framable by us only)
 *   POST /api/v1/admin/mail/test   {"template": NAME} + Idempotency-Key: the template's sample
 *                                  sent to the caller through the outbox */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "domain/platform.h"
#include "http/problem.h"
#include "integrations/mail/mail_render.h"
#include "integrations/mail/outbox.h"
#include "json/json_parse.h"
#include "web/page.h"
#include "web/principal.h"
#include "web/roles.h"
#include "web/routes.h"

#define RECENT_MESSAGES 50
#define TEST_BODY_MAX 4096
#define IDEMPOTENCY_KEY_LEN_MAX 255

/* The HTML part is the tenant's own markup with inline styles: shown only inside a
 * sandboxed frame of our page, it may style itself and show https images, nothing else. */
#define PREVIEW_CSP                                                                              \
	"default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; base-uri 'none'; " \
	"form-action 'none'; frame-ancestors 'self'; sandbox"

static const char *templates_dir(struct http_request *req)
{
	struct platform *pf = req->app;
	return arena_sprintf(req->arena, "%s/templates/mail", pf->share_dir);
}

/* Render one template's sample with the tenant's branding. */
static enum err render_sample(struct http_request *req, const json_t *brand, const char *name,
			      struct mail_rendered *out, struct errinfo *ei)
{
	json_t *p = outbox_sample_payload(name, brand, NULL, NULL);
	if (!p)
		return err_set(ei, ERR_NOT_FOUND, "", "no mail template named %s", name);
	enum err e = mail_render(templates_dir(req), name, p, req->arena, out, ei);
	json_decref(p);
	return e;
}

static json_t *parse_ours(const char *text)
{
	json_error_t je;
	json_t *j = text ? json_loads(text, 0, &je) : NULL;
	return j ? j : json_array();
}

/* ---- GET /admin/mail ------------------------------------------------------------------- */

struct page_data {
	struct http_request *req;
	json_t *brand;
	json_t *messages;
	json_t *counts;
};

static void page_data_clear(struct page_data *d)
{
	json_decref(d->brand);
	json_decref(d->messages);
	json_decref(d->counts);
	d->brand = d->messages = d->counts = NULL;
}

static enum err page_tx(struct db *db, void *arg, struct errinfo *ei)
{
	struct page_data *d = arg;
	struct arena *a = d->req->arena;
	page_data_clear(d); /* db_with_tx may run this again after a serialization failure */
	enum err e = outbox_tenant_branding(db, a, &d->brand, ei);
	if (e)
		return e;
	char limit[16], stuck[32];
	snprintf(limit, sizeof limit, "%d", RECENT_MESSAGES);
	snprintf(stuck, sizeof stuck, "%d minutes", OUTBOX_STUCK_MINUTES);
	struct db_res *r;
	e = DB_EXEC(db, a, &r, ei,
		    "SELECT coalesce(json_agg(json_build_object("
		    "  'id', m.id, 'template', m.template, 'stream', m.stream, 'to', m.to_email, 'subject', m.subject,"
		    "  'status', m.status, 'attempts', m.attempts, 'last_error', m.last_error,"
		    "  'provider_message_id', m.provider_message_id,"
		    "  'created', to_char(m.created_at AT TIME ZONE t.timezone, 'YYYY-MM-DD HH24:MI:SS'),"
		    "  'stuck', m.status = 'sending' AND m.sending_at < now() - $2::interval,"
		    "  'status_class', CASE m.status WHEN 'sent' THEN 'ok' WHEN 'failed' THEN 'error'"
		    "                  WHEN 'suppressed' THEN 'error' ELSE 'pending' END)"
		    "  ORDER BY m.created_at DESC, m.id), '[]')::text AS j"
		    " FROM (SELECT * FROM email_messages WHERE tenant_id = app_tenant()"
		    "       ORDER BY created_at DESC, id LIMIT $1::int) m JOIN tenants t ON t.id = m.tenant_id",
		    limit, stuck);
	if (e)
		return e;
	d->messages = parse_ours(db_res_val(r, 0, "j"));
	e = DB_EXEC0(db, a, &r, ei,
		     "SELECT coalesce(json_agg(json_build_object('status', s.status, 'n', s.n) ORDER BY s.status), '[]')::text AS j"
		     " FROM (SELECT status, count(*) AS n FROM email_messages WHERE tenant_id = app_tenant()"
		     "       GROUP BY status) s");
	if (!e)
		d->counts = parse_ours(db_res_val(r, 0, "j"));
	return e;
}

static enum err mail_page(struct http_request *req, struct http_response *res)
{
	struct platform *pf = req->app;
	struct page_data d = {.req = req};
	struct db_ctx ctx = web_db_ctx(req);
	enum err e = db_with_tx(pf->pool, &ctx, page_tx, &d, &req->err);
	if (e) {
		page_data_clear(&d);
		return e;
	}
	json_t *templates = json_array();
	for (const char *const *n = mail_template_names(); *n; n++) {
		struct mail_rendered mr;
		struct errinfo ei = {0};
		json_t *t = json_pack("{s:s, s:s, s:s}", "name", *n, "stream", outbox_template_stream(*n), "html_url",
				      arena_sprintf(req->arena, "/admin/mail/%s/html", *n));
		if (render_sample(req, d.brand, *n, &mr, &ei) == ERR_OK) {
			json_object_set_new(t, "subject", json_string(mr.subject));
			json_object_set_new(t, "text", json_string(mr.text));
		} else {
			json_object_set_new(t, "error", json_string(ei.message));
			log_kv(LOG_ERROR, "mail template does not render", "template", *n, "error", ei.message, NULL);
		}
		json_array_append_new(templates, t);
	}
	json_t *data = json_pack("{s:s, s:o, s:o, s:o, s:O, s:b, s:i}", "title", "Email", "templates", templates, "messages",
				 d.messages, "counts", d.counts, "tenant", d.brand, "has_messages",
				 json_array_size(d.messages) > 0, "recent_limit", RECENT_MESSAGES);
	json_decref(d.brand);
	e = web_page(req, res, 200, "mail_admin", data);
	json_decref(data);
	return e;
}

/* ---- GET /admin/mail/{name}/html -------------------------------------------------------- */

static enum err brand_tx(struct db *db, void *arg, struct errinfo *ei)
{
	struct page_data *d = arg;
	page_data_clear(d);
	return outbox_tenant_branding(db, d->req->arena, &d->brand, ei);
}

static enum err mail_html(struct http_request *req, struct http_response *res)
{
	struct platform *pf = req->app;
	const char *name = http_param(req, "name");
	if (!name || !mail_template_known(name))
		return err_set(&req->err, ERR_NOT_FOUND, "name", "no mail template named \"%s\"", name ? name : "");
	struct page_data d = {.req = req};
	struct db_ctx ctx = web_db_ctx(req);
	enum err e = db_with_tx(pf->pool, &ctx, brand_tx, &d, &req->err);
	struct mail_rendered mr;
	if (!e)
		e = render_sample(req, d.brand, name, &mr, &req->err);
	json_decref(d.brand);
	if (e)
		return e;
	http_respond_body(res, 200, "text/html; charset=utf-8", mr.html, strlen(mr.html));
	e = http_set_header(res, "Content-Security-Policy", PREVIEW_CSP);
	return e ? err_set(&req->err, ERR_INTERNAL, "", "preview headers") : ERR_OK;
}

/* ---- POST /api/v1/admin/mail/test ------------------------------------------------------- */

struct test_send {
	struct http_request *req;
	const char *template;
	const char *key;
	struct outbox_enqueued out;
	const char *stream;
};

static enum err test_tx(struct db *db, void *arg, struct errinfo *ei)
{
	struct test_send *t = arg;
	struct platform *pf = t->req->app;
	const struct principal *me = web_principal(t->req);
	json_t *brand;
	enum err e = outbox_tenant_branding(db, t->req->arena, &brand, ei);
	if (e)
		return e;
	json_t *payload = outbox_sample_payload(t->template, brand, me->email, me->name);
	json_decref(brand);
	t->stream = outbox_template_stream(t->template);
	struct outbox_msg m = {.template = t->template, .stream = t->stream, .to_email = me->email,
			       .to_name = me->name[0] ? me->name : NULL,
			       .entity = arena_sprintf(t->req->arena, "admin_test:%s", t->key), .payload = payload};
	e = outbox_enqueue_msg(pf, db, t->req->arena, &m, &t->out, ei);
	json_decref(payload);
	if (!e && t->out.created) {
		char *details = arena_sprintf(t->req->arena, "{\"template\":\"%s\"}", t->template);
		e = DB_EXEC(db, t->req->arena, NULL, ei, "SELECT audit_event('email.test', 'email_messages', $1, $2::jsonb)",
			    t->out.id, details);
	}
	return e;
}

static bool key_ok(const char *k)
{
	size_t n = k ? strlen(k) : 0;
	if (n < 1 || n > IDEMPOTENCY_KEY_LEN_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)k[i] < 0x21 || (unsigned char)k[i] > 0x7e)
			return false;
	return true;
}

static enum err invalid(struct http_request *req, enum err code, const char *pointer, const char *field_code,
			const char *msg)
{
	http_field_error_add(req, pointer, field_code, "%s", msg);
	return err_set(&req->err, code, pointer, "%s", msg);
}

static enum err mail_test(struct http_request *req, struct http_response *res)
{
	struct platform *pf = req->app;
	const char *key = http_header_get(req, "Idempotency-Key");
	if (!key) {
		struct errinfo ei = {0};
		err_set(&ei, ERR_PRECONDITION, "Idempotency-Key",
			"send an Idempotency-Key header: the same key never sends the same test email twice");
		http_respond_problem_status(res, 428, ERR_PRECONDITION, &ei);
		return ERR_OK;
	}
	if (!key_ok(key))
		return invalid(req, ERR_INVALID, "Idempotency-Key", "format",
			       "an Idempotency-Key is 1 to 255 printable ASCII characters without spaces");
	if (!http_request_is_content_type(req, "application/json"))
		return err_set(&req->err, ERR_UNSUPPORTED, "", "send the body as Content-Type: application/json");
	json_t *body;
	enum err e = json_parse_strict(req->body, req->body_len, &(struct json_caps){TEST_BODY_MAX, 4}, &body, &req->err);
	if (e)
		return e;
	struct test_send t = {.req = req, .key = key};
	const char *k;
	json_t *v;
	if (!json_is_object(body)) {
		e = invalid(req, ERR_INVALID, "", "type", "the body must be a JSON object {\"template\": NAME}");
		goto out;
	}
	json_object_foreach(body, k, v)
	{
		if (strcmp(k, "template")) {
			e = invalid(req, ERR_UNKNOWN_FIELD, arena_sprintf(req->arena, "/%s", k), "unknown_field",
				    arena_sprintf(req->arena, "unknown field \"%s\": only \"template\" is accepted", k));
			goto out;
		}
	}
	t.template = json_string_value(json_object_get(body, "template"));
	if (!t.template) {
		e = invalid(req, ERR_INVALID, "/template", "required", "\"template\" (a string) is required");
		goto out;
	}
	if (!mail_template_known(t.template)) {
		e = invalid(req, ERR_INVALID, "/template", "enum",
			    arena_sprintf(req->arena, "no mail template named \"%.100s\"", t.template));
		goto out;
	}
	t.template = arena_strdup(req->arena, t.template);
	struct db_ctx ctx = web_db_ctx(req);
	e = db_with_tx(pf->pool, &ctx, test_tx, &t, &req->err);
	if (e)
		goto out;
	const struct principal *me = web_principal(req);
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b}", "id", t.out.id, "template", t.template, "stream", t.stream,
			      "to", me->email, "status", t.out.status, "created", t.out.created);
	char *text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	http_respond_json(res, 202, text);
	free(text);
	if (!t.out.created && http_set_header(res, "Idempotent-Replayed", "true"))
		e = err_set(&req->err, ERR_INTERNAL, "", "answer headers");
out:
	json_decref(body);
	return e;
}

static const struct http_route routes[] = {
	{.method = "GET", .pattern = "/admin/mail", .min_role = ROLE_ADMIN, .handler = mail_page},
	{.method = "GET", .pattern = "/admin/mail/{name}/html", .min_role = ROLE_ADMIN, .handler = mail_html},
	{.method = "POST", .pattern = "/api/v1/admin/mail/test", .min_role = ROLE_ADMIN, .handler = mail_test},
};

WEB_ROUTES(mail_admin, routes)
