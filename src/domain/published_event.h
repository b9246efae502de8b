/* published_event.h — one published assignment as people see it: the target of the URL
 * that every ICS event carries (BASE/assignments/{id}, docs/ics.md).
 *
 * Contract: runs in the caller's tenant transaction (db_with_tx with the tenant context),
 * so row-level security limits it to that tenant: another tenant's assignment, an unknown
 * one and one that is no longer published are all ERR_NOT_FOUND, and nothing tells them
 * apart. Dates and times are formatted by PostgreSQL in the department's time zone (the
 * current config's `timezone`, else tenants.timezone), as the feeds compute instants; the
 * shift type's name comes from the current config (feeds_config), the code when the
 * config no longer has it. Strings live in the arena given. */
#ifndef RS_DOMAIN_PUBLISHED_EVENT_H
#define RS_DOMAIN_PUBLISHED_EVENT_H

#include <stdbool.h>

#include "base/arena.h"
#include "db/db.h"

struct published_event {
	const char *assignment_id; /* UUID text */
	const char *user_id;       /* the person's id (UUID text) */
	const char *person;        /* users.name */
	const char *period;        /* periods.name; NULL when the period is gone */
	const char *shift_code;
	const char *shift_name;    /* from the current config; the code when it has none */
	const char *day;           /* YYYY-MM-DD, the shift's day */
	const char *day_label;     /* "Tuesday 1 December 2026" */
	const char *timezone;      /* IANA name, e.g. America/Toronto */
	bool all_day;
	const char *start_time;    /* HH:MM local; NULL when all_day */
	const char *end_time;      /* HH:MM local; NULL when all_day */
	const char *end_day_label; /* the local end day when it is not `day` (nights); else NULL */
	int sequence;              /* published_events.sequence: the ICS SEQUENCE */
};

/* The published event of assignment_id in db's tenant. ERR_NOT_FOUND when assignment_id is
 * not UUID text or no such event is visible; database errors as db_exec. */
enum err published_event_get(struct db *db, struct arena *a, const char *assignment_id, struct published_event *out,
			     struct errinfo *ei) RS_MUST_CHECK;

#endif
