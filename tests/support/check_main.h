/* check_main.h — every Check test file defines `Suite *test_suite(void)` and links
 * tests/support/check_main.c, which runs it (fork mode, 60 s timeout per test) and
 * prints Check's closing line. Helpers for tests live beside it. */
#ifndef RS_TESTS_CHECK_MAIN_H
#define RS_TESTS_CHECK_MAIN_H

#include <check.h>

Suite *test_suite(void);

/* Path of the repository root (tests run from it); set by check_main from RADSCHED_ROOT or ".". */
const char *test_root(void);
/* Read a whole file (NUL-terminated, caller frees); NULL when unreadable. */
char *test_read_file(const char *path, size_t *len);

#endif
