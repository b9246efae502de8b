/* test_outbox.c — the email outbox against a real PostgreSQL and the strict Postmark fake
 * (tests/fakes/postmark.mjs): idempotency key derivation, enqueue checks and deduplication,
 * the mail.send state machine (sent; retry then sent; retry on the last attempt → failed;
 * 406 → suppressed and later messages suppressed without a provider call; 401 → failed; a
 * message in sending is never resent), and email_replay(). Jobs are built by hand and run
 * by calling outbox_send_job directly. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/log.h"
#include "base/metrics.h"
#include "base/strutil.h"
#include "check_main.h"
#include "integrations/mail/outbox.h"
#include "queue/queue.h"
#include "testdb.h"

#include "fake_proc.h"

/* ---------------------------------------------------------------- pure functions */

START_TEST(key_derivation)
{
	char k1[OUTBOX_KEY_SIZE], k2[OUTBOX_KEY_SIZE];
	/* pinned: changing the derivation would let a deploy send duplicates of queued emails */
	outbox_idempotency_key("magic_link", "Priya.Raman@Lakeside.example", "magic_link:0b6f", k1);
	ck_assert_str_eq(k1, "c67040ce8366e727583bdd81aacdc7add267b73cc730e84eb91e2fa58cbebb7a");
	outbox_idempotency_key("publication", "grace.kim@lakeside.example", "publication:3f9a:2", k1);
	ck_assert_str_eq(k1, "55fc52fb5d688b915434a18496d0c649f8390214f742993c56827aa4646fe019");
	/* the recipient's case does not matter, everything else does */
	outbox_idempotency_key("publication", "GRACE.KIM@lakeside.EXAMPLE", "publication:3f9a:2", k2);
	ck_assert_str_eq(k1, k2);
	outbox_idempotency_key("publication", "grace.kim@lakeside.example", "publication:3f9a:3", k2);
	ck_assert_str_ne(k1, k2);
	outbox_idempotency_key("draft_ready", "grace.kim@lakeside.example", "publication:3f9a:2", k2);
	ck_assert_str_ne(k1, k2);
	outbox_idempotency_key("publication", "grace.kim2@lakeside.example", "publication:3f9a:2", k2);
	ck_assert_str_ne(k1, k2);
	/* fields are length-prefixed: moving bytes from one field to the next changes the key */
	outbox_idempotency_key("invite", "a@b.c", "xy", k1);
	outbox_idempotency_key("invite", "a@b.cx", "y", k2);
	ck_assert_str_ne(k1, k2);
	outbox_idempotency_key("invite", "a@b.c", "", k1);
	ck_assert_int_eq(strlen(k1), 64);
	ck_assert_int_eq(strspn(k1, "0123456789abcdef"), 64);
}
END_TEST

START_TEST(streams_and_state_machine)
{
	ck_assert_str_eq(outbox_template_stream("invite"), "system");
	ck_assert_str_eq(outbox_template_stream("magic_link"), "system");
	ck_assert_str_eq(outbox_template_stream("vacation_window_open"), "broadcast");
	ck_assert_str_eq(outbox_template_stream("vacation_window_closing"), "broadcast");
	ck_assert_str_eq(outbox_template_stream("swap_offer"), "outbound");
	ck_assert_str_eq(outbox_template_stream("publication"), "outbound");
	ck_assert_str_eq(outbox_template_stream("payment_failed"), "outbound");

	ck_assert_str_eq(outbox_next_status(MAIL_SENT, false, false), "sent");
	ck_assert_str_eq(outbox_next_status(MAIL_SENT, false, true), "sent");
	ck_assert_str_eq(outbox_next_status(MAIL_RETRY, false, false), "queued");
	ck_assert_str_eq(outbox_next_status(MAIL_RETRY, false, true), "failed");
	ck_assert_str_eq(outbox_next_status(MAIL_REJECTED, true, false), "suppressed");
	ck_assert_str_eq(outbox_next_status(MAIL_REJECTED, false, false), "failed");
	ck_assert_str_eq(outbox_next_status(MAIL_FAILED, false, false), "failed");
	ck_assert_str_eq(outbox_next_status(MAIL_FAILED, true, false), "failed");
}
END_TEST

