-- 0001_foundation: tenancy, users, append-only audit log, durable job queue, cron slots.
-- Runs as the owner role (radsched_owner). The runtime role (radsched_app) is neither owner
-- nor BYPASSRLS: every tenant table has RLS enabled AND forced, default deny.

REVOKE CREATE ON SCHEMA public FROM PUBLIC;

-- The tenant of the current transaction, from set_config('app.tenant_id', ..., true).
-- NULL when unset: policies compare with it, so no tenant → no rows.
CREATE FUNCTION app_tenant() RETURNS uuid LANGUAGE sql STABLE
AS $$ SELECT nullif(current_setting('app.tenant_id', true), '')::uuid $$;
CREATE FUNCTION app_user() RETURNS uuid LANGUAGE sql STABLE
AS $$ SELECT nullif(current_setting('app.user_id', true), '')::uuid $$;
CREATE FUNCTION app_actor() RETURNS text LANGUAGE sql STABLE
AS $$ SELECT coalesce(nullif(current_setting('app.actor', true), ''), 'SYSTEM') $$;

CREATE TABLE tenants (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    timezone    text NOT NULL DEFAULT 'UTC',
    status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'grace', 'suspended')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
-- tenants has no tenant_id column; its own id is the tenant.
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenants USING (id = app_tenant()) WITH CHECK (id = app_tenant());

CREATE TABLE users (
    tenant_id       uuid NOT NULL REFERENCES tenants(id),
    id              uuid NOT NULL DEFAULT gen_random_uuid(),
    email           text NOT NULL CHECK (email ~ '^[^@\s]+@[^@\s]+$' AND length(email) <= 254),
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    short_name      text NOT NULL DEFAULT '' CHECK (length(short_name) <= 40),
    role            text NOT NULL CHECK (role IN ('SUPER_ADMIN', 'ADMIN', 'CHIEF', 'RAD')),
    is_fellow       boolean NOT NULL DEFAULT false,
    fte             numeric(4,3) NOT NULL DEFAULT 1 CHECK (fte >= 0 AND fte <= 1),
    schedulable     boolean NOT NULL DEFAULT true,  -- false: staff who are never scheduled (admins)
    subspecialties  text[] NOT NULL DEFAULT '{}',
    start_date      date,
    end_date        date CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date),
    CHECK (fte > 0 OR NOT schedulable),
    active          boolean NOT NULL DEFAULT true,
    deactivated_at  timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX users_email ON users (tenant_id, lower(email));
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON users USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

