/* Mail templates: every template renders with its sample payload and carries what a real
 * message needs (subject on one line, links escaped in HTML and intact in text, no tags in
 * text); magic_link and swap_offer are also compared with golden files
 * (RADSCHED_UPDATE_GOLDEN=1 rewrites them after a deliberate change). */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/strutil.h"
#include "check_main.h"
#include "integrations/mail/mail_render.h"

static char dir[4096];

static void setup(void)
{
	snprintf(dir, sizeof dir, "%s/templates/mail", test_root());
	mail_render_cache_clear();
}

static void teardown(void) { mail_render_cache_clear(); }

/* true when s holds something that looks like an HTML tag or entity */
static bool has_markup(const char *s)
{
	for (; *s; s++) {
		if (s[0] == '<' && (s[1] == '/' || s[1] == '!' || (s[1] >= 'a' && s[1] <= 'z') || (s[1] >= 'A' && s[1] <= 'Z')))
			return true;
		if (s[0] == '&' && (!strncmp(s, "&amp;", 5) || !strncmp(s, "&lt;", 4) || !strncmp(s, "&#", 2) ||
				    !strncmp(s, "&quot;", 6)))
			return true;
	}
	return false;
}

/* Every "*_url" string of the payload (app_url and the logo aside) must be a link in both parts. */
static void check_links(const char *name, const json_t *v, const char *key, const struct mail_rendered *m, int *nlinks)
{
	if (json_is_object(v)) {
		const char *k;
		json_t *x;
		json_object_foreach((json_t *)v, k, x) check_links(name, x, k, m, nlinks);
		return;
	}
	if (json_is_array(v)) {
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x) check_links(name, x, key, m, nlinks);
		return;
	}
	if (!json_is_string(v) || !key || !str_ends_with(key, "_url") || !strcmp(key, "app_url") || !strcmp(key, "logo_url"))
		return;
	const char *url = json_string_value(v);
	struct buf esc;
	buf_init(&esc, 0);
	ck_assert_int_eq(str_html_escape(&esc, url), ERR_OK);
	ck_assert_msg(strstr(m->html, esc.data), "%s: html lacks %s as %s", name, key, esc.data);
	if (strchr(url, '&'))
		ck_assert_msg(!strstr(m->html, url), "%s: html has %s unescaped", name, key);
	ck_assert_msg(strstr(m->text, url), "%s: text lacks %s", name, key);
	buf_fini(&esc);
	(*nlinks)++;
}

START_TEST(every_template_renders_its_sample)
{
	const char *const *names = mail_template_names();
	int n = 0;
	for (; names[n]; n++) {
		const char *name = names[n];
		json_t *p = mail_sample_payload(name);
		ck_assert_msg(p != NULL, "%s: no sample payload", name);
		struct arena *a = arena_new(0);
		struct mail_rendered m;
		struct errinfo ei = {0};
		enum err e = mail_render(dir, name, p, a, &m, &ei);
		ck_assert_msg(e == ERR_OK, "%s: %s: %s", name, err_name(e), ei.message);

		ck_assert_msg(*m.subject && !strpbrk(m.subject, "\r\n\t"), "%s: bad subject [%s]", name, m.subject);
		ck_assert_msg(!strstr(m.subject, "  ") && m.subject[strlen(m.subject) - 1] != ' ', "%s: subject spacing", name);
		ck_assert_msg(!strstr(m.subject, "{{") && !strstr(m.html, "{{") && !strstr(m.text, "{{"), "%s: raw tag", name);

		ck_assert_msg(str_starts_with(m.html, "<!DOCTYPE html>\n<html lang=\"en\">"), "%s: html head", name);
		ck_assert_msg(strstr(m.html, "</html>\n"), "%s: html end", name);
		ck_assert_msg(strstr(m.html, "border-top:4px solid #0B6E99"), "%s: accent colour", name);
		ck_assert_msg(strstr(m.html, "<img src=\"https://lakeside.example/brand/logo-email.png\" alt=\"Lakeside Radiology\""),
			      "%s: logo", name);
		ck_assert_msg(strstr(m.html, "Toronto ON M5V 2T6"), "%s: footer", name);
		ck_assert_msg(!strstr(m.html, "\n\n\n"), "%s: html has runs of blank lines", name);

		ck_assert_msg(!has_markup(m.text), "%s: text part has markup", name);
		ck_assert_msg(str_starts_with(m.text, "Lakeside Radiology\n\nHi "), "%s: text opening [%.40s]", name, m.text);
		ck_assert_msg(!strstr(m.text, "\n\n\n"), "%s: text has runs of blank lines", name);
		ck_assert_msg(strstr(m.text, "\n--\n"), "%s: text signature", name);

		const char *first = json_string_value(json_object_get(json_object_get(p, "recipient"), "first_name"));
		char hi[64];
		snprintf(hi, sizeof hi, "Hi %s,", first);
		ck_assert_msg(strstr(m.html, hi) && strstr(m.text, hi), "%s: greeting", name);
		ck_assert_str_eq(m.from_name, "Lakeside Radiology");
		ck_assert_ptr_nonnull(strstr(m.to, "@lakeside.example"));

		int nlinks = 0;
		check_links(name, p, NULL, &m, &nlinks);
		ck_assert_msg(nlinks > 0, "%s: no link", name);
		arena_free(a);
		json_decref(p);
	}
	ck_assert_int_eq(n, 14);
}
END_TEST