START_TEST(sample_payload_branding)
{
	json_t *brand = json_pack("{s:s, s:s, s:s}", "name", "North Shore Imaging", "slug", "ns", "timezone", "America/Vancouver");
	json_t *p = outbox_sample_payload("swap_offer", brand, "linda.chen@lakeside.example", "Dr. Linda Chen");
	ck_assert_ptr_nonnull(p);
	json_t *t = json_object_get(p, "tenant");
	ck_assert_str_eq(json_string_value(json_object_get(t, "name")), "North Shore Imaging");
	ck_assert_ptr_null(json_object_get(t, "logo_url")); /* the sample's Lakeside logo is not the tenant's */
	json_t *r = json_object_get(p, "recipient");
	ck_assert_str_eq(json_string_value(json_object_get(r, "email")), "linda.chen@lakeside.example");
	ck_assert_str_eq(json_string_value(json_object_get(r, "first_name")), "Linda");
	ck_assert_ptr_nonnull(json_object_get(p, "accept_url")); /* the template's own sample data stays */
	json_decref(p);
	ck_assert_ptr_null(outbox_sample_payload("nope", brand, NULL, NULL));
	json_decref(brand);
}
END_TEST

/* ---------------------------------------------------------------- database fixtures */

static struct testdb T;
static char tenant[37];
static struct fake_proc pm;

static struct db_pool *pool;
static struct platform pf;
static char datadir[256];

static const char *super_text(struct arena *a, const char *sql)
{
	struct db *db;
	struct errinfo ei = {0};
	ck_assert_msg(db_connect(T.super, &db, &ei) == ERR_OK, "%s", ei.message);
	struct db_res *r;
	ck_assert_msg(DB_EXEC0(db, a, &r, &ei, sql) == ERR_OK, "%s: %s", sql, ei.message);
	const char *v = db_res_rows(r) ? db_res_get(r, 0, 0) : NULL;
	v = v ? arena_strdup(a, v) : NULL;
	db_close(db);
	return v;
}

static void db_fixture(void)
{
	log_set_level(LOG_ERROR);
	ck_assert_msg(testdb_create("outbox", &T) == 0, "cannot create the test database");
	ck_assert_int_eq(testdb_super_exec(&T, "SELECT tenant_create('outbox', 'Outbox Department', 'America/Toronto')"), 0);
	struct arena *a = arena_new(0);
	snprintf(tenant, sizeof tenant, "%s", super_text(a, "SELECT id FROM tenants WHERE slug = 'outbox'"));
	arena_free(a);
	char *argv[] = {"node", fake_path("tests/fakes/postmark.mjs"), NULL};
	ck_assert_msg(fake_proc_start(&pm, argv, NULL), "could not start the Postmark fake (node)");
}

static void db_fixture_stop(void) { fake_proc_stop(&pm); }

/* per test (in the forked child): a pool, the Postmark provider, a clean fake */
static void send_setup(void)
{
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d", pm.port);
	setenv("RADSCHED_POSTMARK_URL", url, 1);
	setenv("RADSCHED_POSTMARK_TOKEN", "test-token", 1);
	setenv("RADSCHED_MAIL_PROVIDER", "postmark", 1);
	struct errinfo ei = {0};
	ck_assert_msg(db_pool_new(T.app, 2, &pool, &ei) == ERR_OK, "%s", ei.message);
	fake_tmpdir(datadir, sizeof datadir);
	pf = (struct platform){.pool = pool, .share_dir = test_root(), .data_dir = datadir, .mail_provider = "postmark",
			       .mail_from = "Outbox Department <noreply@radsched.test>"};
	ck_assert_msg(outbox_init(&pf, &ei) == ERR_OK, "%s", ei.message);
	struct arena *a = arena_new(0);
	fake_call(a, pm.port, "POST", "/__fake/reset", "{}");
	arena_free(a);
}

static void send_teardown(void)
{
	outbox_fini();
	db_pool_free(pool);
	fake_rmdir(datadir);
}

