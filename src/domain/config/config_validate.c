#include "domain/config/config_validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/config/config_check.h"
#include "json/json_parse.h"
#include "json/json_schema.h"

struct config_validator {
	json_t *schema_doc;
	struct json_schema *schema;
};

enum err config_validator_new(const json_t *schema, struct config_validator **out, struct errinfo *ei)
{
	*out = NULL;
	struct json_schema *js;
	enum err e = json_schema_new(schema, &js, ei);
	if (e != ERR_OK)
		return e;
	struct config_validator *v = xcalloc(1, sizeof *v);
	v->schema_doc = json_incref((json_t *)schema);
	v->schema = js;
	*out = v;
	return ERR_OK;
}

void config_validator_free(struct config_validator *v)
{
	if (!v)
		return;
	json_schema_free(v->schema);
	json_decref(v->schema_doc);
	free(v);
}

const char *config_schema_path(void)
{
	static char buf[1024];
	const char *p = getenv("RADSCHED_SCHEMA");
	if (p && *p)
		return p;
	const char *root = getenv("RADSCHED_ROOT");
	if (root && *root) {
		snprintf(buf, sizeof buf, "%s/%s", root, CONFIG_SCHEMA_DEFAULT_PATH);
		return buf;
	}
	return CONFIG_SCHEMA_DEFAULT_PATH;
}

enum err config_validator_load(const char *path, struct config_validator **out, struct errinfo *ei)
{
	*out = NULL;
	if (!path)
		path = config_schema_path();
	FILE *f = fopen(path, "rb");
	if (!f)
		return err_set(ei, ERR_IO, path, "cannot open the config schema %s", path);
	char *text = xmalloc(CONFIG_MAX_BYTES * 2 + 1);
	size_t n = fread(text, 1, CONFIG_MAX_BYTES * 2 + 1, f);
	fclose(f);
	json_t *schema;
	enum err e = n > CONFIG_MAX_BYTES * 2 ? err_set(ei, ERR_TOO_LARGE, path, "the schema file is too large")
					       : json_parse_strict(text, n, &(struct json_caps){CONFIG_MAX_BYTES * 2, 64},
								   &schema, ei);
	free(text);
	if (e != ERR_OK)
		return e;
	e = config_validator_new(schema, out, ei);
	json_decref(schema);
	return e;
}

/* Stable problem codes for schema failures, by JSON Schema keyword. */
static const char *schema_code(const char *kw)
{
	static const char *const map[][2] = {
		{"type", "SCHEMA_TYPE"},
		{"required", "SCHEMA_REQUIRED"},
		{"dependentRequired", "SCHEMA_REQUIRED"},
		{"additionalProperties", "SCHEMA_UNKNOWN_PROPERTY"},
		{"false", "SCHEMA_NOT_ALLOWED"},
		{"enum", "SCHEMA_ENUM"},
		{"const", "SCHEMA_ENUM"},
		{"minimum", "SCHEMA_RANGE"},
		{"maximum", "SCHEMA_RANGE"},
		{"exclusiveMinimum", "SCHEMA_RANGE"},
		{"exclusiveMaximum", "SCHEMA_RANGE"},
		{"multipleOf", "SCHEMA_RANGE"},
		{"minLength", "SCHEMA_LENGTH"},
		{"maxLength", "SCHEMA_LENGTH"},
		{"pattern", "SCHEMA_PATTERN"},
		{"format", "SCHEMA_FORMAT"},
		{"minItems", "SCHEMA_SIZE"},
		{"maxItems", "SCHEMA_SIZE"},
		{"minProperties", "SCHEMA_SIZE"},
		{"maxProperties", "SCHEMA_SIZE"},
		{"uniqueItems", "SCHEMA_DUPLICATE_ITEM"},
		{"anyOf", "SCHEMA_ALTERNATIVES"},
		{"oneOf", "SCHEMA_ALTERNATIVES"},
		{"not", "SCHEMA_ALTERNATIVES"},
	};
	for (size_t i = 0; i < sizeof map / sizeof *map; i++)
		if (!strcmp(map[i][0], kw))
			return map[i][1];
	return "SCHEMA_INVALID";
}

enum err config_validate(const struct config_validator *v, const json_t *doc, const struct config_roster *roster,
			 struct arena *a, struct config_report *out)
{
	config_report_init(out, a);
	struct json_schema_errors se;
	if (json_schema_validate(v->schema, doc, a, CONFIG_MAX_PROBLEMS, &se) != ERR_OK) {
		for (size_t i = 0; i < se.n; i++)
			config_report_add(out, CONFIG_ERROR, se.v[i].instance_path, schema_code(se.v[i].keyword), "%s",
					  se.v[i].message);
		out->truncated = out->truncated || se.truncated;
	}
	if (json_is_object(doc)) {
		struct cfg_ctx c = {.a = a, .doc = doc, .roster = roster, .out = out};
		cfg_index_build(&c);
		cfg_check_timezone(&c);
		cfg_check_eligibility(&c);
		cfg_check_equivalences(&c);
		cfg_check_coverage(&c);
		cfg_check_rules(&c);
		cfg_check_vacation(&c);
		cfg_check_fairness(&c);
		cfg_check_auth(&c);
		cfg_check_integrations(&c);
		cfg_check_roster(&c);
	}
	config_report_sort(out);
	return out->n_errors ? ERR_INVALID : ERR_OK;
}

enum err config_validate_text(const struct config_validator *v, const char *text, size_t len,
			      const struct config_roster *roster, struct arena *a, struct config_report *out,
			      json_t **doc_out)
{
	if (doc_out)
		*doc_out = NULL;
	json_t *doc;
	struct errinfo ei;
	struct json_caps caps = {CONFIG_MAX_BYTES, CONFIG_MAX_DEPTH};
	enum err e = json_parse_strict(text, len, &caps, &doc, &ei);
	if (e != ERR_OK) {
		config_report_init(out, a);
		config_report_add(out, CONFIG_ERROR, "", e == ERR_TOO_LARGE ? "JSON_TOO_LARGE" : "JSON_SYNTAX", "%s",
				  ei.message);
		return ERR_INVALID;
	}
	e = config_validate(v, doc, roster, a, out);
	if (doc_out)
		*doc_out = doc;
	else
		json_decref(doc);
	return e;
}
