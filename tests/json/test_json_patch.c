/* RFC 6902 JSON Patch (apply, diff), RFC 6901 pointers and the strict parser. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "json/json_parse.h"
#include "json/json_patch.h"
#include "json/json_pointer.h"
#include "json/json_value.h"

static json_t *J(const char *text)
{
	json_t *v;
	struct errinfo ei;
	enum err e = json_parse_strict(text, strlen(text), NULL, &v, &ei);
	ck_assert_msg(e == ERR_OK, "bad test JSON %s: %s", text, ei.message);
	return v;
}

/* RFC 6902 appendix A: document, patch, result (NULL = the patch must fail). */
static const struct {
	const char *name, *doc, *patch, *want;
} rfc[] = {
	{"A.1 add member", "{\"foo\":\"bar\"}", "[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\"}]",
	 "{\"baz\":\"qux\",\"foo\":\"bar\"}"},
	{"A.2 add array element", "{\"foo\":[\"bar\",\"baz\"]}", "[{\"op\":\"add\",\"path\":\"/foo/1\",\"value\":\"qux\"}]",
	 "{\"foo\":[\"bar\",\"qux\",\"baz\"]}"},
	{"A.3 remove member", "{\"baz\":\"qux\",\"foo\":\"bar\"}", "[{\"op\":\"remove\",\"path\":\"/baz\"}]",
	 "{\"foo\":\"bar\"}"},
	{"A.4 remove array element", "{\"foo\":[\"bar\",\"qux\",\"baz\"]}", "[{\"op\":\"remove\",\"path\":\"/foo/1\"}]",
	 "{\"foo\":[\"bar\",\"baz\"]}"},
	{"A.5 replace", "{\"baz\":\"qux\",\"foo\":\"bar\"}", "[{\"op\":\"replace\",\"path\":\"/baz\",\"value\":\"boo\"}]",
	 "{\"baz\":\"boo\",\"foo\":\"bar\"}"},
	{"A.6 move value", "{\"foo\":{\"bar\":\"baz\",\"waldo\":\"fred\"},\"qux\":{\"corge\":\"grault\"}}",
	 "[{\"op\":\"move\",\"from\":\"/foo/waldo\",\"path\":\"/qux/thud\"}]",
	 "{\"foo\":{\"bar\":\"baz\"},\"qux\":{\"corge\":\"grault\",\"thud\":\"fred\"}}"},
	{"A.7 move array element", "{\"foo\":[\"all\",\"grass\",\"cows\",\"eat\"]}",
	 "[{\"op\":\"move\",\"from\":\"/foo/1\",\"path\":\"/foo/3\"}]", "{\"foo\":[\"all\",\"cows\",\"eat\",\"grass\"]}"},
	{"A.8 test success", "{\"baz\":\"qux\",\"foo\":[\"a\",2,\"c\"]}",
	 "[{\"op\":\"test\",\"path\":\"/baz\",\"value\":\"qux\"},{\"op\":\"test\",\"path\":\"/foo/1\",\"value\":2}]",
	 "{\"baz\":\"qux\",\"foo\":[\"a\",2,\"c\"]}"},
	{"A.9 test error", "{\"baz\":\"qux\"}", "[{\"op\":\"test\",\"path\":\"/baz\",\"value\":\"bar\"}]", NULL},
	{"A.10 add nested object", "{\"foo\":\"bar\"}", "[{\"op\":\"add\",\"path\":\"/child\",\"value\":{\"grandchild\":{}}}]",
	 "{\"foo\":\"bar\",\"child\":{\"grandchild\":{}}}"},
	{"A.11 ignore unknown members", "{\"foo\":\"bar\"}",
	 "[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\",\"xyz\":123}]", "{\"foo\":\"bar\",\"baz\":\"qux\"}"},
	{"A.12 add to nonexistent target", "{\"foo\":\"bar\"}", "[{\"op\":\"add\",\"path\":\"/baz/bat\",\"value\":\"qux\"}]",
	 NULL},
	{"A.14 escape ordering", "{\"/\":9,\"~1\":10}", "[{\"op\":\"test\",\"path\":\"/~01\",\"value\":10}]",
	 "{\"/\":9,\"~1\":10}"},
	{"A.15 strings are not numbers", "{\"/\":9,\"~1\":10}", "[{\"op\":\"test\",\"path\":\"/~01\",\"value\":\"10\"}]", NULL},
	{"A.16 add array value", "{\"foo\":[\"bar\"]}", "[{\"op\":\"add\",\"path\":\"/foo/-\",\"value\":[\"abc\",\"def\"]}]",
	 "{\"foo\":[\"bar\",[\"abc\",\"def\"]]}"},
	/* beyond the appendix */
	{"replace root", "{\"a\":1}", "[{\"op\":\"replace\",\"path\":\"\",\"value\":[1]}]", "[1]"},
	{"add root", "{\"a\":1}", "[{\"op\":\"add\",\"path\":\"\",\"value\":{\"b\":2}}]", "{\"b\":2}"},
	{"remove root", "{\"a\":1}", "[{\"op\":\"remove\",\"path\":\"\"}]", NULL},
	{"copy", "{\"a\":{\"x\":[1]}}", "[{\"op\":\"copy\",\"from\":\"/a\",\"path\":\"/b\"}]",
	 "{\"a\":{\"x\":[1]},\"b\":{\"x\":[1]}}"},
	{"move into own child", "{\"a\":{\"b\":{}}}", "[{\"op\":\"move\",\"from\":\"/a\",\"path\":\"/a/b/c\"}]", NULL},
	{"move to itself", "{\"a\":1}", "[{\"op\":\"move\",\"from\":\"/a\",\"path\":\"/a\"}]", "{\"a\":1}"},
	{"leading zero index", "{\"a\":[1,2]}", "[{\"op\":\"remove\",\"path\":\"/a/01\"}]", NULL},
	{"replace past end", "{\"a\":[1,2]}", "[{\"op\":\"replace\",\"path\":\"/a/-\",\"value\":3}]", NULL},
	{"add past end", "{\"a\":[1,2]}", "[{\"op\":\"add\",\"path\":\"/a/3\",\"value\":3}]", NULL},
	{"add at end index", "{\"a\":[1,2]}", "[{\"op\":\"add\",\"path\":\"/a/2\",\"value\":3}]", "{\"a\":[1,2,3]}"},
	{"test numbers by value", "{\"a\":1}", "[{\"op\":\"test\",\"path\":\"/a\",\"value\":1.0}]", "{\"a\":1}"},
	{"test object ignores order", "{\"a\":{\"x\":1,\"y\":2}}",
	 "[{\"op\":\"test\",\"path\":\"/a\",\"value\":{\"y\":2,\"x\":1}}]", "{\"a\":{\"x\":1,\"y\":2}}"},
	{"test missing target", "{}", "[{\"op\":\"test\",\"path\":\"/a\",\"value\":null}]", NULL},
	{"unknown op", "{}", "[{\"op\":\"merge\",\"path\":\"/a\",\"value\":1}]", NULL},
	{"add without value", "{}", "[{\"op\":\"add\",\"path\":\"/a\"}]", NULL},
	{"path not a pointer", "{}", "[{\"op\":\"add\",\"path\":\"a\",\"value\":1}]", NULL},
	{"bad escape", "{}", "[{\"op\":\"add\",\"path\":\"/a~2\",\"value\":1}]", NULL},
	{"patch not an array", "{}", "{\"op\":\"add\"}", NULL},
	{"op not an object", "{}", "[1]", NULL},
	{"add null value", "{}", "[{\"op\":\"add\",\"path\":\"/a\",\"value\":null}]", "{\"a\":null}"},
	{"add into scalar", "{\"a\":1}", "[{\"op\":\"add\",\"path\":\"/a/b\",\"value\":1}]", NULL},
};

