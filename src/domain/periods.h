/* periods.h — scheduling periods: a named date range, draft until first published.
 * A period as the API shows it: {id, name, startDate, endDate, status, configVersion,
 * assignmentCount, publication: {number, contentHash, publishedAt, publishedBy} | null,
 * unpublishedChanges, createdAt, updatedAt}. Periods of one tenant never overlap. A period
 * that was ever published cannot be deleted (its publications are immutable history). */
#ifndef RS_DOMAIN_PERIODS_H
#define RS_DOMAIN_PERIODS_H

#include <jansson.h>

#include "db/db.h"
#include "domain/dbjson.h"
#include "domain/problems.h"

#define PERIOD_MAX_DAYS 401

struct period_filter {
	const char *status; /* "draft", "published" or NULL */
	const char *from;   /* periods ending on or after this day; NULL = any */
	const char *to;     /* periods starting on or before this day; NULL = any */
};

enum err period_get(struct db *db, struct arena *a, const char *id, json_t **out, struct errinfo *ei) RS_MUST_CHECK;
/* Newest first (by start date). */
enum err period_list(struct db *db, struct arena *a, const struct period_filter *f, int limit, const char *cursor_key,
		     struct dbjson_page *out, struct errinfo *ei) RS_MUST_CHECK;
/* in: {name, startDate, endDate}. ERR_INVALID (pr: dates reversed, too long),
 * ERR_CONFLICT (pr: overlaps another period). */
enum err period_create(struct db *db, struct arena *a, const json_t *in, json_t **out, struct problems *pr,
		       struct errinfo *ei) RS_MUST_CHECK;
/* changes: any of name, startDate, endDate. Also ERR_CONFLICT when assignments would fall
 * outside the new range. */
enum err period_update(struct db *db, struct arena *a, const char *id, const json_t *changes, json_t **out,
		       struct problems *pr, struct errinfo *ei) RS_MUST_CHECK;
/* Deletes a never-published period with its assignments; ERR_CONFLICT once published. */
enum err period_delete(struct db *db, struct arena *a, const char *id, struct errinfo *ei) RS_MUST_CHECK;

#endif
