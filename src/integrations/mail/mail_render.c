/* mail_render.c — mail templates on disk → subject, HTML and text (see mail_render.h). */
#include "integrations/mail/mail_render.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "tmpl/tmpl.h"

#define MAIL_DEFAULT_ACCENT "#1F5F8B"

static const char *const template_names[] = {
	"invite",
	"vacation_window_open",
	"vacation_window_reminder",
	"vacation_window_closing",
	"draft_ready",
	"swap_offer",
	"swap_accepted",
	"swap_declined",
	"giveaway_accepted",
	"request_expired",
	"publication",
	"payment_receipt",
	"payment_failed",
	"magic_link",
	NULL,
};

const char *const *mail_template_names(void) { return template_names; }

bool mail_template_known(const char *name)
{
	for (size_t i = 0; name && template_names[i]; i++)
		if (strcmp(template_names[i], name) == 0)
			return true;
	return false;
}

/* ---- the process-wide cache: one tmpl_set per templates directory ---- */

struct cache_entry {
	char *dir;
	struct tmpl_set *set;
	struct cache_entry *next;
};

static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static struct cache_entry *cache;

/* Template names are file names: letters, digits, _ - and dots, never ".." nor a leading dot. */
static bool file_name_ok(const char *n)
{
	size_t len = strlen(n);
	if (len == 0 || len > 100 || n[0] == '.' || strstr(n, ".."))
		return false;
	return strspn(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") == len;
}

/* tmpl_load_fn: DIR/NAME.mustache, at most TMPL_MAX_SOURCE bytes. */
static enum err load_file(void *arg, const char *name, char **src, size_t *len, struct errinfo *ei)
{
	const char *dir = arg;
	char path[4096];
	if (!file_name_ok(name))
		return err_set(ei, ERR_NOT_FOUND, "", "\"%s\" is not a template file name", name);
	if ((size_t)snprintf(path, sizeof path, "%s/%s.mustache", dir, name) >= sizeof path)
		return err_set(ei, ERR_INVALID, "", "template path too long");
	FILE *f = fopen(path, "rb");
	if (!f) {
		int en = errno;
		return err_set(ei, en == ENOENT ? ERR_NOT_FOUND : ERR_IO, "", "cannot open %s: %s", path, strerror(en));
	}
	struct buf b;
	buf_init(&b, TMPL_MAX_SOURCE);
	char chunk[8192];
	size_t k;
	enum err e = ERR_OK;
	while (!e && (k = fread(chunk, 1, sizeof chunk, f)) > 0)
		e = buf_append(&b, chunk, k);
	if (!e && ferror(f))
		e = ERR_IO;
	fclose(f);
	if (e) {
		buf_fini(&b);
		return err_set(ei, e, "", e == ERR_TOO_LARGE ? "%s is larger than %zu bytes" : "cannot read %s", path,
			       TMPL_MAX_SOURCE);
	}
	*src = buf_steal(&b, len);
	return ERR_OK;
}

static struct tmpl_set *cache_set(const char *dir)
{
	pthread_mutex_lock(&cache_mu);
	struct cache_entry *c = cache;
	while (c && strcmp(c->dir, dir) != 0)
		c = c->next;
	if (!c) {
		c = xcalloc(1, sizeof *c);
		c->dir = xstrdup(dir);
		c->set = tmpl_set_new(load_file, c->dir);
		c->next = cache;
		cache = c;
	}
	pthread_mutex_unlock(&cache_mu);
	return c->set;
}

void mail_render_cache_clear(void)
{
	pthread_mutex_lock(&cache_mu);
	while (cache) {
		struct cache_entry *c = cache;
		cache = c->next;
		tmpl_set_free(c->set);
		free(c->dir);
		free(c);
	}
	pthread_mutex_unlock(&cache_mu);
}

/* ---- rendering ---- */

/* Mail templates are ours: a partial that does not exist is a bug, not an empty string. */
static enum err strict_partial(void *set, const char *name, const struct tmpl **out, struct errinfo *ei)
{
	enum err e = tmpl_set_get(set, name, out, ei);
	if (e == ERR_NOT_FOUND)
		return err_set(ei, ERR_INVALID, "", "a mail template includes {{>%s}} or {{<%s}}, but %s.mustache does not exist",
			       name, name, name);
	return e;
}

static bool colour_ok(const char *s)
{
	if (!s || s[0] != '#')
		return false;
	size_t n = strlen(s + 1);
	return (n == 3 || n == 6) && strspn(s + 1, "0123456789abcdefABCDEF") == n;
}

/* A copy of payload whose tenant branding is safe to put in style and src attributes. */
static json_t *branding_safe(const json_t *payload)
{
	json_t *p = json_is_object(payload) ? json_copy((json_t *)payload) : json_object();
	json_t *old = json_object_get(p, "tenant");
	json_t *t = json_is_object(old) ? json_copy(old) : json_object();
	if (!colour_ok(json_string_value(json_object_get(t, "accent_color"))))
		json_object_set_new(t, "accent_color", json_string(MAIL_DEFAULT_ACCENT));
	const char *logo = json_string_value(json_object_get(t, "logo_url"));
	if (logo && (strncmp(logo, "https://", 8) != 0 || strpbrk(logo, " \t\r\n\"'<>\\")))
		json_object_del(t, "logo_url");
	json_object_set_new(p, "tenant", t);
	return p;
}

/* s on one line: control characters and runs of spaces become one space, ends trimmed. */
static const char *one_line(struct arena *a, const char *s)
{
	char *o = arena_alloc(a, strlen(s) + 1);
	size_t k = 0;
	bool gap = false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p <= ' ' || *p == 0x7f) {
			gap = k > 0;
			continue;
		}
		if (gap)
			o[k++] = ' ';
		gap = false;
		o[k++] = (char)*p;
	}
	o[k] = 0;
	return o;
}

