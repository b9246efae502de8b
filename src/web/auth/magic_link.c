/* Magic links: issue (with the email), request (rate limits, where to send), peek,
 * consume-and-sign-in. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "base/metrics.h"
#include "crypto/crypto_random.h"
#include "integrations/mail/outbox.h"
#include "web/auth/auth_magic.h"

#define STR_(x) #x
#define STR(x) STR_(x)
#define MAGIC_METRIC "radsched_auth_magic_link_requests_total"

static pthread_once_t metrics_once = PTHREAD_ONCE_INIT;
static void metrics_init(void)
{
	metrics_declare(MAGIC_METRIC, METRIC_COUNTER,
			"Magic-link requests by outcome: sent (one or more emails), none (no tenant for the address), "
			"rate_limited");
}

/* "Dr. Priya Raman" → "Priya"; "" → "there". */
static const char *first_name(struct arena *a, const char *name)
{
	const char *p = name ? name : "";
	while (*p) {
		while (*p == ' ')
			p++;
		size_t n = strcspn(p, " ");
		if (n && p[n - 1] != '.' && p[n])
			return arena_strndup(a, p, n);
		if (n && !p[n])
			return arena_strndup(a, p, n);
		p += n;
	}
	return "there";
}

struct issue {
	const struct platform *pf;
	struct auth_magic_issue *m;
};

static enum err issue_tx(struct db *db, void *arg, struct errinfo *ei)
{
	struct issue *is = arg;
	struct auth_magic_issue *m = is->m;
	struct arena *a = arena_new(0);
	char token[CRYPTO_TOKEN_SIZE(CRYPTO_TOKEN_BYTES)], hash[CRYPTO_SHA256_HEX_SIZE];
	enum err e = crypto_random_token(token, sizeof token, CRYPTO_TOKEN_BYTES);
	if (e) {
		arena_free(a);
		return err_set(ei, ERR_INTERNAL, "", "cannot make a token");
	}
	crypto_token_hash(token, hash);
	struct db_res *r;
	e = DB_EXEC(db, a, &r, ei,
		    "WITH m AS (INSERT INTO magic_links (tenant_id, email, token_hash, next_path, expires_at, request_ip)"
		    "  VALUES (app_tenant(), $1, $2, $3, now() + make_interval(secs => " STR(AUTH_MAGIC_TTL_S) "), $4)"
		    "  RETURNING id)"
		    " SELECT m.id::text, 'on ' || to_char(now() AT TIME ZONE t.timezone, 'FMDay FMDD FMMonth YYYY \"at\" HH24:MI')"
		    "   || ' (' || replace(regexp_replace(t.timezone, '^.*/', ''), '_', ' ') || ' time)' AS time_label"
		    " FROM m, tenants t WHERE t.id = app_tenant()",
		    m->email, hash, m->next, m->ip ? m->ip : "");
	if (!e) {
		struct buf u;
		buf_init(&u, sizeof m->url - 1);
		e = buf_printf(&u, "%s/auth/magic?token=%s", is->pf->base_url, token);
		if (!e)
			snprintf(m->url, sizeof m->url, "%s", u.data);
		buf_fini(&u);
		if (e)
			e = err_set(ei, ERR_INTERNAL, "", "base URL too long for a link");
	}
	if (!e && m->send_email) {
		json_t *req = json_pack("{s:s}", "time_label", db_res_val(r, 0, "time_label"));
		if (m->device_label)
			json_object_set_new(req, "device_label", json_string(m->device_label));
		if (m->ip && *m->ip)
			json_object_set_new(req, "ip", json_string(m->ip));
		json_t *p = json_pack("{s:s, s:i, s:o, s:{s:s, s:s, s:s}}", "link_url", m->url, "expires_minutes",
				      AUTH_MAGIC_TTL_S / 60, "request", req, "recipient", "name",
				      m->to_name && *m->to_name ? m->to_name : m->email, "first_name", first_name(a, m->to_name),
				      "email", m->email);
		struct outbox_msg msg = {.template = "magic_link", .stream = "system", .to_email = m->email,
					 .to_name = m->to_name && *m->to_name ? m->to_name : NULL,
					 .entity = arena_sprintf(a, "magic_link:%s", db_res_val(r, 0, "id")), .payload = p};
		bool created;
		e = outbox_enqueue(is->pf, db, a, &msg, &created, ei);
		json_decref(p);
	}
	memset(token, 0, sizeof token);
	arena_free(a);
	return e;
}

