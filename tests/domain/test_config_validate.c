/* Tenant config validation: golden outputs for broken configs (one per rule, in
 * tests/domain/config_fixtures/NAME.json + NAME.expected, checked against
 * _roster.json), the demo department validates clean, time zones, rosters, and
 * robustness against documents of the wrong shape.
 * Regenerate goldens after a deliberate change: RADSCHED_UPDATE_GOLDEN=1, then review
 * the diff. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "domain/config/config_tz.h"
#include "domain/config/config_validate.h"
#include "json/json_parse.h"
#include "json/json_patch.h"
#include "json/json_pointer.h"

#define FIXTURES "tests/domain/config_fixtures"
#define MAX_FIXTURES 128

static char *fixture_names[MAX_FIXTURES];
static int n_fixtures;

static char *read_rel(const char *rel, size_t *len)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", test_root(), rel);
	return test_read_file(path, len);
}

static json_t *load_json(const char *rel)
{
	size_t len;
	char *text = read_rel(rel, &len);
	ck_assert_msg(text != NULL, "cannot read %s", rel);
	json_t *v;
	struct errinfo ei;
	ck_assert_msg(json_parse_strict(text, len, NULL, &v, &ei) == ERR_OK, "%s: %s", rel, ei.message);
	free(text);
	return v;
}

static struct config_validator *validator(void)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", test_root(), CONFIG_SCHEMA_DEFAULT_PATH);
	struct config_validator *v;
	struct errinfo ei;
	ck_assert_msg(config_validator_load(path, &v, &ei) == ERR_OK, "schema: %s %s", ei.path, ei.message);
	return v;
}

static void load_roster(const char *rel, struct arena *a, struct config_roster *r)
{
	json_t *j = load_json(rel);
	struct errinfo ei;
	ck_assert_msg(config_roster_from_json(j, a, r, &ei) == ERR_OK, "%s: %s %s", rel, ei.path, ei.message);
	json_decref(j);
}

START_TEST(golden_fixture)
{
	const char *name = fixture_names[_i];
	char rel[512], exp_rel[512];
	snprintf(rel, sizeof rel, FIXTURES "/%s.json", name);
	snprintf(exp_rel, sizeof exp_rel, FIXTURES "/%s.expected", name);
	struct arena *a = arena_new(0);
	struct config_roster roster;
	load_roster(FIXTURES "/_roster.json", a, &roster);
	struct config_validator *v = validator();
	size_t len;
	char *text = read_rel(rel, &len);
	ck_assert_ptr_nonnull(text);
	struct config_report rep;
	enum err e = config_validate_text(v, text, len, &roster, a, &rep, NULL);
	ck_assert_int_eq(e, rep.n_errors ? ERR_INVALID : ERR_OK);
	struct buf got;
	buf_init(&got, 0);
	ck_assert_int_eq(config_report_format(&rep, &got), ERR_OK);
	const char *got_text = got.data ? got.data : "";
	const char *upd = getenv("RADSCHED_UPDATE_GOLDEN");
	if (upd && *upd == '1') {
		char path[1024];
		snprintf(path, sizeof path, "%s/%s", test_root(), exp_rel);
		FILE *f = fopen(path, "w");
		ck_assert_ptr_nonnull(f);
		fputs(got_text, f);
		fclose(f);
	}
	char *want = read_rel(exp_rel, NULL);
	ck_assert_msg(want != NULL, "missing %s (run with RADSCHED_UPDATE_GOLDEN=1 and review it)", exp_rel);
	ck_assert_msg(!strcmp(got_text, want), "%s differs from %s\n--- got:\n%s--- want:\n%s", name, exp_rel, got_text,
		      want);
	/* one rule per fixture: broken ones have errors, warnings_* and valid_* have none */
	if (!strncmp(name, "valid_", 6) || !strncmp(name, "warnings_", 9))
		ck_assert_uint_eq(rep.n_errors, 0);
	else
		ck_assert_uint_gt(rep.n_errors, 0);
	if (!strncmp(name, "warnings_", 9))
		ck_assert_uint_gt(rep.n_warnings, 0);
	free(want);
	free(text);
	buf_fini(&got);
	config_validator_free(v);
	arena_free(a);
}
END_TEST

