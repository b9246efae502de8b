/* The small JSON Schema (2020-12) validator: one test per keyword family, compile
 * strictness, error paths, and the real tenant-config schema against the demo. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "json/json_parse.h"
#include "json/json_schema.h"

static json_t *J(const char *text)
{
	json_t *v;
	struct errinfo ei;
	enum err e = json_parse_strict(text, strlen(text), NULL, &v, &ei);
	ck_assert_msg(e == ERR_OK, "bad test JSON %s: %s", text, ei.message);
	return v;
}

/* Validate instance against schema; return "path keyword|path keyword|..." (static). */
static const char *run(const char *schema, const char *instance)
{
	static char out[4096];
	json_t *s = J(schema), *i = J(instance);
	struct json_schema *js;
	struct errinfo ei;
	ck_assert_msg(json_schema_new(s, &js, &ei) == ERR_OK, "schema refused: %s %s", ei.path, ei.message);
	struct arena *a = arena_new(0);
	struct json_schema_errors errs;
	enum err e = json_schema_validate(js, i, a, 0, &errs);
	ck_assert_int_eq(e, errs.n ? ERR_INVALID : ERR_OK);
	out[0] = 0;
	for (size_t k = 0; k < errs.n; k++) {
		size_t l = strlen(out);
		snprintf(out + l, sizeof out - l, "%s%s %s", k ? "|" : "", errs.v[k].instance_path, errs.v[k].keyword);
		ck_assert_ptr_nonnull(errs.v[k].message);
		ck_assert_ptr_nonnull(errs.v[k].schema_path);
	}
	arena_free(a);
	json_schema_free(js);
	json_decref(s);
	json_decref(i);
	return out;
}

/* First error's message (static). */
static const char *message(const char *schema, const char *instance)
{
	static char out[1024];
	json_t *s = J(schema), *i = J(instance);
	struct json_schema *js;
	ck_assert_int_eq(json_schema_new(s, &js, NULL), ERR_OK);
	struct arena *a = arena_new(0);
	struct json_schema_errors errs;
	RS_IGNORE(json_schema_validate(js, i, a, 0, &errs)); /* the count is checked next */
	ck_assert_uint_ge(errs.n, 1);
	snprintf(out, sizeof out, "%s", errs.v[0].message);
	arena_free(a);
	json_schema_free(js);
	json_decref(s);
	json_decref(i);
	return out;
}

START_TEST(types)
{
	ck_assert_str_eq(run("{\"type\":\"integer\"}", "3"), "");
	ck_assert_str_eq(run("{\"type\":\"integer\"}", "3.0"), ""); /* 2020-12: zero fraction is an integer */
	ck_assert_str_eq(run("{\"type\":\"integer\"}", "3.5"), " type");
	ck_assert_str_eq(run("{\"type\":\"number\"}", "3"), "");
	ck_assert_str_eq(run("{\"type\":[\"string\",\"null\"]}", "null"), "");
	ck_assert_str_eq(run("{\"type\":[\"string\",\"null\"]}", "1"), " type");
	ck_assert_str_eq(run("{\"type\":\"boolean\"}", "\"true\""), " type");
	ck_assert_str_eq(message("{\"type\":\"array\"}", "{}"), "must be an array, not an object");
	ck_assert_str_eq(message("{\"type\":[\"string\",\"null\"]}", "2"), "must be a string or null, not an integer");
	ck_assert_str_eq(run("true", "{}"), "");
	ck_assert_str_eq(run("false", "{}"), " false");
}
END_TEST

START_TEST(enum_and_const)
{
	ck_assert_str_eq(run("{\"enum\":[1,\"a\",{\"x\":[null]}]}", "1.0"), "");
	ck_assert_str_eq(run("{\"enum\":[1,\"a\",{\"x\":[null]}]}", "{\"x\":[null]}"), "");
	ck_assert_str_eq(run("{\"enum\":[1,\"a\"]}", "\"b\""), " enum");
	ck_assert_str_eq(message("{\"enum\":[\"mon\",\"tue\"]}", "\"monday\""), "\"monday\" is not one of: \"mon\", \"tue\"");
	ck_assert_str_eq(run("{\"const\":1}", "2"), " const");
	ck_assert_str_eq(run("{\"const\":{\"a\":1,\"b\":2}}", "{\"b\":2,\"a\":1}"), "");
}
END_TEST

