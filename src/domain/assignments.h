/* assignments.h — who works which shift type on which day of a period.
 * Each assignment is resolved when it is made to absolute instants in the department's
 * time zone from the shift type's wall-clock times (PostgreSQL's shift_instants(), full tz
 * database: a 22:00–08:00 shift is 9 or 11 hours on DST nights); all-day shift types (home
 * call) have a date and no instants.
 * As the API shows it: {id, periodId, day, shiftCode, userId, source, locked, allDay,
 * startAt, endAt (UTC), startLocal, endLocal (wall clock), durationMinutes,
 * overrideReason, createdAt, updatedAt}.
 * Manual edits are checked against the hard rules (schedule_rules.h): a violation refuses
 * the edit with ERR_CONFLICT and every violated rule in pr, unless an override reason is
 * given; then the reason is stored on the assignment and an audit event
 * "assignment.override" records the rules that were overridden. */
#ifndef RS_DOMAIN_ASSIGNMENTS_H
#define RS_DOMAIN_ASSIGNMENTS_H

#include <jansson.h>
#include <stdbool.h>

#include "db/db.h"
#include "domain/dbjson.h"
#include "domain/problems.h"

struct assignment_in {
	const char *period_id;
	const char *day;             /* YYYY-MM-DD */
	const char *shift_code;
	const char *user_id;
	const char *source;          /* "manual" (default), "engine", "swap" */
	bool locked;
	const char *override_reason; /* NULL: refuse on any rule violation */
};

struct assignment_filter {
	const char *user_id; /* NULL = everyone */
	const char *from;    /* first day, NULL = the period's */
	const char *to;      /* last day */
};

enum err assignment_get(struct db *db, struct arena *a, const char *id, json_t **out, struct errinfo *ei) RS_MUST_CHECK;
/* Ordered by day, shift type, id. ERR_NOT_FOUND when the period does not exist. */
enum err assignment_list(struct db *db, struct arena *a, const char *period_id, const struct assignment_filter *f,
			 int limit, const char *cursor_key, struct dbjson_page *out, struct errinfo *ei) RS_MUST_CHECK;
/* Check only (nothing written): violations in pr, ERR_OK even when there are some. */
enum err assignment_check(struct db *db, struct arena *a, const struct assignment_in *in, const char *exclude_id,
			  struct problems *pr, struct errinfo *ei) RS_MUST_CHECK;
/* Check and insert. *out has "overridden": [{code, detail}] when rules were overridden.
 * ERR_CONFLICT: rule violations (pr) without override, the same shift twice, no config;
 * ERR_INVALID: the edit can never be made (see rules_check_edit). */
enum err assignment_create(struct db *db, struct arena *a, const struct assignment_in *in, json_t **out,
			   struct problems *pr, struct errinfo *ei) RS_MUST_CHECK;
/* Change the person (checked like a new assignment) and/or the locked flag (locked < 0:
 * unchanged). */
enum err assignment_update(struct db *db, struct arena *a, const char *id, const char *user_id, int locked,
			   const char *override_reason, json_t **out, struct problems *pr,
			   struct errinfo *ei) RS_MUST_CHECK;
enum err assignment_delete(struct db *db, struct arena *a, const char *id, struct errinfo *ei) RS_MUST_CHECK;

#endif
