/* publications.h — publishing a period: an immutable, numbered snapshot with a content
 * hash (period_snapshot() in SQL), and the published view calendar feeds read.
 *
 * Publishing, in one transaction: the snapshot is hashed; if it equals the latest
 * publication nothing happens (unchanged). Otherwise publication N+1 is written, the period
 * becomes "published" with the config version it was published under, and published_events
 * is brought in line: rows whose content changed are upserted with sequence + 1 and
 * last_modified = now(), rows of assignments that are gone are deleted, and feed_state moves
 * for the master feed and for every person whose events changed (old and new owner of a
 * reassigned shift), so feeds' Last-Modified moves, deletions included. An audit event
 * "period.publish" records number, hash and the people affected.
 * As the API shows it: {periodId, number, contentHash, publishedAt, publishedBy,
 * assignmentCount[, snapshot]}. */
#ifndef RS_DOMAIN_PUBLICATIONS_H
#define RS_DOMAIN_PUBLICATIONS_H

#include <jansson.h>
#include <stdbool.h>

#include "db/db.h"
#include "domain/dbjson.h"

/* *created false: the content equals the latest publication, which is returned.
 * *out gets "changedEvents" and "affectedPeople" counts. ERR_NOT_FOUND. */
enum err publication_publish(struct db *db, struct arena *a, const char *period_id, json_t **out, bool *created,
			     struct errinfo *ei) RS_MUST_CHECK;
/* Newest first. ERR_NOT_FOUND when the period does not exist. */
enum err publication_list(struct db *db, struct arena *a, const char *period_id, int limit, const char *cursor_key,
			  struct dbjson_page *out, struct errinfo *ei) RS_MUST_CHECK;
/* With the snapshot. */
enum err publication_get(struct db *db, struct arena *a, const char *period_id, int number, json_t **out,
			 struct errinfo *ei) RS_MUST_CHECK;

#endif
