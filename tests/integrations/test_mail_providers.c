/* test_mail_providers.c — the mail providers end to end:
 *   postmark, sendgrid  against the strict fakes tests/fakes/{postmark,sendgrid}.mjs (node)
 *   smtp                against a real SMTP server (aiosmtpd, tests/fakes/smtp_sink.py) with
 *                       STARTTLS and AUTH; the delivered bytes are parsed by Python's email
 *                       package (tests/fakes/smtp_inspect.py)
 *   file                the dev outbox
 * Each TCase starts its peer once (unchecked fixture) and stops it in teardown; every test
 * resets the fake first. Classification checked: sent, retry then success, 406 suppressed,
 * 401 configuration failure, batch, timeouts, SMTP refusals. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/log.h"
#include "base/metrics.h"
#include "base/strutil.h"
#include "check_main.h"
#include "fake_proc.h"
#include "integrations/mail/mail_provider.h"

#define FROM "Radsched <noreply@radsched.test>"
#define SUBJECT_UTF8 "Dienstplan veröffentlicht — Woche 42 ✓ (Zoë)"
#define TEXT_BODY                                                                                            \
	"Hallo Zoë,\n\nder Dienstplan für Woche 42 ist veröffentlicht.\nAnmelden: "                           \
	"https://radsched.test/auth/magic?token=Zm9vYmFy&next=%2Fschedule\n\n-- \nradsched = Dienstpläne ohne " \
	"Tabellen. Diese Zeile ist absichtlich sehr lang, damit quoted-printable sie mit weichen Umbrüchen "     \
	"teilen muss.\n"
#define HTML_BODY                                                                                 \
	"<!doctype html><html><body><p>Hallo Zoë,</p><p>der Dienstplan für <b>Woche 42</b> ist "     \
	"veröffentlicht.</p><p><a href=\"https://radsched.test/auth/magic?token=Zm9vYmFy\">Anmelden" \
	"</a></p></body></html>"

static struct mail_message msg(const char *to, const char *id)
{
	struct mail_message m = {
		.stream = "system",
		.from = FROM,
		.to = to,
		.subject = SUBJECT_UTF8,
		.text = TEXT_BODY,
		.html = HTML_BODY,
		.tag = "publication",
		.idempotency_key = "publication:pub-1:user-1",
		.message_id = id,
	};
	return m;
}

static double metric(const char *provider, const char *outcome)
{
	char labels[96];
	snprintf(labels, sizeof labels, "provider=\"%s\",outcome=\"%s\"", provider, outcome);
	return metrics_value("radsched_mail_provider_seconds", labels);
}

/* ---------------------------------------------------------------- postmark */

static struct fake_proc pm;

static void pm_setup(void)
{
	char *argv[] = {"node", fake_path("tests/fakes/postmark.mjs"), NULL};
	ck_assert_msg(fake_proc_start(&pm, argv, NULL), "could not start the Postmark fake (node)");
}

static void pm_teardown(void) { fake_proc_stop(&pm); }

static struct mail_provider *pm_provider(const char *token, long timeout_ms)
{
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d", pm.port);
	struct mail_provider_config cfg = {
		.provider = "postmark", .postmark_url = url, .postmark_token = token,
		.default_from = FROM, .timeout_ms = timeout_ms,
	};
	struct mail_provider *p;
	struct errinfo ei = {0};
	ck_assert_msg(mail_provider_new(&cfg, &p, &ei) == ERR_OK, "%s", ei.message);
	return p;
}

static struct arena *fake_reset(int port)
{
	struct arena *a = arena_new(0);
	fake_call(a, port, "POST", "/__fake/reset", "{}");
	return a;
}

START_TEST(postmark_sent)
{
	double base_postmark_sent = metric("postmark", "sent");
	struct arena *a = fake_reset(pm.port);
	struct mail_provider *p = pm_provider("test-token", 0);
	ck_assert_str_eq(mail_provider_name(p), "postmark");
	struct mail_message m = msg("Dr. Zoë Ålund <zoe@hospital.test>", "11111111-1111-4111-8111-111111111111");
	struct mail_result r;
	struct errinfo ei = {0};
	ck_assert_msg(mail_provider_send(p, &m, &r, &ei) == ERR_OK, "%s", ei.message);
	ck_assert_int_eq(r.outcome, MAIL_SENT);
	ck_assert_int_eq(r.status, 200);
	ck_assert(str_is_uuid(r.provider_id));
	ck_assert_str_eq(r.error, "");
	const char *reqs = fake_call(a, pm.port, "GET", "/__fake/requests", NULL);
	ck_assert_int_eq(count_of(reqs, "\"path\":\"/email\""), 1);
	ck_assert_ptr_nonnull(strstr(reqs, "\"x-postmark-server-token\":\"test-token\""));
	ck_assert_ptr_nonnull(strstr(reqs, "\"accept\":\"application/json\""));
	ck_assert_ptr_nonnull(strstr(reqs, "\"MessageStream\":\"system\""));
	ck_assert_ptr_nonnull(strstr(reqs, "\"Tag\":\"publication\""));
	ck_assert_ptr_nonnull(strstr(reqs, "\"To\":\"\\\"Dr. Zoë Ålund\\\" <zoe@hospital.test>\""));
	ck_assert_ptr_nonnull(strstr(reqs, "\"Subject\":\"" SUBJECT_UTF8 "\""));
	ck_assert_ptr_nonnull(strstr(reqs, "\"Metadata\":{\"rs_message_id\":\"11111111-1111-4111-8111-111111111111\"}"));
	ck_assert_ptr_nonnull(strstr(reqs, "\"TrackLinks\":\"None\""));
	ck_assert(metric("postmark", "sent") - base_postmark_sent == 1);
	mail_provider_free(p);
	arena_free(a);
}
END_TEST

