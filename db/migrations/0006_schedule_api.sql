-- 0006_schedule_api: what the JSON API of the scheduling domain needs beyond 0002:
-- idempotency keys for POSTs that create things, the chief's note on a time-off decision,
-- and a stable text form for instants in API bodies and content hashes.

-- An instant as the API shows it: UTC, second precision, "Z" (independent of the session's
-- TimeZone, so hashes over it are stable).
CREATE FUNCTION api_instant(t timestamptz) RETURNS text LANGUAGE sql IMMUTABLE
AS $$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') $$;

-- Idempotency-Key on creating POSTs: the first request's response is kept for 24 hours and
-- replayed for the same key and the same request; the same key with another request is
-- refused. The row is claimed first in the transaction that creates the resource and filled
-- with the response at its end, so a failed request leaves no key behind and a concurrent
-- duplicate waits on the key until the first one commits, then replays its answer.
CREATE TABLE idempotency_keys (
    tenant_id     uuid NOT NULL REFERENCES tenants(id),
    key           text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    user_id       uuid,
    request_hash  text NOT NULL,
    status        integer NOT NULL CHECK (status = 0 OR status BETWEEN 200 AND 599),  -- 0: being answered
    response      text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, key)
);
CREATE INDEX idempotency_keys_age ON idempotency_keys (created_at);
ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE idempotency_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON idempotency_keys USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

-- The chief's reason when approving or denying a request (the requester's is `note`).
ALTER TABLE vacation_requests ADD COLUMN decision_note text NOT NULL DEFAULT ''
    CHECK (length(decision_note) <= 1000);

-- What a publication of a period freezes: the period and its assignments as people see them
-- (who, which shift, which day, which instants). Locks, sources and override reasons are
-- bookkeeping, not content. Ordered, with instants in UTC text, so the hash of its jsonb
-- text is stable. Runs with the caller's rights (RLS applies).
CREATE FUNCTION period_snapshot(p_period uuid) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'period', jsonb_build_object('id', p.id, 'name', p.name, 'startDate', p.start_date, 'endDate', p.end_date),
        'assignments', coalesce((
            SELECT jsonb_agg(jsonb_build_object('id', a.id, 'day', a.day, 'shiftCode', a.shift_code,
                                                'userId', a.user_id, 'allDay', a.all_day,
                                                'startAt', api_instant(a.start_at), 'endAt', api_instant(a.end_at))
                             ORDER BY a.day, a.shift_code, a.user_id)
              FROM assignments a WHERE a.tenant_id = p.tenant_id AND a.period_id = p.id), '[]'::jsonb))
      FROM periods p WHERE p.id = p_period
$$;

CREATE FUNCTION content_hash(j jsonb) RETURNS text LANGUAGE sql IMMUTABLE
AS $$ SELECT encode(sha256(convert_to(j::text, 'UTF8')), 'hex') $$;
