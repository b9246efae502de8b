#include "http/smtp_client.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/arena.h"
#include "http/client.h"

struct reader {
	const char *p;
	size_t left;
};

static size_t on_read(char *dst, size_t size, size_t n, void *arg)
{
	struct reader *r = arg;
	size_t want = size * n;
	if (want > r->left)
		want = r->left;
	memcpy(dst, r->p, want);
	r->p += want;
	r->left -= want;
	return want;
}

bool smtp_tls_parse(const char *s, enum smtp_tls *out)
{
	if (!s || !*s || !strcasecmp(s, "required")) {
		*out = SMTP_TLS_REQUIRED;
		return true;
	}
	if (!strcasecmp(s, "optional")) {
		*out = SMTP_TLS_OPTIONAL;
		return true;
	}
	return false;
}

/* An envelope address is a bare addr-spec: no brackets, no whitespace or control bytes. */
static bool envelope_addr_ok(const char *s, bool allow_empty)
{
	if (!s)
		return false;
	if (!*s)
		return allow_empty;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= 0x20 || *p == 0x7f || *p == '<' || *p == '>')
			return false;
	return strchr(s, '@') != NULL;
}

static enum err classify(CURLcode rc, long code, const char *full_url, const char *msg, struct errinfo *ei)
{
	char url[256];
	http_url_redact(url, sizeof url, full_url);
	const char *text = msg && *msg ? msg : curl_easy_strerror(rc);
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		return err_set(ei, ERR_TIMEOUT, "", "%s: %s", url, text);
	case CURLE_LOGIN_DENIED:
		return err_set(ei, ERR_UNAUTHORIZED, "", "%s: authentication refused (%ld): %s", url, code, text);
	case CURLE_USE_SSL_FAILED:
		return err_set(ei, ERR_PRECONDITION, "", "%s: the server does not offer STARTTLS, which is required: %s",
			       url, text);
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
		return err_set(ei, ERR_PRECONDITION, "", "%s: TLS certificate not trusted: %s", url, text);
	default:
		break;
	}
	if (code >= 500 && code < 600)
		return err_set(ei, ERR_UPSTREAM_PERM, "", "%s: refused with %ld: %s", url, code, text);
	return err_set(ei, ERR_UPSTREAM, "", "%s: %s (reply %ld, curl %d)", url, text, code, (int)rc);
}

enum err smtp_client_send(const struct smtp_config *cfg, const char *mail_from, const char *const *rcpt,
			  size_t nrcpt, const char *data, size_t len, struct smtp_status *st, struct errinfo *ei)
{
	struct smtp_status ignored;
	if (!st)
		st = &ignored;
	st->reply_code = 0;
	st->stage = SMTP_AT_UNKNOWN;
	if (!cfg->url || (strncasecmp(cfg->url, "smtp://", 7) && strncasecmp(cfg->url, "smtps://", 8)))
		return err_set(ei, ERR_INVALID, "smtp_url", "SMTP URL must start with smtp:// or smtps://");
	if (!envelope_addr_ok(mail_from, true))
		return err_set(ei, ERR_INVALID, "mail_from", "envelope sender is not a bare address");
	if (nrcpt == 0 || nrcpt > SMTP_CLIENT_RCPT_MAX)
		return err_set(ei, ERR_INVALID, "rcpt", "between 1 and %d recipients per message",
			       SMTP_CLIENT_RCPT_MAX);
	for (size_t i = 0; i < nrcpt; i++)
		if (!envelope_addr_ok(rcpt[i], false))
			return err_set(ei, ERR_INVALID, "rcpt", "recipient %zu is not a bare address", i);
	bool auth = cfg->username && *cfg->username;
	if (auth && (strpbrk(cfg->username, "\r\n") || (cfg->password && strpbrk(cfg->password, "\r\n"))))
		return err_set(ei, ERR_INVALID, "smtp_user", "SMTP credentials contain a line break");

	http_client_global_init();
	CURL *c = curl_easy_init();
	if (!c)
		abort();
	struct arena *a = arena_new(0);
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *rl = NULL;
	for (size_t i = 0; i < nrcpt; i++)
		rl = curl_slist_append(rl, arena_sprintf(a, "<%s>", rcpt[i]));
	if (!rl)
		abort();
	struct reader rd = {data, len};
	const char *ca = cfg->ca_file ? cfg->ca_file : getenv(HTTP_CLIENT_CA_ENV);

	curl_easy_setopt(c, CURLOPT_URL, cfg->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_USE_SSL, (long)(cfg->tls == SMTP_TLS_OPTIONAL ? CURLUSESSL_TRY : CURLUSESSL_ALL));
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (ca && *ca)
		curl_easy_setopt(c, CURLOPT_CAINFO, ca);
	if (auth) {
		curl_easy_setopt(c, CURLOPT_USERNAME, cfg->username);
		curl_easy_setopt(c, CURLOPT_PASSWORD, cfg->password ? cfg->password : "");
	}
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, arena_sprintf(a, "<%s>", mail_from));
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rl);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(c, CURLOPT_READDATA, &rd);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, cfg->timeout_ms > 0 ? cfg->timeout_ms : SMTP_CLIENT_TIMEOUT_MS_DEFAULT);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, HTTP_CLIENT_CONNECT_TIMEOUT_MS_DEFAULT);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);

	CURLcode rc = curl_easy_perform(c);
	long code = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	st->reply_code = code;
	/* libcurl says which command was refused only in its error text ("RCPT failed: 550") */
	if (!strncmp(errbuf, "MAIL", 4))
		st->stage = SMTP_AT_MAIL;
	else if (!strncmp(errbuf, "RCPT", 4))
		st->stage = SMTP_AT_RCPT;
	else if (!strncmp(errbuf, "DATA", 4) || rc == CURLE_WEIRD_SERVER_REPLY)
		st->stage = SMTP_AT_DATA;
	enum err e = rc == CURLE_OK ? ERR_OK : classify(rc, code, cfg->url, errbuf, ei);
	curl_slist_free_all(rl);
	curl_easy_cleanup(c);
	arena_free(a);
	return e;
}