static enum err render_part(struct tmpl_set *set, const char *dir, const char *name, const char *part,
			    const json_t *data, enum tmpl_escape esc, struct buf *b, struct errinfo *ei)
{
	char key[160];
	snprintf(key, sizeof key, "%s.%s", name, part);
	const struct tmpl *t;
	enum err e = tmpl_set_get(set, key, &t, ei);
	if (e == ERR_NOT_FOUND)
		return err_set(ei, ERR_IO, "", "template file %s/%s.mustache is missing", dir, key);
	if (e)
		return e;
	struct tmpl_render_opts o = {
		.partial = strict_partial, .partial_arg = set, .escape = esc, .max_output = MAIL_MAX_PART};
	buf_reset(b);
	return tmpl_render(t, data, &o, b, ei);
}

enum err mail_render(const char *templates_dir, const char *name, const json_t *payload, struct arena *a,
		     struct mail_rendered *out, struct errinfo *ei)
{
	memset(out, 0, sizeof *out);
	if (!mail_template_known(name))
		return err_set(ei, ERR_NOT_FOUND, "", "no mail template named \"%s\"", name ? name : "");
	if (!templates_dir || !*templates_dir)
		return err_set(ei, ERR_INVALID, "", "no templates directory");
	struct tmpl_set *set = cache_set(templates_dir);
	json_t *data = branding_safe(payload);
	struct buf b;
	buf_init(&b, 0);
	enum err e = render_part(set, templates_dir, name, "subject", data, TMPL_ESCAPE_NONE, &b, ei);
	if (!e) {
		out->subject = one_line(a, b.data ? b.data : "");
		if (!*out->subject)
			e = err_set(ei, ERR_INVALID, "", "template %s renders an empty subject", name);
		else if (strlen(out->subject) > MAIL_MAX_SUBJECT)
			e = err_set(ei, ERR_TOO_LARGE, "", "template %s renders a subject longer than %d bytes", name,
				    MAIL_MAX_SUBJECT);
	}
	if (!e && !(e = render_part(set, templates_dir, name, "html", data, TMPL_ESCAPE_HTML, &b, ei)))
		out->html = arena_strndup(a, b.data ? b.data : "", b.len);
	if (!e && !(e = render_part(set, templates_dir, name, "text", data, TMPL_ESCAPE_NONE, &b, ei)))
		out->text = arena_strndup(a, b.data ? b.data : "", b.len);
	if (!e) {
		const char *from = json_string_value(json_object_get(json_object_get(data, "tenant"), "name"));
		const char *to = json_string_value(json_object_get(json_object_get(data, "recipient"), "email"));
		out->from_name = one_line(a, from && *from ? from : "radsched");
		out->to = one_line(a, to ? to : "");
	}
	buf_fini(&b);
	json_decref(data);
	if (e)
		memset(out, 0, sizeof *out);
	return e;
}

enum err mail_render_sample(const char *templates_dir, const char *name, struct arena *a, struct mail_rendered *out,
			    struct errinfo *ei)
{
	json_t *p = mail_sample_payload(name);
	if (!p) {
		memset(out, 0, sizeof *out);
		return err_set(ei, ERR_NOT_FOUND, "", "no mail template named \"%s\"", name ? name : "");
	}
	enum err e = mail_render(templates_dir, name, p, a, out, ei);
	json_decref(p);
	return e;
}

/* ---- sample payloads (previews, golden tests, docs) ---- */

#define APP "https://lakeside.radsched.example"

