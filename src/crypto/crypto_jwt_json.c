/* crypto_jwt_json.c — depth-capped JSON loading for tokens and key sets. */
#include <string.h>

#include "crypto/crypto_jwt_internal.h"

/* Maximum nesting of {} and [] outside strings. Stops counting past cap. The text is
 * not validated here; jansson does that next. */
static size_t json_depth(const char *s, size_t n, size_t cap)
{
	size_t depth = 0, max = 0;
	bool in_str = false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
		} else if (c == '"') {
			in_str = true;
		} else if (c == '{' || c == '[') {
			if (++depth > max && (max = depth) > cap)
				return max;
		} else if ((c == '}' || c == ']') && depth) {
			depth--;
		}
	}
	return max;
}

enum err jwt_json_load(const char *text, size_t len, const char *what, json_t **out, struct errinfo *ei)
{
	*out = NULL;
	if (json_depth(text, len, CRYPTO_JSON_MAX_DEPTH) > CRYPTO_JSON_MAX_DEPTH)
		return err_set(ei, ERR_TOO_LARGE, "", "%s: JSON nested deeper than %d levels", what,
			       CRYPTO_JSON_MAX_DEPTH);
	json_error_t jerr;
	json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!j)
		return err_set(ei, ERR_MALFORMED, "", "%s is not valid JSON: %s (at byte %d)", what, jerr.text,
			       jerr.position);
	if (!json_is_object(j)) {
		json_decref(j);
		return err_set(ei, ERR_MALFORMED, "", "%s is not a JSON object", what);
	}
	*out = j;
	return ERR_OK;
}
