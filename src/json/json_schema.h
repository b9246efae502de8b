/* json_schema.h — a small JSON Schema (draft 2020-12) validator that reports every
 * problem with the instance's JSON Pointer.
 *
 * Supported keywords: $schema $id $defs $ref (local "#..." only) $comment title
 * description default examples deprecated readOnly writeOnly; type enum const;
 * minimum maximum exclusiveMinimum exclusiveMaximum multipleOf; minLength maxLength
 * (code points) pattern (POSIX ERE: keep patterns to the common subset of ERE and
 * ECMA-262: anchors, classes, groups, |, ?, *, +, {m,n}) format (date, time, email);
 * items prefixItems minItems maxItems uniqueItems; properties required
 * additionalProperties propertyNames minProperties maxProperties dependentRequired;
 * allOf anyOf oneOf not if then else. Boolean schemas too.
 * Anything else in a schema is refused by json_schema_new() (strict, like ajv's
 * strict mode), so a misspelt keyword cannot silently validate nothing. */
#ifndef RS_JSON_SCHEMA_H
#define RS_JSON_SCHEMA_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/err.h"

struct json_schema;

struct json_schema_error {
	const char *instance_path; /* JSON Pointer into the instance ("" = whole) */
	const char *schema_path;   /* JSON Pointer into the schema, ending at the keyword */
	const char *keyword;       /* "type", "required", "additionalProperties", "false", ... */
	const char *message;       /* for people: what is wrong at instance_path */
};

struct json_schema_errors {
	struct json_schema_error *v;
	size_t n;
	bool truncated; /* more than max_errors problems; the rest were dropped */
};

/* Check and compile schema (patterns, $ref targets). The schema object is
 * referenced, not copied: it must not change while *out lives.
 * ERR_INVALID with ei->path = the schema location of the first problem. */
enum err json_schema_new(const json_t *schema, struct json_schema **out, struct errinfo *ei) RS_MUST_CHECK;
void json_schema_free(struct json_schema *s); /* NULL is fine */

/* Validate instance, collecting up to max_errors (0 = 1000) errors into *out, in
 * document order. Paths and messages live in arena a.
 * Returns ERR_OK when valid, ERR_INVALID when out->n > 0. Thread-safe for one schema
 * shared by many threads (nothing in it changes while validating). */
enum err json_schema_validate(const struct json_schema *s, const json_t *instance, struct arena *a,
			      size_t max_errors, struct json_schema_errors *out) RS_MUST_CHECK;

#endif
