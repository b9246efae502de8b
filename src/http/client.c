#include "http/client.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"

static pthread_once_t global_once = PTHREAD_ONCE_INIT;

static void global_init_once(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		abort(); /* only fails on out-of-memory or a broken TLS library */
}

void http_client_global_init(void) { pthread_once(&global_once, global_init_once); }

struct resp_hdr {
	struct resp_hdr *next;
	char *name, *value;
};

struct xfer {
	struct arena *a;
	struct buf body;
	bool body_too_large;
	struct resp_hdr *hdrs, **tail; /* headers of the latest response */
	size_t nhdrs, hdr_bytes;
	bool hdr_too_large;
	long status_seen;
};

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	size_t len = size * n;
	if (buf_append(&x->body, p, len) != ERR_OK) {
		x->body_too_large = true;
		return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
	}
	return len;
}

static char *trim_dup(struct arena *a, const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	return arena_strndup(a, s, n);
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	size_t len = size * n;
	x->hdr_bytes += len;
	if (x->hdr_bytes > HTTP_CLIENT_HEADER_BYTES_MAX) {
		x->hdr_too_large = true;
		return 0;
	}
	if (len >= 5 && !memcmp(p, "HTTP/", 5)) {
		/* a new response (after 100 Continue, say): forget the previous headers */
		x->hdrs = NULL;
		x->tail = &x->hdrs;
		x->nhdrs = 0;
		return len;
	}
	const char *colon = memchr(p, ':', len);
	if (!colon || colon == p)
		return len; /* blank line ending the block, or an obs-fold continuation: ignored */
	if (x->nhdrs >= HTTP_CLIENT_HEADERS_MAX) {
		x->hdr_too_large = true;
		return 0;
	}
	struct resp_hdr *h = arena_alloc(x->a, sizeof *h);
	h->name = trim_dup(x->a, p, (size_t)(colon - p));
	h->value = trim_dup(x->a, colon + 1, len - (size_t)(colon - p) - 1);
	*x->tail = h;
	x->tail = &h->next;
	x->nhdrs++;
	return len;
}

static bool has_crlf(const char *s) { return s && strpbrk(s, "\r\n") != NULL; }

static enum err check_request(const struct http_client_request *req, struct errinfo *ei)
{
	if (!req->url || !req->method || !*req->method)
		return err_set(ei, ERR_INVALID, "url", "http request needs a method and a URL");
	if (strncasecmp(req->url, "http://", 7) && strncasecmp(req->url, "https://", 8))
		return err_set(ei, ERR_INVALID, "url", "only http:// and https:// URLs are allowed");
	if (has_crlf(req->url) || has_crlf(req->method) || strchr(req->url, ' '))
		return err_set(ei, ERR_INVALID, "url", "URL or method contains whitespace or a line break");
	for (size_t i = 0; i < req->nheaders; i++) {
		const struct http_client_header *h = &req->headers[i];
		if (!h->name || !*h->name || !h->value || has_crlf(h->name) || has_crlf(h->value) ||
		    strchr(h->name, ':'))
			return err_set(ei, ERR_INVALID, "headers", "header %zu: empty name, ':' in the name or CR/LF",
				       i);
	}
	return ERR_OK;
}

void http_url_redact(char *out, size_t n, const char *url)
{
	if (!n)
		return;
	const char *p = url ? url : "";
	const char *scheme_end = strstr(p, "://");
	size_t o = 0;
	const char *host = p;
	if (scheme_end) {
		host = scheme_end + 3;
		size_t auth_len = strcspn(host, "/?#");
		const char *at = memchr(host, '@', auth_len);
		size_t sl = (size_t)(host - p);
		if (sl >= n)
			sl = n - 1;
		memcpy(out, p, sl);
		o = sl;
		if (at)
			host = at + 1;
	}
	size_t keep = strcspn(host, "?#");
	if (keep > n - 1 - o)
		keep = n - 1 - o;
	memcpy(out + o, host, keep);
	out[o + keep] = 0;
}

