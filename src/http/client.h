/* client.h — a small blocking HTTP(S) client for calls to providers (Postmark, SendGrid,
 * Google, Stripe, OIDC, LLM APIs). libcurl is used here and in smtp_client.c only.
 *
 * One call = one request on a fresh connection; no redirects are followed; only http and
 * https are allowed. TLS peer and host verification are always on; the trust store is the
 * system's unless RADSCHED_CA_BUNDLE names a PEM file (tests with a private CA) or the
 * request gives ca_file. Safe to call from any number of threads at once (libcurl is
 * initialised once, signals are not used).
 *
 * An HTTP status (4xx, 5xx) is not an error of this layer: the caller classifies it.
 * Errors are transport failures: ERR_TIMEOUT, ERR_UPSTREAM (connect, TLS, reset: curl's
 * message in errinfo), ERR_TOO_LARGE (response over its cap), ERR_INVALID (bad request:
 * CR/LF in a header, unsupported scheme). */
#ifndef RS_HTTP_CLIENT_H
#define RS_HTTP_CLIENT_H

#include <stddef.h>
#include <time.h>

#include "base/arena.h"
#include "base/err.h"

#define HTTP_CLIENT_TIMEOUT_MS_DEFAULT 30000L
#define HTTP_CLIENT_CONNECT_TIMEOUT_MS_DEFAULT 10000L
#define HTTP_CLIENT_BODY_MAX_DEFAULT (1024u * 1024u) /* response body cap: 1 MiB */
#define HTTP_CLIENT_HEADERS_MAX 100                   /* response header lines kept */
#define HTTP_CLIENT_HEADER_BYTES_MAX (64u * 1024u)    /* response header bytes */
#define HTTP_CLIENT_CA_ENV "RADSCHED_CA_BUNDLE"

struct http_client_header {
	const char *name;
	const char *value;
};

struct http_client_request {
	const char *method;                /* "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD" */
	const char *url;                   /* http:// or https:// */
	const struct http_client_header *headers; /* sent as given; no CR/LF allowed */
	size_t nheaders;
	const void *body; /* NULL = no body */
	size_t body_len;
	long timeout_ms;         /* whole exchange; 0 = HTTP_CLIENT_TIMEOUT_MS_DEFAULT */
	long connect_timeout_ms; /* 0 = HTTP_CLIENT_CONNECT_TIMEOUT_MS_DEFAULT */
	size_t body_max;         /* response body cap; 0 = HTTP_CLIENT_BODY_MAX_DEFAULT */
	const char *ca_file;     /* PEM trust store; NULL = $RADSCHED_CA_BUNDLE or the system's */
};

struct http_client_response {
	long status;                 /* final HTTP status, 0 when none was received */
	char *body;                  /* NUL-terminated (binary safe with body_len); never NULL on success */
	size_t body_len;
	struct http_client_header *headers; /* of the final response, in order received */
	size_t nheaders;
	double elapsed_s; /* total time of the exchange */
};

/* Run one request. The response (body, headers) is allocated in arena a and lives as long
 * as it. On error *resp is zeroed except elapsed_s, and ei says what failed (curl's text). */
enum err http_client_do(struct arena *a, const struct http_client_request *req, struct http_client_response *resp,
			struct errinfo *ei) RS_MUST_CHECK;

/* Value of the last response header with this name (case-insensitive), or NULL. */
const char *http_client_header(const struct http_client_response *resp, const char *name);

/* Seconds to wait from the Retry-After header (delta-seconds or HTTP-date, relative to now),
 * clamped to [0, 86400]; -1 when the header is absent or unparseable. */
long http_client_retry_after(const struct http_client_response *resp, time_t now);

/* Copy url into out (size n) without user:password@ and without ?query / #fragment, for
 * error messages and logs (tokens sometimes travel in either). */
void http_url_redact(char *out, size_t n, const char *url);

/* Initialise libcurl once (idempotent, thread-safe). http_client_do calls it itself; call it
 * early from main if other threads start before the first request. */
void http_client_global_init(void);

#endif