struct enq {
	struct outbox_msg m;
	struct outbox_enqueued out;
	struct errinfo ei;
};

static enum err enq_tx(struct db *db, void *arg, struct errinfo *ei)
{
	struct enq *q = arg;
	struct arena *a = arena_new(0);
	enum err e = outbox_enqueue_msg(&pf, db, a, &q->m, &q->out, ei);
	arena_free(a);
	return e;
}

static enum err enqueue(const char *template, const char *to, const char *entity, struct outbox_enqueued *out,
			struct errinfo *ei)
{
	json_t *payload = outbox_sample_payload(template, NULL, NULL, NULL);
	json_object_del(payload, "recipient");
	struct enq q = {.m = {.template = template, .to_email = to, .to_name = "Dr. Test Person", .entity = entity,
			      .payload = payload}};
	struct db_ctx ctx = {.tenant_id = tenant, .actor = DB_ACTOR_SYSTEM};
	enum err e = db_with_tx(pool, &ctx, enq_tx, &q, ei);
	json_decref(payload);
	if (out)
		*out = q.out;
	return e;
}

static enum err run_job(const char *id, int attempt, int max_attempts, char *why, size_t whysz)
{
	struct queue_job job = {0};
	job.arena = arena_new(0);
	job.id = 1;
	job.kind = "mail.send";
	job.payload = arena_sprintf(job.arena, "{\"id\":\"%s\"}", id);
	job.tenant_id = tenant;
	job.attempt = attempt;
	job.max_attempts = max_attempts;
	job.pool = pool;
	job.ctx = (struct db_ctx){.tenant_id = tenant, .actor = DB_ACTOR_SYSTEM};
	enum err e = outbox_send_job(&job);
	if (why)
		snprintf(why, whysz, "%s", job.err.message);
	arena_free(job.arena);
	return e;
}

static const char *col(struct arena *a, const char *id, const char *column)
{
	return super_text(a, arena_sprintf(a, "SELECT %s::text FROM email_messages WHERE id = '%s'", column, id));
}

static int provider_requests(struct arena *a)
{
	return count_of(fake_call(a, pm.port, "GET", "/__fake/requests", NULL), "\"path\":\"/email\"");
}

static double emails_total(const char *template, const char *stream, const char *status)
{
	char labels[200];
	snprintf(labels, sizeof labels, "template=\"%s\",stream=\"%s\",status=\"%s\"", template, stream, status);
	return metrics_value("radsched_emails_total", labels);
}

/* ---------------------------------------------------------------- enqueue */

START_TEST(enqueue_stores_rendered_message_and_job_once)
{
	struct arena *a = arena_new(0);
	struct outbox_enqueued o1, o2;
	struct errinfo ei = {0};
	ck_assert_msg(enqueue("swap_offer", "Grace.Kim@lakeside.example", "swap_offer:1", &o1, &ei) == ERR_OK, "%s",
		      ei.message);
	ck_assert(o1.created);
	ck_assert(str_is_uuid(o1.id));
	ck_assert_str_eq(o1.status, "queued");
	ck_assert_str_eq(col(a, o1.id, "stream"), "outbound");
	ck_assert_str_eq(col(a, o1.id, "attempts"), "0");
	/* rendered now, with the tenant's branding and the recipient */
	ck_assert_ptr_nonnull(strstr(col(a, o1.id, "text_body"), "Outbox Department"));
	ck_assert_ptr_nonnull(strstr(col(a, o1.id, "html_body"), "<html"));
	ck_assert_str_eq(col(a, o1.id, "payload->'tenant'->>'name'"), "Outbox Department");
	ck_assert_str_eq(col(a, o1.id, "payload->'tenant'->>'timezone'"), "America/Toronto");
	ck_assert_str_eq(col(a, o1.id, "payload->'recipient'->>'email'"), "Grace.Kim@lakeside.example");
	ck_assert_str_eq(col(a, o1.id, "payload->'recipient'->>'first_name'"), "Test");
	ck_assert_str_eq(super_text(a, arena_sprintf(a, "SELECT count(*) FROM jobs WHERE kind = 'mail.send' AND "
						       "payload->>'id' = '%s' AND max_attempts = %d AND state = 'available'",
						       o1.id, OUTBOX_MAX_ATTEMPTS)),
			 "1");
	/* the same key (recipient in another case) creates nothing */
	ck_assert(enqueue("swap_offer", "grace.kim@LAKESIDE.example", "swap_offer:1", &o2, &ei) == ERR_OK);
	ck_assert(!o2.created);
	ck_assert_str_eq(o2.id, o1.id);
	ck_assert_str_eq(super_text(a, arena_sprintf(a, "SELECT count(*) FROM email_messages WHERE idempotency_key ="
						       " (SELECT idempotency_key FROM email_messages WHERE id = '%s')",
						       o1.id)),
			 "1");
	ck_assert_str_eq(super_text(a, arena_sprintf(a, "SELECT count(*) FROM jobs WHERE payload->>'id' = '%s'", o1.id)),
			 "1");
	arena_free(a);
}
END_TEST

