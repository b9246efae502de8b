#include "integrations/mail/mail_provider.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/arena.h"
#include "base/log.h"
#include "base/metrics.h"
#include "integrations/mail/mail_provider_impl.h"

#define METRIC_SECONDS "radsched_mail_provider_seconds"

const char *mail_outcome_name(enum mail_outcome o)
{
	switch (o) {
	case MAIL_SENT: return "sent";
	case MAIL_RETRY: return "retry";
	case MAIL_REJECTED: return "rejected";
	default: return "failed";
	}
}

enum err mail_result_set(struct mail_result *r, enum mail_outcome o, enum err code, const char *fmt, ...)
{
	r->outcome = o;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->error, sizeof r->error, fmt, ap);
	va_end(ap);
	return code;
}

enum err mail_result_transport(struct mail_result *r, enum err code, const struct errinfo *ei)
{
	if (code == ERR_INVALID) /* the configured URL itself is unusable */
		return mail_result_set(r, MAIL_FAILED, ERR_INVALID, "%s", ei->message);
	return mail_result_set(r, MAIL_RETRY, code == ERR_TIMEOUT ? ERR_TIMEOUT : ERR_UPSTREAM, "%s", ei->message);
}

/* The error code a result of a batch back end stands for (those return no code). */
static enum err result_err(const struct mail_result *r)
{
	switch (r->outcome) {
	case MAIL_SENT: return ERR_OK;
	case MAIL_RETRY: return r->status == 429 ? ERR_RATE_LIMITED : ERR_UPSTREAM;
	case MAIL_REJECTED: return ERR_UPSTREAM_PERM;
	default: return r->status == 401 ? ERR_UNAUTHORIZED : ERR_UPSTREAM_PERM;
	}
}

static const struct mail_provider_ops *ops_by_name(const char *name)
{
	static const struct mail_provider_ops *const all[] = {&mail_postmark_ops, &mail_sendgrid_ops, &mail_smtp_ops,
							      &mail_file_ops};
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		if (name && !strcmp(name, all[i]->name))
			return all[i];
	return NULL;
}

static const char *dup_opt(struct arena *a, const char *s) { return s && *s ? arena_strdup(a, s) : NULL; }

/* base URL without trailing slashes */
static const char *dup_url(struct arena *a, const char *s, const char *dflt)
{
	char *u = arena_strdup(a, s && *s ? s : dflt);
	size_t n = strlen(u);
	while (n > 1 && u[n - 1] == '/')
		u[--n] = 0;
	return u;
}

static bool http_url_ok(const char *u) { return !strncasecmp(u, "https://", 8) || !strncasecmp(u, "http://", 7); }

enum err mail_provider_new(const struct mail_provider_config *cfg, struct mail_provider **out, struct errinfo *ei)
{
	*out = NULL;
	const struct mail_provider_ops *ops = ops_by_name(cfg->provider);
	if (!ops)
		return err_set(ei, ERR_INVALID, "RADSCHED_MAIL_PROVIDER", "unknown mail provider \"%s\": use postmark, sendgrid, smtp or file",
			       cfg->provider ? cfg->provider : "");
	if (cfg->default_from && *cfg->default_from) {
		struct mail_addr a;
		enum err e = mail_addr_parse(cfg->default_from, &a, "RADSCHED_MAIL_FROM", ei);
		if (e)
			return e;
	}
	struct mail_provider *p = xcalloc(1, sizeof *p);
	p->ops = ops;
	p->mem = arena_new(0);
	struct mail_provider_config *c = &p->cfg;
	c->provider = ops->name;
	c->default_from = dup_opt(p->mem, cfg->default_from);
	c->postmark_url = dup_url(p->mem, cfg->postmark_url, "https://api.postmarkapp.com");
	c->postmark_token = dup_opt(p->mem, cfg->postmark_token);
	c->sendgrid_url = dup_url(p->mem, cfg->sendgrid_url, "https://api.sendgrid.com");
	c->sendgrid_key = dup_opt(p->mem, cfg->sendgrid_key);
	c->smtp_url = dup_opt(p->mem, cfg->smtp_url);
	c->smtp_user = dup_opt(p->mem, cfg->smtp_user);
	c->smtp_password = dup_opt(p->mem, cfg->smtp_password);
	c->smtp_tls = cfg->smtp_tls;
	c->outbox_dir = dup_opt(p->mem, cfg->outbox_dir);
	c->timeout_ms = cfg->timeout_ms;

