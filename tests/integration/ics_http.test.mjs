// The feed's HTTP behaviour: validators and conditional requests, HEAD, Cache-Control, the
// process cache and its invalidation, rotation (API and command line), unknown tokens, the
// feed window, roles, and tokens kept out of the logs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { startRadsched } from '../support/harness.mjs';
import { publishDemoSchedule, apiTokensForAll, icsCommand } from './ics_support.mjs';

let srv, tokens, tenantId;
const RAD = 'daniel.hughes@lakeside.example';
const CHIEF = 'chief@lakeside.example';
const ADMIN = 'admin@lakeside.example';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  srv = await startRadsched({ demo: true, env: { RADSCHED_LOG_LEVEL: 'info' } });
  publishDemoSchedule(srv);
  tokens = apiTokensForAll(srv);
  tenantId = srv.sql(`SELECT id FROM tenants WHERE slug = 'demo'`);
});
after(async () => {
  await srv?.stop();
});

const auth = (email) => ({ Authorization: `Bearer ${tokens.get(email)}` });
async function links(email) {
  const res = await fetch(srv.url + '/api/v1/me/calendar', { headers: auth(email) });
  assert.equal(res.status, 200);
  return res.json();
}
async function post(path, email) {
  return fetch(srv.url + path, { method: 'POST', headers: auth(email) });
}
const uidOf = (aid) => createHash('sha256').update(`radsched-ics-uid/v1\0${tenantId}\0${aid}`).digest('hex').slice(0, 32) + '@radsched';
const userId = (email) => srv.sql(`SELECT id FROM users WHERE lower(email) = lower('${email}')`);
// GET until pred(res, text) holds: changes made by another process reach this server's cache
// through NOTIFY, a few milliseconds after the commit. Bounded: 3 s.
async function getUntil(url, pred, what) {
  let res, text;
  for (let i = 0; i < 60; i++) {
    res = await fetch(url);
    text = await res.text();
    if (pred(res, text)) return { res, text };
    await sleep(50);
  }
  assert.fail(`${what}: not seen within 3 s (status ${res.status})`);
}
async function counters() {
  const text = await (await fetch(srv.url + '/metrics')).text();
  const out = {};
  for (const m of text.matchAll(/^radsched_ics_feed_requests_total\{outcome="([a-z_]+)"\} ([0-9.e+]+)$/gm)) out[m[1]] = Number(m[2]);
  return out;
}

