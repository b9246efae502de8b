/* auth_magic.h — magic links (table magic_links; docs/security.md "Magic links").
 * A request emails a 256-bit single-use token (stored hashed, AUTH_MAGIC_TTL_S) on the
 * `system` stream to every tenant where the address may sign in and magic links are on.
 * The link opens a confirmation page (peek: consumes nothing); only its POST consumes the
 * token and signs in, in one transaction. */
#ifndef RS_WEB_AUTH_MAGIC_H
#define RS_WEB_AUTH_MAGIC_H

#include "domain/platform.h"
#include "web/auth/auth.h"
#include "web/auth/auth_identity.h"

struct auth_magic_issue {
	const char *tenant_id;
	const char *email;        /* normalised */
	const char *to_name;      /* person's name or NULL */
	const char *next;         /* safe local path */
	const char *ip;
	const char *device_label; /* may be NULL */
	bool send_email;          /* false: only the link (the dev welcome) */
	char url[1024];           /* out */
};

/* Create a link in its tenant's transaction (and its email when asked). */
enum err auth_magic_link_issue(const struct platform *pf, struct auth_magic_issue *m, const char *request_id,
			       struct errinfo *ei) RS_MUST_CHECK;

/* A person asked for a link: count the rate limits (per address and per IP), then issue
 * one link per tenant where the address may sign in with magic links (restricted to
 * tenant_slug when given). *sent = number of emails; 0 tells the caller nothing it may
 * reveal. Errors are database failures only. */
enum err auth_magic_link_request(const struct platform *pf, struct arena *a, const char *email, const char *tenant_slug,
				 const char *next, const char *ip, const char *ua, const char *request_id, int *sent,
				 struct errinfo *ei) RS_MUST_CHECK;

enum auth_magic_state { AUTH_MAGIC_VALID = 1, AUTH_MAGIC_UNKNOWN, AUTH_MAGIC_USED, AUTH_MAGIC_EXPIRED };

struct auth_magic_view {
	enum auth_magic_state state;
	char tenant_id[37];
	char tenant_name[201];
	char email[255];
};

/* Look at a link without consuming it (the GET confirmation page). */
enum err auth_magic_link_peek(const struct platform *pf, const char *token, const char *request_id,
			      struct auth_magic_view *v, struct errinfo *ei) RS_MUST_CHECK;

/* Consume the link and sign in (s: ua, ip in; the rest out), one transaction. On ERR_OK
 * *state is VALID, s->issued holds the session and next the path to go to. Otherwise
 * ERR_NOT_FOUND with *state UNKNOWN / USED / EXPIRED, or ERR_FORBIDDEN with s->refusal;
 * nothing changed. */
enum err auth_magic_link_consume(const struct platform *pf, const char *token, const char *request_id,
				 enum auth_magic_state *state, struct auth_signin *s, char next[AUTH_NEXT_SIZE],
				 struct errinfo *ei) RS_MUST_CHECK;

#endif
