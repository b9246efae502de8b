#include "http/server.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/log.h"
#include "base/metrics.h"
#include "base/strutil.h"
#include "http/problem.h"
#include "http/trace.h"

struct http_server {
	struct http_server_config cfg;
	char *host;
	struct MHD_Daemon *daemon;
	uint16_t port;
	atomic_bool stopping;
	pthread_mutex_t mu;
	pthread_cond_t drained;
	unsigned inflight; /* under mu */
};

enum phase { PH_NEW, PH_BODY, PH_DONE };

/* One request's server-side state; lives in the request arena, created by the URI
 * callback and destroyed by the completion callback. */
struct conn_req {
	struct http_server *srv;
	struct arena *arena;
	const char *target;
	struct http_request *req;
	struct http_response res;
	enum phase phase;
	struct buf body;
	size_t discarded;
	bool too_large; /* body passed the cap; answer 413 once MHD lets us */
	bool recorded;  /* metrics and log line written */
	int64_t started_ns;
};

/* ---- metrics and the request log line ---------------------------------------------- */

void http_server_metrics_declare(void)
{
	metrics_declare(HTTP_METRIC_REQUESTS, METRIC_COUNTER, "HTTP requests by route, method and status.");
	metrics_declare(HTTP_METRIC_DURATION, METRIC_HISTOGRAM,
			"HTTP request duration from request line to response queued, in seconds.");
}

static const char *method_label(const char *m)
{
	static const char *const known[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
	for (size_t i = 0; m && i < sizeof known / sizeof known[0]; i++)
		if (!strcmp(m, known[i]))
			return known[i];
	return "other";
}

static void record(struct conn_req *c, int status, const char *outcome)
{
	if (c->recorded)
		return;
	c->recorded = true;
	struct http_request *req = c->req;
	const char *route = req ? http_router_label(req) : "unmatched";
	const char *method = method_label(req ? req->method : NULL);
	double secs = (double)(http_now_ns() - c->started_ns) / 1e9;
	char route_esc[256], labels[400];
	metrics_label_escape(route_esc, sizeof route_esc, route);
	snprintf(labels, sizeof labels, "route=\"%s\",method=\"%s\",status=\"%d\"", route_esc, method, status);
	metrics_counter_add(HTTP_METRIC_REQUESTS, labels, 1);
	snprintf(labels, sizeof labels, "route=\"%s\",method=\"%s\"", route_esc, method);
	metrics_observe(HTTP_METRIC_DURATION, labels, secs);

	uint64_t bytes = 0;
	if (status && status != 304 && !c->res.omit_body)
		bytes = c->res.fd_size ? c->res.fd_size : c->res.body_len; /* fd itself is MHD's by now */
	char st[16], dur[32], nbytes[32];
	snprintf(st, sizeof st, "%d", status);
	snprintf(dur, sizeof dur, "%.3f", secs * 1000);
	snprintf(nbytes, sizeof nbytes, "%llu", (unsigned long long)bytes);
	const char *path = req ? req->path : c->target;
	if (req && req->route && (req->route->flags & HTTP_ROUTE_REDACT_PATH))
		path = req->route->pattern;
	log_kv(status >= 500 || status == 0 ? LOG_WARN : LOG_INFO, "http request", "method",
	       req ? req->method : "", "route", route, "path", path ? path : "", "status", st,
	       "duration_ms", dur, "bytes", nbytes, "outcome", outcome, NULL);
}

/* ---- answering ----------------------------------------------------------------------- */

static enum MHD_Result queue(struct conn_req *c, struct MHD_Connection *con)
{
	struct http_server *s = c->srv;
	struct http_request *req = c->req;
	struct http_response *res = &c->res;
	char tp[56];
	http_traceparent_format(req, tp);
	/* request ids are [A-Za-z0-9._-] and traceparent is hex: both valid header values */
	RS_IGNORE(http_set_header(res, "X-Request-Id", req->request_id));
	RS_IGNORE(http_set_header(res, "traceparent", tp));
	http_response_secure(res, s->cfg.hsts);

	struct MHD_Response *mr;
	if (res->fd >= 0) {
		mr = MHD_create_response_from_fd64(res->fd_size, res->fd);
		if (mr)
			res->fd = -1; /* MHD closes it now */
	} else {
		mr = MHD_create_response_from_buffer(res->body_len, (void *)res->body, MHD_RESPMEM_PERSISTENT);
	}
	if (!mr) {
		record(c, 500, "response_failed");
		return MHD_NO;
	}
	for (const struct http_header *h = res->headers; h; h = h->next)
		if (MHD_add_response_header(mr, h->name, h->value) != MHD_YES)
			log_kv(LOG_WARN, "response header refused", "header", h->name, NULL);
	if (atomic_load(&s->stopping))
		(void)MHD_add_response_header(mr, MHD_HTTP_HEADER_CONNECTION, "close");
	/* MHD sends only after this callback returns, so the metrics and the log line are
	 * written before the client can see the answer. */
	enum MHD_Result r = MHD_queue_response(con, (unsigned)res->status, mr);
	MHD_destroy_response(mr);
	if (r == MHD_YES) {
		c->phase = PH_DONE;
		record(c, res->status, "answered");
	}
	return r;
}

/* Answer early (before or during the body) with a problem. Returns false when MHD does
 * not accept a response at this point. */
static bool problem_now(struct conn_req *c, struct MHD_Connection *con, int status, enum err code)
{
	http_response_init(&c->res, c->req);
	http_respond_problem_status(&c->res, status ? status : http_problem_status(code), code, NULL);
	return queue(c, con) == MHD_YES;
}

/* ---- the MHD callbacks ------------------------------------------------------------------ */

static void body_free(void *p) { buf_fini(p); }

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *con)
{
	(void)con;
	struct http_server *s = cls;
	struct arena *a = arena_new(s->cfg.arena_max);
	struct conn_req *c = arena_alloc(a, sizeof *c);
	c->srv = s;
	c->arena = a;
	c->target = arena_strdup(a, uri ? uri : "");
	c->started_ns = http_now_ns();
	c->res.fd = -1;
	buf_init(&c->body, s->cfg.body_max);
	arena_defer(a, body_free, &c->body);
	pthread_mutex_lock(&s->mu);
	s->inflight++;
	pthread_mutex_unlock(&s->mu);
	return c;
}

