/* mail_provider_impl.h — what the provider back ends (mail_postmark.c, mail_sendgrid.c,
 * mail_smtp.c, mail_file.c) share with mail_provider.c. Internal to src/integrations/mail/.
 *
 * A back end gets a message already checked by mail_message_check (addresses parsed, no
 * CR/LF anywhere in header material) and fills the result; mail_provider.c does the timing,
 * the metrics and the log line. */
#ifndef RS_INTEGRATIONS_MAIL_PROVIDER_IMPL_H
#define RS_INTEGRATIONS_MAIL_PROVIDER_IMPL_H

#include "base/arena.h"
#include "integrations/mail/mail_message.h"
#include "integrations/mail/mail_provider.h"

struct mail_provider_ops {
	const char *name;
	/* Send one message; return ERR_OK exactly when r->outcome is MAIL_SENT. */
	enum err (*send)(const struct mail_provider *p, const struct mail_message *m, const struct mail_checked *c,
			 struct mail_result *r);
	/* Send n checked messages at once, filling results[i]; NULL = one by one. */
	void (*send_batch)(const struct mail_provider *p, const struct mail_message *const *msgs,
			   const struct mail_checked *const *cs, size_t n, struct mail_result *const *results);
};

struct mail_provider {
	const struct mail_provider_ops *ops;
	struct arena *mem;                /* owns the copied configuration strings */
	struct mail_provider_config cfg;  /* strings point into mem; defaults filled in */
};

extern const struct mail_provider_ops mail_postmark_ops;
extern const struct mail_provider_ops mail_sendgrid_ops;
extern const struct mail_provider_ops mail_smtp_ops;
extern const struct mail_provider_ops mail_file_ops;

/* Set outcome and error text (printf) on r and return code, for back ends:
 *   return mail_result_set(r, MAIL_RETRY, ERR_UPSTREAM, "Postmark answered %d", status); */
enum err mail_result_set(struct mail_result *r, enum mail_outcome o, enum err code, const char *fmt, ...)
	RS_PRINTF(4, 5);

/* Classification of an HTTP exchange that failed in transport (no status): MAIL_RETRY with
 * the client's message; ERR_TOO_LARGE (an absurd reply) is retried as well. */
enum err mail_result_transport(struct mail_result *r, enum err code, const struct errinfo *ei);

#endif