enum err auth_magic_link_issue(const struct platform *pf, struct auth_magic_issue *m, const char *request_id,
			       struct errinfo *ei)
{
	struct issue is = {.pf = pf, .m = m};
	struct db_ctx ctx = {.tenant_id = m->tenant_id, .actor = DB_ACTOR_SYSTEM, .request_id = request_id};
	m->url[0] = 0;
	return db_with_tx(pf->pool, &ctx, issue_tx, &is, ei);
}

/* ---- requests ------------------------------------------------------------------------ */

struct limits {
	const char *ip_bucket, *addr_bucket;
	bool ok;
};

static enum err limits_tx(struct db *db, void *arg, struct errinfo *ei)
{
	struct limits *l = arg;
	struct arena *a = arena_new(0);
	struct db_res *r;
	enum err e = DB_EXEC(db, a, &r, ei,
			     "SELECT auth_rate_hit($1, " STR(AUTH_MAGIC_PER_IP) ", " STR(AUTH_MAGIC_WINDOW_S) ") AS ip_ok,"
			     " auth_rate_hit($2, " STR(AUTH_MAGIC_PER_ADDRESS) ", " STR(AUTH_MAGIC_WINDOW_S) ") AS addr_ok",
			     l->ip_bucket, l->addr_bucket);
	l->ok = !e && db_res_bool(r, 0, "ip_ok") && db_res_bool(r, 0, "addr_ok");
	arena_free(a);
	return e;
}

enum err auth_magic_link_request(const struct platform *pf, struct arena *a, const char *email, const char *tenant_slug,
				 const char *next, const char *ip, const char *ua, const char *request_id, int *sent,
				 struct errinfo *ei)
{
	pthread_once(&metrics_once, metrics_init);
	*sent = 0;
	char ahash[CRYPTO_SHA256_HEX_SIZE], ihash[CRYPTO_SHA256_HEX_SIZE];
	crypto_sha256_hex(email, strlen(email), ahash);
	crypto_sha256_hex(ip ? ip : "", strlen(ip ? ip : ""), ihash);
	struct limits l = {.ip_bucket = arena_sprintf(a, "magic:ip:%s", ihash),
			   .addr_bucket = arena_sprintf(a, "magic:addr:%s", ahash)};
	struct db_ctx ctx = {.actor = DB_ACTOR_SYSTEM, .request_id = request_id};
	enum err e = db_with_tx(pf->pool, &ctx, limits_tx, &l, ei);
	if (e)
		return e;
	if (!l.ok) {
		metrics_counter_add(MAGIC_METRIC, "outcome=\"rate_limited\"", 1);
		log_kv(LOG_WARN, "magic link request over the rate limit: nothing sent", "ip", ip ? ip : "", NULL);
		return ERR_OK;
	}
	struct auth_candidate *c;
	size_t n;
	if ((e = auth_candidates_find(pf, a, email, request_id, &c, &n, ei)))
		return e;
	const char *device = auth_device_label(a, ua);
	for (size_t i = 0; i < n && !e; i++) {
		bool enrol;
		if (tenant_slug && *tenant_slug && strcmp(tenant_slug, c[i].slug))
			continue;
		if (!c[i].magic_link_enabled || auth_admission(&c[i].m, true, &enrol) != AUTH_ADMIT)
			continue;
		struct auth_magic_issue m = {.tenant_id = c[i].tenant_id, .email = email,
					     .to_name = c[i].user_name[0] ? c[i].user_name : NULL, .next = next, .ip = ip,
					     .device_label = device, .send_email = true};
		if (!(e = auth_magic_link_issue(pf, &m, request_id, ei)))
			(*sent)++;
	}
	metrics_counter_add(MAGIC_METRIC, *sent ? "outcome=\"sent\"" : "outcome=\"none\"", 1);
	return e;
}

/* ---- peek and consume ---------------------------------------------------------------- */