static void on_completed(void *cls, struct MHD_Connection *con, void **req_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)con;
	struct http_server *s = cls;
	struct conn_req *c = *req_cls;
	*req_cls = NULL;
	if (!c)
		return;
	if (!c->recorded) {
		static const char *const why[] = {"completed", "error", "timeout", "shutdown", "read_error", "client_abort"};
		if (c->req)
			http_trace_log_ctx_set(c->req);
		record(c, 0, (unsigned)toe < sizeof why / sizeof why[0] ? why[toe] : "aborted");
		log_ctx_clear();
	}
	arena_free(c->arena);
	pthread_mutex_lock(&s->mu);
	if (--s->inflight == 0)
		pthread_cond_broadcast(&s->drained);
	pthread_mutex_unlock(&s->mu);
}

static enum MHD_Result header_cb(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
				 const char *value, size_t value_size)
{
	(void)kind;
	struct conn_req *c = cls;
	struct http_request *req = c->req;
	if (req->err.code)
		return MHD_NO;
	if (memchr(key, 0, key_size) || (value && memchr(value, 0, value_size))) {
		RS_IGNORE(err_set(&req->err, ERR_MALFORMED, "", "NUL byte in a request header"));
		return MHD_NO;
	}
	enum err e = http_request_add_header(req, arena_strndup(c->arena, key, key_size),
					     value ? arena_strndup(c->arena, value, value_size) : "");
	return e ? MHD_NO : MHD_YES;
}

static void remote_addr(struct conn_req *c, struct MHD_Connection *con)
{
	struct http_request *req = c->req;
	const char *xff = c->srv->cfg.trust_forwarded_for ? http_header_get(req, "X-Forwarded-For") : NULL;
	if (xff) {
		const char *last = strrchr(xff, ',');
		last = last ? last + 1 : xff;
		while (*last == ' ')
			last++;
		snprintf(req->remote_addr, sizeof req->remote_addr, "%s", last);
		return;
	}
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(con, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, req->remote_addr,
			  sizeof req->remote_addr);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, req->remote_addr,
			  sizeof req->remote_addr);
}

