-- 0002_schedule_domain: versioned tenant config, periods, assignments resolved to instants,
-- immutable publications, the published view feeds read, vacation requests, feed tokens.

ALTER TABLE tenants ADD COLUMN config_version integer NOT NULL DEFAULT 0;

-- Immutable config versions: number, parent, actor, message, document.
CREATE TABLE config_versions (
    tenant_id      uuid NOT NULL REFERENCES tenants(id),
    number         integer NOT NULL CHECK (number >= 1),
    parent_number  integer CHECK (parent_number IS NULL OR parent_number < number),
    actor_kind     text NOT NULL CHECK (actor_kind IN ('USER', 'AGENT', 'SYSTEM')),
    actor_user_id  uuid,
    message        text NOT NULL DEFAULT '' CHECK (length(message) <= 2000),
    document       jsonb NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, number)
);
ALTER TABLE config_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE config_versions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON config_versions USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());
CREATE FUNCTION immutable_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are immutable: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = '42501';
END $$;
CREATE TRIGGER immutable BEFORE UPDATE OR DELETE ON config_versions FOR EACH ROW EXECUTE FUNCTION immutable_row();
CREATE TRIGGER audit AFTER INSERT ON config_versions FOR EACH ROW EXECUTE FUNCTION audit_row('document');

-- Scheduling periods: a date range, draft → published.
CREATE TABLE periods (
    tenant_id      uuid NOT NULL REFERENCES tenants(id),
    id             uuid NOT NULL DEFAULT gen_random_uuid(),
    name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    start_date     date NOT NULL,
    end_date       date NOT NULL CHECK (end_date >= start_date AND end_date - start_date <= 400),
    status         text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
    config_number  integer,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
ALTER TABLE periods ENABLE ROW LEVEL SECURITY;
ALTER TABLE periods FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON periods USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON periods FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER touch BEFORE UPDATE ON periods FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- Assignments. Instants are computed by PostgreSQL from the local wall clock in the tenant's
-- zone (full tz database): a 22:00–08:00 shift is 9 or 11 hours on DST nights. All-day
-- on-call has no instants (a DATE in calendars).
CREATE TABLE assignments (
    tenant_id    uuid NOT NULL REFERENCES tenants(id),
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    period_id    uuid NOT NULL,
    day          date NOT NULL,
    shift_code   text NOT NULL CHECK (shift_code ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$'),
    user_id      uuid NOT NULL,
    source       text NOT NULL DEFAULT 'manual' CHECK (source IN ('engine', 'manual', 'swap')),
    locked       boolean NOT NULL DEFAULT false,
    all_day      boolean NOT NULL DEFAULT false,
    start_at     timestamptz,
    end_at       timestamptz,
    override_reason text CHECK (override_reason IS NULL OR length(override_reason) BETWEEN 3 AND 500),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, period_id, day, shift_code, user_id),
    FOREIGN KEY (tenant_id, period_id) REFERENCES periods (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id),
    CHECK ((all_day AND start_at IS NULL AND end_at IS NULL) OR (NOT all_day AND start_at IS NOT NULL AND end_at > start_at))
);
CREATE INDEX assignments_user_day ON assignments (tenant_id, user_id, day);
CREATE INDEX assignments_period ON assignments (tenant_id, period_id, day);
ALTER TABLE assignments ENABLE ROW LEVEL SECURITY;
ALTER TABLE assignments FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON assignments USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON assignments FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER touch BEFORE UPDATE ON assignments FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- Local wall-clock shift → instants in zone tz. Ends at or before the start cross midnight.
CREATE FUNCTION shift_instants(p_day date, p_start time, p_end time, p_tz text,
                               OUT start_at timestamptz, OUT end_at timestamptz)
LANGUAGE sql IMMUTABLE AS $$
    SELECT (p_day + p_start) AT TIME ZONE p_tz,
           ((p_day + CASE WHEN p_end <= p_start THEN 1 ELSE 0 END) + p_end) AT TIME ZONE p_tz
$$;

-- Immutable numbered snapshots of a period with a content hash.
CREATE TABLE publications (
    tenant_id      uuid NOT NULL REFERENCES tenants(id),
    period_id      uuid NOT NULL,
    number         integer NOT NULL CHECK (number >= 1),
    content_hash   text NOT NULL,
    snapshot       jsonb NOT NULL,
    published_by   uuid,
    published_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, period_id, number),
    FOREIGN KEY (tenant_id, period_id) REFERENCES periods (tenant_id, id)
);
ALTER TABLE publications ENABLE ROW LEVEL SECURITY;
ALTER TABLE publications FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON publications USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());
CREATE TRIGGER immutable BEFORE UPDATE OR DELETE ON publications FOR EACH ROW EXECUTE FUNCTION immutable_row();
CREATE TRIGGER audit AFTER INSERT ON publications FOR EACH ROW EXECUTE FUNCTION audit_row('snapshot');

