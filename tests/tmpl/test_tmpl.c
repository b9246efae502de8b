/* Our own edge cases for the mustache engine: caps, syntax errors, escaping, truthiness,
 * partial loading and concurrent rendering. The spec itself is test_mustache_spec.c. */
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "check_main.h"
#include "tmpl/tmpl.h"

/* Render src against data (JSON text) with opts; returns the error, fills out (caller frees). */
static enum err render_with(const char *src, const char *data, const struct tmpl_render_opts *o, char **out,
			    struct errinfo *ei)
{
	struct tmpl *t = NULL;
	struct buf b;
	buf_init(&b, 0);
	json_t *d = data ? json_loads(data, JSON_DECODE_ANY, NULL) : NULL;
	enum err e = tmpl_compile("t", src, strlen(src), &t, ei);
	if (!e)
		e = tmpl_render(t, d, o, &b, ei);
	*out = buf_steal(&b, NULL);
	json_decref(d);
	tmpl_free(t);
	return e;
}

static char *render_ok(const char *src, const char *data)
{
	char *out;
	struct errinfo ei = {0};
	enum err e = render_with(src, data, NULL, &out, &ei);
	ck_assert_msg(e == ERR_OK, "render failed: %s", ei.message);
	return out;
}

#define ASSERT_RENDERS(src, data, want)              \
	do {                                          \
		char *got_ = render_ok((src), (data)); \
		ck_assert_str_eq(got_, (want));        \
		free(got_);                            \
	} while (0)

static enum err compile_err(const char *src, struct errinfo *ei)
{
	struct tmpl *t = NULL;
	enum err e = tmpl_compile("mail.html", src, strlen(src), &t, ei);
	tmpl_free(t);
	return e;
}

START_TEST(escapes_html_by_default_and_not_in_text_mode)
{
	ASSERT_RENDERS("<a href=\"{{u}}\">{{n}}</a>", "{\"u\":\"https://x.example/?a=1&b=\\\"2\\\"\",\"n\":\"O'Brien <b>\"}",
		       "<a href=\"https://x.example/?a=1&amp;b=&quot;2&quot;\">O&#39;Brien &lt;b&gt;</a>");
	ASSERT_RENDERS("{{{n}}}|{{&n}}", "{\"n\":\"<i>\"}", "<i>|<i>");
	struct tmpl_render_opts o = {.escape = TMPL_ESCAPE_NONE};
	char *out;
	ck_assert_int_eq(render_with("{{n}} & co", "{\"n\":\"O'Brien <b>\"}", &o, &out, NULL), ERR_OK);
	ck_assert_str_eq(out, "O'Brien <b> & co");
	free(out);
}
END_TEST

START_TEST(values_and_truthiness)
{
	ASSERT_RENDERS("{{i}} {{r}} {{big}} {{t}} {{f}} [{{n}}] [{{o}}] [{{a}}]",
		       "{\"i\":-42,\"r\":0.1,\"big\":9007199254740993,\"t\":true,\"f\":false,\"n\":null,\"o\":{},\"a\":[1]}",
		       "-42 0.1 9007199254740993 true false [] [] []");
	/* "" and [] are falsey, 0 and {} are truthy */
	ASSERT_RENDERS("{{#s}}s{{/s}}{{^s}}!s{{/s}} {{#z}}z{{/z}} {{#o}}o{{/o}} {{#e}}e{{/e}}{{^e}}!e{{/e}}",
		       "{\"s\":\"\",\"z\":0,\"o\":{},\"e\":[]}", "!s z o !e");
	ASSERT_RENDERS("{{#shifts}}{{code}}@{{tenant.name}};{{/shifts}}",
		       "{\"tenant\":{\"name\":\"Lakeside\"},\"shifts\":[{\"code\":\"IR-CALL\"},{\"code\":\"CT-AM\"}]}",
		       "IR-CALL@Lakeside;CT-AM@Lakeside;");
	ASSERT_RENDERS("x{{y}}z", NULL, "xz"); /* no data at all */
	/* extension: a numeric dotted part indexes an array */
	ASSERT_RENDERS("{{#l.0}}first={{l.0}} {{/l.0}}{{^e.0}}none{{/e.0}}{{l.9}}{{l.x}}", "{\"l\":[\"a\",\"b\"],\"e\":[]}",
		       "first=a none");
}
END_TEST

