/* json_format.h — JSON Schema "format" assertions used by json_schema.c:
 * "date" (RFC 3339 full-date, real calendar days), "time" (RFC 3339 full-time, offset
 * required), "email" (dot-atom local part @ a host name with at least two labels). */
#ifndef RS_JSON_FORMAT_H
#define RS_JSON_FORMAT_H

#include <stdbool.h>

bool json_format_known(const char *format);
/* true when s satisfies format; unknown formats are the caller's error (see known). */
bool json_format_check(const char *format, const char *s);

#endif
