-- 0004_auth: sign-in and access (docs/security.md).
-- Sessions are refresh-token families; magic links and invitations are single-use tokens
-- stored as SHA-256 hashes; rate limits live here so every replica shares them. Lookups
-- before a tenant is known go through SECURITY DEFINER functions that return only what
-- the sign-in step needs.

------------------------------------------------------------------------------------------
-- Sessions: one row per sign-in (the refresh-token family). Ending the row ends the
-- session at once: every request checks it.
------------------------------------------------------------------------------------------
CREATE TABLE auth_sessions (
    tenant_id       uuid NOT NULL REFERENCES tenants(id),
    id              uuid NOT NULL DEFAULT gen_random_uuid(),
    user_id         uuid NOT NULL,
    method          text NOT NULL CHECK (method IN ('magic_link', 'oidc', 'invitation')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_used_at    timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,  -- absolute end of the family, whatever the refreshes
    revoked_at      timestamptz,
    revoked_reason  text CHECK (revoked_reason IN ('logout', 'logout_everywhere', 'revoked', 'role_change',
                                                   'deactivated', 'refresh_reuse')),
    user_agent      text NOT NULL DEFAULT '' CHECK (length(user_agent) <= 300),
    ip              text NOT NULL DEFAULT '' CHECK (length(ip) <= 64),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id),
    CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL))
);
CREATE INDEX auth_sessions_user ON auth_sessions (tenant_id, user_id) WHERE revoked_at IS NULL;
ALTER TABLE auth_sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE auth_sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON auth_sessions USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

