// The page behind every ICS event's URL (GET /assignments/{id}, src/web/assignment_page.c):
// a signed-in radiologist follows the URL line of their real feed and sees the shift's name,
// date, times in the department's zone and person; a colleague's shift opens too (the
// published schedule is readable by every member, docs/api.md); unknown, malformed, other
// tenants' and unpublished ids are 404; anonymous visitors are sent to sign in, as on
// /calendar; everything is HTML-escaped.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startRadsched } from '../support/harness.mjs';
import { magicSignIn } from '../web/auth_helpers.mjs';
import { publishDemoSchedule } from './ics_support.mjs';

const RAD = 'daniel.hughes@lakeside.example';
const CHIEF = 'chief@lakeside.example';
let srv, rad, tz;

before(async () => {
  srv = await startRadsched({ demo: true });
  publishDemoSchedule(srv);
  tz = srv.sql(`SELECT timezone FROM tenants WHERE slug = 'demo'`);
  rad = await magicSignIn(srv, RAD);
});
after(async () => {
  await srv?.stop();
});

const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
// "Tuesday 1 December 2026" for YYYY-MM-DD, computed here rather than by PostgreSQL.
function dayLabel(ymd) {
  const d = new Date(`${ymd}T12:00:00Z`);
  return `${DAYS[d.getUTCDay()]} ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}
// HH:MM of a Unix instant in the department's zone (Node's own tz data).
const hhmm = (epoch) => new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(epoch * 1000));
const localDay = (epoch) => new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(epoch * 1000));

// The published event as the database has it, with the shift's name from the current config.
function eventRow(aid) {
  const line = srv.sql(`
    SELECT e.shift_code, e.day, e.all_day, coalesce(extract(epoch FROM e.start_at)::bigint, 0),
           coalesce(extract(epoch FROM e.end_at)::bigint, 0), e.sequence, u.name, u.email, coalesce(p.name, ''),
           coalesce((SELECT s->>'name' FROM config_versions c, jsonb_array_elements(c.document->'shiftTypes') s
                      WHERE c.tenant_id = t.id AND c.number = t.config_version AND s->>'code' = e.shift_code), e.shift_code)
      FROM published_events e JOIN tenants t ON t.id = e.tenant_id
      JOIN users u ON u.tenant_id = e.tenant_id AND u.id = e.user_id
      LEFT JOIN periods p ON p.tenant_id = e.tenant_id AND p.id = e.period_id
     WHERE e.assignment_id = '${aid}'`);
  const [code, day, allDay, s, e, seq, name, email, period, shiftName] = line.split('|');
  return { code, day, allDay: allDay === 't', start: Number(s), end: Number(e), seq: Number(seq), name, email, period, shiftName };
}

// The feed's events (unfolded) as {url, sequence}.
function feedEvents(ics) {
  const lines = ics.replace(/\r\n[ \t]/g, '').split('\r\n');
  const out = [];
  let cur = null;
  for (const l of lines) {
    if (l === 'BEGIN:VEVENT') cur = {};
    else if (l === 'END:VEVENT') { out.push(cur); cur = null; }
    else if (cur && l.startsWith('URL:')) cur.url = l.slice(4);
    else if (cur && l.startsWith('SEQUENCE:')) cur.sequence = Number(l.slice(9));
  }
  return out;
}

function assertShows(html, ev) {
  assert.ok(html.includes(esc(ev.shiftName)), `shift name ${ev.shiftName}`);
  assert.ok(html.includes(`(${esc(ev.code)})`), `shift code ${ev.code}`);
  assert.ok(html.includes(`<time datetime="${ev.day}">${dayLabel(ev.day)}</time>`), `date ${dayLabel(ev.day)}`);
  assert.ok(html.includes(esc(ev.name)), `person ${ev.name}`);
  if (ev.period) assert.ok(html.includes(esc(ev.period)), `period ${ev.period}`);
  assert.ok(html.includes(`Published, revision ${ev.seq + 1}`), 'revision');
  if (ev.allDay) {
    assert.match(html, /All day/);
  } else {
    const endDay = localDay(ev.end);
    const want = `${hhmm(ev.start)} – ${hhmm(ev.end)}${endDay !== ev.day ? ` (${dayLabel(endDay)})` : ''}, ${tz} time`;
    assert.ok(html.includes(want), `times: want "${want}"`);
  }
  assert.ok(html.includes('<a href="/calendar">'), 'link back to the calendar');
}

test("a radiologist follows their feed's URL line to the shift's page", async () => {
  const links = await (await rad.fetch(`${srv.url}/api/v1/me/calendar`)).json();
  const feed = await fetch(links.feed.url);
  assert.equal(feed.status, 200);
  const events = feedEvents(await feed.text());
  assert.ok(events.length > 0, 'the radiologist has published shifts');
  const seen = { timed: false, allDay: false };
  for (const fe of events) {
    const m = fe.url.match(/^(.*)\/assignments\/([0-9a-f-]{36})$/);
    assert.ok(m, `URL line ${fe.url}`);
    assert.equal(m[1], srv.url, 'the URL is on this server');
    const ev = eventRow(m[2]);
    if (seen[ev.allDay ? 'allDay' : 'timed']) continue;
    seen[ev.allDay ? 'allDay' : 'timed'] = true;
    const res = await rad.fetch(fe.url);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/html/);
    const html = await res.text();
    assert.equal(ev.email, RAD);
    assert.equal(ev.seq, fe.sequence, 'the revision is the feed SEQUENCE');
    assertShows(html, ev);
    assert.match(html, /\(your shift\)/, 'own shift is marked');
    if (seen.timed && seen.allDay) break;
  }
  assert.ok(seen.timed, 'at least one timed shift checked');
});

test("a radiologist can open a colleague's shift; it is not marked as theirs", async () => {
  const aid = srv.sql(`SELECT e.assignment_id FROM published_events e JOIN users u ON u.tenant_id = e.tenant_id AND u.id = e.user_id
                        WHERE lower(u.email) <> '${RAD}' AND NOT e.all_day ORDER BY e.day, e.assignment_id LIMIT 1`);
  const ev = eventRow(aid);
  const res = await rad.fetch(`${srv.url}/assignments/${aid}`);
  assert.equal(res.status, 200);
  const html = await res.text();
  assertShows(html, ev);
  assert.doesNotMatch(html, /your shift/i);
  const chief = await magicSignIn(srv, CHIEF);
  assert.equal((await chief.fetch(`${srv.url}/assignments/${aid}`)).status, 200, 'a chief too');
});

test('names are HTML-escaped', async () => {
  const aid = srv.sql(`SELECT e.assignment_id FROM published_events e JOIN users u ON u.tenant_id = e.tenant_id AND u.id = e.user_id
                        WHERE lower(u.email) <> '${RAD}' ORDER BY e.day DESC, e.assignment_id LIMIT 1`);
  const uid = srv.sql(`SELECT user_id FROM published_events WHERE assignment_id = '${aid}'`);
  const old = srv.sql(`SELECT name FROM users WHERE id = '${uid}'`);
  srv.sql(`UPDATE users SET name = 'Dr. <script>x()</script> & "Zoë" O''Neil' WHERE id = '${uid}'`);
  try {
    const html = await (await rad.fetch(`${srv.url}/assignments/${aid}`)).text();
    assert.ok(html.includes('Dr. &lt;script&gt;x()&lt;/script&gt; &amp; &quot;Zoë&quot; O&#39;Neil'));
    assert.doesNotMatch(html, /<script>x\(\)/);
  } finally {
    srv.sql(`UPDATE users SET name = '${old.replace(/'/g, "''")}' WHERE id = '${uid}'`);
  }
});

