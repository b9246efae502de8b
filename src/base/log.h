/* log.h — structured JSON logs, one object per line on stderr.
 * Correlation fields come from the calling thread's log context (set by the HTTP
 * server per request and by the worker per job), so every line of a request or job
 * carries request_id, trace_id, span_id, tenant_id, user_id, job_id, job_kind, attempt.
 * Extra fields: log_kv(LOG_INFO, "email sent", "template", t, "message_id", id, NULL). */
#ifndef RS_BASE_LOG_H
#define RS_BASE_LOG_H

#include "base/err.h"

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

struct log_ctx {
	char request_id[65];
	char trace_id[33];
	char span_id[17];
	char tenant_id[37];
	char user_id[37];
	char job_id[37];
	char job_kind[48];
	int attempt; /* 0 = not a job */
};

void log_set_level(enum log_level min);
void log_set_stream(int fd); /* default 2 (stderr) */
/* The calling thread's context; never NULL. Clear it with log_ctx_clear(). */
struct log_ctx *log_ctx_get(void);
void log_ctx_clear(void);

void log_msg(enum log_level lvl, const char *fmt, ...) RS_PRINTF(2, 3);
/* Message plus NULL-terminated key, value string pairs. */
void log_kv(enum log_level lvl, const char *message, ...) __attribute__((sentinel));

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
