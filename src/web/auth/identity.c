/* Who may enter which tenant (auth_identity.h), and the sign-in transaction step. */
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "domain/people.h"
#include "web/auth/auth.h"
#include "web/auth/auth_identity.h"

enum auth_refusal auth_admission(const struct auth_member *m, bool domain_vouched, bool *enrol)
{
	*enrol = false;
	if (m->member) {
		if (!m->active)
			return AUTH_REFUSE_DEACTIVATED;
		if (m->restricted && !m->domain_allowed)
			return AUTH_REFUSE_DOMAIN;
		return AUTH_ADMIT;
	}
	if (m->domain_allowed && domain_vouched) {
		*enrol = true;
		return AUTH_ADMIT;
	}
	return m->restricted ? AUTH_REFUSE_DOMAIN : AUTH_REFUSE_NOT_MEMBER;
}

const char *auth_refusal_message(struct arena *a, enum auth_refusal r, const char *tenant_name, const char *allowed)
{
	switch (r) {
	case AUTH_REFUSE_DEACTIVATED:
		return arena_sprintf(a, "Your account at %s has been deactivated. If this is a mistake, ask one of its "
				     "administrators to reactivate it.", tenant_name);
	case AUTH_REFUSE_DOMAIN:
		if (allowed && *allowed)
			return arena_sprintf(a, "%s accepts sign-ins only from addresses at %s. Sign in with that address, or ask "
					     "an administrator of %s for help.", tenant_name, allowed, tenant_name);
		return arena_sprintf(a, "%s accepts sign-ins only from its own domains. Ask one of its administrators for "
				     "help.", tenant_name);
	case AUTH_REFUSE_NOT_MEMBER:
		return arena_sprintf(a, "This address is not a member of %s. Ask one of its administrators for an "
				     "invitation.", tenant_name);
	default:
		return "";
	}
}

/* "{a.example,b.example}" (PostgreSQL array text) → "a.example, b.example". */
static void domains_text(const char *arr, char *out, size_t n)
{
	size_t len = 0;
	out[0] = 0;
	for (const char *p = arr ? arr : ""; *p && len + 3 < n; p++) {
		if (*p == '{' || *p == '}' || *p == '"')
			continue;
		if (*p == ',') {
			out[len++] = ',';
			out[len++] = ' ';
		} else {
			out[len++] = *p;
		}
		out[len] = 0;
	}
}

struct find {
	const char *email;
	struct arena *a;
	struct auth_candidate *c;
	size_t n;
};

static enum err find_tx(struct db *db, void *arg, struct errinfo *ei)
{
	struct find *f = arg;
	struct db_res *r;
	enum err e = DB_EXEC(db, f->a, &r, ei,
			     "SELECT tenant_id::text, slug, tenant_name, user_id::text, user_name, user_active,"
			     " magic_link_enabled, domain_allowed, domain_restricted, allowed_domains::text AS domains"
			     " FROM auth_candidates($1) LIMIT 20",
			     f->email);
	if (e)
		return e;
	int rows = db_res_rows(r);
	f->c = arena_alloc(f->a, (size_t)(rows ? rows : 1) * sizeof *f->c);
	for (int i = 0; i < rows; i++) {
		struct auth_candidate *c = &f->c[f->n++];
		snprintf(c->tenant_id, sizeof c->tenant_id, "%s", db_res_val(r, i, "tenant_id"));
		snprintf(c->slug, sizeof c->slug, "%s", db_res_val(r, i, "slug"));
		snprintf(c->name, sizeof c->name, "%s", db_res_val(r, i, "tenant_name"));
		const char *un = db_res_val(r, i, "user_name");
		snprintf(c->user_name, sizeof c->user_name, "%s", un ? un : "");
		domains_text(db_res_val(r, i, "domains"), c->allowed_domains, sizeof c->allowed_domains);
		c->magic_link_enabled = db_res_bool(r, i, "magic_link_enabled");
		c->m.member = db_res_val(r, i, "user_id") != NULL;
		c->m.active = db_res_bool(r, i, "user_active");
		c->m.domain_allowed = db_res_bool(r, i, "domain_allowed");
		c->m.restricted = db_res_bool(r, i, "domain_restricted");
	}
	return ERR_OK;
}