	enum err e = ERR_OK;
	if (ops == &mail_postmark_ops && !c->postmark_token)
		e = err_set(ei, ERR_INVALID, "RADSCHED_POSTMARK_TOKEN", "the postmark provider needs a server token");
	else if (ops == &mail_postmark_ops && !http_url_ok(c->postmark_url))
		e = err_set(ei, ERR_INVALID, "RADSCHED_POSTMARK_URL", "must be an http(s) URL");
	else if (ops == &mail_sendgrid_ops && !c->sendgrid_key)
		e = err_set(ei, ERR_INVALID, "RADSCHED_SENDGRID_KEY", "the sendgrid provider needs an API key");
	else if (ops == &mail_sendgrid_ops && !http_url_ok(c->sendgrid_url))
		e = err_set(ei, ERR_INVALID, "RADSCHED_SENDGRID_URL", "must be an http(s) URL");
	else if (ops == &mail_smtp_ops &&
		 (!c->smtp_url || (strncasecmp(c->smtp_url, "smtp://", 7) && strncasecmp(c->smtp_url, "smtps://", 8))))
		e = err_set(ei, ERR_INVALID, "RADSCHED_SMTP_URL", "the smtp provider needs smtp://host:port or smtps://host:port");
	else if (ops == &mail_file_ops && !c->outbox_dir)
		e = err_set(ei, ERR_INVALID, "outbox_dir", "the file provider needs an outbox directory");
	if (e) {
		mail_provider_free(p);
		return e;
	}
	metrics_declare(METRIC_SECONDS, METRIC_HISTOGRAM,
			"Time of one call to the mail provider (HTTP API, SMTP session or file write), by outcome.");
	*out = p;
	return ERR_OK;
}

void mail_provider_free(struct mail_provider *p)
{
	if (!p)
		return;
	arena_free(p->mem);
	free(p);
}

const char *mail_provider_name(const struct mail_provider *p) { return p->ops->name; }

enum err mail_provider_config_from_env(struct mail_provider_config *cfg, const char *data_dir, char **outbox_path,
				       struct errinfo *ei)
{
	memset(cfg, 0, sizeof *cfg);
	*outbox_path = NULL;
	const char *prov = getenv("RADSCHED_MAIL_PROVIDER");
	cfg->provider = prov && *prov ? prov : "file";
	cfg->default_from = getenv("RADSCHED_MAIL_FROM");
	cfg->postmark_url = getenv("RADSCHED_POSTMARK_URL");
	cfg->postmark_token = getenv("RADSCHED_POSTMARK_TOKEN");
	cfg->sendgrid_url = getenv("RADSCHED_SENDGRID_URL");
	cfg->sendgrid_key = getenv("RADSCHED_SENDGRID_KEY");
	cfg->smtp_url = getenv("RADSCHED_SMTP_URL");
	cfg->smtp_user = getenv("RADSCHED_SMTP_USER");
	cfg->smtp_password = getenv("RADSCHED_SMTP_PASSWORD");
	if (!smtp_tls_parse(getenv("RADSCHED_SMTP_STARTTLS"), &cfg->smtp_tls))
		return err_set(ei, ERR_INVALID, "RADSCHED_SMTP_STARTTLS", "use required or optional");
	if (!strcmp(cfg->provider, "file")) {
		if (!cfg->default_from || !*cfg->default_from)
			cfg->default_from = "radsched <radsched@localhost>";
		if (!data_dir || !*data_dir)
			return err_set(ei, ERR_INVALID, "DATA_DIR", "the file mail provider needs the data directory");
		size_t n = strlen(data_dir) + sizeof "/outbox";
		*outbox_path = xmalloc(n);
		snprintf(*outbox_path, n, "%s/outbox", data_dir);
		cfg->outbox_dir = *outbox_path;
	}
	return ERR_OK;
}

static double mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void observe(const struct mail_provider *p, const struct mail_result *r, double seconds)
{
	char labels[96];
	snprintf(labels, sizeof labels, "provider=\"%s\",outcome=\"%s\"", p->ops->name, mail_outcome_name(r->outcome));
	metrics_observe(METRIC_SECONDS, labels, seconds);
}

/* One JSON log line per message. The recipient is reduced to its domain (no addresses in
 * production logs); correlation ids come from the thread's log context. */
