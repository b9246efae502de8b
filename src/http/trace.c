#include "http/trace.h"

#include <stdio.h>
#include <string.h>

#include "base/ids.h"
#include "base/log.h"
#include "http/request.h"

bool http_request_id_valid(const char *s)
{
	if (!s)
		return false;
	size_t n = 0;
	for (; s[n]; n++) {
		char c = s[n];
		bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			  c == '.' || c == '_' || c == '-';
		if (!ok || n >= HTTP_REQUEST_ID_MAX)
			return false;
	}
	return n >= 1;
}

/* n lowercase hex digits at s; *nonzero set when any digit is not '0'. */
static bool lower_hex(const char *s, size_t n, bool *nonzero)
{
	bool nz = false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
		nz |= c != '0';
	}
	if (nonzero)
		*nonzero = nz;
	return true;
}

bool http_traceparent_parse(const char *s, char trace_id[33], char parent_id[17], unsigned char *flags)
{
	bool tnz, pnz;
	if (!s || strlen(s) != 55 || strncmp(s, "00-", 3) || s[35] != '-' || s[52] != '-')
		return false;
	if (!lower_hex(s + 3, 32, &tnz) || !lower_hex(s + 36, 16, &pnz) || !lower_hex(s + 53, 2, NULL))
		return false;
	if (!tnz || !pnz)
		return false;
	memcpy(trace_id, s + 3, 32);
	trace_id[32] = 0;
	memcpy(parent_id, s + 36, 16);
	parent_id[16] = 0;
	unsigned v = 0;
	sscanf(s + 53, "%2x", &v);
	*flags = (unsigned char)v;
	return true;
}

void http_trace_begin(struct http_request *req, const char *request_id_header, const char *traceparent_header)
{
	if (http_request_id_valid(request_id_header))
		snprintf(req->request_id, sizeof req->request_id, "%s", request_id_header);
	else
		ids_hex(req->request_id, 16);
	if (!http_traceparent_parse(traceparent_header, req->trace_id, req->parent_span_id, &req->trace_flags)) {
		do
			ids_hex(req->trace_id, 16);
		while (!strcmp(req->trace_id, "00000000000000000000000000000000"));
		req->parent_span_id[0] = 0;
		req->trace_flags = 0x01;
	}
	do
		ids_hex(req->span_id, 8);
	while (!strcmp(req->span_id, "0000000000000000"));
}

void http_traceparent_format(const struct http_request *req, char out[56])
{
	snprintf(out, 56, "00-%s-%s-%02x", req->trace_id, req->span_id, req->trace_flags);
}

void http_trace_log_ctx_set(const struct http_request *req)
{
	struct log_ctx *c = log_ctx_get();
	/* log_ctx.request_id holds 63 chars; a 64-char id is truncated in log lines only. */
	snprintf(c->request_id, sizeof c->request_id, "%s", req->request_id);
	snprintf(c->trace_id, sizeof c->trace_id, "%s", req->trace_id);
	snprintf(c->span_id, sizeof c->span_id, "%s", req->span_id);
}