START_TEST(enqueue_refuses_bad_input)
{
	struct arena *a = arena_new(0);
	struct errinfo ei = {0};
	const char *before = super_text(a, "SELECT count(*) FROM email_messages");
	ck_assert_int_eq(enqueue("no_such_template", "a@b.example", "x:1", NULL, &ei), ERR_INVALID);
	ck_assert_str_eq(ei.path, "template");
	ck_assert_int_eq(enqueue("invite", "not an address", "x:1", NULL, &ei), ERR_INVALID);
	ck_assert_str_eq(ei.path, "to");
	ck_assert_int_eq(enqueue("invite", "a@b.example\r\nBcc: x@y.example", "x:1", NULL, &ei), ERR_INVALID);
	ck_assert_int_eq(enqueue("invite", "a@b.example", "", NULL, &ei), ERR_INVALID);
	ck_assert_str_eq(ei.path, "entity");
	json_t *p = json_array();
	struct enq q = {.m = {.template = "invite", .to_email = "a@b.example", .entity = "x:2", .payload = p}};
	struct db_ctx ctx = {.tenant_id = tenant, .actor = DB_ACTOR_SYSTEM};
	ck_assert_int_eq(db_with_tx(pool, &ctx, enq_tx, &q, &ei), ERR_INVALID);
	json_decref(p);
	q.m.payload = NULL;
	q.m.to_name = "Line\nBreak";
	ck_assert_int_eq(db_with_tx(pool, &ctx, enq_tx, &q, &ei), ERR_INVALID);
	ck_assert_str_eq(ei.path, "to_name");
	q.m.to_name = NULL;
	q.m.stream = "newsletters";
	ck_assert_int_eq(db_with_tx(pool, &ctx, enq_tx, &q, &ei), ERR_INVALID);
	ck_assert_str_eq(ei.path, "stream");
	/* no tenant: nothing can be enqueued */
	struct db_ctx none = {.actor = DB_ACTOR_SYSTEM};
	q.m.stream = NULL;
	ck_assert_int_ne(db_with_tx(pool, &none, enq_tx, &q, &ei), ERR_OK);
	ck_assert_str_eq(super_text(a, "SELECT count(*) FROM email_messages"), before);
	arena_free(a);
}
END_TEST

/* ---------------------------------------------------------------- the send job */