START_TEST(postmark_retry_then_success)
{
	double base_postmark_retry = metric("postmark", "retry");
	double base_postmark_sent = metric("postmark", "sent");
	struct arena *a = fake_reset(pm.port);
	struct mail_provider *p = pm_provider("test-token", 0);
	fake_call(a, pm.port, "POST", "/__fake/fault", "{\"status\":500,\"count\":1}");
	fake_call(a, pm.port, "POST", "/__fake/fault", "{\"status\":429,\"count\":1,\"retryAfter\":7}");
	fake_call(a, pm.port, "POST", "/__fake/fault", "{\"status\":503,\"count\":1}");
	struct mail_message m = msg("zoe@hospital.test", "22222222-2222-4222-8222-222222222222");
	struct mail_result r;
	ck_assert_int_eq(mail_provider_send(p, &m, &r, NULL), ERR_UPSTREAM);
	ck_assert_int_eq(r.outcome, MAIL_RETRY);
	ck_assert_int_eq(r.status, 500);
	ck_assert_int_eq(mail_provider_send(p, &m, &r, NULL), ERR_RATE_LIMITED);
	ck_assert_int_eq(r.outcome, MAIL_RETRY);
	ck_assert_int_eq(r.retry_after_s, 7);
	ck_assert_int_eq(mail_provider_send(p, &m, &r, NULL), ERR_UPSTREAM);
	ck_assert_int_eq(r.outcome, MAIL_RETRY);
	ck_assert_int_eq(r.status, 503);
	ck_assert_int_eq(mail_provider_send(p, &m, &r, NULL), ERR_OK);
	ck_assert_int_eq(r.outcome, MAIL_SENT);
	ck_assert(metric("postmark", "retry") - base_postmark_retry == 3);
	ck_assert(metric("postmark", "sent") - base_postmark_sent == 1);
	mail_provider_free(p);
	arena_free(a);
}
END_TEST

START_TEST(postmark_inactive_recipient_suppressed)
{
	double base_postmark_rejected = metric("postmark", "rejected");
	struct arena *a = fake_reset(pm.port);
	struct mail_provider *p = pm_provider("test-token", 0);
	fake_call(a, pm.port, "POST", "/__fake/inactive", "{\"address\":\"gone@hospital.test\"}");
	struct mail_message m = msg("Gone <gone@hospital.test>", NULL);
	struct mail_result r;
	struct errinfo ei = {0};
	ck_assert_int_eq(mail_provider_send(p, &m, &r, &ei), ERR_UPSTREAM_PERM);
	ck_assert_int_eq(r.outcome, MAIL_REJECTED);
	ck_assert(r.suppress);
	ck_assert_int_eq(r.status, 422);
	ck_assert_int_eq(r.provider_code, 406);
	ck_assert_ptr_nonnull(strstr(ei.message, "inactive"));
	/* a scripted 406 on an otherwise fine recipient classifies the same way */
	fake_call(a, pm.port, "POST", "/__fake/fault", "{\"status\":422,\"errorCode\":406}");
	m = msg("zoe@hospital.test", NULL);
	ck_assert_int_eq(mail_provider_send(p, &m, &r, NULL), ERR_UPSTREAM_PERM);
	ck_assert(r.outcome == MAIL_REJECTED && r.suppress);
	ck_assert(metric("postmark", "rejected") - base_postmark_rejected == 2);
	mail_provider_free(p);
	arena_free(a);
}
END_TEST

START_TEST(postmark_invalid_address_300_suppressed)
{
	struct arena *a = fake_reset(pm.port);
	struct mail_provider *p = pm_provider("test-token", 0);
	/* valid RFC 5322, but Postmark's mailbox rule has no '?': it answers ErrorCode 300 */
	struct mail_message m = msg("who?@hospital.test", NULL);
	struct mail_result r;
	ck_assert_int_eq(mail_provider_send(p, &m, &r, NULL), ERR_UPSTREAM_PERM);
	ck_assert_int_eq(r.outcome, MAIL_REJECTED);
	ck_assert(r.suppress);
	ck_assert_int_eq(r.provider_code, 300);
	mail_provider_free(p);
	arena_free(a);
}
END_TEST

