/* Invitations: create (with the email), revoke, list, peek, accept-and-sign-in. */
#include <stdio.h>
#include <string.h>

#include "crypto/crypto_random.h"
#include "integrations/mail/outbox.h"
#include "web/auth/auth.h"
#include "web/auth/auth_invite.h"

#define STR_(x) #x
#define STR(x) STR_(x)

const char *auth_role_label(const char *role, bool is_fellow)
{
	if (!strcmp(role, "ADMIN"))
		return "Administrator";
	if (!strcmp(role, "CHIEF"))
		return "Chief";
	if (!strcmp(role, "SUPER_ADMIN"))
		return "Platform administrator";
	return is_fellow ? "Fellow" : "Radiologist";
}

static bool name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > 200)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

enum err auth_invite_create(const struct platform *pf, struct db *db, struct arena *a, const struct auth_invite_in *in,
			    char id[37], struct errinfo *ei)
{
	const char *email = auth_email_normalize(a, in->email);
	if (!email)
		return err_set(ei, ERR_INVALID, "email", "enter one email address, like name@hospital.org");
	if (!in->role || (strcmp(in->role, "RAD") && strcmp(in->role, "CHIEF") && strcmp(in->role, "ADMIN")))
		return err_set(ei, ERR_INVALID, "role", "the role must be RAD, CHIEF or ADMIN");
	const char *name = in->name && *in->name ? in->name : NULL;
	if (name && !name_ok(name))
		return err_set(ei, ERR_INVALID, "name", "the name must be 1 to 200 characters");
	if (!name) {
		size_t n = strcspn(email, "@");
		name = arena_strndup(a, email, n);
	}
	struct db_res *r;
	enum err e = DB_EXEC(db, a, &r, ei,
			     "SELECT st.domain_restricted AND NOT (lower(split_part($1, '@', 2)) = ANY (st.allowed_domains)) AS refused,"
			     " array_to_string(st.allowed_domains, ', ') AS domains,"
			     " (SELECT active FROM users WHERE tenant_id = app_tenant() AND lower(email) = lower($1)) AS active"
			     " FROM auth_tenant_settings(app_tenant()) st",
			     email);
	if (e)
		return e;
	if (db_res_rows(r) != 1)
		return err_set(ei, ERR_NOT_FOUND, "", "no such department");
	if (db_res_bool(r, 0, "refused"))
		return err_set(ei, ERR_INVALID, "email", "this department accepts only addresses at %s (domainRestrictedSignup)",
			       db_res_val(r, 0, "domains"));
	const char *active = db_res_val(r, 0, "active");
	if (active)
		return err_set(ei, ERR_CONFLICT, "email",
			       !strcmp(active, "t") ? "%s is already a member of this department"
						    : "%s is a deactivated member of this department: reactivate them instead",
			       email);
	char token[CRYPTO_TOKEN_SIZE(CRYPTO_TOKEN_BYTES)], hash[CRYPTO_SHA256_HEX_SIZE];
	if (crypto_random_token(token, sizeof token, CRYPTO_TOKEN_BYTES))
		return err_set(ei, ERR_INTERNAL, "", "cannot make a token");
	crypto_token_hash(token, hash);
	e = DB_EXEC(db, a, NULL, ei,
		    "UPDATE invitations SET revoked_at = now() WHERE tenant_id = app_tenant() AND lower(email) = lower($1)"
		    " AND accepted_at IS NULL AND revoked_at IS NULL",
		    email);
	if (!e)
		e = DB_EXEC(db, a, &r, ei,
			    "WITH i AS (INSERT INTO invitations (tenant_id, email, name, role, is_fellow, token_hash, invited_by,"
			    "  expires_at) VALUES (app_tenant(), $1, $2, $3, $4::boolean, $5, $6::uuid,"
			    "  now() + make_interval(secs => " STR(AUTH_INVITE_TTL_S) ")) RETURNING id, expires_at)"
			    " SELECT i.id::text, to_char(i.expires_at AT TIME ZONE t.timezone,"
			    "   '\"on\" FMDay FMDD FMMonth YYYY \"at\" HH24:MI') AS expires_label,"
			    " coalesce((SELECT name FROM users WHERE tenant_id = app_tenant() AND id = $6::uuid), t.name) AS inviter"
			    " FROM i, tenants t WHERE t.id = app_tenant()",
			    email, name, in->role, in->is_fellow ? "true" : "false", hash, in->inviter_id);
	if (e) {
		memset(token, 0, sizeof token);
		return e;
	}
	snprintf(id, 37, "%s", db_res_val(r, 0, "id"));
	const char *first = strchr(name, ' ') && !strncmp(name, "Dr. ", 4) ? name + 4 : name;
	json_t *p = json_pack("{s:{s:s}, s:s, s:s, s:s, s:{s:s, s:s, s:s}}", "inviter", "name", db_res_val(r, 0, "inviter"),
			      "role_label", auth_role_label(in->role, in->is_fellow), "accept_url",
			      arena_sprintf(a, "%s/invite/accept?token=%s", pf->base_url, token), "expires_label",
			      db_res_val(r, 0, "expires_label"), "recipient", "name", name, "first_name",
			      arena_strndup(a, first, strcspn(first, " ")), "email", email);
	memset(token, 0, sizeof token);
	struct outbox_msg msg = {.template = "invite", .stream = "system", .to_email = email, .to_name = name,
				 .entity = arena_sprintf(a, "invitation:%s", id), .payload = p};
	bool created;
	e = outbox_enqueue(pf, db, a, &msg, &created, ei);
	json_decref(p);
	return e;
}

