/* schedule_rules.h — the hard rules one manual edit of a schedule must keep, checked
 * against the tenant's current config and everything already scheduled (all periods).
 *
 * Rules (problem codes; docs/api.md#rules):
 *   NOT_SCHEDULABLE      the person never takes shifts
 *   OUTSIDE_EMPLOYMENT   the day is before their start date or after their end date
 *   NOT_ELIGIBLE         eligibility lists / subspecialty / fellow policy "never"
 *   FELLOW_NEEDS_ATTENDING  fellow policy "withAttending" and no attending on that shift
 *   SHIFT_NOT_RUN        the shift type does not run on that weekday
 *   DAY_CLOSED           a coverage override closes that shift type on that date
 *   TIME_OFF             approved time off covers the day
 *   ONE_SHIFT_PER_DAY    another shift that day, not allowed together (rules.sameDayAllowed)
 *   OVERLAPPING_SHIFTS   the instants overlap another shift of the person
 *   FORBIDDEN_SUCCESSION rules.forbiddenSuccessions, in either direction
 *   MAX_CONSECUTIVE_DAYS rules.maxConsecutiveWorkingDays
 *   MAX_SHIFTS           rules.maxShifts (per week, month, year or period)
 * Each violation names the rule, the people and the dates, with a pointer into the edit
 * ("/userId", "/shiftCode", "/day"). Violations can be overridden by the caller (with a
 * reason that is stored and audited); the errors below cannot. */
#ifndef RS_DOMAIN_SCHEDULE_RULES_H
#define RS_DOMAIN_SCHEDULE_RULES_H

#include <jansson.h>

#include "db/db.h"
#include "domain/problems.h"

struct rules_edit {
	const char *period_id;
	const char *day;        /* YYYY-MM-DD */
	const char *shift_code;
	const char *user_id;
	const char *exclude_id; /* the assignment being changed, or NULL */
};

/* The shift type `code` of config, or NULL. */
const json_t *rules_shift_type(const json_t *config, const char *code);

/* Fill pr with every violated rule (ERR_OK even when there are violations). Errors:
 * ERR_INVALID for an edit that can never be made (unknown shift type "/shiftCode", day
 * outside the period "/day", unknown or deactivated person "/userId"), ERR_NOT_FOUND
 * (period). Locks the person's row (FOR NO KEY UPDATE) so concurrent edits of the same
 * person's schedule are checked one after the other. */
enum err rules_check_edit(struct db *db, struct arena *a, const json_t *config, const struct rules_edit *ed,
			  struct problems *pr, struct errinfo *ei) RS_MUST_CHECK;

#endif