/* First call: headers are in. Decide everything that does not need the body. */
static enum MHD_Result begin(struct conn_req *c, struct MHD_Connection *con, const char *method)
{
	struct http_server *s = c->srv;
	struct http_request *req = http_request_new(c->arena);
	c->req = req;
	http_response_init(&c->res, req);
	req->started_ns = c->started_ns;
	req->deadline_ns = c->started_ns + (int64_t)s->cfg.request_timeout_s * 1000000000;
	enum err target_err = http_request_set_target(req, method, c->target);
	struct errinfo target_ei = req->err;
	err_clear(&req->err);
	MHD_get_connection_values_n(con, MHD_HEADER_KIND, header_cb, c);
	enum err header_err = req->err.code;
	http_trace_begin(req, http_header_get(req, "X-Request-Id"), http_header_get(req, "traceparent"));
	http_trace_log_ctx_set(req);
	remote_addr(c, con);
	c->phase = PH_BODY;
	if (target_err || header_err) {
		if (target_err)
			req->err = target_ei;
		return problem_now(c, con, 0, target_err ? target_err : header_err) ? MHD_YES : MHD_NO;
	}
	const struct http_router *r = s->cfg.router;
	if (http_router_match(r, req) != HTTP_MATCH_OK) {
		req->route = NULL;
		http_router_dispatch(r, req, &c->res); /* writes the 404 / 405 problem */
		return queue(c, con);
	}
	const char *cl = http_header_get(req, "Content-Length");
	int64_t n;
	if (cl && str_to_i64(cl, 0, INT64_MAX, &n) && (uint64_t)n > s->cfg.body_max) {
		RS_IGNORE(err_set(&req->err, ERR_TOO_LARGE, "", "request body of %lld bytes is over the %zu-byte limit",
				  (long long)n, s->cfg.body_max));
		return problem_now(c, con, 0, ERR_TOO_LARGE) ? MHD_YES : MHD_NO;
	}
	return MHD_YES;
}

static enum MHD_Result body_chunk(struct conn_req *c, struct MHD_Connection *con, const char *data, size_t *size)
{
	struct http_request *req = c->req;
	size_t n = *size;
	*size = 0;
	if (c->phase == PH_DONE)
		return MHD_YES; /* answered early; MHD discards the rest */
	if (c->too_large) {
		c->discarded += n;
		/* MHD 0.9.75 accepts no response mid-upload: drain a bounded amount, then cut. */
		return c->discarded > c->srv->cfg.body_max ? MHD_NO : MHD_YES;
	}
	if (http_now_ns() > req->deadline_ns) {
		/* Too slow a client. No answer is possible mid-upload (MHD 0.9.75): close. */
		record(c, 0, "body_timeout");
		return MHD_NO;
	}
	if (buf_append(&c->body, data, n)) {
		RS_IGNORE(err_set(&req->err, ERR_TOO_LARGE, "", "request body is over the %zu-byte limit",
				  c->srv->cfg.body_max));
		if (!problem_now(c, con, 0, ERR_TOO_LARGE)) {
			c->too_large = true;
			c->discarded = n;
		}
	}
	return MHD_YES;
}

static enum MHD_Result finish(struct conn_req *c, struct MHD_Connection *con)
{
	struct http_request *req = c->req;
	if (c->too_large) {
		problem_now(c, con, 0, ERR_TOO_LARGE);
		return c->phase == PH_DONE ? MHD_YES : MHD_NO;
	}
	if (!c->body.data)
		RS_IGNORE(buf_puts(&c->body, "")); /* "" body, NUL-terminated */
	enum err e = http_request_set_body(req, c->body.data, c->body.len);
	if (e) {
		http_respond_problem(&c->res, e, NULL);
		return queue(c, con);
	}
	http_router_dispatch(c->srv->cfg.router, req, &c->res);
	return queue(c, con);
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *con, const char *url, const char *method,
				 const char *version, const char *upload_data, size_t *upload_data_size,
				 void **req_cls)
{
	(void)cls;
	(void)url;
	(void)version;
	struct conn_req *c = *req_cls;
	if (!c)
		return MHD_NO;
	enum MHD_Result r;
	if (c->phase == PH_NEW) {
		r = begin(c, con, method); /* sets the log context */
	} else {
		http_trace_log_ctx_set(c->req);
		if (*upload_data_size)
			r = body_chunk(c, con, upload_data, upload_data_size);
		else if (c->phase == PH_DONE)
			r = MHD_YES;
		else
			r = finish(c, con);
	}
	log_ctx_clear();
	return r;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char msg[512];
	vsnprintf(msg, sizeof msg, fmt, ap);
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = 0;
	log_kv(LOG_WARN, "libmicrohttpd", "detail", msg, NULL);
}

/* ---- lifecycle -------------------------------------------------------------------------- */