START_TEST(crlf_and_standalone_lines)
{
	ASSERT_RENDERS("a\r\n{{#t}}\r\n  b\r\n{{/t}}\r\nc", "{\"t\":true}", "a\r\n  b\r\nc");
	ASSERT_RENDERS("<ul>\n  {{#l}}\n  <li>{{.}}</li>\n  {{/l}}\n</ul>\n", "{\"l\":[1,2]}",
		       "<ul>\n  <li>1</li>\n  <li>2</li>\n</ul>\n");
}
END_TEST

START_TEST(parse_errors_name_the_line)
{
	struct errinfo ei = {0};
	ck_assert_int_eq(compile_err("a\nb\n{{#shifts}}\nx\n", &ei), ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(ei.message, "mail.html:3:"));
	ck_assert_ptr_nonnull(strstr(ei.message, "{{#shifts}} is never closed"));

	ck_assert_int_eq(compile_err("{{#a}}\n{{^b}}\n{{/a}}", &ei), ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(ei.message, "mail.html:3: closing tag {{/a}} does not match {{^b}} opened on line 2"));

	ck_assert_int_eq(compile_err("x\n{{/a}}", &ei), ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(ei.message, "mail.html:2: closing tag {{/a}} has no open section"));

	ck_assert_int_eq(compile_err("\n\n{{=<% %>", &ei), ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(ei.message, "mail.html:3:"));
	ck_assert_int_eq(compile_err("{{=<%%>=}}", &ei), ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(ei.message, "bad set-delimiter"));
	ck_assert_int_eq(compile_err("{{= a b c =}}", &ei), ERR_INVALID);
	ck_assert_int_eq(compile_err("{{=a= b=}}", &ei), ERR_INVALID);

	ck_assert_int_eq(compile_err("hello {{name", &ei), ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(ei.message, "never closed"));
	ck_assert_int_eq(compile_err("{{ }}", &ei), ERR_INVALID);
	ck_assert_int_eq(compile_err("{{a b}}", &ei), ERR_INVALID);
	ck_assert_int_eq(compile_err("{{a..b}}", &ei), ERR_INVALID);
	ck_assert_int_eq(compile_err("{{{a}}", &ei), ERR_INVALID);
	ck_assert_int_eq(compile_err("{{<p}}{{$b}}x{{/p}}", &ei), ERR_INVALID);
}
END_TEST

START_TEST(template_size_cap)
{
	/* one long line full of tags: also shows the compiler stays linear (no per-tag rescans) */
	size_t n = TMPL_MAX_SOURCE + 1;
	char *big = malloc(n);
	for (size_t i = 0; i < n; i++)
		big[i] = "{{a}} "[i % 6];
	struct tmpl *t = NULL;
	struct errinfo ei = {0};
	ck_assert_int_eq(tmpl_compile("big", big, n, &t, &ei), ERR_TOO_LARGE);
	ck_assert_ptr_null(t);
	ck_assert_int_eq(tmpl_compile("big", big, n - 1 - (n - 1) % 6, &t, &ei), ERR_OK);
	struct buf b;
	buf_init(&b, 0);
	json_t *d = json_pack("{s:s}", "a", "y");
	ck_assert_int_eq(tmpl_render(t, d, NULL, &b, &ei), ERR_OK);
	ck_assert_uint_eq(b.len, (n - 1) / 6 * 2);
	json_decref(d);
	buf_fini(&b);
	tmpl_free(t);
	free(big);
}
END_TEST

START_TEST(nesting_depth_cap)
{
	struct buf b;
	buf_init(&b, 0);
	for (int i = 0; i < TMPL_MAX_DEPTH; i++)
		ck_assert_int_eq(buf_puts(&b, "{{#a}}"), ERR_OK);
	for (int i = 0; i < TMPL_MAX_DEPTH; i++)
		ck_assert_int_eq(buf_puts(&b, "{{/a}}"), ERR_OK);
	struct errinfo ei = {0};
	ck_assert_int_eq(compile_err(b.data, &ei), ERR_OK);
	buf_reset(&b);
	for (int i = 0; i <= TMPL_MAX_DEPTH; i++)
		ck_assert_int_eq(buf_puts(&b, "{{#a}}"), ERR_OK);
	ck_assert_int_eq(compile_err(b.data, &ei), ERR_TOO_LARGE);
	ck_assert_ptr_nonnull(strstr(ei.message, "nested deeper"));
	buf_fini(&b);
}
END_TEST

