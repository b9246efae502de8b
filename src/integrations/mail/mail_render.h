/* mail_render.h — turn a notification payload into an email (subject, HTML, plain text).
 *
 * Each template NAME is three mustache files in the templates directory:
 * NAME.subject.mustache, NAME.html.mustache (HTML-escaped, usually {{<_layout.html}}) and
 * NAME.text.mustache (not escaped, usually {{<_layout.text}}); files starting with "_" are
 * partials and parents. The payload is the JSON stored with the email record (for audit and
 * replay); docs/templates.md lists the fields every template reads.
 *
 * Compiled templates are cached process-wide per templates directory (thread-safe): the
 * first render of a name reads and compiles its files, later renders only render. */
#ifndef RS_INTEGRATIONS_MAIL_MAIL_RENDER_H
#define RS_INTEGRATIONS_MAIL_MAIL_RENDER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/err.h"

#define MAIL_MAX_PART ((size_t)512 << 10) /* rendered bytes of one part */
#define MAIL_MAX_SUBJECT 255               /* characters of a subject, after folding */

struct mail_rendered {
	const char *subject;   /* one line: no CR, LF or other control characters */
	const char *html;
	const char *text;
	const char *from_name; /* tenant.name from the payload, "radsched" when absent */
	const char *to;        /* recipient.email from the payload, "" when absent */
};

/* Render template name with payload into out (strings allocated from a). Before rendering,
 * the tenant branding is made safe: tenant.accent_color must be #RGB or #RRGGBB (else the
 * default colour), tenant.logo_url must be https:// (else no logo).
 * Errors: ERR_NOT_FOUND for a name not in mail_template_names(); ERR_IO when a file cannot be
 * read; ERR_INVALID for a template syntax error or a missing partial; ERR_TOO_LARGE past
 * MAIL_MAX_PART or MAIL_MAX_SUBJECT. */
enum err mail_render(const char *templates_dir, const char *name, const json_t *payload, struct arena *a,
		     struct mail_rendered *out, struct errinfo *ei) RS_MUST_CHECK;

/* The template names, NULL-terminated, in a fixed order. */
const char *const *mail_template_names(void);
bool mail_template_known(const char *name);

/* Realistic sample payload for previews and golden tests (Lakeside Radiology, America/Toronto);
 * a new reference the caller json_decref()s, or NULL for an unknown name. */
json_t *mail_sample_payload(const char *name);

/* mail_render() with mail_sample_payload(name): for callers that do not handle JSON. */
enum err mail_render_sample(const char *templates_dir, const char *name, struct arena *a,
			    struct mail_rendered *out, struct errinfo *ei) RS_MUST_CHECK;

/* Drop the compiled-template cache (tests; a reload after templates change). Call only while
 * no render runs. */
void mail_render_cache_clear(void);

#endif