struct http_server *http_server_new(const struct http_server_config *cfg)
{
	struct http_server *s = xcalloc(1, sizeof *s);
	s->cfg = *cfg;
	s->host = xstrdup(cfg->host ? cfg->host : "127.0.0.1");
	s->cfg.host = s->host;
	if (!s->cfg.threads)
		s->cfg.threads = 4;
	if (!s->cfg.body_max)
		s->cfg.body_max = 1024 * 1024;
	if (!s->cfg.request_timeout_s)
		s->cfg.request_timeout_s = 30;
	if (!s->cfg.arena_max)
		s->cfg.arena_max = 16 * 1024 * 1024;
	if (!s->cfg.connection_memory)
		s->cfg.connection_memory = 64 * 1024;
	if (!s->cfg.max_connections)
		s->cfg.max_connections = 1024;
	if (!s->cfg.shutdown_grace_s)
		s->cfg.shutdown_grace_s = 30;
	pthread_mutex_init(&s->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->drained, &ca);
	pthread_condattr_destroy(&ca);
	return s;
}

enum err http_server_start(struct http_server *s, struct errinfo *ei)
{
	if (s->daemon)
		return ERR_OK;
	if (!s->cfg.router)
		return err_set(ei, ERR_INVALID, "router", "the HTTP server needs a router");
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
	struct addrinfo *ai = NULL;
	char port[8];
	snprintf(port, sizeof port, "%u", (unsigned)s->cfg.port);
	int gai = getaddrinfo(s->host, port, &hints, &ai);
	if (gai || !ai)
		return err_set(ei, ERR_INVALID, "host", "cannot resolve listen host %s: %s", s->host, gai_strerror(gai));
	struct sockaddr_storage ss;
	memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
	if (ai->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	freeaddrinfo(ai);
	http_server_metrics_declare();
	atomic_store(&s->stopping, false);
	s->daemon = MHD_start_daemon(
		flags, s->cfg.port, NULL, NULL, on_access, s,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, /* first, so MHD logs nothing itself */
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned)s->cfg.threads,
		MHD_OPTION_STRICT_FOR_CLIENT, (int)1,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)s->cfg.request_timeout_s,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)s->cfg.connection_memory,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)s->cfg.max_connections,
		MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
		MHD_OPTION_END);
	if (!s->daemon)
		return err_set(ei, ERR_IO, "listen", "cannot listen on %s:%u (address in use or not permitted)",
			       s->host, (unsigned)s->cfg.port);
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	s->port = di ? di->port : s->cfg.port;
	char pbuf[8];
	snprintf(pbuf, sizeof pbuf, "%u", (unsigned)s->port);
	log_kv(LOG_INFO, "http server listening", "host", s->host, "port", pbuf, NULL);
	return ERR_OK;
}

uint16_t http_server_port(const struct http_server *s) { return s && s->daemon ? s->port : 0; }

bool http_server_is_stopping(const struct http_server *s) { return atomic_load(&s->stopping); }

unsigned http_server_inflight(const struct http_server *s)
{
	pthread_mutex_lock((pthread_mutex_t *)&s->mu);
	unsigned n = s->inflight;
	pthread_mutex_unlock((pthread_mutex_t *)&s->mu);
	return n;
}

void http_server_stop(struct http_server *s)
{
	if (!s || !s->daemon)
		return;
	atomic_store(&s->stopping, true);
	MHD_socket lfd = MHD_quiesce_daemon(s->daemon);
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += s->cfg.shutdown_grace_s;
	pthread_mutex_lock(&s->mu);
	while (s->inflight > 0)
		if (pthread_cond_timedwait(&s->drained, &s->mu, &until))
			break;
	unsigned left = s->inflight;
	pthread_mutex_unlock(&s->mu);
	if (left) {
		char n[16];
		snprintf(n, sizeof n, "%u", left);
		log_kv(LOG_WARN, "http server stop: grace period over, closing in-flight requests", "inflight", n, NULL);
	}
	MHD_stop_daemon(s->daemon);
	s->daemon = NULL;
	if (lfd != MHD_INVALID_SOCKET)
		close(lfd);
	log_kv(LOG_INFO, "http server stopped", NULL);
}

void http_server_free(struct http_server *s)
{
	if (!s)
		return;
	http_server_stop(s);
	pthread_cond_destroy(&s->drained);
	pthread_mutex_destroy(&s->mu);
	free(s->host);
	free(s);
}
