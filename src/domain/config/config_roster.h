/* config_roster.h — the people a config is checked against (plain structs).
 * Config documents name people by email; matching is case-insensitive. The roster
 * normally comes from the users table; config_roster_from_json() reads the JSON
 * form used by config/demo/roster.json and `radsched config validate --roster`. */
#ifndef RS_DOMAIN_CONFIG_ROSTER_H
#define RS_DOMAIN_CONFIG_ROSTER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/err.h"

struct config_person {
	const char *id;    /* database id, may be NULL */
	const char *email; /* required */
	const char *name;  /* may be NULL */
	const char *role;  /* "ADMIN", "CHIEF", "RAD"; may be NULL */
	double fte;        /* 0..1 */
	bool active;       /* false: left, on leave; never scheduled */
	bool fellow;
	bool schedulable;  /* false for people who never take shifts (a department admin) */
	const char **subspecialties;
	size_t n_subspecialties;
};

struct config_roster {
	struct config_person *people;
	size_t n;
};

/* Read {"people": [{email, name?, shortName?, id?, role?, fte?, fellow?, active?,
 * schedulable?, subspecialties?, startDate?, endDate?}], "department"?}. Defaults: fte 1,
 * fellow false, active true, schedulable true. Unknown members and duplicate emails
 * are refused (ERR_INVALID, ei->path points at the member). Strings live in a. */
enum err config_roster_from_json(const json_t *j, struct arena *a, struct config_roster *out,
				 struct errinfo *ei) RS_MUST_CHECK;

/* The person with this email (case-insensitive), or NULL. */
const struct config_person *config_roster_find(const struct config_roster *r, const char *email);
bool config_person_has_subspecialty(const struct config_person *p, const char *code);

#endif
