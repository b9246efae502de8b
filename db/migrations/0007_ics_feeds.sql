-- 0007_ics_feeds: what the ICS feeds (docs/ics.md) need beyond 0002.
--
-- * feed_state is the change clock of each feed. The database now keeps it, whatever code
--   path changes what a feed shows: published_events (insert, update, delete), the
--   feed-relevant part of the tenant's config, and the people's names. A transaction moves
--   a feed at most once (version + 1), and changed_at only grows, in whole seconds and by at
--   least one second per change, so an HTTP Last-Modified (second resolution) moves on
--   every change, deletions included.
-- * SEQUENCE only grows per UID: an update never lowers published_events.sequence and adds
--   one when the content changes; a deleted row leaves a tombstone with its sequence, so an
--   assignment that comes back continues from there.
-- * Every change to feed_state, feed_tokens or a tenant's status notifies channel
--   radsched_feeds (once per transaction, at commit): servers use it to revalidate their
--   cached feed bytes (src/domain/feeds_cache.c).
-- * feed_resolve(hash): the one query a feed poll needs when its cache entry must be checked.

ALTER TABLE feed_state ADD COLUMN bumped_tx bigint;

-- One move per transaction, strictly growing changed_at (whole seconds).
CREATE FUNCTION feed_state_normalize() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    tx bigint := txid_current();
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.version := greatest(coalesce(NEW.version, 1), 1);
        NEW.changed_at := date_trunc('second', now());
    ELSIF OLD.bumped_tx = tx THEN
        NEW.version := OLD.version;
        NEW.changed_at := OLD.changed_at;
    ELSE
        NEW.version := OLD.version + 1;
        NEW.changed_at := greatest(date_trunc('second', now()), OLD.changed_at + interval '1 second');
    END IF;
    NEW.tenant_id := coalesce(OLD.tenant_id, NEW.tenant_id);
    NEW.feed_key := coalesce(OLD.feed_key, NEW.feed_key);
    NEW.bumped_tx := tx;
    RETURN NEW;
END $$;
CREATE TRIGGER normalize BEFORE INSERT OR UPDATE ON feed_state FOR EACH ROW EXECUTE FUNCTION feed_state_normalize();

