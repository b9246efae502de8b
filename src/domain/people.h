/* people.h — the roster: people of a tenant with role, FTE, fellow flag, subspecialties,
 * start/end dates and active flag. Deactivated people keep their history. */
#ifndef RS_DOMAIN_PEOPLE_H
#define RS_DOMAIN_PEOPLE_H

#include <jansson.h>
#include <stdbool.h>

#include "db/db.h"
#include "domain/dbjson.h"
#include "domain/problems.h"

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

/* ---- the API's view -------------------------------------------------------------------
 * A person as the API shows it: {id, email, name, shortName, role, fte, fellow,
 * schedulable, subspecialties, startDate, endDate, active, deactivatedAt, createdAt,
 * updatedAt}. Inputs use the same names and have been shape-checked by the caller (types,
 * formats, unknown members); these functions check what depends on several fields or on
 * the database and report every problem at once in pr. */

struct people_filter {
	const char *active; /* "true", "false" or NULL (everyone) */
	const char *role;   /* NULL = any */
};

enum err people_get(struct db *db, struct arena *a, const char *id, json_t **out, struct errinfo *ei) RS_MUST_CHECK;
/* Ordered by e-mail (case-insensitive). */
enum err people_list(struct db *db, struct arena *a, const struct people_filter *f, int limit, const char *cursor_key,
		     struct dbjson_page *out, struct errinfo *ei) RS_MUST_CHECK;
/* ERR_INVALID (pr), ERR_CONFLICT (e-mail taken, path "/email"). */
enum err people_create(struct db *db, struct arena *a, const json_t *in, json_t **out, struct problems *pr,
		       struct errinfo *ei) RS_MUST_CHECK;
/* Changes given members; null clears shortName/startDate/endDate. active false deactivates
 * (deactivatedAt set), true reactivates. */
enum err people_update(struct db *db, struct arena *a, const char *id, const json_t *changes, json_t **out,
		       struct problems *pr, struct errinfo *ei) RS_MUST_CHECK;
/* Deactivate: the person is never scheduled again and cannot sign in; assignments, requests
 * and audit history stay. Idempotent. */
enum err people_deactivate(struct db *db, struct arena *a, const char *id, json_t **out,
			   struct errinfo *ei) RS_MUST_CHECK;

#endif
