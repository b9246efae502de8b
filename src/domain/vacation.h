/* vacation.h — vacation and other time-off requests: requested → approved | denied, and
 * cancelled (by the requester while requested, by a chief at any time before it ends).
 * Approved requests are the time off the rule checks and the engine respect.
 * As the API shows it: {id, userId, startDate, endDate, kind, status, round, rank, note,
 * decisionNote, decidedBy, decidedAt, createdAt, updatedAt}. */
#ifndef RS_DOMAIN_VACATION_H
#define RS_DOMAIN_VACATION_H

#include <jansson.h>
#include <stdbool.h>

#include "db/db.h"
#include "domain/dbjson.h"
#include "domain/problems.h"

#define VACATION_MAX_DAYS 121

struct vacation_filter {
	const char *user_id; /* NULL = everyone */
	const char *status;  /* NULL = any */
	const char *from;    /* requests ending on or after; NULL = any */
	const char *to;      /* requests starting on or before; NULL = any */
};

enum err vacation_get(struct db *db, struct arena *a, const char *id, json_t **out, struct errinfo *ei) RS_MUST_CHECK;
/* Ordered by start date. */
enum err vacation_list(struct db *db, struct arena *a, const struct vacation_filter *f, int limit,
		       const char *cursor_key, struct dbjson_page *out, struct errinfo *ei) RS_MUST_CHECK;
/* Approved time off between from and to (both required): [{userId, startDate, endDate, kind}]. */
enum err vacation_time_off(struct db *db, struct arena *a, const char *from, const char *to, const char *user_id,
			   json_t **out, struct errinfo *ei) RS_MUST_CHECK;
/* A request for user_id. in: {startDate, endDate, kind?, note?, round?, rank?}.
 * ERR_INVALID (pr: dates reversed, too long, a blackout period of the config, person
 * deactivated), ERR_CONFLICT (pr: overlaps one of their open or approved requests). */
enum err vacation_create(struct db *db, struct arena *a, const char *user_id, const json_t *in, json_t **out,
			 struct problems *pr, struct errinfo *ei) RS_MUST_CHECK;
/* status "approved" or "denied", only from "requested" (else ERR_CONFLICT). An approval
 * lists, in "conflicts", the person's assignments inside the time off. */
enum err vacation_decide(struct db *db, struct arena *a, const char *id, const char *status, const char *note,
			 json_t **out, struct errinfo *ei) RS_MUST_CHECK;
/* requested → cancelled; approved → cancelled only with allow_approved. ERR_CONFLICT else. */
enum err vacation_cancel(struct db *db, struct arena *a, const char *id, bool allow_approved, json_t **out,
			 struct errinfo *ei) RS_MUST_CHECK;

#endif
