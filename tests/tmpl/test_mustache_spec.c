/* The official mustache spec (conformance/mustache-spec/ beside the repository), read at run
 * time: one Check test per spec file, each running every case of the file and naming every
 * case that fails. Lambdas (~lambdas) are not implemented and not part of the suite. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "check_main.h"
#include "tmpl/tmpl.h"

/* Render one case; on a mismatch append its name (and what went wrong) to failures. */
static void run_case(const char *file, json_t *tc, struct buf *failures, int *nfail)
{
	const char *name = json_string_value(json_object_get(tc, "name"));
	const char *src = json_string_value(json_object_get(tc, "template"));
	const char *expected = json_string_value(json_object_get(tc, "expected"));
	json_t *partials = json_object_get(tc, "partials");
	struct errinfo ei = {0};
	struct tmpl_set *set = tmpl_set_new(NULL, NULL);
	struct tmpl *t = NULL;
	struct buf out;
	buf_init(&out, 0);
	enum err e = ERR_OK;
	const char *pname;
	json_t *psrc;
	json_object_foreach(partials, pname, psrc)
	{
		if (!e)
			e = tmpl_set_add(set, pname, json_string_value(psrc), json_string_length(psrc), &ei);
	}
	if (!e)
		e = tmpl_compile(name, src, strlen(src), &t, &ei);
	if (!e) {
		struct tmpl_render_opts o = {.partial = tmpl_set_partial, .partial_arg = set};
		e = tmpl_render(t, json_object_get(tc, "data"), &o, &out, &ei);
	}
	if (e || strcmp(out.data ? out.data : "", expected) != 0) {
		(*nfail)++;
		RS_IGNORE(buf_printf(failures, "\n  %s: \"%s\"", file, name));
		if (e)
			fprintf(stderr, "[%s] %s: error %s: %s\n", file, name, err_name(e), ei.message);
		else
			fprintf(stderr, "[%s] %s:\n  expected [%s]\n  got      [%s]\n", file, name, expected, out.data);
	}
	buf_fini(&out);
	tmpl_free(t);
	tmpl_set_free(set);
}

static void run_spec_file(const char *file)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/../shared/conformance/mustache-spec/%s", test_root(), file);
	json_error_t jerr;
	json_t *spec = json_load_file(path, 0, &jerr);
	ck_assert_msg(spec != NULL, "cannot read %s: %s (set RADSCHED_ROOT to the repository root)", path, jerr.text);
	json_t *tests = json_object_get(spec, "tests");
	ck_assert_msg(json_array_size(tests) > 0, "%s has no tests", path);
	struct buf failures;
	buf_init(&failures, 0);
	int nfail = 0;
	size_t i;
	json_t *tc;
	json_array_foreach(tests, i, tc) run_case(file, tc, &failures, &nfail);
	size_t total = json_array_size(tests);
	json_decref(spec);
	if (nfail) {
		/* Check keeps only the first part of a long message; stderr has every detail. */
		char msg[4096];
		snprintf(msg, sizeof msg, "%d of %zu cases fail:%s", nfail, total, failures.data);
		buf_fini(&failures);
		ck_abort_msg("%s", msg);
	}
	buf_fini(&failures);
}

START_TEST(spec_comments) { run_spec_file("comments.json"); }
END_TEST
START_TEST(spec_delimiters) { run_spec_file("delimiters.json"); }
END_TEST
START_TEST(spec_interpolation) { run_spec_file("interpolation.json"); }
END_TEST
START_TEST(spec_inverted) { run_spec_file("inverted.json"); }
END_TEST
START_TEST(spec_partials) { run_spec_file("partials.json"); }
END_TEST
START_TEST(spec_sections) { run_spec_file("sections.json"); }
END_TEST
START_TEST(spec_inheritance) { run_spec_file("~inheritance.json"); }
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("mustache-spec");
	TCase *tc = tcase_create("spec");
	tcase_add_test(tc, spec_comments);
	tcase_add_test(tc, spec_delimiters);
	tcase_add_test(tc, spec_interpolation);
	tcase_add_test(tc, spec_inverted);
	tcase_add_test(tc, spec_partials);
	tcase_add_test(tc, spec_sections);
	tcase_add_test(tc, spec_inheritance);
	suite_add_tcase(s, tc);
	return s;
}