test('an unknown UUID, a non-UUID, another department\'s and an unpublished assignment are 404', async () => {
  for (const id of [randomUUID(), 'not-a-uuid', '00000000-0000-0000-0000-00000000000g', "1'--"]) {
    const res = await rad.fetch(`${srv.url}/assignments/${encodeURIComponent(id)}`);
    assert.equal(res.status, 404, id);
    assert.match(res.headers.get('content-type'), /problem\+json/);
  }
  // another department with a published event of its own
  srv.sql(`SELECT tenant_create('riverside-page', 'Riverside Imaging', 'America/Toronto')`);
  const other = srv.sql(`
    WITH t AS (SELECT id FROM tenants WHERE slug = 'riverside-page'),
    u AS (INSERT INTO users (tenant_id, email, name, role) SELECT id, 'someone@riverside.example', 'Dr. Elsewhere', 'RAD' FROM t RETURNING tenant_id, id)
    INSERT INTO published_events (tenant_id, assignment_id, period_id, user_id, day, shift_code, all_day, content_hash)
    SELECT u.tenant_id, gen_random_uuid(), gen_random_uuid(), u.id, current_date, 'NEURO_D', true, 'x' FROM u
    RETURNING assignment_id`);
  const res = await rad.fetch(`${srv.url}/assignments/${other}`);
  assert.equal(res.status, 404, 'another tenant\'s assignment is invisible');
  assert.doesNotMatch(await res.text(), /Elsewhere/);
  // a shift that is no longer published
  const aid = srv.sql(`SELECT e.assignment_id FROM published_events e JOIN users u ON u.tenant_id = e.tenant_id AND u.id = e.user_id
                        WHERE lower(u.email) = '${RAD}' ORDER BY e.day DESC LIMIT 1`);
  assert.equal((await rad.fetch(`${srv.url}/assignments/${aid}`)).status, 200);
  srv.sql(`DELETE FROM published_events WHERE assignment_id = '${aid}'`);
  assert.equal((await rad.fetch(`${srv.url}/assignments/${aid}`)).status, 404, 'unpublished');
});

test('anonymous visitors are sent to sign in, as on /calendar', async () => {
  const aid = srv.sql(`SELECT assignment_id FROM published_events ORDER BY day LIMIT 1`);
  const path = `/assignments/${aid}`;
  const res = await fetch(srv.url + path, { redirect: 'manual' });
  const cal = await fetch(srv.url + '/calendar', { redirect: 'manual' });
  assert.equal(res.status, cal.status);
  assert.ok([302, 303].includes(res.status), `redirect, got ${res.status}`);
  const next = (r) => {
    const u = new URL(r.headers.get('location'), srv.url);
    assert.equal(u.pathname, '/auth/refresh');
    return u.searchParams.get('next');
  };
  assert.equal(next(res), path, 'back to the page after signing in');
  assert.equal(next(cal), '/calendar');
  const api = await fetch(srv.url + path, { headers: { accept: 'application/json', authorization: 'Bearer rsk_nope' }, redirect: 'manual' });
  assert.equal(api.status, 401, 'a bad bearer token gets a 401, not a page');
});
