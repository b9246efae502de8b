/* mail_message.h — checks a struct mail_message before any provider sees it: addresses
 * parsed and validated, no CR/LF/control bytes in anything that becomes a header, valid
 * UTF-8, size caps, allowed extra headers. Every provider goes through mail_message_check,
 * so header injection is refused in one place, whatever the transport. */
#ifndef RS_INTEGRATIONS_MAIL_MESSAGE_H
#define RS_INTEGRATIONS_MAIL_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "integrations/mail/mail_provider.h"

#define MAIL_ADDR_MAX 254      /* addr-spec */
#define MAIL_NAME_MAX 256      /* display name, bytes of UTF-8 */
#define MAIL_MSGID_TOKEN_MAX 100

struct mail_addr {
	char name[MAIL_NAME_MAX + 1]; /* display name, unquoted UTF-8; "" when none */
	char addr[MAIL_ADDR_MAX + 1]; /* local@domain, ASCII */
};

/* What mail_message_check derived from a message: the parsed addresses, the effective
 * stream and message id token (given, or a random UUID), the domain for Message-ID. */
struct mail_checked {
	struct mail_addr from, to, reply_to;
	bool has_reply_to;
	const char *stream; /* never NULL */
	char message_id[MAIL_MSGID_TOKEN_MAX + 1];
};

/* Parse "addr", "<addr>", "Name <addr>" or "\"Quoted, Name\" <addr>". The addr-spec must be
 * an ASCII dot-atom local part @ a host name (no quoted local parts, no IDN). field names the
 * option/JSON field in ei->path. */
enum err mail_addr_parse(const char *s, struct mail_addr *out, const char *field,
			 struct errinfo *ei) RS_MUST_CHECK;
bool mail_addr_spec_valid(const char *addr);

/* Validate m (from falls back to default_from) and fill *c. ERR_INVALID / ERR_TOO_LARGE
 * with the field in ei->path when something is wrong. */
enum err mail_message_check(const struct mail_message *m, const char *default_from, struct mail_checked *c,
			    struct errinfo *ei) RS_MUST_CHECK;

/* Copy the first http:// or https:// link of text into out (size n), "" when none. The link
 * ends at whitespace, < > " or a trailing . , ; : ! ? ) ]. */
void mail_first_link(const char *text, char *out, size_t n);

#endif