START_TEST(template_specific_content)
{
	struct arena *a = arena_new(0);
	struct mail_rendered m;
	struct errinfo ei = {0};
	ck_assert_int_eq(mail_render_sample(dir, "swap_offer", a, &m, &ei), ERR_OK);
	ck_assert_ptr_nonnull(strstr(m.html, "Dr. Kevin O&#39;Neil"));
	ck_assert_ptr_nonnull(strstr(m.text, "Dr. Kevin O'Neil"));
	ck_assert_ptr_nonnull(strstr(m.subject, "Dr. Kevin O'Neil asks if you can take IR-CALL on Sat 14 Feb 2026"));

	ck_assert_int_eq(mail_render_sample(dir, "draft_ready", a, &m, &ei), ERR_OK);
	ck_assert_ptr_nonnull(strstr(m.html, "<th scope=\"col\""));
	ck_assert_ptr_nonnull(strstr(m.html, "Times are America/Toronto time."));
	ck_assert_ptr_nonnull(strstr(m.text, "  Sat 14 Feb 2026  IR-CALL (Interventional on-call, weekend)  08:00–08:00 next day\n"));
	ck_assert_ptr_nonnull(strstr(m.text, "  Wed 4 Feb 2026  CT-AM (CT reading, morning)  08:00–12:00  General campus\n"));

	ck_assert_int_eq(mail_render_sample(dir, "publication", a, &m, &ei), ERR_OK);
	ck_assert_ptr_nonnull(strstr(m.html, "href=\"webcal://lakeside.radsched.example/ics/u/7d1e4c2b9a8f/feed.ics?key=Vb2x9Qe7&amp;alarms=0\""));
	ck_assert_ptr_nonnull(strstr(m.text, "connect Google Calendar: https://lakeside.radsched.example/settings/calendar"));
	ck_assert_ptr_nonnull(strstr(m.text, "- CT-AM moved from Tue 3 Feb to Wed 4 Feb\n"));

	/* Google connected: the note changes, no settings link */
	json_t *p = mail_sample_payload("publication");
	json_object_set_new(json_object_get(p, "google"), "connected", json_true());
	json_object_set_new(p, "changes", json_array());
	ck_assert_int_eq(mail_render(dir, "publication", p, a, &m, &ei), ERR_OK);
	ck_assert_ptr_nonnull(strstr(m.text, "your shifts are being added to your Google Calendar now"));
	ck_assert_ptr_null(strstr(m.text, "settings/calendar"));
	ck_assert_ptr_null(strstr(m.html, "Changes to your shifts"));
	json_decref(p);

	ck_assert_int_eq(mail_render_sample(dir, "payment_failed", a, &m, &ei), ERR_OK);
	ck_assert_ptr_nonnull(strstr(m.to, "linda.chen@lakeside.example"));
	ck_assert_ptr_nonnull(strstr(m.html, "administrator of Lakeside Radiology"));
	arena_free(a);
}
END_TEST

START_TEST(branding_is_sanitised)
{
	json_t *p = mail_sample_payload("invite");
	json_t *t = json_object_get(p, "tenant");
	json_object_set_new(t, "accent_color", json_string("red;background:url(https://evil.example/x)"));
	json_object_set_new(t, "logo_url", json_string("javascript:alert(1)"));
	json_object_del(t, "footer");
	struct arena *a = arena_new(0);
	struct mail_rendered m;
	struct errinfo ei = {0};
	ck_assert_int_eq(mail_render(dir, "invite", p, a, &m, &ei), ERR_OK);
	ck_assert_ptr_null(strstr(m.html, "evil.example"));
	ck_assert_ptr_null(strstr(m.html, "javascript:"));
	ck_assert_ptr_nonnull(strstr(m.html, "border-top:4px solid #1F5F8B"));
	ck_assert_ptr_nonnull(strstr(m.html, "font-weight:bold;color:#111827;\">Lakeside Radiology</p>")); /* name, no logo */
	ck_assert_ptr_null(strstr(m.html, "Toronto ON"));
	/* the caller's payload is untouched */
	ck_assert_str_eq(json_string_value(json_object_get(t, "logo_url")), "javascript:alert(1)");
	json_decref(p);
	arena_free(a);
}
END_TEST