START_TEST(rfc6902_examples)
{
	json_t *doc = J(rfc[_i].doc), *patch = J(rfc[_i].patch), *out = NULL;
	json_t *before = json_deep_copy(doc);
	struct errinfo ei;
	err_clear(&ei);
	enum err e = json_patch_apply(doc, patch, &out, &ei);
	if (rfc[_i].want) {
		ck_assert_msg(e == ERR_OK, "%s: %s", rfc[_i].name, ei.message);
		json_t *want = J(rfc[_i].want);
		ck_assert_msg(json_value_equal(out, want), "%s: wrong result", rfc[_i].name);
		json_decref(want);
	} else {
		ck_assert_msg(e != ERR_OK, "%s: should fail", rfc[_i].name);
		ck_assert_ptr_null(out);
		ck_assert_msg(ei.message[0], "%s: no reason given", rfc[_i].name);
	}
	ck_assert_msg(json_value_equal(doc, before), "%s: the input changed", rfc[_i].name);
	json_decref(out);
	json_decref(before);
	json_decref(doc);
	json_decref(patch);
}
END_TEST

START_TEST(rfc6902_a13_duplicate_op_is_refused_by_the_parser)
{
	const char *t = "[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\",\"op\":\"remove\"}]";
	json_t *v;
	struct errinfo ei;
	ck_assert_int_eq(json_parse_strict(t, strlen(t), NULL, &v, &ei), ERR_MALFORMED);
	ck_assert_ptr_null(v);
	ck_assert_ptr_nonnull(strstr(ei.message, "duplicate"));
}
END_TEST

