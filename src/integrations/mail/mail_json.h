/* mail_json.h — decoding of the JSON replies of the HTTP mail providers. The only file of
 * src/integrations/mail/ that uses jansson (requests are written with str_json_escape), so
 * the JSON library stays replaceable. Replies are untrusted: every field is optional and
 * type-checked, strings are truncated to the output buffers. */
#ifndef RS_INTEGRATIONS_MAIL_JSON_H
#define RS_INTEGRATIONS_MAIL_JSON_H

#include <stdbool.h>
#include <stddef.h>

/* One Postmark result object: {"To":…, "SubmittedAt":…, "MessageID":…, "ErrorCode":n, "Message":…} */
struct mail_pm_reply {
	bool has_code;    /* ErrorCode present and an integer */
	int error_code;
	char message[400];
	char message_id[128];
};

/* Parse a Postmark reply body: one object (/email and error replies) or an array of objects
 * (/email/batch). Fills up to max entries; returns how many, or -1 when the body is not JSON
 * of either shape. */
int mail_json_postmark_replies(const char *body, size_t len, struct mail_pm_reply *out, size_t max);

/* SendGrid error body {"errors":[{"message":…,"field":…},…]}: the messages joined with "; "
 * (each followed by " (field)" when it names one) into out; "" when none. *recipient is set
 * when an error names a recipient address field (personalizations.N.to…). */
void mail_json_sendgrid_errors(const char *body, size_t len, char *out, size_t n, bool *recipient);

#endif
