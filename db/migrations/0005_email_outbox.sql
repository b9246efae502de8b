-- 0005_email_outbox: durable outbox of rendered emails, suppression list, replay runbook,
-- outbox statistics for /metrics. docs/email.md describes the states and the keys.
--
-- A message moves queued → sending → sent | failed | suppressed, or sending → queued for a
-- retry. `sending` is committed before the provider is called, so a row found in `sending`
-- by anyone but the job that set it means "the provider may have the message": it is never
-- resent automatically (email_replay with p_status 'sending' is the operator's decision).
CREATE TABLE email_messages (
    tenant_id            uuid NOT NULL REFERENCES tenants(id),
    id                   uuid NOT NULL DEFAULT gen_random_uuid(),
    template             text NOT NULL CHECK (template ~ '^[a-z][a-z0-9_]{0,63}$'),
    stream               text NOT NULL CHECK (stream IN ('outbound', 'broadcast', 'system')),
    to_email             text NOT NULL CHECK (length(to_email) BETWEEN 3 AND 254 AND to_email ~ '^[^@\s]+@[^@\s]+$'),
    to_name              text CHECK (length(to_name) <= 200),
    -- hex SHA-256 of (template, lower-cased recipient, subject entity): outbox_idempotency_key()
    idempotency_key      text NOT NULL CHECK (idempotency_key ~ '^[0-9a-f]{64}$'),
    subject              text NOT NULL,
    html_body            text NOT NULL,
    text_body            text NOT NULL,
    payload              jsonb NOT NULL,
    status               text NOT NULL DEFAULT 'queued'
                         CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'suppressed')),
    attempts             integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    provider             text,
    provider_message_id  text,
    last_error           text,
    created_at           timestamptz NOT NULL DEFAULT now(),
    sending_at           timestamptz,
    sent_at              timestamptz,
    updated_at           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, idempotency_key),
    CHECK (status <> 'sent' OR sent_at IS NOT NULL),
    CHECK (status <> 'sending' OR sending_at IS NOT NULL)
);
-- replay and statistics look across tenants by status; the admin page lists a tenant's newest
CREATE INDEX email_messages_status ON email_messages (status, created_at);
CREATE INDEX email_messages_recent ON email_messages (tenant_id, created_at DESC);
ALTER TABLE email_messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE email_messages FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON email_messages USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());
CREATE TRIGGER touch BEFORE UPDATE ON email_messages FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- Addresses a provider called dead (hard bounce, spam complaint, invalid): later messages
-- to them are `suppressed` without a provider call. Stored lower-case.
CREATE TABLE email_suppressions (
    tenant_id   uuid NOT NULL REFERENCES tenants(id),
    email       text NOT NULL CHECK (email = lower(email) AND length(email) <= 254),
    reason      text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, email)
);
ALTER TABLE email_suppressions ENABLE ROW LEVEL SECURITY;
ALTER TABLE email_suppressions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON email_suppressions USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON email_suppressions FOR EACH ROW EXECUTE FUNCTION audit_row();

-- Runbook "email replay" (docs/runbooks.md). Operator tool across all tenants.
--   p_status 'failed'   requeue failed messages;
--            'sending'  requeue messages in sending for longer than p_older_than (default 15
--                       minutes): the provider may have them, the operator has checked;
--            'queued'   re-enqueue the job of queued messages older than p_older_than whose
--                       job is gone (discarded before it could claim the message).
-- Optionally only messages created since p_since, of template p_template. Sent and
-- suppressed messages are never touched, nor a message whose mail.send job is still
-- unfinished, so running a replay twice sends nothing twice. Each requeued message gets
-- one audit event `email.replay` in its tenant.
CREATE FUNCTION email_replay(p_status text, p_since timestamptz, p_template text, p_older_than interval, p_dry_run boolean)
RETURNS TABLE (tenant_id uuid, id uuid, template text, to_email text, status text, attempts integer, last_error text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    r record;
    v_job bigint;
    v_older interval := coalesce(p_older_than, interval '15 minutes');
BEGIN
    IF p_status IS NULL OR p_status NOT IN ('failed', 'sending', 'queued') THEN
        RAISE EXCEPTION '--status must be failed, sending or queued, not %', coalesce(p_status, '(none)')
            USING ERRCODE = '22023';
    END IF;
    FOR r IN SELECT m.tenant_id, m.id, m.template, m.to_email, m.status, m.attempts, m.last_error
               FROM email_messages m
              WHERE m.status = p_status
                AND (p_since IS NULL OR m.created_at >= p_since)
                AND (p_template IS NULL OR m.template = p_template)
                AND (p_status <> 'sending' OR m.sending_at < now() - v_older)
                AND (p_status <> 'queued' OR m.updated_at < now() - v_older)
                AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.unique_key = 'mail:' || m.id::text
                                   AND j.state IN ('available', 'running', 'retryable'))
              ORDER BY m.created_at, m.id
                FOR UPDATE OF m SKIP LOCKED LOOP
        tenant_id := r.tenant_id; id := r.id; template := r.template; to_email := r.to_email;
        status := r.status; attempts := r.attempts; last_error := r.last_error;
        IF NOT p_dry_run THEN
            PERFORM set_config('app.tenant_id', r.tenant_id::text, true);
            UPDATE email_messages m
               SET status = 'queued',
                   last_error = left('replayed from ' || r.status || coalesce(': ' || r.last_error, ''), 2000)
             WHERE m.tenant_id = r.tenant_id AND m.id = r.id;
            v_job := queue_enqueue('mail.send', jsonb_build_object('id', r.id), 'mail:' || r.id::text, 10, 0, 12, NULL);
            IF v_job IS NULL THEN
                RAISE EXCEPTION 'email % already has an unfinished mail.send job', r.id;
            END IF;
            PERFORM audit_event('email.replay', 'email_messages', r.id::text,
                                jsonb_build_object('from_status', r.status, 'job_id', v_job));
            PERFORM set_config('app.tenant_id', '', true);
        END IF;
        RETURN NEXT;
    END LOOP;
END $$;

-- Outbox statistics for /metrics (all tenants): messages by status, and the stuck ones
-- (sending, or queued without a job, for longer than p_stuck_after).
CREATE FUNCTION email_outbox_stats(p_stuck_after interval)
RETURNS TABLE (status text, n bigint, stuck bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT m.status, count(*),
           count(*) FILTER (WHERE (m.status = 'sending' AND m.sending_at < now() - p_stuck_after)
                               OR (m.status = 'queued' AND m.updated_at < now() - p_stuck_after
                                   AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.unique_key = 'mail:' || m.id::text
                                                      AND j.state IN ('available', 'running', 'retryable'))))
      FROM email_messages m GROUP BY m.status
$$;
