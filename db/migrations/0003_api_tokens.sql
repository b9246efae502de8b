-- 0003_api_tokens: hashed, scoped, revocable API tokens for automation and the MCP endpoint.
CREATE TABLE api_tokens (
    tenant_id     uuid NOT NULL REFERENCES tenants(id),
    id            uuid NOT NULL DEFAULT gen_random_uuid(),
    user_id       uuid NOT NULL,
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    token_hash    text NOT NULL UNIQUE,
    scopes        text[] NOT NULL DEFAULT '{api}',
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz,
    last_used_at  timestamptz,
    revoked_at    timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);
ALTER TABLE api_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON api_tokens USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON api_tokens FOR EACH ROW EXECUTE FUNCTION audit_row('token_hash,last_used_at');

-- Resolve a presented token (by hash) before any tenant is set. Returns nothing for unknown,
-- revoked or expired tokens and for deactivated people. Records last use (at most once a
-- minute, so polling clients do not write on every request).
CREATE FUNCTION api_token_principal(p_hash text)
RETURNS TABLE (tenant_id uuid, tenant_slug text, user_id uuid, email text, name text, role text,
               is_fellow boolean, scopes text[], token_id uuid)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    UPDATE api_tokens t SET last_used_at = now()
     WHERE t.token_hash = p_hash AND t.revoked_at IS NULL
       AND (t.last_used_at IS NULL OR t.last_used_at < now() - interval '1 minute');
    RETURN QUERY
    SELECT t.tenant_id, tn.slug, u.id, u.email, u.name, u.role, u.is_fellow, t.scopes, t.id
      FROM api_tokens t
      JOIN users u ON u.tenant_id = t.tenant_id AND u.id = t.user_id
      JOIN tenants tn ON tn.id = t.tenant_id
     WHERE t.token_hash = p_hash AND t.revoked_at IS NULL
       AND (t.expires_at IS NULL OR t.expires_at > now()) AND u.active AND tn.status <> 'suspended';
END $$;

-- Housekeeping: finished jobs older than p_age and their cron slots go away.
CREATE FUNCTION queue_prune(p_age interval) RETURNS integer
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH j AS (DELETE FROM jobs WHERE state IN ('completed', 'discarded', 'cancelled')
                 AND finished_at < now() - p_age RETURNING 1),
         c AS (DELETE FROM cron_slots WHERE slot < now() - p_age RETURNING 1)
    SELECT (SELECT count(*) FROM j)::int
$$;