-- Move the feeds of (tenant, keys): keys are 'master' and user ids as text.
CREATE FUNCTION feed_touch(p_tenant uuid, p_keys text[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO feed_state (tenant_id, feed_key)
    SELECT DISTINCT p_tenant, k FROM unnest(p_keys) k WHERE k IS NOT NULL
    ON CONFLICT (tenant_id, feed_key) DO UPDATE SET version = feed_state.version + 1
$$;

CREATE FUNCTION feed_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('radsched_feeds', '');
    RETURN NULL;
END $$;
CREATE TRIGGER notify AFTER INSERT OR UPDATE OR DELETE ON feed_state FOR EACH STATEMENT EXECUTE FUNCTION feed_notify();
CREATE TRIGGER notify AFTER INSERT OR UPDATE OR DELETE ON feed_tokens FOR EACH STATEMENT EXECUTE FUNCTION feed_notify();
CREATE TRIGGER feeds_notify AFTER UPDATE OF status ON tenants FOR EACH STATEMENT EXECUTE FUNCTION feed_notify();

------------------------------------------------------------------------------------------
-- published_events: SEQUENCE only grows; every change moves the feeds that show it.
------------------------------------------------------------------------------------------
CREATE TABLE feed_event_tombstones (
    tenant_id      uuid NOT NULL REFERENCES tenants(id),
    assignment_id  uuid NOT NULL,
    sequence       integer NOT NULL,
    deleted_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, assignment_id)
);
ALTER TABLE feed_event_tombstones ENABLE ROW LEVEL SECURITY;
ALTER TABLE feed_event_tombstones FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON feed_event_tombstones USING (tenant_id = app_tenant()) WITH CHECK (tenant_id = app_tenant());

CREATE FUNCTION published_events_sequence() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    gone integer;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT t.sequence INTO gone FROM feed_event_tombstones t
         WHERE t.tenant_id = NEW.tenant_id AND t.assignment_id = NEW.assignment_id;
        IF gone IS NOT NULL THEN
            NEW.sequence := greatest(NEW.sequence, gone + 1);
            DELETE FROM feed_event_tombstones t WHERE t.tenant_id = NEW.tenant_id AND t.assignment_id = NEW.assignment_id;
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.sequence < OLD.sequence THEN
        NEW.sequence := OLD.sequence;
    END IF;
    IF NEW.content_hash IS DISTINCT FROM OLD.content_hash AND NEW.sequence = OLD.sequence THEN
        NEW.sequence := OLD.sequence + 1;
    END IF;
    IF NEW.last_modified < OLD.last_modified THEN
        NEW.last_modified := OLD.last_modified;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER sequence BEFORE INSERT OR UPDATE ON published_events FOR EACH ROW EXECUTE FUNCTION published_events_sequence();

CREATE FUNCTION published_events_tombstone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO feed_event_tombstones (tenant_id, assignment_id, sequence)
    SELECT o.tenant_id, o.assignment_id, max(o.sequence) FROM old_rows o GROUP BY o.tenant_id, o.assignment_id
    ON CONFLICT (tenant_id, assignment_id) DO UPDATE
        SET sequence = greatest(feed_event_tombstones.sequence, EXCLUDED.sequence), deleted_at = now();
    RETURN NULL;
END $$;
CREATE TRIGGER tombstone AFTER DELETE ON published_events REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION published_events_tombstone();

-- The feeds of the people whose rows changed, and the master feed of their tenants.
CREATE FUNCTION published_events_touch_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM feed_touch(x.tenant_id, array_agg(DISTINCT x.user_id::text) || ARRAY['master'])
       FROM new_rows x GROUP BY x.tenant_id;
    RETURN NULL;
END $$;
CREATE FUNCTION published_events_touch_old() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM feed_touch(x.tenant_id, array_agg(DISTINCT x.user_id::text) || ARRAY['master'])
       FROM old_rows x GROUP BY x.tenant_id;
    RETURN NULL;
END $$;
CREATE TRIGGER touch_feeds_insert AFTER INSERT ON published_events REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION published_events_touch_new();
CREATE TRIGGER touch_feeds_update_new AFTER UPDATE ON published_events REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION published_events_touch_new();
CREATE TRIGGER touch_feeds_update_old AFTER UPDATE ON published_events REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION published_events_touch_old();
CREATE TRIGGER touch_feeds_delete AFTER DELETE ON published_events REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION published_events_touch_old();

------------------------------------------------------------------------------------------
-- Config and people: what feeds show of them.
------------------------------------------------------------------------------------------
-- The part of a config document that feeds render (zone, names, shift types, summary
-- format, window and refresh).
CREATE FUNCTION feed_config_projection(d jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_build_object('timezone', d->'timezone', 'department', d->'department',
                              'subspecialties', d->'subspecialties', 'shiftTypes', d->'shiftTypes',
                              'summary', d#>'{integrations,calendar,eventSummaryFormat}', 'ics', d->'ics')
$$;

CREATE FUNCTION tenants_config_touch_feeds() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    before_doc jsonb;
    after_doc jsonb;
BEGIN
    SELECT document INTO before_doc FROM config_versions WHERE tenant_id = NEW.id AND number = OLD.config_version;
    SELECT document INTO after_doc FROM config_versions WHERE tenant_id = NEW.id AND number = NEW.config_version;
    IF feed_config_projection(before_doc) IS DISTINCT FROM feed_config_projection(after_doc) THEN
        PERFORM feed_touch(NEW.id, ARRAY['master'] || coalesce((SELECT array_agg(u.id::text) FROM users u WHERE u.tenant_id = NEW.id), '{}'));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER config_touch_feeds AFTER UPDATE OF config_version ON tenants FOR EACH ROW
    WHEN (OLD.config_version IS DISTINCT FROM NEW.config_version) EXECUTE FUNCTION tenants_config_touch_feeds();

CREATE FUNCTION users_touch_feeds() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM feed_touch(NEW.tenant_id, ARRAY[NEW.id::text, 'master']);
    RETURN NULL;
END $$;
CREATE TRIGGER touch_feeds AFTER UPDATE OF name, short_name, active ON users FOR EACH ROW
    WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.short_name IS DISTINCT FROM NEW.short_name
          OR OLD.active IS DISTINCT FROM NEW.active)
    EXECUTE FUNCTION users_touch_feeds();

------------------------------------------------------------------------------------------
-- A feed poll: which feed a token hash names, and the state its bytes depend on. Nothing
-- for unknown hashes. `available` is false for a suspended tenant or a deactivated
-- person's own feed (those answer 404 like an unknown token).
------------------------------------------------------------------------------------------
CREATE FUNCTION feed_resolve(p_hash text)
RETURNS TABLE (tenant_id uuid, feed_key text, generation integer, version bigint, changed_at bigint,
               config_version integer, available boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT f.tenant_id, f.feed_key, f.generation, coalesce(s.version, 0),
           extract(epoch FROM date_trunc('second', coalesce(s.changed_at, t.created_at)))::bigint,
           t.config_version,
           t.status <> 'suspended'
             AND (f.feed_key = 'master' OR EXISTS (SELECT 1 FROM users u WHERE u.tenant_id = f.tenant_id
                                                      AND u.id::text = f.feed_key AND u.active))
      FROM feed_tokens f
      JOIN tenants t ON t.id = f.tenant_id
      LEFT JOIN feed_state s ON s.tenant_id = f.tenant_id AND s.feed_key = f.feed_key
     WHERE f.token_hash = p_hash
$$;

------------------------------------------------------------------------------------------
-- Rendering reads (src/domain/feeds.c): called in one statement, so state and events come
-- from one snapshot; PL/pgSQL keeps their plans per connection. Run with the caller's rights
-- in the tenant's transaction (RLS applies). The ROWS estimates keep the calling statement
-- cheap in the planner's eyes (the default 1000 × 1000 rows would make it JIT-compile).
------------------------------------------------------------------------------------------
-- The feed's state and window. p_user NULL = the master feed. The window runs from
-- windowDaysBack days before "today" in the tenant's zone to windowMonthsAhead months after
-- (end exclusive). moved_at: the latest midnight at which the window moved over one of the
-- feed's events (an event of day d leaves at the midnight starting d + back + 1 and enters
-- at the first midnight t with t + ahead months > d): it counts as a change of the feed.
CREATE FUNCTION feed_window(p_feed text, p_user uuid)
RETURNS TABLE (tenant text, cv integer, tenant_name text, tz text, changed_at bigint, version bigint,
               generation integer, tenant_ok boolean, user_name text, user_active boolean,
               ws date, we date, next_midnight bigint, moved_at bigint)
LANGUAGE plpgsql STABLE ROWS 1 AS $$
DECLARE
    doc jsonb;
    back integer;
    ahead integer;
    today date;
    d date;
    t date;
    m bigint;
BEGIN
    SELECT t0.id::text, t0.config_version, t0.name, t0.timezone, c.document,
           extract(epoch FROM date_trunc('second', coalesce(s.changed_at, t0.created_at)))::bigint,
           coalesce(s.version, 0), coalesce(f.generation, 0), t0.status <> 'suspended'
      INTO tenant, cv, tenant_name, tz, doc, changed_at, version, generation, tenant_ok
      FROM tenants t0
      LEFT JOIN config_versions c ON c.tenant_id = t0.id AND c.number = t0.config_version
      LEFT JOIN feed_state s ON s.tenant_id = t0.id AND s.feed_key = p_feed
      LEFT JOIN feed_tokens f ON f.tenant_id = t0.id AND f.feed_key = p_feed
     WHERE t0.id = app_tenant();
    IF NOT FOUND THEN
        RETURN;
    END IF;
    tz := coalesce(doc->>'timezone', tz);
    back := coalesce((doc#>>'{ics,windowDaysBack}')::int, 30);
    ahead := coalesce((doc#>>'{ics,windowMonthsAhead}')::int, 12);
    IF p_user IS NOT NULL THEN
        SELECT u.name, u.active INTO user_name, user_active FROM users u WHERE u.id = p_user;
    END IF;
    today := (now() AT TIME ZONE tz)::date;
    ws := today - back;
    we := (today + make_interval(months => ahead))::date;
    next_midnight := extract(epoch FROM ((today + 1)::timestamp AT TIME ZONE tz))::bigint;
    IF p_user IS NULL THEN
        SELECT max(p.day) INTO d FROM published_events p WHERE p.day < ws;
    ELSE
        SELECT max(p.day) INTO d FROM published_events p WHERE p.user_id = p_user AND p.day < ws;
    END IF;
    IF d IS NOT NULL THEN
        moved_at := extract(epoch FROM ((d + back + 1)::timestamp AT TIME ZONE tz))::bigint;
    END IF;
    IF p_user IS NULL THEN
        SELECT max(p.day) INTO d FROM published_events p WHERE p.day >= ws AND p.day < we;
    ELSE
        SELECT max(p.day) INTO d FROM published_events p WHERE p.user_id = p_user AND p.day >= ws AND p.day < we;
    END IF;
    IF d IS NOT NULL THEN
        t := (d - make_interval(months => ahead))::date - 4;
        WHILE (t + make_interval(months => ahead))::date <= d LOOP
            t := t + 1;
        END LOOP;
        m := extract(epoch FROM (t::timestamp AT TIME ZONE tz))::bigint;
        IF moved_at IS NULL OR m > moved_at THEN
            moved_at := m;
        END IF;
    END IF;
    RETURN NEXT;
END $$;

-- The feed's events in [p_ws, p_we), in feed order: instants as Unix seconds (the renderer
-- turns them into wall clocks with the VTIMEZONE it writes), days as days since 1970-01-01.
CREATE FUNCTION feed_events(p_user uuid, p_ws date, p_we date, p_limit integer)
RETURNS TABLE (aid text, shift_code text, all_day boolean, day_n integer, s_utc bigint, e_utc bigint,
               sequence integer, lm bigint, p_name text, p_short text)
LANGUAGE plpgsql STABLE ROWS 300
-- a generic plan cannot see that one person's rows are few and picks the (tenant, day) index
SET plan_cache_mode = force_custom_plan AS $$
BEGIN
    IF p_user IS NULL THEN
        RETURN QUERY
        SELECT pe.assignment_id::text, pe.shift_code, pe.all_day, pe.day - date '1970-01-01',
               floor(extract(epoch FROM pe.start_at))::bigint, floor(extract(epoch FROM pe.end_at))::bigint,
               pe.sequence, floor(extract(epoch FROM pe.last_modified))::bigint, pu.name, pu.short_name
          FROM published_events pe JOIN users pu ON pu.tenant_id = pe.tenant_id AND pu.id = pe.user_id
         WHERE pe.day >= p_ws AND pe.day < p_we
         ORDER BY pe.day, pe.start_at NULLS FIRST, pe.shift_code, pu.name, pe.assignment_id
         LIMIT p_limit;
    ELSE
        RETURN QUERY
        SELECT pe.assignment_id::text, pe.shift_code, pe.all_day, pe.day - date '1970-01-01',
               floor(extract(epoch FROM pe.start_at))::bigint, floor(extract(epoch FROM pe.end_at))::bigint,
               pe.sequence, floor(extract(epoch FROM pe.last_modified))::bigint, pu.name, pu.short_name
          FROM published_events pe JOIN users pu ON pu.tenant_id = pe.tenant_id AND pu.id = pe.user_id
         WHERE pe.user_id = p_user AND pe.day >= p_ws AND pe.day < p_we
         ORDER BY pe.day, pe.start_at NULLS FIRST, pe.shift_code, pu.name, pe.assignment_id
         LIMIT p_limit;
    END IF;
END $$;