START_TEST(postmark_bad_token_is_configuration_failure)
{
	double base_postmark_failed = metric("postmark", "failed");
	struct arena *a = fake_reset(pm.port);
	struct mail_provider *p = pm_provider("not-the-token", 0);
	struct mail_message m = msg("zoe@hospital.test", NULL);
	struct mail_result r;
	struct errinfo ei = {0};
	ck_assert_int_eq(mail_provider_send(p, &m, &r, &ei), ERR_UNAUTHORIZED);
	ck_assert_int_eq(r.outcome, MAIL_FAILED);
	ck_assert(!r.suppress);
	ck_assert_int_eq(r.status, 401);
	ck_assert_int_eq(r.provider_code, 10);
	ck_assert_ptr_nonnull(strstr(ei.message, "RADSCHED_POSTMARK_TOKEN"));
	ck_assert(metric("postmark", "failed") - base_postmark_failed == 1);
	mail_provider_free(p);
	arena_free(a);
}
END_TEST

START_TEST(postmark_unknown_stream_is_configuration_failure)
{
	struct arena *a = fake_reset(pm.port);
	struct mail_provider *p = pm_provider("test-token", 0);
	struct mail_message m = msg("zoe@hospital.test", NULL);
	m.stream = "newsletters";
	struct mail_result r;
	ck_assert_int_eq(mail_provider_send(p, &m, &r, NULL), ERR_PRECONDITION);
	ck_assert_int_eq(r.outcome, MAIL_FAILED);
	ck_assert_int_eq(r.provider_code, 1235);
	mail_provider_free(p);
	arena_free(a);
}
END_TEST

START_TEST(postmark_batch_classifies_each_message)
{
	struct arena *a = fake_reset(pm.port);
	struct mail_provider *p = pm_provider("test-token", 0);
	fake_call(a, pm.port, "POST", "/__fake/inactive", "{\"address\":\"gone@hospital.test\"}");
	struct mail_message ms[4] = {
		msg("a@hospital.test", NULL), msg("gone@hospital.test", NULL), msg("b@hospital.test", NULL),
		msg("c@hospital.test", NULL),
	};
	ms[2].stream = "broadcast";
	ms[3].subject = "Hi\r\nBcc: victim@evil.test"; /* refused before sending */
	struct mail_result r[4];
	struct errinfo ei = {0};
	ck_assert_int_eq(mail_provider_send_batch(p, ms, 4, r, &ei), ERR_UPSTREAM_PERM);
	ck_assert_int_eq(r[0].outcome, MAIL_SENT);
	ck_assert(str_is_uuid(r[0].provider_id));
	ck_assert_int_eq(r[1].outcome, MAIL_REJECTED);
	ck_assert(r[1].suppress);
	ck_assert_int_eq(r[1].provider_code, 406);
	ck_assert_int_eq(r[2].outcome, MAIL_SENT);
	ck_assert_str_ne(r[0].provider_id, r[2].provider_id);
	ck_assert_int_eq(r[3].outcome, MAIL_FAILED);
	const char *reqs = fake_call(a, pm.port, "GET", "/__fake/requests", NULL);
	ck_assert_int_eq(count_of(reqs, "\"path\":\"/email/batch\""), 1);
	ck_assert_int_eq(count_of(reqs, "\"path\":\"/email\""), 0);
	ck_assert_int_eq(count_of(reqs, "\"MessageStream\":"), 3);
	ck_assert_ptr_null(strstr(reqs, "victim@evil.test"));
	/* more than MAIL_BATCH_MAX is refused outright */
	ck_assert_int_eq(mail_provider_send_batch(p, ms, MAIL_BATCH_MAX + 1, r, NULL), ERR_TOO_LARGE);
	mail_provider_free(p);
	arena_free(a);
}
END_TEST

START_TEST(postmark_timeout_is_retry)
{
	struct arena *a = fake_reset(pm.port);
	struct mail_provider *p = pm_provider("test-token", 700);
	fake_call(a, pm.port, "POST", "/__fake/fault", "{\"hang\":true}");
	struct mail_message m = msg("zoe@hospital.test", NULL);
	struct mail_result r;
	ck_assert_int_eq(mail_provider_send(p, &m, &r, NULL), ERR_TIMEOUT);
	ck_assert_int_eq(r.outcome, MAIL_RETRY);
	ck_assert_int_eq(r.status, 0);
	mail_provider_free(p);
	arena_free(a);
}
END_TEST

START_TEST(postmark_header_injection_never_sent)
{
	struct arena *a = fake_reset(pm.port);
	struct mail_provider *p = pm_provider("test-token", 0);
	struct mail_message m = msg("zoe@hospital.test", NULL);
	m.subject = "Schedule\r\nBcc: victim@evil.test";
	struct mail_result r;
	struct errinfo ei = {0};
	ck_assert_int_eq(mail_provider_send(p, &m, &r, &ei), ERR_INVALID);
	ck_assert_int_eq(r.outcome, MAIL_FAILED);
	ck_assert_str_eq(ei.path, "subject");
	const char *reqs = fake_call(a, pm.port, "GET", "/__fake/requests", NULL);
	ck_assert_str_eq(reqs, "[]");
	mail_provider_free(p);
	arena_free(a);
}
END_TEST