-- Refresh tokens: each is used once; using one issues the next of the same family. A used
-- token presented again means it was copied: the whole family is revoked.
CREATE TABLE auth_refresh_tokens (
    tenant_id   uuid NOT NULL REFERENCES tenants(id),
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    session_id  uuid NOT NULL,
    token_hash  text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, session_id) REFERENCES auth_sessions (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX auth_refresh_tokens_session ON auth_refresh_tokens (tenant_id, session_id);
ALTER TABLE auth_refresh_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE auth_refresh_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON auth_refresh_tokens USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

-- Role changes and deactivations end the person's sessions in the same transaction.
CREATE FUNCTION auth_sessions_end_on_user_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.role IS DISTINCT FROM OLD.role OR (OLD.active AND NOT NEW.active) THEN
        UPDATE auth_sessions
           SET revoked_at = now(), revoked_reason = CASE WHEN NOT NEW.active THEN 'deactivated' ELSE 'role_change' END
         WHERE tenant_id = NEW.tenant_id AND user_id = NEW.id AND revoked_at IS NULL;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER auth_sessions_end AFTER UPDATE OF role, active ON users
    FOR EACH ROW EXECUTE FUNCTION auth_sessions_end_on_user_change();

------------------------------------------------------------------------------------------
-- Magic links: 256-bit tokens, hashed, 15 minutes, consumed only by the confirmation POST.
------------------------------------------------------------------------------------------
CREATE TABLE magic_links (
    tenant_id    uuid NOT NULL REFERENCES tenants(id),
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    email        text NOT NULL CHECK (email ~ '^[^@\s]+@[^@\s]+$' AND length(email) <= 254),
    token_hash   text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    next_path    text NOT NULL DEFAULT '/' CHECK (next_path ~ '^/' AND length(next_path) <= 512),
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    consumed_at  timestamptz,
    request_ip   text NOT NULL DEFAULT '' CHECK (length(request_ip) <= 64),
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX magic_links_expiry ON magic_links (expires_at);
ALTER TABLE magic_links ENABLE ROW LEVEL SECURITY;
ALTER TABLE magic_links FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON magic_links USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

------------------------------------------------------------------------------------------
-- Invitations: an admin invites an address with a role; accepting creates the person.
------------------------------------------------------------------------------------------
CREATE TABLE invitations (
    tenant_id         uuid NOT NULL REFERENCES tenants(id),
    id                uuid NOT NULL DEFAULT gen_random_uuid(),
    email             text NOT NULL CHECK (email ~ '^[^@\s]+@[^@\s]+$' AND length(email) <= 254),
    name              text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    role              text NOT NULL CHECK (role IN ('ADMIN', 'CHIEF', 'RAD')),
    is_fellow         boolean NOT NULL DEFAULT false,
    token_hash        text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    invited_by        uuid,
    created_at        timestamptz NOT NULL DEFAULT now(),
    expires_at        timestamptz NOT NULL,
    accepted_at       timestamptz,
    accepted_user_id  uuid,
    revoked_at        timestamptz,
    PRIMARY KEY (tenant_id, id),
    CHECK (accepted_at IS NULL OR revoked_at IS NULL)
);
-- one open invitation per address (a new one revokes the old one first)
CREATE UNIQUE INDEX invitations_open ON invitations (tenant_id, lower(email))
    WHERE accepted_at IS NULL AND revoked_at IS NULL;
ALTER TABLE invitations ENABLE ROW LEVEL SECURITY;
ALTER TABLE invitations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON invitations USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON invitations FOR EACH ROW EXECUTE FUNCTION audit_row('token_hash');

------------------------------------------------------------------------------------------
-- Rate limits (fixed windows), shared by every replica. Buckets are hashed keys (no
-- addresses stored); the runtime role reaches the table only through auth_rate_hit().
------------------------------------------------------------------------------------------
CREATE TABLE auth_rate_limits (
    bucket        text PRIMARY KEY CHECK (length(bucket) <= 200),
    window_start  timestamptz NOT NULL,
    hits          integer NOT NULL
);

-- Count one hit in bucket; true when it is within p_limit hits per p_window_s seconds.
CREATE FUNCTION auth_rate_hit(p_bucket text, p_limit int, p_window_s int) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v int;
BEGIN
    INSERT INTO auth_rate_limits AS r (bucket, window_start, hits) VALUES (p_bucket, now(), 1)
    ON CONFLICT (bucket) DO UPDATE
       SET hits = CASE WHEN r.window_start <= now() - make_interval(secs => p_window_s) THEN 1 ELSE r.hits + 1 END,
           window_start = CASE WHEN r.window_start <= now() - make_interval(secs => p_window_s) THEN now() ELSE r.window_start END
    RETURNING hits INTO v;
    IF random() < 0.01 THEN
        DELETE FROM auth_rate_limits WHERE window_start < now() - interval '1 day';
    END IF;
    RETURN v <= p_limit;
END $$;

------------------------------------------------------------------------------------------
-- Lookups before a tenant is known (SECURITY DEFINER, narrow results).
------------------------------------------------------------------------------------------

-- The auth section of a tenant's current config, with defaults for a tenant without one.
CREATE FUNCTION auth_tenant_settings(p_tenant uuid)
RETURNS TABLE (magic_link_enabled boolean, allowed_domains text[], domain_restricted boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT coalesce((cv.document->'auth'->>'magicLinkEnabled')::boolean, true),
           coalesce(ARRAY(SELECT lower(jsonb_array_elements_text(cv.document->'auth'->'allowedDomains'))), '{}'),
           coalesce((cv.document->'auth'->>'domainRestrictedSignup')::boolean, false)
      FROM tenants t
      LEFT JOIN config_versions cv ON cv.tenant_id = t.id AND cv.number = t.config_version
     WHERE t.id = p_tenant
$$;

-- Where a verified address may sign in: every tenant where it is a person, and every
-- tenant whose allowedDomains contain its domain (the caller decides whether the sign-in
-- vouches for that domain, e.g. Google's hd claim). Suspended tenants are left out.
CREATE FUNCTION auth_candidates(p_email text)
RETURNS TABLE (tenant_id uuid, slug text, tenant_name text, user_id uuid, user_name text, user_role text,
               user_active boolean, magic_link_enabled boolean, domain_allowed boolean,
               domain_restricted boolean, allowed_domains text[])
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT t.id, t.slug, t.name, u.id, u.name, u.role, u.active, s.magic_link_enabled,
           lower(split_part(p_email, '@', 2)) = ANY (s.allowed_domains), s.domain_restricted, s.allowed_domains
      FROM tenants t
      CROSS JOIN LATERAL auth_tenant_settings(t.id) s
      LEFT JOIN users u ON u.tenant_id = t.id AND lower(u.email) = lower(p_email)
     WHERE t.status <> 'suspended'
       AND (u.id IS NOT NULL OR lower(split_part(p_email, '@', 2)) = ANY (s.allowed_domains))
     ORDER BY t.name, t.slug
$$;

-- A magic link by token hash: its tenant and state, never consumed here (the GET page).
CREATE FUNCTION magic_link_peek(p_hash text)
RETURNS TABLE (tenant_id uuid, tenant_name text, email text, next_path text, consumed boolean, expired boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT m.tenant_id, t.name, m.email, m.next_path, m.consumed_at IS NOT NULL, m.expires_at <= now()
      FROM magic_links m JOIN tenants t ON t.id = m.tenant_id
     WHERE m.token_hash = p_hash
$$;

-- An invitation by token hash (the acceptance page).
CREATE FUNCTION invitation_peek(p_hash text)
RETURNS TABLE (tenant_id uuid, tenant_name text, email text, name text, role text, is_fellow boolean,
               inviter_name text, state text, expires_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT i.tenant_id, t.name, i.email, i.name, i.role, i.is_fellow, coalesce(u.name, 'An administrator'),
           CASE WHEN i.accepted_at IS NOT NULL THEN 'accepted' WHEN i.revoked_at IS NOT NULL THEN 'revoked'
                WHEN i.expires_at <= now() THEN 'expired' ELSE 'open' END,
           i.expires_at
      FROM invitations i
      JOIN tenants t ON t.id = i.tenant_id
      LEFT JOIN users u ON u.tenant_id = i.tenant_id AND u.id = i.invited_by
     WHERE i.token_hash = p_hash
$$;

-- The tenant of a presented refresh token (the rotation itself runs in that tenant).
CREATE FUNCTION auth_refresh_tenant(p_hash text) RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT r.tenant_id FROM auth_refresh_tokens r WHERE r.token_hash = p_hash
$$;

-- Housekeeping: used or expired refresh tokens, ended sessions and spent links older than
-- p_age go away (the audit trail keeps the sign-in events).
CREATE FUNCTION auth_prune(p_age interval) RETURNS integer
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH s AS (DELETE FROM auth_sessions WHERE (revoked_at IS NOT NULL AND revoked_at < now() - p_age)
                  OR expires_at < now() - p_age RETURNING 1),
         r AS (DELETE FROM auth_refresh_tokens WHERE expires_at < now() - p_age RETURNING 1),
         m AS (DELETE FROM magic_links WHERE expires_at < now() - p_age RETURNING 1)
    SELECT ((SELECT count(*) FROM s) + (SELECT count(*) FROM r) + (SELECT count(*) FROM m))::int
$$;
