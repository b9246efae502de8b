/* config_tz.h — is this an IANA time zone this machine knows?
 * Looks the name up under $TZDIR (default /usr/share/zoneinfo) and checks that the
 * file is a TZif file, so "America/Toronto" passes and "America/Totonto", "EST5",
 * directories and stray files fail. PostgreSQL does the real conversions. */
#ifndef RS_DOMAIN_CONFIG_TZ_H
#define RS_DOMAIN_CONFIG_TZ_H

#include <stdbool.h>

#include "base/err.h"

/* Name syntax only: "Area/City" components of [A-Za-z0-9_+-], letter first, at
 * most 64 bytes; no "." (so never a path outside the zone directory). */
bool config_timezone_name_ok(const char *name);

/* ERR_OK: a zone. ERR_INVALID: bad name syntax, or the file is not TZif.
 * ERR_NOT_FOUND: no such zone. ERR_UNSUPPORTED: no zone database on this machine. */
enum err config_timezone_check(const char *name, struct errinfo *ei) RS_MUST_CHECK;

#endif
