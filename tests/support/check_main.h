/* check_main.h — every Check test file defines `Suite *test_suite(void)` and links
 * tests/support/check_main.c, which runs it (fork mode, 60 s timeout per test) and
 * prints Check's closing line. Helpers for tests live beside it. */
#ifndef RS_TESTS_CHECK_MAIN_H
#define RS_TESTS_CHECK_MAIN_H

#include <check.h>
#include <jansson.h>

Suite *test_suite(void);

/* Path of the repository root (tests run from it); set by check_main from RADSCHED_ROOT or ".". */
const char *test_root(void);
/* Read a whole file (NUL-terminated, caller frees); NULL when unreadable. */
char *test_read_file(const char *path, size_t *len);
/* A repository file (path relative to test_root()) parsed as strict JSON; fails the test
 * when it cannot be read or parsed. The caller owns the reference. */
json_t *test_json_file(const char *rel);

#endif