START_TEST(send_sent)
{
	struct arena *a = arena_new(0);
	struct outbox_enqueued o;
	struct errinfo ei = {0};
	double before = emails_total("magic_link", "system", "sent");
	ck_assert(enqueue("magic_link", "priya.raman@lakeside.example", "magic_link:s1", &o, &ei) == ERR_OK);
	char why[512];
	ck_assert_msg(run_job(o.id, 1, OUTBOX_MAX_ATTEMPTS, why, sizeof why) == ERR_OK, "%s", why);
	ck_assert_str_eq(col(a, o.id, "status"), "sent");
	ck_assert_str_eq(col(a, o.id, "attempts"), "1");
	ck_assert_str_eq(col(a, o.id, "provider"), "postmark");
	ck_assert(str_is_uuid(col(a, o.id, "provider_message_id")));
	ck_assert_ptr_nonnull(col(a, o.id, "sent_at"));
	ck_assert_ptr_null(col(a, o.id, "last_error"));
	const char *reqs = fake_call(a, pm.port, "GET", "/__fake/requests", NULL);
	ck_assert_int_eq(count_of(reqs, "\"path\":\"/email\""), 1);
	ck_assert_ptr_nonnull(strstr(reqs, "\"MessageStream\":\"system\""));
	ck_assert_ptr_nonnull(strstr(reqs, "\"Tag\":\"magic_link\""));
	ck_assert_ptr_nonnull(strstr(reqs, arena_sprintf(a, "\"Metadata\":{\"rs_message_id\":\"%s\"}", o.id)));
	ck_assert_ptr_nonnull(strstr(reqs, "{\"Name\":\"Auto-Submitted\",\"Value\":\"auto-generated\"}"));
	ck_assert_ptr_nonnull(strstr(reqs, "\"To\":\"\\\"Dr. Test Person\\\" <priya.raman@lakeside.example>\""));
	ck_assert(emails_total("magic_link", "system", "sent") - before == 1);
	/* running the job again (a duplicate delivery of the job) sends nothing */
	ck_assert(run_job(o.id, 2, OUTBOX_MAX_ATTEMPTS, NULL, 0) == ERR_OK);
	ck_assert_int_eq(provider_requests(a), 1);
	ck_assert_str_eq(col(a, o.id, "attempts"), "1");
	arena_free(a);
}
END_TEST

START_TEST(send_retry_then_sent)
{
	struct arena *a = arena_new(0);
	struct outbox_enqueued o;
	struct errinfo ei = {0};
	ck_assert(enqueue("publication", "amelie.gagnon@lakeside.example", "publication:p1:1", &o, &ei) == ERR_OK);
	fake_call(a, pm.port, "POST", "/__fake/fault", "{\"status\":500,\"count\":1}");
	fake_call(a, pm.port, "POST", "/__fake/fault", "{\"status\":429,\"count\":1,\"retryAfter\":7}");
	double retries = emails_total("publication", "outbound", "retry");
	char why[512];
	ck_assert_int_eq(run_job(o.id, 1, 3, why, sizeof why), ERR_UPSTREAM);
	ck_assert_str_eq(col(a, o.id, "status"), "queued");
	ck_assert_str_eq(col(a, o.id, "attempts"), "1");
	ck_assert_ptr_nonnull(strstr(col(a, o.id, "last_error"), "500"));
	ck_assert_int_eq(run_job(o.id, 2, 3, why, sizeof why), ERR_UPSTREAM);
	ck_assert_ptr_nonnull(strstr(col(a, o.id, "last_error"), "retry after 7 s"));
	ck_assert_ptr_nonnull(strstr(why, "retry after 7 s"));
	ck_assert_int_eq(run_job(o.id, 3, 3, why, sizeof why), ERR_OK);
	ck_assert_str_eq(col(a, o.id, "status"), "sent");
	ck_assert_str_eq(col(a, o.id, "attempts"), "3");
	ck_assert_ptr_null(col(a, o.id, "last_error"));
	ck_assert_int_eq(provider_requests(a), 3);
	ck_assert(emails_total("publication", "outbound", "retry") - retries == 2);
	arena_free(a);
}
END_TEST

START_TEST(send_retry_on_last_attempt_fails)
{
	struct arena *a = arena_new(0);
	struct outbox_enqueued o;
	struct errinfo ei = {0};
	ck_assert(enqueue("publication", "samuel.osei@lakeside.example", "publication:p1:1", &o, &ei) == ERR_OK);
	fake_call(a, pm.port, "POST", "/__fake/fault", "{\"status\":503,\"count\":2}");
	ck_assert_int_eq(run_job(o.id, 1, 2, NULL, 0), ERR_UPSTREAM);
	ck_assert_int_eq(run_job(o.id, 2, 2, NULL, 0), ERR_OK); /* decided: nothing for the queue to retry */
	ck_assert_str_eq(col(a, o.id, "status"), "failed");
	ck_assert_str_eq(col(a, o.id, "attempts"), "2");
	ck_assert_ptr_nonnull(strstr(col(a, o.id, "last_error"), "gave up after 2 attempts"));
	ck_assert_str_eq(super_text(a, "SELECT count(*) FROM email_suppressions WHERE email LIKE 'samuel%'"), "0");
	arena_free(a);
}
END_TEST

