/* config_store.h — immutable, numbered tenant config versions with a current pointer.
 * Saving locks the tenant row, so two saves on the same base serialise: the second sees a
 * stale base and gets ERR_CONFLICT naming the current number. */
#ifndef RS_DOMAIN_CONFIG_STORE_H
#define RS_DOMAIN_CONFIG_STORE_H

#include <jansson.h>

#include "db/db.h"

/* Save doc as the next version in db's tenant. expected_base: the version the change was
 * made against (0 = whatever is current). *number gets the new version number. The actor
 * (USER/AGENT/SYSTEM) comes from the transaction context. The caller validates first. */
enum err config_store_save(struct db *db, struct arena *a, const json_t *doc, const char *message, int expected_base,
			   int *number, struct errinfo *ei) RS_MUST_CHECK;

#endif