START_TEST(fixtures_are_present)
{
	ck_assert_int_ge(n_fixtures, 30);
}
END_TEST

START_TEST(demo_department_is_clean)
{
	struct arena *a = arena_new(0);
	struct config_roster roster;
	load_roster("config/demo/roster.json", a, &roster);
	ck_assert_uint_eq(roster.n, 25);
	size_t fellows = 0, part_time = 0;
	for (size_t i = 0; i < roster.n; i++) {
		fellows += roster.people[i].fellow;
		part_time += roster.people[i].fte < 1.0 && roster.people[i].schedulable;
	}
	ck_assert_uint_eq(fellows, 2);
	ck_assert_uint_eq(part_time, 3);
	ck_assert_str_eq(config_roster_find(&roster, "ADMIN@lakeside.example")->role, "ADMIN");
	ck_assert_str_eq(config_roster_find(&roster, "chief@lakeside.example")->role, "CHIEF");

	struct config_validator *v = validator();
	json_t *demo = load_json("config/demo/lakeside.json");
	json_t *copy = json_deep_copy(demo);
	struct config_report rep;
	for (int with_roster = 0; with_roster < 2; with_roster++) {
		enum err e = config_validate(v, demo, with_roster ? &roster : NULL, a, &rep);
		struct buf b;
		buf_init(&b, 0);
		RS_IGNORE(config_report_format(&rep, &b)); /* uncapped */
		ck_assert_msg(e == ERR_OK && rep.n == 0, "demo has problems:\n%s", b.data ? b.data : "");
		buf_fini(&b);
	}
	ck_assert(json_equal(demo, copy)); /* validation never changes the document */
	json_decref(copy);
	json_decref(demo);
	config_validator_free(v);
	arena_free(a);
}
END_TEST

START_TEST(time_zones)
{
	struct errinfo ei;
	ck_assert_int_eq(config_timezone_check("America/Toronto", &ei), ERR_OK);
	ck_assert_int_eq(config_timezone_check("UTC", &ei), ERR_OK);
	ck_assert_int_eq(config_timezone_check("America/Totonto", &ei), ERR_NOT_FOUND);
	ck_assert_int_eq(config_timezone_check("America", &ei), ERR_INVALID); /* a directory */
	ck_assert_int_eq(config_timezone_check("../../etc/passwd", &ei), ERR_INVALID);
	ck_assert_int_eq(config_timezone_check("/etc/localtime", &ei), ERR_INVALID);
	ck_assert_int_eq(config_timezone_check("America//Toronto", &ei), ERR_INVALID);
	ck_assert_int_eq(config_timezone_check("", &ei), ERR_INVALID);
	ck_assert(!config_timezone_name_ok("America/"));
	ck_assert(config_timezone_name_ok("Etc/GMT+5"));

	/* a file that is not TZif, in a zone directory of our own */
	char dir[] = "/tmp/rs-tzdir-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof path, "%s/Fake", dir);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("this is not a time zone file, but it is long enough to pass the size test", f);
	fclose(f);
	setenv("TZDIR", dir, 1);
	ck_assert_int_eq(config_timezone_check("Fake", &ei), ERR_INVALID);
	ck_assert_int_eq(config_timezone_check("America/Toronto", &ei), ERR_NOT_FOUND);
	unlink(path);
	rmdir(dir);
	setenv("TZDIR", "/nonexistent-zoneinfo", 1);
	ck_assert_int_eq(config_timezone_check("America/Toronto", &ei), ERR_UNSUPPORTED);

	/* without a zone database the config still validates, with a warning */
	struct arena *a = arena_new(0);
	struct config_validator *v = validator();
	json_t *demo = load_json("config/demo/lakeside.json");
	struct config_report rep;
	ck_assert_int_eq(config_validate(v, demo, NULL, a, &rep), ERR_OK);
	ck_assert_uint_eq(rep.n_warnings, 1);
	ck_assert_str_eq(rep.v[0].code, "TIMEZONE_UNCHECKED");
	unsetenv("TZDIR");
	json_decref(demo);
	config_validator_free(v);
	arena_free(a);
}
END_TEST