START_TEST(send_inactive_recipient_suppressed)
{
	struct arena *a = arena_new(0);
	struct outbox_enqueued o1, o2;
	struct errinfo ei = {0};
	fake_call(a, pm.port, "POST", "/__fake/inactive", "{\"address\":\"gone@lakeside.example\"}");
	ck_assert(enqueue("draft_ready", "Gone@Lakeside.example", "draft:1", &o1, &ei) == ERR_OK);
	double sup = emails_total("draft_ready", "outbound", "suppressed");
	ck_assert_int_eq(run_job(o1.id, 1, OUTBOX_MAX_ATTEMPTS, NULL, 0), ERR_OK);
	ck_assert_str_eq(col(a, o1.id, "status"), "suppressed");
	ck_assert_ptr_nonnull(strstr(col(a, o1.id, "last_error"), "inactive"));
	ck_assert_str_eq(super_text(a, "SELECT email FROM email_suppressions WHERE email LIKE 'gone@%'"),
			 "gone@lakeside.example");
	ck_assert_int_eq(provider_requests(a), 1);
	/* the next message to that address is suppressed without calling the provider */
	ck_assert(enqueue("publication", "gone@lakeside.example", "publication:p9:1", &o2, &ei) == ERR_OK);
	ck_assert(o2.created);
	ck_assert_int_eq(run_job(o2.id, 1, OUTBOX_MAX_ATTEMPTS, NULL, 0), ERR_OK);
	ck_assert_str_eq(col(a, o2.id, "status"), "suppressed");
	ck_assert_str_eq(col(a, o2.id, "attempts"), "0");
	ck_assert_int_eq(provider_requests(a), 1);
	ck_assert(emails_total("draft_ready", "outbound", "suppressed") - sup == 1);
	ck_assert(emails_total("publication", "outbound", "suppressed") >= 1);
	/* the suppression is audited */
	ck_assert_str_eq(super_text(a, "SELECT count(*) FROM audit_log WHERE entity = 'email_suppressions'"), "1");
	arena_free(a);
}
END_TEST

START_TEST(send_bad_token_failed)
{
	struct arena *a = arena_new(0);
	struct outbox_enqueued o;
	struct errinfo ei = {0};
	ck_assert(enqueue("invite", "new.person@lakeside.example", "invite:1", &o, &ei) == ERR_OK);
	fake_call(a, pm.port, "POST", "/__fake/fault", "{\"status\":401}");
	ck_assert_int_eq(run_job(o.id, 1, OUTBOX_MAX_ATTEMPTS, NULL, 0), ERR_OK);
	ck_assert_str_eq(col(a, o.id, "status"), "failed");
	ck_assert_ptr_nonnull(strstr(col(a, o.id, "last_error"), "Server Token"));
	ck_assert_str_eq(super_text(a, "SELECT count(*) FROM email_suppressions WHERE email LIKE 'new.person%'"), "0");
	arena_free(a);
}
END_TEST

START_TEST(send_never_resends_sending)
{
	struct arena *a = arena_new(0);
	struct outbox_enqueued o;
	struct errinfo ei = {0};
	ck_assert(enqueue("swap_accepted", "kevin.oneil@lakeside.example", "swap:2", &o, &ei) == ERR_OK);
	/* as if a worker died between the provider call and the record */
	ck_assert_int_eq(testdb_super_exec(&T, arena_sprintf(a, "UPDATE email_messages SET status = 'sending',"
								" attempts = 1, sending_at = now() WHERE id = '%s'",
							     o.id)),
			 0);
	ck_assert_int_eq(run_job(o.id, 2, OUTBOX_MAX_ATTEMPTS, NULL, 0), ERR_OK);
	ck_assert_str_eq(col(a, o.id, "status"), "sending");
	ck_assert_str_eq(col(a, o.id, "attempts"), "1");
	ck_assert_int_eq(provider_requests(a), 0);
	arena_free(a);
}
END_TEST