/* ---------------------------------------------------------------- sendgrid */

static struct fake_proc sg;

static void sg_setup(void)
{
	char *argv[] = {"node", fake_path("tests/fakes/sendgrid.mjs"), NULL};
	ck_assert_msg(fake_proc_start(&sg, argv, NULL), "could not start the SendGrid fake (node)");
}

static void sg_teardown(void) { fake_proc_stop(&sg); }

static struct mail_provider *sg_provider(const char *key)
{
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/", sg.port);
	struct mail_provider_config cfg = {.provider = "sendgrid", .sendgrid_url = url, .sendgrid_key = key,
					   .default_from = FROM};
	struct mail_provider *p;
	struct errinfo ei = {0};
	ck_assert_msg(mail_provider_new(&cfg, &p, &ei) == ERR_OK, "%s", ei.message);
	return p;
}

START_TEST(sendgrid_sent)
{
	double base_sendgrid_sent = metric("sendgrid", "sent");
	struct arena *a = fake_reset(sg.port);
	struct mail_provider *p = sg_provider("SG.test-key");
	struct mail_message m = msg("Dr. Zoë Ålund <zoe@hospital.test>", "33333333-3333-4333-8333-333333333333");
	m.reply_to = "Chief <chief@hospital.test>";
	static const struct mail_header lu = {"List-Unsubscribe", "<https://radsched.test/u/1>"};
	m.headers = &lu;
	m.nheaders = 1;
	struct mail_result r;
	struct errinfo ei = {0};
	ck_assert_msg(mail_provider_send(p, &m, &r, &ei) == ERR_OK, "%s", ei.message);
	ck_assert_int_eq(r.outcome, MAIL_SENT);
	ck_assert_int_eq(r.status, 202);
	ck_assert_int_eq((int)strlen(r.provider_id), 22);
	const char *reqs = fake_call(a, sg.port, "GET", "/__fake/requests", NULL);
	ck_assert_int_eq(count_of(reqs, "\"path\":\"/v3/mail/send\""), 1);
	ck_assert_ptr_nonnull(strstr(reqs, "\"authorization\":\"Bearer SG.test-key\""));
	ck_assert_ptr_nonnull(
		strstr(reqs, "\"personalizations\":[{\"to\":[{\"email\":\"zoe@hospital.test\",\"name\":\"Dr. Zoë Ålund\"}]}]"));
	ck_assert_ptr_nonnull(strstr(reqs, "\"content\":[{\"type\":\"text/plain\""));
	ck_assert_ptr_nonnull(strstr(reqs, "\"categories\":[\"publication\"]"));
	ck_assert_ptr_nonnull(strstr(reqs, "\"rs_message_id\":\"33333333-3333-4333-8333-333333333333\""));
	ck_assert_ptr_nonnull(strstr(reqs, "\"rs_stream\":\"system\""));
	ck_assert_ptr_nonnull(strstr(reqs, "\"reply_to\":{\"email\":\"chief@hospital.test\",\"name\":\"Chief\"}"));
	ck_assert(metric("sendgrid", "sent") - base_sendgrid_sent == 1);
	mail_provider_free(p);
	arena_free(a);
}
END_TEST

START_TEST(sendgrid_rate_limited_then_sent)
{
	struct arena *a = fake_reset(sg.port);
	struct mail_provider *p = sg_provider("SG.test-key");
	fake_call(a, sg.port, "POST", "/__fake/fault", "{\"status\":429,\"resetIn\":30}");
	fake_call(a, sg.port, "POST", "/__fake/fault", "{\"status\":500}");
	struct mail_message m = msg("zoe@hospital.test", NULL);
	struct mail_result r;
	ck_assert_int_eq(mail_provider_send(p, &m, &r, NULL), ERR_RATE_LIMITED);
	ck_assert_int_eq(r.outcome, MAIL_RETRY);
	ck_assert_msg(r.retry_after_s >= 28 && r.retry_after_s <= 31, "retry after %d", r.retry_after_s);
	ck_assert_int_eq(mail_provider_send(p, &m, &r, NULL), ERR_UPSTREAM);
	ck_assert_int_eq(r.outcome, MAIL_RETRY);
	ck_assert_int_eq(mail_provider_send(p, &m, &r, NULL), ERR_OK);
	ck_assert_int_eq(r.outcome, MAIL_SENT);
	mail_provider_free(p);
	arena_free(a);
}
END_TEST