START_TEST(output_cap)
{
	struct tmpl_render_opts o = {.max_output = 10};
	char *out;
	struct errinfo ei = {0};
	ck_assert_int_eq(render_with("{{#l}}abc{{/l}}", "{\"l\":[1,2,3]}", &o, &out, &ei), ERR_OK);
	ck_assert_str_eq(out, "abcabcabc");
	free(out);
	ck_assert_int_eq(render_with("{{#l}}abc{{/l}}", "{\"l\":[1,2,3,4]}", &o, &out, &ei), ERR_TOO_LARGE);
	ck_assert_ptr_nonnull(strstr(ei.message, "cap of 10 bytes"));
	free(out);
	/* an escaped value counts after escaping */
	ck_assert_int_eq(render_with("{{v}}", "{\"v\":\"<<<\"}", &o, &out, &ei), ERR_TOO_LARGE);
	free(out);
	/* the caller's own buffer cap still holds, and is restored afterwards */
	struct tmpl *t;
	ck_assert_int_eq(tmpl_compile("t", "123456", 6, &t, NULL), ERR_OK);
	struct buf b;
	buf_init(&b, 4);
	ck_assert_int_eq(tmpl_render(t, NULL, NULL, &b, NULL), ERR_TOO_LARGE);
	ck_assert_uint_eq(b.max, 4);
	buf_fini(&b);
	tmpl_free(t);
}
END_TEST

START_TEST(recursive_partial_hits_depth_cap)
{
	struct tmpl_set *set = tmpl_set_new(NULL, NULL);
	struct errinfo ei = {0};
	ck_assert_int_eq(tmpl_set_add(set, "loop", "x{{>loop}}", 10, &ei), ERR_OK);
	ck_assert_int_eq(tmpl_set_add(set, "loop", "y", 1, &ei), ERR_CONFLICT);
	const struct tmpl *t;
	ck_assert_int_eq(tmpl_set_get(set, "loop", &t, &ei), ERR_OK);
	struct tmpl_render_opts o = {.partial = tmpl_set_partial, .partial_arg = set, .max_depth = 20};
	struct buf b;
	buf_init(&b, 0);
	ck_assert_int_eq(tmpl_render(t, NULL, &o, &b, &ei), ERR_TOO_LARGE);
	ck_assert_ptr_nonnull(strstr(ei.message, "deeper than 20"));
	buf_fini(&b);
	tmpl_set_free(set);
}
END_TEST

static int loads;
static enum err load_fake(void *arg, const char *name, char **src, size_t *len, struct errinfo *ei)
{
	(void)arg;
	loads++;
	const char *text = strcmp(name, "card") == 0 ? "[{{title}}]\n" : strcmp(name, "broken") == 0 ? "{{#x}}" : NULL;
	if (!text)
		return err_set(ei, ERR_NOT_FOUND, "", "no %s", name);
	*src = strdup(text);
	*len = strlen(text);
	return ERR_OK;
}

START_TEST(set_loads_on_demand_and_remembers_misses)
{
	loads = 0;
	struct tmpl_set *set = tmpl_set_new(load_fake, NULL);
	struct errinfo ei = {0};
	struct tmpl *t;
	const char *src = "<div>\n  {{>card}}\n</div>{{>missing}}{{>missing}}";
	ck_assert_int_eq(tmpl_compile("page", src, strlen(src), &t, &ei), ERR_OK);
	json_t *d = json_pack("{s:s}", "title", "Call & ready");
	struct tmpl_render_opts o = {.partial = tmpl_set_partial, .partial_arg = set};
	for (int i = 0; i < 3; i++) {
		struct buf b;
		buf_init(&b, 0);
		ck_assert_int_eq(tmpl_render(t, d, &o, &b, &ei), ERR_OK);
		ck_assert_str_eq(b.data, "<div>\n  [Call &amp; ready]\n</div>");
		buf_fini(&b);
	}
	ck_assert_int_eq(loads, 2); /* card once, missing once */
	const struct tmpl *bt;
	ck_assert_int_eq(tmpl_set_get(set, "broken", &bt, &ei), ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(ei.message, "broken:1:"));
	ck_assert_int_eq(tmpl_set_get(set, "nope", &bt, &ei), ERR_NOT_FOUND);
	json_decref(d);
	tmpl_free(t);
	tmpl_set_free(set);
}
END_TEST