static void log_send(const struct mail_provider *p, const struct mail_message *m, const struct mail_checked *c,
		     const struct mail_result *r, double seconds)
{
	char ms[32], status[16], code[16], retry[16];
	snprintf(ms, sizeof ms, "%.1f", seconds * 1000.0);
	snprintf(status, sizeof status, "%d", r->status);
	snprintf(code, sizeof code, "%d", r->provider_code);
	snprintf(retry, sizeof retry, "%d", r->retry_after_s);
	const char *domain = c && c->to.addr[0] ? strrchr(c->to.addr, '@') + 1 : "";
	enum log_level lvl = r->outcome == MAIL_SENT ? LOG_INFO : r->outcome == MAIL_RETRY ? LOG_WARN : LOG_ERROR;
	log_kv(lvl, r->outcome == MAIL_SENT ? "mail sent" : "mail not sent", "provider", p->ops->name, "outcome",
	       mail_outcome_name(r->outcome), "message_id", c ? c->message_id : m->message_id, "template", m->tag,
	       "stream", c ? c->stream : m->stream, "idempotency_key", m->idempotency_key, "provider_message_id",
	       r->provider_id, "to_domain", domain, "status", r->status ? status : NULL, "provider_code",
	       r->provider_code ? code : NULL, "retry_after_s", r->retry_after_s ? retry : NULL, "suppress",
	       r->suppress ? "true" : NULL, "duration_ms", ms, "error", r->error, NULL);
}

static enum err refuse(const struct mail_provider *p, const struct mail_message *m, struct mail_result *r,
		       enum err e, const struct errinfo *why)
{
	mail_result_set(r, MAIL_FAILED, e, "message refused before sending: %s%s%s", why->path,
			why->path[0] ? ": " : "", why->message);
	log_send(p, m, NULL, r, 0);
	return e;
}

enum err mail_provider_send(const struct mail_provider *p, const struct mail_message *m, struct mail_result *r,
			    struct errinfo *ei)
{
	memset(r, 0, sizeof *r);
	struct mail_checked c;
	struct errinfo why = {0};
	enum err e = mail_message_check(m, p->cfg.default_from, &c, &why);
	if (e) {
		refuse(p, m, r, e, &why);
		return err_set(ei, e, why.path, "%s", r->error);
	}
	double t0 = mono_now();
	e = p->ops->send(p, m, &c, r);
	double dt = mono_now() - t0;
	observe(p, r, dt);
	log_send(p, m, &c, r, dt);
	if (e)
		return err_set(ei, e, "", "%s", r->error);
	return ERR_OK;
}

enum err mail_provider_send_batch(const struct mail_provider *p, const struct mail_message *msgs, size_t n,
				  struct mail_result *results, struct errinfo *ei)
{
	if (n > MAIL_BATCH_MAX)
		return err_set(ei, ERR_TOO_LARGE, "", "at most %d messages per batch", MAIL_BATCH_MAX);
	size_t cap = n ? n : 1;
	struct arena *a = arena_new(0);
	struct mail_checked *cs = arena_alloc(a, cap * sizeof *cs);
	enum err *codes = arena_alloc(a, cap * sizeof *codes);
	const struct mail_message **okm = arena_alloc(a, cap * sizeof *okm);
	const struct mail_checked **okc = arena_alloc(a, cap * sizeof *okc);
	struct mail_result **okr = arena_alloc(a, cap * sizeof *okr);
	size_t *oki = arena_alloc(a, cap * sizeof *oki);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		memset(&results[i], 0, sizeof results[i]);
		struct errinfo why = {0};
		codes[i] = mail_message_check(&msgs[i], p->cfg.default_from, &cs[i], &why);
		if (codes[i]) {
			refuse(p, &msgs[i], &results[i], codes[i], &why);
			continue;
		}
		okm[k] = &msgs[i];
		okc[k] = &cs[i];
		okr[k] = &results[i];
		oki[k] = i;
		k++;
	}
	if (p->ops->send_batch && k > 0) {
		double t0 = mono_now();
		p->ops->send_batch(p, okm, okc, k, okr);
		double dt = mono_now() - t0;
		for (size_t j = 0; j < k; j++) {
			codes[oki[j]] = result_err(okr[j]);
			observe(p, okr[j], dt);
			log_send(p, okm[j], okc[j], okr[j], dt);
		}
	} else {
		for (size_t j = 0; j < k; j++) {
			double t0 = mono_now();
			codes[oki[j]] = p->ops->send(p, okm[j], okc[j], okr[j]);
			double dt = mono_now() - t0;
			observe(p, okr[j], dt);
			log_send(p, okm[j], okc[j], okr[j], dt);
		}
	}
	enum err first = ERR_OK;
	for (size_t i = 0; i < n && !first; i++)
		if (codes[i])
			first = err_set(ei, codes[i], "", "message %zu: %s", i, results[i].error);
	arena_free(a);
	return first;
}
