// ics_support.mjs — helpers for the ICS feed tests (tests/integration/ics_*.test.mjs and
// tests/e2e/calendar_*.test.mjs).
//
// publishDemoSchedule(srv) writes a published schedule for the demo department straight into
// the database, the way publication leaves it (a published period, published_events rows
// with instants computed by PostgreSQL from the shift types' wall clocks in the tenant's
// zone): every shift type on its weekdays, for the current and the next month, handed out
// round-robin to the schedulable people. When the demo seed already published a schedule
// (the engine's), that one is kept and nothing is added.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { root } from '../support/harness.mjs';

export const bin = process.env.RADSCHED_BIN || join(root, 'build/radsched');

export function publishDemoSchedule(srv, { from = null, months = 2, onlyIfEmpty = true, period = 'ICS test schedule' } = {}) {
  if (onlyIfEmpty && Number(srv.sql(`SELECT count(*) FROM published_events e JOIN tenants t ON t.id = e.tenant_id WHERE t.slug = 'demo'`)) > 0)
    return;
  const start = from ? `'${from}'::date` : `date_trunc('month', now() AT TIME ZONE t.timezone)::date`;
  srv.sql(`
    WITH t AS (SELECT id, timezone, config_version FROM tenants WHERE slug = 'demo'),
    p AS (INSERT INTO periods (tenant_id, name, start_date, end_date, status, config_number)
          SELECT t.id, '${period}', ${start}, (${start} + interval '${months} months' - interval '1 day')::date,
                 'published', t.config_version FROM t RETURNING tenant_id, id, start_date, end_date),
    st AS (SELECT s->>'code' AS code, s->>'kind' = 'allDay' AS all_day, (s->>'start')::time AS st, (s->>'end')::time AS en,
                  s->'days' AS days, row_number() OVER () AS rn
             FROM t JOIN config_versions c ON c.tenant_id = t.id AND c.number = t.config_version,
                  jsonb_array_elements(c.document->'shiftTypes') s),
    u AS (SELECT id, row_number() OVER (ORDER BY email) - 1 AS k, count(*) OVER () AS n
            FROM users WHERE tenant_id = (SELECT id FROM t) AND schedulable AND active),
    d AS (SELECT g::date AS day FROM p, generate_series(p.start_date, p.end_date, interval '1 day') g)
    INSERT INTO published_events (tenant_id, assignment_id, period_id, user_id, day, shift_code, all_day, start_at, end_at, content_hash, last_modified)
    SELECT p.tenant_id, gen_random_uuid(), p.id, u.id, d.day, st.code, st.all_day,
           CASE WHEN st.all_day THEN NULL ELSE (shift_instants(d.day, st.st, st.en, t.timezone)).start_at END,
           CASE WHEN st.all_day THEN NULL ELSE (shift_instants(d.day, st.st, st.en, t.timezone)).end_at END,
           md5(d.day::text || st.code || u.id::text), now()
      FROM p, t, d, st, u
     WHERE st.days ? lower(to_char(d.day, 'dy'))
       AND u.k = ((d.day - p.start_date) * 7 + st.rn) % u.n`);
}

// Fill one person's feed with about n events over the next 12 months (benchmarks, window tests).
export function publishPersonYear(srv, email, n = 250) {
  srv.sql(`
    WITH t AS (SELECT id, timezone FROM tenants WHERE slug = 'demo'),
    usr AS (SELECT id FROM users WHERE tenant_id = (SELECT id FROM t) AND lower(email) = lower('${email}')),
    g AS (SELECT i, ((now() AT TIME ZONE t.timezone)::date + (i * 365 / ${n})) AS day FROM t, generate_series(0, ${n} - 1) i)
    INSERT INTO published_events (tenant_id, assignment_id, period_id, user_id, day, shift_code, all_day, start_at, end_at, content_hash)
    SELECT t.id, gen_random_uuid(), gen_random_uuid(), usr.id, g.day,
           CASE WHEN g.i % 11 = 0 THEN 'IR_CALL' WHEN g.i % 5 = 0 THEN 'OVN' ELSE 'NEURO_D' END, g.i % 11 = 0,
           CASE WHEN g.i % 11 = 0 THEN NULL WHEN g.i % 5 = 0 THEN (shift_instants(g.day, '23:00', '08:00', t.timezone)).start_at
                ELSE (shift_instants(g.day, '08:00', '16:30', t.timezone)).start_at END,
           CASE WHEN g.i % 11 = 0 THEN NULL WHEN g.i % 5 = 0 THEN (shift_instants(g.day, '23:00', '08:00', t.timezone)).end_at
                ELSE (shift_instants(g.day, '08:00', '16:30', t.timezone)).end_at END,
           md5(g.i::text)
      FROM t, usr, g`);
}

// radsched ics-url / ics-rotate against the server's database (same secret and base URL).
export function icsCommand(srv, args) {
  return execFileSync(bin, [...args, '--base-url', srv.url, '--data-dir', srv.dataDir], {
    encoding: 'utf8',
    env: {
      ...process.env,
      RADSCHED_DATABASE_URL: srv.db.app,
      RADSCHED_SECRET: 'test-secret-0123456789abcdef0123456789abcdef',
      RADSCHED_SHARE_DIR: root,
      RADSCHED_LOG_LEVEL: 'error',
    },
  }).trim();
}

// Bearer tokens for every active person of the demo department in one statement (psql is slow
// to start on a busy machine): Map email → token.
export function apiTokensForAll(srv) {
  const emails = srv.sql(`SELECT u.email FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE t.slug = 'demo' AND u.active ORDER BY u.email`).split('\n');
  const tokens = new Map(emails.map((e) => [e, 'rsk_test_' + Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2)]));
  const values = [...tokens].map(([e, t]) => `('${e}', '${t}')`).join(', ');
  srv.sql(`INSERT INTO api_tokens (tenant_id, user_id, name, token_hash)
           SELECT u.tenant_id, u.id, 'test', encode(sha256(convert_to(v.t, 'UTF8')), 'hex')
             FROM (VALUES ${values}) v(e, t) JOIN users u ON lower(u.email) = lower(v.e)
             JOIN tenants tn ON tn.id = u.tenant_id AND tn.slug = 'demo'`);
  return tokens;
}

// The published events of the demo department in the default feed window (30 days back, 12
// months ahead in the tenant's zone), as rows {email, aid, allDay, start, end, day, next, code, seq, short}.
export function publishedInWindow(srv) {
  const rows = srv.sql(`
    SELECT u.email, e.assignment_id, e.all_day, coalesce(extract(epoch FROM e.start_at)::bigint, 0),
           coalesce(extract(epoch FROM e.end_at)::bigint, 0), e.day, e.day + 1, e.shift_code, e.sequence, u.short_name
      FROM published_events e JOIN tenants t ON t.id = e.tenant_id JOIN users u ON u.tenant_id = e.tenant_id AND u.id = e.user_id
     WHERE t.slug = 'demo'
       AND e.day >= (now() AT TIME ZONE t.timezone)::date - 30
       AND e.day < ((now() AT TIME ZONE t.timezone)::date + interval '12 months')::date`);
  return (rows ? rows.split('\n') : []).map((line) => {
    const [email, aid, allDay, s, e, day, next, code, seq, short] = line.split('|');
    return { email, aid, allDay: allDay === 't', start: Number(s), end: Number(e), day, next, code, seq: Number(seq), short };
  });
}