enum err auth_magic_link_peek(const struct platform *pf, const char *token, const char *request_id,
			      struct auth_magic_view *v, struct errinfo *ei)
{
	(void)request_id;
	memset(v, 0, sizeof *v);
	v->state = AUTH_MAGIC_UNKNOWN;
	if (!auth_token_shape_ok(token))
		return ERR_OK;
	char hash[CRYPTO_SHA256_HEX_SIZE];
	crypto_token_hash(token, hash);
	struct db *db = db_pool_get(pf->pool);
	struct arena *a = arena_new(0);
	struct db_res *r;
	enum err e = DB_EXEC(db, a, &r, ei, "SELECT tenant_id::text, tenant_name, email, consumed, expired FROM magic_link_peek($1)",
			     hash);
	if (!e && db_res_rows(r) == 1) {
		snprintf(v->tenant_id, sizeof v->tenant_id, "%s", db_res_val(r, 0, "tenant_id"));
		snprintf(v->tenant_name, sizeof v->tenant_name, "%s", db_res_val(r, 0, "tenant_name"));
		snprintf(v->email, sizeof v->email, "%s", db_res_val(r, 0, "email"));
		v->state = db_res_bool(r, 0, "consumed") ? AUTH_MAGIC_USED
			   : db_res_bool(r, 0, "expired") ? AUTH_MAGIC_EXPIRED
							  : AUTH_MAGIC_VALID;
	}
	arena_free(a);
	db_pool_put(pf->pool, db);
	return e;
}

struct consume {
	const char *hash;
	enum auth_magic_state state;
	struct auth_signin *s;
	char *next;
};

static enum err consume_tx(struct db *db, void *arg, struct errinfo *ei)
{
	struct consume *c = arg;
	struct arena *a = arena_new(0);
	struct db_res *r;
	enum err e = DB_EXEC(db, a, &r, ei,
			     "UPDATE magic_links SET consumed_at = now()"
			     " WHERE tenant_id = app_tenant() AND token_hash = $1 AND consumed_at IS NULL AND expires_at > now()"
			     " RETURNING email, next_path",
			     c->hash);
	if (!e && db_res_rows(r) == 0) {
		e = DB_EXEC(db, a, &r, ei,
			    "SELECT consumed_at IS NOT NULL AS used FROM magic_links WHERE tenant_id = app_tenant() AND token_hash = $1",
			    c->hash);
		if (!e) {
			c->state = db_res_rows(r) == 0 ? AUTH_MAGIC_UNKNOWN : db_res_bool(r, 0, "used") ? AUTH_MAGIC_USED
													 : AUTH_MAGIC_EXPIRED;
			e = err_set(ei, ERR_NOT_FOUND, "token", "this sign-in link is no longer valid");
		}
	}
	if (!e) {
		snprintf(c->next, AUTH_NEXT_SIZE, "%s", auth_next_path(db_res_val(r, 0, "next_path")));
		c->s->email = arena_strdup(a, db_res_val(r, 0, "email"));
		c->s->method = "magic_link";
		c->s->domain_vouched = true; /* the link reached this mailbox */
		e = auth_signin_here(db, a, c->s, ei);
		if (!e)
			c->state = AUTH_MAGIC_VALID;
	}
	c->s->email = NULL; /* lived in a */
	arena_free(a);
	return e;
}

enum err auth_magic_link_consume(const struct platform *pf, const char *token, const char *request_id,
				 enum auth_magic_state *state, struct auth_signin *s, char next[AUTH_NEXT_SIZE],
				 struct errinfo *ei)
{
	struct auth_magic_view v;
	*state = AUTH_MAGIC_UNKNOWN;
	snprintf(next, AUTH_NEXT_SIZE, "/");
	enum err e = auth_magic_link_peek(pf, token, request_id, &v, ei);
	if (e)
		return e;
	if (v.state != AUTH_MAGIC_VALID) {
		*state = v.state;
		return err_set(ei, ERR_NOT_FOUND, "token", "this sign-in link is no longer valid");
	}
	char hash[CRYPTO_SHA256_HEX_SIZE];
	crypto_token_hash(token, hash);
	struct consume c = {.hash = hash, .state = AUTH_MAGIC_UNKNOWN, .s = s, .next = next};
	struct db_ctx ctx = {.tenant_id = v.tenant_id, .actor = DB_ACTOR_SYSTEM, .request_id = request_id};
	e = db_with_tx(pf->pool, &ctx, consume_tx, &c, ei);
	*state = c.state;
	return e;
}