static enum err map_curl_error(CURLcode rc, const struct xfer *x, const char *full_url, const char *msg,
			       struct errinfo *ei)
{
	char url[256];
	http_url_redact(url, sizeof url, full_url);
	if (x->body_too_large)
		return err_set(ei, ERR_TOO_LARGE, "", "response body from %s is over its cap of %zu bytes", url,
			       x->body.max);
	if (x->hdr_too_large)
		return err_set(ei, ERR_TOO_LARGE, "", "response headers from %s are over their cap", url);
	const char *text = msg && *msg ? msg : curl_easy_strerror(rc);
	if (rc == CURLE_OPERATION_TIMEDOUT)
		return err_set(ei, ERR_TIMEOUT, "", "%s: %s", url, text);
	return err_set(ei, ERR_UPSTREAM, "", "%s: %s (curl %d)", url, text, (int)rc);
}

enum err http_client_do(struct arena *a, const struct http_client_request *req, struct http_client_response *resp,
			struct errinfo *ei)
{
	memset(resp, 0, sizeof *resp);
	enum err e = check_request(req, ei);
	if (e)
		return e;
	http_client_global_init();

	CURL *c = curl_easy_init();
	if (!c)
		abort();
	struct xfer x = {.a = a};
	x.tail = &x.hdrs;
	buf_init(&x.body, req->body_max ? req->body_max : HTTP_CLIENT_BODY_MAX_DEFAULT);
	char errbuf[CURL_ERROR_SIZE] = "";

	struct curl_slist *hl = NULL;
	/* no "Expect: 100-continue" round trip; the caller's headers follow */
	hl = curl_slist_append(hl, "Expect:");
	for (size_t i = 0; i < req->nheaders; i++) {
		char *line = arena_sprintf(a, "%s: %s", req->headers[i].name, req->headers[i].value);
		hl = curl_slist_append(hl, line);
	}
	if (!hl)
		abort();

	const char *ca = req->ca_file ? req->ca_file : getenv(HTTP_CLIENT_CA_ENV);
	curl_easy_setopt(c, CURLOPT_URL, req->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (ca && *ca)
		curl_easy_setopt(c, CURLOPT_CAINFO, ca);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, req->timeout_ms > 0 ? req->timeout_ms : HTTP_CLIENT_TIMEOUT_MS_DEFAULT);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
			 req->connect_timeout_ms > 0 ? req->connect_timeout_ms : HTTP_CLIENT_CONNECT_TIMEOUT_MS_DEFAULT);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "radsched (libcurl)");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &x);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &x);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, ""); /* whatever this libcurl decodes */

	if (!strcmp(req->method, "HEAD")) {
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	} else if (req->body || strcmp(req->method, "GET")) {
		if (req->body || !strcmp(req->method, "POST")) {
			curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(req->body ? req->body_len : 0));
			curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body ? (const char *)req->body : "");
		}
		if (strcmp(req->method, "POST"))
			curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
	}

	CURLcode rc = curl_easy_perform(c);
	double total = 0;
	curl_easy_getinfo(c, CURLINFO_TOTAL_TIME, &total);
	resp->elapsed_s = total;
	if (rc != CURLE_OK) {
		e = map_curl_error(rc, &x, req->url, errbuf, ei);
	} else {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
		size_t blen;
		resp->body = buf_steal(&x.body, &blen);
		resp->body_len = blen;
		arena_defer(a, free, resp->body);
		resp->headers = arena_alloc(a, (x.nhdrs ? x.nhdrs : 1) * sizeof *resp->headers);
		size_t i = 0;
		for (struct resp_hdr *h = x.hdrs; h; h = h->next, i++) {
			resp->headers[i].name = h->name;
			resp->headers[i].value = h->value;
		}
		resp->nheaders = i;
	}
	buf_fini(&x.body);
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	return e;
}

const char *http_client_header(const struct http_client_response *resp, const char *name)
{
	const char *v = NULL;
	for (size_t i = 0; i < resp->nheaders; i++)
		if (!strcasecmp(resp->headers[i].name, name))
			v = resp->headers[i].value;
	return v;
}

long http_client_retry_after(const struct http_client_response *resp, time_t now)
{
	const char *v = http_client_header(resp, "Retry-After");
	if (!v || !*v)
		return -1;
	long secs;
	if (*v >= '0' && *v <= '9') {
		char *end;
		unsigned long long n = strtoull(v, &end, 10);
		if (*end)
			return -1;
		secs = n > 86400 ? 86400 : (long)n;
	} else {
		time_t t = curl_getdate(v, NULL);
		if (t == (time_t)-1)
			return -1;
		secs = t <= now ? 0 : (t - now > 86400 ? 86400 : (long)(t - now));
	}
	return secs;
}
