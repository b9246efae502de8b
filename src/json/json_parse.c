#include "json/json_parse.h"

#include <stdbool.h>

/* Nesting depth of text, counting brackets outside strings. Runs before jansson so
 * a hostile document cannot make its recursive parser go deep. Stops early once
 * over the cap; returns the line/column where the cap was passed. */
static int depth_exceeded(const char *s, size_t n, int max, int *line, int *col)
{
	int depth = 0, ln = 1, cl = 0;
	bool in_str = false, esc = false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		cl++;
		if (c == '\n') {
			ln++;
			cl = 0;
		}
		if (in_str) {
			if (esc)
				esc = false;
			else if (c == '\\')
				esc = true;
			else if (c == '"')
				in_str = false;
			continue;
		}
		if (c == '"') {
			in_str = true;
		} else if (c == '[' || c == '{') {
			if (++depth > max) {
				*line = ln;
				*col = cl;
				return 1;
			}
		} else if (c == ']' || c == '}') {
			depth--;
		}
	}
	return 0;
}

enum err json_parse_strict(const char *text, size_t len, const struct json_caps *caps, json_t **out,
			   struct errinfo *ei)
{
	size_t max_bytes = caps && caps->max_bytes ? caps->max_bytes : JSON_DEFAULT_MAX_BYTES;
	int max_depth = caps && caps->max_depth > 0 ? caps->max_depth : JSON_DEFAULT_MAX_DEPTH;
	*out = NULL;
	if (len > max_bytes)
		return err_set(ei, ERR_TOO_LARGE, "", "JSON text is %zu bytes; the limit is %zu", len, max_bytes);
	int line, col;
	if (depth_exceeded(text, len, max_depth, &line, &col))
		return err_set(ei, ERR_TOO_LARGE, "", "line %d, column %d: nesting deeper than %d levels", line, col,
			       max_depth);
	json_error_t je;
	json_t *v = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
	if (!v) {
		if (je.line < 0)
			return err_set(ei, ERR_MALFORMED, "", "%s", je.text);
		return err_set(ei, ERR_MALFORMED, "", "line %d, column %d: %s", je.line, je.column, je.text);
	}
	*out = v;
	return ERR_OK;
}
