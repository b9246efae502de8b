/* trace.h — request ids and W3C Trace Context (traceparent version 00) for the server
 * span of a request, and the log context that carries them to every log line. */
#ifndef RS_HTTP_TRACE_H
#define RS_HTTP_TRACE_H

#include <stdbool.h>

struct http_request;

/* true when s is 1..64 chars of [A-Za-z0-9._-] (an X-Request-Id we accept). */
bool http_request_id_valid(const char *s);

/* Strict version-00 traceparent: "00-<32 lowercase hex, not all 0>-<16 lowercase hex,
 * not all 0>-<2 lowercase hex>", exactly 55 chars. Fills the out-parameters only on
 * success. */
bool http_traceparent_parse(const char *s, char trace_id[33], char parent_id[17], unsigned char *flags);

/* Fill req->request_id (header value when valid, else a fresh 32-hex id) and the trace
 * fields (continue a valid traceparent, else start a new sampled trace); the server span
 * always gets a fresh span_id. Either header may be NULL. */
void http_trace_begin(struct http_request *req, const char *request_id_header, const char *traceparent_header);

/* "00-<trace_id>-<span_id>-<flags>" of the server span, for the response header and for
 * outbound calls made on the request's behalf. */
void http_traceparent_format(const struct http_request *req, char out[56]);

/* Copy request_id/trace_id/span_id into this thread's log context (base/log.h) for the
 * handler's duration; the server clears it afterwards with log_ctx_clear(). */
void http_trace_log_ctx_set(const struct http_request *req);

#endif