START_TEST(send_bad_jobs)
{
	char why[512];
	ck_assert_int_eq(run_job("8a1f0c4e-0000-4000-8000-000000000000", 1, 3, why, sizeof why), ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(why, "does not exist"));
	ck_assert_int_eq(run_job("not-a-uuid", 1, 3, NULL, 0), ERR_INVALID);
}
END_TEST

/* ---------------------------------------------------------------- replay */

static const char *replay(struct arena *a, const char *status, const char *tmpl, const char *older, bool dry, int *rows)
{
	struct db *db;
	struct errinfo ei = {0};
	ck_assert(db_connect(T.app, &db, &ei) == ERR_OK);
	ck_assert(db_begin(db, &(struct db_ctx){.actor = DB_ACTOR_SYSTEM}, &ei) == ERR_OK);
	struct db_res *r;
	ck_assert_msg(DB_EXEC(db, a, &r, &ei, "SELECT * FROM email_replay($1, NULL, $2, $3::interval, $4::boolean)", status,
			      tmpl, older, dry ? "true" : "false") == ERR_OK,
		      "%s", ei.message);
	ck_assert(db_commit(db, &ei) == ERR_OK);
	*rows = db_res_rows(r);
	const char *first = *rows ? arena_strdup(a, db_res_val(r, 0, "id")) : NULL;
	db_close(db);
	return first;
}

START_TEST(replay_requeues_only_failed_once)
{
	struct arena *a = arena_new(0);
	struct outbox_enqueued ok, bad, stuck;
	struct errinfo ei = {0};
	ck_assert(enqueue("giveaway_accepted", "one@lakeside.example", "g:1", &ok, &ei) == ERR_OK);
	ck_assert(enqueue("giveaway_accepted", "two@lakeside.example", "g:2", &bad, &ei) == ERR_OK);
	ck_assert(enqueue("giveaway_accepted", "three@lakeside.example", "g:3", &stuck, &ei) == ERR_OK);
	ck_assert(run_job(ok.id, 1, 3, NULL, 0) == ERR_OK);
	fake_call(a, pm.port, "POST", "/__fake/fault", "{\"status\":401}");
	ck_assert(run_job(bad.id, 1, 3, NULL, 0) == ERR_OK);
	ck_assert_str_eq(col(a, bad.id, "status"), "failed");
	ck_assert_int_eq(testdb_super_exec(&T, arena_sprintf(a, "UPDATE email_messages SET status = 'sending', attempts = 1,"
								" sending_at = now() - interval '1 hour' WHERE id = '%s'",
							     stuck.id)),
			 0);
	/* the jobs of these messages finished (the worker would have completed them) */
	ck_assert_int_eq(testdb_super_exec(&T, "UPDATE jobs SET state = 'completed' WHERE kind = 'mail.send'"), 0);
	int n;
	const char *G = "giveaway_accepted"; /* other tests leave failed messages of other templates */
	ck_assert_str_eq(replay(a, "failed", G, NULL, true, &n), bad.id);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(col(a, bad.id, "status"), "failed"); /* dry run */
	ck_assert_ptr_null(replay(a, "failed", "swap_offer", NULL, false, &n));
	ck_assert_int_eq(n, 0);
	ck_assert_str_eq(replay(a, "failed", G, NULL, false, &n), bad.id);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(col(a, bad.id, "status"), "queued");
	ck_assert_ptr_nonnull(strstr(col(a, bad.id, "last_error"), "replayed from failed"));
	ck_assert_str_eq(super_text(a, arena_sprintf(a, "SELECT count(*) FROM jobs WHERE state = 'available' AND "
						       "unique_key = 'mail:%s'",
						       bad.id)),
			 "1");
	ck_assert_str_eq(super_text(a, arena_sprintf(a, "SELECT count(*) FROM audit_log WHERE action = 'email.replay'"
						       " AND entity_id = '%s'",
						       bad.id)),
			 "1");
	/* again: nothing is failed any more, and its job is unfinished anyway */
	replay(a, "failed", G, NULL, false, &n);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(run_job(bad.id, 1, 3, NULL, 0), ERR_OK);
	ck_assert_str_eq(col(a, bad.id, "status"), "sent");
	ck_assert_str_eq(col(a, bad.id, "attempts"), "2");
	/* sending: only when older than asked */
	replay(a, "sending", G, "2 hours", false, &n);
	ck_assert_int_eq(n, 0);
	ck_assert_str_eq(replay(a, "sending", G, "30 minutes", false, &n), stuck.id);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(col(a, stuck.id, "status"), "queued");
	ck_assert_str_eq(col(a, ok.id, "status"), "sent");
	ck_assert_int_eq(provider_requests(a), 3); /* ok, bad (401), bad again */
	arena_free(a);
}
END_TEST

