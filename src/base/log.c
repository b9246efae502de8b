#include "base/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/strutil.h"

static enum log_level min_level = LOG_INFO;
static int out_fd = 2;
static _Thread_local struct log_ctx ctx;

void log_set_level(enum log_level min) { min_level = min; }
void log_set_stream(int fd) { out_fd = fd; }
struct log_ctx *log_ctx_get(void) { return &ctx; }
void log_ctx_clear(void) { memset(&ctx, 0, sizeof ctx); }

static const char *level_name(enum log_level l)
{
	switch (l) {
	case LOG_DEBUG: return "debug";
	case LOG_INFO: return "info";
	case LOG_WARN: return "warn";
	default: return "error";
	}
}

static void field(struct buf *b, const char *k, const char *v)
{
	if (!v || !*v)
		return;
	RS_IGNORE(buf_printf(b, ",\"%s\":", k));
	RS_IGNORE(str_json_escape(b, v));
}

static void emit(enum log_level lvl, const char *message, va_list *kv)
{
	if (lvl < min_level)
		return;
	struct buf b;
	buf_init(&b, 64 * 1024);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char when[40];
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
	RS_IGNORE(buf_printf(&b, "{\"ts\":\"%s.%03ldZ\",\"level\":\"%s\",\"message\":", when,
			 ts.tv_nsec / 1000000, level_name(lvl)));
	RS_IGNORE(str_json_escape(&b, message));
	field(&b, "request_id", ctx.request_id);
	field(&b, "trace_id", ctx.trace_id);
	field(&b, "span_id", ctx.span_id);
	field(&b, "tenant_id", ctx.tenant_id);
	field(&b, "user_id", ctx.user_id);
	field(&b, "job_id", ctx.job_id);
	field(&b, "job_kind", ctx.job_kind);
	if (ctx.attempt)
		RS_IGNORE(buf_printf(&b, ",\"attempt\":%d", ctx.attempt));
	if (kv) {
		const char *k;
		while ((k = va_arg(*kv, const char *))) {
			const char *v = va_arg(*kv, const char *);
			field(&b, k, v);
		}
	}
	RS_IGNORE(buf_puts(&b, "}\n"));
	ssize_t off = 0;
	while ((size_t)off < b.len) {
		ssize_t w = write(out_fd, b.data + off, b.len - (size_t)off);
		if (w <= 0)
			break;
		off += w;
	}
	buf_fini(&b);
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	if (lvl < min_level)
		return;
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	emit(lvl, msg, NULL);
}

void log_kv(enum log_level lvl, const char *message, ...)
{
	va_list ap;
	va_start(ap, message);
	emit(lvl, message, &ap);
	va_end(ap);
}