START_TEST(numbers)
{
	const char *s = "{\"minimum\":1,\"maximum\":10,\"exclusiveMaximum\":10,\"multipleOf\":0.5}";
	ck_assert_str_eq(run(s, "1"), "");
	ck_assert_str_eq(run(s, "9.5"), "");
	ck_assert_str_eq(run(s, "0"), " minimum");
	ck_assert_str_eq(run(s, "10"), " exclusiveMaximum");
	ck_assert_str_eq(run(s, "11"), " maximum| exclusiveMaximum");
	ck_assert_str_eq(run(s, "2.25"), " multipleOf");
	ck_assert_str_eq(run("{\"exclusiveMinimum\":0}", "0"), " exclusiveMinimum");
	ck_assert_str_eq(run(s, "\"not a number\""), ""); /* numeric keywords ignore other types */
}
END_TEST

START_TEST(strings)
{
	ck_assert_str_eq(run("{\"minLength\":2,\"maxLength\":3}", "\"é李\""), ""); /* code points, not bytes */
	ck_assert_str_eq(run("{\"maxLength\":3}", "\"abcd\""), " maxLength");
	ck_assert_str_eq(run("{\"minLength\":1}", "\"\""), " minLength");
	ck_assert_str_eq(message("{\"minLength\":1}", "\"\""), "must not be empty");
	ck_assert_str_eq(run("{\"pattern\":\"^[A-Z][A-Z0-9_]*$\"}", "\"NEURO_D\""), "");
	ck_assert_str_eq(run("{\"pattern\":\"^[A-Z][A-Z0-9_]*$\"}", "\"neuro\""), " pattern");
	ck_assert_str_eq(run("{\"pattern\":\"b\"}", "\"abc\""), ""); /* unanchored, as in ECMA-262 */
	ck_assert_str_eq(run("{\"pattern\":\"^(a|b){2,3}$\"}", "\"abab\""), " pattern");
}
END_TEST

START_TEST(formats)
{
	const char *d = "{\"format\":\"date\"}";
	ck_assert_str_eq(run(d, "\"2026-12-25\""), "");
	ck_assert_str_eq(run(d, "\"2024-02-29\""), "");
	ck_assert_str_eq(run(d, "\"2026-02-29\""), " format");
	ck_assert_str_eq(run(d, "\"2100-02-29\""), " format");
	ck_assert_str_eq(run(d, "\"2026-13-01\""), " format");
	ck_assert_str_eq(run(d, "\"2026-1-01\""), " format");
	ck_assert_str_eq(run(d, "\"2026-12-25T00:00\""), " format");
	const char *t = "{\"format\":\"time\"}";
	ck_assert_str_eq(run(t, "\"08:30:00Z\""), "");
	ck_assert_str_eq(run(t, "\"23:59:59.250-05:00\""), "");
	ck_assert_str_eq(run(t, "\"08:30:00\""), " format"); /* RFC 3339 full-time needs an offset */
	ck_assert_str_eq(run(t, "\"24:00:00Z\""), " format");
	ck_assert_str_eq(run(t, "\"08:30Z\""), " format");
	const char *e = "{\"format\":\"email\"}";
	ck_assert_str_eq(run(e, "\"chief@lakeside.example\""), "");
	ck_assert_str_eq(run(e, "\"o'brien+x@mail.lakeside.example\""), "");
	ck_assert_str_eq(run(e, "\"chief@lakeside\""), " format");
	ck_assert_str_eq(run(e, "\"chief.@lakeside.example\""), " format");
	ck_assert_str_eq(run(e, "\"@lakeside.example\""), " format");
	ck_assert_str_eq(run(e, "\"a b@lakeside.example\""), " format");
	ck_assert_str_eq(run(e, "\"a@-lakeside.example\""), " format");
	ck_assert_str_eq(run(d, "5"), ""); /* formats only assert on strings */
}
END_TEST

START_TEST(arrays)
{
	const char *s = "{\"prefixItems\":[{\"type\":\"string\"}],\"items\":{\"type\":\"integer\"},"
			"\"minItems\":2,\"maxItems\":4,\"uniqueItems\":true}";
	ck_assert_str_eq(run(s, "[\"a\",1,2]"), "");
	ck_assert_str_eq(run(s, "[1]"), " minItems|/0 type");
	ck_assert_str_eq(run(s, "[\"a\",1,\"b\",2,3]"), " maxItems|/2 type");
	ck_assert_str_eq(run(s, "[\"a\",1,1.0]"), "/2 uniqueItems");
	ck_assert_str_eq(message(s, "[\"a\",{\"k\":1},{\"k\":1}]"), "repeats item 1 ({\"k\":1}); items must be unique");
}
END_TEST

