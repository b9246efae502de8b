/* auth_invite.h — invitations (table invitations; docs/security.md "Invitations").
 * An admin invites an address with a role; the invite email (template invite, stream
 * system) carries a single-use token (hashed, AUTH_INVITE_TTL_S). The link opens an
 * acceptance page (peek); its POST accepts: the person joins (or is reactivated) with
 * the invited role and is signed in, in one transaction. */
#ifndef RS_WEB_AUTH_INVITE_H
#define RS_WEB_AUTH_INVITE_H

#include <jansson.h>

#include "domain/platform.h"
#include "web/auth/auth_identity.h"

struct auth_invite_in {
	const char *email;      /* as typed: normalised here */
	const char *name;       /* NULL/"" = from the address */
	const char *role;       /* RAD, CHIEF or ADMIN */
	bool is_fellow;
	const char *inviter_id; /* the admin */
};

/* In the tenant transaction: check, replace an open invitation of the same address,
 * insert, enqueue the email. ERR_INVALID (ei->path names the field), ERR_CONFLICT (already
 * a person of the tenant). */
enum err auth_invite_create(const struct platform *pf, struct db *db, struct arena *a, const struct auth_invite_in *in,
			    char id[37], struct errinfo *ei) RS_MUST_CHECK;
enum err auth_invite_revoke(struct db *db, struct arena *a, const char *id, bool *revoked,
			    struct errinfo *ei) RS_MUST_CHECK;
/* Open (not accepted, revoked or expired) invitations, newest first, JSON array of
 * {id, email, name, role, is_fellow, created_at, expires_at, invited_by}. */
enum err auth_invites_list(struct db *db, struct arena *a, json_t **out, struct errinfo *ei) RS_MUST_CHECK;

enum auth_invite_state { AUTH_INVITE_OPEN = 1, AUTH_INVITE_UNKNOWN, AUTH_INVITE_ACCEPTED, AUTH_INVITE_REVOKED,
			 AUTH_INVITE_EXPIRED };

struct auth_invite_view {
	enum auth_invite_state state;
	char tenant_id[37], tenant_name[201], email[255], name[201], role[16], inviter_name[201];
	bool is_fellow;
};

enum err auth_invite_peek(const struct platform *pf, const char *token, struct auth_invite_view *v,
			  struct errinfo *ei) RS_MUST_CHECK;

/* Accept and sign in (s: ua, ip in; issued out). ERR_NOT_FOUND with *state when the
 * invitation is not open; ERR_FORBIDDEN (s->refusal) when the tenant now refuses the
 * address's domain. */
enum err auth_invite_accept(const struct platform *pf, const char *token, const char *request_id,
			    enum auth_invite_state *state, struct auth_signin *s, struct errinfo *ei) RS_MUST_CHECK;

/* "Radiologist", "Fellow", "Chief", "Administrator". */
const char *auth_role_label(const char *role, bool is_fellow);

#endif
