/* auth_identity.h — who may enter which tenant with a verified address
 * (docs/security.md "Who may sign in").
 *   - a person of the tenant (active) enters, unless the tenant restricts sign-up to its
 *     allowedDomains and the address is outside them;
 *   - a deactivated person is refused;
 *   - an address of an allowedDomains domain that is not yet a person is enrolled as RAD
 *     on first sign-in, if the sign-in vouches for the domain (the mailbox for magic
 *     links; Google's hd claim, or the verified email for issuers without hd);
 *   - anyone else is refused (invitations are the way in). */
#ifndef RS_WEB_AUTH_IDENTITY_H
#define RS_WEB_AUTH_IDENTITY_H

#include <stdbool.h>

#include "db/db.h"
#include "domain/platform.h"
#include "web/auth/auth_session.h"

enum auth_refusal { AUTH_ADMIT = 0, AUTH_REFUSE_NOT_MEMBER, AUTH_REFUSE_DOMAIN, AUTH_REFUSE_DEACTIVATED };

struct auth_member {
	bool member;         /* a users row exists for the address */
	bool active;         /* … and it is active */
	bool domain_allowed; /* the address's domain is in allowedDomains */
	bool restricted;     /* domainRestrictedSignup */
};

/* The rule above. *enrol = true when admitted as a new RAD. */
enum auth_refusal auth_admission(const struct auth_member *m, bool domain_vouched, bool *enrol);
/* A sentence for the refusal page (arena). */
const char *auth_refusal_message(struct arena *a, enum auth_refusal r, const char *tenant_name,
				 const char *allowed_domains);

#define AUTH_CANDIDATES_MAX 20

/* A tenant an address may have business with (auth_candidates()). */
struct auth_candidate {
	char tenant_id[37];
	char slug[64];
	char name[201];
	char user_name[201];
	char allowed_domains[600]; /* "a.example, b.example" */
	bool magic_link_enabled;
	struct auth_member m;
};

/* Every tenant where email is a person or whose allowedDomains hold its domain, at most
 * AUTH_CANDIDATES_MAX, name order. Runs without a tenant (SECURITY DEFINER lookup). */
enum err auth_candidates_find(const struct platform *pf, struct arena *a, const char *email, const char *request_id,
			      struct auth_candidate **out, size_t *n, struct errinfo *ei) RS_MUST_CHECK;

/* One sign-in into the tenant of the current transaction. */
struct auth_signin {
	const char *email;        /* normalised */
	const char *display_name; /* for enrolment; NULL = from the address */
	const char *method;       /* magic_link, oidc, invitation */
	bool domain_vouched;
	const char *ua, *ip;
	enum auth_refusal refusal; /* out: why, when ERR_FORBIDDEN */
	bool enrolled;             /* out */
	char tenant_name[201];     /* out */
	char allowed_domains[600]; /* out */
	struct auth_issued issued; /* out */
};

/* Look the address up in this tenant (fresh, locked), apply auth_admission, enrol when
 * due (audited), then create the session (audited sign_in). ERR_FORBIDDEN with
 * s->refusal when refused (the caller rolls back). */
enum err auth_signin_here(struct db *db, struct arena *a, struct auth_signin *s, struct errinfo *ei) RS_MUST_CHECK;

/* auth_signin_here in its own transaction in tenant_id (actor SYSTEM until the person is
 * known). */
enum err auth_signin_run(const struct platform *pf, const char *tenant_id, const char *request_id,
			 struct auth_signin *s, struct errinfo *ei) RS_MUST_CHECK;

/* Enrol/insert a person in the current tenant: name (1..200, default from the address),
 * role, fellow; ADMIN is not schedulable. *id_out gets the new id. */
enum err auth_person_insert(struct db *db, struct arena *a, const char *email, const char *name, const char *role,
			    bool is_fellow, bool schedulable, char id_out[37], struct errinfo *ei) RS_MUST_CHECK;

#endif
