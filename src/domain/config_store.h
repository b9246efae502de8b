/* config_store.h — immutable, numbered tenant config versions with a current pointer
 * (tenants.config_version), validated before anything is saved.
 *
 * A save names the version it was made against (base). Saving locks the tenant row, so two
 * saves on the same base serialise: the second sees a stale base and gets ERR_CONFLICT with
 * the current number. A document with any validation error (schema or semantic, checked
 * against the tenant's people) is never saved, not even partly. Versions are never updated
 * or deleted (a trigger refuses it); every save writes audit rows (the version's insert and
 * the pointer's move) with the actor of the transaction (USER, AGENT or SYSTEM). */
#ifndef RS_DOMAIN_CONFIG_STORE_H
#define RS_DOMAIN_CONFIG_STORE_H

#include <jansson.h>
#include <stdbool.h>

#include "db/db.h"
#include "domain/config/config_validate.h"
#include "domain/dbjson.h"

/* Where the schema is: SHARE_DIR/config/tenant-config.schema.json. Call at start-up; the
 * first call wins. Without it the schema is looked for by config_schema_path()
 * ($RADSCHED_SCHEMA, $RADSCHED_ROOT), $RADSCHED_SHARE_DIR, next to the executable, then
 * in the current directory. */
void config_store_set_share_dir(const char *share_dir);
/* The process-wide validator, compiled on first use and shared by every thread. */
enum err config_store_validator(const struct config_validator **out, struct errinfo *ei) RS_MUST_CHECK;

/* The tenant's people as the validator wants them (every person, active or not). */
enum err config_store_roster(struct db *db, struct arena *a, struct config_roster *out,
			     struct errinfo *ei) RS_MUST_CHECK;
/* Schema + semantic validation of doc against the tenant's people. ERR_OK or ERR_INVALID
 * with every problem in rep (errors first, then warnings); other codes: could not check. */
enum err config_store_validate(struct db *db, struct arena *a, const json_t *doc, struct config_report *rep,
			       struct errinfo *ei) RS_MUST_CHECK;

struct config_save {
	const json_t *document; /* the full new document, or NULL when patch is given */
	const json_t *patch;    /* RFC 6902 operations (test included) applied to the base */
	int base;               /* version the change was made against; -1 = whatever is current */
	const char *message;    /* may be NULL */
	bool dry_run;           /* patch and validate, save nothing */
};

struct config_saved {
	int number;                  /* the new version (0 on a dry run) */
	int current;                 /* the current version (on ERR_CONFLICT: the one to rebase on) */
	json_t *document;            /* the resulting document (new reference, may be NULL) */
	struct config_report report; /* validation problems (also the warnings of a save) */
	int retimed;                 /* assignments from today on whose times the save changed */
};

/* Validate and save in db's tenant. Errors:
 *   ERR_CONFLICT  stale base (path "/baseVersion", out->current = current number), or a
 *                 failed `test` operation (path "/patch/N");
 *   ERR_INVALID   a patch operation that cannot apply ("/patch/N"), a document with
 *                 errors (out->report), no change from the base, nothing to patch;
 * out->document is set whenever the document could be built (decref it). */
enum err config_store_commit(struct db *db, struct arena *a, const struct config_save *in, struct config_saved *out,
			     struct errinfo *ei) RS_MUST_CHECK;

/* Save doc as the next version (validated, as above); expected_base 0 = whatever is
 * current. For seeds and tools; the message of ERR_INVALID names the first problem. */
enum err config_store_save(struct db *db, struct arena *a, const json_t *doc, const char *message, int expected_base,
			   int *number, struct errinfo *ei) RS_MUST_CHECK;

/* The current version number and document (*doc new reference); 0 and NULL when the
 * tenant has no config yet. doc may be NULL when only the number is wanted. */
enum err config_store_current(struct db *db, struct arena *a, int *number, json_t **doc,
			      struct errinfo *ei) RS_MUST_CHECK;
/* One version as the API shows it: {number, parent, actorKind, actorUserId, message,
 * createdAt, current[, document]}. number 0 = the current one. ERR_NOT_FOUND. */
enum err config_store_get(struct db *db, struct arena *a, int number, bool with_document, json_t **out,
			  struct errinfo *ei) RS_MUST_CHECK;
/* Versions newest first, without documents; cursor_key from dbjson_cursor_key. */
enum err config_store_list(struct db *db, struct arena *a, int limit, const char *cursor_key, struct dbjson_page *out,
			   struct errinfo *ei) RS_MUST_CHECK;
/* RFC 6902 patch turning version `from` into version `to` (new reference). ERR_NOT_FOUND
 * names the missing version ("/from" or "/to"). */
enum err config_store_diff(struct db *db, struct arena *a, int from, int to, json_t **patch,
			   struct errinfo *ei) RS_MUST_CHECK;

#endif