enum err auth_invite_revoke(struct db *db, struct arena *a, const char *id, bool *revoked, struct errinfo *ei)
{
	struct db_res *r;
	*revoked = false;
	enum err e = DB_EXEC(db, a, &r, ei,
			     "UPDATE invitations SET revoked_at = now() WHERE tenant_id = app_tenant() AND id = $1::uuid"
			     " AND accepted_at IS NULL AND revoked_at IS NULL RETURNING id",
			     id);
	if (!e)
		*revoked = db_res_rows(r) == 1;
	return e;
}

enum err auth_invites_list(struct db *db, struct arena *a, json_t **out, struct errinfo *ei)
{
	struct db_res *r;
	*out = NULL;
	enum err e = DB_EXEC0(db, a, &r, ei,
			      "SELECT coalesce(jsonb_agg(jsonb_build_object('id', i.id, 'email', i.email, 'name', i.name,"
			      "  'role', i.role, 'is_fellow', i.is_fellow, 'created_at', i.created_at, 'expires_at', i.expires_at,"
			      "  'invited_by', u.name) ORDER BY i.created_at DESC), '[]')::text AS j"
			      " FROM invitations i LEFT JOIN users u ON u.tenant_id = i.tenant_id AND u.id = i.invited_by"
			      " WHERE i.tenant_id = app_tenant() AND i.accepted_at IS NULL AND i.revoked_at IS NULL"
			      "   AND i.expires_at > now()");
	if (e)
		return e;
	json_error_t je;
	*out = json_loads(db_res_val(r, 0, "j"), 0, &je);
	return *out ? ERR_OK : err_set(ei, ERR_INTERNAL, "", "invitation list is not JSON");
}

static enum auth_invite_state state_of(const char *s)
{
	return !s ? AUTH_INVITE_UNKNOWN
	       : !strcmp(s, "open")	? AUTH_INVITE_OPEN
	       : !strcmp(s, "accepted") ? AUTH_INVITE_ACCEPTED
	       : !strcmp(s, "revoked")	? AUTH_INVITE_REVOKED
					: AUTH_INVITE_EXPIRED;
}

enum err auth_invite_peek(const struct platform *pf, const char *token, struct auth_invite_view *v, struct errinfo *ei)
{
	memset(v, 0, sizeof *v);
	v->state = AUTH_INVITE_UNKNOWN;
	if (!auth_token_shape_ok(token))
		return ERR_OK;
	char hash[CRYPTO_SHA256_HEX_SIZE];
	crypto_token_hash(token, hash);
	struct db *db = db_pool_get(pf->pool);
	struct arena *a = arena_new(0);
	struct db_res *r;
	enum err e = DB_EXEC(db, a, &r, ei,
			     "SELECT tenant_id::text, tenant_name, email, name, role, is_fellow, inviter_name, state"
			     " FROM invitation_peek($1)",
			     hash);
	if (!e && db_res_rows(r) == 1) {
		v->state = state_of(db_res_val(r, 0, "state"));
		snprintf(v->tenant_id, sizeof v->tenant_id, "%s", db_res_val(r, 0, "tenant_id"));
		snprintf(v->tenant_name, sizeof v->tenant_name, "%s", db_res_val(r, 0, "tenant_name"));
		snprintf(v->email, sizeof v->email, "%s", db_res_val(r, 0, "email"));
		snprintf(v->name, sizeof v->name, "%s", db_res_val(r, 0, "name"));
		snprintf(v->role, sizeof v->role, "%s", db_res_val(r, 0, "role"));
		snprintf(v->inviter_name, sizeof v->inviter_name, "%s", db_res_val(r, 0, "inviter_name"));
		v->is_fellow = db_res_bool(r, 0, "is_fellow");
	}
	arena_free(a);
	db_pool_put(pf->pool, db);
	return e;
}

struct accept {
	const char *hash;
	enum auth_invite_state state;
	struct auth_signin *s;
};

