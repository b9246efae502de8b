/* smtp_client.h — deliver one already-built RFC 5322 message over SMTP with libcurl.
 *
 * URL smtp://host[:port] (STARTTLS as configured) or smtps://host[:port] (TLS from the first
 * byte). With tls = SMTP_TLS_REQUIRED (the default) the session fails before AUTH or MAIL
 * when the server does not offer STARTTLS, so credentials and mail never travel in clear.
 * The peer certificate and host name are always verified; the trust store is the system's
 * unless RADSCHED_CA_BUNDLE (or cfg->ca_file) names a PEM file. The message must use CRLF
 * line endings; libcurl does the dot-stuffing. Thread-safe; one connection per call.
 *
 * Returns ERR_OK when the server accepted the message (250 after DATA). Otherwise:
 *   ERR_TIMEOUT        no answer in time (the message may or may not have been accepted)
 *   ERR_UNAUTHORIZED   AUTH refused (535 …) or credentials the server cannot use
 *   ERR_PRECONDITION   TLS required but not offered, or the certificate did not verify
 *   ERR_UPSTREAM_PERM  a 5xx reply to MAIL FROM / RCPT TO / DATA
 *   ERR_UPSTREAM       a 4xx reply, connection refused or dropped: try again later
 *   ERR_INVALID        bad arguments (CR/LF or '<' '>' in an envelope address, no recipient)
 * *st (may be NULL) gets the last SMTP reply code seen (0 when none) and, for a refusal, the
 * command that was refused (from libcurl's error text; SMTP_AT_UNKNOWN when it cannot tell). */
#ifndef RS_HTTP_SMTP_CLIENT_H
#define RS_HTTP_SMTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

#define SMTP_CLIENT_TIMEOUT_MS_DEFAULT 60000L
#define SMTP_CLIENT_RCPT_MAX 50

enum smtp_tls {
	SMTP_TLS_REQUIRED = 0, /* STARTTLS must succeed (smtps:// is always TLS) */
	SMTP_TLS_OPTIONAL,     /* STARTTLS when offered, else clear text: loopback relays only */
};

enum smtp_stage { SMTP_AT_UNKNOWN, SMTP_AT_MAIL, SMTP_AT_RCPT, SMTP_AT_DATA };

struct smtp_status {
	long reply_code;
	enum smtp_stage stage;
};

struct smtp_config {
	const char *url;      /* smtp://host:587 or smtps://host:465; a path sets the EHLO name */
	const char *username; /* NULL or "" = no AUTH */
	const char *password;
	enum smtp_tls tls;
	long timeout_ms;     /* whole session; 0 = SMTP_CLIENT_TIMEOUT_MS_DEFAULT */
	const char *ca_file; /* NULL = $RADSCHED_CA_BUNDLE or the system's */
};

/* Send data (len bytes) from envelope sender mail_from (bare addr-spec, may be "" for a null
 * reverse-path) to nrcpt bare addr-specs. */
enum err smtp_client_send(const struct smtp_config *cfg, const char *mail_from, const char *const *rcpt,
			  size_t nrcpt, const char *data, size_t len, struct smtp_status *st,
			  struct errinfo *ei) RS_MUST_CHECK;

/* "required" / "optional" → enum; false for anything else. */
bool smtp_tls_parse(const char *s, enum smtp_tls *out);

#endif