static json_t *shift(const char *date, const char *code, const char *label, const char *time)
{
	return json_pack("{s:s, s:s, s:s, s:s}", "date_label", date, "code", code, "name", label, "time_label", time);
}

static json_t *sample_shifts(void)
{
	json_t *ct = shift("Wed 4 Feb 2026", "CT-AM", "CT reading, morning", "08:00–12:00");
	json_object_set_new(ct, "site", json_string("General campus"));
	return json_pack("[o, o, o, o, o]", shift("Mon 2 Feb 2026", "IR-CALL", "Interventional on-call", "17:00–08:00"), ct,
			 shift("Fri 6 Feb 2026", "BODY-READ", "Body imaging reading", "08:00–16:00"),
			 shift("Sat 14 Feb 2026", "IR-CALL", "Interventional on-call, weekend", "08:00–08:00 next day"),
			 shift("Thu 19 Feb 2026", "MR-PM", "MRI reading, afternoon", "12:00–20:00"));
}

static json_t *weekend_call(const char *date)
{
	return shift(date, "IR-CALL", "Interventional on-call, weekend", "08:00–08:00 next day");
}

static json_t *admin_recipient(void)
{
	return json_pack("{s:s, s:s, s:s}", "name", "Linda Chen", "first_name", "Linda", "email", "linda.chen@lakeside.example");
}

static json_t *window(const char *closes, const char *days_left)
{
	json_t *w = json_pack("{s:s, s:s}", "period_label", "July to September 2026", "closes_label", closes);
	if (days_left)
		json_object_set_new(w, "days_left_label", json_string(days_left));
	return w;
}