START_TEST(roster_is_read_strictly)
{
	static const struct {
		const char *json, *path;
	} bad[] = {
		{"[]", ""},
		{"{\"people\":[],\"extra\":1}", ""},
		{"{\"people\":[{\"email\":\"a@x.example\",\"emial\":1}]}", "/people/0"},
		{"{\"people\":[{\"name\":\"No Email\"}]}", "/people/0"},
		{"{\"people\":[{\"email\":\"a@x.example\"},{\"email\":\"A@X.example\"}]}", "/people/1"},
		{"{\"people\":[{\"email\":\"a@x.example\",\"fte\":1.5}]}", "/people/0"},
		{"{\"people\":[{\"email\":\"a@x.example\",\"active\":\"yes\"}]}", "/people/0"},
		{"{\"people\":[{\"email\":\"a@x.example\",\"subspecialties\":[1]}]}", "/people/0"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		json_t *j;
		ck_assert_int_eq(json_parse_strict(bad[i].json, strlen(bad[i].json), NULL, &j, NULL), ERR_OK);
		struct arena *a = arena_new(0);
		struct config_roster r;
		struct errinfo ei;
		enum err e = config_roster_from_json(j, a, &r, &ei);
		ck_assert_msg(e != ERR_OK, "accepted %s", bad[i].json);
		ck_assert_msg(!strcmp(ei.path, bad[i].path), "%s: path %s", bad[i].json, ei.path);
		arena_free(a);
		json_decref(j);
	}
}
END_TEST

START_TEST(text_entry_point)
{
	struct arena *a = arena_new(0);
	struct config_validator *v = validator();
	struct config_report rep;
	json_t *doc = (json_t *)1;
	ck_assert_int_eq(config_validate_text(v, "[]", 2, NULL, a, &rep, &doc), ERR_INVALID);
	ck_assert_ptr_nonnull(doc);
	ck_assert_str_eq(rep.v[0].pointer, "");
	ck_assert_str_eq(rep.v[0].code, "SCHEMA_TYPE");
	json_decref(doc);
	ck_assert_int_eq(config_validate_text(v, "{", 1, NULL, a, &rep, &doc), ERR_INVALID);
	ck_assert_ptr_null(doc);
	ck_assert_str_eq(rep.v[0].code, "JSON_SYNTAX");
	size_t n = CONFIG_MAX_BYTES + 10;
	char *big = malloc(n);
	memset(big, ' ', n);
	big[0] = '{';
	big[n - 1] = '}';
	ck_assert_int_eq(config_validate_text(v, big, n, NULL, a, &rep, NULL), ERR_INVALID);
	ck_assert_str_eq(rep.v[0].code, "JSON_TOO_LARGE");
	free(big);
	char deep[100];
	memset(deep, '[', 50);
	memset(deep + 50, ']', 50);
	ck_assert_int_eq(config_validate_text(v, deep, 100, NULL, a, &rep, NULL), ERR_INVALID);
	ck_assert_str_eq(rep.v[0].code, "JSON_TOO_LARGE");
	config_validator_free(v);
	arena_free(a);
}
END_TEST

/* Every place in the demo, given a value of the wrong shape, must produce errors and
 * never crash a semantic check (run under ASan too). */
static void collect(const json_t *v, const char *ptr, struct arena *a, const char ***out, size_t *n, size_t *cap)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 256;
		const char **nv = arena_alloc(a, *cap * sizeof *nv);
		if (*n)
			memcpy(nv, *out, *n * sizeof *nv);
		*out = nv;
	}
	(*out)[(*n)++] = ptr;
	const char *k;
	json_t *c;
	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, k, c)
			collect(c, json_pointer_join(a, ptr, k), a, out, n, cap);
	} else if (json_is_array(v)) {
		for (size_t i = 0; i < json_array_size(v); i++)
			collect(json_array_get(v, i), json_pointer_join_index(a, ptr, i), a, out, n, cap);
	}
}

