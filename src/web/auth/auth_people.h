/* auth_people.h — what admins change about people's access: role, fellow flag, active.
 * Guards: nobody changes their own access; only SUPER_ADMIN touches SUPER_ADMIN (and
 * grants it); a department keeps at least one active administrator. Role changes and
 * deactivations end the person's sessions (trigger, migration 0004) and are audited.
 * Runs in the caller's tenant transaction. */
#ifndef RS_WEB_AUTH_PEOPLE_H
#define RS_WEB_AUTH_PEOPLE_H

#include <jansson.h>

#include "db/db.h"
#include "web/principal.h"

struct auth_access_change {
	const char *role; /* NULL = keep */
	int is_fellow;    /* -1 keep, 0, 1 */
	int active;       /* -1 keep, 0 deactivate, 1 reactivate */
};

/* ERR_NOT_FOUND (no such person), ERR_INVALID (bad role, path "role"), ERR_FORBIDDEN
 * (guard), ERR_CONFLICT (last administrator). *person gets the person as JSON. */
enum err auth_access_change(struct db *db, struct arena *a, const struct principal *actor, const char *person_id,
			    const struct auth_access_change *c, json_t **person, struct errinfo *ei) RS_MUST_CHECK;

/* Every person of the tenant with access facts, JSON array of {id, email, name, role,
 * role_label, is_fellow, active, last_sign_in, sessions}. */
enum err auth_people_list(struct db *db, struct arena *a, json_t **out, struct errinfo *ei) RS_MUST_CHECK;

#endif
