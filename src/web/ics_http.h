/* ics_http.h — HTTP details of the feed routes (src/web/ics_feed.c, calendar.c): dates in
 * IMF-fixdate form, entity-tag lists, the feed metrics. */
#ifndef RS_WEB_ICS_HTTP_H
#define RS_WEB_ICS_HTTP_H

#include <stdbool.h>
#include <stdint.h>

/* "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 9110 §5.6.7) into out (at least 30 bytes). */
void ics_http_date_format(int64_t t, char out[32]);
/* Parse the three HTTP date forms (IMF-fixdate, RFC 850, asctime); false when it is none. */
bool ics_http_date_parse(const char *s, int64_t *out);
void ics_http_declare_metrics(void);

#endif