START_TEST(sendgrid_400_is_permanent)
{
	struct arena *a = fake_reset(sg.port);
	struct mail_provider *p = sg_provider("SG.test-key");
	struct mail_message m = msg("zoe@hospital.test", NULL);
	struct mail_result r;
	struct errinfo ei = {0};
	fake_call(a, sg.port, "POST", "/__fake/fault", "{\"status\":400}"); /* invalid recipient */
	ck_assert_int_eq(mail_provider_send(p, &m, &r, &ei), ERR_UPSTREAM_PERM);
	ck_assert_int_eq(r.outcome, MAIL_REJECTED);
	ck_assert(r.suppress);
	ck_assert_ptr_nonnull(strstr(ei.message, "personalizations.0.to.0.email"));
	fake_call(a, sg.port, "POST", "/__fake/fault",
		  "{\"status\":400,\"field\":\"content.0.value\",\"message\":\"The content value must be a string at least "
		  "one character in length.\"}");
	ck_assert_int_eq(mail_provider_send(p, &m, &r, NULL), ERR_UPSTREAM_PERM);
	ck_assert_int_eq(r.outcome, MAIL_REJECTED);
	ck_assert(!r.suppress);
	mail_provider_free(p);
	arena_free(a);
}
END_TEST

START_TEST(sendgrid_auth_failures_are_configuration)
{
	struct arena *a = fake_reset(sg.port);
	struct mail_provider *bad = sg_provider("SG.wrong");
	struct mail_message m = msg("zoe@hospital.test", NULL);
	struct mail_result r;
	ck_assert_int_eq(mail_provider_send(bad, &m, &r, NULL), ERR_UNAUTHORIZED);
	ck_assert_int_eq(r.outcome, MAIL_FAILED);
	ck_assert_int_eq(r.status, 401);
	struct mail_provider *p = sg_provider("SG.test-key");
	fake_call(a, sg.port, "POST", "/__fake/fault", "{\"status\":403}");
	ck_assert_int_eq(mail_provider_send(p, &m, &r, NULL), ERR_FORBIDDEN);
	ck_assert_int_eq(r.outcome, MAIL_FAILED);
	ck_assert(!r.suppress);
	mail_provider_free(bad);
	mail_provider_free(p);
	arena_free(a);
}
END_TEST

START_TEST(sendgrid_batch_is_one_by_one)
{
	struct arena *a = fake_reset(sg.port);
	struct mail_provider *p = sg_provider("SG.test-key");
	struct mail_message ms[2] = {msg("a@hospital.test", NULL), msg("b@hospital.test", NULL)};
	struct mail_result r[2];
	ck_assert_int_eq(mail_provider_send_batch(p, ms, 2, r, NULL), ERR_OK);
	ck_assert(r[0].outcome == MAIL_SENT && r[1].outcome == MAIL_SENT);
	const char *reqs = fake_call(a, sg.port, "GET", "/__fake/requests", NULL);
	ck_assert_int_eq(count_of(reqs, "\"path\":\"/v3/mail/send\""), 2);
	mail_provider_free(p);
	arena_free(a);
}
END_TEST

/* ---------------------------------------------------------------- smtp */

static struct fake_proc smtp;
static char smtp_dir[256], smtp_ca[300];

static void smtp_setup(void)
{
	fake_tmpdir(smtp_dir, sizeof smtp_dir);
	char *argv[] = {(char *)fake_python(), fake_path("tests/fakes/smtp_sink.py"), "--dir", smtp_dir, "--tls",
			"--user", "mailer", "--password", "s3cret pass", NULL};
	ck_assert_msg(fake_proc_start(&smtp, argv, NULL),
		      "could not start tests/fakes/smtp_sink.py (needs python3-aiosmtpd and openssl)");
	snprintf(smtp_ca, sizeof smtp_ca, "%s/cert.pem", smtp_dir);
	setenv(HTTP_CLIENT_CA_ENV, smtp_ca, 1);
}

static void smtp_teardown(void)
{
	fake_proc_stop(&smtp);
	unsetenv(HTTP_CLIENT_CA_ENV);
	fake_rmdir(smtp_dir);
}

static struct mail_provider *smtp_provider(int port, const char *user, const char *password, enum smtp_tls tls)
{
	char url[64];
	snprintf(url, sizeof url, "smtp://127.0.0.1:%d", port);
	struct mail_provider_config cfg = {.provider = "smtp", .smtp_url = url, .smtp_user = user,
					   .smtp_password = password, .smtp_tls = tls, .default_from = FROM,
					   .timeout_ms = 15000};
	struct mail_provider *p;
	struct errinfo ei = {0};
	ck_assert_msg(mail_provider_new(&cfg, &p, &ei) == ERR_OK, "%s", ei.message);
	return p;
}

/* Path of the delivered .eml that contains needle, or NULL. */
static const char *find_delivered(const char *dir, const char *needle)
{
	static char path[600];
	char md[300];
	snprintf(md, sizeof md, "%s/mail", dir);
	DIR *d = opendir(md);
	if (!d)
		return NULL;
	const char *found = NULL;
	struct dirent *de;
	while (!found && (de = readdir(d))) {
		if (!str_ends_with(de->d_name, ".eml"))
			continue;
		snprintf(path, sizeof path, "%s/%s", md, de->d_name);
		char *s = test_read_file(path, NULL);
		if (s && strstr(s, needle))
			found = path;
		free(s);
	}
	closedir(d);
	return found;
}