START_TEST(patch_is_atomic_and_names_the_failing_op)
{
	json_t *doc = J("{\"a\":1,\"b\":[1,2,3]}");
	json_t *patch = J("[{\"op\":\"replace\",\"path\":\"/a\",\"value\":2},"
			  "{\"op\":\"remove\",\"path\":\"/b/0\"},"
			  "{\"op\":\"add\",\"path\":\"/c\",\"value\":{}},"
			  "{\"op\":\"test\",\"path\":\"/a\",\"value\":1}]");
	json_t *before = json_deep_copy(doc), *out = (json_t *)1;
	struct errinfo ei;
	ck_assert_int_eq(json_patch_apply(doc, patch, &out, &ei), ERR_PRECONDITION);
	ck_assert_ptr_null(out);
	ck_assert_str_eq(ei.path, "/3");
	ck_assert_ptr_nonnull(strstr(ei.message, "operation 3 (test)"));
	ck_assert(json_equal(doc, before));
	ck_assert_int_eq(doc->refcount, 1);

	json_t *bad = J("[{\"op\":\"add\",\"path\":\"/x\",\"value\":1},{\"op\":\"remove\",\"path\":\"/nope\"}]");
	ck_assert_int_eq(json_patch_apply(doc, bad, &out, &ei), ERR_INVALID);
	ck_assert_str_eq(ei.path, "/1");
	ck_assert_ptr_nonnull(strstr(ei.message, "nothing at /nope"));
	ck_assert(json_equal(doc, before));
	json_decref(bad);
	json_decref(before);
	json_decref(doc);
	json_decref(patch);
}
END_TEST

START_TEST(patch_result_shares_nothing_with_the_patch)
{
	json_t *doc = J("{}"), *patch = J("[{\"op\":\"add\",\"path\":\"/a\",\"value\":{\"k\":[1]}}]"), *out;
	struct errinfo ei;
	ck_assert_int_eq(json_patch_apply(doc, patch, &out, &ei), ERR_OK);
	json_array_append_new(json_object_get(json_object_get(out, "a"), "k"), json_integer(2));
	json_t *v = json_object_get(json_array_get(patch, 0), "value");
	ck_assert_uint_eq(json_array_size(json_object_get(v, "k")), 1);
	json_decref(out);
	json_decref(doc);
	json_decref(patch);
}
END_TEST

START_TEST(patch_op_cap)
{
	json_t *patch = json_array(), *doc = J("{}"), *out;
	for (int i = 0; i <= JSON_PATCH_MAX_OPS; i++)
		json_array_append_new(patch, json_pack("{s:s,s:s,s:i}", "op", "add", "path", "/a", "value", i));
	struct errinfo ei;
	ck_assert_int_eq(json_patch_apply(doc, patch, &out, &ei), ERR_TOO_LARGE);
	json_decref(patch);
	json_decref(doc);
}
END_TEST

/* ---- diff ---- */

static uint64_t rng_state;
static unsigned rnd(unsigned n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (unsigned)(rng_state % n);
}

static const char *const keys[] = {"a", "b", "c", "d/e", "f~g", "", "~1", "shiftTypes"};