test('a feed answers text/calendar with a strong ETag, Last-Modified and Cache-Control; short https and webcal URLs', async () => {
  const l = await links(RAD);
  assert.match(l.feed.url, new RegExp(`^${srv.url}/ics/[A-Za-z0-9_-]{32}\\.ics$`));
  assert.equal(l.feed.webcal, l.feed.url.replace(/^https?:/, 'webcal:'));
  assert.ok(l.feed.url.length < 200);
  assert.equal(l.master, undefined, 'a radiologist gets no master link');
  const res = await fetch(l.feed.url);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/calendar; charset=utf-8');
  assert.match(res.headers.get('etag'), /^"[A-Za-z0-9_-]{22}"$/, 'strong ETag');
  assert.match(res.headers.get('last-modified'), /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
  assert.equal(res.headers.get('cache-control'), 'private, no-cache');
  const body = Buffer.from(await res.arrayBuffer());
  assert.equal(res.headers.get('etag'), `"${createHash('sha256').update(body).digest().subarray(0, 16).toString('base64url')}"`, 'ETag from the body');
  assert.ok(body.toString().startsWith('BEGIN:VCALENDAR\r\n'));
  assert.ok(Date.parse(res.headers.get('last-modified')) <= Date.parse(res.headers.get('date')), 'Last-Modified not after Date');
});

test('If-None-Match is checked first; a match gives 304 with ETag and Last-Modified', async () => {
  const { feed } = await links(RAD);
  const first = await fetch(feed.url);
  const etag = first.headers.get('etag'), lm = first.headers.get('last-modified');
  await first.arrayBuffer();
  for (const inm of [etag, `W/${etag}`, `"nope", ${etag}`, '*']) {
    const r = await fetch(feed.url, { headers: { 'If-None-Match': inm } });
    assert.equal(r.status, 304, inm);
    assert.equal(r.headers.get('etag'), etag);
    assert.equal(r.headers.get('last-modified'), lm);
    assert.equal(r.headers.get('cache-control'), 'private, no-cache');
    assert.equal((await r.arrayBuffer()).byteLength, 0);
  }
  // a non-matching If-None-Match wins over an If-Modified-Since that alone would give 304
  const future = new Date(Date.now() + 86400e3).toUTCString();
  const r = await fetch(feed.url, { headers: { 'If-None-Match': '"something-else"', 'If-Modified-Since': future } });
  assert.equal(r.status, 200);
  await r.arrayBuffer();
});

test('If-Modified-Since: 304 at or after Last-Modified (all three date forms), 200 before', async () => {
  const { feed } = await links(RAD);
  const first = await fetch(feed.url);
  const lm = first.headers.get('last-modified');
  await first.arrayBuffer();
  const t = new Date(Date.parse(lm));
  const rfc850 = lm.replace(/^(\w+), (\d\d) (\w+) \d\d(\d\d)/, (_, d, dd, m, yy) => `${{ Sun: 'Sunday', Mon: 'Monday', Tue: 'Tuesday', Wed: 'Wednesday', Thu: 'Thursday', Fri: 'Friday', Sat: 'Saturday' }[d]}, ${dd}-${m}-${yy}`);
  const asctime = `${lm.slice(0, 3)} ${lm.slice(8, 11)} ${String(t.getUTCDate()).padStart(2, ' ')} ${lm.slice(17, 25)} ${t.getUTCFullYear()}`;
  for (const ims of [lm, rfc850, asctime, new Date(Date.now() + 3600e3).toUTCString()]) {
    const r = await fetch(feed.url, { headers: { 'If-Modified-Since': ims } });
    assert.equal(r.status, 304, ims);
    assert.equal(r.headers.get('last-modified'), lm);
    assert.ok(r.headers.get('etag'));
  }
  for (const ims of [new Date(t.getTime() - 1000).toUTCString(), 'yesterday']) {
    const r = await fetch(feed.url, { headers: { 'If-Modified-Since': ims } });
    assert.equal(r.status, 200, ims);
    await r.arrayBuffer();
  }
});

test('HEAD answers the same status and headers without a body', async () => {
  const { feed } = await links(RAD);
  const g = await fetch(feed.url);
  const len = (await g.arrayBuffer()).byteLength;
  const h = await fetch(feed.url, { method: 'HEAD' });
  assert.equal(h.status, 200);
  for (const k of ['content-type', 'etag', 'last-modified', 'cache-control']) assert.equal(h.headers.get(k), g.headers.get(k), k);
  assert.equal(Number(h.headers.get('content-length')), len);
  assert.equal((await h.arrayBuffer()).byteLength, 0);
  const h304 = await fetch(feed.url, { method: 'HEAD', headers: { 'If-None-Match': g.headers.get('etag') } });
  assert.equal(h304.status, 304);
});

test('repeated polls are served from the cache', async () => {
  const { feed } = await links(CHIEF);
  await (await fetch(feed.url)).arrayBuffer();
  const before = await counters();
  for (let i = 0; i < 10; i++) await (await fetch(feed.url)).arrayBuffer();
  const now = await counters();
  assert.ok((now.hit || 0) - (before.hit || 0) >= 8, `hits ${before.hit} → ${now.hit}`);
  assert.equal(now.rendered || 0, before.rendered || 0, 'nothing rendered again');
});

test('deleting an event moves ETag and Last-Modified, and the event disappears from the feed', async () => {
  const { feed } = await links(RAD);
  const r0 = await fetch(feed.url);
  const etag0 = r0.headers.get('etag'), lm0 = r0.headers.get('last-modified');
  const text0 = await r0.text();
  const aid = srv.sql(`SELECT assignment_id FROM published_events WHERE user_id = '${userId(RAD)}' ORDER BY day LIMIT 1`);
  assert.ok(text0.includes(`UID:${uidOf(aid)}\r\n`));
  await sleep(1100); // Last-Modified has a resolution of one second
  srv.sql(`DELETE FROM published_events WHERE assignment_id = '${aid}'`);
  const { res, text } = await getUntil(feed.url, (r) => r.headers.get('etag') !== etag0, 'the deletion');
  assert.equal(res.status, 200);
  assert.ok(!text.includes(uidOf(aid)), 'the removed assignment is gone');
  assert.ok(Date.parse(res.headers.get('last-modified')) > Date.parse(lm0), `Last-Modified ${lm0} → ${res.headers.get('last-modified')}`);
  // the old validators no longer match
  const c1 = await fetch(feed.url, { headers: { 'If-None-Match': etag0 } });
  assert.equal(c1.status, 200);
  await c1.arrayBuffer();
  const c2 = await fetch(feed.url, { headers: { 'If-Modified-Since': lm0 } });
  assert.equal(c2.status, 200);
  await c2.arrayBuffer();
  // a change elsewhere in the department does not touch this person's feed
  const other = srv.sql(`SELECT assignment_id FROM published_events WHERE user_id <> '${userId(RAD)}' ORDER BY day DESC LIMIT 1`);
  srv.sql(`DELETE FROM published_events WHERE assignment_id = '${other}'`);
  await sleep(200);
  const c3 = await fetch(feed.url, { headers: { 'If-None-Match': res.headers.get('etag') } });
  assert.equal(c3.status, 304);
});

test('a changed event keeps its UID, SEQUENCE grows, LAST-MODIFIED moves', async () => {
  const { feed } = await links(RAD);
  const row = srv.sql(`SELECT assignment_id, sequence FROM published_events WHERE user_id = '${userId(RAD)}' AND NOT all_day ORDER BY day LIMIT 1`).split('|');
  const uid = uidOf(row[0]);
  const seq0 = Number(row[1]);
  const before = await (await fetch(feed.url)).text();
  assert.ok(before.includes(`UID:${uid}`));
  srv.sql(`UPDATE published_events SET start_at = start_at - interval '1 hour', content_hash = content_hash || 'x', last_modified = now() WHERE assignment_id = '${row[0]}'`);
  const { text } = await getUntil(feed.url, (r, t) => t !== before, 'the change');
  const ev = text.split('BEGIN:VEVENT').find((v) => v.includes(`UID:${uid}`));
  assert.ok(ev, 'same UID');
  assert.match(ev, new RegExp(`\r\nSEQUENCE:${seq0 + 1}\r\n`));
  // SEQUENCE never goes back, even if someone writes a lower one
  srv.sql(`UPDATE published_events SET sequence = 0 WHERE assignment_id = '${row[0]}'`);
  assert.equal(Number(srv.sql(`SELECT sequence FROM published_events WHERE assignment_id = '${row[0]}'`)), seq0 + 1);
});

test('rotation through the API: the old URL answers 404 at once, the new one works; audited', async () => {
  const old = (await links(RAD)).feed;
  await (await fetch(old.url)).arrayBuffer(); // cached now
  const r = await post('/api/v1/me/calendar/rotate', RAD);
  assert.equal(r.status, 200);
  const fresh = (await r.json()).feed;
  assert.notEqual(fresh.url, old.url);
  assert.ok(fresh.url.length < 200);
  const gone = await fetch(old.url);
  assert.equal(gone.status, 404);
  assert.equal((await gone.arrayBuffer()).byteLength, 0);
  assert.equal((await fetch(old.url, { method: 'HEAD' })).status, 404);
  const ok = await fetch(fresh.url);
  assert.equal(ok.status, 200);
  await ok.arrayBuffer();
  assert.deepEqual((await links(RAD)).feed, fresh, 'the API shows the new link');
  const audited = srv.sql(`SELECT count(*) FROM audit_log WHERE action = 'ics.token.rotate' AND entity_id = '${userId(RAD)}' AND actor_user_id = '${userId(RAD)}'`);
  assert.equal(Number(audited), 1);
  assert.ok(Number(srv.sql(`SELECT count(*) FROM audit_log WHERE entity = 'feed_tokens' AND action = 'UPDATE'`)) >= 1);
  // the database keeps only a hash of the token
  const token = fresh.url.match(/\/ics\/(.{32})\.ics$/)[1];
  assert.equal(Number(srv.sql(`SELECT count(*) FROM feed_tokens WHERE token_hash LIKE '%${token}%'`)), 0);
  assert.equal(Number(srv.sql(`SELECT count(*) FROM feed_tokens WHERE token_hash = encode(sha256(convert_to('${token}', 'UTF8')), 'hex')`)), 1);
});

test('ics-url prints the same link as the API; ics-rotate (user, master, all) invalidates at once', async () => {
  const chief = await links(CHIEF);
  assert.equal(icsCommand(srv, ['ics-url', '--tenant', 'demo', '--user', CHIEF]), chief.feed.url);
  assert.equal(icsCommand(srv, ['ics-url', '--tenant', 'demo', '--master']), chief.master.url);
  assert.equal(icsCommand(srv, ['ics-url', '--tenant', 'demo', '--master', '--webcal']), chief.master.webcal);
  for (const u of [chief.feed.url, chief.master.url]) await (await fetch(u)).arrayBuffer();

  const newChief = icsCommand(srv, ['ics-rotate', '--tenant', 'demo', '--user', CHIEF]);
  assert.notEqual(newChief, chief.feed.url);
  assert.equal((await fetch(chief.feed.url)).status, 404);
  assert.equal((await fetch(newChief)).status, 200);
  assert.equal((await links(CHIEF)).feed.url, newChief);

  const newMaster = icsCommand(srv, ['ics-rotate', '--tenant', 'demo', '--master']);
  assert.equal((await fetch(chief.master.url)).status, 404);
  assert.equal((await fetch(newMaster)).status, 200);

  const before = await links(RAD);
  await (await fetch(before.feed.url)).arrayBuffer();
  const out = icsCommand(srv, ['ics-rotate', '--tenant', 'demo', '--all']);
  assert.match(out, /^\d+ feed link\(s\) rotated$/);
  for (const u of [before.feed.url, newChief, newMaster]) assert.equal((await fetch(u)).status, 404, u);
  const after = await links(RAD);
  assert.notEqual(after.feed.url, before.feed.url);
  assert.equal((await fetch(after.feed.url)).status, 200);
});

test('unknown, malformed and foreign tokens get a bare 404', async () => {
  const { feed } = await links(RAD);
  const base = srv.url + '/ics/';
  const cases = [
    base + randomBytes(24).toString('base64url') + '.ics',
    feed.url.replace(/\.ics$/, ''),
    feed.url.replace(/\.ics$/, '.ICS'),
    feed.url.replace(/\/ics\/(.)/, (_, c) => `/ics/${c === 'A' ? 'B' : 'A'}`),
    base + 'short.ics',
    base + 'x'.repeat(300) + '.ics',
  ];
  for (const u of cases) {
    const r = await fetch(u);
    assert.equal(r.status, 404, u);
    const body = await r.arrayBuffer();
    assert.equal(body.byteLength, 0, `no detail for ${u}`);
    assert.equal(r.headers.get('etag'), null);
  }
});

test('roles: the master link for chiefs and admins; only admins rotate the master or every link', async () => {
  const rad = await links(RAD);
  assert.equal(rad.master, undefined);
  const chief = await links(CHIEF);
  assert.ok(chief.master.url);
  const admin = await links(ADMIN);
  assert.equal(admin.master.url, chief.master.url);
  assert.equal((await post('/api/v1/calendar/master/rotate', RAD)).status, 403);
  assert.equal((await post('/api/v1/calendar/master/rotate', CHIEF)).status, 403);
  assert.equal((await post('/api/v1/calendar/rotate-all', CHIEF)).status, 403);
  assert.equal((await post(`/api/v1/calendar/people/${userId(RAD)}/rotate`, CHIEF)).status, 403);
  assert.equal((await fetch(srv.url + '/api/v1/me/calendar')).status, 401);
  const m = await post('/api/v1/calendar/master/rotate', ADMIN);
  assert.equal(m.status, 200);
  const newMaster = (await m.json()).master.url;
  assert.notEqual(newMaster, chief.master.url);
  assert.equal((await fetch(chief.master.url)).status, 404);
  const p = await post(`/api/v1/calendar/people/${userId(RAD)}/rotate`, ADMIN);
  assert.equal(p.status, 200);
  assert.notEqual((await p.json()).feed.url, rad.feed.url);
  assert.equal((await fetch(rad.feed.url)).status, 404);
  assert.equal((await post(`/api/v1/calendar/people/${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(12)}/rotate`, ADMIN)).status, 404);
  const all = await post('/api/v1/calendar/rotate-all', ADMIN);
  assert.equal(all.status, 200);
  assert.ok((await all.json()).rotated >= 3);
  assert.equal((await fetch(newMaster)).status, 404);
});

test('the window: 30 days back to 12 months ahead in the tenant zone', async () => {
  const uid = userId(RAD);
  const ids = srv.sql(`
    WITH t AS (SELECT id, timezone FROM tenants WHERE slug = 'demo'), d AS (SELECT (now() AT TIME ZONE timezone)::date AS today FROM t)
    INSERT INTO published_events (tenant_id, assignment_id, period_id, user_id, day, shift_code, all_day, content_hash)
    SELECT t.id, gen_random_uuid(), gen_random_uuid(), '${uid}', x.day, 'IR_CALL', true, 'w'
      FROM t, d, LATERAL (VALUES (d.today - 31), (d.today - 30), (d.today - 29), ((d.today + interval '12 months')::date - 1),
                                 ((d.today + interval '12 months')::date)) x(day)
    RETURNING assignment_id`).split('\n');
  const { feed } = await links(RAD);
  const { text } = await getUntil(feed.url, (r, t) => t.includes(uidOf(ids[1])), 'the new events');
  assert.deepEqual(ids.map((a) => text.includes(uidOf(a))), [false, true, true, true, false]);
});

test('a config change (summary format) moves every feed', async () => {
  const { master } = await links(CHIEF);
  const before = await (await fetch(master.url)).text();
  assert.match(before, /\r\nSUMMARY:[A-Z_]+ — /);
  srv.sql(`
    WITH t AS (SELECT id, config_version FROM tenants WHERE slug = 'demo'),
    c AS (INSERT INTO config_versions (tenant_id, number, parent_number, actor_kind, message, document)
          SELECT t.id, t.config_version + 1, t.config_version, 'SYSTEM', 'ics test',
                 jsonb_set(v.document, '{integrations,calendar,eventSummaryFormat}', '"{USER_NAME}: {SHIFT_NAME}"')
            FROM t JOIN config_versions v ON v.tenant_id = t.id AND v.number = t.config_version RETURNING number)
    UPDATE tenants SET config_version = (SELECT number FROM c) WHERE slug = 'demo'`);
  const { text } = await getUntil(master.url, (r, t) => t !== before, 'the config change');
  assert.match(text, /\r\nSUMMARY:Dr\. [^:\r]+: /);
});

test('a deactivated person\'s feed and a suspended department answer 404', async () => {
  const { feed, master } = await links(CHIEF);
  assert.equal((await fetch(feed.url)).status, 200);
  srv.sql(`UPDATE users SET active = false WHERE lower(email) = '${CHIEF}'`);
  await getUntil(feed.url, (r) => r.status === 404, 'deactivation');
  srv.sql(`UPDATE users SET active = true WHERE lower(email) = '${CHIEF}'`);
  await getUntil(feed.url, (r) => r.status === 200, 'reactivation');
  srv.sql(`UPDATE tenants SET status = 'suspended' WHERE slug = 'demo'`);
  await getUntil(master.url, (r) => r.status === 404, 'suspension');
  srv.sql(`UPDATE tenants SET status = 'active' WHERE slug = 'demo'`);
  await getUntil(master.url, (r) => r.status === 200, 'reactivation');
});

test('feed tokens never reach the logs', async () => {
  const { feed } = await links(RAD);
  await (await fetch(feed.url)).arrayBuffer();
  const token = feed.url.match(/\/ics\/(.{32})\.ics$/)[1];
  const logs = srv.stderr();
  assert.match(logs, /"path":"\/ics\/\{file\}"/, 'feed requests are logged with the pattern');
  assert.ok(!logs.includes(token), 'the token itself is not');
  assert.ok(!/\/ics\/[A-Za-z0-9_-]{32}\.ics/.test(logs), 'no feed token of any kind');
});