static void inspect(const char *file, const char *message_id)
{
	char out[4096];
	char *argv[] = {(char *)fake_python(), fake_path("tests/fakes/smtp_inspect.py"), (char *)file,
			"--subject", SUBJECT_UTF8, "--from-name", "Radsched", "--from-addr", "noreply@radsched.test",
			"--to-addr", "zoe@hospital.test", "--text", TEXT_BODY, "--html", HTML_BODY,
			"--message-id", (char *)message_id, NULL};
	int rc = fake_run(argv, out, sizeof out, 20);
	ck_assert_msg(rc == 0, "smtp_inspect.py refused %s: %s", file, out);
}

START_TEST(smtp_delivered_with_starttls_and_auth)
{
	double base_smtp_sent = metric("smtp", "sent");
	struct mail_provider *p = smtp_provider(smtp.port, "mailer", "s3cret pass", SMTP_TLS_REQUIRED);
	struct mail_message m = msg("Dr. Zoë Ålund <zoe@hospital.test>", "44444444-4444-4444-8444-444444444444");
	struct mail_result r;
	struct errinfo ei = {0};
	ck_assert_msg(mail_provider_send(p, &m, &r, &ei) == ERR_OK, "%s", ei.message);
	ck_assert_int_eq(r.outcome, MAIL_SENT);
	ck_assert_int_eq(r.status, 250);
	ck_assert_str_eq(r.provider_id, "<44444444-4444-4444-8444-444444444444@radsched.test>");
	const char *file = find_delivered(smtp_dir, "44444444-4444-4444-8444-444444444444@radsched.test");
	ck_assert_ptr_nonnull(file);
	inspect(file, r.provider_id);
	/* envelope as the server saw it */
	char env_path[600];
	snprintf(env_path, sizeof env_path, "%.*s.json", (int)(strlen(file) - 4), file);
	char *env = test_read_file(env_path, NULL);
	ck_assert_ptr_nonnull(env);
	ck_assert_ptr_nonnull(strstr(env, "\"mail_from\": \"noreply@radsched.test\""));
	ck_assert_ptr_nonnull(strstr(env, "\"rcpt_tos\": [\"zoe@hospital.test\"]"));
	ck_assert_ptr_nonnull(strstr(env, "\"auth\": \"mailer\""));
	ck_assert_ptr_nonnull(strstr(env, "\"tls\": true"));
	free(env);
	ck_assert(metric("smtp", "sent") - base_smtp_sent == 1);
	mail_provider_free(p);
}
END_TEST

START_TEST(smtp_bad_password_is_configuration_failure)
{
	struct mail_provider *p = smtp_provider(smtp.port, "mailer", "wrong", SMTP_TLS_REQUIRED);
	struct mail_message m = msg("zoe@hospital.test", NULL);
	struct mail_result r;
	ck_assert_int_eq(mail_provider_send(p, &m, &r, NULL), ERR_UNAUTHORIZED);
	ck_assert_int_eq(r.outcome, MAIL_FAILED);
	ck_assert(!r.suppress);
	mail_provider_free(p);
}
END_TEST

START_TEST(smtp_recipient_refusals)
{
	struct mail_provider *p = smtp_provider(smtp.port, "mailer", "s3cret pass", SMTP_TLS_REQUIRED);
	struct mail_message m = msg("reject-perm@hospital.test", NULL);
	struct mail_result r;
	ck_assert_int_eq(mail_provider_send(p, &m, &r, NULL), ERR_UPSTREAM_PERM);
	ck_assert_int_eq(r.outcome, MAIL_REJECTED);
	ck_assert(r.suppress);
	ck_assert_int_eq(r.status, 550);
	m = msg("reject-temp@hospital.test", NULL);
	ck_assert_int_eq(mail_provider_send(p, &m, &r, NULL), ERR_UPSTREAM);
	ck_assert_int_eq(r.outcome, MAIL_RETRY);
	ck_assert_int_eq(r.status, 451);
	mail_provider_free(p);
}
END_TEST

START_TEST(smtp_untrusted_certificate_refused)
{
	unsetenv(HTTP_CLIENT_CA_ENV); /* the sink's self-signed certificate is no longer trusted */
	struct mail_provider *p = smtp_provider(smtp.port, "mailer", "s3cret pass", SMTP_TLS_REQUIRED);
	struct mail_message m = msg("zoe@hospital.test", "55555555-5555-4555-8555-555555555555");
	struct mail_result r;
	ck_assert_int_eq(mail_provider_send(p, &m, &r, NULL), ERR_PRECONDITION);
	ck_assert_int_eq(r.outcome, MAIL_FAILED);
	ck_assert_ptr_null(find_delivered(smtp_dir, "55555555-5555-4555-8555-555555555555"));
	setenv(HTTP_CLIENT_CA_ENV, smtp_ca, 1);
	mail_provider_free(p);
}
END_TEST