-- Append-only audit trail. Rows come from triggers (audit_row) and from audit_event(),
-- both reading the transaction's settings, so no code path can skip them.
CREATE TABLE audit_log (
    tenant_id      uuid NOT NULL REFERENCES tenants(id),
    id             bigint GENERATED ALWAYS AS IDENTITY,
    at             timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor_kind     text NOT NULL CHECK (actor_kind IN ('USER', 'AGENT', 'SYSTEM')),
    actor_user_id  uuid,
    request_id     text,
    action         text NOT NULL,
    entity         text NOT NULL,
    entity_id      text,
    before         jsonb,
    after          jsonb,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_log_entity ON audit_log (tenant_id, entity, entity_id);
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_log USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

CREATE FUNCTION audit_log_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = '42501';
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_immutable();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_immutable();

-- Generic row trigger: one audit row per change, with before/after images.
-- TG_ARGV[0] optionally names columns to leave out of the images (secrets, hashes).
CREATE FUNCTION audit_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    b jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
    a jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
    t uuid;
    k text;
BEGIN
    IF TG_NARGS > 0 THEN
        FOREACH k IN ARRAY string_to_array(TG_ARGV[0], ',') LOOP
            b := b - k; a := a - k;
        END LOOP;
    END IF;
    t := coalesce((coalesce(a, b) ->> 'tenant_id')::uuid, CASE WHEN TG_TABLE_NAME = 'tenants' THEN (coalesce(a, b) ->> 'id')::uuid END);
    IF TG_OP = 'UPDATE' AND a = b THEN
        RETURN NULL;
    END IF;
    INSERT INTO audit_log (tenant_id, actor_kind, actor_user_id, request_id, action, entity, entity_id, before, after)
    VALUES (t, app_actor(), app_user(), nullif(current_setting('app.request_id', true), ''),
            TG_OP, TG_TABLE_NAME, coalesce(a, b) ->> 'id', b, a);
    RETURN NULL;
END $$;

-- Explicit business events (sign-in, token rotation, publication) in the same trail.
CREATE FUNCTION audit_event(p_action text, p_entity text, p_entity_id text, p_details jsonb)
RETURNS void LANGUAGE sql AS $$
    INSERT INTO audit_log (tenant_id, actor_kind, actor_user_id, request_id, action, entity, entity_id, after)
    VALUES (app_tenant(), app_actor(), app_user(), nullif(current_setting('app.request_id', true), ''),
            p_action, p_entity, p_entity_id, p_details)
$$;

CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON tenants FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON users FOR EACH ROW EXECUTE FUNCTION audit_row();

CREATE FUNCTION touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
CREATE TRIGGER touch BEFORE UPDATE ON tenants FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- Tenant lookup before any tenant is set (sign-in pages, feeds): only id, slug, name, zone.
CREATE FUNCTION tenant_by_slug(p_slug text)
RETURNS TABLE (id uuid, slug text, name text, timezone text, status text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT t.id, t.slug, t.name, t.timezone, t.status FROM tenants t WHERE t.slug = p_slug
$$;

-- Creating a tenant is a platform operation (SUPER_ADMIN, seed): the row does not exist yet.
CREATE FUNCTION tenant_create(p_slug text, p_name text, p_timezone text) RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v uuid := gen_random_uuid();
BEGIN
    PERFORM set_config('app.tenant_id', v::text, true);
    INSERT INTO tenants (id, slug, name, timezone) VALUES (v, p_slug, p_name, p_timezone);
    RETURN v;
END $$;

------------------------------------------------------------------------------------------
-- Durable job queue. Workers claim across tenants, so claim/complete/fail run as the owner
-- (SECURITY DEFINER); the app role sees only its tenant's jobs through RLS.
------------------------------------------------------------------------------------------
CREATE TABLE jobs (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id     uuid REFERENCES tenants(id),
    kind          text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_.]{0,47}$'),
    payload       jsonb NOT NULL DEFAULT '{}',
    state         text NOT NULL DEFAULT 'available'
                  CHECK (state IN ('available', 'running', 'retryable', 'completed', 'discarded', 'cancelled')),
    priority      smallint NOT NULL DEFAULT 0,
    run_at        timestamptz NOT NULL DEFAULT now(),
    attempt       integer NOT NULL DEFAULT 0,
    max_attempts  integer NOT NULL DEFAULT 20 CHECK (max_attempts BETWEEN 1 AND 1000),
    unique_key    text,
    locked_by     text,
    locked_until  timestamptz,
    lease_token   uuid,
    last_error    text,
    errors        jsonb NOT NULL DEFAULT '[]',
    traceparent   text,
    request_id    text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    started_at    timestamptz,
    finished_at   timestamptz
);
CREATE UNIQUE INDEX jobs_unique_unfinished ON jobs (unique_key)
    WHERE unique_key IS NOT NULL AND state IN ('available', 'running', 'retryable');
CREATE INDEX jobs_claimable ON jobs (priority DESC, run_at, id) WHERE state IN ('available', 'retryable');
CREATE INDEX jobs_running_lease ON jobs (locked_until) WHERE state = 'running';
-- A queue table churns: vacuum it early so claims do not wade through dead index entries.
ALTER TABLE jobs SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.01,
                      autovacuum_vacuum_cost_delay = 0, autovacuum_vacuum_threshold = 500);
ALTER TABLE jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE jobs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON jobs USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

-- Enqueue inside the caller's transaction (tenant and trace taken from its settings).
-- Returns the job id, or NULL when an unfinished job with the same unique_key exists.
CREATE FUNCTION queue_enqueue(p_kind text, p_payload jsonb, p_unique_key text, p_priority int,
                              p_delay_ms bigint, p_max_attempts int, p_traceparent text)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v bigint;
BEGIN
    INSERT INTO jobs (tenant_id, kind, payload, unique_key, priority, run_at, max_attempts, traceparent, request_id)
    VALUES (app_tenant(), p_kind, coalesce(p_payload, '{}'), p_unique_key, coalesce(p_priority, 0),
            now() + make_interval(secs => coalesce(p_delay_ms, 0) / 1000.0), coalesce(p_max_attempts, 20),
            p_traceparent, nullif(current_setting('app.request_id', true), ''))
    ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND state IN ('available', 'running', 'retryable')
    DO NOTHING
    RETURNING id INTO v;
    IF v IS NOT NULL THEN
        PERFORM pg_notify('radsched_jobs', p_kind);
    END IF;
    RETURN v;
END $$;

CREATE FUNCTION queue_claim(p_worker text, p_kinds text[], p_limit int, p_lease_seconds int)
RETURNS TABLE (id bigint, tenant_id uuid, kind text, payload jsonb, attempt int, max_attempts int,
               lease_token uuid, traceparent text, request_id text)
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    UPDATE jobs j
       SET state = 'running', attempt = j.attempt + 1, locked_by = p_worker,
           locked_until = now() + make_interval(secs => p_lease_seconds),
           lease_token = gen_random_uuid(), started_at = now()
     WHERE j.id IN (SELECT c.id FROM jobs c
                     WHERE c.state IN ('available', 'retryable') AND c.run_at <= now()
                       AND (p_kinds IS NULL OR c.kind = ANY (p_kinds))
                     ORDER BY c.priority DESC, c.run_at, c.id
                     LIMIT p_limit
                     FOR UPDATE SKIP LOCKED)
    RETURNING j.id, j.tenant_id, j.kind, j.payload, j.attempt, j.max_attempts, j.lease_token, j.traceparent, j.request_id
$$;