START_TEST(objects)
{
	const char *s = "{\"type\":\"object\",\"required\":[\"code\",\"name\"],\"additionalProperties\":false,"
			"\"properties\":{\"code\":{\"type\":\"string\"},\"name\":{\"type\":\"string\"},\"color\":{}}}";
	ck_assert_str_eq(run(s, "{\"code\":\"A\",\"name\":\"n\"}"), "");
	ck_assert_str_eq(run(s, "{}"), "/code required|/name required");
	ck_assert_str_eq(run(s, "{\"code\":1,\"name\":\"n\",\"colour\":1,\"a/b\":2}"),
			 "/code type|/colour additionalProperties|/a~1b additionalProperties");
	ck_assert_str_eq(message(s, "{\"code\":\"A\",\"name\":\"n\",\"colour\":1}"),
			 "unknown property \"colour\" (did you mean \"color\"?)");
	ck_assert_str_eq(message(s, "{\"code\":\"A\",\"name\":\"n\",\"zzzzzz\":1}"), "unknown property \"zzzzzz\"");
	const char *m = "{\"additionalProperties\":{\"type\":\"integer\"},\"propertyNames\":{\"pattern\":\"^[A-Z]+$\"},"
			"\"minProperties\":1,\"maxProperties\":2}";
	ck_assert_str_eq(run(m, "{\"OVN\":1}"), "");
	ck_assert_str_eq(run(m, "{\"ovn\":\"x\"}"), "/ovn pattern|/ovn type");
	ck_assert_str_eq(run(m, "{}"), " minProperties");
	ck_assert_str_eq(run(m, "{\"A\":1,\"B\":2,\"C\":3}"), " maxProperties");
	ck_assert_str_eq(run("{\"dependentRequired\":{\"start\":[\"end\"]}}", "{\"start\":1}"), "/end dependentRequired");
	ck_assert_str_eq(run("{\"required\":[\"a\"]}", "[]"), ""); /* object keywords ignore arrays */
}
END_TEST

START_TEST(combinators)
{
	const char *any = "{\"anyOf\":[{\"required\":[\"a\"]},{\"required\":[\"b\"]}]}";
	ck_assert_str_eq(run(any, "{\"b\":1}"), "");
	ck_assert_str_eq(run(any, "{}"), " anyOf");
	ck_assert_str_eq(message(any, "{}"), "must match at least one of 2 alternatives: [1] /a: is required; [2] /b: is required");
	const char *one = "{\"oneOf\":[{\"type\":\"integer\"},{\"minimum\":0}]}";
	ck_assert_str_eq(run(one, "-1"), "");
	ck_assert_str_eq(run(one, "1"), " oneOf");
	ck_assert_str_eq(message(one, "1"), "must match exactly one of 2 alternatives, but matches 2");
	ck_assert_str_eq(run("{\"allOf\":[{\"minimum\":2},{\"maximum\":1}]}", "5"), " maximum");
	ck_assert_str_eq(run("{\"not\":{\"type\":\"string\"}}", "\"s\""), " not");
	const char *ite = "{\"properties\":{\"kind\":{}},\"if\":{\"properties\":{\"kind\":{\"const\":\"timed\"}}},"
			  "\"then\":{\"required\":[\"start\"]},\"else\":{\"properties\":{\"start\":false}}}";
	ck_assert_str_eq(run(ite, "{\"kind\":\"timed\",\"start\":1}"), "");
	ck_assert_str_eq(run(ite, "{\"kind\":\"timed\"}"), "/start required");
	ck_assert_str_eq(run(ite, "{\"kind\":\"allDay\",\"start\":1}"), "/start false");
	ck_assert_str_eq(message(ite, "{\"kind\":\"allDay\",\"start\":1}"), "\"start\" is not allowed here");
}
END_TEST

START_TEST(refs)
{
	const char *tree = "{\"$defs\":{\"node\":{\"type\":\"object\",\"additionalProperties\":false,"
			   "\"properties\":{\"v\":{\"type\":\"integer\"},\"kids\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/node\"}}}}},"
			   "\"$ref\":\"#/$defs/node\"}";
	ck_assert_str_eq(run(tree, "{\"v\":1,\"kids\":[{\"v\":2,\"kids\":[{\"v\":3}]}]}"), "");
	ck_assert_str_eq(run(tree, "{\"v\":1,\"kids\":[{\"v\":2,\"kids\":[{\"v\":\"x\",\"w\":0}]}]}"),
			 "/kids/0/kids/0/v type|/kids/0/kids/0/w additionalProperties");
	/* errors under a $ref name the referenced schema location */
	json_t *s = J(tree), *i = J("{\"v\":\"x\"}");
	struct json_schema *js;
	ck_assert_int_eq(json_schema_new(s, &js, NULL), ERR_OK);
	struct arena *a = arena_new(0);
	struct json_schema_errors errs;
	ck_assert_int_eq(json_schema_validate(js, i, a, 0, &errs), ERR_INVALID);
	ck_assert_str_eq(errs.v[0].schema_path, "/$defs/node/properties/v/type");
	arena_free(a);
	json_schema_free(js);
	json_decref(s);
	json_decref(i);
	/* a schema that refers to itself at the same place stops instead of looping */
	ck_assert_str_eq(run("{\"$ref\":\"#\"}", "1"), " $ref");
}
END_TEST

