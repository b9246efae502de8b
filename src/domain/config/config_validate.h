/* config_validate.h — is a tenant config document fit to save?
 *
 * Validation = the JSON Schema (config/tenant-config.schema.json) + semantic checks
 * (references to unknown shift types, subspecialties, classes or people; eligibility
 * lists with nobody active; coverage that too few people could ever meet; an unknown
 * time zone; duplicate and overlapping definitions; ...). Every problem is reported
 * at once, each with a JSON Pointer, a stable code and a message; warnings are kept
 * apart from errors. Codes are listed in docs/config.md.
 *
 * Callers that save configs must refuse to save anything when config_validate()
 * returns ERR_INVALID: there is no partial save. */
#ifndef RS_DOMAIN_CONFIG_VALIDATE_H
#define RS_DOMAIN_CONFIG_VALIDATE_H

#include <jansson.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/err.h"
#include "domain/config/config_problem.h"
#include "domain/config/config_roster.h"

#define CONFIG_SCHEMA_DEFAULT_PATH "config/tenant-config.schema.json"
#define CONFIG_MAX_BYTES ((size_t)1 << 20)
#define CONFIG_MAX_DEPTH 32

struct config_validator;

/* Compile a validator from the schema document (referenced, not copied). */
enum err config_validator_new(const json_t *schema, struct config_validator **out, struct errinfo *ei) RS_MUST_CHECK;
/* Read and compile the schema file at path (NULL: config_schema_path()). */
enum err config_validator_load(const char *path, struct config_validator **out, struct errinfo *ei) RS_MUST_CHECK;
void config_validator_free(struct config_validator *v); /* NULL is fine */

/* $RADSCHED_SCHEMA if set, else $RADSCHED_ROOT/config/tenant-config.schema.json if
 * RADSCHED_ROOT is set, else CONFIG_SCHEMA_DEFAULT_PATH (relative to the cwd).
 * The result is valid until the environment changes (static buffer, not thread-safe). */
const char *config_schema_path(void);

/* Validate doc. roster may be NULL: then checks that need people (unknown or
 * inactive people, empty lists, unsatisfiable coverage, domains) are skipped.
 * out is initialised here; its problems live in a, errors first.
 * Returns ERR_OK when there is no error (warnings allowed), ERR_INVALID otherwise.
 * A validator may be shared by threads. */
enum err config_validate(const struct config_validator *v, const json_t *doc, const struct config_roster *roster,
			 struct arena *a, struct config_report *out) RS_MUST_CHECK;

/* Parse text strictly (size CONFIG_MAX_BYTES, depth CONFIG_MAX_DEPTH, duplicate keys
 * refused) and validate it. A parse failure is one problem: JSON_SYNTAX (or
 * JSON_TOO_LARGE) at pointer "". When doc_out is not NULL it receives the parsed
 * document (new reference, NULL when unparseable), valid or not. */
enum err config_validate_text(const struct config_validator *v, const char *text, size_t len,
			      const struct config_roster *roster, struct arena *a, struct config_report *out,
			      json_t **doc_out) RS_MUST_CHECK;

#endif