START_TEST(replay_queued_without_job)
{
	struct arena *a = arena_new(0);
	struct outbox_enqueued o;
	struct errinfo ei = {0};
	ck_assert(enqueue("swap_declined", "orphan@lakeside.example", "sd:1", &o, &ei) == ERR_OK);
	int n;
	/* its job is there: not stuck */
	ck_assert_int_eq(testdb_super_exec(&T, arena_sprintf(a, "SET session_replication_role = replica; UPDATE email_messages SET updated_at = now() - "
								"interval '1 hour' WHERE id = '%s'",
							     o.id)),
			 0);
	replay(a, "queued", "swap_declined", "15 minutes", false, &n);
	ck_assert_int_eq(n, 0);
	/* the job was discarded before it could claim the message */
	ck_assert_int_eq(testdb_super_exec(&T, "UPDATE jobs SET state = 'discarded' WHERE kind = 'mail.send'"), 0);
	ck_assert_int_eq(testdb_super_exec(&T, arena_sprintf(a, "SET session_replication_role = replica; UPDATE email_messages SET updated_at = now() - "
								"interval '1 hour' WHERE id = '%s'",
							     o.id)),
			 0);
	ck_assert_str_eq(replay(a, "queued", "swap_declined", "15 minutes", false, &n), o.id);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(run_job(o.id, 1, 3, NULL, 0), ERR_OK);
	ck_assert_str_eq(col(a, o.id, "status"), "sent");
	arena_free(a);
}
END_TEST

START_TEST(replay_refuses_other_statuses)
{
	struct db *db;
	struct errinfo ei = {0};
	struct arena *a = arena_new(0);
	ck_assert(db_connect(T.app, &db, &ei) == ERR_OK);
	ck_assert_int_eq(DB_EXEC0(db, a, NULL, &ei, "SELECT * FROM email_replay('sent', NULL, NULL, NULL, false)"),
			 ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(ei.message, "failed, sending or queued"));
	db_close(db);
	arena_free(a);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("outbox");
	TCase *pure = tcase_create("pure");
	tcase_add_test(pure, key_derivation);
	tcase_add_test(pure, streams_and_state_machine);
	tcase_add_test(pure, sample_payload_branding);
	suite_add_tcase(s, pure);

	TCase *db = tcase_create("database");
	tcase_add_unchecked_fixture(db, db_fixture, db_fixture_stop);
	tcase_add_checked_fixture(db, send_setup, send_teardown);
	tcase_set_timeout(db, 60);
	tcase_add_test(db, enqueue_stores_rendered_message_and_job_once);
	tcase_add_test(db, enqueue_refuses_bad_input);
	tcase_add_test(db, send_sent);
	tcase_add_test(db, send_retry_then_sent);
	tcase_add_test(db, send_retry_on_last_attempt_fails);
	tcase_add_test(db, send_inactive_recipient_suppressed);
	tcase_add_test(db, send_bad_token_failed);
	tcase_add_test(db, send_never_resends_sending);
	tcase_add_test(db, send_bad_jobs);
	tcase_add_test(db, replay_requeues_only_failed_once);
	tcase_add_test(db, replay_queued_without_job);
	tcase_add_test(db, replay_refuses_other_statuses);
	suite_add_tcase(s, db);
	return s;
}