-- Completion is guarded by the lease token: a worker whose job was rescued cannot overwrite it.
CREATE FUNCTION queue_complete(p_id bigint, p_token uuid) RETURNS boolean
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH u AS (
        UPDATE jobs SET state = 'completed', finished_at = now(), locked_by = NULL, locked_until = NULL, lease_token = NULL
         WHERE id = p_id AND lease_token = p_token AND state = 'running' RETURNING 1)
    SELECT EXISTS (SELECT 1 FROM u)
$$;

-- Failure: retry after p_delay_ms, or discard when attempts are used up (p_permanent discards now).
CREATE FUNCTION queue_fail(p_id bigint, p_token uuid, p_error text, p_delay_ms bigint, p_permanent boolean)
RETURNS text LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH u AS (
        UPDATE jobs
           SET state = CASE WHEN p_permanent OR attempt >= max_attempts THEN 'discarded' ELSE 'retryable' END,
               run_at = now() + make_interval(secs => p_delay_ms / 1000.0),
               finished_at = CASE WHEN p_permanent OR attempt >= max_attempts THEN now() END,
               last_error = left(p_error, 2000),
               errors = errors || jsonb_build_array(jsonb_build_object('attempt', attempt, 'at', now(), 'error', left(p_error, 2000))),
               locked_by = NULL, locked_until = NULL, lease_token = NULL
         WHERE id = p_id AND lease_token = p_token AND state = 'running'
        RETURNING state)
    SELECT state FROM u
$$;

-- Give a job back without counting the attempt (graceful shutdown).
CREATE FUNCTION queue_release(p_id bigint, p_token uuid) RETURNS boolean
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH u AS (
        UPDATE jobs SET state = 'available', attempt = greatest(attempt - 1, 0), run_at = now(),
                        locked_by = NULL, locked_until = NULL, lease_token = NULL
         WHERE id = p_id AND lease_token = p_token AND state = 'running' RETURNING 1)
    SELECT EXISTS (SELECT 1 FROM u)
$$;

CREATE FUNCTION queue_heartbeat(p_id bigint, p_token uuid, p_lease_seconds int) RETURNS boolean
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH u AS (
        UPDATE jobs SET locked_until = now() + make_interval(secs => p_lease_seconds)
         WHERE id = p_id AND lease_token = p_token AND state = 'running' RETURNING 1)
    SELECT EXISTS (SELECT 1 FROM u)
$$;

-- Jobs whose lease ran out (the worker died): back to retryable, or discarded when out of attempts.
CREATE FUNCTION queue_rescue() RETURNS integer
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH u AS (
        UPDATE jobs
           SET state = CASE WHEN attempt >= max_attempts THEN 'discarded' ELSE 'retryable' END,
               finished_at = CASE WHEN attempt >= max_attempts THEN now() END,
               last_error = 'lease expired: worker ' || coalesce(locked_by, '?') || ' stopped heartbeating',
               errors = errors || jsonb_build_array(jsonb_build_object('attempt', attempt, 'at', now(), 'error', 'lease expired')),
               run_at = now(), locked_by = NULL, locked_until = NULL, lease_token = NULL
         WHERE state = 'running' AND locked_until < now()
        RETURNING 1)
    SELECT count(*)::int FROM u
$$;

CREATE FUNCTION queue_stats() RETURNS TABLE (kind text, state text, n bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT kind, state, count(*) FROM jobs GROUP BY kind, state
$$;

-- Cron: one row per (entry, slot); whoever inserts it enqueues the job, so a slot fires once
-- however many workers run.
CREATE TABLE cron_slots (
    name      text NOT NULL,
    slot      timestamptz NOT NULL,
    job_id    bigint,
    fired_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (name, slot)
);
CREATE FUNCTION queue_cron_fire(p_name text, p_slot timestamptz, p_kind text, p_payload jsonb) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v bigint;
BEGIN
    INSERT INTO cron_slots (name, slot) VALUES (p_name, p_slot) ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    v := queue_enqueue(p_kind, p_payload, 'cron:' || p_name || ':' || p_slot::text, 0, 0, 5, NULL);
    UPDATE cron_slots SET job_id = v WHERE name = p_name AND slot = p_slot;
    RETURN v;
END $$;

-- Worker heartbeats (for /readyz and operators).
CREATE TABLE workers (
    id            text PRIMARY KEY,
    hostname      text NOT NULL,
    pid           integer NOT NULL,
    concurrency   integer NOT NULL,
    started_at    timestamptz NOT NULL DEFAULT now(),
    heartbeat_at  timestamptz NOT NULL DEFAULT now()
);
CREATE FUNCTION worker_heartbeat(p_id text, p_host text, p_pid int, p_concurrency int) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    INSERT INTO workers (id, hostname, pid, concurrency) VALUES (p_id, p_host, p_pid, p_concurrency)
    ON CONFLICT (id) DO UPDATE SET heartbeat_at = now()
$$;
CREATE FUNCTION worker_last_heartbeat() RETURNS timestamptz
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT max(heartbeat_at) FROM workers
$$;