START_TEST(smtp_starttls_required_but_not_offered)
{
	char dir[256];
	fake_tmpdir(dir, sizeof dir);
	struct fake_proc plain;
	char *argv[] = {(char *)fake_python(), fake_path("tests/fakes/smtp_sink.py"), "--dir", dir, NULL};
	ck_assert(fake_proc_start(&plain, argv, NULL));
	struct mail_provider *p = smtp_provider(plain.port, "mailer", "s3cret pass", SMTP_TLS_REQUIRED);
	struct mail_message m = msg("zoe@hospital.test", "66666666-6666-4666-8666-666666666666");
	struct mail_result r;
	struct errinfo ei = {0};
	ck_assert_int_eq(mail_provider_send(p, &m, &r, &ei), ERR_PRECONDITION);
	ck_assert_int_eq(r.outcome, MAIL_FAILED);
	ck_assert_ptr_nonnull(strstr(ei.message, "STARTTLS"));
	ck_assert_ptr_null(find_delivered(dir, "66666666"));
	/* "optional" without credentials delivers in clear (loopback relays) */
	struct mail_provider *opt = smtp_provider(plain.port, NULL, NULL, SMTP_TLS_OPTIONAL);
	ck_assert_int_eq(mail_provider_send(opt, &m, &r, NULL), ERR_OK);
	ck_assert_ptr_nonnull(find_delivered(dir, "66666666"));
	mail_provider_free(opt);
	mail_provider_free(p);
	fake_proc_stop(&plain);
	fake_rmdir(dir);
}
END_TEST

/* ---------------------------------------------------------------- file */

static char file_dir[256];

static void file_setup(void) { fake_tmpdir(file_dir, sizeof file_dir); }
static void file_teardown(void) { fake_rmdir(file_dir); }

static struct mail_provider *file_provider(void)
{
	char outbox[300];
	snprintf(outbox, sizeof outbox, "%s/outbox", file_dir);
	struct mail_provider_config cfg = {.provider = "file", .outbox_dir = outbox, .default_from = FROM};
	struct mail_provider *p;
	struct errinfo ei = {0};
	ck_assert_msg(mail_provider_new(&cfg, &p, &ei) == ERR_OK, "%s", ei.message);
	return p;
}

START_TEST(file_written_atomically_and_logged)
{
	double base_file_sent = metric("file", "sent");
	struct mail_provider *p = file_provider();
	char logpath[300];
	snprintf(logpath, sizeof logpath, "%s/log.jsonl", file_dir);
	FILE *lf = fopen(logpath, "w+");
	ck_assert_ptr_nonnull(lf);
	log_set_stream(fileno(lf));
	struct mail_message m = msg("Dr. Zoë Ålund <zoe@hospital.test>", "77777777-7777-4777-8777-777777777777");
	struct mail_result r;
	enum err e = mail_provider_send(p, &m, &r, NULL);
	e = e ? e : mail_provider_send(p, &m, &r, NULL); /* the same message again replaces the file */
	log_set_stream(2);
	ck_assert_int_eq(e, ERR_OK);
	ck_assert_int_eq(r.outcome, MAIL_SENT);
	ck_assert_str_eq(r.provider_id, "<77777777-7777-4777-8777-777777777777@radsched.test>");
	char path[400];
	snprintf(path, sizeof path, "%s/outbox/77777777-7777-4777-8777-777777777777.eml", file_dir);
	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	/* nothing else in the outbox: no temporary files, no second copy */
	char od[300];
	snprintf(od, sizeof od, "%s/outbox", file_dir);
	DIR *d = opendir(od);
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d)))
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	ck_assert_int_eq(n, 1);
	inspect(path, r.provider_id);
	fclose(lf);
	char *log = test_read_file(logpath, NULL);
	ck_assert_ptr_nonnull(log);
	ck_assert_int_eq(count_of(log, "\"message\":\"mail written\""), 2);
	ck_assert_ptr_nonnull(strstr(log, "\"subject\":\"" SUBJECT_UTF8 "\""));
	ck_assert_ptr_nonnull(strstr(log, "\"link\":\"https://radsched.test/auth/magic?token=Zm9vYmFy&next=%2Fschedule\""));
	ck_assert_ptr_nonnull(strstr(log, "\"message\":\"mail sent\""));
	ck_assert_ptr_nonnull(strstr(log, "\"template\":\"publication\""));
	ck_assert_ptr_nonnull(strstr(log, "\"message_id\":\"77777777-7777-4777-8777-777777777777\""));
	ck_assert_ptr_nonnull(strstr(log, "\"idempotency_key\":\"publication:pub-1:user-1\""));
	ck_assert(metric("file", "sent") - base_file_sent == 2);
	free(log);
	mail_provider_free(p);
}
END_TEST