-- What calendars show: the assignments as of the latest publication of each period.
-- Maintained by publication (domain/publish): rows change only when content changes, and
-- then sequence grows and last_modified moves. Removed assignments are deleted here and
-- the feed's last-modified (feed_state) moves.
CREATE TABLE published_events (
    tenant_id      uuid NOT NULL REFERENCES tenants(id),
    assignment_id  uuid NOT NULL,
    period_id      uuid NOT NULL,
    user_id        uuid NOT NULL,
    day            date NOT NULL,
    shift_code     text NOT NULL,
    all_day        boolean NOT NULL,
    start_at       timestamptz,
    end_at         timestamptz,
    content_hash   text NOT NULL,
    sequence       integer NOT NULL DEFAULT 0,
    created_at     timestamptz NOT NULL DEFAULT now(),
    last_modified  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, assignment_id)
);
CREATE INDEX published_events_user ON published_events (tenant_id, user_id, day);
CREATE INDEX published_events_day ON published_events (tenant_id, day);
ALTER TABLE published_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE published_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON published_events USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

-- Per feed (user or tenant master) change clock: moves on every publish that touches it,
-- including deletions, token rotation and config changes.
CREATE TABLE feed_state (
    tenant_id      uuid NOT NULL REFERENCES tenants(id),
    feed_key       text NOT NULL,  -- 'master' or the user's id
    changed_at     timestamptz NOT NULL DEFAULT now(),
    version        bigint NOT NULL DEFAULT 1,
    PRIMARY KEY (tenant_id, feed_key)
);
ALTER TABLE feed_state ENABLE ROW LEVEL SECURITY;
ALTER TABLE feed_state FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON feed_state USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

-- Vacation and other time-off requests; status approved = time off the engine respects.
CREATE TABLE vacation_requests (
    tenant_id    uuid NOT NULL REFERENCES tenants(id),
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    user_id      uuid NOT NULL,
    start_date   date NOT NULL,
    end_date     date NOT NULL CHECK (end_date >= start_date AND end_date - start_date <= 120),
    kind         text NOT NULL DEFAULT 'vacation' CHECK (kind IN ('vacation', 'conference', 'leave', 'other')),
    status       text NOT NULL DEFAULT 'requested' CHECK (status IN ('requested', 'approved', 'denied', 'cancelled')),
    round        integer CHECK (round IS NULL OR round BETWEEN 1 AND 20),
    rank         integer CHECK (rank IS NULL OR rank BETWEEN 1 AND 100),
    note         text NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    decided_by   uuid,
    decided_at   timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX vacation_requests_user ON vacation_requests (tenant_id, user_id, start_date);
ALTER TABLE vacation_requests ENABLE ROW LEVEL SECURITY;
ALTER TABLE vacation_requests FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON vacation_requests USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON vacation_requests FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER touch BEFORE UPDATE ON vacation_requests FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- ICS feed tokens: only a SHA-256 of the token is stored. The token itself is derived from
-- the server secret and the feed's generation (so `radsched ics-url` can print it again),
-- which the database alone cannot reproduce. Rotation bumps the generation.
CREATE TABLE feed_tokens (
    tenant_id    uuid NOT NULL REFERENCES tenants(id),
    feed_key     text NOT NULL,  -- 'master' or the user's id
    generation   integer NOT NULL DEFAULT 1,
    token_hash   text NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    rotated_at   timestamptz,
    PRIMARY KEY (tenant_id, feed_key)
);
ALTER TABLE feed_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE feed_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON feed_tokens USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON feed_tokens FOR EACH ROW EXECUTE FUNCTION audit_row('token_hash');

-- Feed lookup by token hash before any tenant is set: returns only which feed it is.
CREATE FUNCTION feed_by_token_hash(p_hash text) RETURNS TABLE (tenant_id uuid, feed_key text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT f.tenant_id, f.feed_key FROM feed_tokens f WHERE f.token_hash = p_hash
$$;