START_TEST(subject_and_headers_stay_on_one_line)
{
	json_t *p = mail_sample_payload("swap_declined");
	json_object_set_new(json_object_get(p, "counterpart"), "name", json_string("Eve\r\nBcc: all@lakeside.example"));
	json_object_set_new(json_object_get(p, "tenant"), "name", json_string("Lakeside\nRadiology"));
	struct arena *a = arena_new(0);
	struct mail_rendered m;
	struct errinfo ei = {0};
	ck_assert_int_eq(mail_render(dir, "swap_declined", p, a, &m, &ei), ERR_OK);
	ck_assert_ptr_null(strpbrk(m.subject, "\r\n"));
	ck_assert_ptr_nonnull(strstr(m.subject, "Eve Bcc: all@lakeside.example declined"));
	ck_assert_str_eq(m.from_name, "Lakeside Radiology");
	json_decref(p);
	arena_free(a);
}
END_TEST

START_TEST(errors)
{
	struct arena *a = arena_new(0);
	struct mail_rendered m;
	struct errinfo ei = {0};
	json_t *p = mail_sample_payload("invite");
	ck_assert_int_eq(mail_render(dir, "no_such_template", p, a, &m, &ei), ERR_NOT_FOUND);
	ck_assert_ptr_nonnull(strstr(ei.message, "no_such_template"));
	ck_assert_int_eq(mail_render(dir, "_layout", p, a, &m, &ei), ERR_NOT_FOUND);
	ck_assert_ptr_null(mail_sample_payload("../../etc/passwd"));
	ck_assert_int_eq(mail_render_sample(dir, "nope", a, &m, &ei), ERR_NOT_FOUND);
	ck_assert_int_eq(mail_render("/nonexistent-radsched-dir", "invite", p, a, &m, &ei), ERR_IO);
	ck_assert_ptr_nonnull(strstr(ei.message, "invite.subject.mustache"));
	ck_assert_ptr_null(m.subject);
	json_decref(p);
	arena_free(a);
}
END_TEST

static void *render_all(void *arg)
{
	int *ok = arg;
	for (const char *const *n = mail_template_names(); *n; n++) {
		struct arena *a = arena_new(0);
		struct mail_rendered m;
		if (mail_render_sample(dir, *n, a, &m, NULL) == ERR_OK)
			(*ok)++;
		arena_free(a);
	}
	return NULL;
}

START_TEST(cache_is_thread_safe)
{
	pthread_t th[6];
	int ok[6] = {0};
	for (int i = 0; i < 6; i++)
		pthread_create(&th[i], NULL, render_all, &ok[i]);
	for (int i = 0; i < 6; i++) {
		pthread_join(th[i], NULL);
		ck_assert_int_eq(ok[i], 14);
	}
}
END_TEST

/* Golden file: "Subject: …" line, then the text part, then the HTML part. */
static void check_golden(const char *name)
{
	struct arena *a = arena_new(0);
	struct mail_rendered m;
	struct errinfo ei = {0};
	ck_assert_int_eq(mail_render_sample(dir, name, a, &m, &ei), ERR_OK);
	char *got = arena_sprintf(a, "Subject: %s\n==== text/plain ====\n%s==== text/html ====\n%s", m.subject, m.text, m.html);
	char path[4096];
	snprintf(path, sizeof path, "%s/tests/integrations/golden/mail_%s.golden", test_root(), name);
	const char *update = getenv("RADSCHED_UPDATE_GOLDEN");
	if (update && *update == '1') {
		FILE *f = fopen(path, "wb");
		ck_assert_ptr_nonnull(f);
		fputs(got, f);
		fclose(f);
	}
	char *want = test_read_file(path, NULL);
	ck_assert_msg(want != NULL, "cannot read %s", path);
	ck_assert_msg(strcmp(got, want) == 0, "%s differs from the rendering (RADSCHED_UPDATE_GOLDEN=1 rewrites it)", path);
	free(want);
	arena_free(a);
}

START_TEST(golden_magic_link) { check_golden("magic_link"); }
END_TEST
START_TEST(golden_swap_offer) { check_golden("swap_offer"); }
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("mail_render");
	TCase *tc = tcase_create("mail_render");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, every_template_renders_its_sample);
	tcase_add_test(tc, template_specific_content);
	tcase_add_test(tc, branding_is_sanitised);
	tcase_add_test(tc, subject_and_headers_stay_on_one_line);
	tcase_add_test(tc, errors);
	tcase_add_test(tc, cache_is_thread_safe);
	tcase_add_test(tc, golden_magic_link);
	tcase_add_test(tc, golden_swap_offer);
	suite_add_tcase(s, tc);
	return s;
}