static json_t *random_value(int depth)
{
	unsigned k = rnd(depth > 0 ? 9 : 6);
	switch (k) {
	case 0: return json_integer((json_int_t)rnd(5));
	case 1: return json_real(rnd(4) / 2.0);
	case 2: return json_string(keys[rnd(8)]);
	case 3: return json_boolean(rnd(2));
	case 4: return json_null();
	case 5: return json_string("x");
	case 6:
	case 7: {
		json_t *o = json_object();
		unsigned n = rnd(5);
		for (unsigned i = 0; i < n; i++)
			json_object_set_new(o, keys[rnd(8)], random_value(depth - 1));
		return o;
	}
	default: {
		json_t *a = json_array();
		unsigned n = rnd(6);
		for (unsigned i = 0; i < n; i++)
			json_array_append_new(a, random_value(depth - 1));
		return a;
	}
	}
}

/* A few random edits of v in place (so that diffs are small as well as large). */
static void mutate(json_t *v, int depth)
{
	if (json_is_object(v)) {
		const char *k = keys[rnd(8)];
		switch (rnd(4)) {
		case 0: json_object_set_new(v, k, random_value(2)); break;
		case 1: json_object_del(v, k); break;
		default: {
			json_t *c = json_object_get(v, k);
			if (c && depth > 0)
				mutate(c, depth - 1);
		}
		}
	} else if (json_is_array(v)) {
		size_t n = json_array_size(v);
		switch (rnd(4)) {
		case 0: json_array_insert_new(v, rnd((unsigned)n + 1), random_value(2)); break;
		case 1:
			if (n)
				json_array_remove(v, rnd((unsigned)n));
			break;
		default:
			if (n && depth > 0)
				mutate(json_array_get(v, rnd((unsigned)n)), depth - 1);
		}
	}
}

static void assert_round_trip(const json_t *a, const json_t *b)
{
	json_t *patch = json_patch_diff(a, b), *out = NULL;
	struct errinfo ei;
	enum err e = json_patch_apply(a, patch, &out, &ei);
	char *pa = json_dumps(a, JSON_ENCODE_ANY), *pb = json_dumps(b, JSON_ENCODE_ANY);
	char *pp = json_dumps(patch, 0);
	ck_assert_msg(e == ERR_OK, "apply failed: %s %s\nA=%s\nB=%s\nP=%s", ei.path, ei.message, pa, pb, pp);
	ck_assert_msg(json_value_equal(out, b), "round trip differs\nA=%s\nB=%s\nP=%s", pa, pb, pp);
	free(pa);
	free(pb);
	free(pp);
	json_decref(out);
	json_decref(patch);
}

START_TEST(diff_round_trips_random_documents)
{
	rng_state = 0x9E3779B97F4A7C15ull;
	for (int i = 0; i < 3000; i++) {
		json_t *a = random_value(4);
		json_t *b;
		if (i % 3 == 0) {
			b = random_value(4);
		} else {
			b = json_deep_copy(a);
			for (unsigned m = 0, n = 1 + rnd(4); m < n; m++)
				mutate(b, 4);
		}
		assert_round_trip(a, b);
		assert_round_trip(b, a);
		json_t *self = json_patch_diff(a, a);
		ck_assert_uint_eq(json_array_size(self), 0);
		json_decref(self);
		json_decref(a);
		json_decref(b);
	}
}
END_TEST

START_TEST(diff_is_small_for_small_changes)
{
	json_t *a = J("{\"list\":[1,2,3,4,5,6],\"obj\":{\"x\":1,\"y\":[true]},\"gone\":0}");
	json_t *b = J("{\"list\":[1,2,9,3,4,5,6],\"obj\":{\"x\":2,\"y\":[true]},\"new\":\"n/~\"}");
	json_t *p = json_patch_diff(a, b);
	json_t *want = J("[{\"op\":\"add\",\"path\":\"/list/2\",\"value\":9},"
			 "{\"op\":\"replace\",\"path\":\"/obj/x\",\"value\":2},"
			 "{\"op\":\"remove\",\"path\":\"/gone\"},"
			 "{\"op\":\"add\",\"path\":\"/new\",\"value\":\"n/~\"}]");
	ck_assert_msg(json_value_equal(p, want), "diff: %s", json_dumps(p, 0));
	json_decref(p);
	json_decref(want);
	/* numbers equal by value need no operation */
	json_t *i = J("[1]"), *r = J("[1.0]");
	p = json_patch_diff(i, r);
	ck_assert_uint_eq(json_array_size(p), 0);
	json_decref(p);
	json_decref(i);
	json_decref(r);
	/* different root types: one replace of "" */
	json_t *s = J("\"s\"");
	p = json_patch_diff(a, s);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(p, 0), "path")), "");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(p, 0), "op")), "replace");
	json_decref(p);
	json_decref(s);
	json_decref(a);
	json_decref(b);
}
END_TEST

