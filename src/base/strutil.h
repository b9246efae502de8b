/* strutil.h — small string helpers shared by every layer (libc only). */
#ifndef RS_BASE_STRUTIL_H
#define RS_BASE_STRUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/* Append s as a JSON string literal (with quotes). Invalid UTF-8 bytes become U+FFFD. */
enum err str_json_escape(struct buf *b, const char *s) RS_MUST_CHECK;
/* Append s with & < > " ' escaped for HTML text and attributes. */
enum err str_html_escape(struct buf *b, const char *s) RS_MUST_CHECK;
bool str_starts_with(const char *s, const char *prefix);
bool str_ends_with(const char *s, const char *suffix);
/* Constant-time comparison of two byte strings of length n. */
bool str_ct_equal(const void *a, const void *b, size_t n);
/* Lower-case hex of n bytes into out (2n+1 bytes). */
void str_hex(char *out, const unsigned char *in, size_t n);
/* true when s is valid UTF-8 (no overlongs, no surrogates). */
bool str_utf8_valid(const char *s, size_t n);
/* Parse a decimal int64 in [min,max]; the whole string must be the number. */
bool str_to_i64(const char *s, int64_t min, int64_t max, int64_t *out);
/* Value of one hex digit, or -1. */
int str_hex_value(unsigned char c);
/* Levenshtein distance of two short strings (for "did you mean" hints); strings longer
 * than 64 bytes give 99. */
size_t str_edit_distance(const char *a, const char *b);
/* true for 8-4-4-4-12 hex UUID text. */
bool str_is_uuid(const char *s);

#endif
