/* server.h — the HTTP server (libmicrohttpd, internal thread pool + epoll, strict mode;
 * bodies parsed by us, never MHD_PostProcessor). Per request: an arena, a request id
 * (X-Request-Id echoed or generated), a W3C traceparent (continued or started; returned),
 * the log context set for the handler, one JSON log line, and the metrics
 *   radsched_http_requests_total{route,method,status}
 *   radsched_http_request_duration_seconds{route,method}   (histogram)
 * Bodies: Content-Length over the cap → 413 before reading the body; chunked bodies are
 * capped while they arrive. Every response carries the security headers
 * (http_response_secure). The router must not change while the server runs. */
#ifndef RS_HTTP_SERVER_H
#define RS_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "http/router.h"

#define HTTP_METRIC_REQUESTS "radsched_http_requests_total"
#define HTTP_METRIC_DURATION "radsched_http_request_duration_seconds"

struct http_server_config {
	const char *host;            /* listen address, name or literal; NULL = "127.0.0.1" */
	uint16_t port;               /* 0 = pick a free port (see http_server_port) */
	unsigned threads;            /* worker threads; 0 = 4 */
	size_t body_max;             /* request body cap in bytes; 0 = 1 MiB */
	unsigned request_timeout_s;  /* idle connection timeout, and deadline for receiving the
				      * whole request (past it the connection is closed); exposed
				      * to handlers as req->deadline_ns; 0 = 30 */
	size_t arena_max;            /* per-request arena cap for input-driven allocations
				      * (arena_try_alloc); 0 = 16 MiB */
	size_t connection_memory;    /* MHD per-connection memory (request line + headers);
				      * 0 = 64 KiB */
	unsigned max_connections;    /* 0 = 1024 */
	unsigned shutdown_grace_s;   /* longest wait for in-flight requests on stop; 0 = 30 */
	bool hsts;                   /* the public base URL is https: send Strict-Transport-Security */
	bool trust_forwarded_for;    /* behind our nginx: remote_addr = last X-Forwarded-For entry */
	const struct http_router *router; /* required, not owned, outlives the server */
};

struct http_server;

/* Copy the config (defaults filled in); no socket yet. */
struct http_server *http_server_new(const struct http_server_config *cfg);
/* Bind and start serving. ERR_IO (detail in *ei) when the address cannot be bound,
 * ERR_INVALID when the config has no router or an unresolvable host. */
enum err http_server_start(struct http_server *s, struct errinfo *ei) RS_MUST_CHECK;
/* The bound port (the picked one when the config said 0); 0 when not started. */
uint16_t http_server_port(const struct http_server *s);
/* Graceful: stop accepting, let in-flight requests finish (at most shutdown_grace_s),
 * then close every connection. Idempotent; returns when the server is stopped. */
void http_server_stop(struct http_server *s);
/* true from the moment stop began (tests and health checks). */
bool http_server_is_stopping(const struct http_server *s);
/* Requests received and not yet completed. */
unsigned http_server_inflight(const struct http_server *s);
/* Stops if needed, then frees. NULL is fine. */
void http_server_free(struct http_server *s);

/* Declare the two metric families (idempotent; http_server_start does it). */
void http_server_metrics_declare(void);

#endif