START_TEST(compile_is_strict)
{
	static const struct {
		const char *schema, *path;
	} bad[] = {
		{"{\"type\":\"object\",\"propertys\":{}}", "/propertys"},
		{"{\"properties\":{\"a\":{\"minLenght\":1}}}", "/properties/a/minLenght"},
		{"{\"pattern\":\"([a-z\"}", "/pattern"},
		{"{\"format\":\"uri\"}", "/format"},
		{"{\"$ref\":\"#/$defs/missing\"}", "/$ref"},
		{"{\"$ref\":\"other.json#/x\"}", "/$ref"},
		{"{\"type\":\"strin\"}", "/type"},
		{"{\"minItems\":-1}", "/minItems"},
		{"{\"required\":[1]}", "/required"},
		{"{\"anyOf\":[]}", "/anyOf"},
		{"{\"items\":3}", "/items"},
		{"{\"$schema\":\"http://json-schema.org/draft-07/schema#\"}", "/$schema"},
		{"{\"contains\":{}}", "/contains"},
	};
	for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
		json_t *s = J(bad[k].schema);
		struct json_schema *js = (struct json_schema *)1;
		struct errinfo ei;
		ck_assert_msg(json_schema_new(s, &js, &ei) == ERR_INVALID, "accepted %s", bad[k].schema);
		ck_assert_ptr_null(js);
		ck_assert_msg(!strcmp(ei.path, bad[k].path), "%s: path %s", bad[k].schema, ei.path);
		json_decref(s);
	}
}
END_TEST

START_TEST(collects_all_errors_and_caps_them)
{
	const char *s = "{\"items\":{\"type\":\"string\"}}";
	json_t *sch = J(s), *inst = json_array();
	for (int k = 0; k < 50; k++)
		json_array_append_new(inst, json_integer(k));
	struct json_schema *js;
	ck_assert_int_eq(json_schema_new(sch, &js, NULL), ERR_OK);
	struct arena *a = arena_new(0);
	struct json_schema_errors errs;
	ck_assert_int_eq(json_schema_validate(js, inst, a, 0, &errs), ERR_INVALID);
	ck_assert_uint_eq(errs.n, 50);
	ck_assert(!errs.truncated);
	ck_assert_str_eq(errs.v[49].instance_path, "/49");
	ck_assert_int_eq(json_schema_validate(js, inst, a, 10, &errs), ERR_INVALID);
	ck_assert_uint_eq(errs.n, 10);
	ck_assert(errs.truncated);
	arena_free(a);
	json_schema_free(js);
	json_decref(sch);
	json_decref(inst);
}
END_TEST

START_TEST(tenant_schema_accepts_the_demo)
{
	json_t *schema = test_json_file("config/tenant-config.schema.json"), *demo = test_json_file("config/demo/lakeside.json");
	struct json_schema *js;
	struct errinfo ei;
	ck_assert_msg(json_schema_new(schema, &js, &ei) == ERR_OK, "%s: %s", ei.path, ei.message);
	struct arena *a = arena_new(0);
	struct json_schema_errors errs;
	enum err e = json_schema_validate(js, demo, a, 0, &errs);
	ck_assert_msg(e == ERR_OK, "demo invalid: %s %s", errs.n ? errs.v[0].instance_path : "",
		      errs.n ? errs.v[0].message : "");
	arena_free(a);
	json_schema_free(js);
	json_decref(schema);
	json_decref(demo);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("json_schema");
	TCase *tc = tcase_create("schema");
	tcase_add_test(tc, types);
	tcase_add_test(tc, enum_and_const);
	tcase_add_test(tc, numbers);
	tcase_add_test(tc, strings);
	tcase_add_test(tc, formats);
	tcase_add_test(tc, arrays);
	tcase_add_test(tc, objects);
	tcase_add_test(tc, combinators);
	tcase_add_test(tc, refs);
	tcase_add_test(tc, compile_is_strict);
	tcase_add_test(tc, collects_all_errors_and_caps_them);
	tcase_add_test(tc, tenant_schema_accepts_the_demo);
	suite_add_tcase(s, tc);
	return s;
}