START_TEST(layout_blocks_keep_indentation)
{
	struct tmpl_set *set = tmpl_set_new(NULL, NULL);
	const char *layout = "<table>\n"
			     "  <tr><td>\n"
			     "    {{$body}}\n"
			     "    default\n"
			     "    {{/body}}\n"
			     "  </td></tr>\n"
			     "</table>\n";
	const char *page = "{{<layout}}\n"
			   "{{$body}}\n"
			   "<p>Hi {{name}},</p>\n"
			   "{{#shifts}}\n"
			   "<p>{{.}}</p>\n"
			   "{{/shifts}}\n"
			   "{{/body}}\n"
			   "{{/layout}}\n";
	ck_assert_int_eq(tmpl_set_add(set, "layout", layout, strlen(layout), NULL), ERR_OK);
	ck_assert_int_eq(tmpl_set_add(set, "page", page, strlen(page), NULL), ERR_OK);
	const struct tmpl *t;
	ck_assert_int_eq(tmpl_set_get(set, "page", &t, NULL), ERR_OK);
	json_t *d = json_pack("{s:s,s:[s,s]}", "name", "Ana", "shifts", "IR-CALL", "CT-AM");
	struct tmpl_render_opts o = {.partial = tmpl_set_partial, .partial_arg = set};
	struct buf b;
	buf_init(&b, 0);
	ck_assert_int_eq(tmpl_render(t, d, &o, &b, NULL), ERR_OK);
	ck_assert_str_eq(b.data, "<table>\n  <tr><td>\n    <p>Hi Ana,</p>\n    <p>IR-CALL</p>\n    <p>CT-AM</p>\n"
				 "  </td></tr>\n</table>\n");
	buf_fini(&b);
	json_decref(d);
	tmpl_set_free(set);
}
END_TEST

struct job {
	const struct tmpl *t;
	int id;
	int ok;
};

static void *render_many(void *arg)
{
	struct job *j = arg;
	json_t *d = json_pack("{s:i}", "id", j->id);
	char want[64];
	snprintf(want, sizeof want, "<%d>", j->id);
	for (int i = 0; i < 500; i++) {
		struct buf b;
		buf_init(&b, 0);
		if (tmpl_render(j->t, d, NULL, &b, NULL) == ERR_OK && strcmp(b.data, want) == 0)
			j->ok++;
		buf_fini(&b);
	}
	json_decref(d);
	return NULL;
}

START_TEST(compiled_template_renders_from_many_threads)
{
	struct tmpl *t;
	ck_assert_int_eq(tmpl_compile("t", "<{{id}}>", 8, &t, NULL), ERR_OK);
	pthread_t th[4];
	struct job jobs[4];
	for (int i = 0; i < 4; i++) {
		jobs[i] = (struct job){t, i, 0};
		pthread_create(&th[i], NULL, render_many, &jobs[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		ck_assert_int_eq(jobs[i].ok, 500);
	}
	tmpl_free(t);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("tmpl");
	TCase *tc = tcase_create("tmpl");
	tcase_add_test(tc, escapes_html_by_default_and_not_in_text_mode);
	tcase_add_test(tc, values_and_truthiness);
	tcase_add_test(tc, crlf_and_standalone_lines);
	tcase_add_test(tc, parse_errors_name_the_line);
	tcase_add_test(tc, template_size_cap);
	tcase_add_test(tc, nesting_depth_cap);
	tcase_add_test(tc, output_cap);
	tcase_add_test(tc, recursive_partial_hits_depth_cap);
	tcase_add_test(tc, set_loads_on_demand_and_remembers_misses);
	tcase_add_test(tc, layout_blocks_keep_indentation);
	tcase_add_test(tc, compiled_template_renders_from_many_threads);
	suite_add_tcase(s, tc);
	return s;
}