START_TEST(diff_of_demo_config_edits)
{
	json_t *a = test_json_file("config/demo/lakeside.json"), *b = json_deep_copy(a);
	json_object_set_new(b, "timezone", json_string("America/Vancouver"));
	json_array_remove(json_object_get(b, "shiftTypes"), 3);
	json_object_del(json_object_get(b, "ics"), "windowDaysBack");
	json_t *p = json_patch_diff(a, b);
	ck_assert_uint_eq(json_array_size(p), 3);
	json_decref(p);
	assert_round_trip(a, b);
	json_decref(a);
	json_decref(b);
}
END_TEST

/* ---- pointers ---- */

START_TEST(pointer_get_and_escape)
{
	json_t *doc = J("{\"foo\":[\"bar\",\"baz\"],\"\":0,\"a/b\":1,\"c%d\":2,\"e^f\":3,\"g|h\":4,\"i\\\\j\":5,"
			"\"k\\\"l\":6,\" \":7,\"m~n\":8}");
	static const struct {
		const char *ptr;
		const char *want;
	} cases[] = {{"", NULL},        {"/foo", NULL},  {"/foo/0", "\"bar\""}, {"/", "0"},      {"/a~1b", "1"},
		     {"/c%d", "2"},     {"/e^f", "3"},   {"/g|h", "4"},         {"/i\\j", "5"},  {"/k\"l", "6"},
		     {"/ ", "7"},       {"/m~0n", "8"}};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		json_t *v;
		ck_assert_int_eq(json_pointer_get(doc, cases[i].ptr, &v, NULL), ERR_OK);
		if (cases[i].want) {
			json_t *w = J(cases[i].want);
			ck_assert_msg(json_value_equal(v, w), "pointer %s", cases[i].ptr);
			json_decref(w);
		}
	}
	json_t *v;
	struct errinfo ei;
	ck_assert_int_eq(json_pointer_get(doc, "/foo/2", &v, &ei), ERR_NOT_FOUND);
	ck_assert_int_eq(json_pointer_get(doc, "/foo/-", &v, &ei), ERR_NOT_FOUND);
	ck_assert_int_eq(json_pointer_get(doc, "/foo/01", &v, &ei), ERR_NOT_FOUND);
	ck_assert_int_eq(json_pointer_get(doc, "/nope/x", &v, &ei), ERR_NOT_FOUND);
	ck_assert_str_eq(ei.path, "/nope");
	ck_assert_int_eq(json_pointer_get(doc, "foo", &v, &ei), ERR_INVALID);
	ck_assert_int_eq(json_pointer_get(doc, "/m~2n", &v, &ei), ERR_INVALID);
	json_decref(doc);

	struct arena *a = arena_new(0);
	ck_assert_str_eq(json_pointer_join(a, "/x", "a/b~c"), "/x/a~1b~0c");
	ck_assert_str_eq(json_pointer_join_index(a, "", 7), "/7");
	char **toks;
	size_t n;
	ck_assert_int_eq(json_pointer_split("/a~1b/~0/", a, &toks, &n, NULL), ERR_OK);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(toks[0], "a/b");
	ck_assert_str_eq(toks[1], "~");
	ck_assert_str_eq(toks[2], "");
	arena_free(a);
	size_t idx;
	ck_assert(json_pointer_index("0", 1, &idx) && idx == 0);
	ck_assert(!json_pointer_index("1", 1, &idx));
	ck_assert(!json_pointer_index("99999999999999999999999", SIZE_MAX, &idx));
	ck_assert(!json_pointer_index("-1", 10, &idx));
	ck_assert(!json_pointer_index("", 10, &idx));
}
END_TEST

/* ---- strict parser ---- */