START_TEST(configuration_checked)
{
	struct mail_provider *p;
	struct errinfo ei = {0};
	struct mail_provider_config cfg = {.provider = "pigeon"};
	ck_assert_int_eq(mail_provider_new(&cfg, &p, &ei), ERR_INVALID);
	ck_assert_str_eq(ei.path, "RADSCHED_MAIL_PROVIDER");
	cfg = (struct mail_provider_config){.provider = "postmark"};
	ck_assert_int_eq(mail_provider_new(&cfg, &p, &ei), ERR_INVALID);
	ck_assert_str_eq(ei.path, "RADSCHED_POSTMARK_TOKEN");
	cfg = (struct mail_provider_config){.provider = "sendgrid", .sendgrid_key = "k", .sendgrid_url = "ftp://x"};
	ck_assert_int_eq(mail_provider_new(&cfg, &p, &ei), ERR_INVALID);
	ck_assert_str_eq(ei.path, "RADSCHED_SENDGRID_URL");
	cfg = (struct mail_provider_config){.provider = "smtp", .smtp_url = "http://x"};
	ck_assert_int_eq(mail_provider_new(&cfg, &p, &ei), ERR_INVALID);
	ck_assert_str_eq(ei.path, "RADSCHED_SMTP_URL");
	cfg = (struct mail_provider_config){.provider = "file", .outbox_dir = "x", .default_from = "not an address"};
	ck_assert_int_eq(mail_provider_new(&cfg, &p, &ei), ERR_INVALID);
	ck_assert_str_eq(ei.path, "RADSCHED_MAIL_FROM");

	unsetenv("RADSCHED_MAIL_PROVIDER");
	unsetenv("RADSCHED_MAIL_FROM");
	char *outbox = NULL;
	ck_assert_int_eq(mail_provider_config_from_env(&cfg, "/data", &outbox, &ei), ERR_OK);
	ck_assert_str_eq(cfg.provider, "file");
	ck_assert_str_eq(cfg.outbox_dir, "/data/outbox");
	ck_assert_ptr_nonnull(cfg.default_from);
	free(outbox);
	setenv("RADSCHED_MAIL_PROVIDER", "postmark", 1);
	setenv("RADSCHED_POSTMARK_TOKEN", "tok", 1);
	setenv("RADSCHED_SMTP_STARTTLS", "sometimes", 1);
	ck_assert_int_eq(mail_provider_config_from_env(&cfg, "/data", &outbox, &ei), ERR_INVALID);
	ck_assert_str_eq(ei.path, "RADSCHED_SMTP_STARTTLS");
	unsetenv("RADSCHED_SMTP_STARTTLS");
	ck_assert_int_eq(mail_provider_config_from_env(&cfg, "/data", &outbox, &ei), ERR_OK);
	ck_assert_ptr_null(outbox);
	ck_assert_str_eq(cfg.postmark_token, "tok");
	unsetenv("RADSCHED_MAIL_PROVIDER");
	unsetenv("RADSCHED_POSTMARK_TOKEN");
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("mail_providers");
	TCase *tc = tcase_create("postmark");
	tcase_set_timeout(tc, 30);
	tcase_add_unchecked_fixture(tc, pm_setup, pm_teardown);
	tcase_add_test(tc, postmark_sent);
	tcase_add_test(tc, postmark_retry_then_success);
	tcase_add_test(tc, postmark_inactive_recipient_suppressed);
	tcase_add_test(tc, postmark_invalid_address_300_suppressed);
	tcase_add_test(tc, postmark_bad_token_is_configuration_failure);
	tcase_add_test(tc, postmark_unknown_stream_is_configuration_failure);
	tcase_add_test(tc, postmark_batch_classifies_each_message);
	tcase_add_test(tc, postmark_timeout_is_retry);
	tcase_add_test(tc, postmark_header_injection_never_sent);
	suite_add_tcase(s, tc);

	tc = tcase_create("sendgrid");
	tcase_set_timeout(tc, 30);
	tcase_add_unchecked_fixture(tc, sg_setup, sg_teardown);
	tcase_add_test(tc, sendgrid_sent);
	tcase_add_test(tc, sendgrid_rate_limited_then_sent);
	tcase_add_test(tc, sendgrid_400_is_permanent);
	tcase_add_test(tc, sendgrid_auth_failures_are_configuration);
	tcase_add_test(tc, sendgrid_batch_is_one_by_one);
	suite_add_tcase(s, tc);

	tc = tcase_create("smtp");
	tcase_set_timeout(tc, 45);
	tcase_add_unchecked_fixture(tc, smtp_setup, smtp_teardown);
	tcase_add_test(tc, smtp_delivered_with_starttls_and_auth);
	tcase_add_test(tc, smtp_bad_password_is_configuration_failure);
	tcase_add_test(tc, smtp_recipient_refusals);
	tcase_add_test(tc, smtp_untrusted_certificate_refused);
	tcase_add_test(tc, smtp_starttls_required_but_not_offered);
	suite_add_tcase(s, tc);

	tc = tcase_create("file");
	tcase_set_timeout(tc, 20);
	tcase_add_unchecked_fixture(tc, file_setup, file_teardown);
	tcase_add_test(tc, file_written_atomically_and_logged);
	tcase_add_test(tc, configuration_checked);
	suite_add_tcase(s, tc);
	return s;
}