static enum err accept_tx(struct db *db, void *arg, struct errinfo *ei)
{
	struct accept *ac = arg;
	struct auth_signin *s = ac->s;
	struct arena *a = arena_new(0);
	struct db_res *r, *inv;
	enum err e = DB_EXEC(db, a, &inv, ei,
			     "UPDATE invitations SET accepted_at = now() WHERE tenant_id = app_tenant() AND token_hash = $1"
			     " AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now()"
			     " RETURNING id::text, email, name, role, is_fellow::text",
			     ac->hash);
	if (!e && db_res_rows(inv) == 0) {
		e = DB_EXEC(db, a, &r, ei,
			    "SELECT CASE WHEN accepted_at IS NOT NULL THEN 'accepted' WHEN revoked_at IS NOT NULL THEN 'revoked'"
			    " ELSE 'expired' END AS state FROM invitations WHERE tenant_id = app_tenant() AND token_hash = $1",
			    ac->hash);
		if (!e) {
			ac->state = state_of(db_res_rows(r) ? db_res_val(r, 0, "state") : NULL);
			e = err_set(ei, ERR_NOT_FOUND, "token", "this invitation is no longer open");
		}
	}
	const char *email = NULL, *role = NULL, *fellow = NULL, *iid = NULL;
	if (!e) {
		iid = db_res_val(inv, 0, "id");
		email = db_res_val(inv, 0, "email");
		role = db_res_val(inv, 0, "role");
		fellow = db_res_val(inv, 0, "is_fellow");
		e = DB_EXEC(db, a, &r, ei,
			    "SELECT t.name, st.domain_restricted AND NOT (lower(split_part($1, '@', 2)) = ANY (st.allowed_domains))"
			    " AS refused, array_to_string(st.allowed_domains, ', ') AS domains"
			    " FROM tenants t CROSS JOIN LATERAL auth_tenant_settings(t.id) st WHERE t.id = app_tenant()",
			    email);
	}
	if (!e) {
		snprintf(s->tenant_name, sizeof s->tenant_name, "%s", db_res_val(r, 0, "name"));
		snprintf(s->allowed_domains, sizeof s->allowed_domains, "%s", db_res_val(r, 0, "domains"));
		if (db_res_bool(r, 0, "refused")) {
			s->refusal = AUTH_REFUSE_DOMAIN;
			e = err_set(ei, ERR_FORBIDDEN, "", "%s",
				    auth_refusal_message(a, s->refusal, s->tenant_name, s->allowed_domains));
		}
	}
	if (!e)
		e = DB_EXEC(db, a, &r, ei,
			    "SELECT id::text FROM users WHERE tenant_id = app_tenant() AND lower(email) = lower($1) FOR UPDATE",
			    email);
	char uid[37] = "";
	if (!e && db_res_rows(r) == 1) {
		snprintf(uid, sizeof uid, "%s", db_res_val(r, 0, "id"));
		e = DB_EXEC(db, a, NULL, ei,
			    "UPDATE users SET role = $2, is_fellow = $3::boolean, active = true, deactivated_at = NULL"
			    " WHERE tenant_id = app_tenant() AND id = $1",
			    uid, role, fellow);
	} else if (!e) {
		e = auth_person_insert(db, a, email, db_res_val(inv, 0, "name"), role, !strcmp(fellow, "true"),
				       strcmp(role, "ADMIN") != 0, uid, ei);
		s->enrolled = !e;
	}
	if (!e)
		e = DB_EXEC(db, a, NULL, ei, "UPDATE invitations SET accepted_user_id = $2 WHERE tenant_id = app_tenant() AND id = $1",
			    iid, uid);
	if (!e)
		e = auth_tx_act_as(db, a, uid, ei);
	if (!e)
		e = DB_EXEC(db, a, NULL, ei,
			    "SELECT audit_event('invitation_accepted', 'invitations', $1, jsonb_build_object('user_id', $2::text,"
			    " 'role', $3::text))",
			    iid, uid, role);
	if (!e)
		e = auth_session_create(db, a, uid, "invitation", s->ua, s->ip, &s->issued, ei);
	if (!e)
		ac->state = AUTH_INVITE_OPEN;
	arena_free(a);
	return e;
}

enum err auth_invite_accept(const struct platform *pf, const char *token, const char *request_id,
			    enum auth_invite_state *state, struct auth_signin *s, struct errinfo *ei)
{
	struct auth_invite_view v;
	enum err e = auth_invite_peek(pf, token, &v, ei);
	*state = v.state;
	if (e)
		return e;
	if (v.state != AUTH_INVITE_OPEN)
		return err_set(ei, ERR_NOT_FOUND, "token", "this invitation is no longer open");
	char hash[CRYPTO_SHA256_HEX_SIZE];
	crypto_token_hash(token, hash);
	struct accept ac = {.hash = hash, .state = AUTH_INVITE_UNKNOWN, .s = s};
	struct db_ctx ctx = {.tenant_id = v.tenant_id, .actor = DB_ACTOR_SYSTEM, .request_id = request_id};
	e = db_with_tx(pf->pool, &ctx, accept_tx, &ac, ei);
	*state = ac.state;
	return e;
}