START_TEST(parser_policy)
{
	static const struct {
		const char *text;
		enum err want;
		const char *msg;
	} cases[] = {
		{"{\"a\":1,\"a\":2}", ERR_MALFORMED, "line 1, column"},
		{"{\"a\":1} x", ERR_MALFORMED, "line 1"},
		{"{\"a\":1}\n\n  ]", ERR_MALFORMED, "line 3, column 3"},
		{"\"\xff\"", ERR_MALFORMED, "decode"},
		{"\"\xc0\x80\"", ERR_MALFORMED, NULL},
		{"\"\xed\xa0\x80\"", ERR_MALFORMED, NULL},
		{"\"\\ud800\"", ERR_MALFORMED, NULL},
		{"\"a\\u0000b\"", ERR_MALFORMED, NULL},
		{"99999999999999999999", ERR_MALFORMED, NULL},
		{"[1,]", ERR_MALFORMED, NULL},
		{"", ERR_MALFORMED, NULL},
		{"7", ERR_OK, NULL},
		{"  {\"k\": [\"]]]]\", {}]}  \n", ERR_OK, NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		json_t *v = NULL;
		struct errinfo ei;
		err_clear(&ei);
		enum err e = json_parse_strict(cases[i].text, strlen(cases[i].text), NULL, &v, &ei);
		ck_assert_msg(e == cases[i].want, "case %zu (%s): got %s (%s)", i, cases[i].text, err_name(e), ei.message);
		if (cases[i].msg)
			ck_assert_msg(strstr(ei.message, cases[i].msg), "case %zu: message %s", i, ei.message);
		json_decref(v);
	}
}
END_TEST

START_TEST(parser_caps)
{
	char deep[200];
	memset(deep, '[', 100);
	memset(deep + 100, ']', 100);
	json_t *v;
	struct errinfo ei;
	ck_assert_int_eq(json_parse_strict(deep, 200, &(struct json_caps){0, 64}, &v, &ei), ERR_TOO_LARGE);
	ck_assert_ptr_nonnull(strstr(ei.message, "nesting"));
	ck_assert_int_eq(json_parse_strict(deep, 200, &(struct json_caps){0, 100}, &v, &ei), ERR_OK);
	json_decref(v);
	/* brackets inside strings do not count */
	const char *s = "[\"[[[[[[[[[[[[\"]";
	ck_assert_int_eq(json_parse_strict(s, strlen(s), &(struct json_caps){0, 1}, &v, &ei), ERR_OK);
	json_decref(v);
	ck_assert_int_eq(json_parse_strict("[1, 2, 3]", 9, &(struct json_caps){8, 0}, &v, &ei), ERR_TOO_LARGE);
	ck_assert_ptr_null(v);
}
END_TEST

START_TEST(encode_policy)
{
	json_t *v = J("{\"b\":0.6,\"a\":[1,\"é\"]}");
	struct buf b;
	buf_init(&b, 0);
	ck_assert_int_eq(json_text_encode(v, JSON_ENC_SORTED, &b), ERR_OK);
	ck_assert_str_eq(b.data, "{\"a\":[1,\"é\"],\"b\":0.6}");
	buf_fini(&b);
	buf_init(&b, 5);
	ck_assert_int_eq(json_text_encode(v, 0, &b), ERR_TOO_LARGE);
	buf_fini(&b);
	json_decref(v);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("json_patch");
	TCase *tc = tcase_create("patch");
	tcase_add_loop_test(tc, rfc6902_examples, 0, sizeof rfc / sizeof *rfc);
	tcase_add_test(tc, rfc6902_a13_duplicate_op_is_refused_by_the_parser);
	tcase_add_test(tc, patch_is_atomic_and_names_the_failing_op);
	tcase_add_test(tc, patch_result_shares_nothing_with_the_patch);
	tcase_add_test(tc, patch_op_cap);
	tcase_add_test(tc, diff_round_trips_random_documents);
	tcase_add_test(tc, diff_is_small_for_small_changes);
	tcase_add_test(tc, diff_of_demo_config_edits);
	tcase_add_test(tc, pointer_get_and_escape);
	tcase_add_test(tc, parser_policy);
	tcase_add_test(tc, parser_caps);
	tcase_add_test(tc, encode_policy);
	suite_add_tcase(s, tc);
	return s;
}
