/* people.h — the roster: people of a tenant with role, FTE, fellow flag, subspecialties,
 * start/end dates and active flag. Deactivated people keep their history. */
#ifndef RS_DOMAIN_PEOPLE_H
#define RS_DOMAIN_PEOPLE_H

#include <jansson.h>
#include <stdbool.h>

#include "db/db.h"

struct person_in {
	const char *email, *name, *short_name, *role; /* role: SUPER_ADMIN ADMIN CHIEF RAD */
	double fte;                                   /* (0, 1] when schedulable, else [0, 1] */
	bool is_fellow, active, schedulable;
	const char *subspecialties;                   /* PostgreSQL array literal, e.g. {NEURO,BODY} */
	const char *start_date, *end_date;            /* YYYY-MM-DD or NULL */
};

/* From the roster JSON shape (config/demo/roster.json people[]): every field checked,
 * errors name the JSON pointer-ish field. Strings live in a. */
enum err person_from_json(const json_t *p, struct arena *a, struct person_in *out, struct errinfo *ei) RS_MUST_CHECK;
/* Insert in the current tenant (db's transaction context); id_out gets the new id. */
enum err person_create(struct db *db, struct arena *a, const struct person_in *in, char id_out[37],
		       struct errinfo *ei) RS_MUST_CHECK;

#endif
