-- 0005_email_outbox: durable outbox of rendered emails, suppression list, replay.
CREATE TABLE email_messages (
    tenant_id            uuid NOT NULL REFERENCES tenants(id),
    id                   uuid NOT NULL DEFAULT gen_random_uuid(),
    template             text NOT NULL,
    stream               text NOT NULL CHECK (stream IN ('outbound', 'broadcast', 'system')),
    to_email             text NOT NULL CHECK (length(to_email) <= 254),
    to_name              text,
    idempotency_key      text NOT NULL,
    subject              text NOT NULL,
    html_body            text NOT NULL,
    text_body            text NOT NULL,
    payload              jsonb NOT NULL,
    status               text NOT NULL DEFAULT 'queued'
                         CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'suppressed')),
    attempts             integer NOT NULL DEFAULT 0,
    provider             text,
    provider_message_id  text,
    last_error           text,
    created_at           timestamptz NOT NULL DEFAULT now(),
    sending_at           timestamptz,
    sent_at              timestamptz,
    updated_at           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, idempotency_key)
);
CREATE INDEX email_messages_status ON email_messages (status, created_at);
ALTER TABLE email_messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE email_messages FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON email_messages USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());
CREATE TRIGGER touch BEFORE UPDATE ON email_messages FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

CREATE TABLE email_suppressions (
    tenant_id   uuid NOT NULL REFERENCES tenants(id),
    email       text NOT NULL,
    reason      text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, email)
);
ALTER TABLE email_suppressions ENABLE ROW LEVEL SECURITY;
ALTER TABLE email_suppressions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON email_suppressions USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

-- Runbook "email replay": requeue messages in p_status (failed, or sending older than
-- p_older_than: possibly sent, the operator decides), optionally since a time and of one
-- template. Sent and suppressed messages are never touched. Operator tool (all tenants).
CREATE FUNCTION email_replay(p_status text, p_since timestamptz, p_template text, p_older_than interval, p_dry_run boolean)
RETURNS TABLE (tenant_id uuid, id uuid, template text, to_email text, status text, last_error text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    r record;
BEGIN
    IF p_status NOT IN ('failed', 'sending') THEN
        RAISE EXCEPTION '--status must be failed or sending, not %', p_status USING ERRCODE = '22023';
    END IF;
    FOR r IN SELECT m.tenant_id, m.id, m.template, m.to_email, m.status, m.last_error FROM email_messages m
              WHERE m.status = p_status
                AND (p_since IS NULL OR m.created_at >= p_since)
                AND (p_template IS NULL OR m.template = p_template)
                AND (p_status <> 'sending' OR m.sending_at < now() - coalesce(p_older_than, interval '15 minutes'))
              ORDER BY m.created_at FOR UPDATE LOOP
        tenant_id := r.tenant_id; id := r.id; template := r.template; to_email := r.to_email;
        status := r.status; last_error := r.last_error;
        IF NOT p_dry_run THEN
            UPDATE email_messages m SET status = 'queued', last_error = 'replayed from ' || r.status || ': ' || coalesce(r.last_error, '')
             WHERE m.tenant_id = r.tenant_id AND m.id = r.id;
            PERFORM set_config('app.tenant_id', r.tenant_id::text, true);
            PERFORM queue_enqueue('mail.send', jsonb_build_object('id', r.id), 'mail:' || r.id, 0, 0, 8, NULL);
            PERFORM audit_event('email.replay', 'email_messages', r.id::text, jsonb_build_object('from_status', r.status));
            PERFORM set_config('app.tenant_id', '', true);
        END IF;
        RETURN NEXT;
    END LOOP;
END $$;
