-- 0010_feed_render_plain: a feed's state and window are read by plain SQL that the server
-- prepares once per connection (src/domain/feeds_render.c), instead of the PL/pgSQL
-- feed_window(), whose six statements cost more to run than the feed's events. What the
-- window needs from the config is kept in generated columns, so the read does not detoast
-- the document, and so is the part of the document that feeds show, sent only to a
-- process that has not parsed that version yet.

-- The members of a config that feeds read (src/domain/feeds_config.c, fill()): a small
-- document a process parses in microseconds when it meets a new version. Immutable in
-- fact (jsonb in, jsonb out), so it may feed a generated column; changing it needs the
-- column dropped and added again. tests/ics/test_feeds.c checks that it keeps everything
-- fill() reads.
CREATE FUNCTION feed_config_part(doc jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT jsonb_build_object(
        'department', jsonb_build_object('name', doc #> '{department,name}'),
        'integrations', jsonb_build_object('calendar', jsonb_build_object(
            'eventSummaryFormat', doc #> '{integrations,calendar,eventSummaryFormat}')),
        'ics', jsonb_build_object('refreshIntervalMinutes', doc #> '{ics,refreshIntervalMinutes}'),
        'subspecialties', (SELECT jsonb_agg(jsonb_build_object('code', x -> 'code', 'name', x -> 'name') ORDER BY i)
                             FROM jsonb_array_elements(CASE jsonb_typeof(doc -> 'subspecialties')
                                                       WHEN 'array' THEN doc -> 'subspecialties' END)
                                  WITH ORDINALITY AS s(x, i)),
        'shiftTypes', (SELECT jsonb_agg(jsonb_build_object('code', x -> 'code', 'name', x -> 'name',
                                                           'subspecialty', x -> 'subspecialty',
                                                           'showAsBusy', x -> 'showAsBusy') ORDER BY i)
                         FROM jsonb_array_elements(CASE jsonb_typeof(doc -> 'shiftTypes')
                                                   WHEN 'array' THEN doc -> 'shiftTypes' END)
                              WITH ORDINALITY AS s(x, i)))::text
$$;

ALTER TABLE config_versions
    ADD COLUMN feed_config text GENERATED ALWAYS AS (feed_config_part(document)) STORED,
    ADD COLUMN feed_tz text GENERATED ALWAYS AS (document ->> 'timezone') STORED,
    ADD COLUMN feed_days_back integer
        GENERATED ALWAYS AS (coalesce((document #>> '{ics,windowDaysBack}')::integer, 30)) STORED,
    ADD COLUMN feed_months_ahead integer
        GENERATED ALWAYS AS (coalesce((document #>> '{ics,windowMonthsAhead}')::integer, 12)) STORED;
-- the audit trail keeps a version's metadata, not its document nor what is derived from it
DROP TRIGGER audit ON config_versions;
CREATE TRIGGER audit AFTER INSERT ON config_versions FOR EACH ROW
    EXECUTE FUNCTION audit_row('document,feed_config,feed_tz,feed_days_back,feed_months_ahead');

-- The current tenant's feed window: from windowDaysBack days before "today" in the tenant's
-- zone to windowMonthsAhead months after it (end exclusive). No config yet: 30 days back,
-- 12 months ahead, the tenant's own zone. security_invoker: the caller's RLS applies.
-- OFFSET 0 keeps the view a unit: a statement joining it gets one row of constants that
-- can bound an index scan, not the zone arithmetic inlined into a per-row join filter.
CREATE VIEW feed_window_now WITH (security_invoker = true) AS
SELECT t.id AS tenant_id, t.config_version AS cv, t.name AS tenant_name, t.status <> 'suspended' AS tenant_ok,
       t.created_at, c.feed_config, z.tz, z.today, z.back, z.ahead,
       z.today - z.back AS ws, (z.today + make_interval(months => z.ahead))::date AS we
  FROM tenants t
  LEFT JOIN config_versions c ON c.tenant_id = t.id AND c.number = t.config_version
 CROSS JOIN LATERAL (SELECT coalesce(c.feed_tz, t.timezone) AS tz,
                            (now() AT TIME ZONE coalesce(c.feed_tz, t.timezone))::date AS today,
                            coalesce(c.feed_days_back, 30) AS back,
                            coalesce(c.feed_months_ahead, 12) AS ahead) z
 WHERE t.id = app_tenant()
OFFSET 0;

DROP FUNCTION feed_window(text, uuid);
