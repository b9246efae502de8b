#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/metrics.h"
#include "base/strutil.h"
#include "check_main.h"

static int defer_log[4], defer_n;
static void note_defer(void *p) { defer_log[defer_n++] = *(int *)p; }

START_TEST(arena_frees_deferred_in_reverse)
{
	static int one = 1, two = 2;
	defer_n = 0;
	struct arena *a = arena_new(0);
	ck_assert_str_eq(arena_sprintf(a, "%s-%d", "x", 42), "x-42");
	arena_defer(a, note_defer, &one);
	arena_defer(a, note_defer, &two);
	arena_free(a);
	ck_assert_int_eq(defer_n, 2);
	ck_assert_int_eq(defer_log[0], 2);
	ck_assert_int_eq(defer_log[1], 1);
}
END_TEST

START_TEST(arena_cap_refuses_try_alloc)
{
	struct arena *a = arena_new(1024);
	ck_assert_ptr_nonnull(arena_try_alloc(a, 512));
	ck_assert_ptr_null(arena_try_alloc(a, 1024));
	ck_assert_ptr_nonnull(arena_alloc(a, 4096)); /* uncapped path still works */
	arena_free(a);
}
END_TEST

START_TEST(arena_concat_joins_parts)
{
	struct arena *a = arena_new(0);
	ck_assert_str_eq(ARENA_CONCAT(a, "Neuro (", "NEURO_D", ")\n", NULL, "\n", "Lakeside"), "Neuro (NEURO_D)\n\nLakeside");
	ck_assert_str_eq(ARENA_CONCAT(a, "", ""), "");
	const char *one = ARENA_CONCAT(a, "x");
	ck_assert_str_eq(one, "x");
	ck_assert_str_eq(ARENA_CONCAT(a, one, one, "é李"), "xxé李");
	arena_free(a);
}
END_TEST

START_TEST(buf_cap_leaves_buffer_unchanged)
{
	struct buf b;
	buf_init(&b, 8);
	ck_assert_int_eq(buf_puts(&b, "abcde"), ERR_OK);
	ck_assert_int_eq(buf_puts(&b, "fghij"), ERR_TOO_LARGE);
	ck_assert_str_eq(b.data, "abcde");
	ck_assert_uint_eq(b.len, 5);
	buf_fini(&b);
}
END_TEST

START_TEST(json_escape_handles_controls_and_bad_utf8)
{
	struct buf b;
	buf_init(&b, 0);
	ck_assert_int_eq(str_json_escape(&b, "a\"b\\c\n\x01 é \xff"), ERR_OK);
	ck_assert_str_eq(b.data, "\"a\\\"b\\\\c\\u000a\\u0001 é \xEF\xBF\xBD\"");
	buf_fini(&b);
}
END_TEST

START_TEST(utf8_validation)
{
	ck_assert(str_utf8_valid("李 — é", strlen("李 — é")));
	ck_assert(!str_utf8_valid("\xC0\x80", 2));       /* overlong */
	ck_assert(!str_utf8_valid("\xED\xA0\x80", 3));   /* surrogate */
	ck_assert(!str_utf8_valid("\xE2\x82", 2));       /* truncated */
}
END_TEST

START_TEST(edit_distance_and_hex)
{
	ck_assert_uint_eq(str_edit_distance("shiftTypes", "shiftType"), 1);
	ck_assert_uint_eq(str_edit_distance("kitten", "sitting"), 3);
	ck_assert_uint_eq(str_edit_distance("", "abc"), 3);
	ck_assert_int_eq(str_hex_value('F'), 15);
	ck_assert_int_eq(str_hex_value('g'), -1);
}
END_TEST

START_TEST(metrics_render_prometheus_text)
{
	metrics_declare("t_requests_total", METRIC_COUNTER, "Requests.");
	metrics_counter_add("t_requests_total", "route=\"/x\"", 2);
	metrics_observe("t_seconds", "", 0.02);
	struct buf b;
	buf_init(&b, 0);
	ck_assert_int_eq(metrics_render(&b), ERR_OK);
	ck_assert_ptr_nonnull(strstr(b.data, "# TYPE t_requests_total counter\nt_requests_total{route=\"/x\"} 2\n"));
	ck_assert_ptr_nonnull(strstr(b.data, "t_seconds_bucket{le=\"0.025\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(b.data, "t_seconds_bucket{le=\"0.01\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(b.data, "t_seconds_count 1\n"));
	buf_fini(&b);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("base");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, arena_frees_deferred_in_reverse);
	tcase_add_test(tc, arena_cap_refuses_try_alloc);
	tcase_add_test(tc, arena_concat_joins_parts);
	tcase_add_test(tc, buf_cap_leaves_buffer_unchanged);
	tcase_add_test(tc, json_escape_handles_controls_and_bad_utf8);
	tcase_add_test(tc, utf8_validation);
	tcase_add_test(tc, metrics_render_prometheus_text);
	tcase_add_test(tc, edit_distance_and_hex);
	suite_add_tcase(s, tc);
	return s;
}
