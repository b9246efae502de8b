/* metrics_handler.h — a route handler serving base/metrics.h in the Prometheus text
 * format. The application registers it with the min_role it wants (an operator role,
 * or a separate internal listener). */
#ifndef RS_HTTP_METRICS_HANDLER_H
#define RS_HTTP_METRICS_HANDLER_H

#include "http/request.h"
#include "http/response.h"

/*   {.method = "GET", .pattern = "/metrics", .min_role = ROLE_OPERATOR,
 *    .handler = http_metrics_handler}                                       */
enum err http_metrics_handler(struct http_request *req, struct http_response *res);

#endif