enum err auth_candidates_find(const struct platform *pf, struct arena *a, const char *email, const char *request_id,
			      struct auth_candidate **out, size_t *n, struct errinfo *ei)
{
	struct find f = {.email = email, .a = a};
	struct db_ctx ctx = {.actor = DB_ACTOR_SYSTEM, .request_id = request_id};
	enum err e = db_with_tx(pf->pool, &ctx, find_tx, &f, ei);
	*out = f.c;
	*n = e ? 0 : f.n;
	return e;
}

enum err auth_person_insert(struct db *db, struct arena *a, const char *email, const char *name, const char *role,
			    bool is_fellow, bool schedulable, char id_out[37], struct errinfo *ei)
{
	char local[201];
	if (!name || !*name) {
		size_t n = strcspn(email, "@");
		snprintf(local, sizeof local, "%.*s", (int)(n < 200 ? n : 200), email);
		name = local;
	}
	struct person_in in = {.email = email, .name = name, .short_name = "", .role = role, .fte = 1.0,
			       .is_fellow = is_fellow, .active = true, .schedulable = schedulable, .subspecialties = "{}"};
	return person_create(db, a, &in, id_out, ei);
}

enum err auth_signin_here(struct db *db, struct arena *a, struct auth_signin *s, struct errinfo *ei)
{
	struct db_res *r;
	enum err e = DB_EXEC(db, a, &r, ei,
			     "SELECT t.name, st.allowed_domains::text AS domains, st.domain_restricted,"
			     " lower(split_part($1, '@', 2)) = ANY (st.allowed_domains) AS allowed"
			     " FROM tenants t CROSS JOIN LATERAL auth_tenant_settings(t.id) st WHERE t.id = app_tenant()",
			     s->email);
	if (e)
		return e;
	if (db_res_rows(r) != 1)
		return err_set(ei, ERR_NOT_FOUND, "", "no such department");
	snprintf(s->tenant_name, sizeof s->tenant_name, "%s", db_res_val(r, 0, "name"));
	domains_text(db_res_val(r, 0, "domains"), s->allowed_domains, sizeof s->allowed_domains);
	struct auth_member m = {.restricted = db_res_bool(r, 0, "domain_restricted"),
				.domain_allowed = db_res_bool(r, 0, "allowed")};
	e = DB_EXEC(db, a, &r, ei,
		    "SELECT id::text, active FROM users WHERE tenant_id = app_tenant() AND lower(email) = lower($1) FOR UPDATE",
		    s->email);
	if (e)
		return e;
	bool found = db_res_rows(r) == 1;
	m.member = found;
	m.active = found && db_res_bool(r, 0, "active");
	bool enrol;
	s->refusal = auth_admission(&m, s->domain_vouched, &enrol);
	if (s->refusal != AUTH_ADMIT)
		return err_set(ei, ERR_FORBIDDEN, "", "%s", auth_refusal_message(a, s->refusal, s->tenant_name, s->allowed_domains));
	char uid[37];
	if (enrol) {
		if ((e = auth_person_insert(db, a, s->email, s->display_name, "RAD", false, false, uid, ei)))
			return e;
		s->enrolled = true;
	} else {
		snprintf(uid, sizeof uid, "%s", db_res_val(r, 0, "id"));
	}
	if ((e = auth_tx_act_as(db, a, uid, ei)))
		return e;
	if (enrol && (e = DB_EXEC(db, a, NULL, ei,
				  "SELECT audit_event('enrolled', 'users', $1, jsonb_build_object('role', 'RAD', 'method', $2::text,"
				  " 'rule', 'allowedDomains'))",
				  uid, s->method)))
		return e;
	return auth_session_create(db, a, uid, s->method, s->ua, s->ip, &s->issued, ei);
}

static enum err signin_tx(struct db *db, void *arg, struct errinfo *ei)
{
	struct arena *a = arena_new(0);
	enum err e = auth_signin_here(db, a, arg, ei);
	arena_free(a);
	return e;
}

enum err auth_signin_run(const struct platform *pf, const char *tenant_id, const char *request_id,
			 struct auth_signin *s, struct errinfo *ei)
{
	struct db_ctx ctx = {.tenant_id = tenant_id, .actor = DB_ACTOR_SYSTEM, .request_id = request_id};
	return db_with_tx(pf->pool, &ctx, signin_tx, s, ei);
}