static json_t *sample_specific(const char *name)
{
	if (!strcmp(name, "invite"))
		return json_pack("{s:{s:s}, s:s, s:s, s:s}", "inviter", "name", "Dr. Marc Tremblay", "role_label", "Radiologist",
				 "accept_url", APP "/invite/accept?token=q7X2mP9vR4tL8wZ1&email=priya.raman%40lakeside.example",
				 "expires_label", "on Friday 16 January 2026 at 17:00");
	if (!strcmp(name, "vacation_window_open")) {
		json_t *w = window("on Friday 30 January 2026 at 17:00", NULL);
		json_object_set_new(w, "rules",
				    json_pack("[s, s, s]", "Up to 3 weeks in the period, at most 2 of them in a row.",
					      "Overlapping requests are settled by the department's fairness rules, not by who asked first.",
					      "Statutory holidays follow the usual call rotation."));
		return json_pack("{s:o, s:s}", "window", w, "request_url", APP "/vacation/requests?period=2026-Q3");
	}
	if (!strcmp(name, "vacation_window_reminder"))
		return json_pack("{s:o, s:b, s:s, s:s}", "window", window("on Friday 30 January 2026 at 17:00", "3 days"),
				 "has_requests", 1, "requests_label", "2 requests (6–17 July and 24–28 August)", "request_url",
				 APP "/vacation/requests?period=2026-Q3");
	if (!strcmp(name, "vacation_window_closing"))
		return json_pack("{s:o, s:b, s:s}", "window", window("tomorrow, Friday 30 January, at 17:00", "1 day"),
				 "has_requests", 0, "request_url", APP "/vacation/requests?period=2026-Q3");
	if (!strcmp(name, "draft_ready"))
		return json_pack("{s:{s:s, s:s}, s:s, s:o, s:s}", "schedule", "period_label", "February 2026",
				 "review_until_label", "Wednesday 21 January at 17:00", "shift_count_label", "5 shifts", "shifts",
				 sample_shifts(), "review_url", APP "/schedules/2026-02/draft?view=mine");
	if (!strcmp(name, "swap_offer"))
		return json_pack("{s:{s:s}, s:{s:s, s:s}, s:o, s:o, s:s, s:s}", "requester", "name", "Dr. Kevin O'Neil", "offer",
				 "expires_label", "Tuesday 20 January at 14:30", "note",
				 "Family event that weekend. Happy to return the favour in March.", "their_shift",
				 weekend_call("Sat 14 Feb 2026"), "your_shift", weekend_call("Sat 21 Feb 2026"), "accept_url",
				 APP "/offers/5b0e7c1a/respond?action=accept&token=Zk3Q9wLm", "decline_url",
				 APP "/offers/5b0e7c1a/respond?action=decline&token=Zk3Q9wLm");
	if (!strcmp(name, "swap_accepted"))
		return json_pack("{s:{s:s}, s:o, s:o, s:s}", "counterpart", "name", "Dr. Amélie Gagnon", "gave_shift",
				 weekend_call("Sat 14 Feb 2026"), "got_shift", weekend_call("Sat 21 Feb 2026"), "schedule_url",
				 APP "/schedules/2026-02?view=mine");
	if (!strcmp(name, "swap_declined"))
		return json_pack("{s:{s:s}, s:o, s:b, s:s}", "counterpart", "name", "Dr. Samuel Osei", "shift",
				 weekend_call("Sat 14 Feb 2026"), "has_next", 1, "request_url", APP "/requests/8c2d41f0");
	if (!strcmp(name, "giveaway_accepted"))
		return json_pack("{s:{s:s}, s:o, s:s}", "taker", "name", "Dr. Amélie Gagnon", "shift",
				 shift("Thu 19 Feb 2026", "MR-PM", "MRI reading, afternoon", "12:00–20:00"), "schedule_url",
				 APP "/schedules/2026-02?view=mine");
	if (!strcmp(name, "request_expired"))
		return json_pack("{s:{s:s, s:s, s:s}, s:o, s:s}", "request", "kind_label", "giveaway", "expired_label",
				 "on Monday 19 January at 17:00", "reason",
				 "Two eligible colleagues were offered the shift; neither accepted in time.", "shift",
				 shift("Thu 19 Feb 2026", "MR-PM", "MRI reading, afternoon", "12:00–20:00"), "new_request_url",
				 APP "/requests/new?assignment=3f9a77e2");
	if (!strcmp(name, "publication"))
		return json_pack("{s:{s:s, s:i, s:s}, s:s, s:[{s:s}, {s:s}], s:s, s:s, s:s, s:{s:b, s:s}}", "schedule",
				 "period_label", "February 2026", "version", 3, "published_by", "Dr. Marc Tremblay",
				 "shift_count_label", "5 shifts", "changes", "summary", "CT-AM moved from Tue 3 Feb to Wed 4 Feb",
				 "summary", "New: MR-PM on Thu 19 Feb, 12:00–20:00", "schedule_url", APP "/schedules/2026-02?view=mine",
				 "ics_https_url", APP "/ics/u/7d1e4c2b9a8f/feed.ics?key=Vb2x9Qe7&alarms=0", "ics_webcal_url",
				 "webcal://lakeside.radsched.example/ics/u/7d1e4c2b9a8f/feed.ics?key=Vb2x9Qe7&alarms=0", "google",
				 "connected", 0, "settings_url", APP "/settings/calendar");
	if (!strcmp(name, "payment_receipt"))
		return json_pack("{s:o, s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}}", "recipient", admin_recipient(), "invoice",
				 "number", "RS-2026-0142", "amount_label", "CA$1,240.00", "paid_label", "12 January 2026",
				 "card_label", "Visa ending in 4242", "plan_label", "Standard", "seats_label", "31 radiologists",
				 "period_label", "12 January to 11 February 2026", "receipt_url",
				 APP "/billing/receipts/RS-2026-0142.pdf");
	if (!strcmp(name, "payment_failed"))
		return json_pack("{s:o, s:{s:s, s:s, s:s, s:s, s:s, s:s}, s:s}", "recipient", admin_recipient(), "invoice",
				 "number", "RS-2026-0187", "amount_label", "CA$1,280.00", "period_label",
				 "12 February to 11 March 2026", "failure_reason", "the card was declined (insufficient funds)",
				 "next_attempt_label", "on Sunday 15 February", "grace_until_label", "Thursday 26 February 2026",
				 "billing_url", APP "/admin/billing");
	if (!strcmp(name, "magic_link"))
		return json_pack("{s:s, s:i, s:{s:s, s:s, s:s}}", "link_url",
				 APP "/auth/magic?token=Hq8vN2cX5pL0sR7y&next=%2Fschedule", "expires_minutes", 15, "request",
				 "time_label", "on Monday 12 January 2026 at 07:42 (Toronto time)", "device_label",
				 "Firefox on Windows", "ip", "203.0.113.24");
	return NULL;
}

json_t *mail_sample_payload(const char *name)
{
	if (!mail_template_known(name))
		return NULL;
	json_t *p = json_pack("{s:{s:s, s:s, s:s, s:s, s:s, s:s}, s:{s:s, s:s, s:s}, s:s}", "tenant", "name",
			      "Lakeside Radiology", "accent_color", "#0B6E99", "logo_url",
			      "https://lakeside.example/brand/logo-email.png", "footer",
			      "Lakeside Radiology, Department of Medical Imaging, 1200 Shoreline Avenue, Toronto ON M5V 2T6",
			      "timezone", "America/Toronto", "support_email", "scheduling@lakeside.example", "recipient", "name",
			      "Dr. Priya Raman", "first_name", "Priya", "email", "priya.raman@lakeside.example", "app_url", APP);
	json_t *specific = sample_specific(name);
	json_object_update(p, specific);
	json_decref(specific);
	return p;
}
