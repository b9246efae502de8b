#include "http/metrics_handler.h"

#include "base/arena.h"
#include "base/buf.h"
#include "base/metrics.h"

#define METRICS_BODY_MAX (8 * 1024 * 1024)

enum err http_metrics_handler(struct http_request *req, struct http_response *res)
{
	struct buf b;
	buf_init(&b, METRICS_BODY_MAX);
	enum err e = metrics_render(&b);
	if (e) {
		buf_fini(&b);
		return err_set(&req->err, e, "", "metrics text is over %d bytes", METRICS_BODY_MAX);
	}
	char *body = arena_strndup(req->arena, b.data ? b.data : "", b.len);
	size_t len = b.len;
	buf_fini(&b);
	http_respond_body(res, 200, "text/plain; version=0.0.4; charset=utf-8", body, len);
	return ERR_OK;
}
