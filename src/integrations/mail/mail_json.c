#include "integrations/mail/mail_json.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static void copy_str(json_t *o, const char *key, char *out, size_t n)
{
	json_t *v = json_object_get(o, key);
	snprintf(out, n, "%s", json_is_string(v) ? json_string_value(v) : "");
}

static void pm_one(json_t *o, struct mail_pm_reply *r)
{
	memset(r, 0, sizeof *r);
	if (!json_is_object(o))
		return;
	json_t *code = json_object_get(o, "ErrorCode");
	if (json_is_integer(code)) {
		json_int_t v = json_integer_value(code);
		r->has_code = true;
		r->error_code = v < -1000000 || v > 1000000 ? -1 : (int)v;
	}
	copy_str(o, "Message", r->message, sizeof r->message);
	copy_str(o, "MessageID", r->message_id, sizeof r->message_id);
}

int mail_json_postmark_replies(const char *body, size_t len, struct mail_pm_reply *out, size_t max)
{
	json_error_t jerr;
	json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return -1;
	int n = -1;
	if (json_is_object(root) && max >= 1) {
		pm_one(root, &out[0]);
		n = 1;
	} else if (json_is_array(root)) {
		size_t i, cnt = json_array_size(root);
		for (i = 0; i < cnt && i < max; i++)
			pm_one(json_array_get(root, i), &out[i]);
		n = (int)i;
	}
	json_decref(root);
	return n;
}

void mail_json_sendgrid_errors(const char *body, size_t len, char *out, size_t n, bool *recipient)
{
	*recipient = false;
	if (n)
		out[0] = 0;
	json_error_t jerr;
	json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return;
	json_t *errs = json_object_get(root, "errors");
	size_t o = 0, i;
	json_t *e;
	json_array_foreach(errs, i, e) {
		json_t *msg = json_object_get(e, "message"), *field = json_object_get(e, "field");
		const char *ms = json_is_string(msg) ? json_string_value(msg) : "";
		const char *fs = json_is_string(field) ? json_string_value(field) : NULL;
		if (fs && !strncmp(fs, "personalizations.", 17) && strstr(fs, ".to"))
			*recipient = true;
		if (o < n) {
			int w = snprintf(out + o, n - o, "%s%s%s%s%s", o ? "; " : "", ms, fs ? " (" : "", fs ? fs : "",
					 fs ? ")" : "");
			if (w > 0)
				o += (size_t)w;
		}
	}
	json_decref(root);
}