START_TEST(wrong_shapes_everywhere)
{
	struct arena *a = arena_new(0);
	struct config_roster roster;
	load_roster("config/demo/roster.json", a, &roster);
	struct config_validator *v = validator();
	json_t *demo = load_json("config/demo/lakeside.json");
	const char **ptrs = NULL;
	size_t n = 0, cap = 0;
	collect(demo, "", a, &ptrs, &n, &cap);
	ck_assert_uint_gt(n, 500);
	json_t *shapes[] = {json_null(), json_integer(-3), json_string("X"), json_array(), json_object(), json_real(1.5)};
	size_t nshapes = sizeof shapes / sizeof *shapes;
	for (size_t i = 1; i < n; i++) {
		json_t *patch = json_pack("[{s:s,s:s,s:O}]", "op", "replace", "path", ptrs[i], "value", shapes[i % nshapes]);
		json_t *bad;
		struct errinfo ei;
		ck_assert_int_eq(json_patch_apply(demo, patch, &bad, &ei), ERR_OK);
		struct arena *wa = arena_new(0);
		struct config_report rep;
		enum err e = config_validate(v, bad, &roster, wa, &rep);
		(void)e; /* some replacements are still valid (a string for a string): no crash is the point */
		arena_free(wa);
		json_decref(bad);
		json_decref(patch);
	}
	for (size_t i = 0; i < nshapes; i++)
		json_decref(shapes[i]);
	json_decref(demo);
	config_validator_free(v);
	arena_free(a);
}
END_TEST

START_TEST(report_sorts_errors_first)
{
	struct arena *a = arena_new(0);
	struct config_report r;
	config_report_init(&r, a);
	config_report_add(&r, CONFIG_WARNING, "/a", "W1", "first warning");
	config_report_add(&r, CONFIG_ERROR, "/b", "E1", "error %d", 1);
	config_report_add(&r, CONFIG_WARNING, "", "W2", "second");
	config_report_add(&r, CONFIG_ERROR, "/c~1d", "E2", "error 2");
	config_report_sort(&r);
	struct buf b;
	buf_init(&b, 0);
	ck_assert_int_eq(config_report_format(&r, &b), ERR_OK);
	ck_assert_str_eq(b.data, "/b: E1: error 1\n/c~1d: E2: error 2\nwarning: /a: W1: first warning\nwarning: : W2: second\n");
	ck_assert(config_report_has_error_at(&r, "/b"));
	ck_assert(!config_report_has_error_at(&r, "/a"));
	buf_fini(&b);
	for (int i = 0; i < CONFIG_MAX_PROBLEMS + 5; i++)
		config_report_add(&r, CONFIG_ERROR, "/x", "E", "many");
	ck_assert(r.truncated);
	ck_assert_uint_eq(r.n, CONFIG_MAX_PROBLEMS);
	arena_free(a);
}
END_TEST

static int cmp_names(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static void find_fixtures(void)
{
	char dir[1024];
	snprintf(dir, sizeof dir, "%s/" FIXTURES, test_root());
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) && n_fixtures < MAX_FIXTURES) {
		size_t l = strlen(e->d_name);
		if (e->d_name[0] == '_' || e->d_name[0] == '.' || l < 6 || strcmp(e->d_name + l - 5, ".json"))
			continue;
		fixture_names[n_fixtures++] = strndup(e->d_name, l - 5);
	}
	closedir(d);
	qsort(fixture_names, (size_t)n_fixtures, sizeof *fixture_names, cmp_names);
}

Suite *test_suite(void)
{
	find_fixtures();
	Suite *s = suite_create("config_validate");
	TCase *tc = tcase_create("config");
	tcase_add_test(tc, fixtures_are_present);
	tcase_add_loop_test(tc, golden_fixture, 0, n_fixtures);
	tcase_add_test(tc, demo_department_is_clean);
	tcase_add_test(tc, time_zones);
	tcase_add_test(tc, roster_is_read_strictly);
	tcase_add_test(tc, text_entry_point);
	tcase_add_test(tc, wrong_shapes_everywhere);
	tcase_add_test(tc, report_sorts_errors_first);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return s;
}
