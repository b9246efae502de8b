/* ics_tzdb.h — read one zone of the system tz database (TZif files, RFC 8536) and
 * answer "which transitions happen between two instants". The directory is $TZDIR,
 * else /usr/share/zoneinfo. Times past the file's table come from its POSIX TZ footer
 * rule. Files with leap seconds ("right/…") are refused. Internal to src/ics; a loaded
 * zone is immutable, so several threads may read it. */
#ifndef RS_ICS_TZDB_H
#define RS_ICS_TZDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define ICS_TZID_MAX 64          /* longest IANA name is ~32 octets */
#define ICS_TZ_ABBR_MAX 16
#define ICS_TZ_TYPES_MAX 258     /* 256 from TZif + std/dst of the footer */
#define ICS_TZIF_MAX_BYTES (256 * 1024)

struct ics_tz_type {
	int32_t utoff; /* seconds east of UTC */
	bool isdst;
	char abbr[ICS_TZ_ABBR_MAX];
};

/* A POSIX rule date: Mm.w.d (kind 'M'), Jn (1..365, no Feb 29: 'J'), n (0..365: 'N');
 * time is local seconds after midnight, in the offset in effect before the change. */
struct ics_tz_rule_date {
	char kind;
	int m, w, d, n;
	int32_t time;
};

struct ics_tzdb_zone {
	char tzid[ICS_TZID_MAX + 1];
	struct ics_tz_type types[ICS_TZ_TYPES_MAX];
	size_t ntypes;
	int64_t *at;     /* table transitions, ascending */
	uint16_t *idx;   /* type index after each transition */
	size_t n;
	bool has_rule;   /* a footer rule governs times after the table */
	bool rule_dst;   /* that rule has daylight time */
	uint16_t std_type, dst_type;
	struct ics_tz_rule_date start, end; /* start of DST, end of DST */
};

/* One change of local time type at instant `at`. */
struct ics_tz_trans {
	int64_t at;
	uint16_t from, to;
};

/* true for names made of [A-Za-z0-9_+-] segments separated by '/', ≤ ICS_TZID_MAX. */
bool ics_tzid_valid(const char *tzid);

/* Load zone tzid. ERR_INVALID for a malformed name, ERR_NOT_FOUND when there is no such
 * zone, ERR_MALFORMED for a damaged file, ERR_UNSUPPORTED for leap-second files. The
 * zone owns heap arrays: release with ics_tzdb_zone_fini(). */
enum err ics_tzdb_load(const char *tzid, struct ics_tzdb_zone *z, struct errinfo *ei) RS_MUST_CHECK;
/* Parse TZif bytes (exposed for tests and fuzzing). */
enum err ics_tzdb_parse(const unsigned char *data, size_t len, struct ics_tzdb_zone *z,
			struct errinfo *ei) RS_MUST_CHECK;
void ics_tzdb_zone_fini(struct ics_tzdb_zone *z);

/* Index of the type in effect at instant t. */
uint16_t ics_tzdb_type_at(const struct ics_tzdb_zone *z, int64_t t);
/* Effective transitions with from < at <= to, changes that alter nothing dropped.
 * Returns their number; *out is heap (caller frees, NULL when 0). */
size_t ics_tzdb_range(const struct ics_tzdb_zone *z, int64_t from, int64_t to, struct ics_tz_trans **out);
/* The footer rule's two changes in year y, sorted by instant; 0 when the rule has no DST. */
int ics_tzdb_rule_year(const struct ics_tzdb_zone *z, int64_t y, struct ics_tz_trans out[2]);
/* Two types describe the same local time (offset, dst flag, abbreviation). */
bool ics_tz_type_same(const struct ics_tz_type *a, const struct ics_tz_type *b);

#endif
